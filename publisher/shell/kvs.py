"""A KeyValueStore's keys through the data API, `cloudfront-keyvaluestore`: its own boto3 client.

The API (API reference: DescribeKeyValueStore, ListKeys, UpdateKeys) is signed with SigV4A, which
botocore does only with the AWS CRT (`awscrt`, a dependency: `boto3[crt]`). Its endpoint rules (botocore's
`cloudfront-keyvaluestore` endpoint-rule-set-1.json) send every call to
`{scheme}://{account id of the store's ARN}.{authority of the endpoint}`, also for a custom endpoint:
`--endpoint-url http://localhost:4566` reaches `http://123456789012.localhost:4566`. A local endpoint must
therefore answer under that name too (see the README's section on stores).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from publisher.core.errors import AwsError, NotFound, StoreConflict
from publisher.shell.aws import sdk_call, sdk_client

PAGE = 50  # ListKeys' MaxResults: 1 to 50 (the API's model)
ERRORS: dict[str, type[AwsError]] = {
    "ConflictException": StoreConflict,
    "ResourceNotFoundException": NotFound,
}


class AwsStoreData:
    def __init__(self, endpoint_url: str | None = None) -> None:
        self._client = sdk_client("cloudfront-keyvaluestore", endpoint_url)

    def describe(self, arn: str) -> str:
        return str(self._call("DescribeKeyValueStore", KvsARN=arn)["ETag"])

    def list_keys(self, arn: str) -> dict[str, str]:
        keys: dict[str, str] = {}
        token = ""
        while True:
            page = self._call(
                "ListKeys", KvsARN=arn, MaxResults=PAGE, **({"NextToken": token} if token else {})
            )
            keys.update({item["Key"]: item["Value"] for item in page.get("Items", [])})
            token = page.get("NextToken", "")
            if not token:
                return keys

    def update_keys(self, arn: str, if_match: str, puts: Mapping[str, str], deletes: Sequence[str]) -> str:
        out = self._call(
            "UpdateKeys",
            KvsARN=arn,
            IfMatch=if_match,
            Puts=[{"Key": k, "Value": v} for k, v in puts.items()],
            Deletes=[{"Key": k} for k in deletes],
        )
        return str(out["ETag"])

    def _call(self, operation: str, **params: Any) -> Any:
        return sdk_call(self._client, operation, ERRORS, **params)
