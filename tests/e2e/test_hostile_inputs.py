"""Hostile input from the outside: whole commands against the emulator, each answered with one line and
the right exit code (2 for the user's input, 1 for what the run met), never a traceback or a silent
choice."""

from __future__ import annotations

import errno
import io
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from emulator import Emulator
from publisher.__main__ import main
from tests.e2e.conftest import Run
from tests.e2e.test_stores import EVENT, loopback, manifest, store_arn

__all__ = ["loopback"]  # the fixture that resolves the data API's host, used here by name

ROCKET = "\\ud83d\\ude80"  # how json.dumps writes 🚀: a UTF-16 surrogate pair


def no_traceback(run: Run, code: int) -> None:
    assert "Traceback" not in run.out + run.err, run.err
    assert run.code == code, (run.code, run.out, run.err)


def test_a_duplicate_data_member_in_a_large_json_file_is_refused(
    emu: Emulator, workspace: Path, cli: Callable[..., Run]
) -> None:
    """Over 1 MB the file is read as plain JSON; a second `data` member must not win silently."""
    manifest(workspace, {})
    big = [{"key": f"k{i:05}", "value": "v" * 200} for i in range(5000)]
    text = json.dumps({"data": big})[:-1] + ', "data": []}'
    assert len(text) > 1_048_576
    (workspace / "kvs" / "flags.json").write_text(text)
    emu.reset_counts()
    run = cli("plan")
    no_traceback(run, 2)
    assert "duplicate key `data`" in run.err and "kvs/flags.json" in run.err
    assert sum(emu.counts().values()) == 0


def test_a_duplicate_key_inside_an_entry_of_a_large_json_file_is_refused(
    emu: Emulator, workspace: Path, cli: Callable[..., Run]
) -> None:
    manifest(workspace, {})
    big = [{"key": f"k{i:05}", "value": "v" * 200} for i in range(5000)]
    text = json.dumps({"data": big}).replace('"value": "', '"value": "x", "value": "', 1)
    (workspace / "kvs" / "flags.json").write_text(text)
    run = cli("plan")
    no_traceback(run, 2)
    assert "duplicate key `value`" in run.err


@pytest.mark.parametrize("large", [False, True], ids=["small", "over-1MB"])
def test_an_escaped_surrogate_pair_in_a_data_file_is_the_character_it_spells(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run], large: bool
) -> None:
    manifest(workspace, {}, tests=False)
    entries = [f'{{"key": "rocket", "value": "go {ROCKET}"}}']
    if large:
        entries += [json.dumps({"key": f"k{i:05}", "value": "v" * 200}) for i in range(5000)]
    (workspace / "kvs" / "flags.json").write_text('{"data": [' + ", ".join(entries) + "]}")
    run = cli("publish")
    no_traceback(run, 0)
    assert emu.kvs_keys(store_arn(aws))["rocket"] == "go \U0001f680"


def test_a_lone_surrogate_in_a_data_file_is_refused_with_its_line(
    emu: Emulator, workspace: Path, cli: Callable[..., Run]
) -> None:
    manifest(workspace, {}, tests=False)
    (workspace / "kvs" / "flags.json").write_text('{"data": [\n{"key": "k", "value": "half \\ud83d"}]}')
    run = cli("plan")
    no_traceback(run, 2)
    assert "kvs/flags.json:2" in run.err and "surrogate" in run.err


def test_an_escaped_surrogate_pair_in_an_inline_event_is_the_character_it_spells(
    emu: Emulator, workspace: Path, cli: Callable[..., Run]
) -> None:
    manifest(workspace, {"greeting": "hello"})
    text = (workspace / "cloudfront-functions.yml").read_text()
    inline = EVENT.replace("uri: /", f'uri: "/{ROCKET}"')
    (workspace / "cloudfront-functions.yml").write_text(text.replace(EVENT, inline))
    run = cli("publish", "--json")
    no_traceback(run, 0)
    assert run.json["functions"][0]["tests"][0]["passed"] is True


