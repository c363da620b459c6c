"""Attach what you publish: whole commands against the emulator, counted there, configs compared whole."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from emulator import Emulator
from publisher.shell import engine
from tests.e2e.conftest import Run, code_of, handler

ARN = "arn:aws:cloudfront::123456789012:function/"
# what a function's code returns, by the events it is attached to: code that plainly returns the
# event's other part is refused before any write (core/language/returns.py)
DUE = {
    frozenset({"viewer-response"}): "event.response",
    frozenset({"viewer-request", "viewer-response"}): "event.response || event.request",
}
WRITES = ("CreateFunction", "UpdateFunction", "PublishFunction", "DeleteFunction", "UpdateDistribution")


def writes(emu: Emulator) -> int:
    return sum(emu.counts().get(op, 0) for op in WRITES)


def manifest(root: Path, functions: Mapping[str, list[tuple[str, str, str]] | None], tests: str = "") -> None:
    """Each function with its code; a list of (distribution, path, event) manages its associations."""
    lines = ["functions:"]
    for name, places in functions.items():
        events = {e for _, _, e in places or ()}
        due = DUE.get(frozenset(events), "event.request")
        (root / f"{name}.js").write_bytes(handler(f"/*{name}*/ return {due};"))
        lines.append(f"  - name: {name}\n    code: {name}.js")
        if places is not None:
            lines.append("    associations:" + ("" if places else " []"))
            lines += [f"      - {{distribution: {d}, path: '{p}', event: {e}}}" for d, p, e in places]
        if tests and name == "a":
            lines.append(tests)
    (root / "cloudfront-functions.yml").write_text("\n".join(lines) + "\n")


def config(aws: Any, dist_id: str) -> tuple[dict[str, Any], str]:
    got = aws.get_distribution_config(Id=dist_id)
    return got["DistributionConfig"], got["ETag"]


def held(cfg: dict[str, Any], path: str | None = None) -> list[tuple[str, str]]:
    behaviour = (
        cfg["DefaultCacheBehavior"]
        if path is None
        else next(b for b in cfg["CacheBehaviors"]["Items"] if b["PathPattern"] == path)
    )
    return [(i["FunctionARN"], i["EventType"]) for i in behaviour["FunctionAssociations"].get("Items", [])]


def without_function_associations(cfg: dict[str, Any]) -> dict[str, Any]:
    cfg["DefaultCacheBehavior"].pop("FunctionAssociations")
    for b in cfg["CacheBehaviors"].get("Items", []):
        b.pop("FunctionAssociations")
    return cfg


def whole(cfg: dict[str, Any]) -> dict[str, Any]:
    """The config with an empty association list written one way: `{Quantity: 0}` (as the tool sends
    it) and `{Quantity: 0, Items: []}` (as a seeded one reads) say the same."""
    for b in [cfg["DefaultCacheBehavior"], *cfg["CacheBehaviors"].get("Items", [])]:
        listed = b.get("FunctionAssociations") or {}
        if listed.get("Items") == []:
            del listed["Items"]
    return cfg


def rich(aws: Any, emu: Emulator, dist_id: str) -> dict[str, Any]:
    """Fields the tool must send back untouched: a comment, a policy, Lambda@Edge, another function."""
    emu.seed_function("other", handler("/*other*/ return event.request;"), publish=True)
    cfg, etag = config(aws, dist_id)
    cfg["Comment"] = "hand-made"
    cfg["DefaultCacheBehavior"]["ResponseHeadersPolicyId"] = "policy-1"
    cfg["CacheBehaviors"]["Items"][0]["LambdaFunctionAssociations"] = {
        "Quantity": 1,
        "Items": [
            {
                "LambdaFunctionARN": "arn:aws:lambda:us-east-1:123456789012:function:l:1",
                "EventType": "origin-request",
            }
        ],
    }
    cfg["CacheBehaviors"]["Items"][0]["FunctionAssociations"] = {
        "Quantity": 1,
        "Items": [{"FunctionARN": ARN + "other", "EventType": "viewer-response"}],
    }
    aws.update_distribution(Id=dist_id, IfMatch=etag, DistributionConfig=cfg)
    return config(aws, dist_id)[0]


def test_a_new_function_is_published_then_attached_and_nothing_else_changes(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    dist = emu.seed_distribution(id="E1", aliases=("www.example.com",), behaviours=[("/api/*", [])])
    before = rich(aws, emu, dist)
    manifest(workspace, {"a": [("www.example.com", "/api/*", "viewer-request")]})
    emu.reset_counts()
    run = cli("publish", "--json")
    assert run.code == 0, run.out + run.err
    counts = emu.counts()
    after, _ = config(aws, dist)
    assert held(after, "/api/*") == [(ARN + "other", "viewer-response"), (ARN + "a", "viewer-request")]
    assert without_function_associations(after) == without_function_associations(before)
    assert (counts.get("GetDistributionConfig"), counts.get("UpdateDistribution")) == (1, 1), sorted(
        counts.items()
    )
    assert run.json["associations_changed"] == [
        {
            "distribution": "E1",
            "behaviour": "/api/*",
            "event": "viewer-request",
            "function": "a",
            "action": "attach",
            "kind": "function",
        }
    ]
    assert run.json["functions"][0]["status"] == "published"
    emu.reset_counts()
    again = cli("publish", "--json")
    assert again.code == 0 and writes(emu) == 0 and again.json["associations_changed"] == []


def test_plan_shows_the_changes_and_writes_nothing(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    emu.seed_distribution(id="E1")
    manifest(workspace, {"a": [("E1", "default", "viewer-request")]})
    emu.reset_counts()
    run = cli("plan", "--json")
    assert run.code == 0, run.err
    assert writes(emu) == 0
    assert [c["action"] for c in run.json["associations_changed"]] == ["attach"]
    assert "E1" in run.json["associations"][0]["name"]


@pytest.mark.parametrize("concurrency", ["16", "1"])  # one call at a time: the reads wait in turn
def test_one_write_per_distribution_for_several_functions(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run], concurrency: str
) -> None:
    for i in (1, 2):
        emu.seed_distribution(id=f"E{i}", behaviours=[("/api/*", [])])
    emu.seed_function("gone", handler("/*gone*/ return event.request;"), publish=True)
    cfg, etag = config(aws, "E2")
    cfg["DefaultCacheBehavior"]["FunctionAssociations"] = {
        "Quantity": 1,
        "Items": [{"FunctionARN": ARN + "gone", "EventType": "viewer-response"}],
    }
    aws.update_distribution(Id="E2", IfMatch=etag, DistributionConfig=cfg)
    places = {
        "a": [("E1", "default", "viewer-request"), ("E2", "default", "viewer-request")],
        "b": [("E1", "/api/*", "viewer-request"), ("E2", "/api/*", "viewer-response")],
        "c": [("E1", "default", "viewer-response")],
        "gone": [],
    }
    manifest(workspace, places)
    emu.reset_counts()
    run = cli("publish", "--json", "--max-concurrency", concurrency)
    assert run.code == 0, run.out
    assert (emu.counts().get("UpdateDistribution"), emu.counts().get("GetDistributionConfig")) == (2, 2)
    assert held(config(aws, "E1")[0]) == [(ARN + "a", "viewer-request"), (ARN + "c", "viewer-response")]
    assert held(config(aws, "E2")[0]) == [(ARN + "a", "viewer-request")]
    detached = [c for c in run.json["associations_changed"] if c["action"] == "detach"]
    assert detached == [
        {
            "distribution": "E2",
            "behaviour": "default",
            "event": "viewer-response",
            "function": "gone",
            "action": "detach",
            "kind": "function",
        }
    ]


def test_refusals_exit_2_before_any_write(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    emu.seed_distribution(id="E1", default_function_arns=[(ARN + "theirs", "viewer-request")])
    emu.seed_function("theirs", handler(), publish=True)
    manifest(
        workspace,
        {
            "a": [
                ("E1", "default", "viewer-request"),
                ("E1", "/nope/*", "viewer-response"),
                ("E404", "default", "viewer-request"),
            ]
        },
    )
    emu.reset_counts()
    run = cli("publish", "--json")
    assert run.code == 2, run.out
    assert writes(emu) == 0
    problems = run.json["fatal"]["problems"]
    assert any("function `theirs` runs on default viewer-request of distribution E1" in p for p in problems)
    assert any("has no cache behaviour `/nope/*`" in p for p in problems)
    assert any("`E404`" in p for p in problems)
    assert all(p.startswith("cloudfront-functions.yml:") for p in problems)


def test_code_that_returns_the_request_is_refused_on_viewer_response_before_any_write(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    """The plain forms only: the bound name here is the examples' own pattern."""
    emu.seed_distribution(id="E1")
    manifest(workspace, {"a": [("E1", "default", "viewer-response")]})
    (workspace / "a.js").write_bytes(
        b"function handler(event) {\n  var request = event.request;\n  request.uri = '/x';\n  return request;\n}\n"
    )
    before = config(aws, "E1")
    emu.reset_counts()
    run = cli("publish", "--json")
    assert run.code == 2, run.out
    assert writes(emu) == 0 and config(aws, "E1") == before
    (problem,) = run.json["fatal"]["problems"]
    assert problem.startswith("cloudfront-functions.yml:5: a.associations"), problem
    assert "returns the event's request (a.js, line 4)" in problem
    assert "viewer-response function must return the response" in problem


