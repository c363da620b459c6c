"""The soak: hundreds of `publish` runs over generated manifests, with faults at 10 % of requests, each
followed by a clean re-run. Figures are printed and asserted:

- converged: after the clean re-run, DEVELOPMENT and LIVE hold what the manifest asks (all runs);
- wrong publishes: a publish of code that was not the manifest's at that run (0), or not any
  manifest's ever (0);
- LIVE overwritten without a backup: a publish that replaced LIVE whose copy is not in the backups (0);
- tracebacks: an exception out of the entry point, in a thread, or printed (0);
- misreports: a function whose `done` names a write the emulator did not apply, or leaves out one it
  did (unless the report says that write got no answer and may have taken effect), a conflict with
  no second writer, or a failure without an error and a next step (0).

Seeds: the generator draws manifests from random.Random(SEED); the emulator draws its faults and
ETags from SEED too (conftest.py), so a run can be replayed. SOAK_RUNS sets the number of runs
(default 200), SOAK_BARE_RUNS those of the second soak, with botocore's retries off (default 80).
"""

from __future__ import annotations

import os
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest

from emulator import Emulator
from tests.reliability.conftest import SEED
from tests.reliability.harness import (
    MANIFEST,
    Copy,
    Run,
    Write,
    count_faults,
    no_retries,
    overwritten_without_backup,
    quick_backoff,
    record_writes,
    run_cli,
    stage,
    thread_errors,
)

RUNS = int(os.environ.get("SOAK_RUNS", "200"))
BARE_RUNS = int(os.environ.get("SOAK_BARE_RUNS", "80"))
UNANSWERED = {"CreateFunction": "create", "UpdateFunction": "update", "PublishFunction": "publish"}
RATE = 0.10
NAMES = ("redirect", "add-headers", "ab_test", "geo", "auth-2", "rewrite", "cors", "X" * 64, "y-1", "z")
STORES = ("settings", "flags")
EVENT = (
    '{"version": "1.0", "context": {"eventType": "viewer-request"}, "viewer": {"ip": "198.51.100.7"}, '
    '"request": {"method": "GET", "uri": "/", "querystring": {}, "headers": {}, "cookies": {}}}'
)


@dataclass(frozen=True)
class Entry:
    """One function as a generated manifest asks for it; code None is a bare name."""

    name: str
    code: bytes | None
    comment: str | None = None
    runtime: str | None = None
    store: str | None = None  # a store's name, "none", or None to keep what AWS holds
    tested: bool = False

    def yaml(self) -> str:
        if self.code is None:
            return f"  - {self.name}\n"
        lines = [f"  - name: {self.name}", f"    code: {self.name}.js"]
        lines += [f"    comment: '{self.comment}'"] if self.comment is not None else []
        lines += [f"    runtime: {self.runtime}"] if self.runtime else []
        lines += [f"    key-value-store: {self.store}"] if self.store else []
        if self.tested:
            lines += ["    tests:", "      - name: passes", f"        event: {EVENT}"]
        return "\n".join(lines) + "\n"


@dataclass
class Figures:
    runs: int = 0
    faults: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    faulted_runs_failed: int = 0  # runs that ended with exit 1 under faults (before the re-run)
    converged: int = 0
    publishes: int = 0
    wrong_publishes: list[str] = field(default_factory=list)
    never_in_a_manifest: list[str] = field(default_factory=list)
    without_backup: list[str] = field(default_factory=list)
    tracebacks: list[str] = field(default_factory=list)
    misreports: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def lines(self) -> list[str]:
        return [
            f"soak: seed {SEED}, {self.runs} runs, faults at {RATE:.0%} of requests, {self.seconds:.0f} s",
            f"  faults injected: {self.faults} {dict(sorted(self.by_kind.items()))}",
            f"  runs that failed under faults: {self.faulted_runs_failed}; converged after the re-run: "
            f"{self.converged} of {self.runs}",
            f"  publishes: {self.publishes}; of code not the manifest's: {len(self.wrong_publishes)}; "
            f"of code no manifest ever had: {len(self.never_in_a_manifest)}",
            f"  LIVE overwritten without a backup: {len(self.without_backup)}",
            f"  tracebacks: {len(self.tracebacks)}; misreports: {len(self.misreports)}",
        ]


