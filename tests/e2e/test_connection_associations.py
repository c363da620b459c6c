"""A connection function's distributions end to end: attached once LIVE holds the reviewed code, in the
same single UpdateDistribution as the viewer functions' changes to that distribution, detached where
ListDistributionsByConnectionFunction finds it and the manifest does not list it, refused before any
write where the distribution has no viewer mTLS or runs someone else's connection function."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from emulator import Emulator
from tests.e2e.conftest import Run, handler
from tests.e2e.test_connection_functions import gate, seed_connection

ARN = "arn:aws:cloudfront::123456789012:function/"
WRITES = (
    "CreateFunction",
    "UpdateFunction",
    "PublishFunction",
    "CreateConnectionFunction",
    "UpdateConnectionFunction",
    "PublishConnectionFunction",
    "DeleteConnectionFunction",
    "UpdateDistribution",
)


def writes(emu: Emulator) -> int:
    return sum(emu.counts().get(op, 0) for op in WRITES)


def manifest(
    root: Path,
    connections: dict[str, list[str] | None],
    viewer: list[str] | None = None,
    retire: tuple[str, ...] = (),
) -> None:
    """A viewer function `edge` (attached to each listed distribution's default viewer-request) and the
    connection functions, each with its `distributions:` (None: not managed)."""
    (root / "edge.js").write_bytes(handler())
    lines = ["functions:", "  - name: edge\n    code: edge.js"]
    if viewer is not None:
        lines.append("    associations:")
        lines += [f"      - {{distribution: {d}, path: default, event: viewer-request}}" for d in viewer]
    lines.append("connection-functions:")
    for name, dists in connections.items():
        (root / f"{name}.js").write_bytes(gate(f"connection.allow(); /*{name}*/"))
        lines.append(f"  - name: {name}\n    code: {name}.js\n    comment: mTLS")
        if name in retire:
            lines.append("    retire: true")
        elif dists is not None:
            lines.append(f"    distributions: [{', '.join(dists)}]")
    (root / "cloudfront-functions.yml").write_text("\n".join(lines) + "\n")


def config(aws: Any, dist_id: str) -> dict[str, Any]:
    return dict(aws.get_distribution_config(Id=dist_id)["DistributionConfig"])


def connection_id(aws: Any, name: str) -> str:
    listed = aws.list_connection_functions(Stage="DEVELOPMENT")["ConnectionFunctions"]
    return str(next(s["Id"] for s in listed if s["Name"] == name))


def attach_by_hand(aws: Any, dist: str, cid: str) -> None:
    """The connection function `cid` put on `dist` by another client, as the console would."""
    cfg = aws.get_distribution_config(Id=dist)
    aws.update_distribution(
        Id=dist,
        IfMatch=cfg["ETag"],
        DistributionConfig={**cfg["DistributionConfig"], "ConnectionFunctionAssociation": {"Id": cid}},
    )


def test_attached_with_the_viewer_function_in_one_update_then_nothing_to_do(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    dist = emu.seed_distribution(aliases=["mtls.example.com"], viewer_mtls="required")
    manifest(workspace, {"gate": ["mtls.example.com"]}, viewer=[dist])
    run = cli("publish", "--json", "--backup-dir", "backups")
    assert run.code == 0, run.out + run.err
    counts = emu.counts()
    assert (counts["GetDistributionConfig"], counts["UpdateDistribution"]) == (1, 1)
    cfg = config(aws, dist)
    assert cfg["ConnectionFunctionAssociation"] == {"Id": connection_id(aws, "gate")}
    assert cfg["ViewerMtlsConfig"]["Mode"] == "required"  # sent back as read
    assert cfg["DefaultCacheBehavior"]["FunctionAssociations"]["Items"] == [
        {"FunctionARN": ARN + "edge", "EventType": "viewer-request"}
    ]
    changes = run.json["associations"][0]["changes"]
    assert {(c["function"], c["kind"], c["action"]) for c in changes} == {
        ("edge", "function", "attach"),
        ("gate", "connection-function", "attach"),
    }
    assert json.loads(run.out)["associations"][0]["status"] == "updated"
    assert aws.list_distributions_by_connection_function(
        ConnectionFunctionIdentifier=connection_id(aws, "gate")
    )["DistributionList"]["Items"][0]["Id"] == (dist)
    emu.reset_counts()
    again = cli("plan", "--json")
    assert again.code == 0, again.out + again.err
    assert again.json["associations"] == []
    assert writes(emu) == 0


def test_the_text_report_and_summary_name_the_kind(
    emu: Emulator, workspace: Path, cli: Callable[..., Run]
) -> None:
    dist = emu.seed_distribution(viewer_mtls="optional")
    manifest(workspace, {"gate": [dist]})
    run = cli("plan")
    assert run.code == 0, run.out + run.err
    assert "attach connection function gate: the distribution's viewer mTLS connections" in run.out
    assert "associations: 1 to attach" in run.out


def test_detached_where_the_listing_finds_it_and_the_manifest_does_not_list_it(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    cid = seed_connection(aws, gate())
    dist = emu.seed_distribution(viewer_mtls="required")
    attach_by_hand(aws, dist, cid)
    manifest(workspace, {"gate": []})
    emu.reset_counts()
    run = cli("publish", "--json", "--backup-dir", "backups")
    assert run.code == 0, run.out + run.err
    assert emu.counts()["ListDistributionsByConnectionFunction"] == 1
    assert "ConnectionFunctionAssociation" not in config(aws, dist)
    saved = json.loads((workspace / run.json["associations"][0]["backup"]).read_text())
    assert saved["ConnectionFunctionAssociation"] == {"Id": cid}
    back = cli("rollback", "--from", run.json["backup_dir"], "--json")
    assert back.code == 0, back.out + back.err
    assert config(aws, dist)["ConnectionFunctionAssociation"] == {"Id": cid}


def test_refused_before_any_write_without_viewer_mtls(
    emu: Emulator, workspace: Path, cli: Callable[..., Run]
) -> None:
    dist = emu.seed_distribution()
    manifest(workspace, {"gate": [dist]})
    run = cli("publish")
    assert run.code == 2, run.out + run.err
    assert f"gate.distributions: distribution {dist} has no viewer mTLS configured" in run.err
    assert "cloudfront-functions.yml:" in run.err
    assert len([line for line in run.err.splitlines() if "viewer mTLS" in line]) == 1
    assert writes(emu) == 0


def test_refused_where_a_connection_function_the_manifest_does_not_manage_runs(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    cid = seed_connection(aws, gate(), "theirs")
    dist = emu.seed_distribution(viewer_mtls="required")
    attach_by_hand(aws, dist, cid)
    manifest(workspace, {"gate": [dist]})
    emu.reset_counts()
    run = cli("publish")
    assert run.code == 2, run.out + run.err
    assert "connection function `theirs` runs on distribution" in run.err
    assert "to take it over" in run.err
    assert writes(emu) == 0


def test_refused_when_two_connection_functions_list_one_distribution(
    emu: Emulator, workspace: Path, cli: Callable[..., Run]
) -> None:
    dist = emu.seed_distribution(viewer_mtls="required")
    manifest(workspace, {"gate": [dist], "door": [dist]})
    run = cli("publish")
    assert run.code == 2, run.out + run.err
    assert "one connection function per distribution" in run.err
    assert writes(emu) == 0


def retire_gate(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run], code: bytes | None = None
) -> tuple[str, str, dict[str, Any], Run]:
    """`gate` (another client's, on a distribution with viewer mTLS) retired by a publish: its Id, the
    distribution's, that distribution's config before the retire, and the run."""
    cid = seed_connection(aws, code or gate())
    dist = emu.seed_distribution(viewer_mtls="required")
    attach_by_hand(aws, dist, cid)
    before = config(aws, dist)
    manifest(workspace, {"gate": None}, retire=("gate",))
    retired = cli("publish", "--json", "--backup-dir", "backups")
    assert retired.code == 0, retired.out + retired.err
    return cid, dist, before, retired


def test_a_retired_connection_function_is_detached_backed_up_and_deleted(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    _, dist, _, run = retire_gate(emu, aws, workspace, cli)
    assert "ConnectionFunctionAssociation" not in config(aws, dist)
    assert aws.list_connection_functions(Stage="DEVELOPMENT")["ConnectionFunctions"] == []
    retired = next(f for f in run.json["functions"] if f["kind"] == "connection-function")
    assert retired["status"] == "deleted"
    assert ".CONNECTION-LIVE." in retired["backup"]


def test_rollback_of_a_retired_connection_function_makes_it_again_and_attaches_it_by_its_new_id(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    code = gate("connection.allow(); /*as it ran*/")
    cid, dist, before, retired = retire_gate(emu, aws, workspace, cli, code)
    emu.reset_counts()
    plan = cli("plan", "--from", retired.json["backup_dir"])
    assert plan.code == 0 and writes(emu) == 0, plan.out + plan.err
    assert "deleted by a retire" in plan.out, plan.out
    assert "+ attach connection function gate" in plan.out, plan.out
    back = cli("rollback", "--from", retired.json["backup_dir"], "--json")
    assert back.code == 0, back.out + back.err
    new = connection_id(aws, "gate")
    assert new != cid  # CloudFront gives a function made again a new Id
    live = aws.get_connection_function(Identifier=new, Stage="LIVE")["ConnectionFunctionCode"].read()
    assert live == code
    # the whole config as before the retire, but for the Id the connection function has now
    assert config(aws, dist) == {**before, "ConnectionFunctionAssociation": {"Id": new}}
    counts = emu.counts()
    assert [counts.get(op, 0) for op in ("CreateConnectionFunction", "UpdateDistribution")] == [1, 1]
    assert {f["name"]: f["status"] for f in back.json["functions"]} == {"gate": "published"}
    emu.reset_counts()
    again = cli("rollback", "--from", retired.json["backup_dir"], "--json")  # a second time: nothing to do
    assert again.code == 0, again.out + again.err
    assert writes(emu) == 0 and config(aws, dist)["ConnectionFunctionAssociation"] == {"Id": new}


def test_rollback_never_attaches_a_connection_function_someone_made_of_that_name_meanwhile(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    """Made between the plan and the create: theirs, a conflict; the distribution is not given it."""
    _, dist, _, retired = retire_gate(emu, aws, workspace, cli)
    theirs = gate("connection.deny(); /*theirs*/")
    emu.before("CreateConnectionFunction", lambda _: seed_connection(aws, theirs))
    emu.reset_counts()
    back = cli("rollback", "--from", retired.json["backup_dir"], "--json")
    assert back.code == 1, back.out + back.err
    (function,) = back.json["functions"]
    assert function["status"] == "conflict", function
    (held,) = back.json["associations"]
    assert held["status"] == "blocked" and "not attached: conflict" in held["error"], held
    assert emu.counts().get("UpdateDistribution", 0) == 0
    assert "ConnectionFunctionAssociation" not in config(aws, dist)
    live = aws.get_connection_function(Identifier=connection_id(aws, "gate"), Stage="LIVE")
    assert live["ConnectionFunctionCode"].read() == theirs


def test_rollback_puts_no_connection_function_back_where_viewer_mtls_was_taken_off_since(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    _, dist, _, retired = retire_gate(emu, aws, workspace, cli)
    cfg = aws.get_distribution_config(Id=dist)  # someone takes viewer mTLS off the distribution
    plain = {k: v for k, v in cfg["DistributionConfig"].items() if k != "ViewerMtlsConfig"}
    aws.update_distribution(Id=dist, IfMatch=cfg["ETag"], DistributionConfig=plain)
    emu.reset_counts()
    plan = cli("plan", "--from", retired.json["backup_dir"])
    assert "no viewer mTLS" in plan.out + plan.err and writes(emu) == 0, plan.out + plan.err
    back = cli("rollback", "--from", retired.json["backup_dir"], "--json")
    assert back.code == 1, back.out + back.err
    assert emu.counts().get("UpdateDistribution", 0) == 0  # refused by the plan, not by CloudFront
    (refused,) = back.json["associations"]
    assert refused["status"] == "failed" and "no viewer mTLS" in refused["error"], refused
    assert {f["name"]: f["status"] for f in back.json["functions"]} == {"gate": "published"}
    assert "ConnectionFunctionAssociation" not in config(aws, dist)


def test_a_second_writer_between_read_and_write_keeps_their_change(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    dist = emu.seed_distribution(viewer_mtls="required")

    def someone_else(_: Emulator) -> None:
        cfg = aws.get_distribution_config(Id=dist)
        theirs = {**cfg["DistributionConfig"], "Comment": "theirs"}
        aws.update_distribution(Id=dist, IfMatch=cfg["ETag"], DistributionConfig=theirs)

    emu.before("UpdateDistribution", someone_else)
    manifest(workspace, {"gate": [dist]})
    run = cli("publish", "--json")
    assert run.code == 0, run.out + run.err
    cfg = config(aws, dist)
    assert cfg["Comment"] == "theirs"
    assert cfg["ConnectionFunctionAssociation"] == {"Id": connection_id(aws, "gate")}
    assert emu.counts()["UpdateDistribution"] == 3  # theirs, the run's refused with 412, the run's again
    assert emu.counts()["ListConnectionFunctions"] == 4  # two stages' listings, the Id once, the test's


def test_a_second_writer_on_the_same_slot_is_a_conflict_and_theirs_stays(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    theirs = seed_connection(aws, gate(), "theirs")
    dist = emu.seed_distribution(viewer_mtls="required")

    def someone_else(_: Emulator) -> None:
        cfg = aws.get_distribution_config(Id=dist)
        mine = {**cfg["DistributionConfig"], "ConnectionFunctionAssociation": {"Id": theirs}}
        aws.update_distribution(Id=dist, IfMatch=cfg["ETag"], DistributionConfig=mine)

    emu.before("UpdateDistribution", someone_else)
    manifest(workspace, {"gate": [dist]})
    run = cli("publish", "--json")
    assert run.code == 1, run.out + run.err
    (written,) = run.json["associations"]
    assert written["status"] == "conflict"
    assert "connection: this run would put gate where it read nothing" in written["conflicts"][0]
    assert config(aws, dist)["ConnectionFunctionAssociation"] == {"Id": theirs}
