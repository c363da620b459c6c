"""TestFunction: the function's code runs for real, in node, in a sandbox like CloudFront's.

`runtime/harness.js` (found next to this module, so a fresh checkout needs no install step) gets the
code, the event and the KeyValueStore's data on stdin and answers the output, the error, the
console.log lines and a count of executed code blocks. One node process per test keeps runs apart.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emulator.errors import InvalidArgument, TestFunctionFailed

HARNESS = Path(__file__).resolve().parent / "runtime" / "harness.js"
MAX_EVENT_BYTES = 40_960
BLOCKS_PER_PERCENT = 250
NODE_TIMEOUT = 5.0  # the harness bounds synchronous code at 1 s; this bounds a runaway promise
TIMEOUT_MESSAGE = "The function exceeded the maximum allowed compute time."


def compute_utilization(blocks: int) -> int:
    """ComputeUtilization, 0..100, from the work the function did.

    The model: V8's precise coverage counts every code block the function executed (each call,
    branch taken and loop iteration is one block). Each 250 executed blocks cost one percent,
    rounded up and capped at 100. A function that returns the request scores 1; a loop of 20,000
    iterations scores 81, where CloudFront's guidance says the function would be throttled at the
    edge (71-100). The count is deterministic: the same code and event always score the same.
    """
    return min(100, math.ceil(blocks / BLOCKS_PER_PERCENT))


@dataclass(frozen=True)
class RunResult:
    output: str | None
    error: str | None
    logs: tuple[str, ...]
    utilization: int

    def to_wire(self) -> dict[str, Any]:
        """TestResult's fields; a script error is a 200 answer with FunctionErrorMessage set."""
        wire: dict[str, Any] = {
            "ComputeUtilization": str(self.utilization),
            "FunctionExecutionLogs": list(self.logs),
        }
        if self.error is not None:
            wire["FunctionErrorMessage"] = self.error
        if self.output is not None:
            wire["FunctionOutput"] = self.output
        return wire


def parse_event(event: bytes | str | None) -> Any:
    raw = event.encode() if isinstance(event, str) else event or b""
    if len(raw) > MAX_EVENT_BYTES:
        raise InvalidArgument(detail=f"The event object is larger than {MAX_EVENT_BYTES} bytes.")
    try:
        return json.loads(raw)
    except ValueError as err:
        raise InvalidArgument(detail=f"The event object is not valid JSON: {err}.") from err


def run_test(code: bytes, runtime: str, event: Any, kvs: Mapping[str, str]) -> RunResult:
    node = shutil.which("node")
    if node is None:
        raise TestFunctionFailed(detail="node is not installed where the emulator runs")
    request = {"code": code.decode("utf-8", "replace"), "runtime": runtime, "event": event, "kvs": dict(kvs)}
    try:
        done = subprocess.run(
            [node, str(HARNESS)],
            input=json.dumps(request),
            capture_output=True,
            text=True,
            timeout=NODE_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return RunResult(None, TIMEOUT_MESSAGE, (), 100)
    if done.returncode != 0:
        raise TestFunctionFailed(detail=done.stderr.strip()[-500:])
    reply = json.loads(done.stdout)
    logs = tuple(str(line) for line in reply["logs"])
    return RunResult(reply["output"], reply["error"], logs, compute_utilization(int(reply["blocks"])))
