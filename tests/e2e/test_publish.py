"""The engine's promises, each shown against the emulator and counted there."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from emulator import Emulator
from tests.e2e.conftest import Run, code_of, handler, write_manifest

WRITES = ("CreateFunction", "UpdateFunction", "PublishFunction", "DeleteFunction")


def writes(emu: Emulator) -> int:
    return sum(emu.counts().get(op, 0) for op in WRITES)


def test_publish_creates_and_publishes_then_a_rerun_does_nothing(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    write_manifest(workspace, {"a": handler(), "b": handler("return event.request;/*b*/")})
    first = cli("publish", "--json")
    assert first.code == 0, first.err
    assert sorted(f["status"] for f in first.json["functions"]) == ["published", "published"]
    assert code_of(aws, "b", "LIVE") == handler("return event.request;/*b*/")
    emu.reset_counts()
    second = cli("publish", "--json")
    assert second.code == 0
    assert [f["status"] for f in second.json["functions"]] == ["unchanged", "unchanged"]
    assert writes(emu) == 0
    assert emu.counts().get("TestFunction", 0) == 0


def test_plan_mode_makes_no_write_calls(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    emu.seed_function("a", handler("/*old*/ return event.request;"), publish=True)
    write_manifest(workspace, {"a": handler(), "new": handler()})
    emu.reset_counts()
    run = cli("plan")
    assert run.code == 0, run.err
    assert writes(emu) == 0
    assert emu.counts().get("GetFunction", 0) == 4  # two stages of two functions, nothing more per function
    assert "~ update, publish" in run.out
    assert "+ create, publish" in run.out
    assert "Plan: 1 to create, 1 to update, 2 to publish, 0 unchanged." in run.out
    assert code_of(aws, "a", "LIVE") == handler("/*old*/ return event.request;")


def test_sync_updates_development_only(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    emu.seed_function("a", handler("/*old*/ return event.request;"), publish=True)
    write_manifest(workspace, {"a": handler()})
    run = cli("sync", "--json")
    assert run.json["functions"][0]["status"] == "updated"
    assert code_of(aws, "a", "DEVELOPMENT") == handler()
    assert code_of(aws, "a", "LIVE") == handler("/*old*/ return event.request;")
    assert emu.counts().get("PublishFunction", 0) == 0


def test_a_key_value_store_survives_an_update_that_omits_it(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    store = aws.create_key_value_store(Name="settings")["KeyValueStore"]["ARN"]
    emu.seed_function("a", handler("/*old*/ return event.request;"), kvs_arn=store, publish=True)
    write_manifest(workspace, {"a": handler()})
    assert cli("publish").code == 0
    for stage in ("DEVELOPMENT", "LIVE"):
        config = aws.describe_function(Name="a", Stage=stage)["FunctionSummary"]["FunctionConfig"]
        assert config["KeyValueStoreAssociations"]["Items"] == [{"KeyValueStoreARN": store}]
    assert code_of(aws, "a", "LIVE") == handler()


def test_a_bare_name_publishes_what_development_holds(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    emu.seed_function("a", handler("/*live*/ return event.request;"), publish=True)
    dev_etag = aws.describe_function(Name="a", Stage="DEVELOPMENT")["ETag"]
    aws.update_function(
        Name="a",
        IfMatch=dev_etag,
        FunctionCode=handler("/*dev*/ return event.request;"),
        FunctionConfig={"Comment": "", "Runtime": "cloudfront-js-2.0"},
    )
    write_manifest(workspace, {"a": None})
    run = cli("publish", "--json")
    assert run.json["functions"][0]["status"] == "published"
    assert code_of(aws, "a", "LIVE") == handler("/*dev*/ return event.request;")


def test_a_concurrent_writer_is_never_published_over(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    emu.seed_function("a", handler("/*old*/ return event.request;"), publish=True)
    write_manifest(workspace, {"a": handler()})

    def someone_else(server: Emulator) -> None:
        server.seed_function("a", handler("/*theirs*/ return event.request;"))

    emu.before("PublishFunction", someone_else)
    run = cli("publish", "--json")
    assert run.code == 1
    result = run.json["functions"][0]
    assert result["status"] == "conflict"
    assert "DEVELOPMENT changed after it was read" in result["error"]
    assert result["next_step"]
    assert code_of(aws, "a", "LIVE") == handler("/*old*/ return event.request;")
    assert code_of(aws, "a", "DEVELOPMENT") == handler("/*theirs*/ return event.request;")


def test_a_publish_whose_answer_was_lost_is_reconciled(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    emu.seed_function("a", handler("/*old*/ return event.request;"), publish=True)
    write_manifest(workspace, {"a": handler()})
    emu.inject(operation="PublishFunction", fault="lost-response", times=1)
    run = cli("publish", "--json")
    assert run.code == 0, run.out
    result = run.json["functions"][0]
    assert result["status"] == "published"
    assert "confirmed by re-reading" in result["reason"]
    assert code_of(aws, "a", "LIVE") == handler()


def test_an_update_whose_answer_was_lost_is_reconciled(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    emu.seed_function("a", handler("/*old*/ return event.request;"), publish=True)
    write_manifest(workspace, {"a": handler()})
    emu.inject(operation="UpdateFunction", fault="lost-response", times=1)
    run = cli("publish", "--json")
    assert run.code == 0, run.out
    assert run.json["functions"][0]["status"] == "published"
    assert code_of(aws, "a", "LIVE") == handler()


def test_live_code_is_backed_up_before_it_is_replaced(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    emu.seed_function("a", handler("/*old*/ return event.request;"), comment="was live", publish=True)
    write_manifest(workspace, {"a": handler()})
    result = cli("publish", "--json").json
    backup = workspace / result["functions"][0]["backup"]
    assert backup.read_bytes() == handler("/*old*/ return event.request;")
    assert '"Comment": "was live"' in backup.with_suffix(".json").read_text()
    assert result["backup_dir"]


def test_one_failure_does_not_stop_the_others(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    write_manifest(workspace, {"good": handler(), "ghost": None})
    run = cli("publish", "--json")
    assert run.code == 1
    by_name = {f["name"]: f for f in run.json["functions"]}
    assert by_name["good"]["status"] == "published"
    assert by_name["ghost"]["status"] == "failed"
    assert "no code" in by_name["ghost"]["error"]


def test_distributions_and_cache_behaviours_that_run_a_function_are_found(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    emu.seed_function("a", handler("/*old*/ return event.request;"), publish=True)
    arn = aws.describe_function(Name="a", Stage="LIVE")["FunctionSummary"]["FunctionMetadata"]["FunctionARN"]
    one = emu.seed_distribution(default_function_arns=[(arn, "viewer-request")])
    two = emu.seed_distribution(behaviours=[("/api/*", [(arn, "viewer-response")]), ("/img/*", [])])
    emu.seed_distribution()  # runs nothing of ours
    tenant = emu.seed_distribution(
        default_function_arns=[(arn, "viewer-request")], connection_mode="tenant-only"
    )
    write_manifest(workspace, {"a": handler()})
    result = cli("publish", "--json", "--summary", "summary.md").json
    assert one in (workspace / "summary.md").read_text()
    used = {u["distribution"]: u["behaviours"] for u in result["functions"][0]["used_by"]}
    assert set(used) == {one, two, tenant}
    assert used[one] == [{"path_pattern": None, "event_type": "viewer-request"}]
    assert used[two] == [{"path_pattern": "/api/*", "event_type": "viewer-response"}]
    assert sorted(d["id"] for d in result["distributions"]) == sorted([one, two, tenant])
    assert {d["status"] for d in result["distributions"]} == {"InProgress"}  # the publish redeploys them


def test_bad_input_exits_2_and_makes_no_call(emu: Emulator, workspace: Path, cli: Callable[..., Run]) -> None:
    (workspace / "cloudfront-functions.yml").write_text("functions:\n  - name: a\n    code: missing.js\n")
    emu.reset_counts()
    run = cli("publish")
    assert run.code == 2
    assert "cloudfront-functions.yml:3: a.code: `missing.js` does not exist" in run.err
    assert sum(emu.counts().values()) == 0


def test_functions_restricts_the_run(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    write_manifest(workspace, {"a": handler(), "b": handler()})
    run = cli("publish", "--functions", "b", "--json")
    assert [f["name"] for f in run.json["functions"]] == ["b"]
    assert cli("publish", "--functions", "zzz").code == 2


def test_the_command_line_saves_backups_wherever_it_is_pointed(
    emu: Emulator, workspace: Path, cli: Callable[..., Run]
) -> None:
    emu.seed_function("a", handler("/*old*/ return event.request;"), publish=True)
    (workspace / "repo").mkdir()
    write_manifest(workspace / "repo", {"a": handler()})
    os.chdir(workspace / "repo")
    elsewhere = workspace / "elsewhere"
    run = cli("publish", "--backup-dir", str(elsewhere), "--json")
    assert run.code == 0, run.err
    (saved,) = elsewhere.glob("*/a.LIVE.*.js")
    assert b"/*old*/" in saved.read_bytes()
    assert run.json["backup_dir"] == str(saved.parent)  # this run's own stamped folder
