"""The console report with stores: one totals line that counts every resource, a store's lines before
the functions', and an exit status that sees a change to a store alone."""

from __future__ import annotations

import pytest

from publisher.core.modes import Mode
from publisher.core.report import CHANGES, console, exit_status, totals
from publisher.core.result import FunctionResult, KeyReport, Result, Status, StoreResult


def fn(
    status: Status, actions: tuple[str, ...] = (), done: tuple[str, ...] = (), **kw: object
) -> FunctionResult:
    return FunctionResult(name="f", status=status, actions=list(actions), done=list(done), **kw)  # type: ignore[arg-type]


def kvs(
    status: Status, actions: tuple[str, ...] = (), done: tuple[str, ...] = (), **kw: object
) -> StoreResult:
    return StoreResult(name="cfg", status=status, actions=list(actions), done=list(done), **kw)  # type: ignore[arg-type]


PLANNED_KEYS = kvs(Status.PLANNED, ("update-keys",), reason="1 to change")
PLANNED_NEW = kvs(Status.PLANNED, ("create", "update-keys"), reason="not in the account yet; 1 to add")
UPDATED = kvs(Status.UPDATED, ("update-keys",), ("update-keys",))
UNCHANGED_STORE = kvs(Status.UNCHANGED)
FAILED_STORE = kvs(Status.FAILED, ("update-keys",), error="UpdateKeys: AccessDenied: refused")
UNCHANGED = fn(Status.UNCHANGED)
PUBLISHED = fn(Status.PUBLISHED, ("update", "publish"), ("update", "publish"))
BLOCKED = fn(
    Status.BLOCKED,
    ("update", "publish"),
    reason="code differs from DEVELOPMENT",
    error="KeyValueStore `cfg` failed: UpdateKeys: AccessDenied: refused; not synced, not published",
    next_step="Fix what stopped KeyValueStore `cfg` and re-run; LIVE still serves what it served.",
)


@pytest.mark.parametrize(
    ("result", "line"),
    [
        (
            Result(mode=Mode.PLAN, functions=[UNCHANGED], stores=[PLANNED_KEYS]),
            "Plan: 0 to create, 0 to update, 0 to publish, 1 unchanged; KeyValueStores: 1 to update-keys.",
        ),
        (
            Result(mode=Mode.PREVIEW, functions=[], stores=[PLANNED_NEW, PLANNED_KEYS]),
            "Plan: 0 to create, 0 to update, 0 to publish, 0 unchanged; "
            "KeyValueStores: 1 to create, update-keys, 1 to update-keys.",
        ),
        (
            Result(mode=Mode.PLAN, functions=[UNCHANGED], stores=[FAILED_STORE]),
            "Plan: 0 to create, 0 to update, 0 to publish, 1 unchanged; KeyValueStores: 1 failed.",
        ),
        (
            Result(mode=Mode.PUBLISH, functions=[PUBLISHED], stores=[UPDATED]),
            "Done: 1 published; KeyValueStores: 1 updated.",
        ),
        (
            Result(mode=Mode.SYNC, functions=[UNCHANGED], stores=[UPDATED]),
            "Done: 1 unchanged; KeyValueStores: 1 updated.",
        ),
        (
            Result(mode=Mode.PUBLISH, stores=[UPDATED]),
            "Done: no function written; KeyValueStores: 1 updated.",
        ),
        (
            Result(mode=Mode.PUBLISH, functions=[BLOCKED], stores=[FAILED_STORE]),
            "Done: 1 blocked; KeyValueStores: 1 failed.",
        ),
        (
            Result(mode=Mode.PUBLISH, functions=[UNCHANGED], stores=[UNCHANGED_STORE]),
            "Done: 1 unchanged; KeyValueStores: 1 unchanged.",
        ),
        (
            Result(mode=Mode.PUBLISH, functions=[PUBLISHED]),
            "Done: 1 published.",
        ),  # no stores, no word of them
        (Result(mode=Mode.PUBLISH), "Done: nothing to do."),
    ],
)
def test_the_totals_count_every_resource(result: Result, line: str) -> None:
    assert totals(result) == line


def test_a_planned_store_comes_first_with_its_keys() -> None:
    store = kvs(
        Status.PLANNED,
        ("update-keys",),
        reason="1 to add, 1 to change, 1 to delete",
        added=[KeyReport(key="new", new="n")],
        changed=[KeyReport(key="mod", old="0", new="1")],
        deleted=[KeyReport(key="gone", old="g")],
    )
    lines = console(
        Result(
            mode=Mode.PLAN,
            functions=[fn(Status.PLANNED, ("publish",), reason="never published")],
            stores=[store],
        )
    )
    assert lines[:5] == [
        "~ update-keys      store cfg  1 to add, 1 to change, 1 to delete",
        "    + new = n",
        "    ~ mod = 0 → 1",
        "    - gone (was g)",
        "↑ publish          f  never published",
    ]
    assert (
        lines[-1]
        == "Plan: 0 to create, 0 to update, 1 to publish, 0 unchanged; KeyValueStores: 1 to update-keys."
    )


def test_a_failed_store_and_the_function_it_held_back_each_say_what_to_do() -> None:
    store = kvs(
        Status.FAILED,
        ("update-keys",),
        reason="1 to change",
        error="UpdateKeys: AccessDenied: refused",
        next_step="Nothing was written for this store; re-run once the cause is fixed.",
    )
    lines = console(Result(mode=Mode.PUBLISH, functions=[BLOCKED], stores=[store]))
    assert lines == [
        "! failed           store cfg  1 to change",
        "    error: UpdateKeys: AccessDenied: refused",
        "    next: Nothing was written for this store; re-run once the cause is fixed.",
        "⊘ blocked          f  code differs from DEVELOPMENT",
        "    error: KeyValueStore `cfg` failed: UpdateKeys: AccessDenied: refused; not synced, not published",
        "    next: Fix what stopped KeyValueStore `cfg` and re-run; LIVE still serves what it served.",
        "Done: 1 blocked; KeyValueStores: 1 failed.",
    ]


@pytest.mark.parametrize(
    ("result", "plain", "detailed"),
    [
        (Result(mode=Mode.PLAN, functions=[UNCHANGED], stores=[PLANNED_KEYS]), 0, CHANGES),
        (Result(mode=Mode.PUBLISH, functions=[UNCHANGED], stores=[UPDATED]), 0, CHANGES),
        (Result(mode=Mode.SYNC, stores=[UPDATED]), 0, CHANGES),
        (Result(mode=Mode.PUBLISH, functions=[UNCHANGED], stores=[UNCHANGED_STORE]), 0, 0),
        (Result(mode=Mode.PUBLISH, functions=[UNCHANGED], stores=[FAILED_STORE]), 1, 1),
        (Result(mode=Mode.PUBLISH, functions=[BLOCKED], stores=[FAILED_STORE]), 1, 1),
    ],
)
def test_a_change_to_a_store_alone_is_a_change(result: Result, plain: int, detailed: int) -> None:
    assert (exit_status(result), exit_status(result, detailed=True)) == (plain, detailed)
