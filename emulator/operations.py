"""Which CloudFront operation a request is, from its method, path and query (botocore's model);
CloudWatch's by the X-Amz-Target header.

The middleware needs the name before any handler runs: to count every request, faulted or not, and
to aim injected faults at one operation or function.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote

import botocore.session

# POSTs that change nothing (ListConnectionFunctions takes its parameters in the body)
_READ_ONLY_POSTS = ("TestFunction", "TestConnectionFunction", "ListConnectionFunctions")


@dataclass(frozen=True)
class Operation:
    name: str
    write: bool = False
    params: Mapping[str, str] = field(default_factory=dict)


UNKNOWN = Operation("Unknown")
KVS_PREFIX = "/key-value-stores/"  # the KeyValueStore data API's paths


@dataclass(frozen=True)
class _Rule:
    name: str
    method: str
    pattern: re.Pattern[str]
    query: Mapping[str, str]  # what the request URI requires, e.g. {"WithTags": ""}

    def match(self, method: str, path: str, query: Mapping[str, list[str]]) -> Operation | None:
        found = self.pattern.fullmatch(path) if method == self.method else None
        if found is None or any(_missing(query, key, value) for key, value in self.query.items()):
            return None
        write = method in ("POST", "PUT", "DELETE") and self.name not in _READ_ONLY_POSTS
        return Operation(self.name, write, found.groupdict())


def _missing(query: Mapping[str, list[str]], key: str, value: str) -> bool:
    return key not in query or (value != "" and value not in query[key])


def _pattern(uri_path: str) -> re.Pattern[str]:
    """`/2020-05-31/function/{Name}/describe` -> a regex with a named group per label."""
    parts = []
    for piece in re.split(r"(\{[^}]+\})", uri_path):
        if piece.startswith("{"):
            label = piece[1:-1]
            body = ".+" if label.endswith("+") else "[^/]+"
            parts.append(f"(?P<{label.rstrip('+')}>{body})")
        else:
            parts.append(re.escape(piece))
    return re.compile("".join(parts))


def _rule(name: str, http: Mapping[str, str]) -> _Rule:
    path, _, query = http["requestUri"].partition("?")
    required = {key: values[0] for key, values in parse_qs(query, keep_blank_values=True).items()}
    return _Rule(name, http["method"], _pattern(path), required)


@functools.cache
def _rules() -> tuple[_Rule, ...]:
    model = botocore.session.get_session().get_service_model("cloudfront")
    rules = [_rule(name, model.operation_model(name).http) for name in model.operation_names]
    # Query-qualified URIs first (CreateDistributionWithTags before CreateDistribution), then literals.
    return tuple(sorted(rules, key=lambda r: (not r.query, -len(re.sub(r"\(.*?\)", "", r.pattern.pattern)))))


_READ_PREFIXES = ("Get", "List", "Describe")


def identify(method: str, path: str, query_string: str, target: str = "") -> Operation:
    """`target` is the X-Amz-Target header of JSON-protocol services (CloudWatch, as botocore calls
    it): "GraniteServiceVersion20100801.GetMetricData" names GetMetricData."""
    if target:
        name = target.rpartition(".")[2]
        return Operation(name, write=not name.startswith(_READ_PREFIXES))
    if path.startswith(KVS_PREFIX):  # the KeyValueStore data API (kvs.py)
        return identify_data(method, path) or UNKNOWN
    query = parse_qs(query_string, keep_blank_values=True)
    for rule in _rules():
        operation = rule.match(method, path, query)
        if operation is not None:
            return operation
    return UNKNOWN


def split(path: str) -> tuple[str, str | None, bool] | None:
    """`/key-value-stores/{KvsARN}[/keys[/{Key}]]` → (ARN, key, keys-collection), on a path whose labels
    may or may not be percent-encoded (an ARN holds a `/`)."""
    if not path.startswith(KVS_PREFIX):
        return None
    rest = path[len(KVS_PREFIX) :]
    if "%2F" in rest or "%2f" in rest:  # encoded labels: split first, decode each
        parts = rest.split("/")
        arn = unquote(parts[0])
        tail = parts[1:]
    else:
        head, _, tail_text = rest.partition(":key-value-store/")
        store_id, _, after = tail_text.partition("/")
        arn = unquote(f"{head}:key-value-store/{store_id}")
        tail = after.split("/") if after else []
    if not tail:
        return arn, None, False
    if tail[0] != "keys":
        return None
    key = unquote("/".join(tail[1:])) if len(tail) > 1 else None
    return arn, key, True


def identify_data(method: str, path: str) -> Operation | None:
    """The KeyValueStore data API's operation (served by kvs.py), with the store's ARN and key."""
    found = split(path)
    if found is None:
        return None
    arn, key, keys = found
    name = {
        (False, False, "GET"): "DescribeKeyValueStore",
        (True, False, "GET"): "ListKeys",
        (True, False, "POST"): "UpdateKeys",
        (True, True, "GET"): "GetKey",
        (True, True, "PUT"): "PutKey",
        (True, True, "DELETE"): "DeleteKey",
    }.get((keys, key is not None, method), "Unknown")
    return Operation(
        name, method in ("POST", "PUT", "DELETE"), {"KvsARN": arn, **({"Key": key} if key else {})}
    )
