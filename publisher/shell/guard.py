"""The guard of a publish: watch each function it published or attached at the edge for `watch-minutes`,
and roll back at once each one whose error rate passes the limit: to the LIVE this run replaced, and
off the cache behaviours this run attached it to (shell/guard_detach.py).

Only what the new code served is judged: the window opens at the first whole minute after the
distributions reported the new version deployed, so the old code's errors are never the new code's,
and the old code's healthy traffic never hides the new code's failures. The verdict is the core's
(core/guard.py); here are the clock, the metrics and the rollback. A signal ends the watch at once:
no rollback starts, and the one under way stops before its next write.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from publisher.core.errors import AwsError
from publisher.core.guard import Sums, Verdict, guarded, judge, poll_offsets, watch_report, watched, window
from publisher.core.manifest import Manifest
from publisher.core.model import Content, FunctionState, Observed
from publisher.core.modes import Kind, Mode
from publisher.core.outcome import Halt, Outcome, Stop, function_result
from publisher.core.plan import make_plan
from publisher.core.port import CloudFront
from publisher.core.result import DistributionResult, FunctionResult, GuardReport, Result, Status, WatchReport
from publisher.core.rollback import Backup, spec
from publisher.shell.apply import Applier, Backups
from publisher.shell.backups import read_backup
from publisher.shell.guard_detach import detach_failing
from publisher.shell.observe import read_function

MINUTE = 60.0  # seconds between two reads of the metrics; the tests shorten it
NO_TRAFFIC = "no invocations in the window (no traffic, or in no distribution): kept, not judged"


class Metrics(Protocol):
    def sums(self, function: str, start: datetime, end: datetime) -> Sums: ...


@dataclass
class Guard:
    metrics: Metrics
    cloudfront: CloudFront
    backups: Backups
    stop: threading.Event
    say: Callable[[str], None] = lambda line: None
    clock: Callable[[], float] = time.monotonic
    now: Callable[[], datetime] = lambda: datetime.now(UTC)

    def run(
        self, result: Result, minutes: float, limit: float, deployed: datetime, published: dict[str, Content]
    ) -> Result:
        """Watch the published functions for `minutes` from the first whole minute after `deployed` (when
        the distributions reported the new code deployed); `published` is what this run put in
        DEVELOPMENT and LIVE, which a rollback may replace."""
        by_name = {f.name: f for f in result.functions if f.kind is Kind.FUNCTION}
        names = {n: by_name[n] for n in watched(result) if n in by_name}
        start, end = window(deployed, minutes)
        self.say(
            f"watching {len(names)} functions at the edge from {start:%H:%M} to {end:%H:%M} UTC "
            f"(limit {limit:g}% errors)"
        )
        seen: dict[str, WatchReport] = {}
        rollbacks: dict[str, FunctionResult] = {}
        failing: set[str] = set()  # every function that passed the limit, rolled back or not
        restored: dict[str, DistributionResult | None] = {}
        cancelled, error, began = False, "", self.clock()
        opens_in = max(0.0, (start - self.now()).total_seconds())
        for offset in poll_offsets(opens_in + minutes * 60, MINUTE):
            if self.stop.wait(max(0.0, offset - (self.clock() - began))):
                cancelled = True
                break
            try:
                pending = [n for n in names if n not in failing]
                now_failing = self._poll(
                    pending,
                    (start, end),
                    limit,
                    seen=seen,
                    rollbacks=rollbacks,
                    results=names,
                    targets=published,
                )
                failing |= now_failing
                if now_failing:  # one write per distribution, for every function failing in this poll
                    restored |= detach_failing(result, now_failing, self.cloudfront, self.backups, self.stop)
            except AwsError as err:
                error = f"the metrics could not be read, so nothing was judged: {err}"
                break
        cancelled = cancelled or self.stop.is_set()
        left = "the watch was cancelled before the metrics were read" if cancelled else (error or NO_TRAFFIC)
        reports = [seen.get(n) or watch_report(n, None, Verdict.NOT_JUDGED, left) for n in names]
        report = GuardReport(
            watch_minutes=minutes,
            max_error_rate=limit,
            functions=reports,
            cancelled=cancelled,
            error=error,
            window_start=start,
            window_end=end,
        )
        return guarded(result, report, rollbacks, restored, failing - set(rollbacks))

    def left_behind(
        self, result: Result, minutes: float, limit: float, deployed: datetime, published: dict[str, Content]
    ) -> Result:
        """What the report says when a signal came and the watch did not end within the grace."""
        start, end = window(deployed, minutes)
        note = "the watch was cancelled while a call to AWS was in flight"
        names = watched(result)
        report = GuardReport(
            watch_minutes=minutes,
            max_error_rate=limit,
            functions=[watch_report(n, None, Verdict.NOT_JUDGED, note) for n in names],
            cancelled=True,
            window_start=start,
            window_end=end,
        )
        return result.model_copy(update={"guard": report})

    def _poll(
        self,
        names: list[str],
        span: tuple[datetime, datetime],
        limit: float,
        *,
        seen: dict[str, WatchReport],
        rollbacks: dict[str, FunctionResult],
        results: dict[str, FunctionResult],
        targets: dict[str, Content],
    ) -> set[str]:
        """Judge each function; roll back the code of each failing one this run published. Returns the
        failing ones, whose attachments the caller takes off."""
        start = span[0]
        end = min(self.now() + timedelta(minutes=1), span[1])  # the current minute's period, whole
        failing: set[str] = set()
        if end <= start:
            return failing  # the window has not opened yet: the next poll reads it
        for name in names:
            sums = self.metrics.sums(name, start, end)
            verdict = judge(sums, limit)
            note = NO_TRAFFIC if verdict is Verdict.NOT_JUDGED else ""
            if verdict is Verdict.ROLL_BACK:
                if self.stop.is_set():  # a rollback under way finishes; after a cancel none starts
                    note = "not rolled back: the run was cancelled first"
                else:
                    self.say(f"{name}: error rate over {limit:g}%: rolling back")
                    failing.add(name)
                    if results[name].published:
                        target = targets.get(name)
                        rollbacks[name] = roll_back(
                            results[name], self.cloudfront, self.backups, target, self.stop
                        )
            seen[name] = watch_report(name, sums, verdict, note)
        return failing


def roll_back(
    published: FunctionResult,
    cloudfront: CloudFront,
    backups: Backups,
    target: Content | None,
    cancel: threading.Event | None = None,
) -> FunctionResult:
    """Return one function to the LIVE this run replaced, read from this run's backup, with the rules of
    `rollback`: ETag-guarded, someone else's DEVELOPMENT not clobbered, the replaced LIVE saved. Both
    stages must still hold what this run published: a change since then is someone else's."""
    if not published.backup:
        return _refused(
            published.name, "it had no LIVE before this run (never published): nothing to return to"
        )
    path = backups.file(published.backup)
    found = read_backup(path.with_name(path.name.removesuffix(".js") + ".json"), published.backup, "")
    if not isinstance(found, Backup):
        return _refused(published.name, f"its backup could not be read: {found.message}")
    manifest = Manifest(published.backup, (spec(found),))
    try:
        observed = Observed({found.function: read_function(cloudfront, found.function)})
    except AwsError as err:
        (fp,) = make_plan(manifest, Observed({}), Mode.ROLLBACK).functions
        return function_result(fp, Mode.ROLLBACK, Outcome(stop=Stop(Halt.FAILED, str(err))), [])
    (fp,) = make_plan(manifest, observed, Mode.ROLLBACK).functions
    moved = _moved(observed.functions[found.function], target)
    if moved:
        stop = Stop(Halt.CONFLICT, f"{moved} after this run published it; not rolled back")
        return function_result(fp, Mode.ROLLBACK, Outcome(stop=stop), [])
    applier = Applier(cloudfront, backups.for_rollback(), stop=cancel or threading.Event())
    outcome = Outcome() if fp.error else applier.apply(fp)
    return function_result(fp, Mode.ROLLBACK, outcome, [])


def _moved(fresh: FunctionState, target: Content | None) -> str:
    for stage, state in (("DEVELOPMENT", fresh.development), ("LIVE", fresh.live)):
        if target is not None and not target.held_by(state):
            return f"{stage} changed (ETag now {state.etag if state else 'none'})"
    return ""


def _refused(name: str, why: str) -> FunctionResult:
    return FunctionResult(
        name=name,
        status=Status.FAILED,
        actions=[],
        error=f"not rolled back: {why}",
        next_step="Publish a fixed version: LIVE still serves the code that failed at the edge.",
    )
