"""Bad input, refused: what each test here shares. An emulator counts the calls (there must be none),
and the entry points run in this process with their output captured."""

from __future__ import annotations

import io
import traceback
from collections.abc import Iterator, Mapping
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest

from emulator import Emulator, start
from publisher import action
from publisher.__main__ import main
from tests.reliability.harness import fake_aws


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    server = start()
    yield server
    server.stop()


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, emu: Emulator) -> Path:
    fake_aws(monkeypatch, AWS_ENDPOINT_URL=emu.url)
    monkeypatch.chdir(tmp_path)
    emu.reset_counts()
    return tmp_path


@dataclass
class Refusal:
    code: int
    out: str
    err: str
    traceback: str
    calls: dict[str, int]


def entry(emu: Emulator, argv: list[str]) -> Refusal:
    """`cloudfront-publish ARGV` as the console script runs it; argparse's own exit counts as an exit."""
    emu.reset_counts()
    out, err, trace = io.StringIO(), io.StringIO(), ""
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = main(argv)
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    except BaseException:
        code, trace = -1, traceback.format_exc()
    return Refusal(code, out.getvalue(), err.getvalue(), trace, emu.counts())


def as_action(emu: Emulator, root: Path, inputs: Mapping[str, str]) -> Refusal:
    """The Action with these INPUT_* values, its log captured; the summary file is in the workspace."""
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(root),
        "GITHUB_OUTPUT": str(root / "github-output"),
        "GITHUB_STEP_SUMMARY": str(root / "github-summary.md"),
        **inputs,
    }
    emu.reset_counts()
    out, err, trace = io.StringIO(), io.StringIO(), ""
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = action.main(env)
    except BaseException:
        code, trace = -1, traceback.format_exc()
    return Refusal(code, out.getvalue(), err.getvalue(), trace, emu.counts())
