"""The CloudFront handlers: moto's, with the function operations and distribution listing replaced.

moto parses each request against the botocore model and serializes the dicts returned here, so
element names, headers and status codes follow the model. Where AWS departs from its own model
(UpdateFunction's ETag header) the handler says so.
"""

from __future__ import annotations

from typing import Any

from moto.cloudfront.responses import CloudFrontResponse
from moto.core.common_types import TYPE_RESPONSE
from moto.core.responses import ActionContext, ActionResult, EmptyResult

from emulator import tagging
from emulator.connection_functions import run_connection_test, summary
from emulator.distributions import (
    TENANT_ONLY,
    EmulatorBackend,
    association_problem,
    connection_function_id,
    connection_key,
    requested_function_arns,
)
from emulator.errors import (
    InvalidArgument,
    InvalidFunctionAssociation,
    InvalidIfMatchVersion,
    UnmodelledError,
    error_body,
)
from emulator.functions import DEVELOPMENT, LIVE, STAGES, Function, FunctionConfig, check_function
from emulator.listing import distribution_list_xml
from emulator.operations import UNKNOWN, identify
from emulator.runtime import parse_event, run_test
from emulator.state import State

DEFAULT_MAX_ITEMS = 100
CONNECTION_MODES = ("direct", TENANT_ONLY)


class WrittenResult(ActionResult):
    """An answer whose XML the emulator wrote itself (see listing.py), not moto's serializer."""

    def __init__(self, body: str) -> None:
        super().__init__(None)
        self.body = body

    def execute_result(self, context: ActionContext) -> TYPE_RESPONSE:
        return 200, {"Content-Type": "application/xml"}, self.body


