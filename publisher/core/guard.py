"""The guard of a publish: judge(sums, limit) → Keep | RollBack | NotJudged, the moments the watch reads
the metrics, and what its verdicts do to the Result. No I/O: the shell fetches the sums (shell/cloudwatch.py)
and carries the verdicts out (shell/guard.py)."""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from publisher.core.modes import Action, Kind
from publisher.core.result import DistributionResult, FunctionResult, GuardReport, Result, Status, WatchReport


class Verdict(StrEnum):
    KEEP = "keep"
    ROLL_BACK = "roll back"
    NOT_JUDGED = "not judged"  # no invocations in the window: no traffic, or not associated


@dataclass(frozen=True)
class Sums:
    """The raw Sum of each metric of one function over the window."""

    invocations: float = 0
    execution_errors: float = 0
    validation_errors: float = 0
    throttles: float = 0

    @property
    def errors(self) -> float:
        return self.execution_errors + self.validation_errors + self.throttles


def error_rate(sums: Sums) -> float | None:
    """Errors per invocation, in percent; None without invocations."""
    if sums.invocations <= 0:
        return None
    return 100 * sums.errors / sums.invocations


def judge(sums: Sums, max_error_rate: float) -> Verdict:
    rate = error_rate(sums)
    if rate is None:
        return Verdict.NOT_JUDGED
    return Verdict.ROLL_BACK if rate > max_error_rate else Verdict.KEEP


def window(deployed: datetime, minutes: float) -> tuple[datetime, datetime]:
    """The minutes the guard judges: from the first whole minute after the distributions reported the
    new code deployed (CloudFront's metrics are per minute, and the minute of the deploy mixes the old
    code's requests with the new's), for `minutes`."""
    at = deployed.astimezone(UTC)
    floor = at.replace(second=0, microsecond=0)
    start = floor if floor == at else floor + timedelta(minutes=1)
    return start, start + timedelta(minutes=minutes)


def poll_offsets(window: float, minute: float = 60.0) -> list[float]:
    """When to read, in seconds after the watch begins: every minute, and once more at the end of the
    window; a window under a minute is read once, at its end."""
    if window <= 0:
        return []
    steps = math.ceil(window / minute) - 1  # whole minutes strictly before the end
    return [minute * i for i in range(1, steps + 1) if minute * i < window] + [window]


def watch_report(name: str, sums: Sums | None, verdict: Verdict, note: str = "") -> WatchReport:
    sums = sums or Sums()
    rate = error_rate(sums)
    return WatchReport(
        function=name,
        invocations=int(sums.invocations),
        errors=int(sums.errors),
        error_rate=None if rate is None else round(rate, 3),
        verdict=verdict.value,
        note=note,
    )


def watched(result: Result) -> list[str]:
    """The viewer functions the guard judges: each this run published, and each it attached to a cache
    behaviour, new code or not (a function serving a behaviour it did not serve is new there)."""
    published = [f.name for f in result.functions if f.published and f.kind is Kind.FUNCTION]
    attached = [
        c.function
        for c in result.associations_changed
        if c.action == Action.ATTACH.value and c.kind is Kind.FUNCTION
    ]
    return list(dict.fromkeys([*published, *attached]))


