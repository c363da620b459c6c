"""The plan comment against a local stand-in for GitHub's issue comments API, over real HTTP:
create, find again by the marker across pages, update, refuse, time out; the token stays secret."""

from __future__ import annotations

import io
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from publisher.shell.pr_comment import COMMENT_LIMIT, MARKER, fit_comment, upsert_plan_comment

TOKEN = "ghs_s3cr3tT0kenV4lue"
REPO = "acme/site"
NUMBER = 7


@dataclass
class FakeGitHub:
    """Issue comments of one repository's pull requests, and what each request carried."""

    prefix: str = ""  # "/api/v3" on GitHub Enterprise Server
    per_page: int = 2  # small pages, so that a few comments already need the Link header
    refuse: int | None = None  # answer every request with this status
    delay: float = 0.0
    comments: list[dict[str, object]] = field(default_factory=list)
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    base: str = ""

    def comment(self, body: str, *, kind: str = "Bot", association: str = "NONE") -> dict[str, object]:
        number = len(self.comments) + 1000
        made: dict[str, object] = {
            "id": number,
            "body": body,
            "user": {"login": "someone", "type": kind},
            "author_association": association,
            "html_url": f"https://github.example/{REPO}/pull/{NUMBER}#issuecomment-{number}",
        }
        self.comments.append(made)
        return made


def _handler(github: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def _answer(self, status: int, document: object, link: str = "") -> None:
            data = json.dumps(document).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if link:
                self.send_header("Link", link)
            self.end_headers()
            self.wfile.write(data)

        def _route(self) -> tuple[str, dict[str, object]] | None:
            github.requests.append((self.command, self.path, dict(self.headers.items())))
            time.sleep(github.delay)
            if github.refuse:
                self._answer(github.refuse, {"message": "Resource not accessible by integration"})
                return None
            length = int(self.headers.get("Content-Length") or 0)
            payload = json.loads(self.rfile.read(length)) if length else {}
            path = urlsplit(self.path).path.removeprefix(github.prefix)
            return path, payload

        def do_GET(self) -> None:
            routed = self._route()
            if routed is None:
                return
            assert routed[0] == f"/repos/{REPO}/issues/{NUMBER}/comments"
            page = int(parse_qs(urlsplit(self.path).query).get("page", ["1"])[0])
            start = (page - 1) * github.per_page
            link = ""
            if start + github.per_page < len(github.comments):
                link = f'<{github.base}/repos/{REPO}/issues/{NUMBER}/comments?page={page + 1}>; rel="next"'
            self._answer(200, github.comments[start : start + github.per_page], link)

        def do_POST(self) -> None:
            routed = self._route()
            if routed is None:
                return
            assert routed[0] == f"/repos/{REPO}/issues/{NUMBER}/comments"
            self._answer(201, github.comment(str(routed[1]["body"])))

        def do_PATCH(self) -> None:
            routed = self._route()
            if routed is None:
                return
            found = re.fullmatch(rf"/repos/{REPO}/issues/comments/(\d+)", routed[0])
            assert found
            comment = next(c for c in github.comments if c["id"] == int(found.group(1)))
            comment["body"] = routed[1]["body"]
            self._answer(200, comment)

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that timed out and left: the broken pipe is the point of that test


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    fake = FakeGitHub()
    server = _Server(("127.0.0.1", 0), _handler(fake))
    fake.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()


def _environ(github: FakeGitHub, tmp_path: Path, **changes: str) -> dict[str, str]:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"number": NUMBER, "pull_request": {"number": NUMBER}}))
    environ = {
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_API_URL": github.base + github.prefix,
        "GITHUB_SERVER_URL": "https://github.example",
        "GITHUB_RUN_ID": "4242",
        "INPUT_GITHUB-TOKEN": TOKEN,
    }
    return environ | changes


class Warnings(list[str]):
    def __call__(self, text: str) -> None:
        self.append(text)


