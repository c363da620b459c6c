"""A cancelled clean-up (the Action's `cleanup` mode, as its own process): SIGTERM while a delete is
held at the emulator lets that delete finish, starts no other, and still writes the summary and the
outputs, naming what was not deleted; exit 1, and the next clean-up deletes the rest."""

from __future__ import annotations

import json
from pathlib import Path

import boto3

from emulator import Emulator
from tests.e2e.conftest import handler
from tests.e2e.test_cleanup import marker
from tests.reliability.test_signals import action_env, publisher, signal_while_held
from tests.shell.test_github import parse_output_file

NAMES = ("a-preview-pr7", "b-preview-pr7", "c-preview-pr7")


def remaining(emu: Emulator) -> list[str]:
    aws = boto3.client("cloudfront", endpoint_url=emu.url, region_name="us-east-1")
    listed = aws.list_functions(Stage="DEVELOPMENT")["FunctionList"].get("Items", [])
    return sorted(f["Name"] for f in listed if f["Name"] in NAMES)


def test_a_sigterm_during_a_delete_lets_it_finish_starts_no_other_and_reports(
    emu: Emulator, workspace: Path
) -> None:
    for name in NAMES:
        emu.seed_function(name, handler(), comment=marker("pr7", name[0]))
    (workspace / "cloudfront-functions.yml").write_text("functions:\n  - shared\n")
    event = workspace / "event.json"
    event.write_text(json.dumps({"action": "closed", "pull_request": {"number": 7}}))
    env = action_env(workspace, emu, mode="cleanup", max_concurrency="1")
    env |= {"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": str(event)}
    run = signal_while_held(emu, workspace, env, ("DeleteFunction",))
    assert run.code == 1, (run.out, run.err)
    assert "Traceback" not in run.out + run.err
    assert remaining(emu) == ["b-preview-pr7", "c-preview-pr7"]  # the one in flight went through
    outputs = parse_output_file((workspace / "output").read_text())
    assert json.loads(outputs["deleted"]) == ["a-preview-pr7"]
    assert json.loads(outputs["failed"]) == ["b-preview-pr7", "c-preview-pr7"]
    summary = (workspace / "summary.md").read_text()
    assert "| `b-preview-pr7` | cancelled | not deleted: the run was cancelled before its turn |" in summary

    again = publisher(workspace, env)
    again.wait(timeout=60)
    assert again.returncode == 0 and remaining(emu) == []
