"""The command line against the emulator: progress on stderr, --detailed-exitcode, the JSON's timing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from emulator import Emulator
from tests.e2e.conftest import Run, handler, write_manifest


def test_progress_goes_to_stderr_one_line_per_function(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    write_manifest(workspace, {"a": handler(), "b": handler("return event.request;/*b*/")})
    run = cli("publish", "--json")
    assert run.code == 0, run.err
    lines = sorted(run.err.splitlines())  # in the order the functions ended, numbered as they did
    assert [line.split(" ", 1)[0] for line in lines] == ["[1]", "[2]"]
    assert sorted(line.split(" ", 1)[1] for line in lines) == ["a: create, publish", "b: create, publish"]
    assert run.out.startswith("{")  # stdout holds only the JSON


def test_detailed_exitcode_tells_pending_from_nothing_to_do(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    write_manifest(workspace, {"a": handler()})
    assert cli("plan").code == 0  # without the flag, a plan with changes is a plain success
    assert cli("plan", "--detailed-exitcode").code == 3
    assert cli("publish", "--detailed-exitcode").code == 3  # changes made
    assert cli("plan", "--detailed-exitcode").code == 0  # nothing left to do
    assert cli("publish", "--detailed-exitcode").code == 0


def test_the_json_result_carries_when_and_how_long(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    write_manifest(workspace, {"a": handler()})
    data = cli("plan", "--json").json
    assert data["schema_version"] == 3
    assert data["has_changes"] is True
    assert data["started"].endswith("Z") or "+00:00" in data["started"]
    assert 0 <= data["duration_seconds"] < 60