def test_the_first_run_creates_the_comment_with_the_marker_and_the_token(
    github: FakeGitHub, tmp_path: Path
) -> None:
    warn = Warnings()
    url = upsert_plan_comment("## Plan\n\n1 to update", _environ(github, tmp_path), warn)
    assert warn == []
    assert url == github.comments[0]["html_url"]
    body = str(github.comments[0]["body"])
    assert body.startswith(MARKER + "\n## Plan")
    assert "https://github.example/acme/site/actions/runs/4242" in body
    assert [method for method, _, _ in github.requests] == ["GET", "POST"]
    for _, _, headers in github.requests:
        assert headers["Authorization"] == f"Bearer {TOKEN}"
        assert headers["Accept"] == "application/vnd.github+json"


def test_a_second_run_updates_the_same_comment(github: FakeGitHub, tmp_path: Path) -> None:
    environ = _environ(github, tmp_path)
    first = upsert_plan_comment("plan one", environ, Warnings())
    second = upsert_plan_comment("plan two", environ, Warnings())
    assert first == second
    assert len(github.comments) == 1
    assert "plan two" in str(github.comments[0]["body"])
    assert [method for method, _, _ in github.requests] == ["GET", "POST", "GET", "PATCH"]


def test_the_marked_comment_is_found_on_a_later_page(github: FakeGitHub, tmp_path: Path) -> None:
    for n in range(5):
        github.comment(f"a review remark {n}", kind="User")
    ours = github.comment(f"{MARKER}\nold plan")
    github.comment("a remark after it", kind="User")
    url = upsert_plan_comment("new plan", _environ(github, tmp_path), Warnings())
    assert url == ours["html_url"]
    assert len(github.comments) == 7
    assert "new plan" in str(ours["body"])
    pages = [path for method, path, _ in github.requests if method == "GET"]
    assert len(pages) == 3  # two comments a page: the sixth is on the third


def test_a_marked_comment_by_an_outsider_is_left_alone(github: FakeGitHub, tmp_path: Path) -> None:
    planted = github.comment(f"{MARKER}\nplanted", kind="User", association="CONTRIBUTOR")
    upsert_plan_comment("real plan", _environ(github, tmp_path), Warnings())
    assert planted["body"] == f"{MARKER}\nplanted"
    assert len(github.comments) == 2


def test_enterprise_server_is_spoken_to_the_same_way(github: FakeGitHub, tmp_path: Path) -> None:
    github.prefix = "/api/v3"
    url = upsert_plan_comment("plan", _environ(github, tmp_path), Warnings())
    assert url
    assert all(path.startswith("/api/v3/repos/") for _, path, _ in github.requests)


@pytest.mark.parametrize("status", [401, 403, 404])
def test_a_refusal_is_one_warning_without_the_token(github: FakeGitHub, tmp_path: Path, status: int) -> None:
    github.refuse = status
    warn = Warnings()
    assert upsert_plan_comment("plan", _environ(github, tmp_path), warn) is None
    assert len(warn) == 1
    assert "\n" not in warn[0]
    assert f"HTTP {status}" in warn[0]
    assert "pull-requests: write" in warn[0]
    assert TOKEN not in warn[0]


def test_a_timeout_is_a_warning(github: FakeGitHub, tmp_path: Path) -> None:
    github.delay = 1.0
    warn = Warnings()
    assert upsert_plan_comment("plan", _environ(github, tmp_path), warn, timeout=0.2) is None
    assert len(warn) == 1
    assert "could not be reached" in warn[0]
    assert TOKEN not in warn[0]


def test_no_server_is_a_warning(tmp_path: Path) -> None:
    fake = FakeGitHub(base="http://127.0.0.1:9")  # the discard port: nothing listens there
    warn = Warnings()
    assert upsert_plan_comment("plan", _environ(fake, tmp_path), warn, timeout=2) is None
    assert len(warn) == 1
    assert TOKEN not in warn[0]


def test_a_next_link_to_another_host_is_not_followed(github: FakeGitHub, tmp_path: Path) -> None:
    for n in range(3):
        github.comment(f"remark {n}", kind="User")
    environ = _environ(github, tmp_path)
    github.base = "http://elsewhere.invalid"  # the Link header now names another host
    upsert_plan_comment("plan", environ, Warnings())
    assert [method for method, _, _ in github.requests] == ["GET", "POST"]


