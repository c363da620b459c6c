"""One plan, one result, from the outside: a KeyValueStore counts like a function in every total and
output, its failures reach its functions with their own reason, a second writer's keys are theirs, a
partial write is reported as what it is, and a failed wait never hides what the publish did."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from contextlib import redirect_stdout
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from emulator import Emulator
from publisher.action import main as action_main
from publisher.shell import engine
from tests.e2e.conftest import Run, code_of, handler, write_manifest
from tests.e2e.test_action_run import outputs
from tests.e2e.test_stores import loopback, manifest, store_arn

__all__ = ["loopback"]  # the fixture that lets the data API's host name resolve here


def test_a_plan_that_changes_only_keys_has_changes_everywhere(
    emu: Emulator, workspace: Path, cli: Callable[..., Run]
) -> None:
    manifest(workspace, {"greeting": "hello"}, tests=False)
    assert cli("publish").code == 0
    manifest(workspace, {"greeting": "bonjour"}, tests=False)
    planned = cli("plan", "--json")
    assert planned.code == 0, planned.err
    assert planned.json["has_changes"] is True
    assert [f["status"] for f in planned.json["functions"]] == ["unchanged"]
    assert cli("plan", "--detailed-exitcode").code == 3
    console = cli("plan")
    assert "KeyValueStores: 1 to update-keys" in console.out, console.out


def test_a_store_refused_by_aws_holds_its_functions_back_with_the_stores_reason(
    emu: Emulator, workspace: Path, cli: Callable[..., Run]
) -> None:
    manifest(workspace, {"greeting": "hello"})
    assert cli("publish").code == 0
    manifest(workspace, {"greeting": "bonjour"})
    (workspace / "ab-route.js").write_bytes((workspace / "ab-route.js").read_bytes() + b"// v2\n")
    emu.inject("UpdateKeys", "denied", times=10)
    emu.reset_counts()
    run = cli("publish", "--json")
    assert run.code == 1, run.out
    (store,) = run.json["stores"]
    assert store["status"] == "failed" and store["done"] == []
    assert run.json["stores_failed"] == ["flags"]
    (function,) = run.json["functions"]
    assert function["status"] == "blocked"
    assert "KeyValueStore `flags` failed" in function["error"]
    assert "Someone else" not in function["error"] + function["next_step"]
    assert "KeyValueStore `flags`" in function["next_step"]
    assert emu.counts().get("UpdateFunction", 0) == 0 and emu.counts().get("PublishFunction", 0) == 0


def test_a_409_keeps_keys_someone_else_changed_and_names_them(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    manifest(workspace, {"a": "1", "b": "1", "c": "1"}, tests=False)
    assert cli("publish").code == 0
    arn = store_arn(aws)
    manifest(workspace, {"a": "2", "b": "1", "c": "1"}, tests=False)
    theirs = {"a": "1", "b": "1", "c": "theirs", "theirs": "added"}  # the whole store as they left it
    emu.before("UpdateKeys", lambda server: server.seed_kvs_data(arn, theirs))
    run = cli("publish", "--json")
    assert run.code == 0, run.out
    assert emu.kvs_keys(arn) == {"a": "2", "b": "1", "c": "theirs", "theirs": "added"}
    (store,) = run.json["stores"]
    assert store["status"] == "updated"
    assert store["theirs"] == ["c", "theirs"]
    assert "someone else changed `c`, `theirs` during this run" in store["reason"]
    assert [k["key"] for k in store["changed"]] == ["a"]  # what this run wrote, and nothing else
    backup = json.loads((workspace / store["backup"]).read_text())
    assert [k["key"] for k in backup["Keys"]] == ["a"] and backup["Added"] == []


def test_a_write_that_stops_part_way_reports_what_took_effect(
    emu: Emulator, aws: Any, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", emu.url)
    data = {f"key-{i:03d}": "v1" for i in range(120)}
    manifest(workspace, data, tests=False)
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_OUTPUT": str(workspace / "out"),
        "GITHUB_STEP_SUMMARY": str(workspace / "summary.md"),
        "INPUT_MODE": "publish",
    }
    with redirect_stdout(io.StringIO()):
        assert action_main(env) == 0
    arn = store_arn(aws)
    manifest(workspace, dict.fromkeys(data, "v2"), tests=False)
    emu.before("UpdateKeys", lambda _: None)
    emu.before("UpdateKeys", lambda server: server.inject("UpdateKeys", "denied", times=10))
    (workspace / "out").unlink()
    log = io.StringIO()
    with redirect_stdout(log):
        assert action_main(env) == 1
    assert sum(v == "v2" for v in emu.kvs_keys(arn).values()) == 100
    out = outputs(workspace / "out")
    assert json.loads(out["stores-changed"]) == ["flags"] and out["has-changes"] == "true"
    assert out["backup-dir"]
    (store,) = json.loads(out["result"])["stores"]
    assert store["status"] == "failed" and store["done"] == ["update-keys"] and store["backup"]
    assert "100 of 120 key changes took effect" in store["reason"]
    text = log.getvalue()
    assert "store flags" in text  # the Action's log says what happened to the store
    assert any(line.startswith("::error") and "::KeyValueStore flags: " in line for line in text.splitlines())
    assert "Nothing was written" not in (workspace / "summary.md").read_text()


def test_a_failed_wait_keeps_the_publish_in_the_report(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    arn = emu.seed_function("a", handler("/*v1*/ return event.request;"), comment="a", publish=True)
    emu.seed_distribution(default_function_arns=[(arn, "viewer-request")])
    write_manifest(workspace, {"a": handler()})
    emu.inject("GetDistribution", "denied", times=50)
    run = cli("publish", "--wait", "--json", "--summary", "s.md")
    assert run.code == 1, run.out
    assert code_of(aws, "a", "LIVE") == handler()
    assert run.json["published"] == ["a"] and run.json["functions"][0]["status"] == "published"
    assert run.json["fatal"] is None and run.json["backup_dir"]
    assert run.json["wait"]["error"] and "AccessDenied" in run.json["wait"]["error"]
    assert "Nothing was written" not in (workspace / "s.md").read_text()


def _next_minute() -> datetime:
    return datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)


def test_the_guard_judges_only_what_the_new_code_served(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The old code's errors, in the minute before the new code is deployed, are not the new code's;
    the deploy is put on the next whole minute so the window opens at once."""
    old, new = handler("/*v1*/ return event.request;"), handler()
    write_manifest(workspace, {"a": old})
    assert cli("publish").code == 0
    write_manifest(workspace, {"a": new})
    deployed = _next_minute()
    monkeypatch.setattr(engine, "utcnow", lambda: deployed)
    emu.record_function_metrics(
        "a", invocations=100, execution_errors=50, at=deployed - timedelta(seconds=30)
    )
    run = cli("publish", "--watch-minutes", "0.02", "--max-error-rate", "1", "--json")
    assert run.code == 0, run.out + run.err
    assert code_of(aws, "a", "LIVE") == new  # not rolled back to the old code for the old code's errors
    guard = run.json["guard"]
    assert guard["functions"][0]["verdict"] == "not judged"
    assert guard["window_start"].startswith(deployed.strftime("%Y-%m-%dT%H:%M"))

    emu.record_function_metrics("a", invocations=100, execution_errors=50, at=deployed)
    write_manifest(workspace, {"a": handler("/*v3*/ return event.request;")})
    again = cli("publish", "--watch-minutes", "0.02", "--max-error-rate", "1", "--json")
    assert again.code == 1
    assert again.json["functions"][0]["status"] == "rolled back"  # the new code's errors are judged


def test_a_preview_says_what_it_cannot_show_of_a_store(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    manifest(workspace, {"greeting": "hello"})  # the store does not exist yet
    emu.reset_counts()
    run = cli("preview", "--json")
    assert run.code == 0, run.out + run.err
    (function,) = run.json["functions"]
    assert function["status"] == "planned" and function["tests"] == []
    assert "does not exist until a publish creates it" in function["reason"]
    assert emu.counts().get("CreateFunction", 0) == 0  # no copy naming a store that is not there
    assert emu.counts().get("CreateKeyValueStore", 0) == 0

    assert cli("publish").code == 0
    manifest(workspace, {"greeting": "bonjour"})
    (workspace / "ab-route.js").write_bytes((workspace / "ab-route.js").read_bytes() + b"// v2\n")
    run = cli("preview", "--json")
    assert run.code == 0, run.out + run.err
    (function,) = run.json["functions"]
    assert [t["passed"] for t in function["tests"]] == [True]
    assert "tested against the keys KeyValueStore `flags` holds now: its 1 key change" in function["reason"]
    assert emu.kvs_keys(store_arn(aws)) == {"greeting": "hello"}  # a preview writes no key
