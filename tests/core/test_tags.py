"""Tags as desired state, with values alone: which keys are set or removed, what the plan calls for,
and what it leaves alone (the code's writes, a key the manifest does not name)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from publisher.core.manifest import parse
from publisher.core.modes import Action, Kind, Mode, Ref
from publisher.core.plan import make_plan, plan_function
from publisher.core.tags import TagChange, merged, plan_tags, tag_problems
from tests.factories import fn, manifest, observed, stage


@pytest.mark.parametrize(
    ("wanted", "held", "sets", "removes"),
    [
        ({"a": "1"}, {}, {"a": "1"}, ()),
        ({"a": "1"}, {"a": "1", "theirs": "x"}, {}, ()),
        ({"a": "2"}, {"a": "1"}, {"a": "2"}, ()),
        ({"a": None}, {"a": "1", "b": "2"}, {}, ("a",)),
        ({"a": None}, {}, {}, ()),
        (None, {"a": "1"}, {}, ()),
    ],
)
def test_plan_tags_changes_only_the_keys_the_manifest_names(
    wanted: dict[str, str | None] | None, held: dict[str, str], sets: dict[str, str], removes: tuple[str, ...]
) -> None:
    change = plan_tags(wanted, held)
    assert (dict(change.sets), change.removes) == (sets, removes)


def test_an_unread_resource_has_no_tag_change() -> None:
    assert not plan_tags({"a": "1"}, None)


def test_a_rollback_leaves_a_key_someone_changed_since() -> None:
    change = plan_tags({"a": "1", "b": "1"}, {"a": "2", "b": "theirs"}, after={"a": "2", "b": "2"})
    assert dict(change.sets) == {"a": "1"} and change.theirs == ("b",)
    assert "b changed by someone else since" in change.reason


def test_the_reason_and_the_backup_name_old_values() -> None:
    change = TagChange({"a": "2", "n": "1"}, ("r",), {"a": "1", "r": "x"})
    assert change.reason == "tags: a=2 (was 1), n=1, remove r"
    assert change.previous == {"a": "1", "n": None, "r": "x"}
    assert change.actions == (Action.TAG, Action.UNTAG)


def test_an_entry_wins_over_defaults_and_its_null_removes_a_default() -> None:
    assert merged({"team": "web", "cost": "1"}, {"team": None}) == {"team": None, "cost": "1"}
    assert merged({}, None) is None


@pytest.mark.parametrize("key", ["", "k" * 129, "a!b", "aws:x", "AWS:x"])
def test_keys_the_api_refuses_are_refused_while_loading(key: str) -> None:
    assert tag_problems({key: "v"})


def test_the_manifest_reads_tags_on_every_kind_and_locates_a_bad_one() -> None:
    text = (
        b"defaults:\n  tags: {team: web}\nfunctions:\n  - name: a\n    code: a.js\n    tags: {x: null}\n"
        b"connection-functions:\n  - name: c\n    code: c.js\n"
        b"key-value-stores:\n  - name: s\n    tags: {'bad!': v}\n"
    )
    loaded, problems = parse(text, "m.yml")
    assert [(f.ref, f.tags) for f in loaded.functions] == [
        (Ref(Kind.FUNCTION, "a"), {"team": "web", "x": None}),
        (Ref(Kind.CONNECTION_FUNCTION, "c"), {"team": "web"}),
    ]
    assert [(p.line, p.field) for p in problems] == [(12, "s.tags")]


def test_a_tags_only_change_is_neither_an_update_nor_a_publish() -> None:
    same = stage(b"v2", "E1", comment=None)
    seen = replace(observed(fn=(same, stage(b"v2", "E2", comment=None))), tags={Ref(Kind.FUNCTION, "fn"): {}})
    fp = plan_function(fn(comment=None, tags={"team": "web"}), seen)
    assert fp.actions == (Action.TAG,) and fp.carried == (Action.TAG,)
    assert fp.reason == "tags: team=web"


def test_tags_come_after_the_code_and_sync_carries_them() -> None:
    old = stage(b"v1", "E1", comment=None)
    seen = replace(observed(fn=(old, old)), tags={Ref(Kind.FUNCTION, "fn"): {"team": "web"}})
    plan = make_plan(manifest(fn(comment=None, tags={"team": None})), seen, Mode.SYNC)
    (fp,) = plan.functions
    assert fp.actions == (Action.UPDATE, Action.PUBLISH, Action.UNTAG)
    assert fp.carried == (Action.UPDATE, Action.UNTAG)


def test_a_function_to_create_takes_its_tags_in_the_create_call_not_a_tag_write() -> None:
    fp = plan_function(fn(tags={"team": "web"}), observed())
    assert fp.actions == (Action.CREATE, Action.PUBLISH)


def test_a_tags_backup_is_read_back_or_refused_with_its_file() -> None:
    from publisher.core.errors import Problem
    from publisher.core.tag_rollback import TagBackup, parse_tag_backup

    saved = {
        "Kind": "function",
        "Name": "a",
        "Resource": "arn:aws:cloudfront::123456789012:function/a",
        "Tags": [{"Key": "team", "Before": "web", "After": None}],
    }
    read = parse_tag_backup(json.dumps(saved), "b/20261207T000000Z/a.TAGS.function.json", "20261207T000000Z")
    assert isinstance(read, TagBackup) and read.before == {"team": "web"} and read.after == {"team": None}
    other = parse_tag_backup(json.dumps(saved), "b/x/b.TAGS.function.json", "x")
    assert isinstance(other, Problem) and "names a" in other.message
    broken = parse_tag_backup("{", "b/x/a.TAGS.function.json", "x")
    assert isinstance(broken, Problem) and broken.file == "b/x/a.TAGS.function.json"