@pytest.mark.parametrize("event", ["push", "workflow_dispatch", "pull_request_review", ""])
def test_other_events_do_nothing(github: FakeGitHub, tmp_path: Path, event: str) -> None:
    warn = Warnings()
    assert upsert_plan_comment("plan", _environ(github, tmp_path, GITHUB_EVENT_NAME=event), warn) is None
    assert warn == []
    assert github.requests == []


def test_pull_request_target_comments_too(github: FakeGitHub, tmp_path: Path) -> None:
    environ = _environ(github, tmp_path, GITHUB_EVENT_NAME="pull_request_target")
    assert upsert_plan_comment("plan", environ, Warnings())


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"INPUT_GITHUB-TOKEN": ""}, "github-token input is empty"),
        ({"GITHUB_REPOSITORY": "acme/site/../../x"}, "OWNER/NAME"),
        ({"GITHUB_EVENT_PATH": "/nonexistent/event.json"}, "names no pull request"),
        ({"GITHUB_API_URL": "file:///etc"}, "http(s)"),
    ],
)
def test_a_missing_piece_is_a_warning_and_no_request(
    github: FakeGitHub, tmp_path: Path, changes: dict[str, str], words: str
) -> None:
    warn = Warnings()
    assert upsert_plan_comment("plan", _environ(github, tmp_path, **changes), warn) is None
    assert len(warn) == 1
    assert words in warn[0]
    assert github.requests == []


def test_an_event_without_a_number_is_a_warning(github: FakeGitHub, tmp_path: Path) -> None:
    environ = _environ(github, tmp_path)
    Path(environ["GITHUB_EVENT_PATH"]).write_text(json.dumps({"pull_request": {"number": "7"}}))
    warn = Warnings()
    assert upsert_plan_comment("plan", environ, warn) is None
    assert "names no pull request" in warn[0]


def test_a_long_plan_is_cut_within_the_limit_with_a_link_to_the_summary(
    github: FakeGitHub, tmp_path: Path
) -> None:
    diff = "".join(f"+ line {n} é😀\n" for n in range(20_000))
    plan = f"## Plan\n\n<details><summary>redirect-www</summary>\n\n```diff\n{diff}```\n\n</details>\n"
    upsert_plan_comment(plan, _environ(github, tmp_path), Warnings())
    body = str(github.comments[0]["body"])
    assert len(body.encode("utf-16-le")) // 2 <= COMMENT_LIMIT
    assert body.startswith(MARKER)
    assert "cut here" in body
    assert "[job summary](https://github.example/acme/site/actions/runs/4242)" in body
    head = body[: body.index("**The plan is longer")]
    assert head.count("```") % 2 == 0  # the open fence was closed
    assert head.count("<details>") == head.count("</details>")


