"""Connection functions end to end: whole commands over HTTP against the emulator with real boto3, in
a manifest beside viewer functions, one name shared by both kinds."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from emulator import Emulator
from tests.e2e.conftest import Run, code_of, handler
from tests.e2e.test_import import command
from tests.e2e.test_stores import loopback

__all__ = ["loopback"]  # the examples declare a store: its data API's host must resolve here

CONNECTION_WRITES = ("CreateConnectionFunction", "UpdateConnectionFunction", "PublishConnectionFunction")
WRITES = ("CreateFunction", "UpdateFunction", "PublishFunction", *CONNECTION_WRITES)
CONFIG = {"Comment": "was live", "Runtime": "cloudfront-js-2.0"}


def gate(body: str = "connection.allow();") -> bytes:
    return f"function handler(connection) {{\n  {body}\n}}\n".encode()


TRUSTED_ONLY = gate(
    "if (connection.clientCertInfo.issuer === 'CN=trusted') { connection.allow(); } else { connection.deny(); }"
)


def write(root: Path, connection: bytes = TRUSTED_ONLY, tests: str = "", runtime: str = "") -> None:
    (root / "viewer.js").write_bytes(handler())
    (root / "gate.js").write_bytes(connection)
    extra = f"    runtime: {runtime}\n" if runtime else ""
    (root / "cloudfront-functions.yml").write_text(
        "functions:\n  - name: gate\n    code: viewer.js\n    comment: viewer\n"
        f"connection-functions:\n  - name: gate\n    code: gate.js\n    comment: mTLS\n{extra}{tests}"
    )


TESTS = (
    "    tests:\n"
    "      - name: trusted\n        connection: {clientCertInfo: {issuer: CN=trusted}}\n        expect: allow\n"
    "      - name: stranger\n        connection: {clientCertInfo: {issuer: CN=stranger}}\n        expect: deny\n"
)


def writes(emu: Emulator, ops: tuple[str, ...] = WRITES) -> int:
    return sum(emu.counts().get(op, 0) for op in ops)


def connection_code(aws: Any, name: str, stage: str) -> bytes:
    (found,) = [
        s for s in aws.list_connection_functions(Stage=stage)["ConnectionFunctions"] if s["Name"] == name
    ]
    return bytes(
        aws.get_connection_function(Identifier=found["Id"], Stage=stage)["ConnectionFunctionCode"].read()
    )


def seed_connection(aws: Any, code: bytes, name: str = "gate") -> str:
    """A published connection function (`gate`), as another client left it; answers its Id."""
    made = aws.create_connection_function(
        Name=name, ConnectionFunctionConfig=CONFIG, ConnectionFunctionCode=code
    )
    cid = made["ConnectionFunctionSummary"]["Id"]
    aws.publish_connection_function(Id=cid, IfMatch=made["ETag"])
    return str(cid)


def by_kind(run: Run) -> dict[str, dict[str, Any]]:
    return {f["kind"]: f for f in run.json["functions"]}


def test_a_mixed_manifest_publishes_both_kinds_and_a_rerun_writes_nothing(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    write(workspace, tests=TESTS)
    first = cli("publish", "--json")
    assert first.code == 0, first.out + first.err
    found = by_kind(first)
    assert found["function"]["status"] == found["connection-function"]["status"] == "published"
    assert found["connection-function"]["name"] == "gate"
    assert [t["passed"] for t in found["connection-function"]["tests"]] == [True, True]
    assert sorted(first.json["published"]) == ["connection-function gate", "gate"]
    assert code_of(aws, "gate", "LIVE") == handler()
    assert connection_code(aws, "gate", "LIVE") == TRUSTED_ONLY
    assert emu.counts()["TestConnectionFunction"] == 2
    emu.reset_counts()
    second = cli("publish", "--json")
    assert second.code == 0
    assert [f["status"] for f in second.json["functions"]] == ["unchanged", "unchanged"]
    assert writes(emu) == 0
    assert emu.counts().get("TestConnectionFunction", 0) == 0


def test_the_live_replaced_is_backed_up_for_each_kind_apart(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    old = gate("connection.deny();")
    seed_connection(aws, old)
    emu.seed_function("gate", handler("/*old*/ return event.request;"), comment="was live", publish=True)
    write(workspace)
    run = cli("publish", "--json", "--backup-dir", "backups")
    assert run.code == 0, run.out + run.err
    found = by_kind(run)
    viewer, connection = found["function"]["backup"], found["connection-function"]["backup"]
    assert viewer != connection
    assert (workspace / viewer).read_bytes() == handler("/*old*/ return event.request;")
    assert (workspace / connection).read_bytes() == old
    saved = json.loads((workspace / connection).with_suffix(".json").read_text())
    assert (saved["Kind"], saved["Name"]) == ("connection-function", "gate")
    assert ".CONNECTION-LIVE." in connection


def test_a_second_writer_on_the_connection_function_is_a_conflict(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    cid = seed_connection(aws, gate("connection.deny();"))
    theirs = gate("connection.allow(); /* theirs */")

    def someone_else(_: Emulator) -> None:
        etag = aws.describe_connection_function(Identifier=cid, Stage="DEVELOPMENT")["ETag"]
        aws.update_connection_function(
            Id=cid, IfMatch=etag, ConnectionFunctionConfig=CONFIG, ConnectionFunctionCode=theirs
        )

    emu.before("UpdateConnectionFunction", someone_else)
    write(workspace)
    run = cli("publish", "--json")
    assert run.code == 1
    found = by_kind(run)
    assert found["connection-function"]["status"] == "conflict"
    assert "DEVELOPMENT changed after it was read" in found["connection-function"]["error"]
    assert found["function"]["status"] == "published"  # the viewer function of the same name went on
    assert connection_code(aws, "gate", "DEVELOPMENT") == theirs
    assert connection_code(aws, "gate", "LIVE") == gate("connection.deny();")
    assert emu.counts().get("PublishConnectionFunction", 0) == 1  # the seed's own, none of the run's
    assert run.json["failed"] == ["connection-function gate"]


def test_a_failing_connection_test_blocks_its_publish(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    write(workspace, connection=gate("connection.deny();"), tests=TESTS)
    run = cli("publish", "--json")
    assert run.code == 1
    found = by_kind(run)
    assert found["connection-function"]["status"] == "blocked"
    assert [t["passed"] for t in found["connection-function"]["tests"]] == [False, True]
    assert "1 of 2 tests failed (trusted)" in found["connection-function"]["error"]
    assert emu.counts().get("PublishConnectionFunction", 0) == 0
    assert found["function"]["status"] == "published"
    console = cli("publish")
    assert "connection-function gate" in console.out


def test_runtime_1_is_refused_before_any_call(
    emu: Emulator, workspace: Path, cli: Callable[..., Run]
) -> None:
    write(workspace, runtime="cloudfront-js-1.0")
    run = cli("publish")
    assert run.code == 2
    assert "gate.runtime: a connection function runs on cloudfront-js-2.0 only" in run.err + run.out
    assert sum(emu.counts().values()) == 0


def test_the_example_connection_function_passes_its_tests_and_publishes(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    shutil.copytree(Path(__file__).parents[2] / "examples", workspace / "examples")
    store = aws.create_key_value_store(Name="revoked-serials")["KeyValueStore"]["ARN"]
    emu.seed_kvs_data(store, {"0A1B2C": "revoked 2026-01-05"})
    dist = emu.seed_distribution(aliases=["mtls.example.com"], viewer_mtls="required")
    run = cli(
        "publish", "--json", "--manifest", "examples/cloudfront-functions.yml", "--functions", "mtls-gate"
    )
    assert run.code == 0, run.out + run.err
    (found,) = run.json["functions"]
    assert (found["kind"], found["status"]) == ("connection-function", "published")
    assert [t["passed"] for t in found["tests"]] == [True, True]
    cid = aws.list_connection_functions(Stage="LIVE")["ConnectionFunctions"][0]["Id"]
    config = aws.get_distribution_config(Id=dist)["DistributionConfig"]
    assert config["ConnectionFunctionAssociation"] == {"Id": cid}


def test_a_rollback_restores_each_kind_from_its_own_backup(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    write(workspace, connection=gate("connection.deny();"))
    assert cli("publish").code == 0
    (workspace / "viewer.js").write_bytes(handler("/*v2*/ return event.request;"))
    (workspace / "gate.js").write_bytes(TRUSTED_ONLY)
    assert cli("publish").code == 0
    emu.reset_counts()
    run = cli("rollback", "--from", "cloudfront-backups", "--json")
    assert run.code == 0, run.out + run.err
    assert all(
        ".LIVE." in f["restored_from"] or ".CONNECTION-LIVE." in f["restored_from"]
        for f in run.json["functions"]
    )
    assert {f["kind"]: f["status"] for f in run.json["functions"]} == {
        "function": "published",
        "connection-function": "published",
    }
    assert code_of(aws, "gate", "LIVE") == handler()
    assert connection_code(aws, "gate", "LIVE") == gate("connection.deny();")
    assert emu.counts().get("TestConnectionFunction", 0) == 0


def test_a_preview_tests_a_throwaway_connection_function_and_deletes_it(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    write(workspace, connection=gate("connection.deny();"), tests=TESTS)
    run = cli("preview", "--json")
    assert run.code == 1, run.out + run.err
    found = by_kind(run)
    assert found["connection-function"]["status"] == "blocked"
    assert "1 of 2 tests failed in the preview (trusted)" in found["connection-function"]["error"]
    counts = emu.counts()
    assert counts["CreateConnectionFunction"] == counts["DeleteConnectionFunction"] == 1
    assert counts["TestConnectionFunction"] == 2
    assert counts.get("PublishConnectionFunction", 0) == 0
    assert aws.list_connection_functions(Stage="DEVELOPMENT")["ConnectionFunctions"] == []


def test_a_mixed_manifest_makes_the_calls_of_the_bound(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    """N=20 viewer and M=5 connection functions, 2 and 1 of them changed. The bound, as bench/floor.py
    counts it for viewer functions, with the connection functions' own listing and reads beside:
    ListFunctions and ListConnectionFunctions per stage, two code reads per function, one page of
    each distribution listing, and four calls per changed function (both stages described, update,
    publish)."""
    n, m = 20, 5
    lines = ["functions:"]
    for i in range(n):
        code = handler(f"return event.request; /*{i}*/")
        emu.seed_function(f"v{i}", code, comment=f"v{i}", publish=True)
        (workspace / f"v{i}.js").write_bytes(handler("return event.request; /*new*/") if i < 2 else code)
        lines.append(f"  - name: v{i}\n    code: v{i}.js\n    comment: v{i}")
    lines.append("connection-functions:")
    for i in range(m):
        code = gate(f"connection.allow(); /*{i}*/")
        made = aws.create_connection_function(
            Name=f"c{i}",
            ConnectionFunctionConfig={"Comment": f"c{i}", "Runtime": "cloudfront-js-2.0"},
            ConnectionFunctionCode=code,
        )
        aws.publish_connection_function(Id=made["ConnectionFunctionSummary"]["Id"], IfMatch=made["ETag"])
        (workspace / f"c{i}.js").write_bytes(gate("connection.deny();") if i < 1 else code)
        lines.append(f"  - name: c{i}\n    code: c{i}.js\n    comment: c{i}")
    (workspace / "cloudfront-functions.yml").write_text("\n".join(lines) + "\n")
    emu.reset_counts()
    run = cli("publish", "--json")
    assert run.code == 0, run.out + run.err
    assert sorted(run.json["published"]) == ["connection-function c0", "v0", "v1"]
    bound = (2 + 2 * n) + (2 + 2 * m) + 2 + 4 * 3
    made = sum(emu.counts().values())
    print(f"calls {made} of a bound of {bound}: {made / bound:.2f}x")
    assert bound <= made <= 1.1 * bound, (made, bound, emu.counts())


def test_cleanup_deletes_a_connection_preview_left_by_a_killed_run(
    emu: Emulator, aws: Any, workspace: Path
) -> None:
    """A marked, never-published connection function named like a preview copy; the manifest's own
    connection function of the name `gate` and a viewer function's leftover of the same run apart."""
    write(workspace)
    config = {
        "Comment": "cloudfront-publish preview pr9: throwaway copy of gate",
        "Runtime": "cloudfront-js-2.0",
    }
    aws.create_connection_function(
        Name="gate-preview-pr9", ConnectionFunctionConfig=config, ConnectionFunctionCode=gate()
    )
    seed_connection(aws, gate())  # the manifest's own `gate`, never a throwaway
    emu.seed_function("gate-preview-pr9", handler(), comment=config["Comment"])  # a viewer copy, too
    run = command(emu, workspace, "cleanup", "--run-id", "pr9", "--json")
    assert run.code == 0, run.err
    assert sorted(json.loads(run.out)["deleted"]) == [
        "connection-function gate-preview-pr9",
        "gate-preview-pr9",
    ]
    left = [s["Name"] for s in aws.list_connection_functions(Stage="DEVELOPMENT")["ConnectionFunctions"]]
    assert left == ["gate"]
    assert emu.counts()["DeleteConnectionFunction"] == emu.counts()["DeleteFunction"] == 1
