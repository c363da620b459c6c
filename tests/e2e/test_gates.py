"""Tests gate the publish, preview tests in throwaway functions, KeyValueStores resolve, the wait ends."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from emulator import Emulator
from tests.e2e.conftest import FAKE, Run, code_of, handler

REDIRECT = b"""function handler(event) {
  console.log('host ' + event.request.headers.host.value);
  return {statusCode: 301, statusDescription: 'Moved', headers: {location: {value: 'https://www.example.com/'}}};
}
"""
BUSY = b"function handler(event) { var n = 0; for (var i = 0; i < 40000; i++) { n += i; } return event.request; }\n"
THROWS = b"function handler(event) { throw new Error('boom'); }\n"
EVENT = {
    "version": "1.0",
    "context": {"eventType": "viewer-request"},
    "viewer": {"ip": "198.51.100.1"},
    "request": {
        "method": "GET",
        "uri": "/",
        "querystring": {},
        "headers": {"host": {"value": "example.com"}},
        "cookies": {},
    },
}


def manifest(root: Path, entries: dict[str, tuple[bytes, str]]) -> None:
    """entries: name -> (code, YAML lines of its tests block or other keys, indented by 4)."""
    (root / "event.json").write_text(json.dumps(EVENT))
    lines = ["functions:"]
    for name, (code, extra) in entries.items():
        (root / f"{name}.js").write_bytes(code)
        lines.append(f"  - name: {name}\n    code: {name}.js\n    comment: {name}\n{extra}")
    (root / "cloudfront-functions.yml").write_text("\n".join(lines) + "\n")


def cases_block(expect: str = "", limit: int = 70) -> str:
    return (
        f"    tests:\n      - name: redirects\n        event: event.json\n"
        f"        max-compute-utilization: {limit}\n"
        + (f"        expect:\n          {expect}\n" if expect else "")
    )


def test_a_failing_test_blocks_exactly_that_functions_publish(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    manifest(
        workspace,
        {
            "good": (REDIRECT, cases_block("response.statusCode: 301")),
            "wrong": (REDIRECT, cases_block("response.statusCode: 302")),
            "broken": (THROWS, cases_block()),
        },
    )
    run = cli("publish", "--json")
    assert run.code == 1
    by = {f["name"]: f for f in run.json["functions"]}
    assert by["good"]["status"] == "published"
    assert (by["wrong"]["status"], by["broken"]["status"]) == ("blocked", "blocked")
    mismatch = by["wrong"]["tests"][0]["mismatch"]
    assert mismatch == "- response.statusCode: 302\n+ response.statusCode: 301"
    assert "boom" in by["broken"]["tests"][0]["error"]
    assert by["good"]["tests"][0]["logs"] == ["host example.com"]
    assert code_of(aws, "good", "LIVE") == REDIRECT
    for name in ("wrong", "broken"):  # DEVELOPMENT holds the code to debug; LIVE never got it
        assert code_of(aws, name, "DEVELOPMENT") in (REDIRECT, THROWS)
        with pytest.raises(aws.exceptions.NoSuchFunctionExists):
            aws.get_function(Name=name, Stage="LIVE")


def test_utilization_over_the_limit_blocks_the_publish(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    manifest(workspace, {"busy": (BUSY, cases_block(limit=50)), "relaxed": (BUSY, cases_block(limit=100))})
    by = {f["name"]: f for f in cli("publish", "--json").json["functions"]}
    assert by["busy"]["status"] == "blocked"
    assert "over the limit of 50" in by["busy"]["tests"][0]["error"]
    assert by["relaxed"]["status"] == "published"
    assert by["relaxed"]["tests"][0]["utilization"] > 50


def test_preview_tests_in_a_throwaway_function_and_always_deletes_it(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    emu.seed_function("good", handler(), comment="good", publish=True)
    manifest(
        workspace,
        {
            "good": (REDIRECT, cases_block("response.statusCode: 301")),
            "wrong": (REDIRECT, cases_block("response.statusCode: 302")),
            "untested": (handler("/*new*/ return event.request;"), ""),
        },
    )
    emu.reset_counts()
    run = cli("preview", "--json")
    assert run.code == 1  # a failing test in the preview fails the check
    by = {f["name"]: f for f in run.json["functions"]}
    assert by["good"]["status"] == "planned"
    assert by["good"]["tests"][0]["passed"] is True
    assert by["wrong"]["status"] == "blocked"
    assert by["untested"]["status"] == "planned"  # created and deleted: the service's checks still ran
    assert emu.counts()["CreateFunction"] == 3
    assert emu.counts()["DeleteFunction"] == 3
    names = [f["Name"] for f in aws.list_functions(Stage="DEVELOPMENT")["FunctionList"].get("Items", [])]
    assert names == ["good"]  # the throwaways are gone; the shared function was never written
    assert code_of(aws, "good", "DEVELOPMENT") == handler()
    assert emu.counts().get("UpdateFunction", 0) == emu.counts().get("PublishFunction", 0) == 0


def test_an_interrupted_preview_still_deletes_its_throwaway_functions(
    emu: Emulator, aws: Any, workspace: Path
) -> None:
    manifest(workspace, {"slow": (REDIRECT, cases_block())})
    emu.latency = 0.3  # long enough to land the signal while the preview runs
    env = {**os.environ, **FAKE}
    proc = subprocess.Popen(
        [sys.executable, "-m", "publisher", "preview", "--endpoint-url", emu.url],
        cwd=workspace,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while emu.counts().get("CreateFunction", 0) == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert "received signal" in err
    assert emu.counts()["DeleteFunction"] == 1, out + err
    assert aws.list_functions(Stage="DEVELOPMENT")["FunctionList"].get("Items", []) == []


def test_key_value_store_by_name_by_arn_and_removed(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    arn = aws.create_key_value_store(Name="settings")["KeyValueStore"]["ARN"]
    manifest(
        workspace,
        {
            "by-name": (handler(), "    key-value-store: settings"),
            "by-arn": (handler(), f"    key-value-store: {arn}"),
        },
    )
    assert cli("publish").code == 0
    for name in ("by-name", "by-arn"):
        config = aws.describe_function(Name=name, Stage="LIVE")["FunctionSummary"]["FunctionConfig"]
        assert config["KeyValueStoreAssociations"]["Items"] == [{"KeyValueStoreARN": arn}]
    manifest(workspace, {"by-name": (handler(), "    key-value-store: none")})
    assert cli("publish").code == 0
    config = aws.describe_function(Name="by-name", Stage="LIVE")["FunctionSummary"]["FunctionConfig"]
    assert config.get("KeyValueStoreAssociations", {}).get("Quantity", 0) == 0


def test_an_unknown_key_value_store_is_refused_before_anything_is_written(
    emu: Emulator, workspace: Path, cli: Callable[..., Run]
) -> None:
    manifest(workspace, {"a": (handler(), "    key-value-store: nope"), "b": (handler(), "")})
    emu.reset_counts()
    run = cli("publish")
    assert run.code == 2
    assert "cloudfront-functions.yml:5: a.key-value-store: KeyValueStore `nope` does not exist" in run.err
    assert emu.writes() == 0


def test_the_wait_follows_the_redeploy_until_deployed(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    arn = emu.seed_function("a", handler("/*old*/ return event.request;"), comment="a", publish=True)
    dist = emu.seed_distribution(default_function_arns=[(arn, "viewer-request")])
    emu.deploy_delay = 3.0
    manifest(workspace, {"a": (handler(), "")})
    started = time.monotonic()
    run = cli("publish", "--json", "--wait", "--wait-timeout-minutes", "1")
    assert run.code == 0, run.err
    assert time.monotonic() - started >= 2.5  # it did wait for the redeploy
    wait = run.json["wait"]
    assert (wait["timeout_minutes"], wait["deployed"], wait["timed_out"]) == (1.0, [dist], [])
    assert (wait["error"], wait["cancelled"]) == ("", False) and wait["deployed_at"]
    assert run.json["distributions"][0]["status"] == "Deployed"
    assert "1 of 1 distributions deployed after" in run.err


def test_the_wait_times_out_naming_what_is_still_in_progress(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    arn = emu.seed_function("a", handler("/*old*/ return event.request;"), comment="a", publish=True)
    dist = emu.seed_distribution(default_function_arns=[(arn, "viewer-request")])
    emu.deploy_delay = 600.0
    manifest(workspace, {"a": (handler(), "")})
    run = cli("publish", "--json", "--wait", "--wait-timeout-minutes", "0.1")
    assert run.code == 1
    assert run.json["wait"]["timed_out"] == [dist]
    assert run.json["functions"][0]["status"] == "published"  # the publish itself stands
    assert "0 of 1 distributions deployed after" in run.err


def test_without_credentials_plan_says_so(
    emu: Emulator, workspace: Path, monkeypatch: pytest.MonkeyPatch, cli: Callable[..., Run]
) -> None:
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(key)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(workspace / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(workspace / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    manifest(workspace, {"a": (handler(), "")})
    run = cli("plan")
    assert run.code == 2
    assert "no AWS credentials found" in run.err
    assert "Traceback" not in run.err