def test_a_failed_test_means_neither_published_nor_attached(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    emu.seed_distribution(id="E1")
    failing = (
        "    tests:\n      - name: must say 301\n        event: {version: '1.0', context: {eventType: viewer-request},"
        " viewer: {ip: 1.2.3.4}, request: {method: GET, uri: /, querystring: {}, headers: {}, cookies: {}}}\n"
        "        expect: {response.statusCode: 301}"
    )
    manifest(
        workspace,
        {"a": [("E1", "default", "viewer-request")], "b": [("E1", "default", "viewer-response")]},
        tests=failing,
    )
    run = cli("publish", "--json")
    assert run.code == 1, run.out
    statuses = {f["name"]: f["status"] for f in run.json["functions"]}
    assert statuses == {"a": "blocked", "b": "published"}
    assert held(config(aws, "E1")[0]) == [(ARN + "b", "viewer-response")]  # b went on, a did not
    assert "`a` not attached" in run.json["associations"][0]["reason"]


def test_a_second_writer_elsewhere_in_the_config_is_kept(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    emu.seed_distribution(id="E1")
    manifest(workspace, {"a": [("E1", "default", "viewer-request")]})

    def someone(e: Emulator) -> None:
        cfg, etag = config(aws, "E1")
        aws.update_distribution(Id="E1", IfMatch=etag, DistributionConfig={**cfg, "Comment": "theirs"})

    emu.before("UpdateDistribution", someone)
    run = cli("publish", "--json")
    assert run.code == 0, run.out
    assert emu.counts().get("GetDistributionConfig") == 3  # the plan's, the second writer's, the re-read
    assert emu.counts().get("UpdateDistribution") == 3  # the second writer's, the 412, the write
    after, _ = config(aws, "E1")
    assert after["Comment"] == "theirs"
    assert held(after) == [(ARN + "a", "viewer-request")]


def test_a_second_writer_on_the_same_slot_is_a_conflict(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    emu.seed_distribution(id="E1", behaviours=[("/api/*", [])])
    emu.seed_function("theirs", handler("/*theirs*/ return event.request;"), publish=True)
    manifest(workspace, {"a": [("E1", "default", "viewer-request"), ("E1", "/api/*", "viewer-request")]})

    def someone(e: Emulator) -> None:
        cfg, etag = config(aws, "E1")
        cfg["DefaultCacheBehavior"]["FunctionAssociations"] = {
            "Quantity": 1,
            "Items": [{"FunctionARN": ARN + "theirs", "EventType": "viewer-request"}],
        }
        aws.update_distribution(Id="E1", IfMatch=etag, DistributionConfig=cfg)

    emu.before("UpdateDistribution", someone)
    run = cli("publish", "--json")
    assert run.code == 1, run.out
    after, _ = config(aws, "E1")
    assert held(after) == [(ARN + "theirs", "viewer-request")]  # theirs, kept
    assert held(after, "/api/*") == [(ARN + "a", "viewer-request")]  # the rest of the plan went on
    result = run.json["associations"][0]
    assert result["status"] == "conflict"
    assert result["conflicts"] == [
        "default viewer-request: this run would put a where it read nothing; someone else put theirs there"
    ]


def test_an_attach_alone_is_waited_for_and_reported(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    emu.seed_distribution(id="E1")
    manifest(workspace, {"a": None})
    assert cli("publish").code == 0  # published, attached nowhere
    manifest(workspace, {"a": [("E1", "default", "viewer-request")]})
    run = cli("publish", "--wait", "--json")
    assert run.code == 0, run.out
    assert run.json["functions"][0]["status"] == "unchanged"
    assert run.json["wait"]["deployed"] == ["E1"]
    assert [a["status"] for a in run.json["associations"]] == ["updated"]
    text = cli("plan")
    assert "attach" not in text.out  # a re-run plans nothing


def test_the_console_and_the_action_outputs_name_each_change(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    from publisher.action import outputs
    from publisher.core.result import Result

    emu.seed_distribution(id="E1", behaviours=[("/api/*", [])])
    manifest(workspace, {"a": [("E1", "/api/*", "viewer-response")]})
    plan = cli("plan")
    assert "~ attach           distribution E1  /api/* viewer-response: nothing → a" in plan.out
    assert "    + attach a: /api/* (viewer-response)" in plan.out
    run = cli("publish", "--json")
    out = outputs(Result.model_validate(run.json))
    assert json.loads(out["associations-changed"]) == [
        {
            "distribution": "E1",
            "behaviour": "/api/*",
            "event": "viewer-response",
            "function": "a",
            "action": "attach",
            "kind": "function",
        }
    ]
    assert json.loads(out["distributions"]) == ["E1"]


def test_the_associations_a_write_replaces_are_backed_up_first(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    emu.seed_distribution(id="E1", behaviours=[("/api/*", [])])
    emu.seed_function("gone", handler("/*gone*/ return event.request;"), publish=True)
    cfg, _ = config(aws, "E1")
    cfg["DefaultCacheBehavior"]["FunctionAssociations"] = {
        "Quantity": 1,
        "Items": [{"FunctionARN": ARN + "gone", "EventType": "viewer-request"}],
    }
    etag = aws.update_distribution(Id="E1", IfMatch=config(aws, "E1")[1], DistributionConfig=cfg)["ETag"]
    manifest(workspace, {"gone": [("E1", "/api/*", "viewer-request")]})
    run = cli("publish", "--json")
    assert run.code == 0, run.out
    backup = run.json["associations"][0]["backup"]
    assert backup.endswith(f"E1.ASSOCIATIONS.{etag}.json") and run.json["backup_dir"]
    saved = json.loads((workspace / backup).read_text())
    assert saved == {
        "Kind": "distribution",
        "Id": "E1",
        "ETag": etag,
        "Behaviours": [
            {
                "PathPattern": "default",
                "FunctionAssociations": cfg["DefaultCacheBehavior"]["FunctionAssociations"],
            },
            {"PathPattern": "/api/*", "FunctionAssociations": {"Quantity": 0, "Items": []}},
        ],
        "Changes": [
            {"PathPattern": "default", "EventType": "viewer-request", "Before": "gone", "After": None},
            {"PathPattern": "/api/*", "EventType": "viewer-request", "Before": None, "After": "gone"},
        ],
    }


def test_rollback_puts_the_associations_back_and_leaves_someone_elses_change(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    emu.seed_function("old", handler("/*old*/ return event.request;"), publish=True)
    emu.seed_function("x", handler("/*x*/ return event.request;"), publish=True)
    emu.seed_distribution(
        id="E1",
        default_function_arns=[(ARN + "old", "viewer-request")],
        behaviours=[("/api/*", [(ARN + "old", "viewer-response")])],
    )
    manifest(
        workspace,
        {"a": [("E1", "default", "viewer-request"), ("E1", "/api/*", "viewer-response")], "old": []},
    )
    first = cli("publish", "--json")
    assert first.code == 0, first.out
    assert held(config(aws, "E1")[0]) == [(ARN + "a", "viewer-request")]
    cfg, etag = config(aws, "E1")  # someone moves /api/* to their own function
    cfg["CacheBehaviors"]["Items"][0]["FunctionAssociations"] = {
        "Quantity": 1,
        "Items": [{"FunctionARN": ARN + "x", "EventType": "viewer-response"}],
    }
    aws.update_distribution(Id="E1", IfMatch=etag, DistributionConfig={**cfg, "Comment": "theirs"})
    emu.reset_counts()
    back = cli("rollback", "--from", first.json["backup_dir"], "--json")
    assert back.code == 1, back.out  # the conflict on /api/*
    after, _ = config(aws, "E1")
    assert held(after) == [(ARN + "old", "viewer-request")]  # put back
    assert held(after, "/api/*") == [(ARN + "x", "viewer-response")]  # theirs, kept
    assert after["Comment"] == "theirs"
    result = back.json["associations"][0]
    assert result["status"] == "conflict"
    assert (
        "/api/* viewer-response: this run would put old where it read a; someone else put x there"
        in result["error"]
    )
    assert emu.counts().get("UpdateDistribution") == 1
    again = cli("rollback", "--from", first.json["backup_dir"], "--json")
    assert emu.counts().get("UpdateDistribution") == 1  # nothing more to restore
    assert again.json["associations"][0]["status"] == "conflict"  # and theirs still theirs


def retire_setup(emu: Emulator, workspace: Path) -> None:
    emu.seed_function("old", handler("/*old*/ return event.request;"), publish=True)
    emu.seed_distribution(id="E1", default_function_arns=[(ARN + "old", "viewer-request")])
    emu.seed_distribution(id="E2", behaviours=[("/api/*", [(ARN + "old", "viewer-response")])])
    (workspace / "a.js").write_bytes(handler("/*a*/ return event.request;"))
    (workspace / "cloudfront-functions.yml").write_text(
        "functions:\n  - name: a\n    code: a.js\n    associations:\n"
        "      - {distribution: E1, path: default, event: viewer-request}\n"
        "  - name: old\n    retire: true\n"
    )


def test_a_retired_function_is_detached_everywhere_backed_up_then_deleted(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    retire_setup(emu, workspace)
    plan = cli("plan")
    assert "- delete           old" in plan.out, plan.out
    run = cli("publish", "--json")
    assert run.code == 0, run.out
    assert held(config(aws, "E1")[0]) == [(ARN + "a", "viewer-request")]
    assert held(config(aws, "E2")[0], "/api/*") == []
    assert "old" not in [f["Name"] for f in aws.list_functions()["FunctionList"].get("Items", [])]
    old = next(f for f in run.json["functions"] if f["name"] == "old")
    assert old["status"] == "deleted"
    assert (workspace / old["backup"]).read_bytes() == handler("/*old*/ return event.request;")


def test_a_retired_function_still_attached_is_not_deleted(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run], monkeypatch: Any
) -> None:
    retire_setup(emu, workspace)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    emu.inject("UpdateDistribution", "500", times=20)  # every attempt, the re-written ones too
    run = cli("publish", "--json")
    assert run.code == 1, run.out
    old = next(f for f in run.json["functions"] if f["name"] == "old")
    assert old["status"] == "blocked" and "still attached" in old["error"]
    assert emu.counts().get("DeleteFunction", 0) == 0
    assert aws.describe_function(Name="old", Stage="LIVE")["ETag"]


def test_functions_without_associations_are_never_touched(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    emu.seed_function("b", handler("/*b0*/ return event.request;"), publish=True)
    emu.seed_distribution(id="E1", default_function_arns=[(ARN + "b", "viewer-request")])
    manifest(workspace, {"b": None})
    emu.reset_counts()
    run = cli("publish", "--json")
    assert run.code == 0, run.out
    assert emu.counts().get("GetDistributionConfig", 0) == 0 and run.json["associations"] == []
    manifest(workspace, {"a": [("E1", "default", "viewer-response")], "b": None})
    run = cli("publish", "--json")
    assert run.code == 0, run.out
    assert held(config(aws, "E1")[0]) == [(ARN + "b", "viewer-request"), (ARN + "a", "viewer-response")]


def count_applied(emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ETags of the UpdateDistribution calls that took effect, whatever their answer."""
    applied: list[str] = []
    update = emu.state.backend.update_distribution

    def counted(*args: Any, **kwargs: Any) -> Any:
        answer = update(*args, **kwargs)
        applied.append(answer[2])
        return answer

    monkeypatch.setattr(emu.state.backend, "update_distribution", counted)
    return applied


def test_a_lost_answer_is_reconciled_by_reading_again(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    emu.seed_distribution(id="E1")
    manifest(workspace, {"a": [("E1", "default", "viewer-request")]})
    applied = count_applied(emu, monkeypatch)
    emu.inject("UpdateDistribution", "lost-response")
    run = cli("publish", "--json")
    assert run.code == 0, run.out
    assert held(config(aws, "E1")[0]) == [(ARN + "a", "viewer-request")]
    result = run.json["associations"][0]
    assert result["status"] == "updated" and "confirmed by re-reading" in result["reason"]
    assert not result["conflicts"] and not result["error"]
    assert emu.counts().get("UpdateDistribution") == 2  # the lost one, and the retry its ETag refused
    assert applied == [config(aws, "E1")[1]]  # one write took effect: the plan is not carried out twice
    assert result["etag"][1] == applied[0]
    assert result["backup"] and run.json["backup_dir"]  # what the lost write replaced was saved first
    assert run.json["associations_changed"][0]["action"] == "attach"


def test_an_answer_lost_past_every_retry_is_reconciled_by_one_read(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No retry left to meet the 412: the writer itself reads the distribution again, finds its plan
    carried out, and says so; it writes nothing more."""
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    emu.seed_distribution(id="E1")
    manifest(workspace, {"a": [("E1", "default", "viewer-request")]})
    applied = count_applied(emu, monkeypatch)
    emu.inject("UpdateDistribution", "lost-response", times=2)  # applied, lost; a retry's 412, lost too
    run = cli("publish", "--json")
    assert run.code == 0, run.out
    assert emu.counts().get("GetDistributionConfig") == 2  # the plan's, and the writer's own re-read
    assert applied == [config(aws, "E1")[1]]  # one write took effect
    result = run.json["associations"][0]
    assert result["status"] == "updated" and "confirmed by re-reading" in result["reason"]
    assert held(config(aws, "E1")[0]) == [(ARN + "a", "viewer-request")]


def test_an_unanswered_write_that_did_not_take_effect_is_written_once_more_on_the_fresh_etag(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    emu.seed_distribution(id="E1")
    manifest(workspace, {"a": [("E1", "default", "viewer-request")]})
    applied = count_applied(emu, monkeypatch)
    emu.inject("UpdateDistribution", "503", times=2)  # refused by the service, retries included
    run = cli("publish", "--json")
    assert run.code == 0, run.out
    assert emu.counts().get("GetDistributionConfig", 0) >= 2  # read again before writing again
    assert applied == [config(aws, "E1")[1]]
    assert held(config(aws, "E1")[0]) == [(ARN + "a", "viewer-request")]
    assert run.json["associations"][0]["status"] == "updated"


def test_twenty_functions_on_five_distributions_are_five_writes(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    paths = ["/p0/*", "/p1/*", "/p2/*", "/p3/*"]
    for d in range(5):
        emu.seed_distribution(id=f"E{d}", behaviours=[(p, []) for p in paths])
    places = {f"f{i}": [(f"E{i % 5}", paths[i // 5], "viewer-request")] for i in range(20)}
    manifest(workspace, places)
    emu.reset_counts()
    run = cli("publish", "--json", "--max-concurrency", "4")
    assert run.code == 0, run.out
    counts = emu.counts()
    assert (counts.get("GetDistributionConfig"), counts.get("UpdateDistribution")) == (5, 5)
    assert len(run.json["associations_changed"]) == 20
    assert held(config(aws, "E3")[0], "/p2/*") == [(ARN + "f13", "viewer-request")]


def test_sync_neither_attaches_nor_detaches_and_says_so(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    emu.seed_distribution(id="E1")
    manifest(workspace, {"a": [("E1", "default", "viewer-request")]})
    emu.reset_counts()
    run = cli("sync", "--json")
    assert run.code == 0, run.out
    assert emu.counts().get("UpdateDistribution", 0) == 0
    (row,) = run.json["associations"]
    assert row["status"] == "unchanged" and "sync mode does not attach" in row["reason"]


def test_publishing_a_function_the_distribution_runs_moves_its_etag_and_the_write_follows(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    emu.seed_function("a", handler("/*a0*/ return event.request;"), publish=True)
    emu.seed_distribution(id="E1", default_function_arns=[(ARN + "a", "viewer-request")])
    manifest(
        workspace, {"a": [("E1", "default", "viewer-request")], "b": [("E1", "default", "viewer-response")]}
    )
    emu.reset_counts()
    run = cli("publish", "--json")
    assert run.code == 0, run.out
    # a's publish redeploys E1 (a new ETag, as CloudFront does): the write meets 412, reads again,
    # finds the slots as the plan read them, and goes on
    assert (emu.counts().get("GetDistributionConfig"), emu.counts().get("UpdateDistribution")) == (2, 2)
    assert held(config(aws, "E1")[0]) == [(ARN + "a", "viewer-request"), (ARN + "b", "viewer-response")]
    assert run.json["associations"][0]["status"] == "updated"


def retire_old(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> tuple[Run, dict[str, Any]]:
    """`old` runs on E1 and E2 and is retired: the run's result, and both configs as they were before."""
    retire_setup(emu, workspace)
    before = {d: config(aws, d)[0] for d in ("E1", "E2")}
    (workspace / "cloudfront-functions.yml").write_text("functions:\n  - name: old\n    retire: true\n")
    retired = cli("publish", "--json")
    assert retired.code == 0, retired.out
    assert emu.counts().get("DeleteFunction") == 1 and held(config(aws, "E1")[0]) == []
    return retired, before


def test_rollback_of_a_retire_recreates_publishes_and_attaches_where_it_ran(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    retired, before = retire_old(emu, aws, workspace, cli)
    emu.reset_counts()
    plan = cli("plan", "--from", retired.json["backup_dir"])
    assert plan.code == 0 and writes(emu) == 0, plan.out + plan.err
    assert "+ create, publish  old" in plan.out and "deleted by a retire" in plan.out, plan.out
    assert plan.out.count("+ attach old:") == 2, plan.out
    back = cli("rollback", "--from", retired.json["backup_dir"], "--json")
    assert back.code == 0, back.out + back.err
    assert code_of(aws, "old", "LIVE") == handler("/*old*/ return event.request;")
    assert {d: config(aws, d)[0] for d in ("E1", "E2")} == before  # whole configs, as before the retire
    counts = emu.counts()
    assert [counts.get(op, 0) for op in ("CreateFunction", "PublishFunction", "UpdateDistribution")] == [
        1,
        1,
        2,
    ]
    assert {f["name"]: f["status"] for f in back.json["functions"]} == {"old": "published"}
    assert sorted(c["distribution"] for c in back.json["associations_changed"]) == ["E1", "E2"]


def test_rollback_of_a_retire_leaves_a_slot_someone_took_since_and_says_so(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    retired, before = retire_old(emu, aws, workspace, cli)
    emu.seed_function("theirs", handler("/*theirs*/ return event.request;"), publish=True)
    cfg, etag = config(aws, "E1")  # someone puts their function where old ran
    cfg["DefaultCacheBehavior"]["FunctionAssociations"] = {
        "Quantity": 1,
        "Items": [{"FunctionARN": ARN + "theirs", "EventType": "viewer-request"}],
    }
    aws.update_distribution(Id="E1", IfMatch=etag, DistributionConfig=cfg)
    emu.reset_counts()
    back = cli("rollback", "--from", retired.json["backup_dir"], "--json")
    assert back.code == 1, back.out  # the conflict on E1
    assert code_of(aws, "old", "LIVE") == handler("/*old*/ return event.request;")  # made again
    assert held(config(aws, "E1")[0]) == [(ARN + "theirs", "viewer-request")]  # theirs, kept
    assert whole(config(aws, "E2")[0]) == whole(before["E2"])  # attached again where nobody moved
    by = {a["name"]: a for a in back.json["associations"]}
    assert by["E1"]["status"] == "conflict" and "someone else put theirs there" in by["E1"]["error"]
    assert by["E2"]["status"] == "updated"
    assert emu.counts().get("UpdateDistribution") == 1  # E2 alone


def test_rollback_of_a_retire_leaves_a_function_of_that_name_made_since_to_the_usual_rules(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    retired, _ = retire_old(emu, aws, workspace, cli)
    emu.seed_function("old", handler("/*old*/ return event.request;"), publish=True)  # made again, the same
    emu.reset_counts()
    same = cli("rollback", "--from", retired.json["backup_dir"], "--json")
    assert same.code == 0, same.out
    assert [emu.counts().get(op, 0) for op in ("CreateFunction", "UpdateFunction", "PublishFunction")] == [
        0,
        0,
        0,
    ]
    assert held(config(aws, "E1")[0]) == [(ARN + "old", "viewer-request")]


def test_rollback_of_a_retire_never_clobbers_someone_elses_unpublished_function(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    retired, _ = retire_old(emu, aws, workspace, cli)
    emu.seed_function("old", handler("/*theirs*/ return event.request;"))  # DEVELOPMENT only
    emu.reset_counts()
    back = cli("rollback", "--from", retired.json["backup_dir"], "--json")
    assert back.code == 1, back.out
    assert writes(emu) == 0
    (old,) = back.json["functions"]
    assert old["status"] == "conflict" and "unpublished change" in old["error"]
    assert code_of(aws, "old", "DEVELOPMENT") == handler("/*theirs*/ return event.request;")
    assert held(config(aws, "E1")[0]) == []  # not attached: its LIVE is not what was reviewed


DEPLOYED = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=10)
GUARDED = ("publish", "--watch-minutes", "0.02", "--max-error-rate", "2", "--json")


def failing_at_the_edge(emu: Emulator, monkeypatch: pytest.MonkeyPatch, function: str) -> None:
    """The distributions report the run's writes deployed at DEPLOYED; `function` then fails 10%."""
    monkeypatch.setattr(engine, "utcnow", lambda: DEPLOYED)
    emu.record_function_metrics(function, invocations=100, execution_errors=10, at=DEPLOYED)


def test_the_guard_detaches_a_function_it_attached_without_publishing_when_it_fails(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    emu.seed_function("a", handler("/*a*/ return event.request;"), publish=True)  # as the manifest says
    dist = emu.seed_distribution(id="E1", behaviours=[("/api/*", [])])
    before = rich(aws, emu, dist)
    manifest(workspace, {"a": [("E1", "default", "viewer-request")]})
    failing_at_the_edge(emu, monkeypatch, "a")
    emu.reset_counts()
    run = cli(*GUARDED, "--summary", "s.md")
    assert run.code == 1, run.out + run.err
    assert emu.counts().get("PublishFunction", 0) == 0 and emu.counts().get("UpdateDistribution") == 2
    summary = (workspace / "s.md").read_text()
    assert "taken off the cache behaviours this run attached it to" in summary
    assert "LIVE restored from <code></code>" not in summary
    assert whole(config(aws, dist)[0]) == whole(before)  # the whole config, as before the run
    (watch,) = run.json["guard"]["functions"]
    assert (watch["function"], watch["verdict"]) == ("a", "roll back")
    (fn,) = run.json["functions"]
    assert fn["status"] == "rolled back" and "detached from E1 again" in fn["reason"]
    (dist_result,) = run.json["associations"]
    assert dist_result["status"] == "rolled back" and "rollback detach" in dist_result["done"]
    assert run.json["associations_changed"][0]["action"] == "attach"  # what the run wrote, still said


def test_the_guard_puts_back_the_code_and_the_function_this_run_replaced_on_a_behaviour(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    old_a = handler("/*a0*/ return event.request;")
    emu.seed_function("a", old_a, publish=True)
    emu.seed_function("g", handler("/*g*/ return event.request;"), publish=True)
    dist = emu.seed_distribution(id="E1", default_function_arns=[(ARN + "g", "viewer-request")])
    before = config(aws, dist)[0]
    manifest(workspace, {"a": [("E1", "default", "viewer-request")], "g": []})
    failing_at_the_edge(emu, monkeypatch, "a")
    run = cli(*GUARDED)
    assert run.code == 1, run.out + run.err
    assert code_of(aws, "a", "LIVE") == old_a  # its code, from this run's backup
    assert config(aws, dist)[0] == before  # g where it ran, a off it
    by = {f["name"]: f["status"] for f in run.json["functions"]}
    assert by == {"a": "rolled back", "g": "unchanged"}
    assert run.json["associations"][0]["status"] == "rolled back"


def test_the_guard_leaves_a_second_writers_change_to_the_slot_and_says_so(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    emu.seed_function("a", handler("/*a*/ return event.request;"), publish=True)
    emu.seed_function("theirs", handler("/*theirs*/ return event.request;"), publish=True)
    emu.seed_distribution(id="E1")
    manifest(workspace, {"a": [("E1", "default", "viewer-request")]})
    failing_at_the_edge(emu, monkeypatch, "a")

    def someone(e: Emulator) -> None:  # after the run's write, before the guard reads E1 again
        cfg, etag = config(aws, "E1")
        cfg["DefaultCacheBehavior"]["FunctionAssociations"] = {
            "Quantity": 1,
            "Items": [{"FunctionARN": ARN + "theirs", "EventType": "viewer-request"}],
        }
        aws.update_distribution(Id="E1", IfMatch=etag, DistributionConfig=cfg)

    emu.before("UpdateDistribution", lambda e: e.before("GetDistributionConfig", someone))
    run = cli(*GUARDED)
    assert run.code == 1, run.out + run.err
    assert held(config(aws, "E1")[0]) == [(ARN + "theirs", "viewer-request")]  # theirs, kept
    (dist_result,) = run.json["associations"]
    assert dist_result["status"] == "conflict" and "someone else put theirs there" in dist_result["error"]
    assert run.json["functions"][0]["status"] == "conflict"
