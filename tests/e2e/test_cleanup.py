"""`cloudfront-publish cleanup` as a process against the emulator: what it deletes, and what never."""

from __future__ import annotations

import dataclasses
import json
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
