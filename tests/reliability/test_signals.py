"""The process stopped from outside while it applies.

SIGKILL (a runner that gives up, an out-of-memory kill) can land anywhere: the next run converges,
and every LIVE copy replaced before or after the kill is in the backups. SIGTERM and SIGINT (a
cancelled workflow: the runner sends SIGINT, then SIGTERM, then SIGKILL seconds later) stop new writes
from starting, let the one in flight finish, and still leave the outputs and the job summary.

Each run is a real process (`python -m publisher`) against the emulator, slowed by its latency so
that a run lasts long enough to be interrupted. Seed: random.Random(SEED) picks the code changes and
the moment of each signal.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from emulator import Emulator
from publisher.shell import engine
from tests.reliability.conftest import SEED
from tests.reliability.harness import (
    MANIFEST,
    WriteLog,
    handler,
    overwritten_without_backup,
    record_writes,
    run_cli,
    stage,
)
from tests.shell.test_github import parse_output_file

NAMES = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot")
KILLS = 12
LATENCY = 0.1  # seconds per request: the writes of a run take about a second


def manifest(root: Path, codes: dict[str, bytes]) -> None:
    for name, code in codes.items():
        (root / f"{name}.js").write_bytes(code)
    entries = "".join(f"  - name: {n}\n    code: {n}.js\n    comment: {n}\n" for n in codes)
    (root / MANIFEST).write_text("functions:\n" + entries)


def converged(emu: Emulator, codes: dict[str, bytes]) -> bool:
    return all(
        getattr(stage(emu, n, s), "code", None) == code
        for n, code in codes.items()
        for s in ("DEVELOPMENT", "LIVE")
    )


def wait_for(condition: Any, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the run to start")
        time.sleep(0.005)


@dataclass
class Arrivals:
    """When each request reached the emulator, and whether it was a write."""

    seen: list[tuple[float, str, bool]] = field(default_factory=list)

    def writes_after(self, moment: float) -> list[str]:
        return [op for at, op, write in self.seen if write and at > moment]


def watch_arrivals(emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> Arrivals:
    arrivals, count = Arrivals(), emu.controls.count

    def counting(operation: str, write: bool) -> None:
        arrivals.seen.append((time.monotonic(), operation, write))
        count(operation, write)

    monkeypatch.setattr(emu.controls, "count", counting)
    return arrivals


def publisher(workspace: Path, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "publisher", *args],
        cwd=workspace,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@dataclass
class Signalled:
    """A run as its own process that got signals while one call was held at the emulator."""

    code: int
    out: str  # stdout: the Action's log
    err: str
    at: float  # time.monotonic() when the first signal was sent


def signal_while_held(
    emu: Emulator,
    workspace: Path,
    env: dict[str, str],
    operations: tuple[str, ...],
    signals: tuple[signal.Signals, ...] = (signal.SIGTERM,),
) -> Signalled:
    """Start the run; hold the first call of `operations` at the emulator until the run has said it
    received every signal, then let it go: exactly that call is in flight when the cancel lands, on
    a busy machine too."""
    held, release = threading.Event(), threading.Event()

    def hold(_: Emulator) -> None:
        if not held.is_set():  # only the first, whichever it is
            held.set()
            release.wait(30)

    for operation in operations:
        emu.before(operation, hold)
    proc = publisher(workspace, env)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout or []), daemon=True)
    reader.start()
    wait_for(lambda: held.is_set() or proc.poll() is not None)
    assert held.is_set(), (proc.returncode, lines, proc.stderr.read() if proc.stderr else "")
    at = time.monotonic()
    for signum in signals:
        proc.send_signal(signum)
        wait_for(lambda n=int(signum): any(f"received signal {n}:" in line for line in lines))
    release.set()
    err = proc.stderr.read() if proc.stderr else ""
    proc.wait(timeout=60)
    reader.join(timeout=10)
    return Signalled(proc.returncode, "".join(lines), err, at)


# --- SIGKILL ---------------------------------------------------------------------------------------


@pytest.fixture
def writes(emu: Emulator, workspace: Path, monkeypatch: pytest.MonkeyPatch) -> WriteLog:
    for name in NAMES:
        emu.seed_function(name, handler(f"{name} seeded"), comment=name, publish=True)
    return record_writes(emu, monkeypatch)


def test_sigkill_at_random_points_loses_nothing_and_the_next_run_converges(
    emu: Emulator, workspace: Path, writes: WriteLog, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = random.Random(SEED)
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    outcomes: dict[str, int] = {}
    partial = 0  # kills after some of the run's writes (an update and a publish a function), not all
    for round_ in range(KILLS):
        codes = {n: handler(f"{n} round {round_}") for n in NAMES if rng.random() < 0.7} or {
            NAMES[0]: handler(f"round {round_}")
        }
        manifest(workspace, codes)
        emu.latency, before = LATENCY, emu.writes()
        proc = publisher(workspace, env, "publish", "--endpoint-url", emu.url, "--max-concurrency", "2")
        wait_for(lambda before=before: emu.writes() > before)  # it has begun to apply
        time.sleep(rng.uniform(0.0, 0.9))
        applied = len(writes.writes)
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        kind = "killed mid-run" if proc.returncode == -signal.SIGKILL else f"had ended ({proc.returncode})"
        outcomes[kind] = outcomes.get(kind, 0) + 1
        time.sleep(2 * LATENCY)  # a request sent just before the kill is still applied by CloudFront
        applied = len(writes.writes) - applied
        partial += kind == "killed mid-run" and 0 < applied < 2 * len(codes)

        emu.latency = 0.0
        again = run_cli(emu, "publish", "--json")
        assert again.code == 0, (round_, again.err, again.out)
        assert converged(emu, codes), round_
        assert not overwritten_without_backup(workspace, writes.writes), round_
    with capsys.disabled():
        print(
            f"\nSIGKILL: seed {SEED}, {KILLS} runs: {outcomes}, {partial} of them between writes; "
            "every next run converged, no LIVE lost"
        )
    assert outcomes.get("killed mid-run", 0) >= KILLS // 2  # most kills did land while it applied


# --- SIGTERM and SIGINT: a cancelled workflow --------------------------------------------------------


def action_env(workspace: Path, emu: Emulator, **inputs: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INPUT_", "GITHUB_"))}
    env |= {
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_OUTPUT": str(workspace / "output"),
        "GITHUB_STEP_SUMMARY": str(workspace / "summary.md"),
        "AWS_ENDPOINT_URL": emu.url,
        "INPUT_MODE": "publish",
    }
    return env | {f"INPUT_{k.upper().replace('_', '-')}": v for k, v in inputs.items()}


@pytest.mark.parametrize(
    "signals",
    [[signal.SIGTERM], [signal.SIGINT], [signal.SIGINT, signal.SIGTERM]],  # the last as the runner sends them
    ids=["SIGTERM", "SIGINT", "SIGINT-then-SIGTERM"],
)
def test_a_cancel_stops_new_writes_and_still_reports(
    emu: Emulator,
    workspace: Path,
    writes: WriteLog,
    monkeypatch: pytest.MonkeyPatch,
    signals: list[signal.Signals],
) -> None:
    """Deterministic on a busy machine: the first write is held at the emulator until the run has
    said it received every signal, so exactly one write is in flight when the cancel lands."""
    arrivals = watch_arrivals(emu, monkeypatch)
    codes = {n: handler(f"{n} new") for n in NAMES}
    manifest(workspace, codes)
    env = action_env(workspace, emu, max_concurrency="1")
    run = signal_while_held(emu, workspace, env, ("CreateFunction", "UpdateFunction"), tuple(signals))
    out = run.out

    assert run.code == 1, (out, run.err)
    assert "Traceback" not in out + run.err
    for signum in signals:
        assert f"received signal {int(signum)}: no new writes will start" in out
    # with one call at a time, at most the write in flight and one already past its check go out
    assert len(arrivals.writes_after(run.at)) <= 2, arrivals.writes_after(run.at)

    outputs = parse_output_file((workspace / "output").read_text())
    result = outputs["result"]
    report = json.loads(result)
    by_name = {f["name"]: f for f in report["functions"]}
    cancelled = [f for f in report["functions"] if "cancelled" in f["error"]]
    assert cancelled, report
    for f in cancelled:
        assert f["status"] == "failed" and f["next_step"]
    for name, code in codes.items():  # every published function is LIVE, and only those are
        live = getattr(stage(emu, name, "LIVE"), "code", None)
        assert ("publish" in by_name[name]["done"]) == (live == code), name
        assert json.loads(outputs["published"]).count(name) == (live == code)
    summary = (workspace / "summary.md").read_text()
    assert "CloudFront Functions" in summary and "cancelled" in summary
    assert not overwritten_without_backup(workspace, writes.writes)

    emu.latency = 0.0
    again = run_cli(emu, "publish", "--json")
    assert again.code == 0, again.out
    assert converged(emu, codes)


def test_a_cancel_during_the_wait_for_the_edge_ends_it_at_once_and_reports(
    emu: Emulator, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The wait polls with growing pauses (up to 20 s); the runner kills a cancelled step about ten
    seconds after its SIGINT, so a pause must not outlast the cancel."""
    arn = emu.seed_function("a", handler("old"), comment="a", publish=True)
    emu.seed_distribution(default_function_arns=[(arn, "viewer-request")])
    emu.deploy_delay = 600.0
    arrivals = watch_arrivals(emu, monkeypatch)
    manifest(workspace, {"a": handler("new")})
    env = action_env(workspace, emu, wait_for_deployment="true", wait_timeout_minutes="30")
    proc = publisher(workspace, env)

    def polls() -> int:
        return sum(op == "GetDistribution" for _, op, _ in arrivals.seen)

    wait_for(lambda: polls() >= 3)  # now in a pause of 4.5 s
    time.sleep(0.2)
    signalled = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    took = time.monotonic() - signalled

    assert took < 2.5, f"the cancel took {took:.1f} s to end the wait"
    assert proc.returncode == 1, (out, err)
    outputs = parse_output_file((workspace / "output").read_text())
    assert outputs["published"] == '["a"]'
    assert "Traceback" not in out + err
    assert "CloudFront Functions" in (workspace / "summary.md").read_text()


