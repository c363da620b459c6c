"""`cloudfront-publish import` as a process against the emulator, then `plan` over what it wrote.

The command runs as `python -m publisher` in its own process. botocore sends the KeyValueStore data
API to `<account id>.127.0.0.1` (see test_stores.py), so the process starts through a launcher that
bends only name resolution, then runs the package's `__main__` unchanged.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from emulator import Emulator
from tests.e2e.conftest import FAKE, Run

WRITES = (
    "CreateFunction",
    "UpdateFunction",
    "PublishFunction",
    "DeleteFunction",
    "UpdateKeys",
    "CreateKeyValueStore",
)

CRLF = b"function handler(event) {\r\n  return event.request;\r\n}\r\n"
LATIN1 = b"// caf\xe9 cr\xe8me: Latin-1, not UTF-8\nfunction handler(event) { return event.request; }\n"
NO_NEWLINE = "function handler(event) {\n  // grüße, 日本\n  return event.request;\n}".encode()
TRAILING = b"function handler(event) { return event.request; }\n\n\n"
READER = b"""import cf from 'cloudfront';
const kvs = cf.kvs();
async function handler(event) {
  const greeting = await kvs.get('greeting');
  event.request.headers['x-greeting'] = { value: greeting };
  return event.request;
}
"""
KEYS = {"greeting": "hello", "beta": "on", "grüße": 'quote " and \\ and 日本', "empty-ish": " "}


def command(emu: Emulator, cwd: Path, *args: str, env: dict[str, str] | None = None) -> Run:
    proc = subprocess.run(
        [sys.executable, "-m", "emulator.loopback", *args, "--endpoint-url", emu.url],
        cwd=cwd,
        env={**os.environ, **FAKE, "PYTHONPATH": str(Path(__file__).resolve().parents[2]), **(env or {})},
        capture_output=True,
        check=False,
        text=True,
        timeout=120,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def writes(emu: Emulator) -> int:
    return sum(emu.counts().get(op, 0) for op in WRITES)


ARN = "arn:aws:cloudfront::123456789012:function/"
TAGS = {"team": "Übersetzung", "cost:centre": "42", "empty": ""}


def seed_account(emu: Emulator, aws: Any) -> dict[str, bytes]:
    """Published functions of both runtimes with tricky bytes, one reading a store; a second store."""
    flags = aws.create_key_value_store(Name="flags", Comment="Feature flags")["KeyValueStore"]["ARN"]
    emu.seed_kvs_data(flags, KEYS)
    secrets = aws.create_key_value_store(Name="secrets")["KeyValueStore"]["ARN"]
    emu.seed_kvs_data(secrets, {"api-token": "s3cr3t-value"})
    codes = {"crlf": CRLF, "latin1": LATIN1, "no-newline": NO_NEWLINE, "trailing": TRAILING, "reader": READER}
    emu.seed_function("crlf", CRLF, runtime="cloudfront-js-1.0", comment="Umleitung \u2013 www", publish=True)
    emu.seed_function("latin1", LATIN1, comment='say "hi" # not a comment: yes', publish=True)
    emu.seed_function("no-newline", NO_NEWLINE, runtime="cloudfront-js-1.0", comment="", publish=True)
    emu.seed_function("trailing", TRAILING, comment="123", publish=True)
    emu.seed_function("reader", READER, comment="reads flags", kvs_arn=flags, publish=True)
    for arn, tags in {ARN + "crlf": TAGS, flags: {"team": "web"}, secrets: {"owner": "sec"}}.items():
        aws.tag_resource(Resource=arn, Tags={"Items": [{"Key": k, "Value": v} for k, v in tags.items()]})
    return codes


def test_an_imported_account_plans_no_change_byte_for_byte(emu: Emulator, aws: Any, tmp_path: Path) -> None:
    codes = seed_account(emu, aws)
    emu.seed_function(
        "reader-preview-pr9", READER, comment="cloudfront-publish preview pr9: throwaway copy of reader"
    )
    site = emu.seed_distribution(
        default_function_arns=[(ARN + "crlf", "viewer-request")],
        behaviours=[("/api/*", [(ARN + "trailing", "viewer-response"), (ARN + "crlf", "viewer-request")])],
    )
    emu.reset_counts()

    run = command(emu, tmp_path, "import", "--sensitive", "secrets")

    assert run.code == 0, run.err
    assert writes(emu) == 0
    counts = emu.counts()
    assert counts["ListFunctions"] == 2 and counts["GetFunction"] == 2 * len(codes)  # one listing pass
    assert counts["ListTagsForResource"] == len(codes) + 2  # each function and store, beside the reads
    written = (tmp_path / "cloudfront-functions.yml").read_text()
    assert '    tags: {"cost:centre": "42", "empty": "", "team": "Übersetzung"}\n' in written, written
    assert (  # every behaviour and event where a distribution runs it, so the plan moves nothing
        "    associations:\n"
        f'      - {{distribution: "{site}", path: "default", event: "viewer-request"}}\n'
        f'      - {{distribution: "{site}", path: "/api/*", event: "viewer-request"}}\n'
    ) in written, written
    assert written.count("associations:") == 2  # crlf and trailing; the others run nowhere
    for name, code in codes.items():
        assert (tmp_path / "functions" / f"{name}.js").read_bytes() == code, name
    assert not (tmp_path / "functions" / "reader-preview-pr9.js").exists()  # throwaways are not imported
    data = json.loads((tmp_path / "kvs" / "flags.json").read_text(encoding="utf-8"))
    assert {e["key"]: e["value"] for e in data["data"]} == KEYS
    assert not (tmp_path / "kvs" / "secrets.json").exists()  # a sensitive store's keys never touch disk
    assert "s3cr3t" not in "".join(p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file())
    assert "reader-preview-pr9" not in (tmp_path / "cloudfront-functions.yml").read_text()
    assert (
        '  - name: "flags"\n    comment: "Feature flags"\n'
        in (tmp_path / "cloudfront-functions.yml").read_text()
    )

    emu.reset_counts()
    plan = command(emu, tmp_path, "plan", "--detailed-exitcode", "--json")

    assert plan.code == 0, plan.out + plan.err  # 0 with --detailed-exitcode: nothing would change
    result = json.loads(plan.out)
    assert {f["name"]: f["actions"] for f in result["functions"]} == {n: [] for n in codes}
    assert {s["name"]: s["actions"] for s in result["stores"]} == {"flags": [], "secrets": []}
    assert writes(emu) == 0
    assert emu.counts()["ListTagsForResource"] == 3  # only the resources whose entry names tags
    assert result["associations"] == [] and emu.counts()["GetDistributionConfig"] == 1


def test_stages_that_differ_give_a_bare_name_and_the_reason_unless_a_stage_is_taken(
    emu: Emulator, tmp_path: Path
) -> None:
    emu.seed_function("same", CRLF, comment="same", publish=True)
    emu.seed_function("draft", b"function handler(event) { return event.request; } // v1\n", publish=True)
    emu.seed_function("draft", b"function handler(event) { return event.request; } // v2\n")
    emu.seed_function("never", b"function handler(event) { return event.request; } // new\n")

    (tmp_path / "bare").mkdir()
    bare = command(emu, tmp_path / "bare", "import", "--out", "adopted")
    assert bare.code == 0, bare.err
    manifest = (tmp_path / "bare" / "adopted" / "cloudfront-functions.yml").read_text()
    assert '  - "draft"  # DEVELOPMENT differs from LIVE' in manifest
    assert '  - "never"  # never published' in manifest
    assert "draft: a bare name; DEVELOPMENT differs from LIVE: pass --stage" in bare.err
    assert sorted(p.name for p in (tmp_path / "bare" / "adopted" / "functions").iterdir()) == ["same.js"]

    (tmp_path / "live").mkdir()
    taken = command(emu, tmp_path / "live", "import", "--stage", "LIVE", "--functions", "draft,same")
    assert taken.code == 0, taken.err
    assert (tmp_path / "live" / "functions" / "draft.js").read_bytes().endswith(b"// v1\n")
    plan = command(emu, tmp_path / "live", "plan", "--json")
    actions = {f["name"]: f["actions"] for f in json.loads(plan.out)["functions"]}
    assert actions == {"draft": ["update"], "same": []}  # DEVELOPMENT goes back to LIVE; nothing to publish


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--functions", "ghost"), "no function `ghost` in the account"),
        (("--stores", "nowhere"), "no KeyValueStore `nowhere` in the account"),
        (("--functions", "a-preview-pr1"), "`a-preview-pr1` is a throwaway preview copy, not imported"),
        ((), "cloudfront-functions.yml already exists; nothing was written (--force overwrites)"),
    ],
)
def test_refusals_exit_2_and_write_nothing(
    emu: Emulator, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    emu.seed_function("a", CRLF, comment="a", publish=True)
    emu.seed_function("a-preview-pr1", CRLF, comment="cloudfront-publish preview pr1: throwaway copy of a")
    (tmp_path / "cloudfront-functions.yml").write_text("functions: [mine]\n")

    run = command(emu, tmp_path, "import", *args)

    assert run.code == 2, run.err
    assert run.err.strip().splitlines() == [f"error: {message}"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cloudfront-functions.yml"]
    assert (tmp_path / "cloudfront-functions.yml").read_text() == "functions: [mine]\n"


def test_force_overwrites_what_exists(emu: Emulator, tmp_path: Path) -> None:
    emu.seed_function("a", CRLF, comment="a", publish=True)
    (tmp_path / "cloudfront-functions.yml").write_text("functions: [mine]\n")
    assert command(emu, tmp_path, "import", "--force").code == 0
    assert (tmp_path / "functions" / "a.js").read_bytes() == CRLF
    assert '"a"' in (tmp_path / "cloudfront-functions.yml").read_text()


def test_after_an_import_a_change_made_in_the_console_is_drift(
    emu: Emulator, aws: Any, tmp_path: Path
) -> None:
    """What the nightly drift workflow relies on: exit 3 once LIVE no longer matches the repository."""
    emu.seed_function("a", CRLF, comment="a", publish=True)
    assert command(emu, tmp_path, "import").code == 0
    assert command(emu, tmp_path, "plan", "--detailed-exitcode").code == 0
    emu.seed_function("a", CRLF + b"// edited by hand\n", comment="a", publish=True)

    plan = command(emu, tmp_path, "plan", "--detailed-exitcode")

    assert plan.code == 3, plan.out + plan.err


def test_an_out_that_is_a_file_or_a_bad_concurrency_refuses_before_any_call(
    emu: Emulator, tmp_path: Path
) -> None:
    (tmp_path / "taken").write_text("x")
    run = command(emu, tmp_path, "import", "--out", "taken")
    assert (run.code, run.err) == (2, "error: --out taken is not a folder\n")
    run = command(emu, tmp_path, "import", "--max-concurrency", "0")
    assert (run.code, run.err) == (2, "error: --max-concurrency must be 1 to 64 (got 0)\n")
    assert emu.counts() == {}


GATE = b"function connectionHandler(connection) {\r\n  connection.allow();\r\n}\r\n"


def test_a_mixed_account_with_connection_functions_on_distributions_plans_no_change(
    emu: Emulator, aws: Any, tmp_path: Path
) -> None:
    flags = aws.create_key_value_store(Name="flags")["KeyValueStore"]["ARN"]
    emu.seed_kvs_data(flags, {"on": "yes"})
    emu.seed_function("gate", READER, comment="viewer gate", kvs_arn=flags, publish=True)
    ids: dict[str, str] = {}
    for name, comment in (("gate", "mTLS gate"), ("spare", "")):
        config: dict[str, Any] = {"Comment": comment, "Runtime": "cloudfront-js-2.0"}
        if name == "gate":
            config["KeyValueStoreAssociations"] = {"Quantity": 1, "Items": [{"KeyValueStoreARN": flags}]}
        made = aws.create_connection_function(
            Name=name, ConnectionFunctionConfig=config, ConnectionFunctionCode=GATE
        )
        ids[name] = made["ConnectionFunctionSummary"]["Id"]
        aws.publish_connection_function(Id=ids[name], IfMatch=made["ETag"])
    dists = [emu.seed_distribution(viewer_mtls="required") for _ in range(2)]
    for dist in dists:
        got = aws.get_distribution_config(Id=dist)
        attached = {**got["DistributionConfig"], "ConnectionFunctionAssociation": {"Id": ids["gate"]}}
        aws.update_distribution(Id=dist, IfMatch=got["ETag"], DistributionConfig=attached)
    emu.reset_counts()

    run = command(emu, tmp_path, "import")

    assert run.code == 0, run.err
    assert writes(emu) == 0
    assert emu.counts()["ListDistributionsByConnectionFunction"] == 2
    assert (tmp_path / "functions" / "gate.js").read_bytes() == READER
    assert (tmp_path / "connection-functions" / "gate.js").read_bytes() == GATE
    manifest = (tmp_path / "cloudfront-functions.yml").read_text()
    assert f'    distributions: ["{sorted(dists)[0]}", "{sorted(dists)[1]}"]' in manifest
    assert '  - name: "spare"' in manifest and "    distributions: []" in manifest

    emu.reset_counts()
    plan = command(emu, tmp_path, "plan", "--detailed-exitcode", "--json")

    assert plan.code == 0, plan.out + plan.err
    result = json.loads(plan.out)
    assert sorted((f["kind"], f["name"], tuple(f["actions"])) for f in result["functions"]) == [
        ("connection-function", "gate", ()),
        ("connection-function", "spare", ()),
        ("function", "gate", ()),
    ]
    assert result["associations"] == []
    assert writes(emu) == 0
