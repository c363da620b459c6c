"""A cancelled workflow while a connection function is published and attached: SIGTERM at each stage
(update, test, publish, attach) lets the call in flight finish, starts nothing after it, and still
writes the outputs and the summary; the next run converges. Each stage's call is held at the emulator
until the run has said it received the signal, so the moment is the same on any machine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest

from emulator import Emulator
from tests.reliability.harness import MANIFEST, run_cli
from tests.reliability.test_signals import action_env, signal_while_held
from tests.shell.test_github import parse_output_file

OLD = b"function connectionHandler(connection) {\n  connection.deny();\n}\n"
NEW = b"function connectionHandler(connection) {\n  connection.allow();\n}\n"
CONFIG = {"Comment": "gate", "Runtime": "cloudfront-js-2.0"}
# the stage held, and what holds once the call in flight is done: LIVE new, attached
STAGES = {
    "UpdateConnectionFunction": (False, False),
    "TestConnectionFunction": (False, False),
    "PublishConnectionFunction": (True, False),
    "UpdateDistribution": (True, True),
}


def seed(emu: Emulator) -> tuple[Any, str, str]:
    """A published connection function `gate` with the old code, and a distribution with viewer mTLS."""
    aws = boto3.client("cloudfront", endpoint_url=emu.url, region_name="us-east-1")
    made = aws.create_connection_function(
        Name="gate", ConnectionFunctionConfig=CONFIG, ConnectionFunctionCode=OLD
    )
    cid = made["ConnectionFunctionSummary"]["Id"]
    aws.publish_connection_function(Id=cid, IfMatch=made["ETag"])
    return aws, cid, emu.seed_distribution(viewer_mtls="required")


def write_manifest(root: Path, dist: str) -> None:
    (root / "gate.js").write_bytes(NEW)
    (root / MANIFEST).write_text(
        "connection-functions:\n  - name: gate\n    code: gate.js\n    comment: gate\n"
        f"    distributions: [{dist}]\n"
        "    tests:\n      - name: allowed\n        connection: {clientIp: 192.0.2.1}\n        expect: allow\n"
    )


def live_code(aws: Any, cid: str) -> bytes:
    return bytes(aws.get_connection_function(Identifier=cid, Stage="LIVE")["ConnectionFunctionCode"].read())


def attached(aws: Any, dist: str, cid: str) -> bool:
    config = aws.get_distribution_config(Id=dist)["DistributionConfig"]
    return bool(config.get("ConnectionFunctionAssociation") == {"Id": cid})


@pytest.mark.parametrize("operation", list(STAGES))
def test_a_sigterm_at_each_stage_ends_cleanly_with_the_report(
    emu: Emulator, workspace: Path, operation: str
) -> None:
    aws, cid, dist = seed(emu)
    write_manifest(workspace, dist)
    run = signal_while_held(emu, workspace, action_env(workspace, emu), (operation,))

    assert run.code == 1, (run.out, run.err)
    assert "Traceback" not in run.out + run.err
    live, on = STAGES[operation]
    assert (live_code(aws, cid) == NEW, attached(aws, dist, cid)) == (live, on)
    outputs = parse_output_file((workspace / "output").read_text())
    assert ("connection-function gate" in outputs["published"]) == live
    assert ('"kind": "connection-function"' in outputs["associations-changed"]) == on
    summary = (workspace / "summary.md").read_text()
    assert "CloudFront Functions" in summary
    if not on:
        assert "cancelled" in summary

    again = run_cli(emu, "publish", "--json")
    assert again.code == 0, again.out + again.err
    assert live_code(aws, cid) == NEW and attached(aws, dist, cid)
