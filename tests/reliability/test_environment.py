"""A broken environment gets one clear line, the right exit code, and never a traceback or a hang.

Each case runs the real command in its own process, as a user would: a profile that does not exist,
a malformed config file, a malformed endpoint, an endpoint that answers HTML, no credentials at all,
an event nested 100,000 deep, and an endpoint that accepts connections and never answers.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from emulator import Emulator
from tests.reliability.harness import quick_backoff, run_cli, short_read_timeout

HANDLER = b"function handler(event) { return event.request; }\n"
BASE = {"PATH": os.environ.get("PATH", ""), "HOME": "/nonexistent", "PYTHONPATH": str(Path.cwd())}
KEYS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "a.js").write_bytes(HANDLER)
    (tmp_path / "cloudfront-functions.yml").write_text("functions:\n  - name: a\n    code: a.js\n")
    return tmp_path


def run(repo: Path, env: dict[str, str], *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "publisher", *args],
        cwd=repo,
        env=BASE | env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def one_clear_line(done: subprocess.CompletedProcess[str], code: int, *fragments: str) -> None:
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    assert done.returncode == code, (done.returncode, done.stdout, done.stderr)
    lines = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, done.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.fixture
def html_endpoint() -> Iterator[str]:
    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"<html><body>Welcome to nginx!</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def silent_endpoint() -> Iterator[str]:
    """Accepts every connection and never says a word."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join()
    for s in held:
        s.close()
    listener.close()


def test_a_profile_that_does_not_exist(repo: Path) -> None:
    one_clear_line(run(repo, {"AWS_PROFILE": "nope"}, "plan"), 2, "nope")


def test_a_malformed_config_file(repo: Path) -> None:
    (repo / "config").write_text("[default\nregion = us-east-1\n")
    one_clear_line(run(repo, KEYS | {"AWS_CONFIG_FILE": str(repo / "config")}, "plan"), 2, "config")


def test_a_malformed_endpoint_url(repo: Path) -> None:
    one_clear_line(run(repo, KEYS, "plan", "--endpoint-url", "http://[::1"), 2, "endpoint")


def test_an_endpoint_that_is_not_cloudfront(repo: Path, html_endpoint: str) -> None:
    one_clear_line(run(repo, KEYS, "plan", "--endpoint-url", html_endpoint), 2, "not CloudFront")


def test_no_credentials_at_all(repo: Path, html_endpoint: str) -> None:
    env = {"AWS_EC2_METADATA_DISABLED": "true"}
    one_clear_line(run(repo, env, "plan", "--endpoint-url", html_endpoint), 2, "no AWS credentials")


def test_check_needs_no_credentials_and_no_endpoint(repo: Path) -> None:
    done = run(repo, {"AWS_EC2_METADATA_DISABLED": "true"}, "check", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["functions"][0]["status"] == "checked"


def test_an_event_nested_100000_deep(repo: Path) -> None:
    (repo / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (repo / "cloudfront-functions.yml").write_text(
        "functions:\n  - name: a\n    code: a.js\n    tests:\n      - name: t\n        event: deep.json\n"
    )
    one_clear_line(run(repo, KEYS, "plan"), 2, "deep.json")


def test_a_silent_endpoint_ends_the_run_on_its_own_within_a_minute(repo: Path, silent_endpoint: str) -> None:
    """With the default attempts (10, for throttling): a request nobody answers is retried at most
    once, and the calls after it do not wait again, so the run ends in about two reads."""
    start = time.monotonic()
    done = run(repo, KEYS, "plan", "--endpoint-url", silent_endpoint, timeout=120)
    assert time.monotonic() - start < 60
    one_clear_line(done, 1, "timeout")


def test_a_request_that_times_out_is_tried_twice_while_a_throttled_one_keeps_its_retries(
    emu: Emulator, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In process, against the emulator: its `timeout` fault holds a request past a short read
    timeout; its `throttle` answers 400 Throttling. Five of each, on the one ListDistributions."""
    (workspace / "a.js").write_bytes(HANDLER)
    (workspace / "cloudfront-functions.yml").write_text("functions:\n  - name: a\n    code: a.js\n")
    quick_backoff(monkeypatch)
    emu.inject("ListDistributions", "throttle", times=5)
    throttled = run_cli(emu, "plan", "--json")
    assert throttled.code == 0, throttled.out + throttled.err + throttled.traceback
    assert emu.counts()["ListDistributions"] == 6  # five throttles, then the answer

    emu.reset_counts()
    # only now a short read, and not too short: on a busy machine 0.5 s can pass before any answer
    short_read_timeout(monkeypatch, 2.0)
    emu.inject("ListDistributions", "timeout", times=5)
    started = time.monotonic()
    timed_out = run_cli(emu, "plan", "--json")
    assert timed_out.code == 0, timed_out.out  # distributions are a report's detail: a warning
    assert "ReadTimeoutError" in " ".join(timed_out.json["warnings"]), timed_out.out
    assert emu.counts()["ListDistributions"] == 2  # the first attempt and one retry
    assert time.monotonic() - started < 30  # about 4 s; the fault holds each request 65 s


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_ends_a_run_held_by_a_silent_endpoint_promptly(
    repo: Path, silent_endpoint: str, sig: signal.Signals
) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "publisher", "plan", "--endpoint-url", silent_endpoint],
        cwd=repo,
        env=BASE | KEYS,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    connected = time.monotonic() + 30
    while time.monotonic() < connected:  # the run is waiting on the endpoint once it has connected
        time.sleep(0.1)
        if _connections_to(silent_endpoint, process.pid):
            break
    sent = time.monotonic()
    process.send_signal(sig)
    out, err = process.communicate(timeout=30)
    assert time.monotonic() - sent < 15, err
    assert "Traceback" not in err
    assert process.returncode == 1, (out, err)
    assert "cancelled" in err


def _connections_to(url: str, pid: int) -> bool:
    port = url.rsplit(":", 1)[1]
    try:
        found = subprocess.run(["ss", "-tnp"], capture_output=True, text=True, check=False).stdout
    except FileNotFoundError:
        time.sleep(2)  # no ss here: give the run time to connect
        return True
    return any(f":{port}" in line and f"pid={pid}," in line for line in found.splitlines())
