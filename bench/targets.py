"""The issue's targets, each checked against the outcomes: the figure, and met or not."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bench import floor
from bench.contenders import BOTO3, CLI, PLAN, PUBLISH, Contender
from bench.harness import Outcome
from bench.machine import Image
from bench.matrix import d_axis, n_axis
from bench.measure import Run

STARTUP_LIMIT = 0.5
MEMORY_LIMIT_MB = 150.0


@dataclass(frozen=True)
class Verdict:
    target: str
    figure: str
    met: bool | None  # None: not measured in this run


def wall(outcome: Outcome, contender: Contender) -> float | None:
    return outcome.median(contender.key, lambda r: r.wall)


def peers_wall(outcomes: Sequence[Outcome], outcome: Outcome) -> float | None:
    """The CLI loop's time for this N: measured here, or in the scenario of the N axis."""
    for other in (outcome, *outcomes):
        if other.scenario.n == outcome.scenario.n and other.runs.get(CLI.key):
            return wall(other, CLI)
    return None


def verdicts(outcomes: Sequence[Outcome], image: Image) -> list[Verdict]:
    timed = [o for o in outcomes if o.scenario.rate_limit is None]
    return [
        *_speed(outcomes),
        _calls(timed),
        _no_writes(timed, PLAN, lambda o: o.runs.get(PLAN.key, []), "plan makes no write calls"),
        _no_writes(timed, PUBLISH, lambda o: [o.rerun] if o.rerun else [], "a re-run makes only reads"),
        _time(timed),
        _startup(timed),
        _throttled([o for o in outcomes if o.scenario.rate_limit is not None]),
        _memory(timed),
        _growth(timed),
        _image(image),
    ]


def _find(outcomes: Sequence[Outcome], n: int, pct: int, d: int) -> Outcome | None:
    wanted = (n, pct, d, None)
    found = [
        o
        for o in outcomes
        if (o.scenario.n, o.scenario.changed_pct, o.scenario.d, o.scenario.rate_limit) == wanted
    ]
    return found[0] if found else None


def _speed(outcomes: Sequence[Outcome]) -> list[Verdict]:
    return [_faster(outcomes, (50, 10, 1000), CLI, 30.0), _faster(outcomes, (50, 10, 1000), BOTO3, 5.0)]


def _faster(
    outcomes: Sequence[Outcome], where: tuple[int, int, int], other: Contender, goal: float
) -> Verdict:
    """Publish against another contender in the scenario N, K %, D: how many times faster."""
    n, pct, d = where
    text = f"N={n}, K={pct}%, D={d:,}: ≥{goal:g}x faster than the {other.title}"
    target = _find(outcomes, n, pct, d)
    ours = wall(target, PUBLISH) if target else None
    theirs = None
    if target is not None:
        theirs = peers_wall(outcomes, target) if other is CLI else wall(target, other)
    if ours is None or theirs is None:
        return Verdict(text, "not run", None)
    return Verdict(text, f"{theirs:.2f} s ÷ {ours:.2f} s = {theirs / ours:.1f}x", theirs / ours >= goal)


SPEED_FIRST_CALL = 0.3
SPEED_FLOOR = 1.2


def speed_verdicts(outcomes: Sequence[Outcome], image: Image) -> list[Verdict]:
    """Issue 24's targets ("win back the speed"), side by side in the same run."""
    timed = [o for o in outcomes if o.scenario.rate_limit is None]
    return [
        _faster(outcomes, (10, 10, 10), BOTO3, 2.5),
        _faster(outcomes, (10, 10, 10), CLI, 30.0),
        _faster(outcomes, (50, 10, 1000), CLI, 50.0),
        _calls(timed),
        _time_with_service(timed),
        *_first_call(timed, image),
    ]


def _time_with_service(outcomes: Sequence[Outcome]) -> Verdict:
    worst, o, c = _worst(outcomes, Outcome.floor_time_with_service)
    return Verdict(
        f"time within {SPEED_FLOOR:g}x of the floor with the emulator's service time, every scenario",
        f"worst {worst:.2f}x ({_where(o, c)})",
        worst <= SPEED_FLOOR,
    )


def _first_call(outcomes: Sequence[Outcome], image: Image) -> list[Verdict]:
    """As the Action runs it (the image, by bench.startup's probe) and as this venv runs it (the
    matrix's start-up: spawn to the first request the emulator saw, N=10, D=10)."""
    text = f"start to the first API call under {SPEED_FIRST_CALL:g} s"
    small = _find(outcomes, 10, 10, 10)
    found = [
        Verdict(
            f"{text}: the Action's image, 10 functions",
            f"median {image.first_call:.3f} s"
            if image.first_call is not None
            else f"not measured: {image.why_not}",
            image.first_call < SPEED_FIRST_CALL if image.first_call is not None else None,
        )
    ]
    venv = f"{text}: the command line in this venv (N=10, K=10%, D=10)"
    if small is None or not small.runs.get(PUBLISH.key):
        return [*found, Verdict(venv, "not run", None)]
    return [*found, Verdict(venv, f"median {small.startup:.2f} s", small.startup < SPEED_FIRST_CALL)]


def _calls(outcomes: Sequence[Outcome]) -> Verdict:
    worst, where = 0.0, ""
    for o in outcomes:
        for c in (PUBLISH, PLAN):
            runs = o.runs.get(c.key, [])
            if runs:
                ratio = max(r.total for r in runs) / floor.calls(o.scenario, c.writes)
                if ratio > worst:
                    worst, where = ratio, f"{c.key}, {o.scenario.label}"
    return Verdict(
        "API calls within 1.1x of the lower bound, every scenario",
        f"worst {worst:.2f}x ({where})",
        worst <= 1.1,
    )