class Generator:
    """Manifests drawn at random, remembering every code any of them had."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.code: dict[str, bytes] = {}  # the latest code each function had in a manifest
        self.ever: dict[str, set[bytes]] = {name: set() for name in NAMES}

    def manifest(self, run: int) -> list[Entry]:
        rng = self.rng
        return [self._entry(name, run) for name in rng.sample(NAMES, rng.randint(1, 8))]

    def _entry(self, name: str, run: int) -> Entry:
        rng = self.rng
        if name in self.code and rng.random() < 0.15:
            return Entry(name, None)  # DEVELOPMENT, as an earlier manifest left it, is the source
        if name not in self.code or rng.random() < 0.6:
            self.code[name] = (
                f"function handler(event) {{ /* {name} run {run} */ return event.request; }}\n".encode()
            )
        self.ever[name].add(self.code[name])
        store = rng.choice([None, None, None, "none", *STORES])
        # runtime 1.0 takes no KeyValueStore: ask for it only where the store is removed in the same breath
        runtime = rng.choice(["cloudfront-js-1.0", "cloudfront-js-2.0", None]) if store == "none" else None
        runtime = (
            "cloudfront-js-2.0" if store in STORES or (runtime is None and rng.random() < 0.5) else runtime
        )
        comment = rng.choice([None, "", f"{name} comment", f"run {run}"])
        return Entry(name, self.code[name], comment, runtime, store, tested=rng.random() < 0.08)


def write(root: Path, entries: list[Entry]) -> None:
    for e in entries:
        if e.code is not None:
            (root / f"{e.name}.js").write_bytes(e.code)
    (root / MANIFEST).write_text("functions:\n" + "".join(e.yaml() for e in entries))


def holds(copy: Copy | None, entry: Entry, code: bytes, stores: dict[str, str]) -> bool:
    """Whether a stage holds the entry's code and every field the entry states."""
    if copy is None or copy.code != code:
        return False
    if entry.comment is not None and copy.comment != entry.comment:
        return False
    if entry.runtime is not None and copy.runtime != entry.runtime:
        return False
    if entry.store == "none":
        return copy.stores == ()
    return entry.store is None or copy.stores == (stores[entry.store],)


def check_publishes(
    writes: list[Write], run: int, targets: dict[str, bytes], gen: Generator, figures: Figures
) -> None:
    for w in writes:
        if w.operation != "publish":
            continue
        figures.publishes += 1
        if w.after.code != targets.get(w.function):
            figures.wrong_publishes.append(f"run {run}: {w.function} published {w.after.code!r}")
        if w.after.code not in gen.ever[w.function]:
            figures.never_in_a_manifest.append(f"run {run}: {w.function} published {w.after.code!r}")


def check_report(run: Run, writes: list[Write], n: int, figures: Figures) -> None:
    """What the run says it did is what the emulator saw it do."""
    if run.traceback:
        return
    if run.code == 1 and not run.out:  # the run as a whole failed (e.g. reads that never answered)
        if not run.err.startswith("error: "):
            figures.misreports.append(f"run {n}: exit 1 without a message: {run.err!r}")
        return
    for f in run.json["functions"]:
        applied = {w.operation for w in writes if w.function == f["name"]}
        # a write that failed with no answer is reported as one that may have taken effect
        maybe = {
            a
            for op, a in UNANSWERED.items()
            if f"{op} got no answer and may have taken effect" in f["next_step"]
        }
        if not set(f["done"]) <= applied or not applied - set(f["done"]) <= maybe:
            figures.misreports.append(f"run {n}: {f['name']} reports {f['done']}, applied {sorted(applied)}")
        if f["status"] == "conflict":
            figures.misreports.append(f"run {n}: {f['name']} conflict with no second writer: {f['error']}")
        if f["status"] in ("failed", "blocked") and not (f["error"] and f["next_step"]):
            figures.misreports.append(f"run {n}: {f['name']} {f['status']} without error and next step")


