"""The result as one JSON text within a size: what is largest and least needed is left out first, and
the text says what was. No I/O.

The Action's outputs share 1 MB per job (GitHub), so its `result` output is held to RESULT_LIMIT.
Each step runs only while the text is still over the limit, and each leaves a mark in `omitted`:

1. `diffs`: the functions' code diffs (their sizes and ETags stay);
2. `store keys`: the keys a store's write adds, changes and deletes (`keys_omitted` keeps the counts);
3. `test output`: the logs and mismatches of the test cases (pass, error and utilization stay);
4. `distributions`: the distributions and the cache behaviours that use each function;
5. `details`: every function's and store's entry but its name, status, error and what it did;
6. `entries`: the entries themselves (`entries_omitted` counts them); the lists of names stay.

What a workflow reads to decide (`fatal`, `has_changes`, `published`, `failed`, each function's and
store's status) is never left out. `diffs_omitted` stays for readers of the first version of the cap.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

RESULT_LIMIT = 512 * 1024  # bytes of JSON (ASCII: json.dumps escapes the rest)

Data = dict[str, Any]


def _diffs(data: Data) -> None:
    for f in data.get("functions", []):
        f["repo_diff"] = f["live_diff"] = ""
    data["diffs_omitted"] = True


def _store_keys(data: Data) -> None:
    for s in data.get("stores", []):
        s["keys_omitted"] = {kind: len(s.get(kind, [])) for kind in ("added", "changed", "deleted")}
        s["added"], s["changed"], s["deleted"] = [], [], []


def _test_output(data: Data) -> None:
    for f in data.get("functions", []):
        for t in f.get("tests", []):
            t["logs"], t["mismatch"] = [], ""


def _distributions(data: Data) -> None:
    data["distributions"] = []
    for f in data.get("functions", []):
        f["used_by"] = []


_KEPT = ("name", "status", "actions", "done", "error", "next_step", "keys_omitted")


def _details(data: Data) -> None:
    for kind in ("functions", "stores"):
        data[kind] = [{k: v for k, v in entry.items() if k in _KEPT} for entry in data.get(kind, [])]
    data["warnings"] = data.get("warnings", [])[:20]


def _entries(data: Data) -> None:
    data["entries_omitted"] = {kind: len(data.get(kind, [])) for kind in ("functions", "stores")}
    data["functions"], data["stores"], data["warnings"] = [], [], []


STEPS: tuple[tuple[str, Callable[[Data], None]], ...] = (
    ("diffs", _diffs),
    ("store keys", _store_keys),
    ("test output", _test_output),
    ("distributions", _distributions),
    ("details", _details),
    ("entries", _entries),
)


def capped_json(data: Data, limit: int = RESULT_LIMIT) -> str:
    """`data` (a result dumped as JSON-ready values, changed in place) as JSON text of at most `limit`
    bytes, when its top-level fields fit at all; the parts left out are named in `omitted`."""
    text = json.dumps(data)
    omitted: list[str] = []
    for name, leave_out in STEPS:
        if len(text) <= limit:
            break
        leave_out(data)
        omitted.append(name)
        data["omitted"] = omitted
        text = json.dumps(data)
    return text
