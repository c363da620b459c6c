"""Functions over HTTP: two stages with their own ETags, If-Match, and the wire quirks of the service."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from botocore.exceptions import ClientError

from emulator import Emulator
from tests.emulator.helpers import ACCOUNT_ARN, CODE, client, code_of, create, error_of, etag, publish, update


def test_create_answers_201_with_the_development_etag_and_location(cf: Any) -> None:
    answer = cf.create_function(
        Name="a", FunctionConfig={"Comment": "c", "Runtime": "cloudfront-js-2.0"}, FunctionCode=CODE
    )
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert answer["ETag"] == etag(cf, "a", "DEVELOPMENT")
    assert answer["Location"].endswith(ACCOUNT_ARN + "a")
    summary = answer["FunctionSummary"]
    assert (summary["Status"], summary["FunctionMetadata"]["Stage"]) == ("UNPUBLISHED", "DEVELOPMENT")


def test_a_second_create_of_the_same_name_is_refused(cf: Any) -> None:
    create(cf, "a")
    with pytest.raises(ClientError) as raised:
        create(cf, "a")
    assert error_of(raised) == ("FunctionAlreadyExists", 409)


@pytest.mark.parametrize("operation", ["describe_function", "get_function"])
def test_live_does_not_exist_before_the_first_publish(cf: Any, operation: str) -> None:
    create(cf, "a")
    with pytest.raises(ClientError) as raised:
        getattr(cf, operation)(Name="a", Stage="LIVE")
    assert error_of(raised) == ("NoSuchFunctionExists", 404)


def test_each_stage_has_its_own_etag_and_code(cf: Any) -> None:
    create(cf, "a", b"function handler(e) { return e.request; } // v1")
    publish(cf, "a")
    live_before = etag(cf, "a", "LIVE")
    update(cf, "a", b"function handler(e) { return e.request; } // v2")
    assert etag(cf, "a", "LIVE") == live_before
    assert etag(cf, "a", "DEVELOPMENT") != live_before
    assert code_of(cf, "a", "LIVE").endswith(b"// v1")
    assert code_of(cf, "a", "DEVELOPMENT").endswith(b"// v2")


def test_get_function_answers_the_raw_code_with_the_stage_etag(cf: Any) -> None:
    dev = create(cf, "a", b"function handler(e) { return e.request; } \xff")
    answer = cf.get_function(Name="a", Stage="DEVELOPMENT")
    assert answer["FunctionCode"].read() == b"function handler(e) { return e.request; } \xff"
    assert answer["ContentType"] == "application/octet-stream"
    assert answer["ETag"] == dev


def test_every_change_draws_a_new_etag_even_for_the_same_content(cf: Any) -> None:
    first = create(cf, "a")
    update(cf, "a", CODE)
    assert etag(cf, "a", "DEVELOPMENT") != first


def test_a_stale_etag_is_refused_with_412(cf: Any) -> None:
    stale = create(cf, "a")
    update(cf, "a", b"function handler(e) { return e.request; } // theirs")
    with pytest.raises(ClientError) as raised:
        update(cf, "a", CODE, if_match=stale)
    assert error_of(raised) == ("PreconditionFailed", 412)
    with pytest.raises(ClientError) as raised:
        cf.publish_function(Name="a", IfMatch=stale)
    assert error_of(raised) == ("PreconditionFailed", 412)


@pytest.mark.parametrize("operation", ["UpdateFunction", "PublishFunction", "DeleteFunction"])
def test_a_missing_if_match_is_refused_with_400(cf: Any, operation: str) -> None:
    dev = create(cf, "a")

    def drop_if_match(request: Any, **_: Any) -> None:
        del request.headers["If-Match"]  # botocore insists on IfMatch; strip it on the wire

    cf.meta.events.register(f"before-send.cloudfront.{operation}", drop_if_match)
    calls = {
        "UpdateFunction": lambda: update(cf, "a", CODE, if_match=dev),
        "PublishFunction": lambda: cf.publish_function(Name="a", IfMatch=dev),
        "DeleteFunction": lambda: cf.delete_function(Name="a", IfMatch=dev),
    }
    with pytest.raises(ClientError) as raised:
        calls[operation]()
    assert error_of(raised) == ("InvalidIfMatchVersion", 400)


def test_writes_to_a_missing_function_answer_404(cf: Any) -> None:
    with pytest.raises(ClientError) as raised:
        cf.publish_function(Name="nobody", IfMatch="E1")
    assert error_of(raised) == ("NoSuchFunctionExists", 404)


def test_update_sends_etag_where_the_model_expects_ettag(cf: Any) -> None:
    create(cf, "a")
    answer = update(cf, "a", b"function handler(e) { return e.request; } // v2")
    assert answer.get("ETag") is None  # the modelled field reads a header spelled "ETtag"
    assert answer["ResponseMetadata"]["HTTPHeaders"]["etag"] == etag(cf, "a", "DEVELOPMENT")


def test_publish_answers_the_live_summary_and_no_etag(cf: Any) -> None:
    create(cf, "a")
    answer = cf.publish_function(Name="a", IfMatch=etag(cf, "a", "DEVELOPMENT"))
    assert "etag" not in answer["ResponseMetadata"]["HTTPHeaders"]
    assert "ETag" not in answer
    assert answer["FunctionSummary"]["FunctionMetadata"]["Stage"] == "LIVE"
    assert answer["FunctionSummary"]["Status"] == "UNASSOCIATED"


def test_publish_gives_development_a_new_etag_so_a_repeat_meets_412(cf: Any) -> None:
    dev = create(cf, "a")
    cf.publish_function(Name="a", IfMatch=dev)
    assert etag(cf, "a", "DEVELOPMENT") != dev
    with pytest.raises(ClientError) as raised:
        cf.publish_function(Name="a", IfMatch=dev)
    assert error_of(raised) == ("PreconditionFailed", 412)


def test_status_follows_publish_and_association(cf: Any, emu: Emulator) -> None:
    create(cf, "a")
    publish(cf, "a")
    assert cf.describe_function(Name="a", Stage="DEVELOPMENT")["FunctionSummary"]["Status"] == "UNASSOCIATED"
    emu.seed_distribution(default_function_arns=[(ACCOUNT_ARN + "a", "viewer-request")])
    assert cf.describe_function(Name="a", Stage="LIVE")["FunctionSummary"]["Status"] == "DEPLOYED"
    update(cf, "a", b"function handler(e) { return e.request; } // v2")
    assert cf.describe_function(Name="a", Stage="DEVELOPMENT")["FunctionSummary"]["Status"] == "UNPUBLISHED"


def test_a_missing_stage_means_live_once_published(cf: Any) -> None:
    create(cf, "a")
    assert cf.describe_function(Name="a")["FunctionSummary"]["FunctionMetadata"]["Stage"] == "DEVELOPMENT"
    publish(cf, "a")
    careless = cf.describe_function(Name="a")
    assert careless["FunctionSummary"]["FunctionMetadata"]["Stage"] == "LIVE"
    with pytest.raises(ClientError) as raised:
        cf.publish_function(Name="a", IfMatch=careless["ETag"])
    assert error_of(raised) == ("PreconditionFailed", 412)


def test_delete_needs_the_development_etag_and_no_distribution(cf: Any, emu: Emulator) -> None:
    create(cf, "a")
    publish(cf, "a")
    emu.seed_distribution(default_function_arns=[(ACCOUNT_ARN + "a", "viewer-request")])
    with pytest.raises(ClientError) as raised:
        cf.delete_function(Name="a", IfMatch=etag(cf, "a", "LIVE"))
    assert error_of(raised) == ("PreconditionFailed", 412)
    with pytest.raises(ClientError) as raised:
        cf.delete_function(Name="a", IfMatch=etag(cf, "a", "DEVELOPMENT"))
    assert error_of(raised) == ("FunctionInUse", 409)


def test_delete_removes_both_stages(cf: Any) -> None:
    create(cf, "a")
    publish(cf, "a")
    answer = cf.delete_function(Name="a", IfMatch=etag(cf, "a", "DEVELOPMENT"))
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as raised:
        cf.describe_function(Name="a", Stage="DEVELOPMENT")
    assert error_of(raised) == ("NoSuchFunctionExists", 404)


def test_list_functions_pages_both_stages_with_a_string_max_items(cf: Any) -> None:
    for name in ("a", "b", "c", "d"):
        create(cf, name)
    publish(cf, "b")
    publish(cf, "d")
    rows, marker, pages = [], None, 0
    while True:
        page = cf.list_functions(MaxItems="4", **({"Marker": marker} if marker else {}))["FunctionList"]
        rows += [(s["Name"], s["FunctionMetadata"]["Stage"]) for s in page.get("Items", [])]
        pages += 1
        marker = page.get("NextMarker")
        if not marker:
            break
    assert pages == 2
    assert rows == [
        ("a", "DEVELOPMENT"),
        ("b", "DEVELOPMENT"),
        ("b", "LIVE"),
        ("c", "DEVELOPMENT"),
        ("d", "DEVELOPMENT"),
        ("d", "LIVE"),
    ]


def test_list_functions_filters_by_stage(cf: Any) -> None:
    create(cf, "a")
    create(cf, "b")
    publish(cf, "b")
    live = cf.list_functions(Stage="LIVE")["FunctionList"]
    assert [s["Name"] for s in live["Items"]] == ["b"]
    assert live["Quantity"] == 1


def test_parallel_requests_each_get_consistent_answers(emu: Emulator) -> None:
    cf = client(emu.url)  # botocore clients are thread-safe; the publisher shares one too

    def lifecycle(n: int) -> bytes:
        name = f"f{n}"
        create(cf, name)
        publish(cf, name)
        update(cf, name, b"function handler(e) { return e.request; } // " + str(n).encode())
        publish(cf, name)
        cf.list_functions()
        return code_of(cf, name, "LIVE")

    with ThreadPoolExecutor(max_workers=16) as pool:
        codes = list(pool.map(lifecycle, range(16)))
    assert codes == [b"function handler(e) { return e.request; } // " + str(n).encode() for n in range(16)]
    assert emu.counts()["PublishFunction"] == 32
    assert emu.writes() == 16 * 4