def tracebacks(run: Run) -> list[str]:
    found = [run.traceback] if run.traceback else []
    return found + [text for text in (run.out, run.err) if "Traceback (most recent call last)" in text]


@pytest.mark.soak
def test_soak(
    emu: Emulator, workspace: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The publisher as shipped: botocore retries each call, so most faults end in a retry."""
    quick_backoff(monkeypatch)
    soak(emu, workspace, monkeypatch, capsys, runs=RUNS, retries="the client's retries")


@pytest.mark.soak
def test_soak_without_the_clients_retries(
    emu: Emulator, workspace: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same with botocore's retries off, so that every fault reaches the engine: lost answers are
    reconciled by the engine alone, and failures must be reported truthfully and repaired by a re-run."""
    no_retries(monkeypatch)
    soak(emu, workspace, monkeypatch, capsys, runs=BARE_RUNS, retries="no client retries")


def soak(
    emu: Emulator,
    workspace: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *,
    runs: int,
    retries: str,
) -> None:
    aws: Any = boto3.client("cloudfront", endpoint_url=emu.url, region_name="us-east-1")
    stores = {s: aws.create_key_value_store(Name=s)["KeyValueStore"]["ARN"] for s in STORES}
    log, faults = record_writes(emu, monkeypatch), count_faults(emu, monkeypatch)
    gen, figures, started = Generator(random.Random(SEED)), Figures(), time.monotonic()
    with thread_errors() as thread_tracebacks:
        for n in range(1, runs + 1):
            entries = gen.manifest(n)
            write(workspace, entries)
            before = {e.name: stage(emu, e.name, "DEVELOPMENT") for e in entries}
            targets = {e.name: e.code or getattr(before[e.name], "code", b"") for e in entries}

            emu.fault_rate(RATE)
            faulted = run_cli(emu, "publish", "--json")
            emu.fault_rate(0.0, ())
            faulted_writes = log.take()
            clean = run_cli(emu, "publish", "--json")
            clean_writes = log.take()

            figures.runs += 1
            figures.faulted_runs_failed += faulted.code != 0
            figures.tracebacks += tracebacks(faulted) + tracebacks(clean)
            check_report(faulted, faulted_writes, n, figures)
            check_report(clean, clean_writes, n, figures)
            check_publishes(faulted_writes + clean_writes, n, targets, gen, figures)
            figures.without_backup += [
                f"run {n}: {w.function} LIVE {w.before.etag if w.before else ''}"
                for w in overwritten_without_backup(workspace, faulted_writes + clean_writes)
            ]
            ok = clean.code == 0 and all(
                holds(stage(emu, e.name, s), e, targets[e.name], stores)
                for e in entries
                for s in ("DEVELOPMENT", "LIVE")
            )
            figures.converged += ok
            if not ok:
                figures.misreports.append(
                    f"run {n}: not converged after the re-run: {clean.err or clean.out[:2000]}"
                )
    figures.tracebacks += thread_tracebacks
    figures.faults, figures.by_kind = faults.total, dict(faults.by_kind)
    figures.seconds = time.monotonic() - started

    with capsys.disabled():
        print(f"\n{retries}: " + "\n".join(figures.lines()))
    assert figures.runs == runs
    assert figures.faults > runs  # faults really were injected, more than one a run on average
    assert figures.converged == runs, figures.misreports[:5]
    assert figures.wrong_publishes == []
    assert figures.never_in_a_manifest == []
    assert figures.without_backup == []
    assert figures.tracebacks == []
    assert figures.misreports == []
