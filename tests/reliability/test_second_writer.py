"""A second writer during the run (the concurrent-deploy race): whatever it puts in DEVELOPMENT is never
published over nor overwritten, the function is reported as a conflict with what to do, and any LIVE
copy this run replaces, even one the other writer published a moment ago, is in the backups.

The other writer acts through `emu.before(operation, …)`: right before the emulator handles the
publisher's next request of that kind.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import pytest

from emulator import Emulator
from publisher import action
from tests.reliability.harness import (
    MANIFEST,
    WriteLog,
    handler,
    overwritten_without_backup,
    record_writes,
    run_cli,
    stage,
)

Hook = Callable[[Emulator], None]
LIVE_BEFORE, DEV_BEFORE, OURS, THEIRS = handler("live"), handler("dev"), handler("ours"), handler("theirs")


def other(writes: WriteLog, name: str, code: bytes | None = None, publish: bool = False) -> Hook:
    """Someone else's deploy: `code` into DEVELOPMENT (None: what it holds), published if asked."""

    def write(server: Emulator) -> None:
        held = stage(server, name, "DEVELOPMENT")
        with writes.by_other():
            server.seed_function(
                name,
                code or (held.code if held else b""),
                comment=held.comment if held else name,
                publish=publish,
            )

    return write


@pytest.fixture
def writes(emu: Emulator, workspace: Path, monkeypatch: pytest.MonkeyPatch) -> WriteLog:
    emu.seed_function("a", LIVE_BEFORE, comment="a", publish=True)
    (workspace / "a.js").write_bytes(OURS)
    (workspace / MANIFEST).write_text("functions:\n  - name: a\n    code: a.js\n    comment: a\n")
    return record_writes(emu, monkeypatch)


def assert_conflict(run_json: dict[str, Any], emu: Emulator) -> None:
    (result,) = run_json["functions"]
    assert result["status"] == "conflict", result
    assert "changed after it was read" in result["error"] or "someone else" in result["error"]
    assert "Review their change, then re-run" in result["next_step"]
    assert getattr(stage(emu, "a", "LIVE"), "code", None) != OURS  # nothing was published over them
    assert getattr(stage(emu, "a", "DEVELOPMENT"), "code", None) == THEIRS  # nor overwritten


@pytest.mark.parametrize("operation", ["UpdateFunction", "DescribeFunction", "PublishFunction"])
def test_a_change_to_development_mid_run_is_a_conflict(
    emu: Emulator, workspace: Path, writes: WriteLog, operation: str
) -> None:
    emu.before(operation, other(writes, "a", THEIRS))
    run = run_cli(emu, "publish", "--json")
    assert run.code == 1
    assert_conflict(run.json, emu)
    assert getattr(stage(emu, "a", "LIVE"), "code", None) == LIVE_BEFORE
    assert not overwritten_without_backup(workspace, writes.writes)


@pytest.mark.parametrize("operation", ["UpdateFunction", "DescribeFunction", "PublishFunction"])
def test_a_change_published_mid_run_is_a_conflict_and_stays_live(
    emu: Emulator, workspace: Path, writes: WriteLog, operation: str
) -> None:
    emu.before(operation, other(writes, "a", THEIRS, publish=True))
    run = run_cli(emu, "publish", "--json")
    assert run.code == 1
    assert_conflict(run.json, emu)
    assert getattr(stage(emu, "a", "LIVE"), "code", None) == THEIRS


@pytest.mark.parametrize("operation", ["UpdateFunction", "DescribeFunction", "PublishFunction"])
def test_a_publish_of_development_as_it_is_is_backed_up_before_this_run_replaces_it(
    emu: Emulator, workspace: Path, writes: WriteLog, operation: str
) -> None:
    """The other writer publishes what DEVELOPMENT holds, changing nothing in it: no conflict, and this
    run goes on, but the LIVE it replaces may then be the other writer's, not the one read at the start."""
    emu.seed_function("a", DEV_BEFORE, comment="a")

    emu.before(operation, other(writes, "a", publish=True))
    run = run_cli(emu, "publish", "--json")
    assert run.code == 0, run.out
    assert run.json["functions"][0]["status"] == "published"
    assert getattr(stage(emu, "a", "LIVE"), "code", None) == OURS
    assert not overwritten_without_backup(workspace, writes.writes)


