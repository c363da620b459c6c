"""The lean listing writer answers exactly what moto's serializer would, as botocore reads it."""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest
from botocore.parsers import RestXMLParser
from moto.core.responses import ActionResult

from emulator import Emulator
from emulator.listing import distribution_list_xml
from emulator.responses import EmulatorResponse
from tests.emulator.helpers import ACCOUNT_ARN, create, distribution_config, publish


def rich_config(arn: str) -> dict[str, Any]:
    config = distribution_config("rich", arn)
    config["Aliases"] = {"Quantity": 2, "Items": ["a.example.com", "b.example.com"]}
    config["Comment"] = "a & <b>"
    lambdas = [
        {
            "LambdaFunctionARN": "arn:aws:lambda:us-east-1:123456789012:function:x:1",
            "EventType": "origin-request",
        }
    ]
    config["CacheBehaviors"] = {
        "Quantity": 1,
        "Items": [
            {
                "PathPattern": "/api/*",
                "TargetOriginId": "origin",
                "ViewerProtocolPolicy": "allow-all",
                "FunctionAssociations": {
                    "Quantity": 1,
                    "Items": [{"FunctionARN": arn, "EventType": "viewer-response"}],
                },
                "LambdaFunctionAssociations": {"Quantity": 1, "Items": lambdas},
            }
        ],
    }
    config["Restrictions"] = {
        "GeoRestriction": {"RestrictionType": "whitelist", "Quantity": 2, "Items": ["DE", "FR"]}
    }
    return config


def parsed(operation: str, body: str | bytes) -> Any:
    shape = (
        botocore.session.get_session().get_service_model("cloudfront").operation_model(operation).output_shape
    )
    raw = body.encode() if isinstance(body, str) else body
    answer = RestXMLParser().parse({"body": raw, "headers": {}, "status_code": 200}, shape)
    answer.pop("ResponseMetadata", None)
    return answer


def moto_body(emu: Emulator, operation: str, listing: dict[str, Any]) -> Any:
    class Serializer(EmulatorResponse):
        def _get_action(self) -> str:
            return operation

    serializer = Serializer(emu.state)
    serializer.headers = {}
    serializer.response_headers = {}
    return serializer.serialized(ActionResult({"DistributionList": dict(listing)}))[2]


@pytest.mark.parametrize("operation", ["ListDistributions", "ListDistributionsByConnectionMode"])
def test_the_listing_matches_moto_serializer(cf: Any, emu: Emulator, operation: str) -> None:
    create(cf, "a")
    publish(cf, "a")
    cf.create_distribution(DistributionConfig=rich_config(ACCOUNT_ARN + "a"))
    emu.seed_distribution(
        aliases=("x.example.com",), behaviours=[("/p/*", [(ACCOUNT_ARN + "a", "viewer-request")])]
    )
    emu.seed_distribution(connection_mode="tenant-only", enabled=False)
    dists = list(emu.state.backend.distributions.values())
    listing = {
        "Marker": "",
        "NextMarker": "X",
        "MaxItems": 3,
        "IsTruncated": True,
        "Quantity": 3,
        "Items": dists,
    }
    mine = parsed(operation, distribution_list_xml(operation, listing))
    assert mine == parsed(operation, moto_body(emu, operation, listing))
    assert mine["DistributionList"]["Items"][0]["Comment"] == "a & <b>"
