"""The guard of a publish: judge(sums, limit) → Keep | RollBack | NotJudged, the moments the watch reads
the metrics, and what its verdicts do to the Result. No I/O: the shell fetches the sums (shell/cloudwatch.py)
and carries the verdicts out (shell/guard.py)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from publisher.core.result import FunctionResult, GuardReport, Result, Status, WatchReport


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


def guarded(result: Result, report: GuardReport, rollbacks: dict[str, FunctionResult]) -> Result:
    """The publish's result with the watch's report and, for each function rolled back, what happened.
    The guard puts code back, not keys: a rolled-back function that reads a store this run wrote meets
    the new keys with its old code, and the result says so, with the way to put the keys back too."""
    functions = [_merge(f, rollbacks[f.name]) if f.name in rollbacks else f for f in result.functions]
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
    return result.model_copy(update={"functions": functions, "guard": report, "warnings": warnings})


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