def test_a_function_created_by_someone_else_mid_run_is_a_conflict(
    emu: Emulator, workspace: Path, writes: WriteLog
) -> None:
    (workspace / "b.js").write_bytes(OURS)
    (workspace / MANIFEST).write_text("functions:\n  - name: b\n    code: b.js\n    comment: b\n")

    emu.before("CreateFunction", other(writes, "b", THEIRS))
    run = run_cli(emu, "publish", "--json")
    assert run.code == 1
    (result,) = run.json["functions"]
    assert result["status"] == "conflict", result
    assert "someone else" in result["error"]
    assert stage(emu, "b", "LIVE") is None
    assert getattr(stage(emu, "b", "DEVELOPMENT"), "code", None) == THEIRS


def test_a_bare_name_whose_development_changes_mid_run_is_not_published(
    emu: Emulator, workspace: Path, writes: WriteLog
) -> None:
    emu.seed_function("a", DEV_BEFORE, comment="a")
    (workspace / MANIFEST).write_text("functions:\n  - a\n")
    emu.before("DescribeFunction", other(writes, "a", THEIRS))
    run = run_cli(emu, "publish", "--json")
    assert run.code == 1
    assert_conflict(run.json, emu)
    assert getattr(stage(emu, "a", "LIVE"), "code", None) == LIVE_BEFORE


@pytest.mark.parametrize("operation", ["UpdateFunction", "PublishFunction"])
def test_the_action_reports_the_conflict_in_the_log_and_the_summary(
    emu: Emulator, workspace: Path, writes: WriteLog, operation: str
) -> None:
    emu.before(operation, other(writes, "a", THEIRS))
    summary, output = workspace / "summary.md", workspace / "output"
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
        "INPUT_MODE": "publish",
        "AWS_ENDPOINT_URL": emu.url,
    }
    log = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, redirect_stdout(log):
        patch.setenv("AWS_ENDPOINT_URL", emu.url)  # boto3 reads it from the process environment
        code = action.main(env)
    assert code == 1
    assert "::error title=CloudFront Functions: conflict::a: DEVELOPMENT changed after it was read" in (
        log.getvalue().replace("%3A", ":")
    )
    assert "Re-run" in log.getvalue() or "re-run" in log.getvalue()
    text = summary.read_text()
    assert "conflict" in text and "Next step" in text
    assert 'failed=["a"]' in output.read_text()


@pytest.mark.parametrize(
    "operation", ["before the run", "UpdateFunction", "DescribeFunction", "PublishFunction"]
)
def test_a_rollback_never_overwrites_an_edit_on_development_nor_publishes_over_it(
    emu: Emulator, workspace: Path, writes: WriteLog, operation: str
) -> None:
    """After a publish, a colleague edits DEVELOPMENT without publishing: before the rollback reads it,
    or at any of its steps. Their edit stays on DEVELOPMENT, LIVE keeps what it served, and the
    rollback says it met a conflict."""
    assert run_cli(emu, "publish").code == 0  # LIVE_BEFORE is backed up, OURS is LIVE
    edit = other(writes, "a", THEIRS)
    if operation == "before the run":
        edit(emu)
    else:
        emu.before(operation, edit)
    run = run_cli(emu, "rollback", "--from", "cloudfront-backups", "--json")
    assert run.code == 1, run.out + run.err + run.traceback
    (result,) = run.json["functions"]
    assert result["status"] == "conflict", result
    assert result["error"] and "re-run" in result["next_step"].lower(), result
    assert getattr(stage(emu, "a", "DEVELOPMENT"), "code", None) == THEIRS
    assert getattr(stage(emu, "a", "LIVE"), "code", None) == OURS
    assert not overwritten_without_backup(workspace, writes.writes)
