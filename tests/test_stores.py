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
    ("fresh", "verdict"),
    [
        ({"a": "0", "c": "3"}, Verdict.GO_ON),  # nothing of ours moved
        ({"a": "1", "c": "3"}, Verdict.GO_ON),  # our own write landed
        ({"a": "theirs", "c": "3"}, Verdict.CONFLICT),
        ({"a": "0"}, Verdict.GO_ON),  # the key we meant to delete is gone
        ({"a": "0", "c": "theirs"}, Verdict.CONFLICT),
        ({"a": "0", "c": "3", "z": "new"}, Verdict.GO_ON),  # another key: diffed again, deleted
    ],
)
def test_a_409_is_a_conflict_only_on_keys_this_run_meant_to_change(
    fresh: dict[str, str], verdict: Verdict
) -> None:
    wanted, seen = {"a": "1"}, {"a": "0", "c": "3"}
    again = recheck_store(wanted, diff(wanted, seen), seen, fresh)
    assert again.verdict is verdict
    if verdict is Verdict.GO_ON:
        assert again.changes == diff(wanted, fresh)


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
    from publisher.core.result import Status
    from publisher.core.store_plan import StoreOutcome, plan_store, store_result
    from publisher.core.stores import Changes, StoreSpec

    spec = StoreSpec("flags", restore=Changes({"a": "old"}, ("b",)), restored_from="b/run/flags.KVS.K1.json")
    plan = plan_store(spec, None)
    assert plan.actions == () and "does not create" in plan.error
    result = store_result(plan, False, StoreOutcome(), ["reader"])
    assert result.status is Status.FAILED and result.error == plan.error and result.next_step
    assert plan_store(StoreSpec("flags", data={"a": "new"}), None).actions  # a data file still creates it
