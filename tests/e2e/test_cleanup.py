"""`cloudfront-publish cleanup` as a process against the emulator: what it deletes, and what never."""

from __future__ import annotations

import dataclasses
import io
import json
from contextlib import redirect_stdout
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from emulator import Emulator
from tests.e2e.conftest import handler
from tests.e2e.test_import import command


def marker(run_id: str, function: str) -> str:
    return f"cloudfront-publish preview {run_id}: throwaway copy of {function}"


def names(aws: Any) -> list[str]:
    return sorted(f["Name"] for f in aws.list_functions(Stage="DEVELOPMENT")["FunctionList"].get("Items", []))


def age(emu: Emulator, name: str, hours: float) -> None:
    """Set the function's LastModifiedTime back, as if it had been left that long ago."""
    with emu.state.lock:
        fn = emu.state.functions.get(name)
        then = datetime.now(UTC) - timedelta(hours=hours)
        fn.development = dataclasses.replace(fn.development, modified=then)


def seed(emu: Emulator, tmp_path: Path) -> None:
    emu.seed_function("shared", handler(), comment="the team's", publish=True)
    emu.seed_function("a-preview-pr5", handler(), comment=marker("pr5", "a"))  # pr5's leftover
    emu.seed_function("b-preview-pr5", handler(), comment=marker("pr5", "b"), publish=True)  # published
    emu.seed_function("c-preview-pr5", handler(), comment=marker("pr5", "c"))  # the manifest names it
    emu.seed_function("d-preview-pr5", handler(), comment="made by hand")  # no marker
    emu.seed_function("e-preview-pr6", handler(), comment=marker("pr6", "e"))  # another pull request's
    emu.seed_function("f-preview-pr7", handler(), comment=marker("pr7", "f"))  # recent
    age(emu, "e-preview-pr6", 72)
    age(emu, "b-preview-pr5", 72)
    age(emu, "c-preview-pr5", 72)
    age(emu, "d-preview-pr5", 72)
    (tmp_path / "cloudfront-functions.yml").write_text("functions:\n  - shared\n  - c-preview-pr5\n")


def test_cleanup_of_one_pull_request_deletes_only_its_marked_unpublished_unmanaged_throwaways(
    emu: Emulator, aws: Any, tmp_path: Path
) -> None:
    seed(emu, tmp_path)
    before = names(aws)

    dry = command(emu, tmp_path, "cleanup", "--run-id", "pr5", "--dry-run", "--json")
    assert dry.code == 0, dry.err
    assert json.loads(dry.out)["would_delete"] == ["a-preview-pr5"]
    assert names(aws) == before and emu.counts().get("DeleteFunction", 0) == 0

    run = command(emu, tmp_path, "cleanup", "--run-id", "pr5", "--json")

    assert run.code == 0, run.err
    shown = json.loads(run.out)
    assert shown["deleted"] == ["a-preview-pr5"]
    assert {k["name"]: k["why"] for k in shown["kept"]} == {
        "b-preview-pr5": "it was published",
        "c-preview-pr5": "the manifest names it",
        "d-preview-pr5": "named like a preview but without the project's marker",
    }
    assert names(aws) == [n for n in before if n != "a-preview-pr5"]
    assert emu.counts()["DeleteFunction"] == 1


def test_cleanup_older_than_deletes_every_old_throwaway_whoever_made_it(
    emu: Emulator, aws: Any, tmp_path: Path
) -> None:
    seed(emu, tmp_path)
    run = command(emu, tmp_path, "cleanup", "--older-than", "48")
    assert run.code == 0, run.err
    assert "e-preview-pr6: deleted" in run.err
    assert names(aws) == [
        "a-preview-pr5",
        "b-preview-pr5",
        "c-preview-pr5",
        "d-preview-pr5",
        "f-preview-pr7",
        "shared",
    ]


def test_a_throwaway_changed_between_the_read_and_the_delete_is_reported_not_deleted(
    emu: Emulator, aws: Any, tmp_path: Path
) -> None:
    seed(emu, tmp_path)

    def second_writer(_: Emulator) -> None:
        etag = aws.describe_function(Name="a-preview-pr5", Stage="DEVELOPMENT")["ETag"]
        aws.update_function(
            Name="a-preview-pr5",
            IfMatch=etag,
            FunctionCode=handler("/* theirs */ return event.request;"),
            FunctionConfig={"Comment": marker("pr5", "a"), "Runtime": "cloudfront-js-2.0"},
        )

    emu.before("DeleteFunction", second_writer)
    run = command(emu, tmp_path, "cleanup", "--run-id", "pr5")

    assert run.code == 1, run.err
    assert "a-preview-pr5: conflict: changed by someone else after it was read" in run.err
    assert "412" in run.err
    assert "a-preview-pr5" in names(aws)


def test_cleanup_refuses_without_a_manifest_or_a_choice(emu: Emulator, tmp_path: Path) -> None:
    emu.seed_function("a-preview-pr5", handler(), comment=marker("pr5", "a"))
    missing = command(emu, tmp_path, "cleanup", "--run-id", "pr5")
    assert missing.code == 2 and "the manifest cloudfront-functions.yml does not exist" in missing.err
    (tmp_path / "cloudfront-functions.yml").write_text("functions: [x]\n")
    assert command(emu, tmp_path, "cleanup").code == 2
    assert emu.counts().get("DeleteFunction", 0) == 0


