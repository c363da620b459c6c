"""The real AWS CLI as a second client of connection functions: it lists what a publish made (the
listing's body parameters), tests it, and hot-fixes it by Id; the next plan shows that, and a
publish puts the repository's code back with theirs in the backup."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from emulator import Emulator
from tests.e2e.conftest import Run
from tests.e2e.test_aws_cli import AWS, aws_cli
from tests.e2e.test_connection_functions import TRUSTED_ONLY, by_kind, connection_code, gate, write


@pytest.mark.skipif(AWS is None and not os.environ.get("CI"), reason="the AWS CLI is not installed")
def test_the_aws_cli_sees_tests_and_hot_fixes_a_published_connection_function(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    write(workspace)
    assert cli("publish").code == 0

    listed = aws_cli(emu, "list-connection-functions", "--stage", "LIVE")["ConnectionFunctions"]
    (found,) = [s for s in listed if s["Name"] == "gate"]
    cid = found["Id"]
    dev = aws_cli(emu, "describe-connection-function", "--identifier", cid, "--stage", "DEVELOPMENT")["ETag"]
    connection = workspace / "connection.json"
    connection.write_text(json.dumps({"clientCertInfo": {"issuer": "CN=trusted"}}))
    tested = aws_cli(
        emu,
        "test-connection-function",
        "--id",
        cid,
        "--if-match",
        dev,
        "--stage",
        "DEVELOPMENT",
        "--connection-object",
        f"fileb://{connection}",
    )["ConnectionFunctionTestResult"]
    assert json.loads(tested["ConnectionFunctionOutput"]) == {"action": "allow"}

    theirs = workspace / "theirs.js"
    theirs.write_bytes(gate("connection.allow(); /* hotfix */"))
    aws_cli(
        emu,
        "update-connection-function",
        "--id",
        cid,
        "--if-match",
        dev,
        "--connection-function-config",
        "Comment=hotfix,Runtime=cloudfront-js-2.0",
        "--connection-function-code",
        f"fileb://{theirs}",
    )
    dev = aws_cli(emu, "describe-connection-function", "--identifier", cid, "--stage", "DEVELOPMENT")["ETag"]
    aws_cli(emu, "publish-connection-function", "--id", cid, "--if-match", dev)

    plan = cli("plan", "--json")
    assert by_kind(plan)["connection-function"]["actions"] == ["update", "publish"]
    run = cli("publish", "--json")
    assert run.code == 0, run.out + run.err
    backup = by_kind(run)["connection-function"]["backup"]
    assert (workspace / backup).read_bytes() == gate("connection.allow(); /* hotfix */")
    assert connection_code(aws, "gate", "LIVE") == TRUSTED_ONLY
