"""The function operations as a table: each kind's row names operations and fields botocore's model
has, and the port reads the row it is asked for (a connection function by its Id, a viewer by Name)."""

from __future__ import annotations

import io
import threading
from typing import Any

import botocore.session
import pytest

from publisher.core.model import FunctionConfig, Stage
from publisher.core.modes import Kind
from publisher.shell.aws import AwsCloudFront
from publisher.shell.function_rows import ROWS

MODEL = botocore.session.get_session().get_service_model("cloudfront")
FUNCTION_KINDS = list(ROWS)


@pytest.mark.parametrize("kind", FUNCTION_KINDS)
def test_every_operation_and_field_of_a_row_is_in_the_model(kind: Kind) -> None:
    row = ROWS[kind]
    inputs = {op: set(MODEL.operation_model(op).input_shape.members) for op in _operations(kind)}
    assert {row.read_key, "Stage"} <= inputs[row.get] & inputs[row.describe]
    assert {row.write_key, "IfMatch"} <= inputs[row.update] & inputs[row.publish] & inputs[row.delete]
    assert {row.write_key, "IfMatch", "Stage", row.test_input} <= inputs[row.test]
    assert {"Name", row.code, row.config} <= inputs[row.create]
    assert {"Marker", "MaxItems", "Stage"} <= inputs[row.list]
    assert row.summary in MODEL.operation_model(row.describe).output_shape.members
    assert row.test_result in MODEL.operation_model(row.test).output_shape.members
    result = MODEL.operation_model(row.test).output_shape.members[row.test_result].members
    assert {row.test_error, row.test_output, row.test_logs, "ComputeUtilization"} <= set(result)
    max_items = MODEL.operation_model(row.list).input_shape.members["MaxItems"].type_name
    assert isinstance(row.max_items, int if max_items == "integer" else str)


class Recorder:
    """A boto3 client that records each call and answers as the kind's operations answer."""

    def __init__(self, kind: Kind) -> None:
        self.row = ROWS[kind]
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.meta = type("Meta", (), {"endpoint_url": "http://test"})()

    def __getattr__(self, snake: str) -> Any:
        operation = next(op for op in _operations_of(self.row) if _snake(op) == snake)

        def call(**params: Any) -> dict[str, Any]:
            self.calls.append((operation, params))
            return self._answer(operation)

        return call

    def _answer(self, operation: str) -> dict[str, Any]:
        row = self.row
        summary = {
            "Name": "gate",
            "Id": "cf-1",
            "Status": "UNPUBLISHED",
            row.config: {"Comment": "c", "Runtime": "cloudfront-js-2.0"},
        }
        if operation == row.list:
            return (
                {"ConnectionFunctions": [summary]}
                if row.items == ("ConnectionFunctions",)
                else {"FunctionList": {"Items": [summary]}}
            )
        if operation == row.get:
            return {row.code: io.BytesIO(b"code"), "ETag": "E1"}
        if operation == row.test:
            return {row.test_result: {row.test_output: '{"action": "allow"}', "ComputeUtilization": "3"}}
        return {row.summary: summary, "ETag": "E2", "ResponseMetadata": {"HTTPHeaders": {"etag": "E2"}}}


@pytest.mark.parametrize("kind", FUNCTION_KINDS)
def test_the_port_calls_the_rows_operations_with_its_addressing(kind: Kind) -> None:
    row = ROWS[kind]
    cf = AwsCloudFront.__new__(AwsCloudFront)
    cf._client = recorder = Recorder(kind)
    cf._slots = threading.BoundedSemaphore(1)
    config = FunctionConfig("c", "cloudfront-js-2.0")

    (listed,) = cf.list_functions(Stage.LIVE, kind=kind)
    assert cf.get_function("cf-1", Stage.LIVE, kind=kind) == (b"code", "E1")
    described = cf.describe_function("cf-1", Stage.DEVELOPMENT, kind=kind)
    created = cf.create_function("gate", b"code", config, kind=kind)
    assert cf.update_function("cf-1", b"code", config, "E1", kind=kind) == "E2"
    cf.publish_function("cf-1", "E2", kind=kind)
    run = cf.test_function("cf-1", Stage.DEVELOPMENT, "E2", b"{}", kind=kind)
    cf.delete_function("cf-1", "E2", kind=kind)

    ops = [op for op, _ in recorder.calls]
    assert ops == [row.list, row.get, row.describe, row.create, row.update, row.publish, row.test, row.delete]
    params = dict(recorder.calls)
    assert params[row.list]["Stage"] == "LIVE" and params[row.list]["MaxItems"] == row.max_items
    assert params[row.get][row.read_key] == params[row.describe][row.read_key] == "cf-1"
    for op in (row.update, row.publish, row.test, row.delete):
        assert params[op][row.write_key] == "cf-1", op
    assert params[row.create]["Name"] == "gate" and row.code in params[row.create]
    assert params[row.test][row.test_input] == b"{}"
    assert described is not None and described.etag == "E2"
    assert created.etag == "E2"
    assert run.output == {"action": "allow"} and run.utilization == 3
    expected_id = "cf-1"
    assert listed.id == described.id == created.id == expected_id  # the answer's Id, whatever the kind


def test_a_connection_function_is_addressed_by_id_and_a_viewer_function_by_name() -> None:
    assert (ROWS[Kind.FUNCTION].read_key, ROWS[Kind.FUNCTION].write_key) == ("Name", "Name")
    connection = ROWS[Kind.CONNECTION_FUNCTION]
    assert (connection.read_key, connection.write_key) == ("Identifier", "Id")


def _operations(kind: Kind) -> tuple[str, ...]:
    return _operations_of(ROWS[kind])


def _operations_of(row: Any) -> tuple[str, ...]:
    return (row.list, row.get, row.describe, row.create, row.update, row.publish, row.test, row.delete)


def _snake(operation: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in operation).lstrip("_")
