"""The plan as one comment on the pull request, updated on every run instead of piling up.

The comment is found again by a hidden marker at the start of its body. Commenting is a courtesy,
never a reason to fail the run: a refusal (a fork's read-only token, a missing permission), a network
error or a timeout becomes one warning, and the plan stays in the job summary. The token goes into
one request header, which urllib does not carry over a redirect, and is kept out of every warning:
a token that could not be a token (a line break, a space) is refused before any request, unquoted.

Standard library only: the Action holds AWS credentials, so no dependency is added for an HTTP call.
"""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import quote

MARKER = "<!-- cloudfront-publish:plan -->"
COMMENT_LIMIT = 65_536  # the most characters GitHub accepts in a comment's body
EVENTS = frozenset({"pull_request", "pull_request_target"})
DEADLINE = 30.0  # seconds for the whole comment (every page, the write): a trickling API is cut off
MAX_PAGES = 50  # 5,000 comments: past that the comment is created anew rather than searched for
TRUSTED = frozenset({"OWNER", "MEMBER", "COLLABORATOR"})  # authors whose marked comment may be updated

_REPOSITORY = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
_TOKEN = re.compile(r"[\x21-\x7e]+")  # a token is visible ASCII: no space, line break or control
_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="next"')
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_REFUSED = {
    401: "the token was not accepted",
    403: "the token may not comment here",
    404: "the pull request is not visible to the token",
}
_PERMISSION = "the job needs `pull-requests: write`, which a pull request from a fork never gets"


@dataclass(frozen=True)
class PullRequest:
    api: str  # https://api.github.com, or https://HOST/api/v3 on GitHub Enterprise Server
    repository: str
    number: int
    token: str
    run_url: str  # the run's page, where its job summaries are; "" when unknown


class _Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(status, message)
        self.status, self.message = status, message


def upsert_plan_comment(
    body: str,
    environ: Mapping[str, str],
    warn: Callable[[str], None],
    *,
    timeout: float = 10,
    deadline: float = DEADLINE,
    stop: threading.Event | None = None,
) -> str | None:
    """Create or update this pull request's plan comment; its html_url, or None (after a warning).

    `timeout` bounds each socket read, `deadline` the whole exchange: an API that trickles a byte
    every few seconds never meets the first, so the requests run in a daemon thread that is left
    behind when the deadline passes or `stop` (a signal) is set; the process may end without it."""
    if environ.get("GITHUB_EVENT_NAME") not in EVENTS:
        return None
    target = _pull_request(environ)
    if isinstance(target, str):
        warn(f"comment-on-pr: {target}; no comment was written, the plan is in the job summary.")
        return None
    try:
        return _within(
            deadline,
            stop or threading.Event(),
            lambda: _upsert(target, fit_comment(body, target.run_url), timeout),
        )
    except _Late as late:
        problem = str(late)
    except _Refused as refused:
        problem = f"GitHub answered HTTP {refused.status} ({refused.message})"
        if refused.status in _REFUSED:
            problem += f": {_REFUSED[refused.status]}; {_PERMISSION}"
    except (OSError, http.client.HTTPException, ValueError) as error:  # URLError and timeouts are OSError
        problem = f"GitHub could not be reached or answered oddly ({type(error).__name__}: {error})"
    text = f"comment-on-pr: {problem}. No comment was written; the plan is in the job summary."
    warn(" ".join(without_token(text, target.token).split()))
    return None


def without_token(text: str, token: str) -> str:
    """The text with the token taken out, as itself and as an error message may quote it (escaped, as
    a repr or in JSON), and every piece of it between characters that split it."""
    pieces = {token, *re.split(r"[^\x21-\x7e]+", token)}
    for piece in sorted((p for p in pieces if p), key=len, reverse=True):
        for form in {piece, repr(piece)[1:-1], json.dumps(piece)[1:-1]}:
            text = text.replace(form, "***")
    return text


class _Late(Exception):
    """The exchange did not end in time, or a signal asked the run to end: left behind, unfinished."""


def _within(deadline: float, stop: threading.Event, work: Callable[[], str]) -> str:
    """`work` in a daemon thread, waited for until it ends, the deadline passes or `stop` is set; its
    answer, or its exception raised here."""
    outcome: list[str] = []
    failure: list[BaseException] = []
    done = threading.Event()

    def run() -> None:
        try:
            outcome.append(work())
        except BaseException as error:  # handed to the caller's thread, which reports it
            failure.append(error)
        finally:
            done.set()

    threading.Thread(target=run, name="pr-comment", daemon=True).start()
    ends = time.monotonic() + deadline
    while not done.wait(min(0.1, max(ends - time.monotonic(), 0))):
        if stop.is_set():
            raise _Late("the run was cancelled before GitHub answered")
        if time.monotonic() >= ends:
            raise _Late(f"GitHub did not finish answering within {deadline:g} s")
    if failure:
        raise failure[0]
    return outcome[0]


