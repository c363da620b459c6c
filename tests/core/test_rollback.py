"""A backup folder as desired state: which backup each function returns to, and how the plan treats it."""

from __future__ import annotations

import dataclasses
import json

import pytest

from publisher.core.errors import Problem
from publisher.core.model import FunctionConfig
from publisher.core.modes import Action, Kind, Mode, Ref
from publisher.core.plan import make_plan
from publisher.core.rollback import (
    Backup,
    StoreBackup,
    checked,
    newest,
    parse_backup,
    parse_store_backup,
    restore_manifest,
    when,
)
from tests.factories import observed, stage

CONFIG = FunctionConfig("c", "cloudfront-js-2.0")


def by_ref(*backups: Backup) -> dict[Ref, Backup]:
    return {b.ref: b for b in backups}


def backup(fn: str, stamp: str, code: bytes = b"old", replaced_by: str = "publish") -> Backup:
    return Backup(fn, "E1", code, CONFIG, stamp, f"b/{stamp}/{fn}.LIVE.E1.js", replaced_by)


def saved(**extra: object) -> str:
    return json.dumps({"Name": "a", "ETag": "E1", "Comment": "c", "Runtime": "cloudfront-js-2.0", **extra})


def test_each_function_returns_to_its_newest_backup() -> None:
    chosen = newest(
        [
            backup("a", "20250102T000000Z", b"a2"),
            backup("a", "20250101T000000Z", b"a1"),
            backup("b", "1", b"b"),
        ]
    )
    assert {n.name: b.code for n, b in chosen.items()} == {"a": b"a2", "b": b"b"}


def test_a_backup_a_rollback_saved_is_passed_over_unless_it_is_the_only_one() -> None:
    """Else a second rollback from the same folder would publish what the first one replaced."""
    chosen = newest(
        [backup("a", "1", b"good"), backup("a", "2", b"bad", "rollback"), backup("b", "2", b"x", "rollback")]
    )
    assert chosen[Ref(Kind.FUNCTION, "a")].code == b"good"
    assert chosen[Ref(Kind.FUNCTION, "b")].code == b"x"


def test_a_backup_is_read_with_its_whole_config() -> None:
    arn = "arn:aws:cloudfront::123456789012:key-value-store/k"
    found = parse_backup(saved(KeyValueStoreARNs=[arn]), b"code", "b/s/a.LIVE.E1.js", "s")
    assert isinstance(found, Backup)
    assert found.config == FunctionConfig("c", "cloudfront-js-2.0", (arn,))
    (spec,) = restore_manifest(by_ref(found), "b").functions
    assert (spec.key_value_store, spec.tests, spec.restored_from) == (arn, (), "b/s/a.LIVE.E1.js")


@pytest.mark.parametrize(
    ("text", "code", "shown", "message"),
    [
        ("{", b"x", "b/a.LIVE.E1.js", "not a backup this tool wrote"),
        (saved(Runtime="python"), b"x", "b/a.LIVE.E1.js", "not a backup this tool wrote"),
        (saved(Runtime="cloudfront-js-3.0"), b"x", "b/a.LIVE.E1.js", "Runtime"),
        (saved(Comment="c" * 129), b"x", "b/a.LIVE.E1.js", "Comment"),
        (saved(KeyValueStoreARNs=["flags"]), b"x", "b/a.LIVE.E1.js", "KeyValueStoreARNs"),
        (
            saved(Runtime="cloudfront-js-1.0", KeyValueStoreARNs=["arn:kvs"]),
            b"x",
            "b/a.LIVE.E1.js",
            "needs runtime cloudfront-js-2.0",
        ),
        (saved(), b"x", "b/other.LIVE.E1.js", "names function a"),
        (saved(), "`b/a.LIVE.E1.js` is 10,241 bytes; the limit is 10,240", "b/a.LIVE.E1.js", "10,241 bytes"),
        (saved(), b"", "b/a.LIVE.E1.js", "is empty"),
    ],
)
def test_a_file_that_is_not_a_backup_is_refused(
    text: str, code: bytes | str, shown: str, message: str
) -> None:
    found = parse_backup(text, code, shown, "s")
    assert isinstance(found, Problem) and message in found.message


