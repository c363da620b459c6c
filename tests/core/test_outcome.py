"""Plan + what took effect → Result: one status for every kind of resource, its next step, a store's
row, and one Result whose changes and failures count stores and functions alike."""

from __future__ import annotations

from dataclasses import replace

import pytest

from publisher.core.associations import DistributionPlan
from publisher.core.distribution_config import SlotChange
from publisher.core.model import Behaviour, Distribution, DistributionConfig, FunctionState, Observed
from publisher.core.modes import Action, Kind, Mode, Ref
from publisher.core.outcome import (
    NEXT_STEP,
    STORE_NEXT_STEP,
    Halt,
    Outcome,
    Planned,
    Stop,
    assemble,
    function_result,
    status_of,
    store_result,
)
from publisher.core.plan import Plan, make_plan
from publisher.core.result import Status
from publisher.core.store_plan import StorePlan, plan_store
from publisher.core.stores import shown
from tests.factories import ARN, STORE, fn, held, manifest, observed, stage, store


def function_row(case: str, mode: Mode = Mode.PUBLISH) -> Planned:
    spec, seen = {
        "changes": (fn("f", code=b"v2"), observed(f=(None, None))),  # create, publish
        "unchanged": (fn("f", code=b"v2"), observed(f=(stage(b"v2"), stage(b"v2")))),
        "error": (fn("f", code=None), observed(f=(None, None))),
    }[case]
    return make_plan(manifest(spec), seen, mode).functions[0]


def store_row(case: str, mode: Mode = Mode.PUBLISH) -> StorePlan:
    spec = store("cfg", {"a": "1"})
    return {
        "changes": plan_store(spec, None, mode.carried),  # create, update-keys
        "unchanged": plan_store(spec, held("cfg", {"a": "1"}), mode.carried),
        "error": plan_store(spec, None, mode.carried, error="AccessDenied"),
    }[case]


def distribution_row(case: str, mode: Mode = Mode.PUBLISH) -> DistributionPlan:
    read = DistributionConfig("E1", "D1", {})
    attach = (SlotChange(None, "viewer-request", None, "f"),)
    plan = {
        "changes": DistributionPlan(read, attach),
        "unchanged": DistributionPlan(read, ()),
        "error": DistributionPlan(read, (), error="AccessDenied"),
    }[case]
    return replace(plan, carried=tuple(a for a in plan.actions if a in mode.carried))


def connection_row(case: str, mode: Mode = Mode.PUBLISH) -> Planned:
    """A connection function: the same plan, its state under the connection kind (by its Id)."""
    kind = Kind.CONNECTION_FUNCTION
    spec, dev = {
        "changes": (fn("f", code=b"v2", kind=kind), None),
        "unchanged": (fn("f", code=b"v2", kind=kind), stage(b"v2")),
        "error": (fn("f", code=None, kind=kind), None),
    }[case]
    state = FunctionState("f", dev, dev, "C1" if dev else "")
    return make_plan(manifest(spec), Observed({}, connection_functions={"f": state}), mode).functions[0]


ROWS = {
    Kind.FUNCTION: function_row,
    Kind.KEY_VALUE_STORE: store_row,
    Kind.CONNECTION_FUNCTION: connection_row,
    Kind.DISTRIBUTION: distribution_row,
}


def stopped(halt: Halt, *done: Action) -> Outcome:
    return Outcome(done=done, stop=Stop(halt, "why"))


# --- status_of: one table, every kind ------------------------------------------------------------


