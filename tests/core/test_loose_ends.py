"""An account's loose ends and its counts against the quotas, from values alone."""

from __future__ import annotations

from publisher.core.loose_ends import loose_ends, quota_problem
from publisher.core.model import Behaviour, Distribution, Listed
from publisher.core.modes import Kind
from publisher.core.result import Count
from tests.factories import ARN, STORE

MARKED = "cloudfront-publish preview pr3: throwaway copy of a"


def seen(name: str, comment: str = "", store: str | None = None) -> Listed:
    return Listed(name, ARN + name, comment, (store,) if store else ())


def test_loose_ends_name_what_nothing_uses_and_what_previews_left() -> None:
    functions = [
        seen("managed"),  # in the manifest, attached nowhere: not loose
        seen("attached"),  # not in the manifest, but a distribution runs it
        seen("forgotten"),  # neither
        seen("reader", store=STORE),
        seen("a-preview-pr3", MARKED),
    ]
    dist = Distribution(
        "D1", "d.example", "Deployed", True, behaviours=(Behaviour(None, "viewer-request", ARN + "attached"),)
    )
    stores = {"used": STORE, "idle": STORE + "2"}

    found = loose_ends(functions, stores, [dist], {"managed", "reader"})

    assert found.model_dump() == {
        "functions": {"count": 5, "quota": 100},
        "stores": {"count": 2, "quota": 50},
        "unattached_functions": ["forgotten"],
        "unused_stores": ["idle"],
        "throwaways": ["a-preview-pr3"],
    }


def test_an_adjusted_quota_is_a_parameter() -> None:
    found = loose_ends([seen("a")], {}, [], set(), function_quota=300, store_quota=1)
    assert (found.functions, found.stores) == (Count(count=1, quota=300), Count(count=0, quota=1))


def test_quota_problem_names_both_numbers_and_the_leftovers() -> None:
    assert quota_problem("functions", Count(count=98, quota=100), 2, ()) is None
    assert quota_problem("functions", Count(count=99, quota=100), 2, ("x-preview-pr1",)) == (
        "creating 2 functions would pass the account's quota: 99 of 100 exist; "
        "1 throwaway preview copies could be deleted (`cleanup`); nothing was created"
    )


def test_a_store_a_connection_function_reads_is_in_use_and_it_is_no_viewer_function() -> None:
    gate = Listed("gate", ARN + "gate", "", (STORE,), True, Kind.CONNECTION_FUNCTION)
    found = loose_ends([seen("a"), gate], {"revoked": STORE}, [], {"a"})
    assert found.unused_stores == [] and found.unattached_functions == []
    assert found.functions.count == 1  # the viewer functions' quota counts viewer functions
