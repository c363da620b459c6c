"""CloudFront Functions with two stages, DEVELOPMENT and LIVE, each with its own code, config and ETag.

moto keeps one copy per function and ignores `Stage`; this store replaces it. ETags are version
tokens: every change draws a new one, even when the content is the same as before.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from emulator.errors import (
    FunctionAlreadyExists,
    FunctionInUse,
    FunctionSizeLimitExceeded,
    InvalidArgument,
    MalformedXML,
    NoSuchFunctionExists,
    PreconditionFailed,
    check_if_match,
)

DEVELOPMENT, LIVE = "DEVELOPMENT", "LIVE"
STAGES = (DEVELOPMENT, LIVE)
RUNTIMES = ("cloudfront-js-1.0", "cloudfront-js-2.0")
MAX_CODE_BYTES = 10_240  # the service quota; the model's own maximum (40,960) is not the real limit
MAX_COMMENT = 128
NAME = re.compile(r"[a-zA-Z0-9_-]{1,64}")


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class FunctionConfig:
    comment: str
    runtime: str
    kvs_arns: tuple[str, ...] = ()

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> FunctionConfig:
        items = (raw.get("KeyValueStoreAssociations") or {}).get("Items") or []
        arns = tuple(item.get("KeyValueStoreARN", "") for item in items)
        return cls(raw.get("Comment") or "", raw.get("Runtime") or "", arns)

    def to_wire(self) -> dict[str, Any]:
        wire: dict[str, Any] = {"Comment": self.comment, "Runtime": self.runtime}
        if self.kvs_arns:  # the service leaves the element out when no store is associated
            items = [{"KeyValueStoreARN": arn} for arn in self.kvs_arns]
            wire["KeyValueStoreAssociations"] = {"Quantity": len(items), "Items": items}
        return wire


def check_function(name: str, config: FunctionConfig, code: bytes, kvs_exists: Callable[[str], bool]) -> None:
    """The service's own checks; botocore checks none of them client-side."""
    violations = _model_violations(name, config)
    if violations:
        count = f"{len(violations)} validation error{'s' if len(violations) > 1 else ''} detected"
        raise MalformedXML(detail=f"{count}: {'; '.join(violations)}")
    if len(config.comment) > MAX_COMMENT:
        raise InvalidArgument(detail=f"The comment is longer than {MAX_COMMENT} characters.")
    if not code:
        raise InvalidArgument(detail="The function code is empty.")
    if len(code) > MAX_CODE_BYTES:
        raise FunctionSizeLimitExceeded(size=len(code))
    _check_stores(config, kvs_exists)


def _model_violations(name: str, config: FunctionConfig) -> list[str]:
    """The model's own constraints, worded as CloudFront words them in its MalformedXML answers
    (field reports: a name too long and off pattern, an event type outside its value set)."""
    violations = []
    if not name:
        violations.append("Value '' at 'name' failed to satisfy constraint: " + _SHORTER_THAN_1)
    if len(name) > 64:
        violations.append(f"Value '{name}' at 'name' failed to satisfy constraint: {_LONGER_THAN_64}")
    if not NAME.fullmatch(name):
        violations.append(f"Value '{name}' at 'name' failed to satisfy constraint: {_PATTERN}")
    if config.runtime not in RUNTIMES:
        violations.append(
            f"Value '{config.runtime}' at 'functionConfig.runtime' failed to satisfy constraint: "
            f"Member must satisfy value set: [{', '.join(RUNTIMES)}]"
        )
    return violations


_SHORTER_THAN_1 = "Member must have length greater than or equal to 1"
_LONGER_THAN_64 = "Member must have length less than or equal to 64"
_PATTERN = "Member must satisfy regular expression pattern: [a-zA-Z0-9-_]{1,64}"


def _check_stores(config: FunctionConfig, kvs_exists: Callable[[str], bool]) -> None:
    if not config.kvs_arns:
        return
    if config.runtime != "cloudfront-js-2.0":
        raise InvalidArgument(detail="KeyValueStore associations require runtime cloudfront-js-2.0.")
    if len(config.kvs_arns) > 1:
        raise InvalidArgument(detail="A function can be associated with at most one KeyValueStore.")
    unknown = [arn for arn in config.kvs_arns if not kvs_exists(arn)]
    if unknown:
        raise InvalidArgument(detail=f"The KeyValueStore {unknown[0]} does not exist.")


@dataclass(frozen=True)
class StageCopy:
    code: bytes
    config: FunctionConfig
    etag: str
    modified: datetime

    def same_content(self, other: StageCopy | None) -> bool:
        return other is not None and (self.code, self.config) == (other.code, other.config)


