from __future__ import annotations

import pytest

from publisher.core.manifest import REMOVE
from publisher.core.model import FunctionState, StageState
from publisher.core.modes import Action, Mode
from publisher.core.plan import make_plan, recheck
from tests.factories import STORE, config, fn, manifest, observed, stage


@pytest.mark.parametrize(
    ("code", "dev", "live", "actions"),
    [
        (b"v2", None, None, ["create", "publish"]),
        (b"v2", stage(b"v1"), stage(b"v1"), ["update", "publish"]),
        (b"v2", stage(b"v2"), stage(b"v1"), ["publish"]),
        (b"v2", stage(b"v2"), None, ["publish"]),
        (b"v2", stage(b"v2"), stage(b"v2"), []),
        (b"v2", stage(b"v1"), stage(b"v2"), ["update"]),  # DEVELOPMENT drifted; LIVE already serves the repo
        (None, stage(b"v2"), stage(b"v1"), ["publish"]),  # a bare name publishes what DEVELOPMENT holds
        (None, stage(b"v2"), stage(b"v2"), []),
    ],
)
def test_writes_follow_the_stages(
    code: bytes | None, dev: StageState | None, live: StageState | None, actions: list[str]
) -> None:
    plan = make_plan(manifest(fn("hdrs", code=code)), observed(hdrs=(dev, live)))
    assert [a.value for a in plan.functions[0].actions] == actions
    assert plan.functions[0].error is None


def test_a_bare_name_that_does_not_exist_is_an_error() -> None:
    plan = make_plan(manifest(fn("ghost", code=None)), observed(ghost=(None, None)))
    assert plan.functions[0].error and "no code" in plan.functions[0].error
    assert plan.functions[0].writes == ()


def test_update_rests_on_the_development_etag_and_publish_after_it_on_a_fresh_one() -> None:
    plan = make_plan(manifest(fn(code=b"v2")), observed(fn=(stage(b"v1", "DEV7"), stage(b"v1", "LIVE3"))))
    update, publish = plan.functions[0].writes
    assert (update.action, update.if_match) == (Action.UPDATE, "DEV7")
    assert (publish.action, publish.if_match) == (Action.PUBLISH, None)


def test_publish_only_rests_on_the_observed_development_etag() -> None:
    plan = make_plan(manifest(fn(code=None)), observed(fn=(stage(b"v2", "DEV7"), stage(b"v1", "LIVE3"))))
    assert [(w.action, w.if_match) for w in plan.functions[0].writes] == [(Action.PUBLISH, "DEV7")]


def test_config_left_out_is_kept_including_the_key_value_store() -> None:
    dev = stage(b"v1", comment="theirs", store=STORE)
    plan = make_plan(manifest(fn(code=b"v2")), observed(fn=(dev, dev)))
    target = plan.functions[0].target
    assert target is not None and target.config == config("theirs", store=STORE)


@pytest.mark.parametrize(
    ("setting", "held", "expected"),
    [
        (None, STORE, (STORE,)),
        (REMOVE, STORE, ()),
        ("my-store", None, (STORE,)),
        (STORE, None, (STORE,)),
    ],
)
def test_key_value_store_by_name_arn_kept_or_removed(
    setting: str | None, held: str | None, expected: tuple[str, ...]
) -> None:
    dev = stage(b"v1", store=held)
    plan = make_plan(
        manifest(fn(code=b"v1", key_value_store=setting)), observed({"my-store": STORE}, fn=(dev, dev))
    )
    target = plan.functions[0].target
    assert target is not None and target.config.key_value_store_arns == expected


def test_an_unknown_key_value_store_is_an_error() -> None:
    plan = make_plan(manifest(fn(key_value_store="nope")), observed(fn=(None, None)))
    assert plan.functions[0].error == "KeyValueStore `nope` does not exist"


def test_manifest_config_differences_are_named() -> None:
    dev = stage(b"v1", comment="old")
    plan = make_plan(manifest(fn(code=b"v1", comment="new")), observed(fn=(dev, dev)))
    assert plan.functions[0].reason.startswith("comment differs from DEVELOPMENT")
    assert "-comment: old" in plan.functions[0].repo_diff and "+comment: new" in plan.functions[0].repo_diff


def test_diffs_run_repository_to_development_and_development_to_live() -> None:
    plan = make_plan(manifest(fn(code=b"fresh\n")), observed(fn=(stage(b"dev\n"), stage(b"live\n"))))
    f = plan.functions[0]
    assert "-dev" in f.repo_diff and "+fresh" in f.repo_diff
    assert "-live" in f.live_diff and "+fresh" in f.live_diff


def test_create_uses_defaults_where_nothing_is_held() -> None:
    plan = make_plan(manifest(fn(code=b"x")), observed(fn=(None, None)))
    target = plan.functions[0].target
    assert target is not None and target.config == config("", "cloudfront-js-2.0")


@pytest.mark.parametrize(
    ("mode", "carried"),
    [
        (Mode.CHECK, ()),
        (Mode.PLAN, ()),
        (Mode.PREVIEW, ()),
        (Mode.SYNC, (Action.CREATE,)),
        (Mode.PUBLISH, (Action.CREATE, Action.PUBLISH)),
    ],
)
def test_the_plan_is_cut_to_the_mode_once(mode: Mode, carried: tuple[Action, ...]) -> None:
    plan = make_plan(manifest(fn(code=b"x")), observed(fn=(None, None)), mode)
    assert plan.functions[0].actions == (Action.CREATE, Action.PUBLISH)  # shown whole in every mode
    assert plan.functions[0].carried == carried


@pytest.mark.parametrize(
    ("fresh_dev", "synced", "conflict", "go_on_synced"),
    [
        (stage(b"found", "E9"), False, False, False),  # the ETag moved, the content did not: go on
        (stage(b"found", "E9"), True, True, False),  # after our own sync, the found code is a revert
        (stage(b"repo", "E9"), False, False, True),  # our write, its answer lost
        (stage(b"theirs", "E9"), False, True, False),  # someone else's change
        (stage(b"found", "E9", comment="theirs"), False, True, False),  # a config change alone counts
        (None, False, True, False),  # deleted
    ],
)
def test_recheck_goes_on_only_over_what_the_run_found_or_put(
    fresh_dev: StageState | None, synced: bool, conflict: bool, go_on_synced: bool
) -> None:
    found = stage(b"found", "E1")
    (fp,) = make_plan(manifest(fn(code=b"repo")), observed(fn=(found, None))).functions
    again = recheck(fp, FunctionState("fn", fresh_dev, None), since="E1", synced=synced)
    assert bool(again.conflict) is conflict
    if not conflict:
        assert (again.etag, again.synced) == ("E9", go_on_synced)
