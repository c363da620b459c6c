"""Result → console lines for distributions whose function associations a run writes: one line per
distribution, then one per attach or detach."""

from __future__ import annotations

from publisher.core.modes import Kind
from publisher.core.result import AssociationChange, DistributionResult, Result, Status
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
    lines += [f"    {ACTION_SYMBOL.get(c.action, '?')} {c.action} {_change(c)}" for c in a.changes]
    if a.next_step:
        lines.append(f"    next: {a.next_step}")
    return lines


def _change(c: AssociationChange) -> str:
    if c.kind is Kind.CONNECTION_FUNCTION:
        return f"{c.kind.noun} {c.function}: the distribution's viewer mTLS connections"
    return f"{c.function}: {c.behaviour} ({c.event})"


def association_totals(result: Result) -> str:
    """The totals line's part for associations: `; associations: 2 to attach, 1 to detach` planning,
    `; associations: 2 attached, 1 detached, E1 conflict` once written."""
    if not result.associations:
        return ""
    planning = result.mode is None or result.mode.planning
    parts = []
    for action, done in (("attach", "attached"), ("detach", "detached")):
        n = sum(c.action == action for c in result.associations_changed)
        if n:
            parts.append(f"{n} to {action}" if planning else f"{n} {done}")
    parts += [f"{a.name} {a.status.value}" for a in result.associations if a.failed]
    return "; associations: " + (", ".join(parts) or "none written")
