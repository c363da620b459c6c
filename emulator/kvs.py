"""The KeyValueStore data API (`cloudfront-keyvaluestore`, REST with JSON bodies), keyed by the store's ARN.

DescribeKeyValueStore, ListKeys (pages of MaxResults, at most 50), GetKey, PutKey, DeleteKey and
UpdateKeys, as the API reference describes them: every write needs If-Match with the store's current
ETag and answers the new one; a stale or missing If-Match answers 409 ConflictException. The keys are
the ones TestFunction's `cf.kvs()` reads (State.kvs_data), so a test sees what a run wrote.

botocore sends these requests to `<account id>.<endpoint host>` (the service's endpoint rules): the
emulator does not look at the Host header, so whatever name reaches its port is served.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from emulator.operations import Operation, identify_data
from emulator.state import State

MAX_RESULTS = 50  # ListKeys' MaxResults (model: 1..50)
BATCH_KEYS = 50  # UpdateKeys: ServiceQuotaExceededException past 50 keys (see publisher/core/stores.py)
KEY_LIMIT, VALUE_LIMIT, STORE_LIMIT = 512, 1_024, 5 * 1024 * 1024
Environ = dict[str, Any]
StartResponse = Callable[..., Any]


class _Error(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        self.status, self.code, self.message = status, code, message


class KvsRouter:
    """In front of moto's dispatcher: the data API's paths are answered here, the rest goes on."""

    def __init__(self, app: Callable[[Environ, StartResponse], Iterable[bytes]], state: State) -> None:
        self.app, self.state = app, state

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        raw = str(environ.get("RAW_URI") or environ.get("REQUEST_URI") or environ.get("PATH_INFO", ""))
        path = raw.partition("?")[0]
        operation = identify_data(environ["REQUEST_METHOD"], path)
        if operation is None:
            return self.app(environ, start_response)
        try:
            with self.state.lock:
                status, headers, body = self._handle(operation, environ)
        except _Error as err:
            status, body = err.status, {"message": err.message}
            headers = {"x-amzn-ErrorType": err.code}
        data = json.dumps(body).encode()
        start_response(
            f"{status} {'OK' if status == 200 else 'Error'}",
            [("Content-Type", "application/json"), ("Content-Length", str(len(data))), *headers.items()],
        )
        return [data]

    def _handle(self, op: Operation, environ: Environ) -> tuple[int, dict[str, str], dict[str, Any]]:
        arn = op.params["KvsARN"]
        if not self.state.kvs_exists(arn):
            raise _Error(404, "ResourceNotFoundException", f"The key value store {arn} does not exist.")
        keys = self.state.kvs_data.setdefault(arn, {})
        if op.name == "DescribeKeyValueStore":
            now = datetime.now(UTC).timestamp()
            body = {"KvsARN": arn, "Created": now, "LastModified": now, "Status": "READY"}
            return 200, {"ETag": self.state.kvs_etag(arn)}, {**body, **_sizes(keys)}
        if op.name == "ListKeys":
            return 200, {}, _page(keys, parse_qs(str(environ.get("QUERY_STRING", ""))))
        if op.name == "GetKey":
            key = op.params["Key"]
            if key not in keys:
                raise _Error(404, "ResourceNotFoundException", f"The key {key} does not exist.")
            return 200, {}, {"Key": key, "Value": keys[key], **_sizes(keys)}
        self._check_if_match(arn, environ)
        body = _json(environ)
        puts: list[dict[str, Any]]
        deletes: list[dict[str, Any]]
        if op.name == "PutKey":
            puts, deletes = [{"Key": op.params["Key"], "Value": body.get("Value")}], []
        elif op.name == "DeleteKey":
            if op.params["Key"] not in keys:
                raise _Error(404, "ResourceNotFoundException", "The key does not exist.")
            puts, deletes = [], [{"Key": op.params["Key"]}]
        else:
            puts, deletes = _items(body, "Puts"), _items(body, "Deletes")
        _update(keys, puts, deletes)
        etag = self.state.renew_kvs_etag(arn)
        return 200, {"ETag": etag}, _sizes(keys)

    def _check_if_match(self, arn: str, environ: Environ) -> None:
        given = environ.get("HTTP_IF_MATCH")
        if given != self.state.kvs_etag(arn):
            raise _Error(409, "ConflictException", "The If-Match ETag is not the store's current ETag.")


def _json(environ: Environ) -> dict[str, Any]:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    raw = environ["wsgi.input"].read(length) if length else b""
    try:
        value = json.loads(raw) if raw else {}
    except ValueError as err:
        raise _Error(400, "ValidationException", f"The body is not JSON: {err}") from err
    return value if isinstance(value, dict) else {}


def _items(body: dict[str, Any], name: str) -> list[dict[str, Any]]:
    found = body.get(name)
    return [item for item in found if isinstance(item, dict)] if isinstance(found, list) else []


def _update(keys: dict[str, str], puts: list[dict[str, Any]], deletes: list[dict[str, Any]]) -> None:
    """All or nothing: every check first, then the change."""
    if len(puts) + len(deletes) > BATCH_KEYS:
        raise _Error(402, "ServiceQuotaExceededException", f"At most {BATCH_KEYS} keys per request.")
    after = dict(keys)
    for item in deletes:
        after.pop(str(item.get("Key", "")), None)
    for item in puts:
        key, value = item.get("Key"), item.get("Value")
        if not isinstance(key, str) or not key or not isinstance(value, str):
            raise _Error(400, "ValidationException", "Each put needs a Key and a Value.")
        if len(key.encode()) > KEY_LIMIT or len(value.encode()) > VALUE_LIMIT:
            raise _Error(400, "ValidationException", f"The key or value of {key[:40]} is too large.")
        after[key] = value
    if _sizes(after)["TotalSizeInBytes"] > STORE_LIMIT:
        raise _Error(402, "ServiceQuotaExceededException", "The key value store would exceed 5 MB.")
    keys.clear()
    keys.update(after)


def _sizes(keys: dict[str, str]) -> dict[str, int]:
    return {
        "ItemCount": len(keys),
        "TotalSizeInBytes": sum(len(k.encode()) + len(v.encode()) for k, v in keys.items()),
    }


def _page(keys: dict[str, str], query: dict[str, list[str]]) -> dict[str, Any]:
    """Keys in order; NextToken is the index of the next one, as an opaque string."""
    size = int((query.get("MaxResults") or [str(MAX_RESULTS)])[0])
    if not 1 <= size <= MAX_RESULTS:
        raise _Error(400, "ValidationException", f"MaxResults must be 1 to {MAX_RESULTS}.")
    start = int((query.get("NextToken") or ["0"])[0] or 0)
    ordered = sorted(keys)
    items = [{"Key": k, "Value": keys[k]} for k in ordered[start : start + size]]
    page: dict[str, Any] = {"Items": items}
    if start + size < len(ordered):
        page["NextToken"] = str(start + size)
    return page
