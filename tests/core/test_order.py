"""`ready`: which functions may start once their store's writes are done, with the ARN of a store this
run created filled in, and which are held back with the store's own reason (never as a conflict)."""

from __future__ import annotations

import pytest

from publisher.core.modes import Action, Kind, Mode, Ref
from publisher.core.order import ready
from publisher.core.outcome import Halt, Outcome, Stop, status_of
from publisher.core.plan import FunctionPlan, Plan, make_plan
from publisher.core.result import Status
from publisher.core.store_plan import pending_arn
from publisher.core.stores import StoreState
from tests.factories import STORE, fn, held, manifest, observed, stage, store

CFG = Ref(Kind.KEY_VALUE_STORE, "cfg")
NEW_ARN = "arn:aws:cloudfront::123456789012:key-value-store/new"


def plan_of(
    state: StoreState | None, *, mode: Mode = Mode.PUBLISH, error: str = "", listed: bool = False
) -> Plan:
    """`f` reads store `cfg` (new code either way); `free` reads none."""
    seen = observed({"cfg": STORE} if listed else {}, f=(None, None), free=(None, None))
    seen.stores["cfg"] = state
    if error:
        seen.store_errors["cfg"] = error
    specs = (fn("f", key_value_store="cfg"), fn("free"))
    return make_plan(manifest(*specs, stores=(store("cfg", {"a": "1"}),)), seen, mode)


def arns(fp: FunctionPlan) -> tuple[str, ...]:
    assert fp.target is not None
    return fp.target.config.key_value_store_arns


def test_a_function_without_a_store_goes_as_planned() -> None:
    plan = plan_of(held("cfg"))
    go, held_back = ready(plan, {CFG: Outcome(stop=Stop(Halt.FAILED, "AccessDenied"))})
    assert [fp.name for fp in go] == ["free"] and go[0] is plan.functions[1]
    assert list(held_back) == [Ref(Kind.FUNCTION, "f")]


def test_a_function_whose_store_got_its_writes_goes_on_its_arn() -> None:
    plan = plan_of(held("cfg", {"a": "0"}))
    go, held_back = ready(plan, {CFG: Outcome(done=(Action.UPDATE_KEYS,))})
    assert [fp.name for fp in go] == ["f", "free"] and held_back == {}
    assert arns(go[0]) == (STORE,)


def test_a_store_this_run_created_replaces_the_pending_arn() -> None:
    plan = plan_of(None)
    assert arns(plan.functions[0]) == (pending_arn("cfg"),)
    go, held_back = ready(plan, {CFG: Outcome(done=(Action.CREATE, Action.UPDATE_KEYS), arn=NEW_ARN)})
    assert held_back == {} and arns(go[0]) == (NEW_ARN,)
    assert go[0].carried == plan.functions[0].carried  # only the ARN changes


@pytest.mark.parametrize(
    ("plan", "outcome", "why"),
    [
        (
            plan_of(held("cfg", {"a": "0"})),
            Outcome(stop=Stop(Halt.FAILED, "UpdateKeys: AccessDenied: refused")),
            "KeyValueStore `cfg` failed: UpdateKeys: AccessDenied: refused",
        ),
        (
            plan_of(held("cfg", {"a": "0"})),
            Outcome(stop=Stop(Halt.CONFLICT, "someone else changed `a`")),
            "KeyValueStore `cfg` conflict: someone else changed `a`",
        ),
        (
            plan_of(None),  # created, then stopped: the function waits for its keys all the same
            Outcome(done=(Action.CREATE,), arn=NEW_ARN, stop=Stop(Halt.FAILED, "NotReady")),
            "KeyValueStore `cfg` failed: NotReady",
        ),
        (
            plan_of(None, error="AccessDenied", listed=True),
            Outcome(),
            "KeyValueStore `cfg`: could not be read: AccessDenied",
        ),
        (plan_of(None), Outcome(), "KeyValueStore `cfg` does not exist yet and this run did not create it"),
    ],
)
def test_a_function_whose_store_did_not_get_its_writes_is_held_back(
    plan: Plan, outcome: Outcome, why: str
) -> None:
    go, held_back = ready(plan, {CFG: outcome})
    assert [fp.name for fp in go] == ["free"]
    stop = held_back[Ref(Kind.FUNCTION, "f")].stop
    assert stop is not None and stop.halt is Halt.HELD
    assert stop.message == f"{why}; not synced, not published"
    assert "KeyValueStore `cfg`" in stop.next_step and "LIVE still serves" in stop.next_step
    held_fp = plan.functions[0]
    assert status_of(held_fp, plan.mode, held_back[held_fp.ref]) is Status.BLOCKED  # not a conflict


@pytest.mark.parametrize("mode", [Mode.PLAN, Mode.PREVIEW])
def test_nothing_starts_in_a_planning_mode(mode: Mode) -> None:
    assert ready(plan_of(None, mode=mode), {}) == ([], {})


def test_a_function_with_an_error_neither_starts_nor_is_held() -> None:
    seen = observed(ghost=(None, None), f=(stage(b"v1"), stage(b"v1")))
    plan = make_plan(manifest(fn("ghost", code=None), fn("f")), seen)
    go, held_back = ready(plan, {})
    assert [fp.name for fp in go] == ["f"] and held_back == {}
