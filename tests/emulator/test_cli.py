"""The wire format holds for the real AWS CLI, and `python -m emulator` serves in the foreground."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from emulator import Emulator
from tests.emulator.helpers import client, create, error_of, etag, publish, update

REPO = Path(__file__).resolve().parents[2]
AWS = Path(sys.executable).parent / "aws"


def aws_cli(emu: Emulator, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(tmp_path / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
    }
    env.pop("AWS_PROFILE", None)
    command = [str(AWS), "cloudfront", *args, "--endpoint-url", emu.url, "--output", "json"]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)


def test_the_aws_cli_describes_and_gets_the_live_stage(cf: Any, emu: Emulator, tmp_path: Path) -> None:
    create(cf, "a", b"function handler(e) { return e.request; } // v1")
    publish(cf, "a")
    update(cf, "a", b"function handler(e) { return e.request; } // v2")
    described = aws_cli(emu, tmp_path, "describe-function", "--name", "a", "--stage", "LIVE")
    assert described.returncode == 0, described.stderr
    answer = json.loads(described.stdout)
    assert answer["ETag"] == etag(cf, "a", "LIVE")
    assert answer["FunctionSummary"]["FunctionMetadata"]["Stage"] == "LIVE"
    code_file = tmp_path / "live.js"
    fetched = aws_cli(emu, tmp_path, "get-function", "--name", "a", "--stage", "LIVE", str(code_file))
    assert fetched.returncode == 0, fetched.stderr
    assert code_file.read_bytes().endswith(b"// v1")


def test_the_aws_cli_sees_the_modelled_errors(emu: Emulator, tmp_path: Path) -> None:
    missing = aws_cli(emu, tmp_path, "describe-function", "--name", "nobody", "--stage", "LIVE")
    assert missing.returncode != 0
    assert "NoSuchFunctionExists" in missing.stderr


def test_python_m_emulator_prints_its_url_and_serves() -> None:
    command = [sys.executable, "-m", "emulator", "--port", "0", "--latency", "0.01"]
    command += ["--keep-development-etag-on-publish", "--refuse-unchanged-publish"]
    server = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        cf = client(url)
        assert cf.list_functions()["FunctionList"]["Quantity"] == 0
        dev = create(cf, "a")
        cf.publish_function(Name="a", IfMatch=dev)
        assert etag(cf, "a", "DEVELOPMENT") == dev  # kept
        with pytest.raises(ClientError) as raised:
            cf.publish_function(Name="a", IfMatch=dev)  # DEVELOPMENT equals LIVE: refused
        assert error_of(raised) == ("PreconditionFailed", 412)
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=10) == 0
    assert server.stderr is not None
    engine = "njs" if shutil.which("njs") else "node"
    assert f"TestFunction runs code in {engine}" in server.stderr.read()
