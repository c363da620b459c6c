"""GetDistributionConfig / UpdateDistribution: the whole config back as written, ETags, and the rules
CloudFront applies to function associations."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from emulator import Emulator
from tests.emulator.helpers import create, distribution_config, error_of, etag, publish

ACCOUNT = "arn:aws:cloudfront::123456789012:function/"


def published(cf: Any, name: str) -> str:
    create(cf, name)
    publish(cf, name)
    return ACCOUNT + name


def test_fields_the_emulator_does_not_model_come_back_as_written(cf: Any) -> None:
    made = cf.create_distribution(DistributionConfig=distribution_config("ref"))
    dist_id = made["Distribution"]["Id"]
    got = cf.get_distribution_config(Id=dist_id)
    assert got["ETag"] == made["ETag"]
    config = got["DistributionConfig"]
    config["DefaultCacheBehavior"]["ResponseHeadersPolicyId"] = "policy"
    config["Origins"]["Items"][0]["OriginAccessControlId"] = "oac"
    config["ContinuousDeploymentPolicyId"] = "cdp"
    config["HttpVersion"] = "http3"
    updated = cf.update_distribution(Id=dist_id, IfMatch=got["ETag"], DistributionConfig=config)
    again = cf.get_distribution_config(Id=dist_id)
    assert again["DistributionConfig"] == config
    assert again["ETag"] == updated["ETag"] != got["ETag"]


def test_a_stale_etag_is_refused_and_nothing_changes(cf: Any) -> None:
    dist_id = cf.create_distribution(DistributionConfig=distribution_config("ref"))["Distribution"]["Id"]
    first = cf.get_distribution_config(Id=dist_id)
    changed = {**first["DistributionConfig"], "Comment": "one"}
    cf.update_distribution(Id=dist_id, IfMatch=first["ETag"], DistributionConfig=changed)
    with pytest.raises(ClientError) as raised:
        cf.update_distribution(
            Id=dist_id, IfMatch=first["ETag"], DistributionConfig=first["DistributionConfig"]
        )
    assert error_of(raised) == ("PreconditionFailed", 412)
    assert cf.get_distribution_config(Id=dist_id)["DistributionConfig"]["Comment"] == "one"


def behaviour_with(config: dict[str, Any], *items: dict[str, str], lam: str = "") -> dict[str, Any]:
    config["DefaultCacheBehavior"]["FunctionAssociations"] = {"Quantity": len(items), "Items": list(items)}
    if lam:
        config["DefaultCacheBehavior"]["LambdaFunctionAssociations"] = {
            "Quantity": 1,
            "Items": [
                {"LambdaFunctionARN": "arn:aws:lambda:us-east-1:123456789012:function:l:1", "EventType": lam}
            ],
        }
    return config


@pytest.mark.parametrize(
    ("items", "lam", "message"),
    [
        (("a", "viewer-request"), "", ""),
        (
            ("a", "viewer-request", "b", "viewer-request"),
            "",
            "only one function for the event type viewer-request",
        ),
        (("a", "viewer-request"), "viewer-request", "both a CloudFront function and a Lambda@Edge"),
        (("a", "viewer-request"), "viewer-response", ""),
    ],
)
def test_one_function_per_event_and_none_beside_lambda_at_edge(
    cf: Any, items: tuple[str, ...], lam: str, message: str
) -> None:
    arns = {n: published(cf, n) for n in ("a", "b")}
    pairs = [{"FunctionARN": arns[n], "EventType": e} for n, e in zip(items[::2], items[1::2], strict=True)]
    config = behaviour_with(distribution_config("ref"), *pairs, lam=lam)
    if not message:
        cf.create_distribution(DistributionConfig=config)
        return
    with pytest.raises(ClientError) as raised:
        cf.create_distribution(DistributionConfig=config)
    assert error_of(raised) == ("InvalidFunctionAssociation", 400)
    assert message in raised.value.response["Error"]["Message"]


def test_only_a_live_function_of_this_account(cf: Any) -> None:
    create(cf, "draft")
    published(cf, "a")
    for arn in (ACCOUNT + "draft", "arn:aws:cloudfront::999999999999:function/a"):
        config = behaviour_with(distribution_config(arn), {"FunctionARN": arn, "EventType": "viewer-request"})
        with pytest.raises(ClientError) as raised:
            cf.create_distribution(DistributionConfig=config)
        assert error_of(raised) == ("InvalidFunctionAssociation", 400)


def test_an_associated_function_cannot_be_deleted_until_detached(cf: Any, emu: Emulator) -> None:
    arn = published(cf, "a")
    made = cf.create_distribution(DistributionConfig=distribution_config("ref", arn))
    with pytest.raises(ClientError) as raised:
        cf.delete_function(Name="a", IfMatch=etag(cf, "a", "DEVELOPMENT"))
    assert error_of(raised) == ("FunctionInUse", 409)
    config = cf.get_distribution_config(Id=made["Distribution"]["Id"])
    detached = behaviour_with(config["DistributionConfig"])
    cf.update_distribution(Id=made["Distribution"]["Id"], IfMatch=config["ETag"], DistributionConfig=detached)
    cf.delete_function(Name="a", IfMatch=etag(cf, "a", "DEVELOPMENT"))