def guarded(
    result: Result,
    report: GuardReport,
    rollbacks: dict[str, FunctionResult],
    restored: Mapping[str, DistributionResult | None] | None = None,
    breached: Collection[str] = (),
) -> Result:
    """The publish's result with the watch's report and, for each function rolled back, what happened:
    its code (`rollbacks`, for those this run published), and the distributions where the guard took
    the failing functions (`breached`) off the behaviours this run attached them to (`restored`, by
    Id: None when the slots held what they held before already).
    The guard puts code back, not keys: a rolled-back function that reads a store this run wrote meets
    the new keys with its old code, and the result says so, with the way to put the keys back too."""
    restored = restored or {}
    associations = [_undone(a, restored[a.name]) if a.name in restored else a for a in result.associations]
    functions = [
        _merge(f, rollbacks[f.name])
        if f.name in rollbacks
        else _detached(f, associations)
        if f.name in breached
        else f
        for f in result.functions
    ]
    warnings = list(result.warnings)
    for f in functions:
        written = [s.name for s in result.stores if f.name in s.functions and s.done]
        if f.status is Status.ROLLED_BACK and written:
            stores = ", ".join(f"`{n}`" for n in written)
            warnings.append(
                f"{f.name} was rolled back, but the keys this run wrote to KeyValueStore {stores} stay: "
                f"its old code now reads them. `rollback --from {result.backup_dir or '<backup-dir>'}` "
                "puts the keys back too."
            )
    update = {"functions": functions, "guard": report, "warnings": warnings, "associations": associations}
    return result.model_copy(update=update)


def _undone(written: DistributionResult, restore: DistributionResult | None) -> DistributionResult:
    """A distribution the guard set back: ROLLED_BACK once its slots hold what they held before this
    run, else what stopped the restore (someone else's change to the slot: a conflict, kept)."""
    status = restore.status if restore else Status.UNCHANGED
    done = status in (Status.UPDATED, Status.UNCHANGED)
    what = "the guard set back what this run attached" if done else "the guard could not set it back"
    return written.model_copy(
        update={
            "status": Status.ROLLED_BACK if done else status,
            "reason": f"{written.reason}; {what}" + (f": {restore.reason}" if restore else ""),
            "error": restore.error if restore and restore.error else written.error,
            "next_step": (restore.next_step if restore and not done else "")
            or "Fix the function that failed at the edge; its behaviours here run what they ran before.",
            "done": [*written.done, *(f"rollback {a}" for a in (restore.done if restore else []))],
            "conflicts": [*written.conflicts, *(restore.conflicts if restore else [])],
        }
    )


def _detached(attached: FunctionResult, associations: list[DistributionResult]) -> FunctionResult:
    """A function this run attached but did not publish, failed at the edge: ROLLED_BACK once every
    distribution it was attached to by this run is set back, else that distribution's status."""
    mine = [
        a
        for a in associations
        if any(
            c.function == attached.name and c.action == Action.ATTACH.value and c.kind is Kind.FUNCTION
            for c in a.changes
        )
    ]
    stopped = next((a for a in mine if a.status is not Status.ROLLED_BACK), None)
    where = ", ".join(a.name for a in mine)
    return attached.model_copy(
        update={
            "status": stopped.status if stopped else Status.ROLLED_BACK,
            "reason": f"{attached.reason}; failed at the edge: "
            + (f"not detached from {stopped.name}" if stopped else f"detached from {where} again"),
            "error": stopped.error if stopped else attached.error,
            "next_step": "Fix the function before attaching it again: it failed at the edge.",
        }
    )


def _merge(published: FunctionResult, rollback: FunctionResult) -> FunctionResult:
    """A function the guard rolled back: ROLLED_BACK once LIVE holds the backup again, otherwise what
    stopped the rollback (a conflict, a failure), with the rollback's own error and next step."""
    done = rollback.status in (Status.PUBLISHED, Status.UNCHANGED)
    status = Status.ROLLED_BACK if done else rollback.status
    what = f"rolled back to {rollback.restored_from}" if done else "the rollback did not finish"
    return published.model_copy(
        update={
            "status": status,
            "reason": f"{published.reason}; {what}",
            "error": rollback.error or published.error,
            "next_step": rollback.next_step
            or "Fix the function: it failed at the edge, and LIVE serves the code it replaced again.",
            "done": [*published.done, *(f"rollback {a}" for a in rollback.done)],
            "live_etag": [published.live_etag[0], None],
            "restored_from": rollback.restored_from,
            "rollback_backup": rollback.backup,
        }
    )