@pytest.mark.parametrize("kind", list(Kind))
@pytest.mark.parametrize(
    ("case", "mode", "outcome", "status"),
    [
        ("changes", Mode.PUBLISH, stopped(Halt.CONFLICT), Status.CONFLICT),
        ("changes", Mode.PUBLISH, stopped(Halt.BLOCKED), Status.BLOCKED),
        ("changes", Mode.PUBLISH, stopped(Halt.FAILED, Action.CREATE), Status.FAILED),  # a halt wins
        ("changes", Mode.PUBLISH, stopped(Halt.CANCELLED), Status.FAILED),
        ("changes", Mode.PUBLISH, stopped(Halt.HELD), Status.BLOCKED),
        ("error", Mode.PUBLISH, Outcome(), Status.FAILED),
        ("error", Mode.PLAN, Outcome(), Status.FAILED),  # an error is not a plan
        ("unchanged", Mode.PUBLISH, Outcome(), Status.UNCHANGED),
        ("unchanged", Mode.PLAN, Outcome(), Status.UNCHANGED),
        ("changes", Mode.PLAN, Outcome(), Status.PLANNED),
        ("changes", Mode.PREVIEW, Outcome(), Status.PLANNED),
        ("changes", Mode.PUBLISH, Outcome(), Status.UNCHANGED),  # nothing took effect, nothing stopped
        ("changes", Mode.SYNC, Outcome(done=(Action.CREATE,)), Status.CREATED),
    ],
)
def test_one_status_for_every_kind(
    kind: Kind, case: str, mode: Mode, outcome: Outcome, status: Status
) -> None:
    assert status_of(ROWS[kind](case, mode), mode, outcome) is status


@pytest.mark.parametrize(
    ("kind", "done", "status"),
    [
        (Kind.FUNCTION, (Action.CREATE, Action.PUBLISH), Status.PUBLISHED),
        (Kind.FUNCTION, (Action.PUBLISH,), Status.PUBLISHED),
        (Kind.FUNCTION, (Action.CREATE,), Status.CREATED),
        (Kind.FUNCTION, (Action.UPDATE,), Status.UPDATED),
        (Kind.KEY_VALUE_STORE, (Action.CREATE, Action.UPDATE_KEYS), Status.CREATED),
        (Kind.KEY_VALUE_STORE, (Action.UPDATE_KEYS,), Status.UPDATED),
    ],
)
def test_what_was_done_names_the_status(kind: Kind, done: tuple[Action, ...], status: Status) -> None:
    assert status_of(ROWS[kind]("changes"), Mode.PUBLISH, Outcome(done=done)) is status


# --- next steps ------------------------------------------------------------------------------------


def function_next(outcome: Outcome, case: str = "changes") -> str:
    fp = make_plan(manifest(fn("f", code=b"v2")), observed(f=(stage(b"v1"), stage(b"v1"))))
    if case == "error":
        fp = make_plan(manifest(fn("f", code=None)), observed(f=(None, None)))
    return function_result(fp.functions[0], Mode.PUBLISH, outcome, []).next_step


def store_next(outcome: Outcome, case: str = "changes") -> str:
    return store_result(store_row(case), Mode.PUBLISH, outcome, []).next_step


def test_a_function_held_back_names_the_store_in_its_next_step() -> None:
    step = "Fix what stopped KeyValueStore `cfg` and re-run; LIVE still serves what it served."
    assert function_next(Outcome(stop=Stop(Halt.HELD, "KeyValueStore `cfg` failed", next_step=step))) == step


@pytest.mark.parametrize(
    ("outcome", "step"),
    [
        (
            Outcome(done=(Action.UPDATE,), stop=Stop(Halt.FAILED, "x", unanswered="PublishFunction")),
            "update took effect, then PublishFunction got no answer and may have taken effect; re-run to finish.",
        ),
        (
            Outcome(stop=Stop(Halt.FAILED, "x", unanswered="UpdateFunction")),
            "UpdateFunction got no answer and may have taken effect; re-run to finish.",
        ),
        (
            Outcome(done=(Action.UPDATE,), stop=Stop(Halt.FAILED, "x")),
            "update took effect before the failure; re-run to finish.",
        ),
        (
            Outcome(stop=Stop(Halt.FAILED, "x")),
            "Nothing was written for this function; re-run once the cause is fixed.",
        ),
        (Outcome(stop=Stop(Halt.CONFLICT, "x")), NEXT_STEP[Status.CONFLICT]),
        (Outcome(stop=Stop(Halt.BLOCKED, "x")), NEXT_STEP[Status.BLOCKED]),
        (Outcome(done=(Action.UPDATE, Action.PUBLISH)), ""),
    ],
)
def test_a_functions_next_step_says_what_took_effect(outcome: Outcome, step: str) -> None:
    assert function_next(outcome) == step


