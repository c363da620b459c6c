"""The service's own checks, which botocore does not make client-side."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.emulator.helpers import CODE, create, error_of, etag, function_config


@pytest.mark.parametrize(
    ("name", "config", "code", "expected"),
    [
        ("has space", function_config(), CODE, ("MalformedXML", 400)),
        ("x" * 65, function_config(), CODE, ("MalformedXML", 400)),
        ("a", function_config(runtime="cloudfront-js-3.0"), CODE, ("MalformedXML", 400)),
        ("a", function_config(comment="c" * 129), CODE, ("InvalidArgument", 400)),
        ("a", function_config(), b"x" * 10_241, ("FunctionSizeLimitExceeded", 413)),
        (
            "a",
            function_config(kvs_arn="arn:aws:cloudfront::123456789012:key-value-store/none"),
            CODE,
            ("InvalidArgument", 400),
        ),
    ],
    ids=["name-charset", "name-length", "runtime", "comment", "size", "unknown-store"],
)
def test_create_refuses_what_the_service_refuses(
    cf: Any, name: str, config: dict[str, Any], code: bytes, expected: tuple[str, int]
) -> None:
    with pytest.raises(ClientError) as raised:
        cf.create_function(Name=name, FunctionConfig=config, FunctionCode=code)
    assert error_of(raised) == expected


def test_model_constraints_are_reported_together_as_cloudfront_words_them(cf: Any) -> None:
    with pytest.raises(ClientError) as raised:
        cf.create_function(Name="x" * 65, FunctionConfig=function_config(runtime="nodejs"), FunctionCode=CODE)
    assert raised.value.response["Error"]["Message"] == (
        f"3 validation errors detected: Value '{'x' * 65}' at 'name' failed to satisfy constraint: "
        "Member must have length less than or equal to 64; "
        f"Value '{'x' * 65}' at 'name' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [a-zA-Z0-9-_]{1,64}; "
        "Value 'nodejs' at 'functionConfig.runtime' failed to satisfy constraint: "
        "Member must satisfy value set: [cloudfront-js-1.0, cloudfront-js-2.0]"
    )


def test_update_refuses_a_bad_runtime_as_malformed(cf: Any) -> None:
    dev = create(cf, "a")
    with pytest.raises(ClientError) as raised:
        cf.update_function(
            Name="a", IfMatch=dev, FunctionConfig=function_config(runtime="js"), FunctionCode=CODE
        )
    assert error_of(raised) == ("MalformedXML", 400)
    assert "1 validation error detected: Value 'js' at 'functionConfig.runtime'" in str(raised.value)


def test_the_limits_themselves_are_accepted(cf: Any) -> None:
    name = "A-z_0" + "9" * 59
    cf.create_function(
        Name=name, FunctionConfig=function_config(comment="c" * 128), FunctionCode=b"x" * 10_240
    )
    assert len(etag(cf, name, "DEVELOPMENT")) == 14


def test_update_refuses_oversize_code_with_413(cf: Any) -> None:
    dev = create(cf, "a")
    with pytest.raises(ClientError) as raised:
        cf.update_function(
            Name="a", IfMatch=dev, FunctionConfig=function_config(), FunctionCode=b"x" * 10_241
        )
    assert error_of(raised) == ("FunctionSizeLimitExceeded", 413)


def test_a_key_value_store_needs_runtime_2(cf: Any) -> None:
    store = cf.create_key_value_store(Name="settings")["KeyValueStore"]["ARN"]
    config = function_config(runtime="cloudfront-js-1.0", kvs_arn=store)
    with pytest.raises(ClientError) as raised:
        cf.create_function(Name="a", FunctionConfig=config, FunctionCode=CODE)
    assert error_of(raised) == ("InvalidArgument", 400)
    create(cf, "b", kvs_arn=store)
    stored = cf.describe_function(Name="b", Stage="DEVELOPMENT")["FunctionSummary"]["FunctionConfig"]
    assert stored["KeyValueStoreAssociations"]["Items"] == [{"KeyValueStoreARN": store}]


def test_at_most_one_key_value_store(cf: Any) -> None:
    one = cf.create_key_value_store(Name="one")["KeyValueStore"]["ARN"]
    two = cf.create_key_value_store(Name="two")["KeyValueStore"]["ARN"]
    config = function_config()
    items = [{"KeyValueStoreARN": one}, {"KeyValueStoreARN": two}]
    config["KeyValueStoreAssociations"] = {"Quantity": 2, "Items": items}
    with pytest.raises(ClientError) as raised:
        cf.create_function(Name="a", FunctionConfig=config, FunctionCode=CODE)
    assert error_of(raised) == ("InvalidArgument", 400)


def test_an_update_without_the_association_drops_it(cf: Any) -> None:
    store = cf.create_key_value_store(Name="settings")["KeyValueStore"]["ARN"]
    dev = create(cf, "a", kvs_arn=store)
    cf.update_function(Name="a", IfMatch=dev, FunctionConfig=function_config(), FunctionCode=CODE)
    stored = cf.describe_function(Name="a", Stage="DEVELOPMENT")["FunctionSummary"]["FunctionConfig"]
    assert "KeyValueStoreAssociations" not in stored


def test_key_value_stores_resolve_by_name_and_list(cf: Any) -> None:
    created = cf.create_key_value_store(Name="settings", Comment="flags")["KeyValueStore"]
    described = cf.describe_key_value_store(Name="settings")
    assert described["KeyValueStore"]["ARN"] == created["ARN"]
    assert described["ETag"]
    listed = cf.list_key_value_stores()["KeyValueStoreList"]["Items"]
    assert [(s["Name"], s["ARN"]) for s in listed] == [("settings", created["ARN"])]
    with pytest.raises(ClientError) as raised:
        cf.describe_key_value_store(Name="nothing")
    assert error_of(raised) == ("EntityNotFound", 404)
