"""No credential is ever written: not the secret key, not the session token, not a signed header.

The runs use fake credentials with distinctive values, under faults (so that retries, errors and
failure reports are written too), with every logger at DEBUG, as `boto3.set_stream_logger('',
logging.DEBUG)` would set it; the publisher has no debug switch of its own. Then everything written
is searched: stdout, stderr, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, every file in the workspace (the
backups among them), and every log record.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from emulator import Emulator
from publisher import action
from publisher.shell.redact import redact
from tests.reliability.harness import MANIFEST, fake_aws, handler, quick_backoff, run_cli

KEY_ID = "AKIAFAKEKEYID7Q3XZ9W"
SECRET = "fakeSecret/Z9q8W7e6R5t4Y3u2I1o0PlMnBvCxZaSd"
TOKEN = "FakeSessionToken//Zm9vYmFyYmF6cXV4+ZmFrZXRva2Vu=="
EVENT = '{"version": "1.0", "context": {"eventType": "viewer-request"}, "viewer": {"ip": "198.51.100.9"}, "request": {"method": "GET", "uri": "/", "querystring": {}, "headers": {}, "cookies": {}}}'

# What must never appear: the values themselves, and the shapes of signed material whatever the values
FORBIDDEN = [
    re.compile(re.escape(value)) for value in (KEY_ID, SECRET, TOKEN, SECRET.replace("/", "%2F"))
] + [
    re.compile(r"AWS4-HMAC-SHA256 Credential="),  # an Authorization header's value
    re.compile(r"Signature[=:]\s*[0-9a-f]{64}"),  # a SigV4 signature, in a header or botocore's log
    re.compile(r"(?i)x-amz-security-token['\"]?\s*[:=]\s*b?['\"]?[A-Za-z0-9+/=]{8}"),
]


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.texts.append(f"{record.name}: {self.format(record)}")


@pytest.fixture
def records(monkeypatch: pytest.MonkeyPatch) -> Iterator[Records]:
    root, handler_ = logging.getLogger(), Records()
    level = root.level
    root.addHandler(handler_)
    root.setLevel(logging.DEBUG)
    yield handler_
    root.removeHandler(handler_)
    root.setLevel(level)


@pytest.fixture
def scene(emu: Emulator, workspace: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    fake_aws(
        monkeypatch,
        AWS_ACCESS_KEY_ID=KEY_ID,
        AWS_SECRET_ACCESS_KEY=SECRET,
        AWS_SESSION_TOKEN=TOKEN,
        AWS_ENDPOINT_URL=emu.url,
    )
    quick_backoff(monkeypatch)
    emu.seed_function("live", handler("was live"), comment="live", publish=True)
    (workspace / "live.js").write_bytes(handler("new"))
    (workspace / "new.js").write_bytes(handler("new"))
    (workspace / "broken.js").write_bytes(b"function handler(event) { throw new Error('no'); }\n")
    (workspace / MANIFEST).write_text(
        "functions:\n"
        "  - name: live\n    code: live.js\n    comment: live\n"
        f"    tests:\n      - name: passes\n        event: {EVENT}\n"
        "  - name: new\n    code: new.js\n"
        f"  - name: broken\n    code: broken.js\n    tests:\n      - name: throws\n        event: {EVENT}\n"
        "  - ghost\n"  # no such function: a failure report
    )
    for operation in ("GetFunction", "UpdateFunction", "PublishFunction", "TestFunction", "CreateFunction"):
        emu.inject(operation=operation, fault="throttle", times=1)
        emu.inject(operation=operation, fault="lost-response", times=1)
    emu.inject(operation="DescribeFunction", fault="500", times=30)  # a failure after the retries
    return workspace


def leaks(texts: dict[str, str]) -> list[str]:
    return [
        f"{where}: {pattern.pattern}"
        for where, text in texts.items()
        for pattern in FORBIDDEN
        if pattern.search(text)
    ]


def written(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): path.read_bytes().decode(errors="replace")
        for path in root.rglob("*")
        if path.is_file()
    }


def test_the_command_line_writes_no_credential(emu: Emulator, scene: Path, records: Records) -> None:
    run = run_cli(emu, "publish", "--json")
    again = run_cli(emu, "publish")
    assert run.code == 1 and again.code == 1, (run.out, again.err)  # `broken` and `ghost` fail
    assert list((scene / "cloudfront-backups").rglob("*.js")), "a backup was written and is searched"
    assert any("botocore" in t for t in records.texts), "botocore's debug log was captured"
    texts = {"stdout": run.out + again.out, "stderr": run.err + again.err, **written(scene)}
    texts["log records"] = "\n".join(records.texts)
    assert leaks(texts) == []


def test_the_action_writes_no_credential(emu: Emulator, scene: Path, records: Records) -> None:
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(scene),
        "GITHUB_OUTPUT": str(scene / "output"),
        "GITHUB_STEP_SUMMARY": str(scene / "summary.md"),
        "INPUT_MODE": "publish",
    }
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = action.main(env)
    assert code == 1
    assert (scene / "summary.md").read_text() and (scene / "output").read_text()
    texts = {"stdout": out.getvalue(), "stderr": err.getvalue(), **written(scene)}
    texts["log records"] = "\n".join(records.texts)
    assert leaks(texts) == []


def test_the_patterns_find_what_botocore_logs_unfiltered() -> None:
    """The search itself can fail: it finds the lines botocore writes at DEBUG, as botocore writes them."""
    sending = (
        "Sending http request: <AWSPreparedRequest stream_output=False, method=GET, url=http://x/, "
        f"headers={{'X-Amz-Date': b'20260101T000000Z', 'X-Amz-Security-Token': b'{TOKEN}', "
        f"'Authorization': b'AWS4-HMAC-SHA256 Credential={KEY_ID}/20260101/us-east-1/cloudfront/aws4_request, "
        f"SignedHeaders=host;x-amz-date;x-amz-security-token, Signature={'ab' * 32}'}}>"
    )
    canonical = f"CanonicalRequest:\nGET\n/\n\nhost:x\nx-amz-security-token:{TOKEN}\n"
    signature = f"Signature:\n{'cd' * 32}"
    assert len(leaks({"a": sending})) >= 4
    assert leaks({"b": canonical}) and leaks({"c": signature})
    # and the publisher's filter leaves none of it
    assert leaks({"a": redact(sending), "b": redact(canonical), "c": redact(signature)}) == []
