"""The real AWS CLI as a second client: a colleague's out-of-band change, seen and undone only on request."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from emulator import Emulator
from tests.e2e.conftest import FAKE, Run, code_of, handler, write_manifest

AWS = shutil.which("aws", path=str(Path(sys.executable).parent)) or shutil.which("aws")


def aws_cli(emu: Emulator, *args: str) -> Any:
    assert AWS, "the AWS CLI is a dev dependency; scripts/setup.sh installs it"
    env = {**os.environ, **FAKE, "AWS_PAGER": ""}
    out = subprocess.run(
        [AWS, "cloudfront", *args, "--endpoint-url", emu.url, "--output", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(out.stdout) if out.stdout.strip() else None


@pytest.mark.skipif(AWS is None and not os.environ.get("CI"), reason="the AWS CLI is not installed")
def test_an_out_of_band_publish_by_the_aws_cli_is_shown_then_replaced(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    write_manifest(workspace, {"edge": handler()})
    assert cli("publish").code == 0

    theirs = workspace / "theirs.js"
    theirs.write_bytes(handler("/*hotfix*/ return event.request;"))
    etag = aws_cli(emu, "describe-function", "--name", "edge", "--stage", "DEVELOPMENT")["ETag"]
    aws_cli(
        emu,
        "update-function",
        "--name",
        "edge",
        "--if-match",
        etag,
        "--function-config",
        "Comment=hotfix,Runtime=cloudfront-js-2.0",
        "--function-code",
        f"fileb://{theirs}",
    )
    etag = aws_cli(emu, "describe-function", "--name", "edge", "--stage", "DEVELOPMENT")["ETag"]
    published = aws_cli(emu, "publish-function", "--name", "edge", "--if-match", etag)
    assert published["FunctionSummary"]["Status"] in ("UNASSOCIATED", "DEPLOYED")

    plan = cli("plan", "--json").json["functions"][0]
    assert plan["actions"] == ["update", "publish"]
    assert "-function handler(event) { /*hotfix*/" in plan["repo_diff"]
    assert "-comment: hotfix" in plan["repo_diff"]

    result = cli("publish", "--json").json["functions"][0]
    assert result["status"] == "published"
    assert (workspace / result["backup"]).read_bytes() == handler("/*hotfix*/ return event.request;")
    live = workspace / "live.js"
    aws_cli(emu, "get-function", "--name", "edge", "--stage", "LIVE", str(live))
    assert live.read_bytes() == handler() == code_of(aws, "edge", "LIVE")
