"""Result → console lines for distributions whose function associations a run writes: one line per
distribution, then one per attach or detach."""

from __future__ import annotations

from publisher.core.result import DistributionResult, Result, Status
from publisher.core.store_report import SYMBOL

ACTION_SYMBOL = {"attach": "+", "detach": "-"}


def association_lines(result: Result) -> list[str]:
    return [line for a in result.associations for line in _distribution(a)]


def _distribution(a: DistributionResult) -> list[str]:
    planned = a.status is Status.PLANNED
    what = ", ".join(a.actions) if planned else a.status.value
    lines = [f"{SYMBOL.get(a.status, '?')} {what:<16} distribution {a.name}  {a.reason}"]
    if a.error:
        lines.append(f"    error: {a.error}")
    lines += [
        f"    {ACTION_SYMBOL.get(c.action, '?')} {c.action} {c.function}: {c.behaviour} ({c.event})"
        for c in a.changes
    ]
    if a.next_step:
        lines.append(f"    next: {a.next_step}")
    return lines