def test_a_signal_after_the_report_still_ends_in_exit_1(emu: Emulator, workspace: Path) -> None:
    """The summary file is a FIFO that nobody reads yet: the run prints its report, then blocks opening
    the summary. The SIGTERM is sent once the report is out and read back only once the run has said it
    received it, so the signal lands after the report on any machine. (A reader opened first let a
    fast run write its small summary into the pipe and exit before the signal arrived.)"""
    manifest(workspace, {"a": handler("new")})
    fifo = workspace / "summary.fifo"
    os.mkfifo(fifo)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INPUT_", "GITHUB_"))}
    env["PYTHONUNBUFFERED"] = "1"  # the report's lines reach the test as they are printed
    proc = publisher(workspace, env, "publish", "--endpoint-url", emu.url, "--summary", str(fifo))
    out: list[str] = []
    err: list[str] = []
    readers = [
        threading.Thread(target=lambda: out.extend(proc.stdout or []), daemon=True),
        threading.Thread(target=lambda: err.extend(proc.stderr or []), daemon=True),
    ]
    for reader in readers:
        reader.start()
    wait_for(lambda: any("Done: 1 published." in line for line in out) or proc.poll() is not None)
    proc.send_signal(signal.SIGTERM)
    wait_for(lambda: any(f"received signal {int(signal.SIGTERM)}:" in line for line in err))
    with fifo.open() as summary:  # the run, blocked opening it for writing, goes on
        text = summary.read()
    proc.wait(timeout=60)
    for reader in readers:
        reader.join(timeout=10)
    assert "CloudFront Functions" in text
    assert "Done: 1 published." in "".join(out)
    assert proc.returncode == 1, (proc.returncode, out, err)
    assert "Traceback" not in "".join(err)


