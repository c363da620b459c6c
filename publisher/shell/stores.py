"""KeyValueStores, read and written before any function: observe → plan_store → apply, one store at a time.

A store missing from the account is created (CreateKeyValueStore) and waited for until READY. Its keys
are then written with UpdateKeys, in batches within the API's limits, each on the ETag the last one
answered. A 409 (the ETag moved) reads the store again and `recheck_store` decides: someone else's
change to a key this run meant to change is a conflict; anything else is diffed again and written.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from publisher.core.errors import AwsError, PublisherError, StoreConflict
from publisher.core.manifest import Manifest
from publisher.core.port import StoreControl, StoreData
from publisher.core.result import StoreResult
from publisher.core.store_plan import StoreAction, StoreOutcome, StorePlan, plan_store, store_result
from publisher.core.stores import Changes, StoreSpec, StoreState, Verdict, batches, recheck_store, wanted_keys

ATTEMPTS = 3  # rounds of "409, read again, diff again" before giving up
READY_TIMEOUT = 120.0  # seconds to wait for a new store to be READY
POLL = 1.0


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


@dataclass(frozen=True)
class Settled:
    results: list[StoreResult]
    arns: dict[str, str]  # name -> ARN of each store the manifest declares (placeholders when planned)
    blocked: dict[str, str]  # store name -> why the functions reading it must not be written


def settle(manifest: Manifest, ports: StorePorts, *, carry: bool) -> Settled:
    results: list[StoreResult] = []
    arns: dict[str, str] = {}
    blocked: dict[str, str] = {}
    for spec in manifest.stores:
        readers = [f.name for f in manifest.functions if f.store_name == spec.name]
        try:
            plan = plan_store(spec, observe_store(spec, ports))
        except PublisherError as err:
            plan, outcome = StorePlan(spec, None), StoreOutcome(error=str(err))
        else:
            outcome = apply_store(plan, ports) if carry else StoreOutcome()
        result = store_result(plan, not carry, outcome, readers)
        results.append(result)
        arn = result.arn or f"(created by this run: {spec.name})"
        arns[spec.name] = arn
        if result.error:
            blocked[spec.name] = f"KeyValueStore `{spec.name}`: {result.error}"
    return Settled(results, arns, blocked)


def observe_store(spec: StoreSpec, ports: StorePorts) -> StoreState | None:
    found = ports.control.describe_key_value_store(spec.name)
    if found is None:
        return None
    arn, status = found
    return _read(spec.name, arn, ports, status)


def _read(name: str, arn: str, ports: StorePorts, status: str = "READY") -> StoreState:
    etag = ports.data.describe(arn)
    return StoreState(name, arn, etag, ports.data.list_keys(arn), status)


def apply_store(plan: StorePlan, ports: StorePorts) -> StoreOutcome:
    done: list[StoreAction] = []
    state = plan.state
    try:
        if state is None:
            state = _create(plan.spec, ports)
            done.append(StoreAction.CREATE)
        if not plan.changes:
            return StoreOutcome(tuple(done), state.arn, state.etag)
        backup = _back_up(plan, state, ports)
        etag, conflict = _write(plan.spec, plan.changes, state, ports)
    except AwsError as err:
        return StoreOutcome(tuple(done), state.arn if state else "", error=str(err))
    except OSError as err:  # the backup could not be written: no key is written without one
        return StoreOutcome(
            tuple(done), state.arn if state else "", error=f"the backup could not be written: {err}"
        )
    if conflict:
        return StoreOutcome(tuple(done), state.arn, etag, backup, conflict=conflict)
    return StoreOutcome((*done, StoreAction.UPDATE_KEYS), state.arn, etag, backup)


def _create(spec: StoreSpec, ports: StorePorts) -> StoreState:
    if ports.stop.is_set():
        raise AwsError(
            "CreateKeyValueStore", "Cancelled", "the run was cancelled before the store was created"
        )
    arn, status = ports.control.create_key_value_store(spec.name, spec.comment)
    waited = 0.0
    while (
        status != "READY"
    ):  # the store is usable once READY (API CreateKeyValueStore, DescribeKeyValueStore)
        if waited >= READY_TIMEOUT or status == "FAILED":
            raise AwsError("DescribeKeyValueStore", "NotReady", f"the store is {status} after {waited:.0f} s")
        ports.sleep(POLL)
        waited += POLL
        arn, status = ports.control.describe_key_value_store(spec.name) or (arn, status)
    return _read(spec.name, arn, ports)


def _write(spec: StoreSpec, changes: Changes, seen: StoreState, ports: StorePorts) -> tuple[str, str]:
    """UpdateKeys, batch after batch; on a 409 the store is read again and the rule decides."""
    etag = seen.etag
    for _ in range(ATTEMPTS):
        try:
            for batch in batches(changes):
                if ports.stop.is_set():
                    raise AwsError("UpdateKeys", "Cancelled", "the run was cancelled between batches")
                etag = ports.data.update_keys(seen.arn, etag, batch.puts, batch.deletes)
            return etag, ""
        except StoreConflict:
            fresh = _read(seen.name, seen.arn, ports)
            wanted = wanted_keys(spec, fresh.keys) or {}
            again = recheck_store(wanted, changes, seen.keys, fresh.keys)
            if again.verdict is Verdict.CONFLICT:
                return (
                    fresh.etag,
                    f"{again.message} (ETag {seen.etag} → {fresh.etag}); its functions were not published",
                )
            changes, etag = again.changes, fresh.etag
    raise AwsError("UpdateKeys", "ConflictException", f"still 409 after {ATTEMPTS} attempts", 409)


def _back_up(plan: StorePlan, state: StoreState, ports: StorePorts) -> str:
    """The keys about to be replaced or deleted, with their values, and the keys about to be added: all
    a rollback needs to put the store back as it was, saved before the write."""
    replaced = {k: state.keys[k] for k in (*plan.changes.puts, *plan.changes.deletes) if k in state.keys}
    added = sorted(k for k in plan.changes.puts if k not in state.keys)
    return ports.backups.save_store(plan.spec.name, state, replaced, added, plan.spec.sensitive)
