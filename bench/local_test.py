"""How long `check` and `test` take on a manifest of 100 functions with 3 test cases each.

    .venv/bin/python -m bench.local_test [--functions 100] [--runs 3]

Each run is the real command as a process (`python -m publisher check|test`), timed by the wall
clock from start to exit; the fastest of --runs counts, and every run is printed. The functions are
the examples' code (redirect, headers, a KeyValueStore lookup), renamed; BENCHMARKS.md has the
figures and the machine.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
KINDS = (
    ("redirect-www.js", "apex-request.json", "response.statusCode: 301"),
    ("security-headers.js", "viewer-response.json", "response.headers.x-content-type-options.value: nosniff"),
    ("ab-route.js", "www-request.json", "request.uri: /index.html"),
)


def workspace(root: Path, functions: int) -> None:
    shutil.copytree(EXAMPLES / "functions", root / "functions")
    shutil.copytree(EXAMPLES / "events", root / "events")
    (root / "ab.json").write_text(json.dumps({"data": [{"key": "new-origin-share", "value": "0"}]}))
    lines = [
        "defaults:\n  runtime: cloudfront-js-2.0\nkey-value-stores:\n  - name: ab-settings\n    data: ab.json",
        "functions:",
    ]
    for i in range(functions):
        code, event, expect = KINDS[i % len(KINDS)]
        lines.append(f"  - name: fn-{i:03d}\n    code: functions/{code}\n    comment: bench")
        if code == "ab-route.js":
            lines.append("    key-value-store: ab-settings")
        lines.append("    tests:")
        for case in range(3):
            lines.append(
                f"      - name: case {case}\n        event: events/{event}\n        expect:\n          {expect}"
            )
    (root / "cloudfront-functions.yml").write_text("\n".join(lines) + "\n")


def timed(root: Path, mode: str) -> tuple[float, int]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "publisher", mode, "--json"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{mode} exited {done.returncode}: {done.stderr[-2000:]}{done.stdout[-2000:]}")
    result = json.loads(done.stdout)
    return elapsed, sum(len(f["tests"]) for f in result["functions"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--functions", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-local-") as folder:
        root = Path(folder)
        workspace(root, args.functions)
        for mode in ("check", "test"):
            runs = [timed(root, mode) for _ in range(args.runs)]
            shown = ", ".join(f"{t:.2f}" for t, _ in runs)
            print(
                f"{mode}: {args.functions} functions, {runs[0][1]} cases run: best {min(t for t, _ in runs):.2f} s ({shown})"
            )


if __name__ == "__main__":
    main()
