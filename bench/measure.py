"""One whole process, measured: wall time, peak memory, and the requests the emulator saw from it."""

from __future__ import annotations

import os
import statistics
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from emulator import Emulator


@dataclass(frozen=True)
class Run:
    wall: float  # seconds from spawn to exit
    first_request: float | None  # seconds from spawn to the first request the emulator saw
    peak_mb: float | None  # peak resident memory of the process (the largest one, for a loop of processes)
    calls: Mapping[str, int]  # requests by operation, counted at the emulator (throttled ones too)
    writes: int
    throttled: int
    exit_code: int

    @property
    def total(self) -> int:
        return sum(self.calls.values())


class Tap:
    """Timestamps and throttles on top of the emulator's own counts, for one process at a time."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self._lock = threading.Lock()
        self.first: float | None = None
        self.throttled = 0
        count, throttled = emulator.controls.count, emulator.controls.throttled

        def counting(operation: str, write: bool) -> None:
            with self._lock:
                self.first = self.first or time.perf_counter()
            count(operation, write)

        def throttling() -> bool:
            refused = throttled()
            with self._lock:
                self.throttled += refused
            return refused

        setattr(emulator.controls, "count", counting)  # noqa: B010 - an instance's method, wrapped
        setattr(emulator.controls, "throttled", throttling)  # noqa: B010

    def reset(self) -> None:
        with self._lock:
            self.first, self.throttled = None, 0
        self.emulator.reset_counts()


GNU_TIME = "/usr/bin/time"  # Debian's `time` package


def run(argv: Sequence[str], cwd: Path, env: Mapping[str, str], tap: Tap, log: Path) -> Run:
    """The process is started by GNU time: a child forked from this process (which holds the
    emulator) would inherit its resident size as a high-water mark, and exec does not reset it."""
    memory = log.with_suffix(".maxrss")
    wrapper = [GNU_TIME, "-f", "%M", "-o", str(memory)] if os.access(GNU_TIME, os.X_OK) else []
    tap.reset()
    with log.open("wb") as out:
        start = time.perf_counter()
        done = subprocess.run(
            [*wrapper, *argv], cwd=cwd, env=dict(env), stdout=out, stderr=subprocess.STDOUT, check=False
        )
        wall = time.perf_counter() - start
    first = tap.first - start if tap.first is not None else None
    return Run(
        wall=wall,
        first_request=first,
        peak_mb=_kilobytes(memory) / 1024 if wrapper else None,
        calls=tap.emulator.counts(),
        writes=tap.emulator.writes(),
        throttled=tap.throttled,
        exit_code=done.returncode,
    )


def _kilobytes(report: Path) -> float:
    """GNU time's %M, on the last line (a non-zero exit adds a line before it)."""
    return float(report.read_text().split()[-1])


def median(runs: Sequence[Run], key: Callable[[Run], float | None]) -> float | None:
    values = [v for v in map(key, runs) if v is not None]
    return statistics.median(values) if values else None
