"""Distributions keep their function associations, page by Id, and redeploy when a function is published."""

from __future__ import annotations

import time
from functools import partial
from typing import Any

import pytest
from botocore.exceptions import ClientError

from emulator import Emulator
from tests.emulator.helpers import ACCOUNT_ARN, create, distribution_config, error_of, publish

ARN = ACCOUNT_ARN + "a"


def published(cf: Any, name: str = "a") -> str:
    create(cf, name)
    publish(cf, name)
    return ACCOUNT_ARN + name


def associations(behaviour: dict[str, Any]) -> list[tuple[str, str]]:
    return [(i["FunctionARN"], i["EventType"]) for i in behaviour["FunctionAssociations"].get("Items", [])]


def test_create_get_and_list_keep_function_associations(cf: Any) -> None:
    arn = published(cf)
    created = cf.create_distribution(DistributionConfig=distribution_config("ref", arn))["Distribution"]
    fetched = cf.get_distribution(Id=created["Id"])["Distribution"]["DistributionConfig"]
    config = cf.get_distribution_config(Id=created["Id"])["DistributionConfig"]
    summary = cf.list_distributions()["DistributionList"]["Items"][0]
    for behaviour in (fetched, config, summary):
        assert associations(behaviour["DefaultCacheBehavior"]) == [(arn, "viewer-request")]
    assert summary["ETag"] == cf.get_distribution(Id=created["Id"])["ETag"]


def test_cache_behaviours_keep_their_associations(cf: Any, emu: Emulator) -> None:
    dist_id = emu.seed_distribution(
        aliases=("www.example.com",),
        default_function_arns=[(ARN, "viewer-request")],
        behaviours=[("/api/*", [(ARN, "viewer-response")]), ("/img/*", [])],
    )
    summary = cf.list_distributions()["DistributionList"]["Items"][0]
    assert summary["Id"] == dist_id
    assert summary["Aliases"]["Items"] == ["www.example.com"]
    behaviours = summary["CacheBehaviors"]["Items"]
    assert [b["PathPattern"] for b in behaviours] == ["/api/*", "/img/*"]
    assert associations(behaviours[0]) == [(ARN, "viewer-response")]
    assert associations(behaviours[1]) == []


def test_an_update_replaces_the_associations_and_needs_the_current_etag(cf: Any) -> None:
    arn = published(cf)
    created = cf.create_distribution(DistributionConfig=distribution_config("ref", arn))
    dist_id, first = created["Distribution"]["Id"], created["ETag"]
    updated = cf.update_distribution(Id=dist_id, IfMatch=first, DistributionConfig=distribution_config("ref"))
    assert updated["ETag"] != first
    assert associations(updated["Distribution"]["DistributionConfig"]["DefaultCacheBehavior"]) == []
    with pytest.raises(ClientError) as raised:
        cf.update_distribution(Id=dist_id, IfMatch=first, DistributionConfig=distribution_config("ref"))
    assert error_of(raised) == ("PreconditionFailed", 412)


def test_only_published_functions_can_be_associated(cf: Any) -> None:
    create(cf, "a")
    with pytest.raises(ClientError) as raised:
        cf.create_distribution(DistributionConfig=distribution_config("ref", ARN))
    assert error_of(raised) == ("InvalidFunctionAssociation", 400)


def test_list_distributions_pages_by_id_100_at_a_time(cf: Any, emu: Emulator) -> None:
    seeded = [emu.seed_distribution() for _ in range(230)]
    first = cf.list_distributions()["DistributionList"]
    assert (first["Quantity"], first["MaxItems"], first["IsTruncated"]) == (100, 100, True)
    assert first["NextMarker"] == first["Items"][-1]["Id"]
    pages = list(cf.get_paginator("list_distributions").paginate())
    ids = [d["Id"] for page in pages for d in page["DistributionList"].get("Items", [])]
    assert ids == seeded
    assert [page["DistributionList"]["Quantity"] for page in pages] == [100, 100, 30]
    small = cf.list_distributions(MaxItems="7", Marker=seeded[9])["DistributionList"]
    assert [d["Id"] for d in small["Items"]] == seeded[10:17]


def test_each_next_marker_is_the_last_id_of_its_page(cf: Any, emu: Emulator) -> None:
    seeded = [emu.seed_distribution() for _ in range(5)]
    first = cf.list_distributions(MaxItems="2")["DistributionList"]
    assert (first["NextMarker"], first["IsTruncated"]) == (seeded[1], True)
    second = cf.list_distributions(MaxItems="2", Marker=first["NextMarker"])["DistributionList"]
    assert [d["Id"] for d in second["Items"]] == seeded[2:4]
    assert (second["Marker"], second["NextMarker"]) == (seeded[1], seeded[3])
    last = cf.list_distributions(MaxItems="2", Marker=second["NextMarker"])["DistributionList"]
    assert [d["Id"] for d in last["Items"]] == seeded[4:]
    assert "NextMarker" not in last
    assert last["IsTruncated"] is False


