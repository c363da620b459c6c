"""Each fault the emulator can inject, on each operation a publish makes: the run ends with the
manifest's code LIVE and a status that says what happened, or with a clear failure that a re-run
repairs. Nothing LIVE is replaced without a backup, and no write is reported that did not happen.

Seed: the emulator starts with SEED (conftest.py), which fixes its ETags and, for a lost response,
whether the answer is a 500 or a dropped connection.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from emulator import Emulator
from emulator.distributions import function_arns
from tests.e2e.test_associations import count_applied
from tests.reliability.harness import (
    MANIFEST,
    WriteLog,
    handler,
    no_retries,
    overwritten_without_backup,
    quick_backoff,
    record_writes,
    run_cli,
    short_read_timeout,
    stage,
)

OLD, NEW, FRESH = handler("old"), handler("new"), handler("fresh")
OPERATIONS = (
    "ListFunctions",
    "GetFunction",
    "CreateFunction",
    "UpdateFunction",
    "TestFunction",
    "DescribeFunction",
    "PublishFunction",
    "ListDistributions",
)
ATTEMPTS = 10  # aws.py: standard retries, 10 attempts in all (the first and nine retries)
FAULTS = ("throttle", "500", "503", "reset", "timeout", "lost-response")
EVENT = '{"version": "1.0", "context": {"eventType": "viewer-request"}, "viewer": {"ip": "198.51.100.1"}, "request": {"method": "GET", "uri": "/", "querystring": {}, "headers": {}, "cookies": {}}}'


def manifest(root: Path) -> None:
    """`old` is published and gets new code (update, test, publish); `fresh` is created and published."""
    (root / "old.js").write_bytes(NEW)
    (root / "fresh.js").write_bytes(FRESH)
    (root / "event.json").write_text(EVENT)
    (root / MANIFEST).write_text(
        "functions:\n"
        "  - name: old\n    code: old.js\n    comment: old\n"
        "    tests:\n      - name: passes\n        event: event.json\n"
        "  - name: fresh\n    code: fresh.js\n    comment: fresh\n"
    )


@dataclass
class Scene:
    root: Path
    writes: WriteLog


@pytest.fixture
def scene(emu: Emulator, workspace: Path, monkeypatch: pytest.MonkeyPatch) -> Scene:
    quick_backoff(monkeypatch)
    emu.seed_function("old", OLD, comment="old", publish=True)
    manifest(workspace)
    return Scene(workspace, record_writes(emu, monkeypatch))


def converged(emu: Emulator) -> bool:
    return all(
        (stage(emu, name, "LIVE") or stage(emu, name, "DEVELOPMENT")) is not None
        and getattr(stage(emu, name, "LIVE"), "code", None) == code
        and getattr(stage(emu, name, "DEVELOPMENT"), "code", None) == code
        for name, code in (("old", NEW), ("fresh", FRESH))
    )


def reported_as_done(result: dict[str, Any], writes: WriteLog) -> None:
    """The report's `done` is what took effect: every write the emulator applied, and no other."""
    for f in result["functions"]:
        applied = sorted({w.operation for w in writes.of(f["name"])})
        assert sorted(set(f["done"])) == applied, (f["name"], f["done"], applied)


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("operation", OPERATIONS)
def test_a_single_fault_is_survived(
    emu: Emulator,
    scene: Scene,
    monkeypatch: pytest.MonkeyPatch,
    operation: str,
    fault: str,
) -> None:
    if fault == "timeout":
        # The emulator holds the request without answering. The client's read timeout (aws.READ_TIMEOUT)
        # would make this cost that long; at 0.5 s the client gives up, and retries, the same way.
        short_read_timeout(monkeypatch, 0.5)
        emu.timeout_seconds = 1.5
    emu.inject(operation=operation, fault=fault, times=1)
    run = run_cli(emu, "publish", "--json")
    assert not run.traceback, run.traceback
    assert run.code == 0, (run.err, run.out)
    statuses = {f["name"]: f["status"] for f in run.json["functions"]}
    assert statuses == {"old": "published", "fresh": "published"}, run.out
    assert converged(emu)
    reported_as_done(run.json, scene.writes)
    assert not overwritten_without_backup(scene.root, scene.writes.writes)
    if fault == "lost-response" and operation in ("UpdateFunction", "PublishFunction", "CreateFunction"):
        reasons = " ".join(f["reason"] for f in run.json["functions"])
        assert "confirmed by re-reading after a lost answer" in reasons


# What took effect before a call that never gets an answer: an update is all or nothing; a publish
# or a test comes after the update.
DONE_BEFORE = {"UpdateFunction": [], "PublishFunction": ["update"], "TestFunction": ["update"]}


