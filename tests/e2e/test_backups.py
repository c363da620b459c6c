"""A backup folder as bad input, from the outside: `rollback` reads every file a publish left (or someone
put there) and refuses what it cannot trust with one line naming the file, before any call that writes.
Over HTTP against the emulator, with real boto3."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from emulator import Emulator
from tests.e2e.conftest import FAKE, Run, code_of, handler, write_manifest
from tests.e2e.test_trust import writes

V1, V2, V3 = handler("/*v1*/"), handler("/*v2*/"), handler("/*v3*/")
BACKUPS = "cloudfront-backups"


def publish(
    workspace: Path, cli: Callable[..., Run], *versions: bytes, names: tuple[str, ...] = ("a",)
) -> None:
    for code in versions:
        write_manifest(workspace, dict.fromkeys(names, code))
        assert cli("publish").code == 0


def saved(workspace: Path, function: str = "a") -> Path:
    """The `.json` of the newest backup of `function`."""
    return sorted((workspace / BACKUPS).glob(f"*/{function}.LIVE.*.json"))[-1]


def refused(run: Run) -> str:
    """The one line of a refusal: exit 2, no traceback, the problems in `fatal`."""
    assert run.code == 2, run.out + run.err
    assert "Traceback" not in run.err
    return "\n".join(run.json["fatal"]["problems"])


def test_a_backup_over_the_code_limit_is_named_for_its_size(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    publish(workspace, cli, V1, V2)
    code = saved(workspace).with_suffix(".js")
    code.write_bytes(b"//" + b"x" * 10_239)
    emu.reset_counts()
    problems = refused(cli("rollback", "--from", BACKUPS, "--json"))
    assert "10,241 bytes" in problems and "10,240" in problems, problems
    assert "missing or empty" not in problems and code.name in problems
    assert writes(emu) == 0 and code_of(aws, "a", "LIVE") == V2


def test_a_backup_whose_code_is_a_fifo_is_refused_at_once(emu: Emulator, aws: Any, workspace: Path) -> None:
    """As a whole process: a read that blocked on the FIFO would never end."""
    env = {**os.environ, **FAKE, "PYTHONPATH": str(Path(__file__).parents[2])}
    for code in (V1, V2):
        write_manifest(workspace, {"a": code})
        done = subprocess.run(
            [sys.executable, "-m", "publisher", "publish", "--endpoint-url", emu.url],
            cwd=workspace,
            env=env,
            capture_output=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
    code_file = saved(workspace).with_suffix(".js")
    code_file.unlink()
    os.mkfifo(code_file)
    emu.reset_counts()
    run = subprocess.run(
        [sys.executable, "-m", "publisher", "rollback", "--from", BACKUPS, "--endpoint-url", emu.url],
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 2, run.stderr
    assert "not a regular file" in run.stderr and "missing or empty" not in run.stderr
    assert "Traceback" not in run.stderr
    assert writes(emu) == 0 and code_of(aws, "a", "LIVE") == V2


def test_a_store_backup_holding_another_stores_name_is_refused(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    publish(workspace, cli, V1, V2)
    other = {"Name": "other", "KvsARN": "arn:aws:cloudfront::123456789012:key-value-store/o", "ETag": "K1"}
    (saved(workspace).parent / "flags.KVS.K1.json").write_text(json.dumps(other | {"Keys": [], "Added": []}))
    emu.reset_counts()
    problems = refused(cli("rollback", "--from", BACKUPS, "--json"))
    assert "flags.KVS.K1.json" in problems and "names store other" in problems, problems
    assert writes(emu) == 0 and code_of(aws, "a", "LIVE") == V2


def test_a_loose_backup_at_the_top_of_the_folder_does_not_beat_a_newer_run(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    """v1 → v2 → v3: the newest run's backup holds v2. A copy of v1's backup at the top of the folder
    (no run's stamp: nothing says when it was saved) must not win over it."""
    publish(workspace, cli, V1, V2, V3)
    oldest = sorted((workspace / BACKUPS).glob("*/a.LIVE.*.json"))[0]
    for suffix in (".json", ".js"):
        shutil.copy(oldest.with_suffix(suffix), workspace / BACKUPS / oldest.with_suffix(suffix).name)
    assert (workspace / BACKUPS / oldest.with_suffix(".js").name).read_bytes() == V1
    run = cli("rollback", "--from", BACKUPS, "--json")
    assert run.code == 0, run.out + run.err
    assert code_of(aws, "a", "LIVE") == V2


def sensitive_store_backup(
    folder: Path, arn: str = "arn:aws:cloudfront::123456789012:key-value-store/s"
) -> None:
    secret = {"Name": "secrets", "KvsARN": arn, "ETag": "K1", "Sensitive": True}
    hashed = [{"key": "token", "value": "sha256:0123456789ab"}]
    (folder / "secrets.KVS.K1.json").write_text(json.dumps(secret | {"Keys": hashed, "Added": []}))


def test_a_sensitive_store_backup_refuses_only_a_rollback_that_would_restore_it(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    publish(workspace, cli, V1, V2)
    sensitive_store_backup(saved(workspace).parent)
    emu.reset_counts()
    problems = refused(cli("rollback", "--from", BACKUPS, "--json"))  # every backup: the store too
    assert "secrets" in problems and "hashes, not values" in problems, problems
    assert writes(emu) == 0
    run = cli("rollback", "--from", BACKUPS, "--functions", "a", "--json")  # `a` reads no store
    assert run.code == 0, run.out + run.err
    assert [f["name"] for f in run.json["functions"]] == ["a"] and run.json["stores"] == []
    assert code_of(aws, "a", "LIVE") == V1


def test_a_backup_the_runtime_it_names_cannot_run_is_refused_before_any_write(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    """`const` under runtime 1.0, and a runtime CloudFront does not have: nothing restored at all."""
    publish(workspace, cli, handler("const x = 1; return event.request;"), V2, names=("a", "b"))
    backup = saved(workspace, "a")
    backup.write_text(json.dumps(json.loads(backup.read_text()) | {"Runtime": "cloudfront-js-1.0"}))
    emu.reset_counts()
    problems = refused(cli("rollback", "--from", BACKUPS, "--json"))
    assert f"{backup.with_suffix('.js').name}:1" in problems and "const" in problems, problems
    assert writes(emu) == 0 and code_of(aws, "b", "LIVE") == V2

    backup.write_text(json.dumps(json.loads(backup.read_text()) | {"Runtime": "cloudfront-js-3.0"}))
    problems = refused(cli("rollback", "--from", BACKUPS, "--json"))
    assert backup.name in problems and "Runtime" in problems, problems
    assert writes(emu) == 0 and code_of(aws, "a", "LIVE") == V2 and code_of(aws, "b", "LIVE") == V2
