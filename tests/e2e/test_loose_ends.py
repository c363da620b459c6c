"""The account's loose ends over HTTP from the emulator with real boto3: reported by every run from
the listings it made, and the quotas checked before a run creates anything."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from emulator import Emulator
from tests.e2e.conftest import Run, handler, write_manifest


def test_every_kind_of_loose_end_is_found_from_the_listings_alone(
    emu: Emulator, workspace: Path, cli: Callable[..., Run]
) -> None:
    """Unattached functions, unused stores and throwaways: judged from the listings every run makes,
    with no per-function read beyond the manifest's own functions."""
    import boto3

    aws = boto3.client("cloudfront", endpoint_url=emu.url, region_name="us-east-1")
    used = aws.create_key_value_store(Name="used")["KeyValueStore"]["ARN"]
    aws.create_key_value_store(Name="idle")
    live = emu.seed_function("live", handler(), comment="live", publish=True)
    emu.seed_function("forgotten", handler(), comment="by hand", publish=True)
    emu.seed_function("reader", handler(), comment="reads", kvs_arn=used)
    emu.seed_function(
        "a-preview-pr3", handler(), comment="cloudfront-publish preview pr3: throwaway copy of a"
    )
    emu.seed_distribution(default_function_arns=[(live, "viewer-request")])
    write_manifest(workspace, {"reader": handler()})
    emu.reset_counts()

    run = cli("plan", "--json")

    assert run.code == 0, run.err
    found = run.json["account"]
    assert found["unattached_functions"] == ["forgotten"]
    assert found["unused_stores"] == ["idle"]
    assert found["throwaways"] == ["a-preview-pr3"]
    assert (found["functions"]["count"], found["stores"]["count"]) == (4, 2)
    listings = (
        "ListFunctions",
        "ListKeyValueStores",
        "ListDistributions",
        "ListDistributionsByConnectionMode",
    )
    assert {op: emu.counts()[op] for op in listings} == dict(zip(listings, (2, 1, 1, 1), strict=True))
    assert emu.counts()["GetFunction"] == 2  # the manifest's one function, both stages; no other


def test_a_run_reports_the_accounts_loose_ends_from_the_listings_it_made(
    emu: Emulator, workspace: Path, cli: Callable[..., Run]
) -> None:
    emu.seed_function("forgotten", handler(), comment="by hand", publish=True)
    emu.seed_function(
        "a-preview-pr3", handler(), comment="cloudfront-publish preview pr3: throwaway copy of a"
    )
    write_manifest(workspace, {"a": handler()})
    run = cli("plan", "--json")
    assert run.code == 0, run.err
    account = run.json["account"]
    assert account["unattached_functions"] == ["forgotten"] and account["throwaways"] == ["a-preview-pr3"]
    assert account["functions"] == {"count": 2, "quota": 100}
    console = cli("plan").out
    assert (
        "Account, as read before this run: 2 of 100 functions" in console
        and "1 preview copies left behind" in console
    )


def test_a_run_that_would_create_past_the_quota_is_refused_before_any_write(
    emu: Emulator, workspace: Path, cli: Callable[..., Run]
) -> None:
    for i in range(99):
        emu.seed_function(f"existing-{i:02d}", handler(), comment="x")
    emu.seed_function(
        "a-preview-pr3", handler(), comment="cloudfront-publish preview pr3: throwaway copy of a"
    )
    write_manifest(workspace, {"new-one": handler(), "new-two": handler()})
    emu.reset_counts()
    run = cli("publish")
    assert run.code == 2, run.out + run.err
    assert "creating 2 functions would pass the account's quota: 100 of 100 exist" in run.err
    assert "1 throwaway preview copies could be deleted (`cleanup`)" in run.err
    assert emu.writes() == 0
    write_manifest(workspace, {"existing-00": handler("/*v2*/ return event.request;")})
    assert cli("publish").code == 0  # an update creates nothing: no quota stands in its way


def test_connection_functions_have_a_quota_of_their_own(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    """100 viewer functions do not stop a new connection function; 100 connection functions do."""
    for i in range(100):
        emu.seed_function(f"viewer-{i:03d}", handler(), comment="x")
    (workspace / "gate.js").write_bytes(b"function handler(connection) {\n  connection.allow();\n}\n")
    (workspace / "cloudfront-functions.yml").write_text(
        "connection-functions:\n  - name: gate\n    code: gate.js\n"
    )
    assert cli("publish").code == 0

    config = {"Comment": "", "Runtime": "cloudfront-js-2.0"}
    for i in range(99):  # with gate, 100
        aws.create_connection_function(
            Name=f"gate-{i:02d}", ConnectionFunctionConfig=config, ConnectionFunctionCode=b"x"
        )
    (workspace / "cloudfront-functions.yml").write_text(
        "connection-functions:\n  - name: gate\n    code: gate.js\n  - name: one-more\n    code: gate.js\n"
    )
    emu.reset_counts()
    run = cli("publish")
    assert run.code == 2, run.out + run.err
    assert "creating 1 connection functions would pass the account's quota: 100 of 100 exist" in run.err
    assert emu.writes() == 0