def test_a_plan_error_is_fixed_in_the_manifest() -> None:
    assert function_next(Outcome(), "error").startswith("Fix the manifest entry")
    assert store_next(Outcome(), "error").startswith("Fix the manifest entry")


@pytest.mark.parametrize(
    ("outcome", "step"),
    [
        (
            Outcome(
                done=(Action.UPDATE_KEYS,), stop=Stop(Halt.FAILED, "x"), partial="100 of 120 key changes"
            ),
            "100 of 120 key changes took effect before the failure (the backup holds what they replaced); re-run to finish.",
        ),
        (
            Outcome(stop=Stop(Halt.FAILED, "x", unanswered="UpdateKeys")),
            "UpdateKeys got no answer and may have taken effect; re-run to finish.",
        ),
        (
            Outcome(stop=Stop(Halt.FAILED, "x")),
            "Nothing was written for this store; re-run once the cause is fixed.",
        ),
        (Outcome(stop=Stop(Halt.CONFLICT, "x")), STORE_NEXT_STEP[Status.CONFLICT]),
    ],
)
def test_a_stores_next_step_says_what_took_effect(outcome: Outcome, step: str) -> None:
    assert store_next(outcome) == step


# --- store_result ------------------------------------------------------------------------------------


def test_a_stores_reason_names_their_keys_and_what_took_effect() -> None:
    sp = plan_store(store("cfg", {"a": "1"}), held("cfg", {"a": "0"}))
    theirs = tuple(f"t{i}" for i in range(7))
    kept = store_result(sp, Mode.PUBLISH, Outcome(done=(Action.UPDATE_KEYS,), theirs=theirs), [])
    assert kept.status is Status.UPDATED and kept.theirs == list(theirs)
    assert "someone else changed `t0`, `t1`, `t2`, `t3`, `t4` … during this run: kept" in kept.reason
    partial = Outcome(stop=Stop(Halt.FAILED, "AccessDenied"), partial="1 of 2 key changes")
    failed = store_result(sp, Mode.PUBLISH, partial, [])
    assert failed.reason.endswith("; 1 of 2 key changes took effect before it stopped")
    assert failed.error == "AccessDenied"


def test_a_sensitive_store_shows_hashes_never_values() -> None:
    spec = store("cfg", {"new": "n1", "same": "s", "mod": "m2"}, sensitive=True)
    sp = plan_store(spec, held("cfg", {"same": "s", "mod": "m1", "gone": "g"}))
    row = store_result(sp, Mode.PLAN, Outcome(), ["f"])
    assert row.status is Status.PLANNED and row.sensitive and row.functions == ["f"]
    assert [(k.key, k.new) for k in row.added] == [("new", shown("n1", True))]
    assert [(k.key, k.old, k.new) for k in row.changed] == [("mod", shown("m1", True), shown("m2", True))]
    assert [(k.key, k.old) for k in row.deleted] == [("gone", shown("g", True))]
    assert not {"n1", "m1", "m2", "g"} & {
        v for k in row.added + row.changed + row.deleted for v in (k.old, k.new)
    }


def test_a_created_store_reports_its_new_arn_and_etag() -> None:
    row = store_result(
        store_row("changes"), Mode.PUBLISH, Outcome(done=(Action.CREATE,), arn="arn:new", etag="K2"), []
    )
    assert (row.status, row.arn, row.etag) == (Status.CREATED, "arn:new", [None, "K2"])


# --- assemble: one Result for every resource ---------------------------------------------------------