def test_a_rollback_does_not_create_a_function_that_no_longer_exists() -> None:
    manifest = restore_manifest(by_ref(backup("a", "1")), "b")
    (fp,) = make_plan(manifest, observed(), Mode.ROLLBACK).functions
    assert fp.error and "does not create" in fp.error and fp.carried == ()


def test_a_backup_a_retire_saved_creates_the_function_again_and_publishes_it() -> None:
    parsed = parse_backup(saved(ReplacedBy="retire"), b"old", "b/1/a.LIVE.E1.js", "1")
    assert isinstance(parsed, Backup)
    manifest = restore_manifest(by_ref(parsed), "b")
    (fp,) = make_plan(manifest, observed(), Mode.ROLLBACK).functions
    assert fp.error is None and fp.carried == (Action.CREATE, Action.PUBLISH)
    assert "deleted by a retire" in fp.reason
    (seen,) = make_plan(manifest, observed(), Mode.PLAN).functions
    assert seen.actions == (Action.CREATE, Action.PUBLISH) and seen.carried == ()
    connection = dataclasses.replace(parsed, kind=Kind.CONNECTION_FUNCTION)
    (gate,) = make_plan(restore_manifest(by_ref(connection), "b"), observed(), Mode.ROLLBACK).functions
    assert gate.error is None and gate.carried == (Action.CREATE, Action.PUBLISH)  # its new Id: see below


def test_a_function_whose_live_holds_the_backup_gets_no_write() -> None:
    """Even with DEVELOPMENT changed since: restoring LIVE is done, and DEVELOPMENT is someone's work."""
    manifest = restore_manifest(by_ref(backup("a", "1", b"old")), "b")
    (fp,) = make_plan(manifest, observed(a=(stage(b"theirs"), stage(b"old"))), Mode.ROLLBACK).functions
    assert fp.writes == () and "LIVE already holds" in fp.reason


def test_a_rollback_updates_and_publishes_like_a_publish() -> None:
    manifest = restore_manifest(by_ref(backup("a", "1", b"old")), "b")
    (fp,) = make_plan(manifest, observed(a=(stage(b"bad"), stage(b"bad"))), Mode.ROLLBACK).functions
    assert fp.carried == (Action.UPDATE, Action.PUBLISH)
    assert "backup" in fp.repo_diff


def test_a_store_backup_undoes_its_run_and_a_sensitive_one_is_refused() -> None:
    import json as _json

    from publisher.core.errors import Problem as _Problem
    from publisher.core.rollback import StoreBackup, parse_store_backup, store_spec
    from publisher.core.stores import wanted_keys

    saved = {
        "Name": "flags",
        "KvsARN": "arn:kvs",
        "ETag": "K1",
        "Keys": [{"key": "a", "value": "old"}],
        "Added": ["b"],
    }
    backup = parse_store_backup(_json.dumps(saved), "b/run/flags.KVS.K1.json", "run")
    assert isinstance(backup, StoreBackup)
    assert wanted_keys(store_spec(backup), {"a": "new", "b": "added", "c": "theirs"}) == {
        "a": "old",
        "c": "theirs",
    }
    hashed = parse_store_backup(_json.dumps(saved | {"Sensitive": True}), "b/run/flags.KVS.K1.json", "run")
    assert isinstance(hashed, StoreBackup) and hashed.sensitive and not hashed.restore  # no hash as a value
    _, refused = checked(restore_manifest({}, "b", {"flags": hashed}))
    assert [p.message for p in refused if "hashes, not values" in p.message], refused
    assert all(isinstance(p, _Problem) for p in refused)


def test_a_store_backup_is_refused_when_its_file_names_another_store() -> None:
    text = json.dumps({"Name": "other", "KvsARN": "arn:kvs", "ETag": "K1"})
    found = parse_store_backup(text, "b/run/flags.KVS.K1.json", "run")
    assert isinstance(found, Problem) and "names store other" in found.message


