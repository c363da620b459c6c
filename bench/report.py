"""BENCHMARKS.md from the outcomes: targets, the side-by-side table, calls by operation, the floor."""

from __future__ import annotations

from collections.abc import Sequence

from bench import floor
from bench.contenders import ALL, CLI, PUBLISH, Contender
from bench.harness import Outcome
from bench.machine import Image
from bench.targets import Verdict, peers_wall, wall

OPERATIONS = (
    "ListFunctions",
    "GetFunction",
    "DescribeFunction",
    "UpdateFunction",
    "PublishFunction",
    "ListDistributions",
    "ListDistributionsByConnectionMode",
    "GetDistributionConfig",
    "UpdateDistribution",
)


def _mark(met: bool | None) -> str:
    return {True: "met", False: "**not met**", None: "not measured"}[met]


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _megabytes(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def targets_table(found: Sequence[Verdict]) -> list[str]:
    rows = ["| target | figure | result |", "| --- | --- | --- |"]
    return rows + [f"| {v.target} | {v.figure} | {_mark(v.met)} |" for v in found]


def _side_by_side_row(outcomes: Sequence[Outcome], o: Outcome, c: Contender) -> str | None:
    runs = o.runs.get(c.key, [])
    ours = wall(o, PUBLISH)
    if not runs:
        if c is not CLI or o.scenario.rate_limit or not (theirs := peers_wall(outcomes, o)):
            return None
        ratio = f"{theirs / ours:.1f}x" if ours else "-"
        return f"| | {c.title} | {theirs:.2f} | (N axis) | | | | {ratio} |"
    mine = wall(o, c) or 0.0
    calls = max(r.total for r in runs)
    peak = _megabytes(o.median(c.key, lambda r: r.peak_mb))
    vs_floor = f"{calls / floor.calls(o.scenario, c.writes):.2f}x" if c.key in ("publish", "plan") else ""
    vs_time = (
        f"{mine / o.floor_time(c):.2f}x / {mine / o.floor_time_with_service(c):.2f}x" if vs_floor else ""
    )
    ratio = f"{mine / ours:.1f}x" if ours else "-"
    failed = "" if all(r.exit_code == 0 for r in runs) else " (failed)"
    return f"| | {c.title}{failed} | {mine:.2f} | {len(runs)} | {calls} {vs_floor} | {vs_time} | {peak} | {ratio} |"


def side_by_side(outcomes: Sequence[Outcome]) -> list[str]:
    rows = [
        "| scenario | contender | wall s (median) | runs | API calls (÷ floor) | time ÷ floor (latency / with service) | peak MB | time ÷ publish |",
        "| --- | --- | ---: | ---: | --- | --- | ---: | ---: |",
    ]
    for o in outcomes:
        s = o.scenario
        rows.append(
            f"| **{s.label}** | floor | {_seconds(o.floor_time(PUBLISH))} (publish), "
            f"{_seconds(o.floor_time_with_service(PUBLISH))} with service | | "
            f"{floor.calls(s, True)} (publish), {floor.calls(s, False)} (plan) | | | |"
        )
        rows += [row for c in ALL if (row := _side_by_side_row(outcomes, o, c))]
    return rows


def calls_table(outcomes: Sequence[Outcome]) -> list[str]:
    head = " | ".join(OPERATIONS)
    rows = [
        f"| scenario | contender | {head} | throttled |",
        "| --- | --- |" + " ---: |" * (len(OPERATIONS) + 1),
    ]
    for o in outcomes:
        for c in ALL:
            runs = o.runs.get(c.key, [])
            if runs:
                last = runs[-1]
                cells = " | ".join(str(last.calls.get(op, 0)) for op in OPERATIONS)
                rows.append(f"| {o.scenario.label} | {c.key} | {cells} | {last.throttled} |")
        if o.rerun:
            cells = " | ".join(str(o.rerun.calls.get(op, 0)) for op in OPERATIONS)
            rows.append(f"| {o.scenario.label} | publish again | {cells} | {o.rerun.throttled} |")
    return rows


def floor_table(outcomes: Sequence[Outcome]) -> list[str]:
    rows = [
        "| scenario | CPUs busy before | start-up s | round trips (publish) | page of 100 ms | GetFunction ms | write ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for o in outcomes:
        sv = o.service
        busy = "-" if o.busy_before is None else f"{o.busy_before:.0%}"
        rows.append(
            f"| {o.scenario.label} | {busy} | {o.startup:.2f} | {floor.round_trips(o.scenario, True)} | "
            f"{sv.page * 1000:.0f} | {sv.read * 1000:.1f} | {sv.write * 1000:.1f} |"
        )
    return rows


def image_lines(image: Image) -> list[str]:
    if image.size_mb is None:
        return [f"Not measured: {image.why_not}."]
    base = (
        f", of which {image.base_mb:.0f} MB is the stand-in base `localhost/pybase:bookworm` that"
        " scripts/build-image.sh builds on by default (Debian with python3; GitHub's runner builds on"
        f" the Dockerfile's pinned slim base instead) and {image.size_mb - image.base_mb:.0f} MB the"
        " project's venv"
        if image.base_mb
        else ""
    )
    return [
        f"`localhost/cloudfront-publish:test`: {image.size_mb:.0f} MB{base}. "
        f"Cold start, `podman run --rm IMAGE --help` to exit: {image.cold_start:.2f} s (median of 3)."
    ]
