"""TestFunction runs the code for real, in node, and answers as the service does."""

from __future__ import annotations

import json
import shutil
from typing import Any

import pytest
from botocore.exceptions import ClientError

from emulator import Emulator
from tests.emulator.helpers import create, error_of, etag, event, publish, update

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="TestFunction runs the code in node")


def run(cf: Any, name: str, event_object: bytes, stage: str = "DEVELOPMENT") -> dict[str, Any]:
    answer = cf.test_function(Name=name, IfMatch=etag(cf, name, stage), Stage=stage, EventObject=event_object)
    result: dict[str, Any] = answer["TestResult"]
    return result


def test_a_passing_function_answers_its_output_and_logs(cf: Any) -> None:
    code = b"""function handler(event) {
        var request = event.request;
        console.log('uri', request.uri);
        request.headers['x-added'] = {value: 'yes'};
        return request;
    }"""
    create(cf, "a", code)
    result = run(cf, "a", event())
    output = json.loads(result["FunctionOutput"])
    assert output["request"]["headers"]["x-added"] == {"value": "yes"}
    assert result["FunctionExecutionLogs"] == ["uri /index.html"]
    assert "FunctionErrorMessage" not in result
    assert result["FunctionSummary"]["FunctionMetadata"]["Stage"] == "DEVELOPMENT"


def test_a_thrown_error_is_a_200_with_the_message(cf: Any) -> None:
    create(cf, "a", b"function handler(event) { console.log('before'); throw new TypeError('boom'); }")
    answer = cf.test_function(
        Name="a", IfMatch=etag(cf, "a", "DEVELOPMENT"), Stage="DEVELOPMENT", EventObject=event()
    )
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    result = answer["TestResult"]
    assert result["FunctionErrorMessage"] == "TypeError: boom"
    assert result["FunctionExecutionLogs"] == ["before"]
    assert "FunctionOutput" not in result


def test_an_export_statement_is_a_syntax_error(cf: Any) -> None:
    create(cf, "a", b"export function handler(event) { return event.request; }")
    assert run(cf, "a", event())["FunctionErrorMessage"].startswith("SyntaxError")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("return eval('event.request');", "EvalError"),
        ("setTimeout(function () {}, 1); return event.request;", "ReferenceError: setTimeout is not defined"),
        ("require('fs'); return event.request;", "Cannot find module 'fs'"),
    ],
    ids=["eval", "timers", "require"],
)
def test_the_sandbox_forbids_what_cloudfront_forbids(cf: Any, body: str, message: str) -> None:
    create(cf, "a", f"function handler(event) {{ {body} }}".encode())
    assert message in run(cf, "a", event())["FunctionErrorMessage"]


def test_a_returned_response_is_answered_as_response(cf: Any) -> None:
    code = b"""async function handler(event) {
        return {statusCode: 301, statusDescription: 'Moved', headers: {location: {value: '/new'}}};
    }"""
    create(cf, "a", code)
    output = json.loads(run(cf, "a", event())["FunctionOutput"])
    assert output["response"]["statusCode"] == 301


def test_a_viewer_response_event_answers_the_response(cf: Any) -> None:
    code = b"""function handler(event) {
        event.response.headers['x-frame-options'] = {value: 'DENY'};
        return event.response;
    }"""
    create(cf, "a", code)
    output = json.loads(run(cf, "a", event("viewer-response"))["FunctionOutput"])
    assert output["response"]["headers"] == {"x-frame-options": {"value": "DENY"}}


def test_compute_utilization_follows_the_work_done(cf: Any) -> None:
    create(cf, "light")
    create(
        cf,
        "heavy",
        b"function handler(e) { var s = 0; for (var i = 0; i < 40000; i++) { s += i; } return e.request; }",
    )
    light = int(run(cf, "light", event())["ComputeUtilization"])
    heavy = int(run(cf, "heavy", event())["ComputeUtilization"])
    assert light <= 5
    assert 70 < heavy <= 100
    assert run(cf, "heavy", event())["ComputeUtilization"] == str(heavy)  # deterministic


def test_the_key_value_store_is_read_through_the_cloudfront_module(cf: Any, emu: Emulator) -> None:
    store = cf.create_key_value_store(Name="redirects")["KeyValueStore"]["ARN"]
    emu.seed_kvs_data(store, {"/old": "/new"})
    code = b"""import cf from 'cloudfront';
    const kvs = cf.kvs();
    async function handler(event) {
        const target = await kvs.get(event.request.uri);
        return {statusCode: 302, headers: {location: {value: target}}};
    }"""
    create(cf, "a", code, kvs_arn=store)
    output = json.loads(run(cf, "a", event(uri="/old"))["FunctionOutput"])
    assert output["response"]["headers"]["location"] == {"value": "/new"}


def test_the_live_stage_runs_the_published_code(cf: Any) -> None:
    create(cf, "a", b"function handler(e) { console.log('v1'); return e.request; }")
    publish(cf, "a")
    update(cf, "a", b"function handler(e) { console.log('v2'); return e.request; }")
    assert run(cf, "a", event(), stage="LIVE")["FunctionExecutionLogs"] == ["v1"]
    assert run(cf, "a", event(), stage="DEVELOPMENT")["FunctionExecutionLogs"] == ["v2"]


def test_if_match_must_be_the_tested_stage_etag(cf: Any) -> None:
    create(cf, "a")
    publish(cf, "a")
    live = etag(cf, "a", "LIVE")
    with pytest.raises(ClientError) as raised:
        cf.test_function(Name="a", IfMatch=live, Stage="DEVELOPMENT", EventObject=event())
    assert error_of(raised) == ("InvalidIfMatchVersion", 400)


def test_an_event_that_is_not_json_is_refused(cf: Any) -> None:
    dev = create(cf, "a")
    with pytest.raises(ClientError) as raised:
        cf.test_function(Name="a", IfMatch=dev, Stage="DEVELOPMENT", EventObject=b"{not json")
    assert error_of(raised) == ("InvalidArgument", 400)
