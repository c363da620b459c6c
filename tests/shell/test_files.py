"""The file system side: setting paths confined (the Action) or not (the command line), and backups."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from publisher.core.errors import InputError
from publisher.core.model import FunctionConfig, StageState
from publisher.shell.files import BackupFolder, Workspace


def test_a_setting_path_outside_the_workspace_is_refused_only_when_confined(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "ws").mkdir()
    monkeypatch.chdir(tmp_path / "ws")
    ws = Workspace(tmp_path / "ws")
    assert ws.setting_path("../out", "backup-dir", "command line", confined=False) == tmp_path / "out"
    assert (
        ws.setting_path(str(tmp_path / "ws" / "in"), "backup-dir", "inputs", confined=True)
        == tmp_path / "ws/in"
    )
    with pytest.raises(InputError) as err:
        ws.setting_path("../out", "backup-dir", "action inputs", confined=True)
    (problem,) = err.value.problems
    assert (
        not problem.in_file and problem.field == "backup-dir" and "outside the workspace" in problem.message
    )


def test_a_backup_is_written_whole_and_a_discarded_one_leaves_nothing(tmp_path: Path) -> None:
    folder = BackupFolder(tmp_path / "b" / "run", "b/run")
    live = StageState("E/1", b"old code", FunctionConfig("c", "cloudfront-js-1.0", ("arn:kvs",)), "arn:fn")
    shown = folder.save("fn", live)
    assert shown == "b/run/fn.LIVE.E_1.js"
    assert (tmp_path / shown).read_bytes() == b"old code"
    assert '"KeyValueStoreARNs": [\n    "arn:kvs"\n  ]' in (tmp_path / "b/run/fn.LIVE.E_1.json").read_text()
    folder.discard(shown)
    assert not (tmp_path / "b" / "run").exists() and os.listdir(tmp_path / "b") == []