@pytest.mark.parametrize("operation", ["GetDistributionConfig", "UpdateDistribution"])
def test_a_cancel_while_a_distribution_call_hangs_ends_within_the_grace_and_reports(
    emu: Emulator, workspace: Path, operation: str
) -> None:
    """The Action as a process: `a` is published, then attached to E1. The distribution call is held
    at the emulator until the test lets go (after the run has ended): the SIGTERM lands while it
    hangs. The run leaves it behind after its grace, writes the outputs and the summary, says what
    was done and what was not, and exits 1."""
    emu.seed_distribution(id="E1")
    (workspace / "a.js").write_bytes(handler("a new"))
    (workspace / MANIFEST).write_text(
        "functions:\n  - name: a\n    code: a.js\n    comment: a\n    associations:\n"
        "      - {distribution: E1, path: default, event: viewer-request}\n"
    )
    held, release = threading.Event(), threading.Event()

    def hold(_: Emulator) -> None:
        held.set()
        release.wait(60)

    emu.before(operation, hold)
    proc = publisher(workspace, action_env(workspace, emu))
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout or []), daemon=True)
    reader.start()
    try:
        wait_for(lambda: held.is_set() or proc.poll() is not None)
        assert held.is_set(), (proc.returncode, lines)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=engine.CANCEL_GRACE * 3 + 10)  # never held by the call: it ends on its own
    finally:
        release.set()
    err = proc.stderr.read() if proc.stderr else ""
    reader.join(timeout=10)
    out = "".join(lines)
    assert proc.returncode == 1, (out, err)
    assert "Traceback" not in out + err
    outputs = parse_output_file((workspace / "output").read_text())
    summary = (workspace / "summary.md").read_text()
    if operation == "GetDistributionConfig":  # the plan was never made: nothing written, and said so
        assert json.loads(outputs["published"]) == [] and stage(emu, "a", "LIVE") is None
        assert "nothing was written" in summary
    else:  # published, and said so; the attach left behind, and said so
        assert json.loads(outputs["published"]) == ["a"]
        assert json.loads(outputs["associations-changed"]) == []
        (dist,) = json.loads(outputs["result"])["associations"]
        assert dist["status"] == "failed" and "may have taken effect" in dist["error"]
        assert "E1" in summary and "may have taken effect" in summary
