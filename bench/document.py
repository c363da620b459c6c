"""The whole of BENCHMARKS.md, rewritten by each full run: what ran, on what, and what it showed."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Sequence
from pathlib import Path

from bench import matrix, notes, plot, report
from bench.harness import Outcome
from bench.machine import Image
from bench.targets import Verdict

WIDTH = 100


def _n_axis(outcomes: Sequence[Outcome]) -> list[Outcome]:
    return [
        o
        for o in outcomes
        if (o.scenario.changed_pct, o.scenario.d, o.scenario.rate_limit) == (10, 1000, None)
    ]


def _d_axis(outcomes: Sequence[Outcome]) -> list[Outcome]:
    return [
        o for o in outcomes if (o.scenario.n, o.scenario.changed_pct, o.scenario.rate_limit) == (50, 10, None)
    ]


def _paragraphs(*found: list[str]) -> list[str]:
    """Each list of lines is one paragraph, filled anew to the width of the rest of the file."""
    return [
        line
        for lines in found
        if lines
        for line in [textwrap.fill(" ".join(lines), WIDTH, break_on_hyphens=False), ""]
    ]


def draw(outcomes: Sequence[Outcome], path: Path) -> None:
    plot.draw(matrix.n_axis(outcomes), matrix.d_axis(outcomes), path)


def render(
    outcomes: Sequence[Outcome],
    *,
    found: Sequence[Verdict],
    speed: Sequence[Verdict],
    image: Image,
    command: str,
    machine: str,
    minutes: float,
    plot_path: Path,
    out: Path,
    load: str,
) -> str:
    picture = os.path.relpath(plot_path, out.parent)
    lines = [
        "# Benchmarks",
        "",
        *_paragraphs(
            [
                f"Written by `{command}` in {minutes:.0f} min; re-running it rewrites this file and",
                f"`{picture}`. Every figure is a whole process against the local emulator (`emulator/`)",
                "with 40 ms added to each request, the state laid out afresh before each run.",
            ],
            [
                f"Machine: {machine}; load average (1 min) at start and end: {load}. Other work on the",
                "machine shows in the wall times (each scenario waits up to a minute for the CPUs to be",
                "mostly idle; The floor gives how busy they were); the calls do not depend on it.",
            ],
        ),
        "## Targets (issue 6)",
        "",
        *report.targets_table(found),
        "",
        "## Targets (issue 24: win back the speed)",
        "",
        *report.targets_table(speed),
        "",
        "## What the figures show",
        "",
        *_paragraphs(
            notes.scan_share(outcomes),
            notes.cpu_bound(outcomes),
            notes.writes(outcomes),
            notes.extra_call(outcomes),
            notes.changes(),
        ),
        "## Side by side",
        "",
        "Time ÷ floor gives two figures: against the issue's floor (round trips x latency + start-up)",
        "and against the same with the emulator's own time per call added (see The floor).",
        "",
        *report.side_by_side(outcomes),
        "",
        "## API calls by operation (counted at the emulator, last run of each)",
        "",
        *report.calls_table(outcomes),
        "",
        "## The floor",
        "",
        "Calls: ListFunctions per stage, GetFunction per function and stage, one ListDistributions per",
        "page of 100, and UpdateFunction + DescribeFunction + PublishFunction per changed function.",
        "Time: the start-up (the median time from spawn to the first request, as the emulator saw it) plus",
        "the longest chain of round trips that wait for each other: the pages one after another, beside",
        "the reads (in waves of 16, the calls a run keeps in flight by default) followed by the",
        "describes, update and publish. The second floor adds, per",
        "call, the time the emulator and the client take at zero latency (measured before each",
        "scenario, one call at a time), and lets the reads go no faster than the CPUs serve them.",
        "",
        *report.floor_table(outcomes),
        "",
        "## Growth",
        "",
        f"![time and memory against N and D]({picture})",
        "",
        "## How it runs",
        "",
        notes.CONTENDERS,
        "",
        notes.MATRIX,
        "",
        "## Container image",
        "",
        *report.image_lines(image),
        "",
    ]
    return "\n".join(lines)
