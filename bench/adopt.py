"""`import` of a whole account, measured: `python -m bench.adopt [--functions 100 --stores 10 --keys 1000]`.

The account of issue 23 (100 functions, 10 stores of 1,000 keys), laid out in the emulator with 40 ms
added to every request; then `cloudfront-publish import` runs as its own process (started by GNU time
for its peak memory), then `plan` over what it wrote. Prints a Markdown table: wall time, calls by
operation against the floor of calls, peak memory, and the floor of time in latencies.

The floor: one ListFunctions and one ListConnectionFunctions per stage, one ListKeyValueStores, one
ListDistributions and one tenant-only listing (one page each up to 100: where each function runs),
then GetFunction for each stage of each function, ListTagsForResource for each function and store,
and ListKeys per store (pages of 50, each waiting for the one before), all at once; in latencies, 1
for the listings plus the longer of the gets (3N + stores over the concurrency) and one store's pages.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import tempfile
from pathlib import Path

from bench.measure import Run, Tap, run
from emulator import Emulator, start

LATENCY = 0.04
PAGE = 50  # ListKeys
LAUNCH = """
import runpy, socket, sys
real = socket.getaddrinfo
def resolve(host, *args, **kwargs):
    return real("127.0.0.1" if isinstance(host, str) and host.endswith(".127.0.0.1") else host, *args, **kwargs)
socket.getaddrinfo = resolve
sys.argv = ["cloudfront-publish", *sys.argv[1:]]
runpy.run_module("publisher", run_name="__main__", alter_sys=True)
"""  # the data API's host, <account>.127.0.0.1, resolved to the emulator (see tests/e2e/test_stores.py)


def seed(emu: Emulator, functions: int, stores: int, keys: int) -> None:
    import boto3

    aws = boto3.client("cloudfront", endpoint_url=emu.url, region_name="us-east-1")
    arns = [aws.create_key_value_store(Name=f"store-{i:02d}")["KeyValueStore"]["ARN"] for i in range(stores)]
    for arn in arns:
        emu.seed_kvs_data(arn, {f"key-{k:05d}": f"value {k} of {arn[-6:]}" for k in range(keys)})
    for i in range(functions):
        code = f"function handler(event) {{ /* {i} */ return event.request; }}\r\n".encode()
        arn = arns[i % stores] if stores and i < stores * 10 else None  # at most ten functions a store
        runtime = "cloudfront-js-2.0" if arn or i % 2 else "cloudfront-js-1.0"
        emu.seed_function(
            f"fn-{i:03d}", code, runtime=runtime, comment=f"function {i}", kvs_arn=arn, publish=True
        )


def floor(functions: int, stores: int, keys: int, concurrency: int) -> tuple[int, int]:
    """(calls, latencies) no import can go below."""
    pages = max(1, math.ceil(keys / PAGE))
    listing = 2 * max(1, math.ceil(functions / 100)) + max(1, math.ceil(stores / 100))
    listing += 2 + 1 + 1  # connection functions per stage, distributions, tenant-only distributions
    tags = functions + stores
    calls = listing + 2 * functions + tags + stores * pages
    latencies = 1 + max(math.ceil((2 * functions + tags) / concurrency), pages if stores else 0)
    return calls, latencies


def main() -> int:
    p = argparse.ArgumentParser(prog="python -m bench.adopt")
    p.add_argument("--functions", type=int, default=100)
    p.add_argument("--stores", type=int, default=10)
    p.add_argument("--keys", type=int, default=1000)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--latency", type=float, default=LATENCY, help="seconds added to every request")
    args = p.parse_args()
    os.environ.update(
        {"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_DEFAULT_REGION": "us-east-1"}
    )
    emu = start(latency=args.latency)
    try:
        seed(emu, args.functions, args.stores, args.keys)
        tap = Tap(emu)
        root = Path(__file__).resolve().parents[1]
        env = {**os.environ, "PYTHONPATH": str(root)}
        imports: list[Run] = []
        with tempfile.TemporaryDirectory() as tmp:
            for i in range(args.runs):
                out = Path(tmp) / f"run{i}"
                out.mkdir()
                argv = [sys.executable, "-c", LAUNCH, "import", "--endpoint-url", emu.url]
                imports.append(run(argv, out, env, tap, Path(tmp) / f"import{i}.log"))
            plan = run(
                [sys.executable, "-c", LAUNCH, "plan", "--detailed-exitcode", "--endpoint-url", emu.url],
                Path(tmp) / "run0",
                env,
                tap,
                Path(tmp) / "plan.log",
            )
            if any(r.exit_code for r in imports) or plan.exit_code:
                print(
                    (Path(tmp) / "import0.log").read_text(),
                    (Path(tmp) / "plan.log").read_text(),
                    file=sys.stderr,
                )
    finally:
        emu.stop()
    calls, latencies = floor(args.functions, args.stores, args.keys, 16)
    first = imports[0]
    wall = statistics.median(r.wall for r in imports)
    memory = statistics.median(r.peak_mb or 0 for r in imports)
    shown = ", ".join(f"{op} {n}" for op, n in sorted(first.calls.items()))
    print(
        f"| N={args.functions}, {args.stores} stores of {args.keys:,} keys | {wall:.2f} s (median of {args.runs}) "
        f"| {first.total} ({shown}); floor {calls}, {first.total / calls:.2f}x | {memory:.0f} MB "
        f"| {latencies} latencies = {latencies * args.latency:.2f} s | exit {first.exit_code}; writes {first.writes}; "
        f"then plan --detailed-exitcode: exit {plan.exit_code}, writes {plan.writes} |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
