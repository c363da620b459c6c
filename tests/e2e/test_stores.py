"""KeyValueStore data as code, from the outside: whole commands against the emulator over HTTP.

botocore sends the data API to `<account id>.<endpoint host>` (the service's endpoint rules), here
`123456789012.127.0.0.1`, a name no resolver knows. The `loopback` fixture makes names ending in
`.127.0.0.1` resolve to 127.0.0.1 for the test process, so the real client, signer and endpoint rules
run unchanged and only name resolution is bent.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from emulator import Emulator
from tests.e2e.conftest import FAKE, Run, code_of

DATA_WRITES = ("UpdateKeys", "PutKey", "DeleteKey", "CreateKeyValueStore")
WRITES = (*DATA_WRITES, "CreateFunction", "UpdateFunction", "PublishFunction")
READER = b"""import cf from 'cloudfront';
const kvs = cf.kvs();
async function handler(event) {
  const greeting = await kvs.get('greeting');
  event.request.headers['x-greeting'] = { value: greeting };
  return event.request;
}
"""
EVENT = (
    "{version: '1.0', context: {eventType: viewer-request}, viewer: {ip: 1.2.3.4},"
    " request: {method: GET, uri: /, querystring: {}, headers: {}, cookies: {}}}"
)


@pytest.fixture(autouse=True)
def loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    real = socket.getaddrinfo

    def resolve(host: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, str) and host.endswith(".127.0.0.1"):
            host = "127.0.0.1"
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)


def writes(emu: Emulator, ops: tuple[str, ...] = WRITES) -> int:
    return sum(emu.counts().get(op, 0) for op in ops)


def manifest(root: Path, data: dict[str, str] | None, *, sensitive: bool = False, tests: bool = True) -> None:
    if data is not None:
        (root / "kvs").mkdir(exist_ok=True)
        entries = [{"key": k, "value": v} for k, v in data.items()]
        (root / "kvs" / "flags.json").write_text(json.dumps({"data": entries}))
    (root / "ab-route.js").write_bytes(READER)
    test = f"    tests:\n      - name: reads-greeting\n        event: {EVENT}\n" if tests else ""
    (root / "cloudfront-functions.yml").write_text(
        "key-value-stores:\n  - name: flags\n    comment: Feature flags\n"
        + ("    data: kvs/flags.json\n" if data is not None else "")
        + f"    sensitive: {'true' if sensitive else 'false'}\n"
        "functions:\n  - name: ab-route\n    code: ab-route.js\n    key-value-store: flags\n" + test
    )


def store_arn(aws: Any, name: str = "flags") -> str:
    return str(aws.describe_key_value_store(Name=name)["KeyValueStore"]["ARN"])


def test_a_store_is_created_and_filled_from_its_file_before_the_function_that_reads_it_is_tested(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    manifest(workspace, {"greeting": "hello", "beta": "on"})
    run = cli("publish", "--json")
    assert run.code == 0, run.out + run.err
    arn = store_arn(aws)
    assert emu.kvs_keys(arn) == {"greeting": "hello", "beta": "on"}
    (store,) = run.json["stores"]
    assert store["status"] == "created" and store["done"] == ["create", "update-keys"]
    assert sorted(k["key"] for k in store["added"]) == ["beta", "greeting"]
    (function,) = run.json["functions"]
    assert function["status"] == "published"
    assert [t["passed"] for t in function["tests"]] == [True]  # the key landed before the test ran
    assert b"kvs.get('greeting')" in code_of(aws, "ab-route", "LIVE")


def test_a_function_test_fails_when_its_key_is_missing(
    emu: Emulator, workspace: Path, cli: Callable[..., Run]
) -> None:
    """The other side of the test above: without the key, the same gate blocks the publish."""
    manifest(workspace, {"other": "x"})
    run = cli("publish", "--json")
    assert run.code == 1
    assert run.json["functions"][0]["status"] == "blocked"


def test_a_key_changed_and_one_removed_and_the_old_values_backed_up(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    manifest(workspace, {"greeting": "hello", "beta": "on", "gone": "soon"})
    assert cli("publish").code == 0
    manifest(workspace, {"greeting": "bonjour", "beta": "on"})
    run = cli("sync", "--json")
    assert run.code == 0, run.out
    assert emu.kvs_keys(store_arn(aws)) == {"greeting": "bonjour", "beta": "on"}
    (store,) = run.json["stores"]
    assert store["status"] == "updated"
    assert store["changed"] == [{"key": "greeting", "old": "hello", "new": "bonjour"}]
    assert store["deleted"] == [{"key": "gone", "old": "soon", "new": None}]
    saved = json.loads((workspace / store["backup"]).read_text())
    assert saved["ETag"] == store["etag"][0] and saved["Name"] == "flags"
    assert {k["key"]: k["value"] for k in saved["Keys"]} == {"greeting": "hello", "gone": "soon"}
    assert store["backup"].endswith(f"flags.KVS.{store['etag'][0]}.json")


def test_plan_shows_the_keys_and_writes_nothing(
    emu: Emulator, workspace: Path, cli: Callable[..., Run]
) -> None:
    manifest(workspace, {"greeting": "hello"})
    emu.reset_counts()
    run = cli("plan", "--json")
    assert run.code == 0, run.out + run.err
    assert writes(emu) == 0
    (store,) = run.json["stores"]
    assert store["status"] == "planned" and store["actions"] == ["create", "update-keys"]
    assert store["added"] == [{"key": "greeting", "old": None, "new": "hello"}]
    console = cli("plan")
    assert "flags" in console.out and "+ greeting = hello" in console.out


def test_a_rerun_makes_no_write(emu: Emulator, workspace: Path, cli: Callable[..., Run]) -> None:
    manifest(workspace, {"greeting": "hello", "beta": "on"})
    assert cli("publish").code == 0
    emu.reset_counts()
    run = cli("publish", "--json")
    assert run.code == 0
    assert writes(emu) == 0, emu.counts()
    assert run.json["stores"][0]["status"] == "unchanged"


def test_someone_elses_change_to_a_key_this_run_writes_is_a_conflict_and_nothing_is_published(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    manifest(workspace, {"greeting": "hello"})
    assert cli("publish").code == 0
    arn = store_arn(aws)
    manifest(workspace, {"greeting": "bonjour"})
    (workspace / "ab-route.js").write_bytes(READER.replace(b"x-greeting", b"x-hello"))
    emu.before("UpdateKeys", lambda server: server.seed_kvs_data(arn, {"greeting": "theirs"}))
    emu.reset_counts()
    run = cli("publish", "--json")
    assert run.code == 1, run.out
    (store,) = run.json["stores"]
    assert store["status"] == "conflict" and "`greeting`" in store["error"]
    assert emu.kvs_keys(arn) == {"greeting": "theirs"}  # theirs is kept
    (function,) = run.json["functions"]
    assert function["status"] == "blocked"  # held back by its store: the function met no one else's change
    assert "KeyValueStore `flags` conflict" in function["error"]
    assert emu.counts().get("PublishFunction", 0) == 0
    assert emu.counts().get("UpdateFunction", 0) == 0


def test_a_concurrent_change_to_another_key_is_kept_and_the_runs_own_key_written(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    manifest(workspace, {"greeting": "hello", "beta": "on"})
    assert cli("publish").code == 0
    arn = store_arn(aws)
    manifest(workspace, {"greeting": "bonjour", "beta": "on"})
    emu.before("UpdateKeys", lambda server: server.seed_kvs_data(arn, {"greeting": "hello", "beta": "off"}))
    emu.reset_counts()
    run = cli("publish", "--json")
    assert run.code == 0, run.out
    assert emu.kvs_keys(arn) == {"greeting": "bonjour", "beta": "off"}  # theirs, until a reviewed run
    assert run.json["stores"][0]["theirs"] == ["beta"]
    assert emu.counts().get("UpdateKeys", 0) == 2  # the 409, then the write on the fresh ETag


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([{"key": "k" * 513, "value": "v"}], "the limit is 512"),
        ([{"key": "k", "value": "v" * 1025}], "the limit is 1,024"),
        ([{"key": "k", "value": "a"}, {"key": "k", "value": "b"}], "listed twice"),
        ([{"key": f"k{i:04}", "value": "v" * 1024} for i in range(5200)], "a store holds at most"),
    ],
    ids=["key-size", "value-size", "duplicate", "store-size"],
)
def test_limits_and_duplicates_are_refused_with_no_call(
    emu: Emulator, workspace: Path, cli: Callable[..., Run], entries: list[dict[str, str]], message: str
) -> None:
    manifest(workspace, {})
    (workspace / "kvs" / "flags.json").write_text(json.dumps({"data": entries}, indent=1))
    emu.reset_counts()
    run = cli("publish")
    assert run.code == 2, run.out + run.err
    assert message in run.err and "kvs/flags.json" in run.err
    assert sum(emu.counts().values()) == 0


def test_a_store_for_a_1_0_function_and_a_data_path_outside_the_workspace_are_refused(
    emu: Emulator, workspace: Path, cli: Callable[..., Run]
) -> None:
    manifest(workspace, {"greeting": "hello"})
    text = (workspace / "cloudfront-functions.yml").read_text()
    text = text.replace("data: kvs/flags.json", "data: ../flags.json")
    text = text.replace("key-value-store: flags", "key-value-store: flags\n    runtime: cloudfront-js-1.0")
    (workspace / "cloudfront-functions.yml").write_text(text)
    emu.reset_counts()
    run = cli("publish")
    assert run.code == 2
    assert "leads out of the workspace" in run.err and "cloudfront-js-2.0" in run.err
    assert sum(emu.counts().values()) == 0


def test_a_sensitive_value_is_in_no_file_the_run_wrote(
    emu: Emulator, workspace: Path, cli: Callable[..., Run], tmp_path_factory: pytest.TempPathFactory
) -> None:
    secret, old = "s3cr3t-token-value", "0ld-s3cr3t-value"
    manifest(workspace, {"greeting": old, "token": old}, sensitive=True, tests=False)
    assert cli("publish").code == 0
    manifest(workspace, {"greeting": secret, "token2": secret}, sensitive=True, tests=False)
    logs = tmp_path_factory.mktemp("logs")
    handler = logging.FileHandler(logs / "botocore.log")
    sdk = logging.getLogger("botocore")
    sdk.addHandler(handler)
    level = sdk.level
    sdk.setLevel(logging.DEBUG)
    try:
        run = cli("publish", "--json", "--summary", "summary.md")
    finally:
        sdk.removeHandler(handler)
        sdk.setLevel(level)  # as it was: a later test may read the SDK's log through the root logger
        handler.close()
    assert run.code == 0, run.out
    assert "UpdateKeys" in (logs / "botocore.log").read_text()  # the debug log did see the calls
    inputs = {
        workspace / "kvs" / "flags.json",
        workspace / "ab-route.js",
        workspace / "cloudfront-functions.yml",
    }
    written = [p for p in [*workspace.rglob("*"), *logs.rglob("*")] if p.is_file() and p not in inputs]
    texts = {str(p): p.read_text(errors="replace") for p in written}
    texts |= {"stdout": run.out, "stderr": run.err}
    assert any("backup" in name for name in texts), texts.keys()
    for name, text in texts.items():
        for value in (secret, old):
            assert value not in text, f"{value} in {name}"
    assert (workspace / "summary.md").is_file()


def test_rollback_restores_a_deleted_key_and_removes_an_added_one_then_writes_nothing_again(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    manifest(workspace, {"greeting": "hello", "gone": "soon"}, tests=False)
    assert cli("publish").code == 0
    manifest(workspace, {"greeting": "bonjour", "fresh": "new"}, tests=False)
    assert cli("publish").code == 0
    arn = store_arn(aws)
    assert emu.kvs_keys(arn) == {"greeting": "bonjour", "fresh": "new"}
    saved = sorted((workspace / "cloudfront-backups").glob("*/flags.KVS.*.json"))[-1]  # the newest run's
    assert json.loads(saved.read_text())["Added"] == ["fresh"]

    dry = cli("rollback", "--from", "cloudfront-backups", "--dry-run", "--json")
    assert dry.code == 0 and emu.kvs_keys(arn) == {"greeting": "bonjour", "fresh": "new"}
    (planned,) = dry.json["stores"]
    assert planned["status"] == "planned" and [k["key"] for k in planned["deleted"]] == ["fresh"]

    run = cli("rollback", "--from", "cloudfront-backups", "--json")
    assert run.code == 0, run.out + run.err
    assert emu.kvs_keys(arn) == {"greeting": "hello", "gone": "soon"}
    (store,) = run.json["stores"]
    assert store["status"] == "updated" and "restore from cloudfront-backups/" in store["reason"]

    emu.reset_counts()
    again = cli("rollback", "--from", "cloudfront-backups", "--json")
    assert again.code == 0, again.out
    assert writes(emu) == 0  # the rollback's own backup of the keys it replaced is passed over


def test_rollback_never_creates_a_store_deleted_since_and_reports_it_failed(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    """Re-created, it would hold only the backed-up keys under a new ARN no function is tied to."""
    manifest(workspace, {"greeting": "hello"}, tests=False)
    assert cli("publish").code == 0
    manifest(workspace, {"greeting": "bonjour"}, tests=False)
    assert cli("publish").code == 0
    etag = aws.describe_key_value_store(Name="flags")["ETag"]
    aws.delete_key_value_store(Name="flags", IfMatch=etag)
    emu.reset_counts()
    dry = cli("rollback", "--from", "cloudfront-backups", "--dry-run", "--json")
    (planned,) = dry.json["stores"]
    assert planned["status"] == "failed" and planned["actions"] == [], planned
    run = cli("rollback", "--from", "cloudfront-backups", "--json")
    assert run.code == 1, run.out + run.err
    (store,) = run.json["stores"]
    assert store["status"] == "failed" and store["done"] == [], store
    assert "no longer exists" in store["error"] and "does not create" in store["error"]
    assert writes(emu, DATA_WRITES) == 0
    assert aws.list_key_value_stores()["KeyValueStoreList"].get("Items", []) == []


def test_more_keys_than_one_update_takes_are_written_in_batches_and_listed_in_pages(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    data = {f"key-{i:03d}": f"value {i}" for i in range(120)}
    manifest(workspace, data, tests=False)
    run = cli("publish", "--json")
    assert run.code == 0, run.out + run.err
    assert emu.kvs_keys(store_arn(aws)) == data
    assert emu.counts().get("UpdateKeys") == 3  # 50 + 50 + 20
    emu.reset_counts()
    assert cli("publish").code == 0
    assert writes(emu) == 0 and emu.counts().get("ListKeys", 0) >= 3  # read back page by page


def test_a_publish_started_as_its_own_process_signs_the_store_writes_with_sigv4a(
    emu: Emulator, workspace: Path
) -> None:
    """The process decides from the manifest whether to load the AWS CRT (shell/aws.py: `load_sdk`):
    a manifest with a store must get it, or the data API's SigV4A cannot be signed. In-process runs
    cannot show this (botocore is loaded before them), so this one is a process of its own."""
    manifest(workspace, {"greeting": "hello"})
    proc = subprocess.run(
        [sys.executable, "-m", "emulator.loopback", "publish", "--json", "--endpoint-url", emu.url],
        cwd=workspace,
        env={**os.environ, **FAKE, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        capture_output=True,
        check=False,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (store,) = json.loads(proc.stdout)["stores"]
    assert store["done"] == ["create", "update-keys"]
    assert emu.kvs_keys(store["arn"]) == {"greeting": "hello"}
