"""Issue "never publish what nobody reviewed", from the outside: each promise over HTTP against the
emulator, with a second writer at the worst moment, and the Action's and the command line's own output."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Callable
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import pytest

from emulator import Emulator
from publisher.action import main as action_main
from publisher.core.model import FunctionConfig, Stage
from publisher.core.modes import Kind
from publisher.core.port import FunctionSummary
from publisher.core.throwaway import marked
from publisher.shell.aws import AwsCloudFront
from tests.e2e.conftest import Run, code_of, handler, write_manifest
from tests.e2e.test_action_run import outputs

WRITES = ("CreateFunction", "UpdateFunction", "PublishFunction", "DeleteFunction")


def writes(emu: Emulator) -> int:
    return sum(emu.counts().get(op, 0) for op in WRITES)


def action_env(workspace: Path, emu: Emulator, **inputs: str) -> dict[str, str]:
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_OUTPUT": str(workspace / "out"),
        "GITHUB_STEP_SUMMARY": str(workspace / "summary.md"),
        "GITHUB_SHA": "0123456789ab",
    }
    env |= {f"INPUT_{k.upper().replace('_', '-')}": v for k, v in inputs.items()}
    return env


def run_action(env: dict[str, str], monkeypatch: pytest.MonkeyPatch, emu: Emulator) -> tuple[int, str]:
    monkeypatch.setenv("AWS_ENDPOINT_URL", emu.url)
    log = io.StringIO()
    with redirect_stdout(log):
        code = action_main(env)
    return code, log.getvalue()


def test_a_config_change_between_the_two_reads_is_never_published(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    """ListFunctions sees the old config; GetFunction the new code and ETag: nothing may go LIVE."""
    emu.seed_function("legacy", handler("/*v1*/"), runtime="cloudfront-js-1.0", comment="old", publish=True)
    emu.seed_function("legacy", handler("/*v2*/"), runtime="cloudfront-js-1.0", comment="old")
    listed, lock, seen = threading.Event(), threading.Lock(), []
    real = AwsCloudFront.list_functions

    def list_then_change(
        self: AwsCloudFront, stage: Stage, *, kind: Kind = Kind.FUNCTION
    ) -> list[FunctionSummary]:
        found = real(self, stage, kind=kind)
        with lock:
            seen.append(stage)
            if len(seen) == 2:  # both listings are in the client's hands: now someone changes the config
                emu.seed_function("legacy", handler("/*v2*/"), runtime="cloudfront-js-2.0", comment="theirs")
                listed.set()
        return found

    monkeypatch.setattr(AwsCloudFront, "list_functions", list_then_change)
    emu.before("GetFunction", lambda _: listed.wait(10))  # the code and ETag are read after the change
    write_manifest(workspace, {"legacy": None})
    run = cli("publish", "--json")
    assert run.code == 1, run.out
    (result,) = run.json["functions"]
    assert result["status"] == "conflict", result
    assert emu.counts().get("PublishFunction", 0) == 0
    live = aws.describe_function(Name="legacy", Stage="LIVE")["FunctionSummary"]["FunctionConfig"]
    assert (live["Runtime"], live["Comment"]) == ("cloudfront-js-1.0", "old")


def test_the_readmes_bare_name_is_published_as_it_is_never_rewritten(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    emu.seed_function(
        "legacy-rewrite",
        handler("/*1.0*/ return event.request;"),
        runtime="cloudfront-js-1.0",
        comment="by hand",
        publish=True,
    )
    emu.seed_function(
        "legacy-rewrite",
        handler("/*1.0 v2*/ return event.request;"),
        runtime="cloudfront-js-1.0",
        comment="by hand",
    )
    (workspace / "cloudfront-functions.yml").write_text(
        "defaults:\n  runtime: cloudfront-js-2.0\n  comment: Managed by cloudfront-publish\n"
        "functions:\n  - legacy-rewrite\n"
    )
    emu.reset_counts()
    run = cli("publish", "--json")
    assert run.code == 0, run.err
    assert emu.counts().get("UpdateFunction", 0) == 0
    assert emu.counts().get("PublishFunction", 0) == 1
    live = aws.describe_function(Name="legacy-rewrite", Stage="LIVE")["FunctionSummary"]["FunctionConfig"]
    assert (live["Runtime"], live["Comment"]) == ("cloudfront-js-1.0", "by hand")
    assert "-1.0 v2" not in run.json["functions"][0]["live_diff"]


@pytest.mark.parametrize("renews", [True, False], ids=["publish-renews-dev-etag", "publish-keeps-dev-etag"])
def test_the_backup_holds_what_a_publish_replaced_when_someone_published_meanwhile(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run], renews: bool
) -> None:
    emu.publish_renews_development_etag = renews
    emu.seed_function("a", handler("/*at start*/"), comment="a", publish=True)
    emu.seed_function("a", handler("/*staged*/"), comment="a")

    def someone_publishes(server: Emulator) -> None:
        client = aws
        etag = client.describe_function(Name="a", Stage="DEVELOPMENT")["ETag"]
        client.publish_function(Name="a", IfMatch=etag)

    emu.before("UpdateFunction", someone_publishes)
    write_manifest(workspace, {"a": handler()})
    run = cli("publish", "--json")
    assert run.code == 0, run.out
    (result,) = run.json["functions"]
    assert result["status"] == "published"
    saved = (workspace / result["backup"]).read_bytes()
    assert b"/*staged*/" in saved  # what the publish replaced, not what the run saw at its start
    assert "LIVE changed during the run" in result["reason"]
    assert code_of(aws, "a", "LIVE") == handler()


def copy_marker(function: str, run_id: str = "pr7") -> str:
    return marked(FunctionConfig("", "cloudfront-js-2.0"), function, run_id).comment


def test_preview_recovers_from_its_own_leftover(
    emu: Emulator, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    emu.seed_function("a", handler("/*live*/ return event.request;"), comment="a", publish=True)
    emu.seed_function("a-preview-pr7", handler("/*left by a killed run*/"), comment=copy_marker("a"))
    write_manifest(workspace, {"a": handler()}, "")
    env = action_env(workspace, emu, mode="preview") | {"GITHUB_REF": "refs/pull/7/merge"}
    code, log = run_action(env, monkeypatch, emu)
    assert code == 0, log
    names = {f["Name"] for f in emu_functions(emu)}
    assert names == {"a"}


@pytest.mark.parametrize(
    "found",
    [
        ("a", True, "is published"),  # a real function that happens to have the name
        ("a", False, "does not carry the preview's marker"),  # someone's unpublished work
        (copy_marker("a"), True, "is published"),  # marked, but published since: no longer a throwaway
    ],
)
def test_preview_never_takes_over_or_deletes_a_function_that_is_not_its_own_leftover(
    emu: Emulator, aws: Any, workspace: Path, monkeypatch: pytest.MonkeyPatch, found: tuple[str, bool, str]
) -> None:
    comment, publish, why = found
    emu.seed_function("a", handler("/*live*/ return event.request;"), comment="a", publish=True)
    theirs = handler("/*theirs*/")
    emu.seed_function("a-preview-pr7", theirs, comment=comment, publish=publish)
    write_manifest(workspace, {"a": handler()}, "")
    env = action_env(workspace, emu, mode="preview") | {"GITHUB_REF": "refs/pull/7/merge"}
    emu.reset_counts()
    code, log = run_action(env, monkeypatch, emu)
    assert code == 1, log
    result = json.loads(outputs(workspace / "out")["result"])
    (a,) = result["functions"]
    assert a["status"] == "failed" and why in a["error"] and "a-preview-pr7" in a["error"], a
    assert emu.counts().get("UpdateFunction", 0) == emu.counts().get("DeleteFunction", 0) == 0
    assert code_of(aws, "a-preview-pr7", "DEVELOPMENT") == theirs  # there, as it was
    if publish:
        assert code_of(aws, "a-preview-pr7", "LIVE") == theirs


def emu_functions(emu: Emulator) -> list[dict[str, Any]]:
    import boto3

    client = boto3.client("cloudfront", endpoint_url=emu.url, region_name="us-east-1")
    items: list[dict[str, Any]] = client.list_functions(Stage="DEVELOPMENT")["FunctionList"].get("Items", [])
    return items


def test_outputs_name_only_distributions_that_now_serve_new_code_and_the_log_says_each_line_once(
    emu: Emulator, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    changed = emu.seed_function("a", handler("/*old*/ return event.request;"), comment="a", publish=True)
    same = emu.seed_function("b", handler(), comment="b", publish=True)
    new_code = emu.seed_distribution(default_function_arns=[(changed, "viewer-request")])
    emu.seed_distribution(default_function_arns=[(same, "viewer-request")])
    (workspace / "a.js").write_bytes(handler())
    (workspace / "b.js").write_bytes(handler())
    (workspace / "cloudfront-functions.yml").write_text(
        "functions:\n  - name: a\n    code: a.js\n    comment: a\n"
        "    tests:\n      - name: passes\n        event: {version: '1.0', context: {eventType: viewer-request},"
        " viewer: {ip: 1.2.3.4}, request: {method: GET, uri: /, querystring: {}, headers: {}, cookies: {}}}\n"
        "  - name: b\n    code: b.js\n    comment: b\n"
    )
    code, log = run_action(action_env(workspace, emu, mode="publish"), monkeypatch, emu)
    assert code == 0, log
    out = outputs(workspace / "out")
    assert json.loads(out["distributions"]) == [new_code]
    lines = [line for line in log.splitlines() if line and not line.startswith("::")]
    repeated = {line for line in lines if lines.count(line) > 1 and "test pass" in line}
    assert not repeated, log  # each function's lines once, inside its group
    summary = (workspace / "summary.md").read_text()
    assert "serving new code" in summary.lower() or "now serve" in summary.lower()


def test_plan_on_the_command_line_shows_the_diffs(
    emu: Emulator, workspace: Path, cli: Callable[..., Run]
) -> None:
    emu.seed_function("a", handler("/*old*/ return event.request;"), comment="a", publish=True)
    write_manifest(workspace, {"a": handler()})
    run = cli("plan")
    assert run.code == 0
    assert "-function handler(event) { /*old*/ return event.request; }" in run.out
    assert "+function handler(event) { return event.request; }" in run.out


def test_the_action_refuses_a_path_outside_the_workspace_and_names_no_file(
    emu: Emulator, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_manifest(workspace, {"a": handler()})
    emu.reset_counts()
    code, log = run_action(action_env(workspace, emu, backup_dir="/tmp/elsewhere"), monkeypatch, emu)
    assert code == 2
    assert "outside the workspace" in log
    assert "file=" not in log  # an input is not a file: no annotation may point at one
    assert sum(emu.counts().values()) == 0
    out = outputs(workspace / "out")
    assert json.loads(out["result"])["fatal"]["exit_code"] == 2
    assert "input refused" in (workspace / "summary.md").read_text()


def test_an_absolute_path_inside_the_workspace_is_an_input_like_any(
    emu: Emulator, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    emu.seed_function("a", handler("/*old*/ return event.request;"), comment="a", publish=True)
    write_manifest(workspace, {"a": handler()})
    code, log = run_action(action_env(workspace, emu, backup_dir=str(workspace / "kept")), monkeypatch, emu)
    assert code == 0, log
    assert list((workspace / "kept").glob("*/a.LIVE.*.js"))


def test_json_output_of_bad_input_lists_the_problems(workspace: Path, cli: Callable[..., Run]) -> None:
    (workspace / "cloudfront-functions.yml").write_text("functions:\n  - name: a\n    code: missing.js\n")
    run = cli("publish", "--json")
    assert run.code == 2
    fatal = run.json["fatal"]
    assert fatal["exit_code"] == 2 and "missing.js" in fatal["problems"][0]


def test_a_json_manifest_indented_with_tabs_is_json(workspace: Path, cli: Callable[..., Run]) -> None:
    (workspace / "a.js").write_bytes(handler())
    (workspace / "m.json").write_text(
        '{\n\t"functions": [\n\t\t{"name": "a", "code": "a.js", "bogus": 1}\n\t]\n}\n'
    )
    run = cli("check", "--manifest", "m.json")
    assert run.code == 2
    assert "m.json:3: functions.0.bogus: unknown key `bogus`" in run.err


def test_an_empty_code_file_is_refused_before_any_call(
    emu: Emulator, workspace: Path, cli: Callable[..., Run]
) -> None:
    (workspace / "a.js").write_bytes(b"")
    (workspace / "cloudfront-functions.yml").write_text("functions:\n  - name: a\n    code: a.js\n")
    emu.reset_counts()
    run = cli("publish")
    assert run.code == 2 and "`a.js` is empty" in run.err
    assert sum(emu.counts().values()) == 0


def test_control_characters_in_code_reach_the_terminal_escaped(
    emu: Emulator, workspace: Path, cli: Callable[..., Run]
) -> None:
    emu.seed_function("a", handler(), comment="a", publish=True)
    write_manifest(workspace, {"a": handler("/* \x1b[2J\x1b[31mred */ return event.request;")})
    run = cli("plan")  # the diff shows the code, whose bytes come from the repository or from AWS
    assert "\\x1b[2J\\x1b[31mred" in run.out, run.out + run.err  # shown, escaped
    assert "\x1b" not in run.out + run.err


def test_a_1_0_function_using_const_is_refused_with_no_call(
    emu: Emulator, workspace: Path, cli: Callable[..., Run]
) -> None:
    (workspace / "a.js").write_bytes(
        b"function handler(event) {\n  const r = event.request;\n  return r;\n}\n"
    )
    (workspace / "cloudfront-functions.yml").write_text(
        "functions:\n  - name: a\n    code: a.js\n    runtime: cloudfront-js-1.0\n"
    )
    emu.reset_counts()
    run = cli("publish")
    assert run.code == 2
    assert "a.js:2:3: a.code:" in run.err and "cloudfront-js-1.0" in run.err
    assert sum(emu.counts().values()) == 0


def test_a_broken_setup_still_writes_the_actions_outputs_and_summary(
    emu: Emulator, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_manifest(workspace, {"a": handler()})
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile")
    code, log = run_action(action_env(workspace, emu, mode="publish"), monkeypatch, emu)
    assert code == 2 and "Traceback" not in log
    out = outputs(workspace / "out")
    fatal = json.loads(out["result"])["fatal"]
    assert fatal["exit_code"] == 2 and "no-such-profile" in fatal["message"]
    assert out["failed"] == "[]" and out["has-changes"] == "false"
    summary = (workspace / "summary.md").read_text()
    assert "set-up refused" in summary and "no-such-profile" in summary


@pytest.mark.parametrize("refuses", [True, False], ids=["refuses-unchanged-publish", "accepts-it"])
def test_a_publish_refused_because_live_already_holds_it_is_reconciled(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run], refuses: bool
) -> None:
    """A field report (Terraform AWS provider issue 49572): PublishFunction answers 412 to a current
    ETag when DEVELOPMENT already equals LIVE. Someone publishes our code just before we do."""
    emu.refuse_unchanged_publish = refuses
    emu.seed_function("a", handler("/*old*/ return event.request;"), comment="a", publish=True)

    def someone_publishes_ours(server: Emulator) -> None:
        aws.publish_function(Name="a", IfMatch=aws.describe_function(Name="a", Stage="DEVELOPMENT")["ETag"])

    emu.before("PublishFunction", someone_publishes_ours)
    write_manifest(workspace, {"a": handler()})
    run = cli("publish", "--json")
    assert run.code == 0, run.out
    (result,) = run.json["functions"]
    assert result["status"] == "published" and code_of(aws, "a", "LIVE") == handler()
    assert "publish confirmed by re-reading" in result["reason"]  # a 412 either way, decided again


def test_code_the_runtime_aws_holds_cannot_run_is_refused_before_any_write(
    emu: Emulator, workspace: Path, cli: Callable[..., Run]
) -> None:
    """No runtime in the manifest: the code is checked against the runtime DEVELOPMENT holds, 1.0 here."""
    emu.seed_function("a", handler(), runtime="cloudfront-js-1.0", comment="a", publish=True)
    (workspace / "a.js").write_bytes(
        b"function handler(event) {\n  const r = event.request;\n  return r;\n}\n"
    )
    (workspace / "cloudfront-functions.yml").write_text("functions:\n  - name: a\n    code: a.js\n")
    emu.reset_counts()
    run = cli("publish")
    assert run.code == 2, run.out + run.err
    assert "a.code:" in run.err and "line 2:3" in run.err and "cloudfront-js-1.0" in run.err
    assert writes(emu) == 0
