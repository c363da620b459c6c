"""TestFunction's engine where njs is installed: the function's code runs in njs, nginx's JavaScript
engine, whose String methods and `crypto` and `querystring` modules runtime 1.0 carries.

The emulator does not ask the product's runtime check what the code may do: njs compiles the code,
and its SyntaxError is the answer. `runtime/njs-harness.js` shapes njs's globals like the runtime
the function names; each run is a process of its own, limited to 1 s of CPU, a wall clock and a data
segment of 64 MB (njs frees nothing until a run ends, and the handler is called again to time it;
the local `test` mode holds a case to CloudFront's 2 MB). For ComputeUtilization a second, measuring
run calls the handler `repeat` times more: the difference of its CPU time and a plain run's (read
with wait4; runtime.py takes the cheaper of two plain runs), over `repeat`, is one call's, with the process's start-up, which dwarfs a small function,
in neither run's share. CPU time, unlike the wall clock, does not count what else the machine runs.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent / "runtime"
PREFIX = b'import __emulator from "emu_harness";'
SUFFIX = b"\n;__emulator.run(function (event) { return handler(event); });\n"
CPU_SECONDS = 1
WALL_SECONDS = 2.0
# njs frees nothing until a run ends, and the handler is called again to time it: room for that.
MEMORY_BYTES = 64 * 1024 * 1024
LIMITED = 'ulimit -t "$1" && ulimit -d "$2" && shift 2 && exec "$@"'
TIMEOUT = "The function exceeded the maximum allowed compute time."
MEMORY = "The function exceeded the maximum allowed memory."


@dataclass(frozen=True)
class Run:
    output: str | None
    error: str | None
    logs: tuple[str, ...]
    first_ms: float  # the first call's wall clock, in whole milliseconds: sizes a measuring run
    cpu_ms: float  # the process's CPU time
    stopped: bool  # past its time: it scores 100


def path() -> str | None:
    return shutil.which("njs")


@cache
def version(njs: str) -> str:
    done = subprocess.run([njs, "-v"], capture_output=True, text=True, timeout=5, check=False)
    return f"njs {done.stdout.strip()}"


def run(njs: str, code: bytes, runtime: str, event: Any, kvs: dict[str, str], *, repeat: int = 0) -> Run:
    """One process: the handler called once (the answer), then `repeat` times more to measure."""
    kind = ((event or {}).get("context") or {}).get("eventType") if isinstance(event, dict) else None
    data = {
        "runtime": runtime,
        "eventType": kind or "viewer-request",
        "event": event,
        "kvs": kvs,
        "repeat": repeat,
    }
    module = b"export default " + json.dumps(data, ensure_ascii=True).encode() + b";\n"
    with tempfile.TemporaryDirectory(prefix="emulator-njs-") as folder:
        case = Path(folder)
        (case / "emu_harness").write_bytes((HERE / "njs-harness.js").read_bytes())
        (case / "emu_input").write_bytes(module)
        if runtime.endswith("2.0"):
            (case / "cloudfront").write_bytes((HERE / "cloudfront.js").read_bytes())
        main = case / "function.js"
        main.write_bytes(PREFIX + code + SUFFIX)
        memory = (MEMORY_BYTES + 4 * len(module)) // 1024
        argv = ["/bin/sh", "-c", LIMITED, "sh", str(CPU_SECONDS), str(memory), njs, "-s", "-u", "-p", folder]
        text, status, cpu_ms, killed = _process([*argv, str(main)])
        return _read(text.replace(str(main), "cloudfront-function.js"), status, cpu_ms, killed)


def _process(argv: list[str]) -> tuple[str, int, float, bool]:
    """Output (stdout and stderr together), exit status, CPU milliseconds, and whether the wall clock
    stopped it. The process is reaped with wait4, which is what tells its CPU time."""
    process = subprocess.Popen(
        argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    stopped = threading.Event()

    def stop() -> None:
        stopped.set()
        process.kill()

    timer = threading.Timer(WALL_SECONDS, stop)
    timer.start()
    try:
        assert process.stdout is not None
        text = process.stdout.read().decode("utf-8", "replace")
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    finally:
        timer.cancel()
        if process.stdout is not None:
            process.stdout.close()
    return text, process.returncode, (usage.ru_utime + usage.ru_stime) * 1000, stopped.is_set()


def _read(text: str, status: int, cpu_ms: float, killed: bool) -> Run:
    logs: list[str] = []
    others: list[str] = []
    final: dict[str, Any] | None = None
    for line in text.splitlines():
        try:
            message = json.loads(line)
        except ValueError:
            message = None
        if isinstance(message, dict) and "log" in message:
            logs.append(str(message["log"]))
        elif isinstance(message, dict) and "error" in message:
            final = message
        elif line.strip():
            others.append(line.strip())
    if killed or status in (-9, -24):
        return Run(None, TIMEOUT, tuple(logs), 0, cpu_ms, True)
    if final is not None:
        error = MEMORY if final.get("error") == "MemoryError" else final.get("error")
        return Run(final.get("output"), error, tuple(logs), float(final.get("ms") or 0), cpu_ms, False)
    thrown = [line for line in others if line.split(":")[0].endswith("Error")]
    if any(line.startswith("MemoryError") for line in thrown):
        return Run(None, MEMORY, tuple(logs), 0, cpu_ms, False)
    error = thrown[-1] if thrown else "Error: the function did not return"
    return Run(None, error, tuple(logs), 0, cpu_ms, False)