def plan_with(mode: Mode, *, store_data: dict[str, str], code: bytes = b"v1") -> Plan:
    seen = observed(f=(stage(b"v1", store=STORE), stage(b"v1", store=STORE)))
    seen.stores["cfg"] = held("cfg", {"a": "0"})
    return make_plan(
        manifest(fn("f", code=code, key_value_store="cfg"), stores=(store("cfg", store_data),)), seen, mode
    )


def test_stores_and_functions_come_out_in_one_result() -> None:
    plan = plan_with(Mode.PLAN, store_data={"a": "1"}, code=b"v2")
    result = assemble(plan, {}, ())
    assert [(r.kind, r.name, r.status) for r in result.resources] == [
        (Kind.KEY_VALUE_STORE, "cfg", Status.PLANNED),
        (Kind.FUNCTION, "f", Status.PLANNED),
    ]
    assert result.stores[0].functions == ["f"]


@pytest.mark.parametrize("mode", [Mode.PLAN, Mode.PREVIEW])
def test_a_plan_that_changes_only_a_store_has_changes(mode: Mode) -> None:
    result = assemble(plan_with(mode, store_data={"a": "1"}), {}, ())
    assert result.functions[0].status is Status.UNCHANGED
    assert result.has_changes and result.stores_changed == ["cfg"] and result.changed == []


def test_a_store_written_alone_has_changes_and_none_written_has_none() -> None:
    plan = plan_with(Mode.PUBLISH, store_data={"a": "1"})
    written = assemble(plan, {Ref(Kind.KEY_VALUE_STORE, "cfg"): Outcome(done=(Action.UPDATE_KEYS,))}, ())
    assert written.has_changes and written.exit_code == 0
    assert not assemble(plan_with(Mode.PUBLISH, store_data={"a": "0"}), {}, ()).has_changes


def test_a_failed_store_fails_the_run() -> None:
    plan = plan_with(Mode.PUBLISH, store_data={"a": "1"})
    store_ref, fn_ref = Ref(Kind.KEY_VALUE_STORE, "cfg"), Ref(Kind.FUNCTION, "f")
    outcomes = {
        store_ref: Outcome(stop=Stop(Halt.FAILED, "AccessDenied")),
        fn_ref: Outcome(stop=Stop(Halt.HELD, "KeyValueStore `cfg` failed")),
    }
    result = assemble(plan, outcomes, ())
    assert result.stores_failed == ["cfg"] and result.failed == ["f"] and result.exit_code == 1
    assert result.functions[0].status is Status.BLOCKED
    alone = assemble(plan, {store_ref: outcomes[store_ref]}, ())
    assert alone.failed == [] and alone.exit_code == 1  # the store's failure alone fails the run


def test_the_backup_dir_is_named_only_when_a_backup_was_made() -> None:
    plan = plan_with(Mode.PUBLISH, store_data={"a": "1"})
    ref = Ref(Kind.KEY_VALUE_STORE, "cfg")
    saved = Outcome(done=(Action.UPDATE_KEYS,), backup="backups/cfg.KVS.S1.json")
    assert assemble(plan, {ref: saved}, (), backup_dir="backups").backup_dir == "backups"
    assert assemble(plan, {ref: Outcome()}, (), backup_dir="backups").backup_dir == ""


def test_a_distribution_serves_new_code_once_its_function_is_published() -> None:
    plan = plan_with(Mode.PUBLISH, store_data={"a": "0"}, code=b"v2")
    dist = Distribution(
        "E1", "d.example", "Deployed", True, behaviours=(Behaviour(None, "viewer-request", ARN + "fn"),)
    )
    ref = Ref(Kind.FUNCTION, "f")
    published = assemble(plan, {ref: Outcome(done=(Action.UPDATE, Action.PUBLISH))}, (dist,))
    assert [(d.id, d.status, d.new_code, d.functions) for d in published.distributions] == [
        ("E1", "InProgress", True, ["f"])
    ]
    synced = assemble(plan, {ref: Outcome(done=(Action.UPDATE,))}, (dist,))
    assert [(d.status, d.new_code) for d in synced.distributions] == [("Deployed", False)]
