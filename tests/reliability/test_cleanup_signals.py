"""A cancelled clean-up (the Action's `cleanup` mode, as its own process): SIGTERM while a delete is
held at the emulator lets that delete finish, starts no other, and still writes the summary and the
outputs, naming what was not deleted; exit 1, and the next clean-up deletes the rest."""

from __future__ import annotations

import json
import signal
import threading
from pathlib import Path

import boto3

from emulator import Emulator
from tests.e2e.conftest import handler
from tests.e2e.test_cleanup import marker
from tests.reliability.test_signals import action_env, publisher, wait_for
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
    held, release = threading.Event(), threading.Event()

    def hold(_: Emulator) -> None:
        held.set()
        release.wait(30)

    emu.before("DeleteFunction", hold)
    proc = publisher(workspace, env)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout or []), daemon=True)
    reader.start()
    wait_for(lambda: held.is_set() or proc.poll() is not None)
    assert held.is_set(), (proc.returncode, lines, proc.stderr.read() if proc.stderr else "")
    proc.send_signal(signal.SIGTERM)
    wait_for(lambda: any(f"received signal {int(signal.SIGTERM)}:" in line for line in lines))
    release.set()
    err = proc.stderr.read() if proc.stderr else ""
    proc.wait(timeout=60)
    reader.join(timeout=10)
    out = "".join(lines)

    assert proc.returncode == 1, (out, err)
    assert "Traceback" not in out + err
    assert remaining(emu) == ["b-preview-pr7", "c-preview-pr7"]  # the one in flight went through
    outputs = parse_output_file((workspace / "output").read_text())
    assert json.loads(outputs["deleted"]) == ["a-preview-pr7"]
    assert json.loads(outputs["failed"]) == ["b-preview-pr7", "c-preview-pr7"]
    summary = (workspace / "summary.md").read_text()
    assert "| `b-preview-pr7` | cancelled | not deleted: the run was cancelled before its turn |" in summary

    emu.before("DeleteFunction", lambda _: None)
    again = publisher(workspace, env)
    again.wait(timeout=60)
    assert again.returncode == 0 and remaining(emu) == []
