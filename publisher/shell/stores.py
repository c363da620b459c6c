"""The KeyValueStore row of the shell: read a store, and carry out its part of the plan.

A store missing from the account is created (CreateKeyValueStore) and waited for until READY. Its keys
are then written with UpdateKeys, in batches within the API's limits, each on the ETag the last one
answered. A 409 (the ETag moved) reads the store again and `recheck_store` decides, key by key: someone
else's change to a key this run writes is a conflict; their change to any other key is kept and named;
what is left of the plan is written, never more.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from publisher.core.errors import AwsError, PublisherError, StoreConflict
from publisher.core.modes import Action
from publisher.core.outcome import Halt, Outcome, Stop
from publisher.core.port import StoreControl, StoreData
from publisher.core.store_plan import StorePlan
from publisher.core.stores import Changes, StoreSpec, StoreState, Verdict, batches, recheck_store
from publisher.core.tags import created_with

ATTEMPTS = 3  # rounds of "409, read again, decide again" before giving up
READY_TIMEOUT = 120.0  # seconds to wait for a new store to be READY
POLL = 1.0
WRITES = ("CreateKeyValueStore", "UpdateKeys")  # the calls that may take effect without an answer


class StoreBackups(Protocol):
    def save_store(
        self, name: str, state: StoreState, replaced: dict[str, str], added: list[str], sensitive: bool
    ) -> str: ...


@dataclass
class StorePorts:
    control: StoreControl
    data: StoreData
    backups: StoreBackups
    stop: threading.Event = field(default_factory=threading.Event)
    sleep: Callable[[float], object] = time.sleep


def observe_store(spec: StoreSpec, ports: StorePorts) -> StoreState | None:
    found = ports.control.describe_key_value_store(spec.name)
    if found is None:
        return None
    arn, status = found
    return _read(spec.name, arn, ports, status)


def _read(name: str, arn: str, ports: StorePorts, status: str = "READY") -> StoreState:
    etag = ports.data.describe(arn)
    return StoreState(name, arn, etag, ports.data.list_keys(arn), status)


class _Theirs(Exception):
    """Someone else changed a key this run writes: the rest of the store's writes stop."""


class _Cancelled(Exception):
    """A signal arrived: no new call starts, and none was left without an answer."""


@dataclass
class _Trace:
    done: list[Action] = field(default_factory=list)
    arn: str = ""
    etag: str | None = None
    backup: str = ""
    written: int = 0  # key changes that took effect
    theirs: tuple[str, ...] = ()

    def outcome(self, stop: Stop | None, total: int = 0) -> Outcome:
        partial = f"{self.written} of {total} key changes" if stop and self.written else ""
        return Outcome(
            tuple(self.done),
            etag=self.etag,
            backup=self.backup,
            stop=stop,
            arn=self.arn,
            partial=partial,
            theirs=self.theirs,
        )


def apply_store(plan: StorePlan, ports: StorePorts) -> Outcome:
    """One store's writes, as the plan carries them; a failure is data in the Outcome, never an exception."""
    trace, state = _Trace(), plan.state
    total = len(plan.changes.touched())
    try:
        if state is None:
            if Action.CREATE not in plan.carried:
                return trace.outcome(None)
            state = _create(plan.spec, ports, trace)
        if Action.UPDATE_KEYS not in plan.carried:
            return trace.outcome(None)
        trace.backup = _back_up(plan, state, ports)
        _write(plan.changes, state, ports, trace)
    except _Theirs as err:
        return trace.outcome(Stop(Halt.CONFLICT, str(err)), total)
    except _Cancelled as err:
        return trace.outcome(Stop(Halt.CANCELLED, str(err)), total)
    except AwsError as err:
        unanswered = err.operation if err.unanswered and err.operation in WRITES else ""
        return trace.outcome(Stop(Halt.FAILED, str(err), unanswered), total)
    except PublisherError as err:
        return trace.outcome(Stop(Halt.FAILED, str(err)), total)
    except OSError as err:  # the backup could not be written: no key is changed without one
        return trace.outcome(Stop(Halt.FAILED, f"the store's backup could not be written: {err}"), total)
    return trace.outcome(None)


def _create(spec: StoreSpec, ports: StorePorts, trace: _Trace) -> StoreState:
    """CreateKeyValueStore, then the wait until READY: the create is done (and reported) once answered,
    also when the wait then runs out."""
    if ports.stop.is_set():
        raise _Cancelled("the run was cancelled before the store was created")
    arn, status = ports.control.create_key_value_store(spec.name, spec.comment, created_with(spec.tags))
    trace.done.append(Action.CREATE)
    trace.arn = arn
    waited = 0.0
    while status != "READY":  # usable once READY (API CreateKeyValueStore, DescribeKeyValueStore)
        if ports.stop.is_set():
            raise _Cancelled(f"the run was cancelled while the new store was {status}")
        if waited >= READY_TIMEOUT or status == "FAILED":
            raise AwsError("DescribeKeyValueStore", "NotReady", f"the store is {status} after {waited:.0f} s")
        ports.sleep(POLL)
        waited += POLL
        arn, status = ports.control.describe_key_value_store(spec.name) or (arn, status)
    state = _read(spec.name, arn, ports)
    trace.arn, trace.etag = arn, state.etag
    return state


def _write(planned: Changes, seen: StoreState, ports: StorePorts, trace: _Trace) -> None:
    """UpdateKeys, batch after batch; on a 409 the store is read again and the rule decides, always
    over the plan's whole changes: keys an earlier batch wrote are still this run's."""
    changes, etag = planned, seen.etag
    for _ in range(ATTEMPTS):
        try:
            for batch in batches(changes):
                if ports.stop.is_set():
                    raise _Cancelled("the run was cancelled between batches")
                etag = ports.data.update_keys(seen.arn, etag, batch.puts, batch.deletes)
                trace.etag = etag
                trace.written += len(batch.touched())
                if Action.UPDATE_KEYS not in trace.done:
                    trace.done.append(Action.UPDATE_KEYS)
            return
        except StoreConflict:
            fresh = _read(seen.name, seen.arn, ports)
            again = recheck_store(planned, seen.keys, fresh.keys)
            if again.verdict is Verdict.CONFLICT:
                trace.etag = fresh.etag
                message = f"{again.message} (ETag {etag} → {fresh.etag}); its functions were not published"
                raise _Theirs(message) from None
            trace.theirs = tuple(sorted({*trace.theirs, *again.theirs}))
            changes, etag = again.changes, fresh.etag
    raise AwsError("UpdateKeys", "ConflictException", f"still 409 after {ATTEMPTS} attempts", 409)


def _back_up(plan: StorePlan, state: StoreState, ports: StorePorts) -> str:
    """The keys about to be replaced or deleted, with their values, and the keys about to be added: all
    a rollback needs to put the store back as it was, saved before the write."""
    replaced = {k: state.keys[k] for k in (*plan.changes.puts, *plan.changes.deletes) if k in state.keys}
    added = sorted(k for k in plan.changes.puts if k not in state.keys)
    return ports.backups.save_store(plan.spec.name, state, replaced, added, plan.spec.sensitive)