def test_a_sensitive_store_refuses_only_the_rollback_of_a_function_that_reads_it() -> None:
    text = json.dumps({"Name": "secrets", "KvsARN": "arn:kvs:s", "ETag": "K1", "Sensitive": True})
    store = parse_store_backup(text, "b/run/secrets.KVS.K1.json", "run")
    assert isinstance(store, StoreBackup)
    reader = parse_backup(saved(KeyValueStoreARNs=["arn:kvs:s"]), b"code", "b/run/a.LIVE.E1.js", "run")
    other = parse_backup(saved(Name="b"), b"code", "b/run/b.LIVE.E1.js", "run")
    assert isinstance(reader, Backup) and isinstance(other, Backup)
    whole = restore_manifest(by_ref(reader, other), "b", {"secrets": store})
    assert checked(whole.select(["b"]))[1] == []
    assert [p.file for p in checked(whole.select(["a"]))[1]] == ["b/run/secrets.KVS.K1.json"]
    assert len(checked(whole)[1]) == 1


def test_a_backup_in_no_runs_folder_is_older_than_every_run() -> None:
    """Files at the top of the folder (its own name is no stamp) never beat a stamped run."""
    chosen = newest(
        [backup("a", "cloudfront-backups", b"loose"), backup("a", "20250101T000000.000Z", b"run")]
    )
    assert chosen[Ref(Kind.FUNCTION, "a")].code == b"run"
    assert when("20261207T153515.123Z") == "20261207T153515.123Z" and when("restore") == ""


def test_a_backup_is_checked_against_the_language_of_its_runtime() -> None:
    found = parse_backup(saved(Runtime="cloudfront-js-1.0"), b"const x = 1;\n", "b/s/a.LIVE.E1.js", "s")
    assert isinstance(found, Backup)
    _, problems = checked(restore_manifest(by_ref(found), "b"))
    assert [(p.file, p.line) for p in problems] == [("b/s/a.LIVE.E1.js", 1)]
    assert "const" in problems[0].message


@pytest.mark.parametrize(
    ("dev", "live", "carried", "conflict"),
    [
        (b"bad", b"bad", (Action.UPDATE, Action.PUBLISH), False),  # DEVELOPMENT is LIVE: ours to replace
        (b"old", b"bad", (Action.PUBLISH,), False),  # DEVELOPMENT holds the backup already
        (b"theirs", b"bad", (), True),  # an edit nobody published: theirs
        (b"theirs", None, (), True),  # never published: all of DEVELOPMENT is someone's work
    ],
)
def test_a_rollback_writes_development_only_while_it_holds_live_or_the_backup(
    dev: bytes, live: bytes | None, carried: tuple[Action, ...], conflict: bool
) -> None:
    from publisher.core.outcome import Outcome, function_result
    from publisher.core.result import Status

    manifest = restore_manifest(by_ref(backup("a", "1", b"old")), "b")
    found = observed(a=(stage(dev, "E7"), stage(live) if live is not None else None))
    (fp,) = make_plan(manifest, found, Mode.ROLLBACK).functions
    assert fp.carried == carried
    assert fp.conflict is conflict
    result = function_result(fp, Mode.ROLLBACK, Outcome(), [])
    if conflict:
        assert result.status is Status.CONFLICT and "E7" in result.error and "not LIVE" in result.error
        assert "re-run the rollback" in result.next_step


def test_a_backup_says_its_kind_and_one_of_another_kind_is_refused() -> None:
    store_file = json.dumps(
        {"Kind": "key-value-store", "Name": "a", "ETag": "E1", "Runtime": "cloudfront-js-2.0"}
    )
    found = parse_backup(store_file, b"code", "b/run/a.LIVE.E1.js", "run")
    assert isinstance(found, Problem) and "Kind" in found.message
    legacy = json.dumps({"Name": "a", "ETag": "E1", "Runtime": "cloudfront-js-2.0"})  # written before kinds
    assert isinstance(parse_backup(legacy, b"code", "b/run/a.LIVE.E1.js", "run"), Backup)
