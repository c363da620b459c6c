"""The guard of a publish against the in-memory CloudFront and made-up metrics: the failing function
goes back to the LIVE this run replaced, the healthy one stays, one without traffic is not judged,
and a cancel ends the watch at once."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from publisher.core.guard import Sums
from publisher.core.model import Stage
from publisher.core.result import Result, Status
from publisher.core.settings import Settings
from publisher.shell import engine, guard
from publisher.shell.files import BackupFolder
from tests.factories import fn, manifest
from tests.fake_cloudfront import FakeCloudFront


class Metrics:
    def __init__(self, sums: dict[str, Sums]) -> None:
        self.sums_of, self.reads = sums, 0
        self.windows: list[tuple[datetime, datetime]] = []

    def sums(self, function: str, start: datetime, end: datetime) -> Sums:
        assert start.second == 0 and start <= end  # the window is whole minutes
        self.reads += 1
        self.windows.append((start, end))
        return self.sums_of.get(function, Sums())


ON_THE_MINUTE = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)  # deployed on a minute: the window opens at once


def publish(
    cf: FakeCloudFront,
    tmp: Path,
    metrics: Metrics,
    stop: threading.Event | None = None,
    minutes: float = 0.001,
) -> Result:
    settings = Settings.model_validate({"watch_minutes": minutes, "max_error_rate": 1})
    hooks = engine.Hooks(stop=stop or threading.Event(), metrics=metrics, now=lambda: ON_THE_MINUTE)
    specs = manifest(*(fn(name, code=b"v2") for name in ("bad", "good", "quiet")))
    return engine.run(settings, specs, cf, BackupFolder(tmp / "backups" / "run", "backups/run"), hooks)


@pytest.fixture
def cf() -> FakeCloudFront:
    cf = FakeCloudFront()
    for name in ("bad", "good", "quiet"):
        cf.put(name, b"v1", publish=True)
    return cf


def test_the_failing_function_is_rolled_back_and_the_healthy_one_kept(
    cf: FakeCloudFront, tmp_path: Path
) -> None:
    metrics = Metrics({"bad": Sums(100, execution_errors=5), "good": Sums(100, throttles=1)})
    result = publish(cf, tmp_path, metrics)
    by_name = {f.name: f for f in result.functions}
    assert by_name["bad"].status is Status.ROLLED_BACK
    assert by_name["good"].status is Status.PUBLISHED
    assert [s.code for s in (cf.stage("bad", Stage.LIVE), cf.stage("good", Stage.LIVE))] == [b"v1", b"v2"]  # type: ignore[union-attr]
    assert result.rolled_back == ["bad"] and result.exit_code == 1
    assert by_name["bad"].restored_from == by_name["bad"].backup  # this run's own backup
    assert (tmp_path / "backups" / "run" / Path(by_name["bad"].rollback_backup).name).read_bytes() == b"v2"
    verdicts = {w.function: (w.verdict, w.error_rate) for w in result.guard.functions}  # type: ignore[union-attr]
    assert verdicts == {"bad": ("roll back", 5.0), "good": ("keep", 1.0), "quiet": ("not judged", None)}


def test_a_function_without_traffic_is_kept_and_said_to_be_unjudged(
    cf: FakeCloudFront, tmp_path: Path
) -> None:
    result = publish(cf, tmp_path, Metrics({}))
    assert result.exit_code == 0 and result.rolled_back == []
    assert all(f.status is Status.PUBLISHED for f in result.functions)
    assert {w.verdict for w in result.guard.functions} == {"not judged"}  # type: ignore[union-attr]
    assert "no invocations" in result.guard.functions[0].note  # type: ignore[union-attr]


def test_the_rollback_does_not_clobber_a_foreign_development(cf: FakeCloudFront, tmp_path: Path) -> None:
    metrics = Metrics({"bad": Sums(100, execution_errors=50)})
    original = metrics.sums

    def theirs_then_sums(function: str, start: datetime, end: datetime) -> Sums:
        if function == "bad":
            cf.put("bad", b"theirs")  # someone else's change lands while we watch
        return original(function, start, end)

    metrics.sums = theirs_then_sums  # type: ignore[method-assign]
    result = publish(cf, tmp_path, metrics)
    bad = next(f for f in result.functions if f.name == "bad")
    assert bad.status is Status.CONFLICT and result.exit_code == 1
    assert "DEVELOPMENT changed" in bad.error and "not rolled back" in bad.error
    assert cf.stage("bad", Stage.DEVELOPMENT).code == b"theirs"  # type: ignore[union-attr]
    assert cf.stage("bad", Stage.LIVE).code == b"v2"  # type: ignore[union-attr]


def test_a_cancel_ends_the_watch_at_once(
    cf: FakeCloudFront, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(guard, "MINUTE", 0.05)
    stop = threading.Event()
    metrics = Metrics({"good": Sums(100)})
    threading.Timer(0.3, stop.set).start()
    began = time.monotonic()
    result = publish(cf, tmp_path, metrics, stop, minutes=10)
    assert time.monotonic() - began < 3
    assert result.guard is not None and result.guard.cancelled and result.exit_code == 1
    assert metrics.reads > 0  # it was polling every (short) minute before the cancel
    assert all(f.status is Status.PUBLISHED for f in result.functions)  # no rollback started


def test_only_what_the_new_code_served_is_read_and_the_window_is_reported(
    cf: FakeCloudFront, tmp_path: Path
) -> None:
    metrics = Metrics({"bad": Sums(100, execution_errors=5)})
    result = publish(cf, tmp_path, metrics, minutes=0.002)
    assert result.guard is not None and result.wait is not None
    assert result.wait.deployed_at == ON_THE_MINUTE
    assert result.guard.window_start == ON_THE_MINUTE
    assert result.guard.window_end == ON_THE_MINUTE + timedelta(minutes=0.002)
    assert metrics.windows and all(start == ON_THE_MINUTE for start, _ in metrics.windows)
    assert all(end <= result.guard.window_end for _, end in metrics.windows)
