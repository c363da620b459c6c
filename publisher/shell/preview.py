"""Pull-request preview: test changed code in throwaway functions; shared functions are never touched.

Each throwaway function is deleted in a finally block, so a failed test, an AWS error or a cancelled
run (SIGTERM sets the stop event; it does not unwind) still removes it. One left behind by a killed
run or an unanswered delete has this preview's name: it is taken over (updated in place, on the ETag
it was judged on), then deleted, but only when core/throwaway.py finds it provably a leftover (never
published, carrying the copy's marker comment). Any other function at that name is refused, never
updated or deleted.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

from publisher.core.errors import AlreadyExists, AwsError
from publisher.core.model import Stage
from publisher.core.modes import Action, Kind, Ref
from publisher.core.outcome import Halt, Outcome, Stop, gate_failure
from publisher.core.plan import FunctionPlan, Plan
from publisher.core.port import CloudFront, FunctionSummary
from publisher.core.result import TestReport
from publisher.core.throwaway import marked, not_a_leftover, preview_name
from publisher.shell.apply import RunTests


class NotOurs(Exception):
    """A function at the copy's name that this preview did not leave: not to be touched."""


__all__ = ["preview", "preview_name"]


def preview(
    plan: Plan, cloudfront: CloudFront, run_tests: RunTests | None, stop: threading.Event, run_id: str
) -> dict[Ref, Outcome]:
    """Each changed function's copy, of its own kind (a connection function's is a connection function,
    addressed by the Id its create answered), tested and deleted; outcomes keyed by kind and name."""
    # every changed function, tests or not: the service's own checks (size, runtime, store) run on create
    changed = [fp for fp in plan.functions if fp.target and _code_changes(fp)]
    if not changed or run_tests is None:
        return {}
    notes = {fp.ref: store_note(plan, fp) for fp in changed}
    unmade = {fp.ref: Outcome(note=notes[fp.ref]) for fp in changed if waits_for_store(plan, fp)}
    tested = [fp for fp in changed if fp.ref not in unmade]
    if not tested:
        return unmade
    with ThreadPoolExecutor(len(tested)) as pool:
        outcomes = pool.map(lambda fp: _try(fp, cloudfront, run_tests, stop, run_id), tested)
        found = {fp.ref: replace(o, note=notes[fp.ref]) for fp, o in zip(tested, outcomes, strict=True)}
    return {**unmade, **found}


def waits_for_store(plan: Plan, fp: FunctionPlan) -> bool:
    """Its store is one this run would create: no copy can name it before a publish has made it."""
    store = plan.store_of(fp)
    return store is not None and store.state is None


def store_note(plan: Plan, fp: FunctionPlan) -> str:
    """What a preview of this function cannot show about its store, said plainly."""
    store = plan.store_of(fp)
    if store is None:
        return ""
    if store.state is None:
        return (
            f"not previewed: its KeyValueStore `{store.name}` does not exist until a publish creates it; "
            "the publish's tests are the gate"
        )
    if store.changes:
        count = len(store.changes.touched())
        return (
            f"tested against the keys KeyValueStore `{store.name}` holds now: its {count} key "
            f"change{'s' if count != 1 else ''} are written only by a sync or a publish"
        )
    return ""


def _code_changes(fp: FunctionPlan) -> bool:
    return fp.write(Action.CREATE) is not None or fp.write(Action.UPDATE) is not None


def _try(
    fp: FunctionPlan, cloudfront: CloudFront, run_tests: RunTests, stop: threading.Event, run_id: str
) -> Outcome:
    if stop.is_set():
        return Outcome(stop=Stop(Halt.CANCELLED, "the run was cancelled before the preview"))
    name = preview_name(fp.name, run_id)
    tests: list[TestReport] = []
    failure: Stop | None = None
    copy = _Copy(fp.kind, name)
    try:
        etag = _create(cloudfront, fp, copy, run_id)
        tests = run_tests(fp, etag, copy.address)
    except AwsError as err:
        failure = Stop(Halt.FAILED, f"preview function {name}: {err}")
    except NotOurs as err:
        failure = Stop(Halt.FAILED, str(err))
    finally:
        leftover = _delete(cloudfront, fp.name, copy, run_id)
    blocked = gate_failure(tuple(tests), " in the preview")
    stop_ = leftover or failure or (Stop(Halt.BLOCKED, blocked) if blocked else None)
    return Outcome(tests=tuple(tests), stop=stop_)


@dataclass
class _Copy:
    """The throwaway copy: its kind, its name, and what its operations name it by once known (the
    name for a viewer function; a connection function's Id, from its create or the listing)."""

    kind: Kind
    name: str
    address: str = field(init=False, default="")

    def __post_init__(self) -> None:
        self.address = self.name if self.kind is Kind.FUNCTION else ""

    def find(self, cloudfront: CloudFront) -> str:
        if not self.address:
            listed = cloudfront.list_functions(Stage.DEVELOPMENT, kind=self.kind)
            self.address = next((s.id for s in listed if s.name == self.name), "")
        return self.address


def _create(cloudfront: CloudFront, fp: FunctionPlan, copy: _Copy, run_id: str) -> str:
    """The throwaway carries the project's marker, so a clean-up can tell it from a function of the team."""
    assert fp.target is not None
    config = marked(fp.target.config, fp.name, run_id)
    try:
        return _made(copy, cloudfront.create_function(copy.name, fp.target.code, config, kind=copy.kind))
    except AlreadyExists:  # a leftover of this preview, or someone else's function: the core tells
        found = _ours(cloudfront, fp.name, copy, run_id)
        if found is None:  # deleted meanwhile: the name is free again
            return _made(copy, cloudfront.create_function(copy.name, fp.target.code, config, kind=copy.kind))
        etag = cloudfront.update_function(copy.address, fp.target.code, config, found, kind=copy.kind)
        fresh = cloudfront.describe_function(copy.address, Stage.DEVELOPMENT, kind=copy.kind)
        return fresh.etag if fresh else etag or ""


def _made(copy: _Copy, created: FunctionSummary) -> str:
    copy.address = created.id or copy.name
    return created.etag


def _ours(cloudfront: CloudFront, function: str, copy: _Copy, run_id: str) -> str | None:
    """The DEVELOPMENT ETag of this preview's leftover at the copy's name (None: nothing there);
    NotOurs when what is there is not provably one."""
    address = copy.find(cloudfront)
    development = (
        cloudfront.describe_function(address, Stage.DEVELOPMENT, kind=copy.kind) if address else None
    )
    if development is None:
        return None
    live = cloudfront.describe_function(address, Stage.LIVE, kind=copy.kind)
    refused = not_a_leftover(copy.name, function, run_id, development, live)
    if refused:
        raise NotOurs(refused)
    return development.etag


def _delete(cloudfront: CloudFront, function: str, copy: _Copy, run_id: str) -> Stop | None:
    """Delete the throwaway copy, whatever happened: a leftover would block the next preview. What is
    not provably this preview's copy (someone's function at that name) is left as it is."""
    name = copy.name
    try:
        etag = _ours(cloudfront, function, copy, run_id)
        if etag is None:
            return None
        cloudfront.delete_function(copy.address, etag, kind=copy.kind)
    except NotOurs:
        return None
    except AwsError as err:
        return Stop(
            Halt.FAILED,
            f"the preview function {name} could not be deleted: {err}; the next preview takes it over",
        )
    return None
