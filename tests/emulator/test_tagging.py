"""Tags over HTTP, as botocore's model shapes them: functions, connection functions and stores by ARN,
NoSuchResource for an ARN the account does not hold, InvalidTagging for what the model refuses, and
the switch that makes a tag write renew a function's ETag."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from emulator import Emulator
from tests.emulator.helpers import ACCOUNT_ARN, create, error_of, etag


def tags(cf: Any, arn: str) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in cf.list_tags_for_resource(Resource=arn)["Tags"].get("Items", [])}


def tag(cf: Any, arn: str, **pairs: str) -> None:
    cf.tag_resource(Resource=arn, Tags={"Items": [{"Key": k, "Value": v} for k, v in pairs.items()]})


def test_tag_untag_and_list_a_function_keep_the_keys_they_do_not_name(cf: Any) -> None:
    create(cf, "a")
    arn = ACCOUNT_ARN + "a"
    assert tags(cf, arn) == {}
    tag(cf, arn, team="web", cost="1")
    tag(cf, arn, team="platform")
    cf.untag_resource(Resource=arn, TagKeys={"Items": ["cost", "never-there"]})
    assert tags(cf, arn) == {"team": "platform"}


def test_a_store_and_a_connection_function_take_tags_on_create_and_after(cf: Any) -> None:
    store = cf.create_key_value_store(Name="s", Tags={"Items": [{"Key": "a", "Value": "1"}]})["KeyValueStore"]
    tag(cf, store["ARN"], b="2")
    assert tags(cf, store["ARN"]) == {"a": "1", "b": "2"}
    made = cf.create_connection_function(
        Name="c",
        ConnectionFunctionConfig={"Comment": "", "Runtime": "cloudfront-js-2.0"},
        ConnectionFunctionCode=b"function connectionHandler(connection) { connection.allow(); }",
        Tags={"Items": [{"Key": "team", "Value": "tls"}]},
    )
    assert tags(cf, made["ConnectionFunctionSummary"]["ConnectionFunctionArn"]) == {"team": "tls"}


@pytest.mark.parametrize(
    "call",
    [
        lambda cf, arn: cf.list_tags_for_resource(Resource=arn),
        lambda cf, arn: tag(cf, arn, a="b"),
        lambda cf, arn: cf.untag_resource(Resource=arn, TagKeys={"Items": ["a"]}),
    ],
    ids=["list", "tag", "untag"],
)
def test_an_arn_the_account_does_not_hold_is_no_such_resource(cf: Any, call: Any) -> None:
    with pytest.raises(ClientError) as raised:
        call(cf, ACCOUNT_ARN + "missing")
    assert error_of(raised) == ("NoSuchResource", 404)


@pytest.mark.parametrize("key", ["aws:owner", "bad!", "k" * 129])
def test_what_the_model_refuses_is_invalid_tagging(cf: Any, key: str) -> None:
    create(cf, "a")
    with pytest.raises(ClientError) as raised:
        tag(cf, ACCOUNT_ARN + "a", **{key: "v"})
    assert error_of(raised) == ("InvalidTagging", 400)


@pytest.mark.parametrize("renews", [False, True])
def test_a_tag_write_renews_the_development_etag_only_with_the_switch(
    emu: Emulator, cf: Any, renews: bool
) -> None:
    create(cf, "a")
    emu.tagging_renews_etag = renews
    before = etag(cf, "a", "DEVELOPMENT")
    tag(cf, ACCOUNT_ARN + "a", team="web")
    assert (etag(cf, "a", "DEVELOPMENT") != before) is renews


def test_a_deleted_function_takes_its_tags_with_it(cf: Any) -> None:
    create(cf, "a")
    tag(cf, ACCOUNT_ARN + "a", team="web")
    cf.delete_function(Name="a", IfMatch=etag(cf, "a", "DEVELOPMENT"))
    create(cf, "a")
    assert tags(cf, ACCOUNT_ARN + "a") == {}
