"""TestFunction runs the code for real, in njs (else node), and answers as the service does."""

from __future__ import annotations

import json
import shutil
from typing import Any

import pytest
from botocore.exceptions import ClientError

from emulator import Emulator
from tests.emulator.helpers import create, error_of, etag, event, publish, update

V1 = "cloudfront-js-1.0"
pytestmark = pytest.mark.skipif(
    shutil.which("njs") is None and shutil.which("node") is None,
    reason="TestFunction runs the code in njs or node",
)


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
        ("return eval('event.request');", "Error"),  # njs: InternalError: Not implemented; node: EvalError
        ("setTimeout(function () {}, 1); return event.request;", "is not defined"),
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


def loop(iterations: int) -> bytes:
    return f"function handler(e) {{ var s = 0; for (var i = 0; i < {iterations}; i++) {{ s += i; }} return e.request; }}".encode()


def test_compute_utilization_is_the_share_of_the_allowed_time(cf: Any) -> None:
    """Times vary between runs; the bands leave room for that (see emulator.runtime)."""
    create(cf, "light")
    create(cf, "busy", loop(40_000))
    create(cf, "heavy", loop(80_000))
    light = run(cf, "light", event())
    busy = run(cf, "busy", event())
    heavy = run(cf, "heavy", event())
    assert int(light["ComputeUtilization"]) < 40
    assert 50 < int(busy["ComputeUtilization"]) <= 100
    assert 70 < int(heavy["ComputeUtilization"]) <= 100
    assert "FunctionErrorMessage" not in heavy


def test_an_endless_loop_is_stopped_with_an_error(cf: Any) -> None:
    create(cf, "a", b"function handler(e) { console.log('start'); while (true) {} }")
    result = run(cf, "a", event())
    assert result["FunctionErrorMessage"] == "The function exceeded the maximum allowed compute time."
    assert result["ComputeUtilization"] == "100"
    assert result["FunctionExecutionLogs"] == ["start"]
    assert "FunctionOutput" not in result


def test_logs_are_truncated_at_10_kb(cf: Any) -> None:
    create(
        cf,
        "a",
        b"function handler(e) { for (var i = 0; i < 2000; i++) { console.log('line ' + i + ' ....'); } return e.request; }",
    )
    logs = run(cf, "a", event())["FunctionExecutionLogs"]
    assert sum(len(line.encode()) for line in logs) == 10_240
    assert logs[0] == "line 0 ...." and len(logs) < 2000


def outcome(cf: Any, runtime: str, expression: str) -> Any:
    """The value of `expression` in a function of that runtime, carried out in a header."""
    name = f"probe-{abs(hash((runtime, expression))) % 10**8}"
    code = f"function handler(e) {{ e.request.headers['x-out'] = {{value: JSON.stringify({expression})}}; return e.request; }}"
    create(cf, name, code.encode(), runtime=runtime)
    result = run(cf, name, event())
    assert "FunctionErrorMessage" not in result, result.get("FunctionErrorMessage")
    return json.loads(json.loads(result["FunctionOutput"])["request"]["headers"]["x-out"]["value"])


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        ("'caf\\u00e9'.toUTF8().length", 5),
        ("'caf\\u00e9'.toUTF8().fromUTF8()", "caf\u00e9"),
        ("'\\u20ac'.toBytes()", None),
        ("'abc'.toBytes(1)", "bc"),
        ("String.bytesFrom('616263', 'hex')", "abc"),
        ("String.bytesFrom([97, 98])", "ab"),
        ("typeof require('crypto').createHash('sha256').update('a').digest()", "string"),
        ("require('crypto').createHmac('sha256', 'k').update('a').digest().length", 32),
        ("require('crypto').createHash('md5').update('a').digest('hex')", "0cc175b9c0f1b6a831c399e269772661"),
        ("typeof Buffer", "undefined"),
        ("[typeof Intl, typeof Proxy, typeof WebAssembly, typeof setTimeout]", ["undefined"] * 4),
    ],
)
def test_runtime_1_0_has_its_string_methods_and_byte_string_digests(
    cf: Any, expression: str, value: Any
) -> None:
    assert outcome(cf, V1, expression) == value


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        ("Buffer.from('abc').toString('base64')", "YWJj"),
        ("require('buffer').Buffer.from('YWJj', 'base64').toString()", "abc"),
        ("Buffer.isBuffer(require('crypto').createHash('sha256').update('a').digest())", True),
        ("require('crypto').createHash('sha1').update('a').digest('base64')", "hvfkN/qlp/zhXR3cuerq6jd2Z7g="),
        ("typeof ''.toUTF8", "undefined"),
        ("typeof String.bytesFrom", "undefined"),
        ("[typeof Intl, typeof Proxy, typeof WebAssembly, typeof setTimeout]", ["undefined"] * 4),
    ],
)
def test_runtime_2_0_has_buffer_and_buffer_digests(cf: Any, expression: str, value: Any) -> None:
    assert outcome(cf, "cloudfront-js-2.0", expression) == value


def test_modules_of_2_0_are_not_in_1_0(cf: Any) -> None:
    create(cf, "a", b"function handler(e) { require('buffer'); return e.request; }", runtime=V1)
    assert run(cf, "a", event())["FunctionErrorMessage"] == "Error: Cannot find module 'buffer'"


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