def test_a_lone_surrogate_in_an_event_file_is_refused(
    emu: Emulator, workspace: Path, cli: Callable[..., Run]
) -> None:
    manifest(workspace, {"greeting": "hello"})
    event = {"version": "1.0", "context": {"eventType": "viewer-request"}, "viewer": {"ip": "1.2.3.4"}}
    event["request"] = {"method": "GET", "uri": "/", "querystring": {}, "headers": {}, "cookies": {}}
    (workspace / "event.json").write_text(json.dumps(event).replace('"/"', '"/\\ud83d"'))
    text = (workspace / "cloudfront-functions.yml").read_text()
    (workspace / "cloudfront-functions.yml").write_text(text.replace(EVENT, "event.json"))
    run = cli("plan")
    no_traceback(run, 2)
    assert "event.json is not JSON" in run.err and "surrogate" in run.err


def test_a_data_file_of_deeply_nested_arrays_over_1mb_is_refused_in_one_line(
    emu: Emulator, workspace: Path, cli: Callable[..., Run]
) -> None:
    manifest(workspace, {})
    (workspace / "kvs" / "flags.json").write_text("[" * 600_000 + "]" * 600_000)
    run = cli("plan")
    no_traceback(run, 2)
    assert "kvs/flags.json" in run.err and "nested too deeply" in run.err


def test_the_action_writes_its_outputs_and_summary_for_a_deeply_nested_data_file(
    emu: Emulator, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest(workspace, {})
    (workspace / "kvs" / "flags.json").write_text("[" * 600_000 + "]" * 600_000)
    output, summary = workspace / "output.txt", workspace / "summary.md"
    for key, value in {
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
        "INPUT_MODE": "plan",
        "AWS_ENDPOINT_URL": emu.url,
    }.items():
        monkeypatch.setenv(key, value)
    code = main([])
    assert code == 2
    assert "nested too deeply" in output.read_text() and summary.read_text()


def test_a_backup_dir_that_is_a_file_is_refused_before_any_call(
    emu: Emulator, workspace: Path, cli: Callable[..., Run]
) -> None:
    manifest(workspace, {"greeting": "hello"}, tests=False)
    (workspace / "taken").write_text("a file, not a folder\n")
    emu.reset_counts()
    run = cli("publish", "--backup-dir", "taken")
    no_traceback(run, 2)
    assert "backup-dir" in run.err and "not a folder" in run.err
    assert sum(emu.counts().values()) == 0


def test_a_full_disk_when_a_store_changes_fails_the_store_and_writes_none_of_its_keys(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest(workspace, {"greeting": "hello"}, tests=False)
    assert cli("publish").code == 0
    manifest(workspace, {"greeting": "bonjour"}, tests=False)
    real = io.open

    def full(path: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        """The disk the backups go to is full: every file opened there for writing."""
        if "cloudfront-backups" in str(path) and ("w" in mode or "a" in mode):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real(path, mode, *args, **kwargs)

    monkeypatch.setattr(io, "open", full)
    emu.reset_counts()
    run = cli("publish", "--json")
    no_traceback(run, 1)
    (store,) = run.json["stores"]
    assert store["status"] == "failed" and "No space left on device" in store["error"]
    assert emu.kvs_keys(store_arn(aws)) == {"greeting": "hello"}  # nothing written without its backup
    assert emu.counts().get("UpdateKeys", 0) == 0


def test_a_yaml_data_file_over_1mb_is_refused_with_the_way_out(
    emu: Emulator, workspace: Path, cli: Callable[..., Run]
) -> None:
    manifest(workspace, {})
    lines = ["data:"] + [f"  - key: k{i:05}\n    value: {'v' * 200}" for i in range(5000)]
    (workspace / "kvs" / "flags.yml").write_text("\n".join(lines) + "\n")
    text = (workspace / "cloudfront-functions.yml").read_text()
    (workspace / "cloudfront-functions.yml").write_text(text.replace("kvs/flags.json", "kvs/flags.yml"))
    emu.reset_counts()
    run = cli("plan")
    no_traceback(run, 2)
    assert "kvs/flags.yml" in run.err and "YAML data file may hold 1,048,576" in run.err
    assert "as JSON" in run.err
    assert sum(emu.counts().values()) == 0