class EmulatorResponse(CloudFrontResponse):
    def __init__(self, state: State) -> None:
        super().__init__()
        self.state = state

    @property
    def backend(self) -> EmulatorBackend:
        return self.state.backend

    def _get_action_from_method_and_request_uri(self, request: Any) -> str:
        """Route by method, path and query alone. moto's router also wants the modelled required
        headers, so a request without If-Match would match no operation and answer a bare 404
        where CloudFront answers InvalidIfMatchVersion."""
        operation = identify(request.method, request.path, request.query_string.decode())
        self.uri_match = dict(operation.params)
        return operation.name if operation is not UNKNOWN else None  # type: ignore[return-value]

    def call_action(self) -> TYPE_RESPONSE:
        """One request at a time changes the state; TestFunction takes the lock itself around node."""
        if self._get_action() in ("TestFunction", "TestConnectionFunction"):
            return super().call_action()
        with self.state.lock:
            return super().call_action()

    def serialized(self, action_result: ActionResult) -> TYPE_RESPONSE:
        error = action_result.result
        if isinstance(error, UnmodelledError):
            return error.status, {"Content-Type": "text/xml"}, error_body(error.code, error.message)
        return super().serialized(action_result)

    # Functions

    def create_function(self) -> ActionResult:
        name, config, code = self._function_input()
        function = self.state.functions.create(name, config, code)
        self.backend.tagger.tag_resource(function.arn, self._get_param("Tags.Items", []) or [])
        return ActionResult(
            {
                "FunctionSummary": self._summary(function, DEVELOPMENT),
                "ETag": function.development.etag,
                "Location": f"https://cloudfront.amazonaws.com/2020-05-31/function/{function.arn}",
            }
        )

    def describe_function(self) -> ActionResult:
        function, stage = self._function_stage()
        etag = function.copy(stage).etag
        return ActionResult({"FunctionSummary": self._summary(function, stage), "ETag": etag})

    def get_function(self) -> ActionResult:
        function, stage = self._function_stage()
        copy = function.copy(stage)
        self.response_headers["Content-Type"] = "application/octet-stream"  # else the serializer's XML type
        return ActionResult({"FunctionCode": copy.code, "ETag": copy.etag})

    def list_functions(self) -> ActionResult:
        stage = self._get_param("Stage")
        if stage is not None and stage not in STAGES:
            raise InvalidArgument(detail=f"Invalid stage {stage!r}: use DEVELOPMENT or LIVE.")
        max_items = _max_items(self._get_param("MaxItems"))
        rows, next_marker = self.state.functions.page(stage, self._get_param("Marker"), max_items)
        listing: dict[str, Any] = {
            "MaxItems": max_items,
            "Quantity": len(rows),
            "Items": [self._summary(function, row_stage) for function, row_stage in rows],
        }
        if next_marker:
            listing["NextMarker"] = next_marker
        return ActionResult({"FunctionList": listing})

    def update_function(self) -> ActionResult:
        name, config, code = self._function_input()
        function = self.state.functions.update(name, self._get_param("IfMatch"), config, code)
        # The model binds this output to a header spelled "ETtag"; the service sends a normal "ETag",
        # so boto3's modelled ETag field comes back None. Sent as the service does, to break clients
        # that rely on that field instead of the raw header or a fresh DescribeFunction.
        self.response_headers["ETag"] = function.development.etag
        return ActionResult({"FunctionSummary": self._summary(function, DEVELOPMENT)})

    def publish_function(self) -> ActionResult:
        function = self.state.functions.publish(self._get_param("Name"), self._get_param("IfMatch"))
        self.backend.redeploy(function.arn)
        return ActionResult({"FunctionSummary": self._summary(function, LIVE)})  # no ETag: none is modelled

    def delete_function(self) -> EmptyResult:
        function = self.state.functions.get(self._get_param("Name"))
        self.state.functions.delete(
            function.name, self._get_param("IfMatch"), self.state.in_use(function.arn)
        )
        tagging.forget(self.state, function.arn)
        return EmptyResult()

    # Tags (emulator/tagging.py): functions, connection functions and stores, by ARN

    def tag_resource(self) -> EmptyResult:
        tagging.tag(self.state, self._get_param("Resource") or "", self._get_param("Tags.Items", []) or [])
        return EmptyResult()

    def untag_resource(self) -> EmptyResult:
        keys = self._get_param("TagKeys.Items", []) or []
        tagging.untag(self.state, self._get_param("Resource") or "", keys)
        return EmptyResult()

    def list_tags_for_resource(self) -> ActionResult:
        tags = tagging.listing(self.state, self._get_param("Resource") or "")
        return ActionResult({"Tags": {"Items": tags}})

    def test_function(self) -> ActionResult:
        """If-Match is the tested stage's ETag. The model declares no PreconditionFailed for this
        operation, so a stale ETag answers InvalidIfMatchVersion (400), as a missing one does."""
        event = parse_event(self._get_param("EventObject"))
        with self.state.lock:
            function, stage = self._function_stage()
            copy = function.copy(stage)
            if self._get_param("IfMatch") != copy.etag:
                raise InvalidIfMatchVersion()
            kvs = self.state.kvs_items(copy.config.kvs_arns)
        run = run_test(copy.code, copy.config.runtime, event, kvs)
        with self.state.lock:
            summary = self._summary(function, stage)
        return ActionResult({"TestResult": {"FunctionSummary": summary, **run.to_wire()}})

    # Connection functions (emulator/connection_functions.py): written by Id, read by Identifier

    def create_connection_function(self) -> ActionResult:
        name, config, code = self._connection_input()
        store = self.state.connection_functions
        function = store.create(name, config, code, self.state.kvs_exists)
        self.backend.tagger.tag_resource(function.arn, self._get_param("Tags.Items", []) or [])
        return ActionResult(
            {
                "ConnectionFunctionSummary": self._connection_summary(function, DEVELOPMENT),
                "ETag": function.development.etag,
                "Location": f"https://cloudfront.amazonaws.com/2020-05-31/connection-function/{function.name}",
            }
        )

    def describe_connection_function(self) -> ActionResult:
        function, stage = self._connection_stage("Identifier")
        summary = self._connection_summary(function, stage)
        return ActionResult(
            {
                "ConnectionFunctionSummary": summary,
                "ETag": self.state.connection_functions.copy(function, stage).etag,
            }
        )

    def get_connection_function(self) -> ActionResult:
        function, stage = self._connection_stage("Identifier")
        copy = self.state.connection_functions.copy(function, stage)
        self.response_headers["Content-Type"] = "application/octet-stream"
        return ActionResult(
            {"ConnectionFunctionCode": copy.code, "ETag": copy.etag, "ContentType": "text/javascript"}
        )

    def list_connection_functions(self) -> ActionResult:
        """A POST: Marker, MaxItems and Stage come in the body (the model's request shape)."""
        stage = self._get_param("Stage")
        if stage is not None and stage not in STAGES:
            raise InvalidArgument(detail=f"Invalid stage {stage!r}: use DEVELOPMENT or LIVE.")
        max_items = _max_items(self._get_param("MaxItems"))
        store = self.state.connection_functions
        rows, next_marker = store.page(stage, self._get_param("Marker"), max_items)
        answer: dict[str, Any] = {
            "ConnectionFunctions": [self._connection_summary(function, st) for function, st in rows]
        }
        if next_marker:
            answer["NextMarker"] = next_marker
        return ActionResult(answer)

    def update_connection_function(self) -> ActionResult:
        _, config, code = self._connection_input(named=False)
        store = self.state.connection_functions
        function = store.update(
            self._get_param("Id"), self._get_param("IfMatch"), config, code, self.state.kvs_exists
        )
        summary = self._connection_summary(function, DEVELOPMENT)
        return ActionResult({"ConnectionFunctionSummary": summary, "ETag": function.development.etag})

    def publish_connection_function(self) -> ActionResult:
        function = self.state.connection_functions.publish(self._get_param("Id"), self._get_param("IfMatch"))
        self.backend.redeploy(function.arn)
        return ActionResult({"ConnectionFunctionSummary": self._connection_summary(function, LIVE)})

    def delete_connection_function(self) -> EmptyResult:
        function = self.state.connection_functions.get(self._get_param("Id"))
        self.state.connection_functions.delete(
            function.name, self._get_param("IfMatch"), self.state.in_use(connection_key(function.name))
        )
        tagging.forget(self.state, function.arn)
        return EmptyResult()

    def test_connection_function(self) -> ActionResult:
        """As TestFunction: If-Match is the tested stage's ETag; the code runs outside the lock."""
        connection = parse_event(self._get_param("ConnectionObject"))
        with self.state.lock:
            function, stage = self._connection_stage("Id")
            copy = self.state.connection_functions.copy(function, stage)
            if self._get_param("IfMatch") != copy.etag:
                raise InvalidIfMatchVersion()
            kvs = self.state.kvs_items(copy.config.kvs_arns)
        run = run_connection_test(copy.code, connection, kvs)
        with self.state.lock:
            summary = self._connection_summary(function, stage)
        return ActionResult({"ConnectionFunctionTestResult": {"ConnectionFunctionSummary": summary, **run}})

    def list_distributions_by_connection_function(self) -> ActionResult:
        """The distributions whose config names this connection function (by its Id or ARN)."""
        function = self.state.connection_functions.get(self._get_param("ConnectionFunctionIdentifier"))
        users = self.backend.users.get(connection_key(function.name), set())
        marker = self._get_param("Marker") or ""
        max_items = _max_items(self._get_param("MaxItems"))
        everything = [
            d for d in self.backend.page(None, None, len(self.backend.distributions) + 1)[0] if d.id in users
        ]
        start = next((i + 1 for i, d in enumerate(everything) if d.id == marker), 0)
        dists = everything[start : start + max_items]
        truncated = start + max_items < len(everything)
        listing: dict[str, Any] = {"Marker": marker, "MaxItems": max_items, "IsTruncated": truncated}
        listing["Quantity"] = len(dists)
        if dists:
            listing["Items"] = dists
        if truncated and dists:
            listing["NextMarker"] = dists[-1].id
        return WrittenResult(distribution_list_xml("ListDistributionsByConnectionFunction", listing))

    # Distributions

    def create_distribution(self) -> ActionResult:
        self._check_published(self._get_param("DistributionConfig", {}))
        return super().create_distribution()

    def create_distribution_with_tags(self) -> ActionResult:
        self._check_published(self._get_param("DistributionConfigWithTags.DistributionConfig", {}))
        return super().create_distribution_with_tags()

    def update_distribution(self) -> ActionResult:
        self._check_published(self._get_param("DistributionConfig", {}))
        return super().update_distribution()

    def get_distribution_config(self) -> ActionResult:
        """The config as last written, every field the client sent kept (moto's objects drop the fields
        it does not know, and an UpdateDistribution replaces the whole config with what it sends)."""
        dist = self.backend.distribution(self._get_param("Id"))
        return ActionResult({"DistributionConfig": dist.raw_config, "ETag": dist.etag})

    def list_distributions(self) -> ActionResult:
        return self._distribution_list("ListDistributions", None)

    def list_distributions_by_connection_mode(self) -> ActionResult:
        mode = self._get_param("ConnectionMode")
        if mode not in CONNECTION_MODES:
            raise InvalidArgument(detail=f"Invalid connection mode {mode!r}: use direct or tenant-only.")
        return self._distribution_list("ListDistributionsByConnectionMode", mode)

    # Helpers

    def _function_input(self) -> tuple[str, FunctionConfig, bytes]:
        name = self._get_param("Name") or ""
        config = FunctionConfig.parse(self._get_param("FunctionConfig", {}) or {})
        code = self._get_param("FunctionCode") or b""
        code = code.encode() if isinstance(code, str) else bytes(code)
        check_function(name, config, code, self.state.kvs_exists)
        return name, config, code

    def _connection_input(self, *, named: bool = True) -> tuple[str, FunctionConfig, bytes]:
        name = self._get_param("Name") or "" if named else ""
        config = FunctionConfig.parse(self._get_param("ConnectionFunctionConfig", {}) or {})
        code = self._get_param("ConnectionFunctionCode") or b""
        return name, config, code.encode() if isinstance(code, str) else bytes(code)

    def _connection_stage(self, key: str) -> tuple[Function, str]:
        function = self.state.connection_functions.get(self._get_param(key))
        return function, function.resolve_stage(self._get_param("Stage"))

    def _connection_summary(self, function: Function, stage: str) -> dict[str, Any]:
        in_use = self.state.in_use(connection_key(function.name))
        return summary(self.state.connection_functions, function, stage, in_use)

    def _function_stage(self) -> tuple[Function, str]:
        function = self.state.functions.get(self._get_param("Name"))
        return function, function.resolve_stage(self._get_param("Stage"))

    def _summary(self, function: Function, stage: str) -> dict[str, Any]:
        return function.summary(stage, self.state.in_use(function.arn))

    def _check_published(self, raw: dict[str, Any]) -> None:
        """A cache behaviour can only run a function of this account that has been published, one per
        event type, and none beside a Lambda@Edge function on the same event."""
        problem = association_problem(raw)
        if problem:
            raise InvalidFunctionAssociation(detail=problem)
        for arn in requested_function_arns(raw):
            function = self.state.functions.find(arn.rsplit("/", 1)[-1])
            if function is None or function.arn != arn or function.live is None:
                raise InvalidFunctionAssociation(
                    detail=f"The function {arn} does not exist or is not published."
                )
        self._check_connection_function(raw)

    def _check_connection_function(self, raw: dict[str, Any]) -> None:
        """A distribution runs a connection function only with viewer mTLS, and only one that is
        published (its LIVE stage); see docs/emulator-compatibility.md for the error codes."""
        cid = connection_function_id(raw)
        if not cid:
            return
        trust = (raw.get("ViewerMtlsConfig") or {}).get("TrustStoreConfig") or {}
        if not trust.get("TrustStoreId"):
            raise InvalidArgument(
                detail="A connection function association requires viewer mTLS with a trust store (ViewerMtlsConfig)."
            )
        found = [f for f in self.state.connection_functions.all() if f.name == cid]
        if not found or found[0].live is None:
            raise InvalidFunctionAssociation(
                detail=f"The connection function {cid} does not exist or is not published."
            )

    def _distribution_list(self, operation: str, mode: str | None) -> ActionResult:
        marker = self._get_param("Marker") or ""
        max_items = _max_items(self._get_param("MaxItems"))
        dists, next_marker = self.backend.page(mode, marker, max_items)
        listing: dict[str, Any] = {
            "Marker": marker,
            "MaxItems": max_items,
            "IsTruncated": next_marker is not None,
            "Quantity": len(dists),
        }
        if dists:
            listing["Items"] = dists
        if next_marker:
            listing["NextMarker"] = next_marker
        return WrittenResult(distribution_list_xml(operation, listing))


def _max_items(value: str | int | None) -> int:
    """MaxItems arrives as a string for most listings (an integer for ListDistributionsByConnectionMode)."""
    if value is None or value == "":
        return DEFAULT_MAX_ITEMS
    try:
        number = int(value)
    except ValueError as err:
        raise InvalidArgument(detail=f"MaxItems must be a number, not {value!r}.") from err
    if number < 1:
        raise InvalidArgument(detail="MaxItems must be at least 1.")
    return number
