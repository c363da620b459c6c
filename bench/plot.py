"""Time and memory against N and against D, one PNG; matplotlib is loaded only here, by name."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench.contenders import BOTO3, CLI, PLAN, PUBLISH, Contender
from bench.harness import Outcome
from bench.measure import Run


def _series(
    outcomes: Sequence[Outcome],
    axis: Callable[[Outcome], int],
    contender: Contender,
    value: Callable[[Run], float],
) -> tuple[list[int], list[float]]:
    points = sorted((axis(o), m) for o in outcomes if (m := o.median(contender.key, value)) is not None)
    return [x for x, _ in points], [y for _, y in points]


def draw(n_axis: Sequence[Outcome], d_axis: Sequence[Outcome], path: Path) -> None:
    matplotlib: Any = importlib.import_module("matplotlib")
    matplotlib.use("Agg")
    pyplot: Any = importlib.import_module("matplotlib.pyplot")
    fig, axes = pyplot.subplots(2, 2, figsize=(11, 8))
    panels = (
        (
            axes[0][0],
            n_axis,
            lambda o: o.scenario.n,
            lambda r: r.wall,
            "N functions (K=10%, D=1,000)",
            "wall time (s)",
        ),
        (
            axes[0][1],
            d_axis,
            lambda o: o.scenario.d,
            lambda r: r.wall,
            "D distributions (N=50, K=10%)",
            "wall time (s)",
        ),
        (
            axes[1][0],
            n_axis,
            lambda o: o.scenario.n,
            lambda r: r.peak_mb,
            "N functions (K=10%, D=1,000)",
            "peak memory (MB)",
        ),
        (
            axes[1][1],
            d_axis,
            lambda o: o.scenario.d,
            lambda r: r.peak_mb,
            "D distributions (N=50, K=10%)",
            "peak memory (MB)",
        ),
    )
    for ax, outcomes, axis, value, xlabel, ylabel in panels:
        for contender, style in ((PUBLISH, "o-"), (PLAN, "s--"), (BOTO3, "^-"), (CLI, "x:")):
            if contender is CLI and ylabel.startswith("wall"):
                continue  # tens to hundreds of seconds: it would flatten the rest; see the table
            xs, ys = _series(outcomes, axis, contender, value)
            if xs:
                ax.plot(xs, ys, style, label=contender.title)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_ylim(bottom=0)
        ax.grid(True, alpha=0.3)
    for ax in (axes[0][0], axes[1][0]):
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=8)
    fig.suptitle("Whole runs against the emulator at 40 ms per request (medians)")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)
    pyplot.close(fig)
