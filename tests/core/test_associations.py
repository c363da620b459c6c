"""The association plan, with values alone: a row per outcome, then the rewrite and the replan."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import pytest

from publisher.core.associations import (
    DistributionPlan,
    plan_associations,
    replan,
)
from publisher.core.distribution_config import CONNECTION_EVENT, SlotChange, rewritten
from publisher.core.manifest import AssociationSpec, FunctionSpec
from publisher.core.manifest import TestCase as Case
from publisher.core.model import Distribution, DistributionConfig, Observed
from publisher.core.modes import Action, Kind, Mode, Ref

ACCOUNT = "arn:aws:cloudfront::123456789012:function/"
REQ, RES = "viewer-request", "viewer-response"


def behaviour(*held: tuple[str, str], path: str | None = None, lam: str = "") -> dict[str, Any]:
    b: dict[str, Any] = {
        "TargetOriginId": "origin",
        "ViewerProtocolPolicy": "allow-all",
        "FunctionAssociations": {
            "Quantity": len(held),
            "Items": [{"FunctionARN": ACCOUNT + n, "EventType": e} for n, e in held],
        },
    }
    if lam:
        b["LambdaFunctionAssociations"] = {
            "Quantity": 1,
            "Items": [{"LambdaFunctionARN": "arn:l", "EventType": lam}],
        }
    if path:
        b["PathPattern"] = path
    return b


def config(default: dict[str, Any], *others: dict[str, Any]) -> dict[str, Any]:
    return {
        "CallerReference": "r",
        "Comment": "keep me",
        "Origins": {"Quantity": 1, "Items": [{"Id": "origin", "DomainName": "o.example.com"}]},
        "DefaultCacheBehavior": default,
        "CacheBehaviors": {"Quantity": len(others), "Items": list(others)},
        "SomethingNew": {"Nested": [1, 2]},
    }


def seen(**configs: dict[str, Any]) -> Observed:
    dists = tuple(
        Distribution(i, f"{i}.cloudfront.net", "Deployed", True, (f"{i.lower()}.example.com",))
        for i in configs
    )
    return Observed(
        {},
        distributions=dists,
        distribution_configs={i: DistributionConfig(i, f"{i}-etag", c) for i, c in configs.items()},
    )


def fn(name: str, *places: tuple[str, str, str]) -> FunctionSpec:
    """A function whose associations the manifest manages: listed here, none when no place is given."""
    return FunctionSpec(name, associations=tuple(AssociationSpec(d, p, e, 7) for d, p, e in places))


def changes(plan: DistributionPlan) -> list[tuple[str, str, str | None, str | None]]:
    return [(c.path or "default", c.event, c.old, c.new) for c in plan.changes]


def test_no_function_lists_associations_no_plan() -> None:
    out = plan_associations([FunctionSpec("a")], seen(E1=config(behaviour(("a", REQ)))))
    assert out.distributions == () and out.refusals == ()


@pytest.mark.parametrize(
    ("held", "listed", "expected"),
    [
        ((), [("E1", "default", REQ)], [("default", REQ, None, "a")]),  # attach
        ((("a", REQ),), [("E1", "default", REQ)], []),  # already there: nothing
        ((("a", REQ),), [], [("default", REQ, "a", None)]),  # not listed: detached
        ((("a", REQ),), [("E1", "default", RES)], [("default", REQ, "a", None), ("default", RES, None, "a")]),
        ((), [("e1.example.com", "default", REQ)], [("default", REQ, None, "a")]),  # by alias
        ((("b", REQ),), [("E1", "default", REQ)], [("default", REQ, "b", "a")]),  # b is managed: a move
    ],
)
def test_one_distribution(
    held: tuple[tuple[str, str], ...], listed: list[tuple[str, str, str]], expected: list[Any]
) -> None:
    out = plan_associations([fn("a", *listed), fn("b")], seen(E1=config(behaviour(*held))))
    assert out.refusals == ()
    assert [changes(d) for d in out.distributions] == ([expected] if expected else [])


def test_detached_in_any_distribution_read_and_others_never_written() -> None:
    observed = seen(
        E1=config(behaviour()),
        E2=config(behaviour(), behaviour(("a", RES), path="/api/*")),
        E3=config(behaviour(("x", REQ))),
    )
    out = plan_associations([fn("a", ("E1", "default", REQ))], observed)
    assert [(d.name, changes(d)) for d in out.distributions] == [
        ("E1", [("default", REQ, None, "a")]),
        ("E2", [("/api/*", RES, "a", None)]),
    ]
    assert out.distributions[0].read.etag == "E1-etag"


def test_several_functions_on_one_distribution_are_one_plan() -> None:
    observed = seen(E1=config(behaviour(), behaviour(path="/api/*")))
    out = plan_associations(
        [fn("a", ("E1", "default", REQ)), fn("b", ("E1", "/api/*", RES)), fn("c", ("E1", "default", RES))],
        observed,
    )
    assert len(out.distributions) == 1
    assert out.distributions[0].attaching == {Ref(Kind.FUNCTION, n) for n in "abc"}
    assert out.distributions[0].actions == (Action.ATTACH,)


@pytest.mark.parametrize(
    ("functions", "cfg", "message"),
    [
        (
            [fn("a", ("E9", "default", REQ))],
            config(behaviour()),
            "no distribution of the account has the Id or alias `E9`",
        ),
        (
            [fn("a", ("E1", "/nope/*", REQ))],
            config(behaviour()),
            "distribution E1 has no cache behaviour `/nope/*` (it has: default)",
        ),
        (
            [fn("a", ("E1", "default", REQ)), fn("b", ("E1", "default", REQ))],
            config(behaviour()),
            "a is listed on E1 default viewer-request too",
        ),
        (
            [fn("a", ("E1", "default", REQ))],
            config(behaviour(("x", REQ))),
            "function `x` runs on default viewer-request of distribution E1 and the manifest does not manage its associations; to take it over, list `x`",
        ),
        (
            [fn("a", ("E1", "default", REQ))],
            config(behaviour(lam=REQ)),
            "a Lambda@Edge function runs on default viewer-request",
        ),
    ],
)
def test_refusals(functions: list[FunctionSpec], cfg: dict[str, Any], message: str) -> None:
    out = plan_associations(functions, seen(E1=cfg))
    assert len(out.refusals) == 1
    assert out.refusals[0].message.startswith(message), out.refusals[0].message
    assert out.refusals[0].line == 7


def test_an_alias_of_several_distributions_is_refused() -> None:
    observed = seen(E1=config(behaviour()), E2=config(behaviour()))
    twins = tuple(
        Distribution(d.id, d.domain, d.status, d.enabled, ("shared.example.com",))
        for d in observed.distributions
    )
    observed = Observed({}, distributions=twins, distribution_configs=observed.distribution_configs)
    out = plan_associations([fn("a", ("shared.example.com", "default", REQ))], observed)
    assert [r.message for r in out.refusals] == [
        "`shared.example.com` names several distributions (E1, E2); give one Id"
    ]


def test_the_mode_cuts_what_is_carried() -> None:
    observed = seen(E1=config(behaviour(("b", REQ))))
    specs = [fn("a", ("E1", "default", RES)), fn("b")]
    assert plan_associations(specs, observed, Mode.PUBLISH.carried).distributions[0].carried == (
        Action.DETACH,
        Action.ATTACH,
    )
    assert plan_associations(specs, observed, Mode.PLAN.carried).distributions[0].carried == ()
    assert plan_associations(specs, observed, Mode.SYNC.carried).distributions[0].carried == ()


def test_the_rewrite_changes_only_the_function_associations_it_names() -> None:
    read = config(
        behaviour(("b", REQ), ("keep", RES)),
        behaviour(("a", RES), path="/api/*"),
        behaviour(("x", REQ), path="/img/*"),
    )
    before = copy.deepcopy(read)
    moves = [SlotChange(None, REQ, "b", "a"), SlotChange("/api/*", RES, "a", None)]
    out = rewritten(read, moves, {Ref(Kind.FUNCTION, "a"): ACCOUNT + "a"})
    assert read == before  # the config as read is never changed in place
    assert out["DefaultCacheBehavior"]["FunctionAssociations"] == {
        "Quantity": 2,
        "Items": [
            {"FunctionARN": ACCOUNT + "a", "EventType": REQ},
            {"FunctionARN": ACCOUNT + "keep", "EventType": RES},
        ],
    }
    assert out["CacheBehaviors"]["Items"][0]["FunctionAssociations"] == {"Quantity": 0}
    for where in (out, before):  # everything else is as read
        where["DefaultCacheBehavior"].pop("FunctionAssociations")
        where["CacheBehaviors"]["Items"][0].pop("FunctionAssociations")
    assert out == before


def plan_of(cfg: dict[str, Any]) -> DistributionPlan:
    return plan_associations([fn("a", ("E1", "default", REQ)), fn("b")], seen(E1=cfg)).distributions[0]


def test_replan_keeps_a_change_someone_made_elsewhere() -> None:
    dp = plan_of(config(behaviour(("b", REQ))))
    fresh = config(behaviour(("b", REQ)))
    fresh["Comment"] = "theirs"
    again = replan(dp, DistributionConfig("E1", "E1-fresh", fresh))
    assert again.conflicts == () and again.plan.changes == dp.changes
    assert again.plan.read.etag == "E1-fresh" and again.plan.read.config["Comment"] == "theirs"


@pytest.mark.parametrize(
    ("theirs", "conflicts", "done"),
    [
        (
            (("x", REQ),),
            ["default viewer-request: this run would put a where it read b; someone else put x there"],
            0,
        ),
        (
            (),
            ["default viewer-request: this run would put a where it read b; someone else put nothing there"],
            0,
        ),
        ((("a", REQ),), [], 1),  # what the run wanted is there already: a lost answer
    ],
)
def test_replan_on_the_same_slot(
    theirs: tuple[tuple[str, str], ...], conflicts: list[str], done: int
) -> None:
    dp = plan_of(config(behaviour(("b", REQ))))
    again = replan(dp, DistributionConfig("E1", "E1-fresh", config(behaviour(*theirs))))
    assert list(again.conflicts) == conflicts
    assert len(again.done) == done
    assert again.plan.changes == () and again.plan.carried == ()


def test_a_held_function_drops_only_its_own_slots() -> None:
    observed = seen(E1=config(behaviour(("c", RES))))
    dp = plan_associations([fn("a", ("E1", "default", REQ)), fn("c")], observed).distributions[0]
    left = dp.without({Ref(Kind.FUNCTION, "a")})
    assert changes(left) == [("default", RES, "c", None)] and left.carried == (Action.DETACH,)
    assert dp.without({Ref(Kind.FUNCTION, "a"), Ref(Kind.FUNCTION, "c")}).changes == (
        SlotChange(None, RES, "c", None),
    )  # a detach needs no publish


def test_an_event_no_test_case_covers_is_refused() -> None:
    request = {"context": {"eventType": REQ}, "request": {}}
    spec = FunctionSpec(
        "a",
        tests=(Case("t", request, None, 70),),
        associations=(AssociationSpec("E1", "default", RES, 9), AssociationSpec("E1", "default", REQ, 10)),
    )
    out = plan_associations([spec], seen(E1=config(behaviour())))
    assert [(r.line, r.message) for r in out.refusals] == [
        (
            9,
            "its test cases are all viewer-request events, so its code is written for that; attach it there, or add a viewer-response test case",
        )
    ]
    untested = FunctionSpec("a", associations=(AssociationSpec("E1", "default", RES, 9),))
    assert plan_associations([untested], seen(E1=config(behaviour()))).refusals == ()


MTLS = {"Mode": "required", "TrustStoreConfig": {"TrustStoreId": "ts-1"}}


def gate(name: str, *dists: str) -> FunctionSpec:
    """A connection function whose distributions the manifest manages."""
    places = tuple(AssociationSpec(d, "default", CONNECTION_EVENT, 9) for d in dists)
    return FunctionSpec(name, associations=places, kind=Kind.CONNECTION_FUNCTION)


def mtls(cid: str = "", **extra: Any) -> dict[str, Any]:
    out = {**config(behaviour()), "ViewerMtlsConfig": MTLS, **extra}
    return {**out, "ConnectionFunctionAssociation": {"Id": cid}} if cid else out


def with_names(observed: Observed, **names: str) -> Observed:
    return replace(observed, connection_names=names)


def test_a_connection_function_is_the_distributions_own_slot_and_shares_its_write() -> None:
    observed = seen(E1=mtls())
    (dp,) = plan_associations(
        [fn("gate", ("E1", "default", REQ)), gate("gate", "e1.example.com")], observed
    ).distributions
    assert changes(dp) == [("default", CONNECTION_EVENT, None, "gate"), ("default", REQ, None, "gate")]
    assert dp.attaching == {Ref(Kind.FUNCTION, "gate"), Ref(Kind.CONNECTION_FUNCTION, "gate")}
    out = rewritten(
        dp.read.config,
        dp.changes,
        {Ref(Kind.FUNCTION, "gate"): ACCOUNT + "gate", Ref(Kind.CONNECTION_FUNCTION, "gate"): "cf1"},
    )
    assert out["ConnectionFunctionAssociation"] == {"Id": "cf1"}
    assert out["DefaultCacheBehavior"]["FunctionAssociations"]["Items"] == [
        {"FunctionARN": ACCOUNT + "gate", "EventType": REQ}
    ]


def test_detached_where_it_runs_and_is_not_listed_and_the_name_comes_from_the_listing() -> None:
    observed = with_names(seen(E1=mtls("cf1")), cf1="gate")
    (dp,) = plan_associations([gate("gate")], observed).distributions
    assert changes(dp) == [("default", CONNECTION_EVENT, "gate", None)]
    assert "ConnectionFunctionAssociation" not in rewritten(dp.read.config, dp.changes, {})
    assert plan_associations([fn("gate")], observed).distributions == ()  # a viewer function of that name


def test_refusals_name_the_distribution_and_the_holder() -> None:
    observed = with_names(seen(E1=config(behaviour()), E2=mtls("cf9")), cf9="theirs")
    out = plan_associations([gate("gate", "E1", "E2")], observed)
    messages = [r.message for r in out.refusals]
    assert any("distribution E1 has no viewer mTLS configured" in m for m in messages)
    assert any("connection function `theirs` runs on distribution E2" in m for m in messages)
    assert out.distributions == ()


def test_two_connection_functions_on_one_distribution_are_refused() -> None:
    out = plan_associations([gate("a", "E1"), gate("b", "E1")], seen(E1=mtls()))
    assert ["one connection function per distribution" in r.message for r in out.refusals] == [True]


def test_viewer_mtls_without_a_trust_store_is_not_enough() -> None:
    observed = seen(E1={**config(behaviour()), "ViewerMtlsConfig": {"Mode": "required"}})
    assert plan_associations([gate("gate", "E1")], observed).refusals
