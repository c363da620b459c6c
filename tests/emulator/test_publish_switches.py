"""The switches for what PublishFunction does where AWS documents nothing, seen over HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from emulator import Emulator, start
from tests.emulator.helpers import (
    ACCOUNT_ARN,
    CODE,
    client,
    code_of,
    create,
    error_of,
    etag,
    function_config,
    publish,
    update,
)

V2 = b"function handler(e) { return e.request; } // v2"


def test_by_default_publish_renews_the_development_etag(cf: Any, emu: Emulator) -> None:
    assert emu.publish_renews_development_etag
    dev = create(cf, "a")
    cf.publish_function(Name="a", IfMatch=dev)
    assert etag(cf, "a", "DEVELOPMENT") != dev


def test_publish_can_keep_the_development_etag(cf: Any, emu: Emulator) -> None:
    emu.publish_renews_development_etag = False
    dev = create(cf, "a")
    cf.publish_function(Name="a", IfMatch=dev)
    assert etag(cf, "a", "DEVELOPMENT") == dev
    first_live = etag(cf, "a", "LIVE")
    cf.publish_function(Name="a", IfMatch=dev)  # the same ETag publishes again: no 412
    assert etag(cf, "a", "DEVELOPMENT") == dev
    assert etag(cf, "a", "LIVE") != first_live  # LIVE is still a new version


def test_the_switch_is_also_a_start_argument() -> None:
    server = start(publish_renews_development_etag=False)
    try:
        cf = client(server.url)
        dev = create(cf, "a")
        cf.publish_function(Name="a", IfMatch=dev)
        assert etag(cf, "a", "DEVELOPMENT") == dev
    finally:
        server.stop()


@pytest.fixture
def refusing(cf: Any, emu: Emulator) -> tuple[str, str]:
    """Terraform issue #49572's set-up: a published function, run by a distribution, DEVELOPMENT
    equal to LIVE; answers (the current DEVELOPMENT ETag, the distribution's Id)."""
    create(cf, "a")
    publish(cf, "a")
    dist = emu.seed_distribution(default_function_arns=[(ACCOUNT_ARN + "a", "viewer-request")])
    emu.refuse_unchanged_publish = True
    return etag(cf, "a", "DEVELOPMENT"), dist


def test_an_unchanged_publish_meets_412_with_the_etag_update_accepts(
    cf: Any, refusing: tuple[str, str]
) -> None:
    dev, dist = refusing
    live, dist_etag = etag(cf, "a", "LIVE"), cf.get_distribution(Id=dist)["ETag"]
    with pytest.raises(ClientError) as raised:
        cf.publish_function(Name="a", IfMatch=dev)
    assert error_of(raised) == ("PreconditionFailed", 412)
    assert (etag(cf, "a", "LIVE"), etag(cf, "a", "DEVELOPMENT")) == (live, dev)  # nothing changed
    assert cf.get_distribution(Id=dist)["ETag"] == dist_etag  # and nothing redeployed
    answer = cf.update_function(
        Name="a", IfMatch=dev, FunctionConfig=function_config("new"), FunctionCode=CODE
    )
    fresh = answer["ResponseMetadata"]["HTTPHeaders"]["etag"]
    cf.publish_function(Name="a", IfMatch=fresh)  # a real change publishes, as the report says
    live_comment = cf.describe_function(Name="a", Stage="LIVE")["FunctionSummary"]["FunctionConfig"]
    assert live_comment["Comment"] == "new"


def test_an_update_to_the_same_content_still_leaves_nothing_to_publish(
    cf: Any, refusing: tuple[str, str]
) -> None:
    dev, _ = refusing
    answer = update(cf, "a", CODE, if_match=dev)  # a new ETag, the same code and config as LIVE
    with pytest.raises(ClientError) as raised:
        cf.publish_function(Name="a", IfMatch=answer["ResponseMetadata"]["HTTPHeaders"]["etag"])
    assert error_of(raised) == ("PreconditionFailed", 412)


def test_a_changed_function_publishes_as_usual_with_the_switch_on(cf: Any, emu: Emulator) -> None:
    emu.refuse_unchanged_publish = True
    create(cf, "a")
    publish(cf, "a")  # never published: LIVE does not equal DEVELOPMENT
    update(cf, "a", V2)
    publish(cf, "a")
    assert code_of(cf, "a", "LIVE") == V2


def test_seeding_a_published_function_ignores_the_switch(emu: Emulator, cf: Any) -> None:
    emu.refuse_unchanged_publish = True
    emu.seed_function("a", CODE, publish=True)
    emu.seed_function("a", CODE, publish=True)  # the same content again: seeding is not an API call
    assert code_of(cf, "a", "LIVE") == CODE
