"""Small builders shared by the emulator's tests."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

FAKE_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
RUNTIME = "cloudfront-js-2.0"
CODE = b"function handler(event) { return event.request; }"
ACCOUNT_ARN = "arn:aws:cloudfront::123456789012:function/"


def client(url: str, read_timeout: float = 10.0) -> Any:
    """A CloudFront client with retries off, so every fault reaches the test as it happened."""
    config = Config(retries={"total_max_attempts": 1}, read_timeout=read_timeout, connect_timeout=2)
    return boto3.client(
        "cloudfront", endpoint_url=url, region_name="us-east-1", config=config, **FAKE_CREDENTIALS
    )


def function_config(
    comment: str = "test", runtime: str = RUNTIME, kvs_arn: str | None = None
) -> dict[str, Any]:
    config: dict[str, Any] = {"Comment": comment, "Runtime": runtime}
    if kvs_arn:
        config["KeyValueStoreAssociations"] = {"Quantity": 1, "Items": [{"KeyValueStoreARN": kvs_arn}]}
    return config


def create(cf: Any, name: str, code: bytes = CODE, **config: Any) -> str:
    """Create a function; answers its DEVELOPMENT ETag."""
    return str(
        cf.create_function(Name=name, FunctionConfig=function_config(**config), FunctionCode=code)["ETag"]
    )


def etag(cf: Any, name: str, stage: str) -> str:
    return str(cf.describe_function(Name=name, Stage=stage)["ETag"])


def publish(cf: Any, name: str) -> None:
    cf.publish_function(Name=name, IfMatch=etag(cf, name, "DEVELOPMENT"))


def update(cf: Any, name: str, code: bytes, if_match: str | None = None) -> Any:
    match = if_match or etag(cf, name, "DEVELOPMENT")
    return cf.update_function(Name=name, IfMatch=match, FunctionConfig=function_config(), FunctionCode=code)


def code_of(cf: Any, name: str, stage: str) -> bytes:
    return bytes(cf.get_function(Name=name, Stage=stage)["FunctionCode"].read())


def error_of(raised: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    """The error code and HTTP status botocore parsed from the answer."""
    response = raised.value.response
    return str(response["Error"]["Code"]), int(response["ResponseMetadata"]["HTTPStatusCode"])


def event(event_type: str = "viewer-request", **request: Any) -> bytes:
    """A TestFunction event object, as JSON bytes."""
    body: dict[str, Any] = {
        "version": "1.0",
        "context": {"eventType": event_type},
        "viewer": {"ip": "198.51.100.11"},
        "request": {"method": "GET", "uri": "/index.html", "querystring": {}, "headers": {}, "cookies": {}},
    }
    body["request"].update(request)
    if event_type == "viewer-response":
        body["response"] = {"statusCode": 200, "statusDescription": "OK", "headers": {}, "cookies": {}}
    return json.dumps(body).encode()


def distribution_config(reference: str, function_arn: str | None = None) -> dict[str, Any]:
    """A minimal DistributionConfig; the function, if any, runs on viewer requests of every path."""
    associations: dict[str, Any] = {"Quantity": 0}
    if function_arn:
        associations = {
            "Quantity": 1,
            "Items": [{"FunctionARN": function_arn, "EventType": "viewer-request"}],
        }
    origin = {
        "Id": "origin",
        "DomainName": "origin.example.com",
        "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"},
    }
    return {
        "CallerReference": reference,
        "Origins": {"Quantity": 1, "Items": [origin]},
        "DefaultCacheBehavior": {
            "TargetOriginId": "origin",
            "ViewerProtocolPolicy": "redirect-to-https",
            "FunctionAssociations": associations,
        },
        "Comment": "",
        "Enabled": True,
    }