def test_a_preview_left_behind_by_a_killed_run_is_what_cleanup_deletes(
    emu: Emulator, aws: Any, tmp_path: Path
) -> None:
    """A real preview's throwaway carries the marker: make its delete fail, then clean up its run."""
    from tests.e2e.test_gates import REDIRECT, cases_block, manifest

    manifest(tmp_path, {"redirect": (REDIRECT, cases_block("response.statusCode: 301"))})
    emu.inject("DeleteFunction", "500", times=5)  # every attempt: the throwaway stays behind
    preview = command(emu, tmp_path, "preview", env={"AWS_MAX_ATTEMPTS": "2"})
    assert preview.code == 1, preview.err
    (left,) = [n for n in names(aws) if n.startswith("redirect-preview-")]
    comment = aws.describe_function(Name=left, Stage="DEVELOPMENT")["FunctionSummary"]["FunctionConfig"][
        "Comment"
    ]
    run_id = left.removeprefix("redirect-preview-")
    assert comment == marker(run_id, "redirect")

    run = command(emu, tmp_path, "cleanup", "--run-id", run_id)

    assert run.code == 0, run.err
    assert names(aws) == []


def test_a_throwaway_published_after_the_listing_is_kept(emu: Emulator, aws: Any, tmp_path: Path) -> None:
    seed(emu, tmp_path)

    def publisher(_: Emulator) -> None:
        etag = aws.describe_function(Name="a-preview-pr5", Stage="DEVELOPMENT")["ETag"]
        aws.publish_function(Name="a-preview-pr5", IfMatch=etag)

    emu.before("DescribeFunction", publisher)
    run = command(emu, tmp_path, "cleanup", "--run-id", "pr5")

    assert run.code == 1, run.err
    assert "a-preview-pr5: conflict: it was published since the listing; kept" in run.err
    assert "a-preview-pr5" in names(aws)


def action(
    emu: Emulator, tmp_path: Path, monkeypatch: Any, **env: str
) -> tuple[int, str, str, dict[str, str]]:
    """The Action's entry point in-process: its exit code, log, summary and outputs."""
    from publisher.action import main
    from tests.e2e.test_action_run import outputs

    monkeypatch.setenv("AWS_ENDPOINT_URL", emu.url)
    (tmp_path / "out").write_text("")
    base = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(tmp_path),
        "GITHUB_OUTPUT": str(tmp_path / "out"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "INPUT_MODE": "cleanup",
    }
    log = io.StringIO()
    with redirect_stdout(log):
        code = main({**base, **env})
    summary = tmp_path / "summary.md"
    return code, log.getvalue(), summary.read_text() if summary.exists() else "", outputs(tmp_path / "out")


def closed(tmp_path: Path, number: int) -> dict[str, str]:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"action": "closed", "pull_request": {"number": number}}))
    return {"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": str(event)}


def test_the_action_on_a_closed_pull_request_deletes_its_throwaways_and_says_what_it_kept(
    emu: Emulator, aws: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    seed(emu, tmp_path)
    code, log, summary, out = action(emu, tmp_path, monkeypatch, **closed(tmp_path, 5))
    assert code == 0, log
    assert json.loads(out["deleted"]) == ["a-preview-pr5"] and out["has-changes"] == "true"
    assert {k["name"]: k["why"] for k in json.loads(out["kept"])} == {
        "b-preview-pr5": "it was published",
        "c-preview-pr5": "the manifest names it",
        "d-preview-pr5": "named like a preview but without the project's marker",
    }
    assert json.loads(out["failed"]) == [] and json.loads(out["result"])["run_id"] == "pr5"
    assert "Asked for the throwaways of `pr5`: 1 deleted, 3 kept." in summary
    assert "| `a-preview-pr5` | deleted |" in summary and "| `b-preview-pr5` | it was published |" in summary
    assert "a-preview-pr5" not in names(aws) and "e-preview-pr6" in names(aws)


def test_the_action_on_a_schedule_deletes_every_throwaway_older_than_the_input(
    emu: Emulator, aws: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    seed(emu, tmp_path)
    env = {"GITHUB_EVENT_NAME": "schedule", "INPUT_OLDER-THAN-HOURS": "48"}
    code, log, summary, out = action(emu, tmp_path, monkeypatch, **env)
    assert code == 0, log
    assert json.loads(out["deleted"]) == ["e-preview-pr6"]
    assert "every throwaway older than 48 hours" in summary
    assert "f-preview-pr7" in names(aws) and "a-preview-pr5" in names(aws)


def test_the_action_refuses_with_no_pull_request_and_no_age_and_fails_on_a_conflict(
    emu: Emulator, aws: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    seed(emu, tmp_path)
    code, log, summary, _ = action(emu, tmp_path, monkeypatch, GITHUB_EVENT_NAME="push")
    assert code == 2 and "older-than-hours" in log and "Refused" in summary
    assert emu.counts().get("DeleteFunction", 0) == 0
    bad, log, _, _ = action(
        emu, tmp_path, monkeypatch, GITHUB_EVENT_NAME="push", **{"INPUT_OLDER-THAN-HOURS": "x"}
    )
    assert bad == 2, log

    def publisher(_: Emulator) -> None:
        etag = aws.describe_function(Name="a-preview-pr5", Stage="DEVELOPMENT")["ETag"]
        aws.publish_function(Name="a-preview-pr5", IfMatch=etag)

    emu.before("DescribeFunction", publisher)
    code, log, summary, out = action(emu, tmp_path, monkeypatch, **closed(tmp_path, 5))
    assert code == 1, log
    assert json.loads(out["failed"]) == ["a-preview-pr5"]
    assert "| `a-preview-pr5` | conflict | it was published since the listing; kept |" in summary