@pytest.mark.parametrize("size", [10, 1_000, COMMENT_LIMIT - 200, COMMENT_LIMIT, 3 * COMMENT_LIMIT])
def test_every_comment_fits_and_starts_with_the_marker(size: int) -> None:
    for body in ("x" * size, ("y" * 99 + "\n") * (size // 100 + 1), "😀" * size):
        fitted = fit_comment(body, "https://github.example/r/actions/runs/1")
        assert len(fitted.encode("utf-16-le")) // 2 <= COMMENT_LIMIT
        assert fitted.startswith(MARKER)


def test_a_short_plan_is_not_cut() -> None:
    fitted = fit_comment("## Plan\n\nnothing to do\n", "")
    assert "cut here" not in fitted
    assert "nothing to do" in fitted


@pytest.mark.parametrize(
    "token",
    [
        "ghs_firstHalfOfIt\nghs_secondHalfOfIt",
        "ghs_firstHalfOfIt\r\nghs_secondHalfOfIt",
        "ghs_firstHalfOfIt ghs_secondHalfOfIt",
    ],
    ids=["line-feed", "crlf", "space"],
)
def test_a_token_no_header_could_hold_is_named_in_a_warning_never_shown(
    github: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, token: str
) -> None:
    """The whole Action (mode check, so no AWS), commenting with a token that holds a line break:
    nothing of the token reaches the log, the outputs or the summary, and no request is sent."""
    from publisher.action import main

    (tmp_path / "a.js").write_text("function handler(event) { return event.request; }\n")
    (tmp_path / "cloudfront-functions.yml").write_text("functions:\n  - name: a\n    code: a.js\n")
    monkeypatch.chdir(tmp_path)
    environ = _environ(github, tmp_path, **{"INPUT_GITHUB-TOKEN": token}) | {
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(tmp_path),
        "GITHUB_OUTPUT": str(tmp_path / "output"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary"),
        "INPUT_MODE": "check",
        "INPUT_COMMENT-ON-PR": "true",
    }
    log = io.StringIO()
    with redirect_stdout(log), redirect_stderr(log):
        assert main(environ) == 0
    shown = log.getvalue() + (tmp_path / "output").read_text() + (tmp_path / "summary").read_text()
    assert "::warning title=comment-on-pr::" in shown and "github-token" in shown
    for part in ("ghs_firstHalfOfIt", "ghs_secondHalfOfIt", "firstHalf", "secondHalf"):
        assert part not in shown
    assert github.requests == []


def test_no_form_of_the_token_survives_in_a_message() -> None:
    from publisher.shell.pr_comment import without_token

    token = "ghs_firstHalfOfIt\nghs_secondHalfOfIt"
    message = f"Invalid header value {('Bearer ' + token).encode()!r}; {json.dumps(token)}; {token}"
    cleaned = without_token(message, token)
    assert "firstHalf" not in cleaned and "secondHalf" not in cleaned and "Invalid header value" in cleaned


# --- An API that trickles: a byte every so often, never slow enough for a socket timeout ---------


@pytest.fixture
def trickling() -> Iterator[tuple[str, threading.Event]]:
    """Answers every request with headers at once, then one byte of its body every 0.3 s for a minute;
    the event is set once a request has arrived."""
    arrived, closing = threading.Event(), threading.Event()

    class Slow(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            arrived.set()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "200")
            self.end_headers()
            for _ in range(200):
                if closing.wait(0.3):
                    return
                self.wfile.write(b" ")
                self.wfile.flush()

    server = _Server(("127.0.0.1", 0), Slow)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", arrived
    closing.set()
    server.shutdown()
    server.server_close()


def test_a_trickling_api_is_cut_off_at_the_comments_deadline(
    trickling: tuple[str, threading.Event], tmp_path: Path
) -> None:
    url, _ = trickling
    warn = Warnings()
    started = time.monotonic()
    environ = _environ(FakeGitHub(base=url), tmp_path)
    assert upsert_plan_comment("plan", environ, warn, timeout=2, deadline=0.6) is None
    assert time.monotonic() - started < 5  # each read keeps the socket alive: only the deadline ends it
    assert len(warn) == 1 and "within 0.6 s" in warn[0] and TOKEN not in warn[0]


def test_sigterm_while_the_action_comments_ends_the_process_promptly(
    trickling: tuple[str, threading.Event], tmp_path: Path
) -> None:
    """The whole Action in its own process (mode check, so no AWS), commenting against an API that
    trickles: a SIGTERM ends it within seconds, in exit 1, with its outputs written."""
    import os
    import signal
    import subprocess
    import sys

    url, arrived = trickling
    (tmp_path / "a.js").write_text("function handler(event) { return event.request; }\n")
    (tmp_path / "cloudfront-functions.yml").write_text("functions:\n  - name: a\n    code: a.js\n")
    environ = _environ(FakeGitHub(base=url), tmp_path) | {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(tmp_path),
        "GITHUB_OUTPUT": str(tmp_path / "output"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary"),
        "INPUT_MODE": "check",
        "INPUT_COMMENT-ON-PR": "true",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "publisher"],
        cwd=tmp_path,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert arrived.wait(30), "the Action never asked GitHub"
        sent = time.monotonic()
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=20)
    finally:
        process.kill()
    assert time.monotonic() - sent < 5, out + err
    assert process.returncode == 1, (out, err)
    assert "Traceback" not in out + err
    assert "cancelled" in out and "has-changes" in (tmp_path / "output").read_text()
