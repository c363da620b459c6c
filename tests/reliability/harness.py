"""What the reliability tests share: in-process runs, a record of every write the emulator applied, and
checks of what CloudFront holds against what the manifests asked for and what the backups hold.

The record wraps the emulator's function store, so it sees each write that took effect, including
those whose answer a fault then lost: the publisher's own report is what is being checked, so it
cannot be the evidence too.
"""

from __future__ import annotations

import io
import json
import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from emulator import Emulator
from publisher.__main__ import main

FAKE = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
BACKUPS = "cloudfront-backups"
MANIFEST = "cloudfront-functions.yml"


def fake_aws(monkeypatch: pytest.MonkeyPatch, **extra: str) -> None:
    """Known fake credentials, and nothing from the machine's own AWS set-up or the runner."""
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "GITHUB_ACTIONS", "AWS_MAX_ATTEMPTS"):
        monkeypatch.delenv(key, raising=False)
    for key, value in {**FAKE, **extra}.items():
        monkeypatch.setenv(key, value)


def quick_backoff(monkeypatch: pytest.MonkeyPatch, seconds: float = 0.002) -> None:
    """botocore's own pacing is botocore's business, not the publisher's: its backoff (up to a second
    or more per throttled attempt) shrinks, and the adaptive mode's client-side rate limit, which
    slows every later call after a throttle, never makes a call wait. Which errors are retried, and
    how often, is unchanged; so hundreds of faults fit in a test."""
    from botocore.retries import bucket, standard

    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, context: seconds)
    monkeypatch.setattr(bucket.TokenBucket, "acquire", lambda self, amount=1, block=True: True)


