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

from publisher.core.errors import AwsError, NotFound, SetupError, StoreConflict
from publisher.shell import redact
from publisher.shell.aws import CONNECT_TIMEOUT, READ_TIMEOUT, _attempts

PAGE = 50  # ListKeys' MaxResults: 1 to 50 (the API's model)


class AwsStoreData:
    def __init__(self, endpoint_url: str | None = None) -> None:
        try:
            self._client = _client(endpoint_url)
        except Exception as err:  # botocore's set-up errors share no base class worth naming
            raise SetupError(f"the AWS set-up is not usable for KeyValueStore data: {err}") from None
        redact.install()

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
        from botocore.exceptions import BotoCoreError, ClientError, MissingDependencyException

        method = getattr(self._client, "".join(f"_{c.lower()}" if c.isupper() else c for c in operation)[1:])
        try:
            return method(**params)
        except MissingDependencyException:
            raise SetupError(
                "the KeyValueStore data API is signed with SigV4A, which needs the AWS CRT: "
                "install awscrt (pip install 'boto3[crt]')"
            ) from None
        except ClientError as err:
            error = err.response.get("Error", {})
            code, message = str(error.get("Code", "")), str(error.get("Message", ""))
            status = int(err.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
            kind = {"ConflictException": StoreConflict, "ResourceNotFoundException": NotFound}.get(
                code, AwsError
            )
            raise kind(operation, code, message, status) from None
        except BotoCoreError as err:
            raise AwsError(operation, type(err).__name__, str(err)) from None


def _client(endpoint_url: str | None) -> Any:
    import boto3
    from botocore.config import Config

    config = Config(
        region_name="us-east-1",
        retries={"mode": "standard", "max_attempts": _attempts()},
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=READ_TIMEOUT,
    )
    return boto3.session.Session().client(
        "cloudfront-keyvaluestore", endpoint_url=endpoint_url, config=config
    )
