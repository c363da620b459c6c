"""A sensitive store's values, from the outside: whole commands against the emulator with real boto3,
every channel a value could leave the run by read back and searched for it."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from emulator import Emulator
from tests.e2e.conftest import Run
from tests.e2e.test_stores import loopback, manifest

__all__ = ["loopback"]  # the fixture that resolves the data API's host, used here by name

# Values whose escaping in a logged body has fooled a pattern: a quote (escaped twice inside a bytes
# literal), a value that looks like JSON with its own "Value", a backslash, an apostrophe.
TRICKY = {
    "quoted": 'he said "SECRET-QUOTED-TAIL" then left',
    "json": '{"Value": "SECRET-JSON-INNER", "also": ["SECRET-JSON-LIST"]}',
    "backslash": 'C:\\path\\"SECRET-BACKSLASH-TAIL',
    "apostrophe": "it's SECRET-APOSTROPHE-TAIL",
}
MARKS = (
    "SECRET-QUOTED-TAIL",
    "SECRET-JSON-INNER",
    "SECRET-JSON-LIST",
    "SECRET-BACKSLASH-TAIL",
    "SECRET-APOSTROPHE-TAIL",
)


@pytest.fixture
def sdk_debug_log(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The SDK's debug log turned on, as a user may, written to a file."""
    path = tmp_path_factory.mktemp("logs") / "botocore.log"
    handler = logging.FileHandler(path)
    sdk = logging.getLogger("botocore")
    level = sdk.level
    sdk.addHandler(handler)
    sdk.setLevel(logging.DEBUG)
    try:
        yield path
    finally:
        sdk.removeHandler(handler)
        sdk.setLevel(level)
        handler.close()


def test_the_sdk_debug_log_shows_no_part_of_a_value_however_it_is_escaped(
    emu: Emulator, workspace: Path, cli: Callable[..., Run], sdk_debug_log: Path
) -> None:
    manifest(workspace, {"old": "nothing to hide yet"}, sensitive=True, tests=False)
    assert cli("publish").code == 0
    manifest(workspace, TRICKY, sensitive=True, tests=False)
    assert cli("publish").code == 0  # UpdateKeys carries the values
    manifest(workspace, {"old": "nothing to hide yet"}, sensitive=True, tests=False)
    assert cli("publish").code == 0  # ListKeys answers them
    text = sdk_debug_log.read_text()
    assert "UpdateKeys" in text and "ListKeys" in text  # the log did see the bodies
    leaks = [line[:300] for line in text.splitlines() if any(m in line for m in MARKS)]
    assert leaks == []


LEAKER = b"""import cf from 'cloudfront';
const kvs = cf.kvs();
async function handler(event) {
  const token = await kvs.get('token');
  console.log('the token is ' + token);
  event.request.headers['x-token'] = { value: token };
  return event.request;
}
"""
SECRET = 'tok-"Quoted"-SECRET-7f3a9'  # a quote too: the mismatch shows values as JSON, escaped


def leaking_manifest(root: Path) -> None:
    """A sensitive store, and a function whose test logs the value and whose expectation shows it."""
    manifest(root, {"token": SECRET, "greeting": "hello"}, sensitive=True, tests=False)
    (root / "ab-route.js").write_bytes(LEAKER)
    event = (
        "{version: '1.0', context: {eventType: viewer-request}, viewer: {ip: 1.2.3.4},"
        " request: {method: GET, uri: /, querystring: {}, headers: {}, cookies: {}}}"
    )
    with (root / "cloudfront-functions.yml").open("a") as text:
        text.write(
            f"    tests:\n      - name: copies-the-token\n        event: {event}\n"
            "        expect:\n          request.headers.x-token.value: something else\n"
        )


def forms(value: str) -> list[str]:
    return [value, value.replace('"', '\\"'), "SECRET-7f3a9"]


def test_a_sensitive_value_a_test_logs_or_mismatches_is_in_no_channel_of_the_command_line(
    emu: Emulator, workspace: Path, cli: Callable[..., Run]
) -> None:
    leaking_manifest(workspace)
    json_run = cli("publish", "--json", "--summary", "summary.md")
    assert json_run.code == 1, json_run.out  # the expectation fails: the function is blocked
    (function,) = json_run.json["functions"]
    assert function["status"] == "blocked" and function["tests"][0]["logs"], function
    console = cli("sync")
    shown = {"json": json_run.out, "stderr": json_run.err, "summary": (workspace / "summary.md").read_text()}
    shown |= {"console": console.out, "console stderr": console.err}
    for channel, text in shown.items():
        for form in forms(SECRET):
            assert form not in text, f"{form!r} in {channel}"
    assert "the token is" in json_run.out  # the log line itself is kept, its value hidden


def test_a_sensitive_value_a_test_shows_is_in_no_channel_of_the_action(
    emu: Emulator, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io
    from contextlib import redirect_stderr, redirect_stdout

    from publisher.action import main

    leaking_manifest(workspace)
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_OUTPUT": str(workspace / "output"),
        "GITHUB_STEP_SUMMARY": str(workspace / "summary"),
        "INPUT_MODE": "publish",
        "GITHUB_SHA": "0123456789ab",
    }
    monkeypatch.setenv("AWS_ENDPOINT_URL", emu.url)
    log = io.StringIO()
    with redirect_stdout(log), redirect_stderr(log):
        assert main(env) == 1
    shown = {"log": log.getvalue()}
    shown |= {name: (workspace / name).read_text() for name in ("output", "summary")}
    assert "copies-the-token" in shown["output"]
    for channel, text in shown.items():
        for form in forms(SECRET):
            assert form not in text, f"{form!r} in {channel}"
