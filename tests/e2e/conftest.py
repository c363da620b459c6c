"""End-to-end: whole commands against the emulator over HTTP, with real boto3 (and the AWS CLI)."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable, Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from emulator import Emulator, start
from publisher.__main__ import main

FAKE = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}


@pytest.fixture
def emu(monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    for key, value in FAKE.items():
        monkeypatch.setenv(key, value)
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "GITHUB_ACTIONS"):
        monkeypatch.delenv(key, raising=False)
    server = start()
    yield server
    server.stop()


@pytest.fixture
def aws(emu: Emulator) -> Any:
    return boto3.client("cloudfront", endpoint_url=emu.url, region_name="us-east-1")


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def json(self) -> Any:
        return json.loads(self.out)


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write_manifest(root: Path, functions: dict[str, bytes | None], extra: str = "") -> None:
    """A manifest naming each function; a None code makes a bare name."""
    lines = ["functions:"]
    for name, code in functions.items():
        if code is None:
            lines.append(f"  - {name}")
            continue
        (root / f"{name}.js").write_bytes(code)
        lines.append(f"  - name: {name}\n    code: {name}.js\n    comment: {name}")
    (root / "cloudfront-functions.yml").write_text("\n".join(lines) + "\n" + extra)


@pytest.fixture
def cli(emu: Emulator, workspace: Path) -> Callable[..., Run]:
    def run(*args: str) -> Run:
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = main([*args, "--endpoint-url", emu.url])
        return Run(code, out.getvalue(), err.getvalue())

    return run


def code_of(aws: Any, name: str, stage: str) -> bytes:
    return bytes(aws.get_function(Name=name, Stage=stage)["FunctionCode"].read())


def handler(body: str = "return event.request;") -> bytes:
    return f"function handler(event) {{ {body} }}\n".encode()


def env_without_secrets() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
