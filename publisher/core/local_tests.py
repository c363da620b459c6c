"""`test` mode's decisions: the script a local engine runs for one case, how its answer becomes the
case's TestReport, and the run's Result. No I/O: publisher/shell/local_tests.py runs the engine.

A local engine is not CloudFront: compute utilization is not measured (each report says which engine
ran), and TestFunction still runs every case before a publish.
"""

from __future__ import annotations

import json
import re
import signal
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from publisher.core.expect import judge
from publisher.core.limits import DEFAULT_RUNTIME
from publisher.core.manifest import FunctionSpec, Manifest, TestCase
from publisher.core.modes import Kind, Mode
from publisher.core.outcome import gate_failure
from publisher.core.result import FunctionResult, Result, Status, TestReport

HARNESS_NAME = "__cloudfront_publish"
# On the code's first line, so that the engine's line numbers are the code's own.
PREFIX = f'import {HARNESS_NAME} from "cfp_harness";'.encode()
SUFFIX = f"\n;{HARNESS_NAME}.run(function (event) {{ return handler(event); }});\n".encode()
# A connection function gets the connection object with allow() and deny(); what it decided is its
# output, `{"action": "allow" | "deny"}` (undecided is denied, as the Developer Guide says). Its entry
# is `connectionHandler`, as the Guide's examples name it, or `handler`.
CONNECTION_SUFFIX = (
    f"\n;{HARNESS_NAME}.run(function (connection) {{ var verdict = {{action: 'deny'}};"
    " connection.allow = function () { verdict.action = 'allow'; };"
    " connection.deny = function () { verdict.action = 'deny'; };"
    " connection.logCustomData = function () { };"
    " var entry = typeof connectionHandler === 'function' ? connectionHandler : handler;"
    " return Promise.resolve(entry(connection)).then(function () { return verdict; }); });\n"
).encode()
TIMEOUT_MESSAGE = "The function exceeded the maximum allowed compute time."
MEMORY_MESSAGE = "The function exceeded the maximum allowed memory."
NO_ANSWER = "the function never returned (a promise that did not settle?)"
ERROR_LINE = re.compile(r"^[A-Z][A-Za-z]*Error\b.*$", re.MULTILINE)


@dataclass(frozen=True)
class Answer:
    """What the engine process left: its output, exit status, and whether it was stopped."""

    stdout: str
    stderr: str
    returncode: int
    timed_out: bool = False


def script(code: bytes, kind: Kind = Kind.FUNCTION) -> bytes:
    """The function's code as the engine runs it: the harness first, the call of its entry last."""
    return PREFIX + code + (CONNECTION_SUFFIX if kind is Kind.CONNECTION_FUNCTION else SUFFIX)


def runtime_of(spec: FunctionSpec) -> str:
    return spec.runtime or DEFAULT_RUNTIME


def case_input(spec: FunctionSpec, test: TestCase, kvs: Mapping[str, str] | None) -> bytes:
    """The harness's `cfp_input` module: the runtime, the event and the store's keys."""
    event = test.event if isinstance(test.event, dict) else {}
    context = event.get("context")
    event_type = context.get("eventType") if isinstance(context, dict) else None
    data = {
        "runtime": runtime_of(spec),
        "eventType": event_type or "viewer-request",
        "event": event,
        "kvs": dict(kvs) if kvs is not None else None,
    }
    return b"export default " + json.dumps(data, ensure_ascii=True).encode() + b";\n"


