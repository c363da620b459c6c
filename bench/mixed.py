"""A mixed manifest's publish: N viewer functions and M connection functions, every one changed, each
connection function listing the distribution (with viewer mTLS) it already runs on.

    .venv/bin/python -m bench.mixed [--viewer 20] [--connection 5] [--latency 0.04] [--runs 5]

Each run is `python -m publisher publish` as a process against the emulator, with `--latency` added
to every request; calls are counted at the emulator, time is the wall clock from spawn to exit, the
median of --runs counts (every run printed). The bound on calls and the floor on time are printed
beside them, each part named; BENCHMARKS.md has the figures and the machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import boto3

from emulator import Emulator, start

ROOT = Path(__file__).resolve().parents[1]

FAKE = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
VIEWER = "function handler(event) {{ /* {0} */ return event.request; }}\n"
GATE = "function connectionHandler(connection) {{ /* {0} */ connection.allow(); }}\n"
CONFIG = {"Comment": "bench", "Runtime": "cloudfront-js-2.0"}


def seed(emu: Emulator, viewer: int, connection: int) -> list[str]:
    """Every function published with round 0's code; each connection function on its own distribution."""
    aws = boto3.client("cloudfront", endpoint_url=emu.url, region_name="us-east-1")
    for i in range(viewer):
        emu.seed_function(f"v{i:02d}", VIEWER.format(0).encode(), comment="bench", publish=True)
    dists = []
    for i in range(connection):
        made = aws.create_connection_function(
            Name=f"c{i:02d}", ConnectionFunctionConfig=CONFIG, ConnectionFunctionCode=GATE.format(0).encode()
        )
        cid = made["ConnectionFunctionSummary"]["Id"]
        aws.publish_connection_function(Id=cid, IfMatch=made["ETag"])
        dist = emu.seed_distribution(viewer_mtls="required")
        got = aws.get_distribution_config(Id=dist)
        config = {**got["DistributionConfig"], "ConnectionFunctionAssociation": {"Id": cid}}
        aws.update_distribution(Id=dist, IfMatch=got["ETag"], DistributionConfig=config)
        dists.append(dist)
    return dists


def manifest(root: Path, viewer: int, dists: list[str], round_: int) -> None:
    lines = ["functions:"]
    for i in range(viewer):
        (root / f"v{i:02d}.js").write_text(VIEWER.format(round_))
        lines.append(f"  - name: v{i:02d}\n    code: v{i:02d}.js\n    comment: bench")
    lines.append("connection-functions:")
    for i, dist in enumerate(dists):
        (root / f"c{i:02d}.js").write_text(GATE.format(round_))
        lines.append(
            f"  - name: c{i:02d}\n    code: c{i:02d}.js\n    comment: bench\n    distributions: [{dist}]"
        )
    (root / "cloudfront-functions.yml").write_text("\n".join(lines) + "\n")


def bound(viewer: int, connection: int) -> dict[str, int]:
    """The calls a correct publish of every function needs, by what they are for."""
    return {
        "ListFunctions (2 stages)": 2,
        "GetFunction (2 per viewer function)": 2 * viewer,
        "ListConnectionFunctions (2 stages)": 2,
        "GetConnectionFunction (2 per connection function)": 2 * connection,
        "ListDistributions, ListDistributionsByConnectionMode, ListKeyValueStores": 3,
        "ListDistributionsByConnectionFunction (1 per connection function)": connection,
        "GetDistributionConfig (1 per distribution named)": connection,
        "Describe DEVELOPMENT and LIVE, Update, Publish (4 per function)": 4 * (viewer + connection),
    }


def spawn(root: Path, env: dict[str, str], *args: str) -> float:
    began = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "publisher", *args], cwd=root, env=env, check=True, capture_output=True
    )
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--viewer", type=int, default=20)
    parser.add_argument("--connection", type=int, default=5)
    parser.add_argument("--latency", type=float, default=0.04)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    os.environ.update(FAKE)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("GITHUB_ACTIONS", None)
    emu = start(seed=1)
    try:
        dists = seed(emu, args.viewer, args.connection)
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            startup = statistics.median(spawn(root, env, "--help") for _ in range(3))
            times, calls = [], Counter[str]()
            for round_ in range(1, args.runs + 1):
                manifest(root, args.viewer, dists, round_)
                emu.latency = args.latency
                emu.reset_counts()
                times.append(
                    spawn(root, env, "publish", "--endpoint-url", emu.url, "--max-concurrency", "16")
                )
                emu.latency = 0.0
                calls = Counter(emu.counts())
        # the floor: the listing, then the code reads beside ListDistributionsByConnectionFunction, then the
        # configs, then describe, update, publish: 6 round trips after the process has started
        floor = startup + 6 * args.latency
        parts = bound(args.viewer, args.connection)
        total = sum(calls.values())
        print(
            f"N={args.viewer} viewer + {args.connection} connection functions, all changed, latency {args.latency}s"
        )
        print(f"calls: {total}, bound {sum(parts.values())} ({total / sum(parts.values()):.2f}x)")
        for part, n in parts.items():
            print(f"  bound: {n:4d}  {part}")
        for op, n in sorted(calls.items()):
            print(f"  made:  {n:4d}  {op}")
        print(f"time: median {statistics.median(times):.2f}s of {', '.join(f'{t:.2f}' for t in times)}")
        print(f"floor: {floor:.2f}s (start-up {startup:.2f}s + 6 x {args.latency}s)")
        print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    finally:
        emu.stop()


if __name__ == "__main__":
    main()