@dataclass
class Function:
    name: str
    arn: str
    created: datetime
    development: StageCopy
    live: StageCopy | None = None

    def copy(self, stage: str) -> StageCopy:
        if stage == DEVELOPMENT:
            return self.development
        if self.live is None:  # never published: LIVE does not exist yet
            raise NoSuchFunctionExists(name=self.name)
        return self.live

    def resolve_stage(self, stage: str | None) -> str:
        """The stage a request means.

        AWS does not document what a missing `Stage` means. The emulator takes LIVE once the function
        is published (DEVELOPMENT before): a client that omits it and then writes with the ETag it
        got meets a 412, as peer tools did on AWS (Terraform provider issue #19529). Pass Stage.
        """
        if stage is None:
            return DEVELOPMENT if self.live is None else LIVE
        if stage not in STAGES:
            raise InvalidArgument(detail=f"Invalid stage {stage!r}: use DEVELOPMENT or LIVE.")
        return stage

    def status(self, stage: str, associated: bool) -> str:
        """DEVELOPMENT that differs from LIVE is UNPUBLISHED; LIVE is DEPLOYED once a distribution uses it."""
        if stage == DEVELOPMENT and not self.development.same_content(self.live):
            return "UNPUBLISHED"
        return "DEPLOYED" if associated else "UNASSOCIATED"

    def summary(self, stage: str, associated: bool) -> dict[str, Any]:
        copy = self.copy(stage)
        return {
            "Name": self.name,
            "Status": self.status(stage, associated),
            "FunctionConfig": copy.config.to_wire(),
            "FunctionMetadata": {
                "FunctionARN": self.arn,
                "Stage": stage,
                "CreatedTime": self.created,
                "LastModifiedTime": copy.modified,
            },
        }


class FunctionStore:
    """All functions of the account, by name. The caller holds the state lock."""

    def __init__(self, arn_prefix: str, new_etag: Callable[[], str]) -> None:
        self._arn_prefix = arn_prefix
        self._new_etag = new_etag
        self._functions: dict[str, Function] = {}
        # Switches for what AWS leaves undocumented; see the package docstring.
        self.publish_renews_development_etag = True
        self.refuse_unchanged_publish = False

    def get(self, name: str) -> Function:
        if name not in self._functions:
            raise NoSuchFunctionExists(name=name)
        return self._functions[name]

    def find(self, name: str) -> Function | None:
        return self._functions.get(name)

    def all(self) -> list[Function]:
        return sorted(self._functions.values(), key=lambda fn: fn.name)

    def create(self, name: str, config: FunctionConfig, code: bytes) -> Function:
        if name in self._functions:
            raise FunctionAlreadyExists(name=name)
        now = _now()
        dev = StageCopy(code, config, self._new_etag(), now)
        function = Function(name, f"{self._arn_prefix}{name}", now, dev)
        self._functions[name] = function
        return function

    def update(self, name: str, if_match: str | None, config: FunctionConfig, code: bytes) -> Function:
        function = self.get(name)
        check_if_match(if_match, function.development.etag)
        return self.replace_development(function, config, code)

    def replace_development(self, function: Function, config: FunctionConfig, code: bytes) -> Function:
        function.development = StageCopy(code, config, self._new_etag(), _now())
        return function

    def publish(self, name: str, if_match: str | None) -> Function:
        """PublishFunction: check If-Match, then copy DEVELOPMENT to LIVE.

        With `refuse_unchanged_publish`, a function whose DEVELOPMENT already equals LIVE answers
        412 to the current DEVELOPMENT ETag, the one UpdateFunction still accepts, as in the field
        report of Terraform AWS provider issue #49572."""
        function = self.get(name)
        check_if_match(if_match, function.development.etag)
        if self.refuse_unchanged_publish and function.development.same_content(function.live):
            raise PreconditionFailed()
        return self.promote(function)

    def promote(self, function: Function) -> Function:
        """Copy DEVELOPMENT to LIVE (seeding calls this directly). By default DEVELOPMENT gets a new
        ETag too, as field reports show: a publish retried after a lost answer, or sent with an
        ETag read before an earlier publish, meets a 412. `publish_renews_development_etag = False`
        keeps DEVELOPMENT's ETag instead: AWS documents neither."""
        function.live = replace(function.development, etag=self._new_etag(), modified=_now())
        if self.publish_renews_development_etag:
            function.development = replace(function.development, etag=self._new_etag())
        return function

    def delete(self, name: str, if_match: str | None, in_use: bool) -> None:
        function = self.get(name)
        check_if_match(if_match, function.development.etag)
        if in_use:
            raise FunctionInUse(name=name)
        del self._functions[name]

    def page(
        self, stage: str | None, marker: str | None, max_items: int
    ) -> tuple[list[tuple[Function, str]], str | None]:
        """One page of (function, stage) rows; without `Stage` each published function lists twice."""
        rows = [(fn, st) for fn in self.all() for st in STAGES if _has(fn, st) and stage in (None, st)]
        start = _position(rows, marker)
        chosen = rows[start : start + max_items]
        rest = rows[start + max_items :]
        return chosen, (_marker(*rest[0]) if rest else None)


def _has(function: Function, stage: str) -> bool:
    return stage == DEVELOPMENT or function.live is not None


def _marker(function: Function, stage: str) -> str:
    """NextMarker names the first row of the next page; it stays valid if that row is deleted meanwhile."""
    return f"{function.name}/{stage}"


def _position(rows: list[tuple[Function, str]], marker: str | None) -> int:
    if not marker:
        return 0
    name, _, stage = marker.partition("/")
    if stage not in STAGES:
        raise InvalidArgument(detail=f"Invalid marker {marker!r}.")
    key = (name, STAGES.index(stage))
    return next((i for i, (fn, st) in enumerate(rows) if (fn.name, STAGES.index(st)) >= key), len(rows))
