"""Carry out a plan, each write guarded by the ETag its decision rests on.

On a 412 the function is read again and the decision taken again: if DEVELOPMENT still holds what this
run put or found there, go on with the fresh ETag (a lost response, or a touch that changed nothing);
otherwise someone else changed it and nothing of theirs is overwritten or published.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from publisher.core.errors import AlreadyExists, AwsError, PreconditionFailed
from publisher.core.model import FunctionState, Stage, StageState
from publisher.core.outcome import Outcome
from publisher.core.plan import Action, FunctionPlan, Mode, Target
from publisher.core.result import TestReport
from publisher.shell.aws import CloudFront
from publisher.shell.observe import observe_function

ATTEMPTS = 3  # writes retried after a 412 that re-reading showed to be harmless


class Tester(Protocol):
    def __call__(self, fp: FunctionPlan, etag: str, name: str | None = None) -> list[TestReport]: ...


Backup = Callable[[str, StageState], str]


class Conflict(Exception):
    pass


class Blocked(Exception):
    pass


class Cancelled(Exception):
    pass


@dataclass
class Applier:
    cloudfront: CloudFront
    mode: Mode
    backup: Backup
    test: Tester | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    # LIVE as last read after a 412, by function: someone may have published since the run began
    _live: dict[str, StageState | None] = field(default_factory=dict, init=False, repr=False)

    def apply(self, fp: FunctionPlan, outcome: Outcome) -> None:
        """Raises Conflict, Blocked, Cancelled or AwsError; outcome says what took effect before."""
        assert fp.target is not None, "a plan with an error is never applied"
        etag = self._sync(fp, fp.target, outcome)
        outcome.development_etag = etag
        if self.mode is not Mode.PUBLISH or fp.write(Action.PUBLISH) is None:
            if self.test and fp.spec.tests and etag:
                self._gate(fp, etag, outcome)
            return
        self._publish(fp, fp.target, etag, outcome)

    def _sync(self, fp: FunctionPlan, target: Target, outcome: Outcome) -> str | None:
        write = fp.write(Action.CREATE) or fp.write(Action.UPDATE)
        dev = fp.state.development
        if write is None:
            return dev.etag if dev else None
        self._check_stop(write.action)
        if write.action is Action.CREATE:
            return self._create(fp.name, target, outcome)
        if_match = write.if_match or ""
        for _ in range(ATTEMPTS):
            try:
                etag = self.cloudfront.update_function(fp.name, target.code, target.config, if_match)
                outcome.done.append("update")
                return etag
            except PreconditionFailed:
                state = self._reread(fp.name)
                if target.held_by(state.development):  # our update went through; its answer was lost
                    outcome.done.append("update")
                    outcome.reconciled.append("update")
                    return _etag(state.development)
                if not (state.development and state.development.same_content(dev)):
                    raise Conflict(_changed(if_match, state, "not updated, not published")) from None
                if_match = _etag(state.development)
        raise AwsError("UpdateFunction", "PreconditionFailed", f"still 412 after {ATTEMPTS} attempts", 412)

    def _create(self, name: str, target: Target, outcome: Outcome) -> str:
        try:
            etag = self.cloudfront.create_function(name, target.code, target.config)
        except AlreadyExists:  # a retry after a lost answer meets the function its first attempt made
            state = self._reread(name)
            if not target.held_by(state.development):
                new = state.development.etag if state.development else "deleted"
                raise Conflict(
                    f"someone else created it after it was read (ETag {new}); not published"
                ) from None
            outcome.reconciled.append("create")
            etag = _etag(state.development)
        outcome.done.append("create")
        return etag

    def _publish(self, fp: FunctionPlan, target: Target, etag: str | None, outcome: Outcome) -> None:
        etag = self._confirm(fp.name, target, etag)
        if self.test and fp.spec.tests:
            self._gate(fp, etag, outcome)
        live = self._save(fp.name, self._live.get(fp.name, fp.state.live), None, outcome)
        self._check_stop(Action.PUBLISH)
        for _ in range(ATTEMPTS):
            try:
                self.cloudfront.publish_function(fp.name, etag)
                outcome.done.append("publish")
                return
            except PreconditionFailed:
                state = self._reread(fp.name)
                if not target.held_by(state.development):
                    raise Conflict(_changed(etag, state, "not published")) from None
                if target.held_by(state.live):  # our publish went through; its answer was lost
                    outcome.done.append("publish")
                    outcome.reconciled.append("publish")
                    return
                live = self._save(fp.name, state.live, live, outcome)  # published by someone meanwhile
                etag = _etag(state.development)
        raise AwsError("PublishFunction", "PreconditionFailed", f"still 412 after {ATTEMPTS} attempts", 412)

    def _confirm(self, name: str, target: Target, expected: str | None) -> str:
        """A fresh DEVELOPMENT ETag right before publishing: an older one may be refused after a publish."""
        fresh = self.cloudfront.describe_function(name, Stage.DEVELOPMENT)
        if fresh is not None and expected is not None and fresh.etag == expected:
            return fresh.etag
        state = self._reread(name)  # the ETag moved (or was never known): check what it holds now
        if not target.held_by(state.development):
            raise Conflict(_changed(expected or "?", state, "not published"))
        return _etag(state.development)

    def _gate(self, fp: FunctionPlan, etag: str, outcome: Outcome) -> None:
        assert self.test is not None
        outcome.tests = self.test(fp, etag)
        failed = [t.name for t in outcome.tests if not t.passed]
        if failed:
            raise Blocked(f"{len(failed)} of {len(outcome.tests)} tests failed ({', '.join(failed)})")

    def _save(
        self, name: str, live: StageState | None, saved: StageState | None, outcome: Outcome
    ) -> StageState | None:
        """Back up the LIVE copy a publish is about to replace, unless it is the one saved already."""
        if live is not None and (saved is None or live.etag != saved.etag):
            outcome.backup = self.backup(name, live)  # before LIVE is overwritten, always
            return live
        return saved

    def _reread(self, name: str) -> FunctionState:
        state = observe_function(self.cloudfront, name)
        self._live[name] = state.live
        return state

    def _check_stop(self, action: Action) -> None:
        if self.stop.is_set():
            raise Cancelled(f"the run was cancelled before {action.value}")


def _etag(stage: StageState | None) -> str:
    assert stage is not None
    return stage.etag


def _changed(old: str, state: FunctionState, what: str) -> str:
    new = state.development.etag if state.development else "deleted"
    return f"DEVELOPMENT changed after it was read (ETag {old} → {new}); {what}"
