"""`test` mode: every test case of the manifest, run in njs on this machine; no AWS call at all.

njs (nginx's JavaScript engine) is where runtime 1.0's String methods and its `crypto` and
`querystring` modules come from: the closest engine to CloudFront's anyone can install. Each case runs
in a process of its own, in njs's sandbox (no file system module, no Function constructor), with the
harness of publisher/shell/njs/ shaping its globals like the runtime's. A case is bounded: 1 s of CPU
and of wall clock, and a data segment of 2 MiB (CloudFront's memory limit) beside what its input needs;
past a bound it fails, it never hangs the run. Decisions (the script, the verdict, the Result) are
publisher/core/local_tests.py's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from publisher.core.errors import SetupError
from publisher.core.local_tests import Answer, case_input, not_run, report, runtime_of, script, tested
from publisher.core.manifest import FunctionSpec, Manifest, TestCase
from publisher.core.modes import Kind
from publisher.core.result import Result, TestReport

HARNESS = Path(__file__).resolve().parent / "njs"
TIME_LIMIT = 1.0  # seconds, CPU and wall clock: CloudFront stops a function far sooner
MEMORY_LIMIT = 2 * 1024 * 1024  # bytes: CloudFront's, added to what the engine and the case's input need
ENGINE_MEMORY = 2 * 1024 * 1024  # the data segment njs itself uses to start, with room to spare
INSTALL = (
    "njs is not installed: `test` runs the manifest's test cases in njs, nginx's JavaScript engine. "
    "Install it (Debian and Ubuntu: `apt-get install njs`) or run the container image, which carries it. "
    "Without it no test case runs before CloudFront's TestFunction; `check` still checks the code."
)
# The limits are set by the shell that starts njs: no Python runs between fork and exec.
LIMITED = 'ulimit -t "$1" && ulimit -d "$2" && shift 2 && exec "$@"'


@dataclass(frozen=True)
class Engine:
    path: str
    name: str  # "njs 0.7.9", as reports show it


def find_engine(which: Callable[[str], str | None] = shutil.which) -> Engine:
    path = which("njs")
    if path is None:
        raise SetupError(INSTALL)
    return Engine(path, f"njs {_version(path)}")


@cache
def _version(path: str) -> str:
    try:
        done = subprocess.run([path, "-v"], capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise SetupError(f"njs at {path} does not run: {err}") from err
    return done.stdout.strip() or "(unknown version)"


def run_tests(
    manifest: Manifest,
    stop: threading.Event,
    max_concurrency: int,
    engine: Engine | None = None,
) -> Result:
    """Every case of every function that has code; a signal (`stop`) lets no new case start."""
    engine = engine or find_engine()
    stores = {s.name: s.data for s in manifest.stores}
    jobs = [(spec, test) for spec in manifest.functions if spec.code is not None for test in spec.tests]
    workers = max(1, min(max_concurrency, (os.cpu_count() or 1) * 2, len(jobs) or 1))
    with _workdir() as root, ThreadPoolExecutor(workers, thread_name_prefix="njs") as pool:
        runner = CaseRunner(engine, root)
        futures = [
            (spec.name, pool.submit(runner.run_case, spec, test, stores.get(spec.store_name or ""), stop))
            for spec, test in jobs
        ]
        reports: dict[str, list[TestReport]] = {}
        for name, future in futures:
            reports.setdefault(name, []).append(future.result())
    return tested(manifest, reports, engine.name)


@contextmanager
def _workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="cloudfront-publish-test-") as folder:
        yield Path(folder)


class CaseRunner:
    """Runs cases in njs under `root`: the harness's modules once, each function's script once."""

    def __init__(self, engine: Engine, root: Path) -> None:
        self.engine, self.root = engine, root
        self._lock = threading.Lock()
        self._count = 0
        self._scripts: dict[tuple[Kind, bytes], Path] = {}
        (root / "harness").mkdir()
        (root / "harness" / "cfp_harness").write_bytes((HARNESS / "harness.js").read_bytes())
        (root / "v2").mkdir()
        (root / "v2" / "cloudfront").write_bytes((HARNESS / "cloudfront.js").read_bytes())

    def run_case(
        self, spec: FunctionSpec, test: TestCase, kvs: Mapping[str, str] | None, stop: threading.Event
    ) -> TestReport:
        shown = spec.code_path or spec.name
        if stop.is_set():
            return not_run(test, self.engine.name)
        assert spec.code is not None
        answer, main = self.answer(spec.code, runtime_of(spec), case_input(spec, test, kvs), spec.kind)
        return report(test, answer, self.engine.name, str(main), shown, kind=spec.kind)

    def answer(
        self, code: bytes, runtime: str, data: bytes, kind: Kind = Kind.FUNCTION
    ) -> tuple[Answer, Path]:
        """What njs answers for `code` given the `cfp_input` module `data`."""
        case = self._folder("case")
        main = self._script(code, kind)
        (case / "cfp_input").write_bytes(data)
        paths = [self.root / "harness", case] + ([self.root / "v2"] if runtime.endswith("2.0") else [])
        memory_kb = (MEMORY_LIMIT + ENGINE_MEMORY + 4 * len(data)) // 1024
        argv = [
            "/bin/sh",
            "-c",
            LIMITED,
            "sh",
            str(int(TIME_LIMIT)),
            str(memory_kb),
            self.engine.path,
            "-s",
            "-u",
        ]
        for path in paths:
            argv += ["-p", str(path)]
        return _run([*argv, str(main)]), main

    def _script(self, code: bytes, kind: Kind) -> Path:
        """The function's script, written once for all its cases."""
        with self._lock:
            main = self._scripts.get((kind, code))
        if main is None:
            main = self._folder("function") / "function.js"
            main.write_bytes(script(code, kind))
            with self._lock:
                main = self._scripts.setdefault((kind, code), main)
        return main

    def _folder(self, kind: str) -> Path:
        with self._lock:
            self._count += 1
            folder = self.root / f"{kind}-{self._count}"
        folder.mkdir()
        return folder


def _run(argv: list[str]) -> Answer:
    process = subprocess.Popen(
        argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        out, err = process.communicate(timeout=TIME_LIMIT)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()  # what it wrote before: its logs
        return Answer(out, err, -9, timed_out=True)
    return Answer(out, err, process.returncode)