def error_of(answer: Answer, script_path: str, shown: str) -> tuple[Any, str]:
    """The harness's reply (or None) and the error the case failed with ('' for none)."""
    if answer.timed_out:
        return None, TIMEOUT_MESSAGE
    reply = _reply(answer.stdout)[1]
    if reply is not None:
        error = str(reply.get("error") or "")
        return reply, MEMORY_MESSAGE if error.startswith("MemoryError") else error
    found = ERROR_LINE.findall(answer.stderr)
    if any(line.startswith("MemoryError") for line in found):
        return None, MEMORY_MESSAGE
    if found:
        return None, found[-1].replace(script_path, shown).strip()
    if answer.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        return None, TIMEOUT_MESSAGE  # past its CPU limit (the soft one signals, the hard one kills)
    if answer.returncode in (-signal.SIGSEGV, -signal.SIGBUS, -signal.SIGABRT):
        return None, f"the engine crashed (signal {-answer.returncode}): njs could not run this code"
    if answer.returncode < 0:
        return None, f"the engine was stopped by signal {-answer.returncode}"
    last = answer.stderr.strip().splitlines()[-1:]
    return None, (f"the engine failed: {last[0]}" if answer.returncode and last else NO_ANSWER)


def _reply(stdout: str) -> tuple[list[str], dict[str, Any] | None]:
    """The harness's lines: the logs, each as it was written, and the answer, if it came."""
    logs: list[str] = []
    reply: dict[str, Any] | None = None
    for line in stdout.splitlines():
        try:
            message = json.loads(line)
        except ValueError:
            continue  # njs's own notices
        if isinstance(message, dict) and "log" in message:
            logs.append(str(message["log"]))
        elif isinstance(message, dict) and "output" in message:
            reply = message
    return logs, reply


def report(
    test: TestCase, answer: Answer, engine: str, script_path: str, shown: str, *, kind: Kind = Kind.FUNCTION
) -> TestReport:
    """One case, judged as the TestFunction gate judges it (`expect.judge`), but for compute utilization."""
    reply, error = error_of(answer, script_path, shown)
    output = json.loads(reply["output"]) if reply and reply.get("output") and not error else None
    if kind is Kind.CONNECTION_FUNCTION and isinstance(output, dict):
        output = output.get("request", output)  # the harness wraps what a call returns as a request
    logs = _reply(answer.stdout)[0]
    why, diff = judge(test, error, output, logs)
    return TestReport(
        name=test.name,
        passed=not why,
        utilization=0,
        error=why,
        logs=logs,
        mismatch=diff,
        engine=engine,
    )


def not_run(test: TestCase, engine: str) -> TestReport:
    """A case a signal kept from starting: failed, so a cancelled run is never a success."""
    return TestReport(
        name=test.name, passed=False, utilization=0, error="not run: the run was cancelled", engine=engine
    )


def tested(manifest: Manifest, reports: Mapping[str, list[TestReport]], engine: str) -> Result:
    """`test` mode's Result: per function, its cases as run in the local engine."""
    functions = [_function(spec, reports.get(spec.name, []), engine) for spec in manifest.functions]
    note = (
        f"the test cases ran in {engine}, a local engine, not in CloudFront: compute utilization is not "
        "measured, and TestFunction still runs every case before a publish"
    )
    return Result(mode=Mode.TEST, functions=functions, warnings=[*manifest.warnings, note])


def _function(spec: FunctionSpec, tests: list[TestReport], engine: str) -> FunctionResult:
    failure = gate_failure(tuple(tests), f" in {engine}")
    return FunctionResult(
        name=spec.name,
        status=Status.FAILED if failure else Status.CHECKED,
        actions=[],
        reason=failure or _what_ran(spec, tests, engine),
        error=failure,
        next_step="Fix the function or its test cases." if failure else "",
        runtime=spec.runtime or "",
        code_size=len(spec.code or b""),
        tests=tests,
    )


def _what_ran(spec: FunctionSpec, tests: list[TestReport], engine: str) -> str:
    if spec.code is None:
        return "a bare name: its code is in AWS, so no case runs here"
    if not tests:
        return "no test cases"
    runtime = spec.runtime or f"{DEFAULT_RUNTIME} (no runtime in the manifest)"
    return f"{len(tests)} test case{'s' if len(tests) != 1 else ''} passed in {engine}, as {runtime}"
