"""Carry out a plan as written, each write guarded by the ETag its decision rests on.

The plan's reads are two calls per function that are not one snapshot, so before a function's first
write its DEVELOPMENT is described again: the write goes ahead only on the ETag and config the plan
saw. When they moved, or AWS answers 412 or 409, the function is read again, consistently, and the
planner's `recheck` (core/plan.py) decides: go on from the fresh ETag, or stop on someone else's
change. LIVE can only come to hold what DEVELOPMENT holds, so when DEVELOPMENT held LIVE's own code
(or nothing), LIVE is described beside that first read: someone's publish after it could put no other
code on LIVE without moving DEVELOPMENT, which this run's If-Match guards. When DEVELOPMENT held code
LIVE does not (staged, unpublished), someone may publish it at any moment, so LIVE is read right
before the publish. Either copy is what the backup holds.

A changed function's chain is then three round trips: DescribeFunction of both stages together,
UpdateFunction, and PublishFunction on the ETag UpdateFunction answered (bench/floor.py).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from publisher.core.distribution_config import SlotChange
from publisher.core.errors import AlreadyExists, AwsError, PreconditionFailed, PublisherError
from publisher.core.model import DistributionConfig, Stage, StageState
from publisher.core.modes import Action, Kind
from publisher.core.outcome import Halt, Outcome, Stop, gate_failure
from publisher.core.plan import FunctionPlan, Recheck, recheck
from publisher.core.port import CloudFront
from publisher.core.result import TestReport
from publisher.core.tags import TagChange, created_with
from publisher.shell.function_rows import ROWS, WRITES
from publisher.shell.observe import read_function, read_stage

ATTEMPTS = 3  # writes retried after a 412 that re-reading showed to be harmless


class RunTests(Protocol):
    def __call__(self, fp: FunctionPlan, etag: str, name: str | None = None) -> list[TestReport]: ...


class Backups(Protocol):
    def save(self, function: str, live: StageState, kind: Kind = Kind.FUNCTION) -> str: ...

    def save_retired(self, function: str, live: StageState, kind: Kind = Kind.FUNCTION) -> str: ...

    def save_associations(self, read: DistributionConfig, changes: tuple[SlotChange, ...]) -> str: ...

    def save_tags(self, kind: Kind, name: str, arn: str, change: TagChange) -> str: ...

    def discard(self, path: str) -> None: ...

    def file(self, shown: str) -> Path: ...

    def for_rollback(self) -> Backups: ...


class Halted(Exception):
    def __init__(self, stop: Stop) -> None:
        super().__init__(stop.message)
        self.stop = stop


@dataclass
class _Trace:
    """What took effect so far for one function; frozen into an Outcome when the function is done."""

    development_etag: str | None
    address: str  # what the function's operations name it by (a connection function's Id once known)
    done: list[Action] = field(default_factory=list)
    reconciled: list[Action] = field(default_factory=list)
    backup: str = ""
    live_moved: str = ""
    tests: list[TestReport] = field(default_factory=list)

    def took(self, action: Action, *, reconciled: bool = False) -> None:
        self.done.append(action)
        if reconciled:
            self.reconciled.append(action)

    def outcome(self, stop: Stop | None) -> Outcome:
        return Outcome(
            tuple(self.done),
            tuple(self.reconciled),
            self.development_etag,
            self.backup,
            self.live_moved,
            tuple(self.tests),
            stop,
        )


@dataclass
class Applier:
    cloudfront: CloudFront
    backups: Backups
    run_tests: RunTests | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    reads: Executor | None = None  # where LIVE is read beside DEVELOPMENT; None: one after the other

    def apply(self, fp: FunctionPlan) -> Outcome:
        """One function's writes; its failure is data in the Outcome, never an exception."""
        dev = fp.state.development
        trace = _Trace(dev.etag if dev else None, fp.address)
        try:
            self._carry(fp, trace)
        except Halted as halted:
            return trace.outcome(halted.stop)
        except AwsError as err:
            unanswered = err.operation if err.unanswered and err.operation in WRITES else ""
            return trace.outcome(Stop(Halt.FAILED, str(err), unanswered))
        except PublisherError as err:  # e.g. the endpoint stopped speaking CloudFront's API
            return trace.outcome(Stop(Halt.FAILED, str(err)))
        except OSError as err:  # the backup could not be written: nothing is published without one
            return trace.outcome(Stop(Halt.FAILED, f"the LIVE backup could not be written: {err}"))
        return trace.outcome(None)

    def _carry(self, fp: FunctionPlan, trace: _Trace) -> None:
        etag = trace.development_etag
        live = self._read_live(fp) if Action.PUBLISH in fp.carried else None
        if Action.CREATE in fp.carried:
            etag = self._create(fp, trace)
        elif Action.UPDATE in fp.carried:
            etag = self._update(fp, trace)
        trace.development_etag = etag
        if live is not None:
            written = Action.CREATE in fp.carried or Action.UPDATE in fp.carried
            self._publish(fp, etag, trace, live, answered=written)
        elif etag:
            self._gate(fp, etag, trace)

    def _read_live(self, fp: FunctionPlan) -> Callable[[], StageState | None]:
        """LIVE as the publish will replace it: read now, beside DEVELOPMENT, when nothing staged could
        be published meanwhile; otherwise when asked, right before the publish."""
        dev, live = fp.state.development, fp.state.live
        if self.reads is None or (dev is not None and (live is None or dev.content != live.content)):
            return lambda: self._live_now(fp)
        return self.reads.submit(self._live_now, fp).result

    def _create(self, fp: FunctionPlan, trace: _Trace) -> str:
        assert fp.target is not None
        self._check_stop(Action.CREATE)
        try:
            created = self.cloudfront.create_function(
                fp.name, fp.target.code, fp.target.config, kind=fp.kind, tags=created_with(fp.spec.tags)
            )
        except AlreadyExists:  # a retry after a lost answer meets the function its first attempt made
            again = self._recheck(fp, None, trace, synced=True)
            trace.took(Action.CREATE, reconciled=True)
            return again.etag
        trace.address = created.id or fp.name
        trace.took(Action.CREATE)
        return created.etag

    def _update(self, fp: FunctionPlan, trace: _Trace) -> str:
        assert fp.target is not None
        write = fp.write(Action.UPDATE)
        if_match = write.if_match if write else None
        checked = self._as_planned(fp, if_match, trace, synced=False)
        if checked.synced:  # DEVELOPMENT already holds the target: nothing to update
            return checked.etag
        if_match = checked.etag
        for _ in range(ATTEMPTS):
            self._check_stop(Action.UPDATE)
            try:
                etag = self.cloudfront.update_function(
                    trace.address, fp.target.code, fp.target.config, if_match, kind=fp.kind
                )
            except PreconditionFailed:
                again = self._recheck(fp, if_match, trace, synced=False)
                if again.synced:  # our update went through; its answer was lost
                    trace.took(Action.UPDATE, reconciled=True)
                    return again.etag
                if_match = again.etag
                continue
            trace.took(Action.UPDATE)
            return etag or self._as_planned(fp, None, trace, synced=True).etag
        raise AwsError(
            ROWS[fp.kind].update, "PreconditionFailed", f"still 412 after {ATTEMPTS} attempts", 412
        )

    def _publish(
        self,
        fp: FunctionPlan,
        etag: str | None,
        trace: _Trace,
        read: Callable[[], StageState | None],
        *,
        answered: bool,
    ) -> None:
        """`answered`: `etag` is what this run's own create or update answered (or a read right after
        it), so DEVELOPMENT is known to hold the target there; else it is described once more first."""
        assert fp.target is not None
        if not answered or not etag:
            etag = self._as_planned(fp, etag, trace, synced=True).etag
        self._gate(fp, etag, trace)
        self._check_stop(Action.PUBLISH)
        live = read()  # what the publish will replace
        if fp.target.held_by(live):
            return  # someone published this very code meanwhile: nothing left to do
        self._back_up(fp, live, trace)
        for _ in range(ATTEMPTS):
            try:
                self.cloudfront.publish_function(trace.address, etag, kind=fp.kind)
            except PreconditionFailed:
                fresh = read_function(self.cloudfront, fp.name, fp.kind, trace.address)
                again = recheck(fp, fresh, since=etag, synced=True)
                if again.conflict:
                    self._forget_backup(trace)
                    raise Halted(Stop(Halt.CONFLICT, f"{again.conflict}; not published")) from None
                if again.published:  # our publish went through; its answer was lost
                    trace.took(Action.PUBLISH, reconciled=True)
                    return
                if fresh.live is not None and fresh.live.etag != (live.etag if live else None):
                    live = fresh.live  # someone published meanwhile: that copy is the one replaced
                    self._forget_backup(trace)
                    self._back_up(fp, live, trace)
                etag = again.etag
                continue
            except AwsError as err:
                if not err.unanswered:  # refused: LIVE was not replaced, so there is no backup to report
                    self._forget_backup(trace)
                raise
            trace.took(Action.PUBLISH)
            return
        raise AwsError(
            ROWS[fp.kind].publish, "PreconditionFailed", f"still 412 after {ATTEMPTS} attempts", 412
        )

    def _as_planned(self, fp: FunctionPlan, etag: str | None, trace: _Trace, *, synced: bool) -> Recheck:
        """DescribeFunction: on the expected ETag with the expected config, the plan stands as written;
        otherwise the function is read again, whole, and the planner decides."""
        assert fp.target is not None
        dev = fp.state.development
        expected = fp.target.config if synced or dev is None else dev.config
        described = (
            self.cloudfront.describe_function(trace.address, Stage.DEVELOPMENT, kind=fp.kind)
            if trace.address
            else None
        )
        if etag and described is not None and described.etag == etag and described.config == expected:
            return Recheck(etag=etag, synced=synced or fp.target.held_by(dev))
        return self._recheck(fp, etag, trace, synced=synced)

    def _live_now(self, fp: FunctionPlan) -> StageState | None:
        """LIVE right before the publish: DescribeFunction alone when it still has the ETag and config
        the plan saw (the same ETag is the same code); else GetFunction too, under one ETag."""
        seen = fp.state.live
        if not fp.address:  # a connection function not created before this run has no LIVE
            return None
        described = self.cloudfront.describe_function(fp.address, Stage.LIVE, kind=fp.kind)
        if described is None:
            return None
        if seen is not None and (described.etag, described.config) == (seen.etag, seen.config):
            return seen
        return read_stage(self.cloudfront, fp.address, Stage.LIVE, fp.kind)

    def _recheck(self, fp: FunctionPlan, since: str | None, trace: _Trace, *, synced: bool) -> Recheck:
        fresh = read_function(self.cloudfront, fp.name, fp.kind, trace.address)
        trace.address = fresh.id or trace.address
        again = recheck(fp, fresh, since=since, synced=synced)
        if again.conflict:
            what = "not published" if synced else "not updated, not published"
            raise Halted(Stop(Halt.CONFLICT, f"{again.conflict}; {what}"))
        return again

    def _gate(self, fp: FunctionPlan, etag: str, trace: _Trace) -> None:
        if self.run_tests is None or not fp.spec.tests:
            return
        trace.tests = self.run_tests(fp, etag, trace.address)
        failed = gate_failure(tuple(trace.tests))
        if failed:
            raise Halted(Stop(Halt.BLOCKED, failed))

    def _back_up(self, fp: FunctionPlan, live: StageState | None, trace: _Trace) -> None:
        """Save the LIVE copy about to be replaced, before it is: the service keeps no other."""
        if live is None:
            return
        trace.backup = self.backups.save(fp.name, live, fp.kind)
        seen = fp.state.live
        trace.live_moved = live.etag if seen is None or seen.content != live.content else ""

    def _forget_backup(self, trace: _Trace) -> None:
        if trace.backup:
            self.backups.discard(trace.backup)
            trace.backup, trace.live_moved = "", ""

    def _check_stop(self, action: Action) -> None:
        if self.stop.is_set():
            raise Halted(Stop(Halt.CANCELLED, f"the run was cancelled before {action.value}"))
