"""The pure side of KeyValueStores: diff, the conflict rule, batching and the data file's checks."""

from __future__ import annotations

import pytest

from publisher.core.stores import (
    BATCH_KEYS,
    Changes,
    Verdict,
    batches,
    diff,
    parse_data,
    recheck_store,
    shown,
)


def test_the_diff_puts_what_differs_and_deletes_what_the_file_lacks() -> None:
    assert diff({"a": "1", "b": "2"}, {"a": "1", "b": "0", "c": "3"}) == Changes({"b": "2"}, ("c",))
    assert not diff({"a": "1"}, {"a": "1"})


@pytest.mark.parametrize(
    ("fresh", "verdict", "left", "theirs"),
    [
        ({"a": "0", "c": "3"}, Verdict.GO_ON, Changes({"a": "1"}, ("c",)), ()),  # nothing moved
        ({"a": "1", "c": "3"}, Verdict.GO_ON, Changes({}, ("c",)), ()),  # our own put landed
        ({"a": "theirs", "c": "3"}, Verdict.CONFLICT, None, ()),
        ({"a": "0"}, Verdict.GO_ON, Changes({"a": "1"}), ()),  # the key we meant to delete is gone
        ({"a": "0", "c": "theirs"}, Verdict.CONFLICT, None, ()),
        # a key the run never meant to touch is theirs: kept, named, never deleted or put back
        ({"a": "0", "c": "3", "z": "new"}, Verdict.GO_ON, Changes({"a": "1"}, ("c",)), ("z",)),
        ({"b": "x", "c": "3", "a": "0", "y": "2"}, Verdict.GO_ON, Changes({"a": "1"}, ("c",)), ("b", "y")),
    ],
)
def test_a_409_is_a_conflict_only_on_keys_this_run_meant_to_change(
    fresh: dict[str, str], verdict: Verdict, left: Changes | None, theirs: tuple[str, ...]
) -> None:
    wanted, seen = {"a": "1"}, {"a": "0", "c": "3"}
    again = recheck_store(diff(wanted, seen), seen, fresh)
    assert again.verdict is verdict
    if left is not None:
        assert again.changes == left
        assert again.theirs == theirs


def test_batches_stay_within_the_keys_a_request_may_hold() -> None:
    changes = Changes({f"k{i}": "v" for i in range(120)}, tuple(f"d{i}" for i in range(10)))
    sent = batches(changes)
    assert [len(b.puts) + len(b.deletes) for b in sent] == [BATCH_KEYS, BATCH_KEYS, 30]
    assert sent[0].deletes == tuple(f"d{i}" for i in range(10))


def test_a_sensitive_value_is_shown_as_a_hash() -> None:
    assert shown("secret", True) != "secret" and str(shown("secret", True)).startswith("sha256:")
    assert shown("plain", False) == "plain"


def test_the_data_file_is_checked_with_lines_and_yaml_is_accepted() -> None:
    found, problems = parse_data(b"data:\n  - key: a\n    value: '1'\n  - key: a\n    value: '2'\n", "f.yml")
    assert found is None and [(p.line, "listed twice" in p.message) for p in problems] == [(4, True)]
    found, problems = parse_data(b'{"data": [{"key": "a", "value": "1"}]}', "f.json")
    assert found == {"a": "1"} and problems == []
    _, problems = parse_data(b'{"data": [{"key": "a", "value": 1}]}', "f.json")
    assert "must be a string" in problems[0].message


def test_a_rollback_plans_no_write_for_a_store_that_no_longer_exists() -> None:
    """A store is created only from a data file; a rollback's keys alone would make a different store."""
    from publisher.core.modes import Mode
    from publisher.core.outcome import Outcome, store_result
    from publisher.core.result import Status
    from publisher.core.store_plan import plan_store
    from publisher.core.stores import Changes, StoreSpec

    spec = StoreSpec("flags", restore=Changes({"a": "old"}, ("b",)), restored_from="b/run/flags.KVS.K1.json")
    plan = plan_store(spec, None)
    assert plan.actions == () and "does not create" in (plan.error or "")
    result = store_result(plan, Mode.ROLLBACK, Outcome(), ["reader"])
    assert result.status is Status.FAILED and result.error == plan.error and result.next_step
    assert plan_store(StoreSpec("flags", data={"a": "new"}), None).actions  # a data file still creates it