@pytest.mark.parametrize("operation", DONE_BEFORE)
@pytest.mark.parametrize("fault", ["500", "503", "throttle", "reset"])
def test_a_fault_that_outlasts_the_retries_is_a_clear_failure_and_a_rerun_repairs_it(
    emu: Emulator, scene: Scene, operation: str, fault: str
) -> None:
    # a fault on every attempt of one call outlasts the retries
    emu.inject(operation=operation, fault=fault, times=ATTEMPTS, function="old")
    run = run_cli(emu, "publish", "--json")
    assert not run.traceback, run.traceback
    assert run.code == 1
    old = run.by_name()["old"]
    assert old["status"] in ("failed", "blocked")
    assert old["done"] == DONE_BEFORE[operation]
    assert old["error"] and old["next_step"], old
    if old["status"] == "failed":
        assert operation in old["error"]
    assert getattr(stage(emu, "old", "LIVE"), "code", None) == OLD
    assert run.by_name()["fresh"]["status"] == "published"  # one function's failure stops no other
    reported_as_done(run.json, scene.writes)
    assert emu.counts()[operation] >= ATTEMPTS  # the faults are used up: the re-run meets none
    again = run_cli(emu, "publish", "--json")
    assert again.code == 0, again.out
    assert converged(emu)
    assert not overwritten_without_backup(scene.root, scene.writes.writes)


@pytest.mark.parametrize("fault", ["500", "503", "throttle", "reset"])
def test_reads_that_never_answer_fail_the_run_with_a_message_and_touch_nothing(
    emu: Emulator, scene: Scene, fault: str
) -> None:
    emu.inject(operation="GetFunction", fault=fault, times=1000)
    run = run_cli(emu, "publish")
    assert not run.traceback, run.traceback
    assert run.code == 1
    assert "GetFunction" in run.err
    assert "Traceback" not in run.err + run.out
    assert scene.writes.writes == []


def test_a_distribution_listing_that_never_answers_costs_only_the_report(emu: Emulator, scene: Scene) -> None:
    emu.inject(operation="ListDistributions", fault="503", times=1000)
    run = run_cli(emu, "publish", "--json")
    assert run.code == 0, run.out
    assert any("could not list distributions" in w for w in run.json["warnings"])
    assert converged(emu)


@pytest.mark.parametrize("operation", ["CreateFunction", "UpdateFunction", "PublishFunction"])
def test_a_write_whose_answer_is_lost_for_good_is_reported_as_one_that_may_have_taken_effect(
    emu: Emulator, scene: Scene, monkeypatch: pytest.MonkeyPatch, operation: str
) -> None:
    """With no retry left to meet the 412 that would reveal it, the run cannot know whether the write
    took effect: it must not say that nothing was written."""
    no_retries(monkeypatch)
    emu.inject(operation=operation, fault="lost-response", times=1)
    run = run_cli(emu, "publish", "--json")
    assert run.code == 1, run.err
    (failed,) = [f for f in run.json["functions"] if f["status"] == "failed"]
    assert f"{operation} got no answer and may have taken effect; re-run to finish." in failed["next_step"]
    assert "Nothing was written" not in failed["next_step"]
    again = run_cli(emu, "publish", "--json")
    assert again.code == 0, again.out
    assert converged(emu)


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("operation", ["GetDistributionConfig", "UpdateDistribution"])
def test_a_single_fault_on_a_distribution_is_survived_and_written_once(
    emu: Emulator, workspace: Path, monkeypatch: pytest.MonkeyPatch, operation: str, fault: str
) -> None:
    """`fresh` is published, then attached to E1: whatever the fault, one write takes effect, and the
    report says attached (a lost answer: confirmed by re-reading, not a conflict)."""
    quick_backoff(monkeypatch)
    if fault == "timeout":
        short_read_timeout(monkeypatch, 0.5)
        emu.timeout_seconds = 1.5
    emu.seed_distribution(id="E1")
    (workspace / "fresh.js").write_bytes(FRESH)
    (workspace / MANIFEST).write_text(
        "functions:\n  - name: fresh\n    code: fresh.js\n    associations:\n"
        "      - {distribution: E1, path: default, event: viewer-request}\n"
    )
    applied = count_applied(emu, monkeypatch)
    emu.inject(operation=operation, fault=fault, times=1)
    run = run_cli(emu, "publish", "--json")
    assert not run.traceback, run.traceback
    assert run.code == 0, (run.err, run.out)
    (dist,) = run.json["associations"]
    assert (dist["status"], dist["conflicts"]) == ("updated", []), run.out
    assert [c["action"] for c in run.json["associations_changed"]] == ["attach"]
    assert len(applied) == 1
    held = function_arns(emu.state.backend.distribution("E1").distribution_config)  # as the emulator holds it
    assert [arn.rsplit("/", 1)[-1] for arn in held] == ["fresh"]
    if fault == "lost-response" and operation == "UpdateDistribution":
        assert "confirmed by re-reading after a lost answer" in dist["reason"]
