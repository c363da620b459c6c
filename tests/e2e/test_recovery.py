"""Recovery in one step, from the outside: rollback from the backup folder a real publish wrote, and a
guarded publish that rolls the failing function back, over HTTP against the emulator."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from emulator import Emulator
from publisher.shell import engine
from tests.e2e.conftest import FAKE, Run, code_of, handler, write_manifest
from tests.e2e.test_action_run import outputs
from tests.e2e.test_trust import action_env, run_action, writes

V1, V2 = handler("/*v1*/"), handler("/*v2*/")


def publish_twice(workspace: Path, cli: Callable[..., Run], names: tuple[str, ...] = ("a",)) -> None:
    """v1, then v2: the second publish backs v1 up, as a real run does."""
    for code in (V1, V2):
        write_manifest(workspace, dict.fromkeys(names, code))
        assert cli("publish").code == 0


def test_the_action_rolls_back_from_the_backup_folder_an_earlier_publish_wrote(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    publish_twice(workspace, cli)
    env = action_env(workspace, emu, mode="rollback", rollback_from="cloudfront-backups")
    code, log = run_action(env, monkeypatch, emu)
    assert code == 0, log
    assert code_of(aws, "a", "LIVE") == V1 and code_of(aws, "a", "DEVELOPMENT") == V1
    out = outputs(workspace / "out")
    assert out["rolled-back"] == '["a"]' and out["failed"] == "[]"
    summary = (workspace / "summary.md").read_text()
    assert "### Rolled back" in summary and "a.LIVE." in summary
    replaced = [p for p in (workspace / "cloudfront-backups").glob("*/*.js") if p.read_bytes() == V2]
    assert len(replaced) == 1  # the LIVE the rollback replaced is backed up in turn


def test_the_backup_dir_output_is_the_runs_own_folder_so_rolling_it_back_restores_only_this_run(
    emu: Emulator, aws: Any, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """a and b at v1, then both at v2, then only a at v3: rolling back the last run from its
    `backup-dir` output puts a back to v2 and leaves b, which that run never touched, at v2."""

    def publish(functions: dict[str, bytes | None]) -> dict[str, str]:
        write_manifest(workspace, functions)
        (workspace / "out").unlink(missing_ok=True)
        code, log = run_action(action_env(workspace, emu, mode="publish"), monkeypatch, emu)
        assert code == 0, log
        return outputs(workspace / "out")

    publish({"a": V1, "b": V1})
    publish({"a": V2, "b": V2})
    V3 = handler("/*v3*/")
    last = publish({"a": V3, "b": V2})
    folder = last["backup-dir"]
    assert folder.startswith("cloudfront-backups/") and folder != "cloudfront-backups"
    assert sorted(p.name for p in (workspace / folder).iterdir()) == [
        p.name for p in sorted((workspace / folder).glob("a.LIVE.*"))
    ]  # this run's backups only: a's
    (workspace / "out").unlink()
    env = action_env(workspace, emu, mode="rollback", rollback_from=folder)
    code, log = run_action(env, monkeypatch, emu)
    assert code == 0, log
    assert code_of(aws, "a", "LIVE") == V2 and code_of(aws, "b", "LIVE") == V2
    assert json.loads(outputs(workspace / "out")["rolled-back"]) == ["a"]


def test_a_rerun_of_a_finished_rollback_makes_no_write(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    publish_twice(workspace, cli)
    assert cli("rollback", "--from", "cloudfront-backups").code == 0
    emu.reset_counts()
    again = cli("rollback", "--from", "cloudfront-backups", "--json")
    assert again.code == 0 and writes(emu) == 0, again.out
    assert again.json["functions"][0]["status"] == "unchanged"
    assert code_of(aws, "a", "LIVE") == V1  # not rolled "back" to what the first rollback replaced


def test_a_rollback_of_a_subset_leaves_the_others(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    publish_twice(workspace, cli, ("a", "b"))
    run = cli("rollback", "--from", "cloudfront-backups", "--functions", "b", "--json")
    assert run.code == 0, run.err
    assert [f["name"] for f in run.json["functions"]] == ["b"]
    assert code_of(aws, "a", "LIVE") == V2 and code_of(aws, "b", "LIVE") == V1


def test_a_rollback_meeting_a_foreign_change_on_development_refuses_it(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    publish_twice(workspace, cli)
    theirs = handler("/*theirs*/")
    emu.before("UpdateFunction", lambda e: e.seed_function("a", theirs, comment="a"))
    run = cli("rollback", "--from", "cloudfront-backups", "--json")
    assert run.code == 1
    assert run.json["functions"][0]["status"] == "conflict"
    assert code_of(aws, "a", "DEVELOPMENT") == theirs and code_of(aws, "a", "LIVE") == V2


def test_a_rollback_leaves_an_unpublished_edit_on_development_and_reports_a_conflict(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    """v1, v2, then a colleague edits DEVELOPMENT without publishing: their edit is not ours to replace."""
    publish_twice(workspace, cli, ("a", "b"))
    theirs = handler("/*their unpublished edit*/")
    emu.seed_function("a", theirs, comment="a")
    emu.reset_counts()
    dry = cli("rollback", "--from", "cloudfront-backups", "--dry-run", "--json")
    assert {f["name"]: f["status"] for f in dry.json["functions"]} == {"a": "conflict", "b": "planned"}
    run = cli("rollback", "--from", "cloudfront-backups", "--json")
    assert run.code == 1, run.out
    by = {f["name"]: f for f in run.json["functions"]}
    assert by["a"]["status"] == "conflict" and by["a"]["done"] == []
    assert "DEVELOPMENT holds an edit that is not LIVE" in by["a"]["error"]
    assert "rollback" in by["a"]["next_step"]
    assert code_of(aws, "a", "DEVELOPMENT") == theirs and code_of(aws, "a", "LIVE") == V2
    assert by["b"]["status"] == "published" and code_of(aws, "b", "LIVE") == V1  # the others go on
    assert emu.counts().get("UpdateFunction") == 1  # b's only


def test_a_dry_run_shows_the_restore_and_writes_nothing(
    emu: Emulator, workspace: Path, cli: Callable[..., Run]
) -> None:
    publish_twice(workspace, cli)
    emu.reset_counts()
    run = cli("rollback", "--from", "cloudfront-backups", "--dry-run", "--json")
    assert run.code == 0 and writes(emu) == 0
    (f,) = run.json["functions"]
    assert f["status"] == "planned" and "/*v1*/" in f["live_diff"] and f["restored_from"]


DEPLOYED = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=10)


def record(emu: Emulator, function: str, invocations: int, errors: int = 0) -> None:
    """Traffic in the first minute the guard judges: the deploy is put on DEPLOYED, a whole minute."""
    emu.record_function_metrics(function, invocations=invocations, execution_errors=errors, at=DEPLOYED)


def test_the_guard_rolls_back_the_failing_function_and_keeps_the_healthy_one(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_manifest(workspace, {"bad": V1, "good": V1, "quiet": V1})
    assert cli("publish").code == 0
    write_manifest(workspace, {"bad": V2, "good": V2, "quiet": V2})
    monkeypatch.setattr(engine, "utcnow", lambda: DEPLOYED)
    record(emu, "bad", 200, errors=9)
    record(emu, "good", 200, errors=1)
    run = cli("publish", "--watch-minutes", "0.02", "--max-error-rate", "2", "--json", "--summary", "s.md")
    assert run.code == 1, run.err
    by = {f["name"]: f for f in run.json["functions"]}
    assert by["bad"]["status"] == "rolled back" and by["good"]["status"] == "published"
    assert code_of(aws, "bad", "LIVE") == V1 and code_of(aws, "good", "LIVE") == V2
    watched = {w["function"]: w for w in run.json["guard"]["functions"]}
    assert (watched["bad"]["error_rate"], watched["bad"]["verdict"]) == (4.5, "roll back")
    assert (watched["good"]["error_rate"], watched["good"]["verdict"]) == (0.5, "keep")
    assert watched["quiet"]["verdict"] == "not judged"  # no traffic: kept, and said so
    assert code_of(aws, "quiet", "LIVE") == V2
    summary = (workspace / "s.md").read_text()
    assert "### Watched at the edge" in summary and "no invocations in the window" in summary


def test_a_cancel_during_the_watch_ends_it_at_once_with_a_report(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    write_manifest(workspace, {"a": V1})
    assert cli("publish").code == 0
    write_manifest(workspace, {"a": V2})
    argv = ["publish", "--watch-minutes", "10", "--json", "--endpoint-url", emu.url]
    proc = subprocess.Popen(
        [sys.executable, "-m", "publisher", *argv],
        cwd=workspace,
        env={**os.environ, **FAKE, "PYTHONPATH": str(Path(__file__).parents[2])},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    for line in proc.stderr:  # the watch has begun: the publish is done
        if line.startswith("watching"):
            break
    began = time.monotonic()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert time.monotonic() - began < 10, err
    assert proc.returncode == 1
    result = json.loads(out)
    assert result["guard"]["cancelled"] is True
    assert result["functions"][0]["status"] == "published" and code_of(aws, "a", "LIVE") == V2