def _pull_request(environ: Mapping[str, str]) -> PullRequest | str:
    """Where to comment, from the runner's variables; or what is missing, in words."""
    token = environ.get("INPUT_GITHUB-TOKEN", "").strip()
    repository = environ.get("GITHUB_REPOSITORY", "")
    if not token:
        return "the github-token input is empty"
    if not _TOKEN.fullmatch(token):  # it would not fit in a header; and no part of it is shown
        return "the github-token input holds a space, a line break or another character no token has"
    if not _REPOSITORY.fullmatch(repository):
        return "GITHUB_REPOSITORY is not OWNER/NAME"
    number = _event_number(environ.get("GITHUB_EVENT_PATH", ""))
    if number is None:
        return "the event file names no pull request"
    api = (environ.get("GITHUB_API_URL") or "https://api.github.com").rstrip("/")
    if not api.startswith(("https://", "http://")):
        return "GITHUB_API_URL is not an http(s) address"
    server, run_id = environ.get("GITHUB_SERVER_URL", "").rstrip("/"), environ.get("GITHUB_RUN_ID", "")
    run_url = f"{server}/{repository}/actions/runs/{quote(run_id, safe='')}" if server and run_id else ""
    return PullRequest(api, repository, number, token, run_url)


def _event_number(path: str) -> int | None:
    try:
        with open(path, encoding="utf-8") as file:
            event = json.load(file)
    except (OSError, ValueError):
        return None
    number = event.get("pull_request", {}).get("number") if isinstance(event, dict) else None
    return number if type(number) is int and number > 0 else None


def fit_comment(body: str, run_url: str, limit: int = COMMENT_LIMIT) -> str:
    """The marker, the body, and a link to the run; the body cut at a line if all would not fit."""
    link = f"[job summary]({run_url})" if run_url else "job summary"
    footer = f"\n\n<sub>Written by cloudfront-publish; the whole plan is in the run's {link}.</sub>\n"
    text = f"{MARKER}\n{body.rstrip()}"
    if _length(text + footer) <= limit:
        return text + footer
    note = f"\n\n**The plan is longer than a comment may be: cut here. Read it whole in the {link}.**"
    room = limit - _length(note + footer)
    while True:  # closing what the cut left open takes a little room of its own
        fitted = _cut(text, room) + note + footer
        if _length(fitted) <= limit:
            return fitted
        room -= _length(fitted) - limit


def _cut(text: str, room: int) -> str:
    """The longest head of `text` ending at a line within `room`, with open fences and details closed."""
    head, used = [], 0
    for line in text.splitlines(keepends=True):
        if used + _length(line) > room:
            break
        head.append(line)
        used += _length(line)
    if not head:  # a first line longer than the room: cut inside it, by characters
        head = [text[: room // 2]]
    kept = "".join(head).rstrip("\n")
    fences = [m.group(1)[0] for line in kept.splitlines() if (m := _FENCE.match(line))]
    closing = "\n" + fences[-1] * 3 if len(fences) % 2 else ""
    details = kept.count("<details") - kept.count("</details>")
    return kept + closing + "\n</details>" * max(details, 0)


def _length(text: str) -> int:
    """Characters as GitHub may count them: UTF-16 units, never fewer than code points."""
    return len(text.encode("utf-16-le")) // 2


def _upsert(target: PullRequest, text: str, timeout: float) -> str:
    existing = _find(target, timeout)
    if existing is None:
        url, method = f"{_issue(target)}/comments", "POST"
    else:
        url, method = f"{target.api}/repos/{target.repository}/issues/comments/{existing}", "PATCH"
    comment, _ = _request(method, url, target.token, timeout, {"body": text})
    html_url = comment.get("html_url") if isinstance(comment, dict) else None
    if not isinstance(html_url, str):
        raise ValueError(f"the answer to {method} has no html_url")
    return html_url


def _issue(target: PullRequest) -> str:
    return f"{target.api}/repos/{target.repository}/issues/{target.number}"


def _find(target: PullRequest, timeout: float) -> int | None:
    """The id of this run's earlier comment: the marker first, written by a bot or a maintainer."""
    url: str | None = f"{_issue(target)}/comments?per_page=100"
    for _ in range(MAX_PAGES):
        if url is None:
            return None
        comments, link = _request("GET", url, target.token, timeout)
        for comment in comments if isinstance(comments, list) else []:
            if _ours(comment) and type(comment["id"]) is int:
                return int(comment["id"])
        found = _NEXT.search(link)
        url = found.group(1) if found and found.group(1).startswith(target.api + "/") else None
    return None


def _ours(comment: object) -> bool:
    if not isinstance(comment, dict) or not str(comment.get("body", "")).startswith(MARKER):
        return False
    user = comment.get("user")
    bot = isinstance(user, dict) and user.get("type") == "Bot"
    return bot or comment.get("author_association") in TRUSTED


def _request(
    method: str, url: str, token: str, timeout: float, payload: dict[str, str] | None = None
) -> tuple[object, str]:
    """The answer's JSON and its Link header; _Refused on an HTTP error status."""
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_unredirected_header("Authorization", f"Bearer {token}")
    request.add_header("Accept", "application/vnd.github+json")
    request.add_header("X-GitHub-Api-Version", "2022-11-28")
    request.add_header("User-Agent", "cloudfront-publish")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return json.loads(answer.read() or b"null"), answer.headers.get("Link", "")
    except urllib.error.HTTPError as error:
        raise _Refused(error.code, _message(error)) from None


def _message(error: urllib.error.HTTPError) -> str:
    try:
        message = json.loads(error.read()).get("message", "")
    except (OSError, ValueError, AttributeError):
        message = ""
    return " ".join(str(message).split())[:200] or error.reason or "no message"
