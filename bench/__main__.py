"""`python -m bench [--quick]`: run the matrix, write BENCHMARKS.md and the plot."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import tempfile
import time
from pathlib import Path

from bench import document, machine, matrix, startup
from bench.contenders import ALL, ROOT
from bench.harness import Outcome, measure_scenario
from bench.targets import speed_verdicts, verdicts


def _arguments(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="bash bench/run.sh", description=__doc__)
    p.add_argument("--quick", action="store_true", help="a small matrix in about two minutes")
    p.add_argument("--reps", type=int, default=3, help="runs per contender and scenario (median)")
    p.add_argument(
        "--cli-reps", type=int, default=None, help="runs of the AWS CLI loop (default: see README)"
    )
    p.add_argument(
        "--out", type=Path, default=None, help="the report (default: BENCHMARKS.md, quick: bench/out/)"
    )
    p.add_argument("--only", action="append", default=[], help="scenarios whose label contains this")
    p.add_argument("--contenders", default="publish,plan,boto3,cli", help="which ones run (comma-separated)")
    p.add_argument("--no-container", action="store_true", help="skip the container image's figures")
    return p.parse_args(argv)


def _say(line: str) -> None:
    print(line, flush=True)


def main(argv: list[str]) -> int:
    args = _arguments(argv)
    scenarios = matrix.quick() if args.quick else matrix.full()
    scenarios = [s for s in scenarios if not args.only or any(o in s.label for o in args.only)]
    contenders = [c for c in ALL if c.key in args.contenders.split(",")]
    out = args.out or (ROOT / "bench" / "out" / "BENCHMARKS.md" if args.quick else ROOT / "BENCHMARKS.md")
    plot = out.parent / "docs" / "bench-scaling.png"  # beside the report: docs/ for BENCHMARKS.md
    started, load = time.perf_counter(), os.getloadavg()[0]
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="bench-") as work:
        for i, scenario in enumerate(scenarios):
            share = machine.settle()
            busy = "" if share is None else f" (CPUs {share:.0%} busy before)"
            _say(f"[{i + 1}/{len(scenarios)}] {scenario.label}{busy}")
            cli_reps = args.cli_reps if args.cli_reps is not None else _cli_reps(scenario.n, args.reps)
            outcome = measure_scenario(
                scenario, contenders, reps=args.reps, cli_reps=cli_reps, work=Path(work) / f"s{i}", say=_say
            )
            outcome.busy_before = share
            outcomes.append(outcome)
    no_image = machine.Image(why_not="skipped with --no-container")
    image = no_image if args.no_container else startup.with_first_call(machine.container())
    found, speed = verdicts(outcomes, image), speed_verdicts(outcomes, image)
    minutes = (time.perf_counter() - started) / 60
    command = shlex.join(["bash", "bench/run.sh", *argv])
    text = document.render(
        outcomes,
        found=found,
        speed=speed,
        image=image,
        command=command,
        machine=machine.describe(),
        minutes=minutes,
        plot_path=plot,
        out=out,
        load=f"{load:.2f} and {os.getloadavg()[0]:.2f}",
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(with_by_hand(text, out.read_text() if out.is_file() else ""))
    document.draw(outcomes, plot)
    _say(f"wrote {out} and {plot} in {minutes:.1f} min")
    return 0


def _cli_reps(n: int, reps: int) -> int:
    """The AWS CLI loop takes about 0.4 s a call, 4 calls a function: one run at N ≥ 50 keeps the
    matrix within 15 minutes, and the median of its 200 or 400 processes is already a steady figure."""
    return reps if n < 50 else 1


BY_HAND = "## Measured by hand"


def with_by_hand(text: str, old: str) -> str:
    """The new report, with the sections written by hand in the old one (from BY_HAND to the end) kept:
    a run of the matrix measures what it measures, and replaces nothing else."""
    at = old.find(BY_HAND)
    if at < 0 or BY_HAND in text:
        return text
    return text.rstrip("\n") + "\n\n" + old[at:].rstrip("\n") + "\n"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