def short_read_timeout(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """The client's read timeout (aws.READ_TIMEOUT) cut short, so a request the emulator holds times out
    in a test's time. aws.py builds its Config inside CloudFront(), from botocore.config."""
    import botocore.config

    original = botocore.config.Config

    class ShortReads(original):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["read_timeout"] = seconds
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(botocore.config, "Config", ShortReads)


def no_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore's retries off (one attempt a call), so that every fault reaches the publisher itself."""
    import botocore.config

    original = botocore.config.Config

    class OneAttempt(original):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            if "retries" in kwargs:
                kwargs["retries"] = {"mode": "standard", "total_max_attempts": 1}
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(botocore.config, "Config", OneAttempt)


@dataclass
class Run:
    code: int
    out: str
    err: str
    traceback: str = ""

    @property
    def json(self) -> Any:
        return json.loads(self.out)

    def by_name(self) -> dict[str, dict[str, Any]]:
        return {f["name"]: f for f in self.json["functions"]}


def run_cli(emu: Emulator, *args: str) -> Run:
    """`cloudfront-publish ARGS --endpoint-url URL` in this process; an exception that escapes is kept
    as a traceback rather than raised, so that a soak can count them."""
    out, err = io.StringIO(), io.StringIO()
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = main([*args, "--endpoint-url", emu.url])
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    except Exception:
        return Run(-1, out.getvalue(), err.getvalue(), traceback.format_exc())
    return Run(code, out.getvalue(), err.getvalue())


def handler(marker: str = "") -> bytes:
    return f"function handler(event) {{ /* {marker} */ return event.request; }}\n".encode()


# --- What the emulator holds, read directly (not counted as requests) -------------------------------


@dataclass(frozen=True)
class Copy:
    code: bytes
    comment: str
    runtime: str
    stores: tuple[str, ...]
    etag: str


def stage(emu: Emulator, name: str, which: str) -> Copy | None:
    with emu.state.lock:
        function = emu.state.functions.find(name)
        held = None if function is None else function.development if which == "DEVELOPMENT" else function.live
        if held is None:
            return None
        return Copy(held.code, held.config.comment, held.config.runtime, held.config.kvs_arns, held.etag)


# --- Every write that took effect --------------------------------------------------------------------


@dataclass(frozen=True)
class Write:
    operation: str  # create, update, publish
    function: str
    before: Copy | None  # LIVE before a publish; DEVELOPMENT before an update
    after: Copy
    by_other: bool = False  # a second writer's, not the run's


@dataclass
class WriteLog:
    writes: list[Write] = field(default_factory=list)
    other: bool = False

    @contextmanager
    def by_other(self) -> Iterator[None]:
        """Writes made inside are a second writer's: the run is not answerable for them."""
        self.other = True
        try:
            yield
        finally:
            self.other = False

    def add(self, operation: str, function: str, before: Any, after: Any) -> None:
        self.writes.append(Write(operation, function, _copy(before), _copy(after), self.other))  # type: ignore[arg-type]

    def of(self, function: str, operation: str | None = None) -> list[Write]:
        return [w for w in self.writes if w.function == function and operation in (None, w.operation)]

    def take(self) -> list[Write]:
        taken, self.writes = self.writes, []
        return taken


def _copy(held: Any) -> Copy | None:
    if held is None:
        return None
    return Copy(held.code, held.config.comment, held.config.runtime, held.config.kvs_arns, held.etag)


def record_writes(emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> WriteLog:
    """Wraps the store's create, update and publish; each is called with the state lock held."""
    store, log = emu.state.functions, WriteLog()
    create, update, publish = store.create, store.update, store.publish

    def on_create(name: str, config: Any, code: bytes) -> Any:
        function = create(name, config, code)
        log.add("create", name, None, function.development)
        return function

    def on_update(name: str, if_match: str | None, config: Any, code: bytes) -> Any:
        before = store.get(name).development
        function = update(name, if_match, config, code)
        log.add("update", name, before, function.development)
        return function

    def on_publish(name: str, if_match: str | None) -> Any:
        before = store.get(name).live
        function = publish(name, if_match)
        log.add("publish", name, before, function.live)
        return function

    monkeypatch.setattr(store, "create", on_create)
    monkeypatch.setattr(store, "update", on_update)
    monkeypatch.setattr(store, "publish", on_publish)
    return log


def backed_up(root: Path, function: str, live: Copy) -> bool:
    """Whether the backups folder holds this LIVE copy: its code, under its ETag, with its config."""
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in live.etag)
    for code in (root / BACKUPS).glob(f"*/{function}.LIVE.{safe}.js"):
        if not code.with_suffix(".json").exists():  # killed between the two files: no backup, and
            continue  # no publish either (it comes after both); a rollback reads only the `.json`'s
        config = json.loads(code.with_suffix(".json").read_text())
        if code.read_bytes() == live.code and config["Comment"] == live.comment:
            return True
    return False


def overwritten_without_backup(root: Path, writes: list[Write]) -> list[Write]:
    """The run's publishes that replaced a LIVE copy holding something else, with no backup of it."""
    return [
        w
        for w in writes
        if w.operation == "publish"
        and not w.by_other
        and w.before is not None
        and (w.before.code, w.before.comment, w.before.runtime, w.before.stores)
        != (w.after.code, w.after.comment, w.after.runtime, w.after.stores)
        and not backed_up(root, w.function, w.before)
    ]


# --- Faults, counted ---------------------------------------------------------------------------------


@dataclass
class FaultCount:
    total: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


def count_faults(emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> FaultCount:
    """The emulator draws each fault in `take_fault`; count what it hands out."""
    controls, counted = emu.controls, FaultCount()
    take = controls.take_fault

    def counting(operation: str, function: str | None) -> str | None:
        fault = take(operation, function)
        if fault is not None:
            counted.total += 1
            counted.by_kind[fault] = counted.by_kind.get(fault, 0) + 1
        return fault

    monkeypatch.setattr(controls, "take_fault", counting)
    return counted


@contextmanager
def thread_errors() -> Iterator[list[str]]:
    """Exceptions that end a thread without anyone seeing them: each is a traceback a user would get."""
    found: list[str] = []
    previous = threading.excepthook

    def hook(args: threading.ExceptHookArgs) -> None:
        found.append("".join(traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback)))

    threading.excepthook = hook
    try:
        yield found
    finally:
        threading.excepthook = previous
