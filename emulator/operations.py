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
from urllib.parse import parse_qs

import botocore.session

# POSTs that change nothing (ListConnectionFunctions takes its parameters in the body)
_READ_ONLY_POSTS = ("TestFunction", "TestConnectionFunction", "ListConnectionFunctions")


@dataclass(frozen=True)
class Operation:
    name: str
    write: bool = False
    params: Mapping[str, str] = field(default_factory=dict)


UNKNOWN = Operation("Unknown")


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
    if path.startswith("/key-value-stores/"):  # the KeyValueStore data API (kvs.py)
        from emulator.kvs import identify as identify_kvs

        return identify_kvs(method, path) or UNKNOWN
    query = parse_qs(query_string, keep_blank_values=True)
    for rule in _rules():
        operation = rule.match(method, path, query)
        if operation is not None:
            return operation
    return UNKNOWN
