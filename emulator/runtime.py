"""TestFunction: the function's code runs for real, in njs where it is installed, else in node.

njs (`emulator/njs.py`, `runtime/njs-harness.js`) is the engine runtime 1.0's String methods and
modules come from: it compiles the code itself, strict as CloudFront, and its SyntaxError is the
answer. The emulator never asks the product's runtime check (`publisher.core.language`): where the
two disagree, tests/emulator/test_engine.py says so. Without njs, node runs the code
(`runtime/harness.js`, in strict mode, in a vm sandbox like the runtime's), which accepts much that
CloudFront refuses (docs/emulator-compatibility.md lists what). `engine()` names the one that runs.
Both answer the output, the error, the console.log lines (cut at 10 KB) and the CPU time used; one
process per run keeps runs apart.
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

from emulator import njs
from emulator.errors import InvalidArgument, TestFunctionFailed

HARNESS = Path(__file__).resolve().parent / "runtime" / "harness.js"
MAX_EVENT_BYTES = 40_960
NODE_TIMEOUT = 5.0  # the harness stops synchronous code at 1 s; this bounds a runaway promise
NODE_FLAGS = ("--jitless", "--max-old-space-size=64")  # an interpreter, as CloudFront's; a bounded heap
TIMEOUT_MESSAGE = "The function exceeded the maximum allowed compute time."
MEMORY_MESSAGE = "The function exceeded the maximum allowed memory."
# The allowed time, the 100 of ComputeUtilization, in units of the harness's reference loop (40,000
# iterations) on the same machine: CloudFront does not publish its limit in milliseconds.
ALLOWED_REFERENCES = 1.15


def compute_utilization(cpu_ms: float, reference_ms: float) -> int:
    """ComputeUtilization, 0..100: the share of the allowed time the function used.

    "Compute utilization is a number between 0 and 100 that indicates the amount of time that the
    function took to run as a percentage of the maximum allowed time" (Restrictions on CloudFront
    Functions, https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-function-restrictions.html).
    The time is the CPU time node spent on the function, less the cost of compiling and calling an
    empty handler; the allowed time is 1.15 times what a 40,000-iteration loop takes on the same
    machine, so a slow runner does not score higher than a fast one. The fastest of five runs
    counts (repeats run in fresh contexts, their logs dropped); times still vary from run to run by
    some tens of percent: a function that returns the request scores under 10, that loop about 87,
    and a function past the allowed time scores 100.
    """
    allowed = max(reference_ms, 0.01) * ALLOWED_REFERENCES
    return max(0, min(100, math.ceil(100 * cpu_ms / allowed)))


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


def engine() -> str:
    """The engine TestFunction runs code in here: `njs 0.7.9`, else `node`."""
    found = njs.path()
    return njs.version(found) if found else "node"


def run_test(code: bytes, runtime: str, event: Any, kvs: Mapping[str, str]) -> RunResult:
    found = njs.path()
    if found is not None:
        return _in_njs(found, code, runtime, event, dict(kvs))
    node = shutil.which("node")
    if node is None:
        raise TestFunctionFailed(detail="node is not installed where the emulator runs")
    request = {"code": code.decode("utf-8", "replace"), "runtime": runtime, "event": event, "kvs": dict(kvs)}
    try:
        done = subprocess.run(
            [node, *NODE_FLAGS, str(HARNESS)],
            input=json.dumps(request),
            capture_output=True,
            text=True,
            timeout=NODE_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return RunResult(None, TIMEOUT_MESSAGE, (), 100)
    if done.returncode != 0 and "heap out of memory" in done.stderr:
        return RunResult(None, MEMORY_MESSAGE, (), 100)
    if done.returncode != 0:
        raise TestFunctionFailed(detail=done.stderr.strip()[-500:])
    reply = json.loads(done.stdout)
    logs = tuple(str(line) for line in reply["logs"])
    utilization = compute_utilization(float(reply["cpuMs"]), float(reply["referenceMs"]))
    return RunResult(reply["output"], reply["error"], logs, utilization)


MEASURE_MS = 20  # a measuring run repeats the handler for about this long
NJS_REFERENCE = b"function handler(e) { var s = 0; for (var i = 0; i < 40000; i++) { s += i; } return e; }"
REFERENCE_REPEAT = 20
_REFERENCE_MS: dict[str, float] = {}


def _in_njs(path: str, code: bytes, runtime: str, event: Any, kvs: dict[str, str]) -> RunResult:
    """The answering run, then a measuring run and a second plain one: one call's CPU time is the
    measuring run's less the cheaper plain run's, over the repeats (the first run of a new file is
    the costlier, with nothing cached), against the reference loop's, measured the same way."""
    run = njs.run(path, code, runtime, event, kvs)
    if run.stopped:
        return RunResult(None, run.error, run.logs, 100)
    repeat = max(1, min(50, int(MEASURE_MS / max(run.first_ms, 0.4))))
    ms = _per_call(path, code, runtime, event, kvs, repeat=repeat, first_cpu=run.cpu_ms)
    if ms is None:
        return RunResult(run.output, run.error, run.logs, 100)
    return RunResult(run.output, run.error, run.logs, compute_utilization(ms, _reference_ms(path, runtime)))


def _per_call(
    path: str, code: bytes, runtime: str, event: Any, kvs: dict[str, str], *, repeat: int, first_cpu: float
) -> float | None:
    """CPU milliseconds of one call; None when the repeats ran past the time limit."""
    measured = njs.run(path, code, runtime, event, kvs, repeat=repeat)
    if measured.stopped:
        return None
    plain = min(first_cpu, njs.run(path, code, runtime, event, kvs).cpu_ms)
    return max(0.0, measured.cpu_ms - plain) / repeat


def _reference_ms(path: str, runtime: str) -> float:
    """One call of the reference loop, in CPU milliseconds on this machine: the best of three."""
    if runtime not in _REFERENCE_MS:
        event = {"context": {"eventType": "viewer-request"}, "request": {}}
        first = njs.run(path, NJS_REFERENCE, runtime, event, {}).cpu_ms
        calls = [
            _per_call(path, NJS_REFERENCE, runtime, event, {}, repeat=REFERENCE_REPEAT, first_cpu=first)
            for _ in range(3)
        ]
        _REFERENCE_MS[runtime] = max(0.01, min((c for c in calls if c), default=0.01))
    return _REFERENCE_MS[runtime]
