"""The result output's cap: what goes first, what always stays, and the mark of what went."""

from __future__ import annotations

import json

import pytest

from publisher.core.capped import capped_json


def data(
    diff: int = 0, keys: int = 0, logs: int = 0, distributions: int = 0, functions: int = 1
) -> dict[str, object]:
    test = {"name": "t", "passed": False, "logs": ["x" * 100] * logs, "mismatch": "m" * logs}
    function = {
        "name": "f",
        "status": "blocked",
        "error": "e",
        "repo_diff": "d" * diff,
        "live_diff": "",
        "tests": [test],
    }
    function["used_by"] = [{"distribution": f"E{i}", "behaviours": []} for i in range(distributions)]
    store = {
        "name": "s",
        "status": "updated",
        "added": [{"key": f"k{i}", "new": "v" * 90} for i in range(keys)],
    }
    return {
        "mode": "publish",
        "fatal": None,
        "has_changes": True,
        "published": [],
        "failed": ["f"],
        "functions": [dict(function, name=f"f{i}") for i in range(functions)],
        "stores": [store],
        "distributions": [{"id": f"E{i}", "domain": "d" * 50} for i in range(distributions)],
        "warnings": [],
    }


def test_past_every_detail_the_entries_go_and_the_names_stay() -> None:
    result = json.loads(capped_json(data(functions=400), limit=10_000))
    assert result["omitted"][-1] == "entries" and result["entries_omitted"] == {"functions": 400, "stores": 1}
    assert result["functions"] == [] and result["failed"] == ["f"]


@pytest.mark.parametrize(
    ("given", "gone"),
    [
        (data(), []),
        (data(diff=20_000), ["diffs"]),
        (data(diff=20_000, keys=200), ["diffs", "store keys"]),
        (data(logs=200), ["diffs", "store keys", "test output"]),
        (data(distributions=300), ["diffs", "store keys", "test output", "distributions"]),
        (data(functions=150), ["diffs", "store keys", "test output", "distributions", "details"]),
    ],
    ids=["small", "diffs", "keys", "test-output", "distributions", "details"],
)
def test_parts_are_left_out_in_order_until_the_text_fits(given: dict[str, object], gone: list[str]) -> None:
    keys = len(given["stores"][0]["added"])  # type: ignore[index]
    text = capped_json(given, limit=10_000)
    assert len(text.encode()) <= 10_000
    result = json.loads(text)
    assert result.get("omitted", []) == gone
    assert result["failed"] == ["f"] and result["has_changes"] is True
    assert {f["status"] for f in result["functions"]} == {"blocked"}
    assert result["stores"][0]["status"] == "updated"
    if "store keys" in gone:
        assert result["stores"][0]["keys_omitted"]["added"] == keys
