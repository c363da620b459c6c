"""A call that never answers, at the stages after the publish: the wait for the edge and the guard's
metrics. A signal ends the run within the cancel grace, and the report keeps what the publish did.

The run is the real command line, in-process, so that the guard's clock can be put on a minute
boundary (its window then opens at once); the signal is a real SIGTERM to this process, sent from a
thread once the emulator has received the call that hangs."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from emulator import Emulator
from publisher.shell import engine
from tests.e2e.conftest import Run, code_of, handler, write_manifest

GRACE = engine.CANCEL_GRACE


def after_signal(emu: Emulator, operation: str, cli: Callable[..., Run], *args: str) -> tuple[Run, float]:
    """The run, and how long it went on after a SIGTERM sent as soon as `operation` reached the
    emulator (which then holds it: an injected fault comes before any hook, so arrivals are counted)."""
    arrived, sent = threading.Event(), []
    count = emu.controls.count

    def counting(name: str, write: bool) -> None:
        if name == operation:
            arrived.set()
        count(name, write)

    emu.controls.count = counting  # type: ignore[method-assign,assignment]

    def send() -> None:
        if arrived.wait(60):
            time.sleep(0.3)  # the call is now in flight and held
            sent.append(time.monotonic())
            os.kill(os.getpid(), signal.SIGTERM)

    thread = threading.Thread(target=send, daemon=True)
    thread.start()
    run = cli(*args)
    ended = time.monotonic()
    thread.join(5)
    assert sent, "the call never reached the emulator"
    return run, ended - sent[0]


@pytest.fixture
def published_once(emu: Emulator, workspace: Path, cli: Callable[..., Run]) -> Any:
    arn = emu.seed_function("a", handler("/*v1*/ return event.request;"), comment="a", publish=True)
    emu.seed_distribution(default_function_arns=[(arn, "viewer-request")])
    emu.timeout_seconds = 20  # a held call is dropped after this: the fixture's server can stop
    write_manifest(workspace, {"a": handler()})
    return arn


def test_a_signal_during_a_hanging_wait_ends_the_run_and_keeps_the_publish(
    emu: Emulator, aws: Any, cli: Callable[..., Run], published_once: Any
) -> None:
    emu.inject("GetDistribution", "timeout", times=20)
    run, took = after_signal(emu, "GetDistribution", cli, "publish", "--wait", "--json")
    assert took < GRACE + 4, f"the run went on {took:.0f} s after the signal"
    assert run.code == 1, run.out
    assert run.json["published"] == ["a"] and code_of(aws, "a", "LIVE") == handler()
    assert run.json["wait"]["cancelled"] is True and run.json["fatal"] is None
    assert run.json["backup_dir"]


def test_a_signal_during_a_hanging_metrics_read_ends_the_guard(
    emu: Emulator, aws: Any, cli: Callable[..., Run], published_once: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_the_minute = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
    monkeypatch.setattr(engine, "utcnow", lambda: on_the_minute)
    emu.deploy_delay = 0.0
    emu.inject("GetMetricData", "timeout", times=20)
    run, took = after_signal(emu, "GetMetricData", cli, "publish", "--watch-minutes", "0.02", "--json")
    assert took < GRACE + 4, f"the run went on {took:.0f} s after the signal"
    assert run.code == 1, run.out
    assert run.json["published"] == ["a"] and code_of(aws, "a", "LIVE") == handler()
    assert run.json["guard"]["cancelled"] is True
    assert run.json["functions"][0]["status"] == "published"  # nothing was rolled back


def attaching(emu: Emulator, workspace: Path) -> None:
    """`a`, new, to be published and attached to E1's default behaviour."""
    emu.seed_distribution(id="E1")
    emu.timeout_seconds = 20
    (workspace / "a.js").write_bytes(handler())
    (workspace / "cloudfront-functions.yml").write_text(
        "functions:\n  - name: a\n    code: a.js\n    associations:\n"
        "      - {distribution: E1, path: default, event: viewer-request}\n"
    )


def test_a_signal_during_a_hanging_distribution_read_ends_the_run_before_any_write(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    attaching(emu, workspace)
    emu.inject("GetDistributionConfig", "timeout", times=20)
    run, took = after_signal(emu, "GetDistributionConfig", cli, "publish", "--json", "--summary", "s.md")
    assert took < GRACE + 4, f"the run went on {took:.0f} s after the signal"
    assert run.code == 1, run.out + run.err
    assert emu.writes() == 0
    assert "nothing was written" in run.json["fatal"]["message"]
    assert "nothing was written" in (workspace / "s.md").read_text()


def test_a_signal_during_a_hanging_distribution_write_reports_what_was_and_was_not_done(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    attaching(emu, workspace)
    emu.inject("UpdateDistribution", "timeout", times=20)  # held, then dropped: not applied
    run, took = after_signal(emu, "UpdateDistribution", cli, "publish", "--json", "--summary", "s.md")
    assert took < GRACE + 4, f"the run went on {took:.0f} s after the signal"
    assert run.code == 1, run.out + run.err
    assert run.json["published"] == ["a"] and code_of(aws, "a", "LIVE") == handler()  # done, and said
    (dist,) = run.json["associations"]
    assert dist["status"] == "failed" and "may have taken effect" in dist["error"]
    assert dist["next_step"] and run.json["associations_changed"] == []  # not confirmed written
    assert (
        aws.get_distribution_config(Id="E1")["DistributionConfig"]["DefaultCacheBehavior"][
            "FunctionAssociations"
        ]["Quantity"]
        == 0
    )
    summary = (workspace / "s.md").read_text()
    assert "E1" in summary and "may have taken effect" in summary