@pytest.mark.parametrize("mode", [None, "direct", "tenant-only"])
def test_an_unknown_marker_is_refused_not_read_as_the_start(cf: Any, emu: Emulator, mode: str | None) -> None:
    emu.seed_distribution()
    emu.seed_distribution(connection_mode="tenant-only")
    listing = (
        partial(cf.list_distributions)
        if mode is None
        else partial(cf.list_distributions_by_connection_mode, ConnectionMode=mode)
    )
    with pytest.raises(ClientError) as raised:
        listing(Marker="E000000NOSUCH")
    assert error_of(raised) == ("InvalidArgument", 400)


def test_a_marker_may_name_a_distribution_the_listing_leaves_out(cf: Any, emu: Emulator) -> None:
    emu.seed_distribution()
    tenant = emu.seed_distribution(connection_mode="tenant-only")
    after = emu.seed_distribution()
    listing = cf.list_distributions(Marker=tenant)["DistributionList"]  # Marker from the other listing
    assert [d["Id"] for d in listing["Items"]] == [after]


def test_tenant_only_distributions_list_only_by_connection_mode(cf: Any, emu: Emulator) -> None:
    direct = [emu.seed_distribution() for _ in range(3)]
    tenant = [emu.seed_distribution(connection_mode="tenant-only") for _ in range(2)]
    plain = cf.list_distributions()["DistributionList"]["Items"]
    assert [d["Id"] for d in plain] == direct
    by_mode = cf.list_distributions_by_connection_mode(ConnectionMode="tenant-only", MaxItems=1)
    listing = by_mode["DistributionList"]
    assert [d["Id"] for d in listing["Items"]] == tenant[:1]
    assert listing["Items"][0]["ConnectionMode"] == "tenant-only"
    rest = cf.list_distributions_by_connection_mode(
        ConnectionMode="tenant-only", Marker=listing["NextMarker"]
    )
    assert [d["Id"] for d in rest["DistributionList"]["Items"]] == tenant[1:]
    direct_listing = cf.list_distributions_by_connection_mode(ConnectionMode="direct")["DistributionList"]
    assert [d["Id"] for d in direct_listing["Items"]] == direct


def test_publishing_redeploys_the_distributions_that_run_the_function(cf: Any, emu: Emulator) -> None:
    arn = published(cf)
    using = emu.seed_distribution(behaviours=[("/api/*", [(arn, "viewer-request")])])
    other = emu.seed_distribution()
    before = {d: cf.get_distribution(Id=d)["ETag"] for d in (using, other)}
    emu.deploy_delay = 0.3
    publish(cf, "a")
    during = cf.get_distribution(Id=using)
    assert during["Distribution"]["Status"] == "InProgress"
    assert during["ETag"] != before[using]
    assert cf.get_distribution(Id=other)["ETag"] == before[other]
    assert cf.get_distribution(Id=other)["Distribution"]["Status"] == "Deployed"
    time.sleep(0.35)
    assert cf.get_distribution(Id=using)["Distribution"]["Status"] == "Deployed"


def test_by_default_a_publish_leaves_its_redeploy_in_progress_for_a_second(cf: Any, emu: Emulator) -> None:
    assert emu.deploy_delay == 1.0
    arn = published(cf)
    using = emu.seed_distribution(default_function_arns=[(arn, "viewer-request")])
    assert cf.get_distribution(Id=using)["Distribution"]["Status"] == "Deployed"  # seeds are deployed
    publish(cf, "a")
    assert cf.get_distribution(Id=using)["Distribution"]["Status"] == "InProgress"  # after the answer
    time.sleep(1.05)
    assert cf.get_distribution(Id=using)["Distribution"]["Status"] == "Deployed"


def test_a_new_distribution_deploys_after_the_delay(cf: Any, emu: Emulator) -> None:
    emu.deploy_delay = 0.2
    created = cf.create_distribution(DistributionConfig=distribution_config("ref"))["Distribution"]
    assert created["Status"] == "InProgress"
    assert cf.list_distributions()["DistributionList"]["Items"][0]["Status"] == "InProgress"
    time.sleep(0.25)
    assert cf.get_distribution(Id=created["Id"])["Distribution"]["Status"] == "Deployed"


def test_seeding_thousands_of_distributions_is_quick(emu: Emulator) -> None:
    started = time.monotonic()
    for n in range(5000):
        emu.seed_distribution(default_function_arns=[(ARN, "viewer-request")] if n % 2 else ())
    assert time.monotonic() - started < 5.0


def test_only_a_disabled_distribution_can_be_deleted_with_its_current_etag(cf: Any) -> None:
    created = cf.create_distribution(DistributionConfig=distribution_config("ref"))
    dist_id, first = created["Distribution"]["Id"], created["ETag"]
    with pytest.raises(ClientError) as raised:
        cf.delete_distribution(Id=dist_id, IfMatch=first)
    assert error_of(raised) == ("DistributionNotDisabled", 409)
    disabled = distribution_config("ref")
    disabled["Enabled"] = False
    second = cf.update_distribution(Id=dist_id, IfMatch=first, DistributionConfig=disabled)["ETag"]
    with pytest.raises(ClientError) as raised:
        cf.delete_distribution(Id=dist_id, IfMatch=first)
    assert error_of(raised) == ("PreconditionFailed", 412)
    cf.delete_distribution(Id=dist_id, IfMatch=second)
    assert cf.list_distributions()["DistributionList"]["Quantity"] == 0