def _no_writes(
    outcomes: Sequence[Outcome], contender: Contender, runs: Callable[[Outcome], list[Run]], text: str
) -> Verdict:
    checked = [r for o in outcomes for r in runs(o)]
    writes = sum(r.writes for r in checked)
    return Verdict(
        text,
        f"{writes} write calls in {len(checked)} run{'' if len(checked) == 1 else 's'} of {contender.key}",
        writes == 0 if checked else None,
    )


def _worst(
    outcomes: Sequence[Outcome], floor_of: Callable[[Outcome, Contender], float]
) -> tuple[float, Outcome | None, Contender]:
    """The largest time ÷ floor of publish and plan where latency is at least 40 ms, and where."""
    worst: tuple[float, Outcome | None, Contender] = (0.0, None, PUBLISH)
    for o in outcomes:
        for c in (PUBLISH, PLAN):
            ours = wall(o, c)
            if o.scenario.latency >= 0.04 and ours is not None and ours / floor_of(o, c) > worst[0]:
                worst = (ours / floor_of(o, c), o, c)
    return worst


def _where(o: Outcome | None, c: Contender) -> str:
    return f"{c.key}, {o.scenario.label}" if o else ""


def _time(outcomes: Sequence[Outcome]) -> Verdict:
    worst, o, c = _worst(outcomes, Outcome.floor_time)
    service = (wall(o, c) or 0.0) / o.floor_time_with_service(c) if o else 0.0
    figure = f"worst {worst:.2f}x ({_where(o, c)}); {service:.2f}x the floor with the emulator's service time"
    return Verdict("whole-process time within 1.5x of the time floor (latency ≥ 40 ms)", figure, worst <= 1.5)


def _startup(outcomes: Sequence[Outcome]) -> Verdict:
    firsts = [(o.startup, o.scenario.label) for o in outcomes if o.runs.get(PUBLISH.key)]
    if not firsts:
        return Verdict("start-up under 0.5 s", "not run", None)
    slowest, where = max(firsts)
    return Verdict(
        f"start-up (process start to first API call) under {STARTUP_LIMIT:g} s",
        f"median {slowest:.2f} s in the slowest scenario ({where})",
        slowest < STARTUP_LIMIT,
    )


def _throttled(outcomes: Sequence[Outcome]) -> Verdict:
    text = "rate limit 10 req/s, N=100, K=100%: no failure, time ≤ 1.5x calls ÷ rate"
    if not outcomes:
        return Verdict(text, "not run", None)
    o = outcomes[0]
    r = o.runs[PUBLISH.key][0]
    rate = o.scenario.rate_limit or 1.0
    ideal = floor.calls(o.scenario, True) / rate
    figure = (
        f"{o.scenario.label}: exit {r.exit_code}, {r.wall:.1f} s ÷ ({floor.calls(o.scenario, True)} calls ÷ {rate:g}/s) "
        f"= {r.wall / ideal:.2f}x; {r.total} requests, {r.throttled} throttled"
    )
    return Verdict(
        text.replace("N=100", f"N={o.scenario.n}"), figure, r.exit_code == 0 and r.wall <= 1.5 * ideal
    )


def _memory(outcomes: Sequence[Outcome]) -> Verdict:
    big = _find(outcomes, 100, 10, 5000)
    peak = big.median(PUBLISH.key, lambda r: r.peak_mb) if big else None
    if peak is None:
        return Verdict("N=100, D=5,000: peak memory under 150 MB", "not run", None)
    return Verdict(
        f"N=100, D=5,000: peak memory under {MEMORY_LIMIT_MB:g} MB",
        f"{peak:.0f} MB (publish)",
        peak < MEMORY_LIMIT_MB,
    )


def _image(image: Image) -> Verdict:
    if image.size_mb is None or image.cold_start is None:
        return Verdict(
            "container image: size and cold start reported", f"not measured: {image.why_not}", None
        )
    base = f" (of which {image.base_mb:.0f} MB the base)" if image.base_mb else ""
    return Verdict(
        "container image: size and cold start reported",
        f"{image.size_mb:.0f} MB{base}; `--help` in {image.cold_start:.2f} s",
        True,
    )


def _fit(points: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """The least-squares line's slope, and the largest distance of a point from it as a share of the mean."""
    xs, ys = [x for x, _ in points], [y for _, y in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in points) / sxx if sxx else 0.0
    worst = max(abs(y - (my + slope * (x - mx))) for x, y in points)
    return slope, worst / my if my else 0.0


def _growth(outcomes: Sequence[Outcome]) -> Verdict:
    """Linear: every point within 10 % (of the mean) of the line through them all."""
    text = "time and memory grow linearly with N and D (publish; plot below)"
    axes: list[tuple[list[Outcome], str, int, Callable[[Outcome], int]]] = [
        (n_axis(outcomes), "function", 1, lambda o: o.scenario.n),
        (d_axis(outcomes), "1,000 distributions", 1000, lambda o: o.scenario.d),
    ]
    values: list[tuple[str, str, Callable[[Run], float | None]]] = [
        ("s", ".3f", lambda r: r.wall),
        ("MB", ".1f", lambda r: r.peak_mb),
    ]
    figures, worst = [], 0.0
    for axis, unit, scale, pick in axes:
        for what, fmt, value in values:
            points = [(float(pick(o)), m) for o in axis if (m := o.median(PUBLISH.key, value)) is not None]
            if len(points) < 3:
                return Verdict(text, "not run (fewer than three points on an axis)", None)
            slope, off = _fit(points)
            worst = max(worst, off)
            figures.append(f"{slope * scale:+{fmt}} {what} per {unit} (off the line by {off:.0%} at most)")
    return Verdict(text, "; ".join(figures), worst <= 0.10)
