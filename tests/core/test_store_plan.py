"""plan_store: a store's row of the plan (its writes, why, what the mode carries), and the ARN its
functions are planned with while the store does not exist yet."""

from __future__ import annotations

import pytest

from publisher.core.modes import Action, Mode
from publisher.core.plan import make_plan
from publisher.core.store_plan import StorePlan, pending_arn, plan_store
from publisher.core.stores import Changes, StoreSpec, StoreState
from tests.factories import STORE, fn, held, manifest, observed, store

RESTORE = store("cfg", restore=Changes({"a": "0"}, ("added",)), restored_from="b/cfg.KVS.S1.json")


@pytest.mark.parametrize(
    ("spec", "state", "error", "actions", "changes", "reason"),
    [
        (
            store("cfg", {"a": "1"}),
            None,
            "",
            (Action.CREATE, Action.UPDATE_KEYS),
            Changes({"a": "1"}),
            "not in the account yet; 1 to add",
        ),
        (
            store("cfg", {"a": "1", "c": "3"}),
            held("cfg", {"a": "0", "b": "2"}),
            "",
            (Action.UPDATE_KEYS,),
            Changes({"a": "1", "c": "3"}, ("b",)),
            "1 to add, 1 to change, 1 to delete",
        ),
        (
            store("cfg", {"a": "1"}),
            held("cfg", {"a": "1"}),
            "",
            (),
            Changes(),
            "holds the 1 keys of its file",
        ),
        (
            store("cfg"),
            held("cfg", {"a": "1"}),
            "",
            (),
            Changes(),
            "no `data`: its keys are left as they are",
        ),
        (
            RESTORE,
            held("cfg", {"a": "1", "added": "x", "theirs": "y"}),
            "",
            (Action.UPDATE_KEYS,),
            Changes({"a": "0"}, ("added",)),
            "restore from b/cfg.KVS.S1.json: 1 to change, 1 to delete",
        ),
        (RESTORE, held("cfg", {"a": "0"}), "", (), Changes(), "already holds the keys of b/cfg.KVS.S1.json"),
        (
            RESTORE,
            None,
            "",
            (),
            Changes(),
            "no longer exists; a rollback restores a store's keys, it does not create the store",
        ),
        (
            store("cfg", {"a": "1"}),
            None,
            "DescribeKeyValueStore: AccessDenied: refused",
            (),
            Changes(),
            "could not be read: DescribeKeyValueStore: AccessDenied: refused",
        ),
    ],
    ids=[
        "create",
        "update-keys",
        "unchanged",
        "no-data",
        "restore",
        "restored",
        "restore-deleted",
        "read-error",
    ],
)
def test_a_stores_writes_and_why(  # noqa: PLR0917 - one row of the table
    spec: StoreSpec,
    state: StoreState | None,
    error: str,
    actions: tuple[Action, ...],
    changes: Changes,
    reason: str,
) -> None:
    sp = plan_store(spec, state, error=error)
    assert (sp.actions, sp.changes, sp.reason) == (actions, changes, reason)
    assert bool(sp.error) is (reason.startswith(("no longer", "could not")))


@pytest.mark.parametrize(
    ("mode", "carried"),
    [
        (Mode.CHECK, ()),
        (Mode.PLAN, ()),
        (Mode.PREVIEW, ()),
        (Mode.SYNC, (Action.CREATE, Action.UPDATE_KEYS)),
        (Mode.PUBLISH, (Action.CREATE, Action.UPDATE_KEYS)),
    ],
)
def test_the_mode_carries_a_stores_writes_or_none(mode: Mode, carried: tuple[Action, ...]) -> None:
    sp = plan_store(store("cfg", {"a": "1"}), None, mode.carried)
    assert sp.actions == (Action.CREATE, Action.UPDATE_KEYS)  # shown whole in every mode
    assert sp.carried == carried


def test_a_plan_with_an_error_carries_nothing() -> None:
    assert plan_store(store("cfg", {"a": "1"}), None, error="refused").carried == ()


def function_arns(
    sp_state: StoreState | None, spec: StoreSpec | None = None, mode: Mode = Mode.PUBLISH
) -> tuple[str, ...]:
    seen = observed(f=(None, None))
    seen.stores["cfg"] = sp_state
    plan = make_plan(
        manifest(fn("f", key_value_store="cfg"), stores=(spec or store("cfg", {"a": "1"}),)), seen, mode
    )
    target = plan.functions[0].target
    assert target is not None, plan.functions[0].error
    return target.config.key_value_store_arns


@pytest.mark.parametrize("mode", [Mode.PLAN, Mode.SYNC, Mode.PUBLISH])
def test_a_function_names_a_store_this_run_creates_by_a_pending_arn(mode: Mode) -> None:
    assert function_arns(None, mode=mode) == (pending_arn("cfg"),)
    assert "cfg" in pending_arn("cfg") and not pending_arn("cfg").startswith("arn:")


def test_a_function_names_a_store_that_exists_by_its_arn() -> None:
    assert function_arns(held("cfg")) == (STORE,)
    known = store("cfg", {"a": "1"}, arn="arn:aws:cloudfront::123456789012:key-value-store/known")
    assert function_arns(None, known) == (known.arn,)  # a rollback's store, named by its ARN


def test_a_store_that_could_not_be_read_holds_its_functions_back_instead_of_refusing_the_run() -> None:
    """Not bad input (exit 2): the store's plan fails with AWS's reason, and its functions wait for it."""
    from publisher.core.order import ready

    seen = observed(f=(None, None))
    seen.store_errors["cfg"] = "AccessDenied"
    plan = make_plan(manifest(fn("f", key_value_store="cfg"), stores=(store("cfg", {"a": "1"}),)), seen)
    assert plan.functions[0].error is None and plan.stores[0].error == "could not be read: AccessDenied"
    go, held = ready(plan, {})
    stop = held[plan.functions[0].ref].stop
    assert go == [] and stop is not None
    assert "KeyValueStore `cfg`: could not be read: AccessDenied" in stop.message


def test_the_plan_holds_its_stores_and_finds_a_functions_store() -> None:
    seen = observed(f=(None, None), g=(None, None))
    specs = (fn("f", key_value_store="cfg"), fn("g"))
    plan = make_plan(manifest(*specs, stores=(store("cfg", {"a": "1"}),)), seen)
    assert [type(s) for s in plan.stores] == [StorePlan] and plan.stores[0].name == "cfg"
    assert plan.store_of(plan.functions[0]) is plan.stores[0]
    assert plan.store_of(plan.functions[1]) is None
