"""`test` mode's decisions, with values alone: the engine's answer → the case's report → the Result."""

from __future__ import annotations

import json
import signal

import pytest

from publisher.core.local_tests import (
    MEMORY_MESSAGE,
    NO_ANSWER,
    TIMEOUT_MESSAGE,
    Answer,
    case_input,
    report,
    script,
)
from publisher.core.local_tests import tested as result_of
from publisher.core.manifest import TestCase as Case
from publisher.core.result import Status
from tests.factories import fn, manifest

ENGINE = "njs 0.7.9"
CASE = Case("redirects", {"context": {"eventType": "viewer-request"}}, {"response.statusCode": 301}, 70)


def reply(output: object = None, error: str | None = None, logs: tuple[str, ...] = ()) -> str:
    shown = None if output is None else json.dumps(output)
    lines = [json.dumps({"log": line}) for line in logs]
    return "\n".join(["", *lines, json.dumps({"output": shown, "error": error})]) + "\n"


def judge(answer: Answer) -> tuple[bool, str, str]:
    r = report(CASE, answer, ENGINE, "/tmp/run/case-1/function.js", "functions/a.js")
    assert r.engine == ENGINE and r.utilization == 0
    return r.passed, r.error, r.mismatch


@pytest.mark.parametrize(
    ("answer", "passed", "error", "diff"),
    [
        (Answer(reply({"response": {"statusCode": 301}}), "", 0), True, "", ""),
        (
            Answer(reply({"response": {"statusCode": 302}}), "", 0),
            False,
            "the output does not match the expectation",
            "- response.statusCode: 301\n+ response.statusCode: 302",
        ),
        (Answer(reply(error="TypeError: boom"), "", 0), False, "TypeError: boom", ""),
        (Answer(reply(error="MemoryError"), "", 0), False, MEMORY_MESSAGE, ""),
        (Answer("", "", -9, timed_out=True), False, TIMEOUT_MESSAGE, ""),
        (Answer("", "", -signal.SIGXCPU), False, TIMEOUT_MESSAGE, ""),
        (Answer("", "", -signal.SIGTERM), False, "the engine was stopped by signal 15", ""),
        (Answer("", "", -signal.SIGKILL), False, TIMEOUT_MESSAGE, ""),
        (
            Answer("", "", -signal.SIGSEGV),
            False,
            "the engine crashed (signal 11): njs could not run this code",
            "",
        ),
        (
            Answer("", 'Thrown:\nSyntaxError: Unexpected token "}" in /tmp/run/case-1/function.js:3\n', 1),
            False,
            'SyntaxError: Unexpected token "}" in functions/a.js:3',
            "",
        ),
        (Answer("", "Thrown:\nMemoryError\n", 1), False, MEMORY_MESSAGE, ""),
        (Answer("", "", 0), False, NO_ANSWER, ""),
        (Answer("", "sh: 1: cannot run\n", 2), False, "the engine failed: sh: 1: cannot run", ""),
    ],
    ids=[
        "pass",
        "mismatch",
        "throws",
        "memory",
        "wall-clock",
        "cpu",
        "signal",
        "hard-cpu-limit",
        "crash",
        "syntax",
        "memory-at-load",
        "no-answer",
        "engine-failed",
    ],
)
def test_the_engine_answer_decides_the_case(answer: Answer, passed: bool, error: str, diff: str) -> None:
    assert judge(answer) == (passed, error, diff)


def test_logs_are_kept_for_a_failed_case_too() -> None:
    r = report(CASE, Answer(reply(error="TypeError: x", logs=("before",)), "", 0), ENGINE, "f.js", "a.js")
    assert r.logs == ["before"]
    notice = "String.prototype.toUTF8() is deprecated" + reply({"request": {}}, logs=("a", "b"))
    assert report(CASE, Answer(notice, "", 0), ENGINE, "f.js", "a.js").logs == ["a", "b"]


def test_a_case_stopped_for_its_time_keeps_the_logs_it_wrote() -> None:
    stopped = Answer("\n" + json.dumps({"log": "start"}) + "\n", "", -9, timed_out=True)
    r = report(CASE, stopped, ENGINE, "f.js", "a.js")
    assert (r.passed, r.error, r.logs) == (False, TIMEOUT_MESSAGE, ["start"])


def test_the_code_keeps_its_line_numbers() -> None:
    code = b"function handler(e) {\n  return e.request;\n}"
    text = script(code)
    assert text.splitlines()[1:3] == code.splitlines()[1:3]
    assert text.splitlines()[0].endswith(code.splitlines()[0])


def test_the_case_input_names_the_runtime_event_type_and_store() -> None:
    event = {"context": {"eventType": "viewer-response"}, "response": {}}
    data = case_input(fn(runtime="cloudfront-js-1.0"), Case("t", event, None, 70), {"k": "v"})
    body = json.loads(data.removeprefix(b"export default ").rstrip(b";\n"))
    assert body == {
        "runtime": "cloudfront-js-1.0",
        "eventType": "viewer-response",
        "event": event,
        "kvs": {"k": "v"},
    }
    bare = json.loads(case_input(fn(), Case("t", {}, None, 70), None)[15:].rstrip(b";\n"))
    assert (bare["runtime"], bare["eventType"], bare["kvs"]) == ("cloudfront-js-2.0", "viewer-request", None)


def test_the_result_says_what_ran_where_and_fails_a_function_with_a_failed_case() -> None:
    ok = report(CASE, Answer(reply({"response": {"statusCode": 301}}), "", 0), ENGINE, "f", "a")
    bad = report(CASE, Answer(reply(error="TypeError: boom"), "", 0), ENGINE, "f", "a")
    m = manifest(fn("good"), fn("bad"), fn("bare", code=None), fn("none"))
    result = result_of(m, {"good": [ok], "bad": [ok, bad]}, ENGINE)
    by = {f.name: f for f in result.functions}
    assert result.mode == "test" and result.exit_code == 1
    assert (by["good"].status, by["bad"].status) == (Status.CHECKED, Status.FAILED)
    assert (
        by["good"].reason
        == "1 test case passed in njs 0.7.9, as cloudfront-js-2.0 (no runtime in the manifest)"
    )
    assert by["bad"].error == "1 of 2 tests failed in njs 0.7.9 (redirects)"
    assert by["bare"].reason.startswith("a bare name") and by["none"].reason == "no test cases"
    assert any(
        "not in CloudFront" in w and "compute utilization is not measured" in w for w in result.warnings
    )
    assert result_of(m, {"good": [ok]}, ENGINE).exit_code == 0
