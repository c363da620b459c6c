"""Connection functions (viewer mTLS): the same two stages, ETags and If-Match rules as viewer
functions, kept by Id. See docs/emulator-compatibility.md, "Connection functions", for each choice.

The stages are the viewer functions' own (`functions.FunctionStore`, keyed here by Id rather than by
name); this module adds the name beside each Id, the connection function's errors and summary, and
the test run: the code runs in the emulator's runtime (`runtime.run_test`) with the connection object
as the handler's argument, `allow()` and `deny()` added to it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from emulator.errors import (
    CannotDeleteEntityWhileInUse,
    EntityAlreadyExists,
    EntityNotFound,
    EntitySizeLimitExceeded,
    FunctionInUse,
    FunctionSizeLimitExceeded,
    InvalidArgument,
    NoSuchFunctionExists,
)
from emulator.functions import Function, FunctionConfig, FunctionStore, StageCopy, check_function
from emulator.runtime import RunResult, run_test

RUNTIME = "cloudfront-js-2.0"  # Developer Guide: connection functions support runtime 2.0 only

# Appended to the code, after the user's handler is declared (`connectionHandler`, as the Developer
# Guide's examples name it, or `handler`): the runtime's entry point calls `handler`, which gets the
# connection object with allow(), deny() and logCustomData(), and what it decided is the output.
# One line, so the code's own line numbers in errors are unchanged. Functions run in strict mode, so
# `handler` is declared here when the code has none (an assignment to it would throw), and assigned
# when the code declares it (a second declaration would be a SyntaxError in a module).
_WRAP = (
    "(function (inner) { return function (connection) { var verdict = {action: null};"
    " connection.allow = function () { verdict.action = 'allow'; };"
    " connection.deny = function () { verdict.action = 'deny'; };"
    " connection.logCustomData = function () { };"
    " return Promise.resolve(inner(connection)).then(function () { return verdict; }); }; })"
    "(typeof connectionHandler === 'function' ? connectionHandler : handler);\n"
)
_DECLARES_HANDLER = re.compile(rb"\bfunction\s+handler\b|\b(?:var|let)\s+handler\b")


def _verdict_wrapper(code: bytes) -> bytes:
    binding = "handler = " if _DECLARES_HANDLER.search(code) else "var handler = "
    return ("\n;" + binding + _WRAP).encode()


class ConnectionFunctionStore:
    """Every connection function of the account, by Id; names are unique among them. The caller
    holds the state lock."""

    def __init__(
        self, arn_prefix: str, new_etag: Callable[[], str], new_id: Callable[[], str], viewer: FunctionStore
    ) -> None:
        self._stages = FunctionStore(arn_prefix, new_etag)
        self._names: dict[str, str] = {}  # Id -> Name
        self._new_id = new_id
        self._viewer = viewer  # its switches for what AWS leaves undocumented apply here too

    def name_of(self, function: Function) -> str:
        return self._names[function.name]

    def get(self, identifier: str | None) -> Function:
        """Reads take an Identifier, writes an Id: both are the Id here (a name is not accepted)."""
        try:
            return self._stages.get(identifier or "")
        except NoSuchFunctionExists:
            raise EntityNotFound(detail=f"The connection function {identifier} does not exist.") from None

    def copy(self, function: Function, stage: str) -> StageCopy:
        """One stage of it; LIVE before the first publish does not exist."""
        try:
            return function.copy(stage)
        except NoSuchFunctionExists:
            raise EntityNotFound(
                detail=f"The connection function {function.name} has no {stage} stage."
            ) from None

    def all(self) -> list[Function]:
        return self._stages.all()

    def create(
        self, name: str, config: FunctionConfig, code: bytes, kvs_exists: Callable[[str], bool]
    ) -> Function:
        _check(name, config, code, kvs_exists)
        if name in self._names.values():
            raise EntityAlreadyExists(detail=f"A connection function named {name} already exists.")
        cid = self._new_id()
        self._names[cid] = name
        return self._stages.create(cid, config, code)

    def update(
        self,
        cid: str,
        if_match: str | None,
        config: FunctionConfig,
        code: bytes,
        kvs_exists: Callable[[str], bool],
    ) -> Function:
        function = self.get(cid)
        _check(self._names[cid], config, code, kvs_exists)
        return self._stages.update(function.name, if_match, config, code)

    def publish(self, cid: str, if_match: str | None) -> Function:
        self.get(cid)
        self._follow_switches()
        return self._stages.publish(cid, if_match)

    def delete(self, cid: str, if_match: str | None, in_use: bool) -> None:
        self.get(cid)
        try:
            self._stages.delete(cid, if_match, in_use)
        except FunctionInUse:
            raise CannotDeleteEntityWhileInUse(detail=f"The connection function {cid} is in use.") from None
        del self._names[cid]

    def page(
        self, stage: str | None, marker: str | None, max_items: int
    ) -> tuple[list[tuple[Function, str]], str | None]:
        return self._stages.page(stage, marker, max_items)

    def _follow_switches(self) -> None:
        self._stages.publish_renews_development_etag = self._viewer.publish_renews_development_etag
        self._stages.refuse_unchanged_publish = self._viewer.refuse_unchanged_publish


def summary(
    store: ConnectionFunctionStore, function: Function, stage: str, associated: bool
) -> dict[str, Any]:
    """ConnectionFunctionSummary: Name, Id, config, ARN, Status, Stage and times at the top level."""
    copy = store.copy(function, stage)
    return {
        "Name": store.name_of(function),
        "Id": function.name,
        "ConnectionFunctionConfig": copy.config.to_wire(),
        "ConnectionFunctionArn": function.arn,
        "Status": function.status(stage, associated),
        "Stage": stage,
        "CreatedTime": function.created,
        "LastModifiedTime": copy.modified,
    }


def run_connection_test(code: bytes, connection: Any, kvs: dict[str, str]) -> dict[str, Any]:
    """TestConnectionFunction's result fields: the handler run on the connection object; its output
    is `{"action": "allow" | "deny"}`. One that calls neither is denied, as the Developer Guide says
    CloudFront does ("Write CloudFront Connection Function code")."""
    if not isinstance(connection, dict):
        raise InvalidArgument(detail="The connection object must be a JSON object.")
    run = run_test(code + _verdict_wrapper(code), RUNTIME, connection, kvs)
    verdict = _verdict(run)
    wire: dict[str, Any] = {
        "ComputeUtilization": str(run.utilization),
        "ConnectionFunctionExecutionLogs": list(run.logs),
    }
    if run.error:
        wire["ConnectionFunctionErrorMessage"] = run.error
    else:
        wire["ConnectionFunctionOutput"] = json.dumps({"action": verdict or "deny"})
    return wire


def _verdict(run: RunResult) -> str | None:
    """The harness wraps what the handler returned as a viewer-request result: {"request": verdict}."""
    if run.output is None:
        return None
    action = (json.loads(run.output).get("request") or {}).get("action")
    return action if action in ("allow", "deny") else None


def _check(name: str, config: FunctionConfig, code: bytes, kvs_exists: Callable[[str], bool]) -> None:
    """A viewer function's checks, with the connection function's error codes, and runtime 2.0 only."""
    try:
        check_function(name, config, code, kvs_exists)
    except FunctionSizeLimitExceeded:
        raise EntitySizeLimitExceeded(
            detail=f"The connection function is too large: {len(code)} bytes."
        ) from None
    if config.runtime != RUNTIME:
        raise InvalidArgument(detail=f"Connection functions support runtime {RUNTIME} only.")
