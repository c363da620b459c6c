"""execute(): every way a run can end becomes a Result with its exit code, and the validated Settings
reach the entry point. AWS is the in-memory fake (or nothing at all): no network."""

from __future__ import annotations

from pathlib import Path

import pytest

from publisher.core.errors import AwsError
from publisher.core.model import FunctionConfig
from publisher.core.modes import Mode
from publisher.core.result import Status
from publisher.core.settings import Settings, settings_from
from publisher.shell import engine
from publisher.wiring import Finished, Seams, execute
from tests.fake_cloudfront import FakeCloudFront

MANIFEST = "functions:\n  - a\n"  # a bare name: DEVELOPMENT is its source


@pytest.fixture
def cf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeCloudFront:
    """The workspace is tmp_path with a manifest; AWS is a fake that holds `a`, changed since published."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cloudfront-functions.yml").write_text(MANIFEST)
    fake = FakeCloudFront()
    fake.put("a", b"v1", FunctionConfig("c", "cloudfront-js-2.0"), publish=True)
    fake.put("a", b"v2", FunctionConfig("c", "cloudfront-js-2.0"))
    monkeypatch.setattr("publisher.shell.aws.AwsCloudFront", lambda *args: fake)
    return fake


def run(values: dict[str, object], requested_mode: str = "") -> Finished:
    return execute(
        lambda: settings_from(values, "command line"), Seams(environ={}, confined=False), requested_mode
    )


def test_a_plan_ends_in_0_and_hands_back_its_settings(cf: FakeCloudFront) -> None:
    finished = run({"mode": "plan"})
    assert finished.result.exit_code == 0 and finished.result.fatal is None
    assert [(f.name, f.status) for f in finished.result.functions] == [("a", Status.PLANNED)]
    assert finished.settings == Settings(mode=Mode.PLAN, source="command line")
    assert finished.result.started is not None and finished.result.duration_seconds is not None
    assert cf.writes == 0


def test_check_calls_no_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cloudfront-functions.yml").write_text(MANIFEST)

    def no_aws(*args: object) -> None:
        raise AssertionError("check made an AWS client")

    monkeypatch.setattr("publisher.shell.aws.AwsCloudFront", no_aws)
    finished = run({"mode": "check"})
    assert finished.result.exit_code == 0 and finished.result.functions[0].status is Status.CHECKED


@pytest.mark.parametrize(("requested", "mode"), [("bogus", None), ("plan", Mode.PLAN)])
def test_bad_settings_end_in_2_with_no_settings(
    cf: FakeCloudFront, requested: str, mode: Mode | None
) -> None:
    finished = run({"mode": requested, "max-concurrency": 0}, requested_mode=requested)
    fatal = finished.result.fatal
    assert fatal is not None and fatal.exit_code == 2 and finished.result.exit_code == 2
    assert any("max-concurrency" in p for p in fatal.problems)
    assert finished.settings is None and finished.result.mode is mode  # the mode asked for, if it is one
    assert [p.field for p in finished.problems if p.field == "max-concurrency"] == ["max-concurrency"]
    assert cf.calls == {}


@pytest.mark.parametrize(
    ("write", "values", "problem"),
    [
        (
            "functions:\n  - name: a\n    cod: x.js\n",
            {"mode": "plan"},
            "cloudfront-functions.yml:3: functions.0.cod: unknown key `cod`",
        ),
        (MANIFEST, {"mode": "plan", "functions": ("b",)}, "command line: functions: not in the manifest: b"),
        (
            MANIFEST,
            {"mode": "publish", "rollback-from": "nowhere"},
            "rollback-from: only `rollback` and `plan`",
        ),
    ],
)
def test_bad_input_ends_in_2_and_keeps_the_settings(
    cf: FakeCloudFront, tmp_path: Path, write: str, values: dict[str, object], problem: str
) -> None:
    (tmp_path / "cloudfront-functions.yml").write_text(write)
    finished = run(values)
    fatal = finished.result.fatal
    assert fatal is not None and fatal.exit_code == 2 and fatal.message == "input refused"
    assert any(problem in p for p in fatal.problems), fatal.problems
    assert finished.problems and finished.settings == settings_from(values, "command line")
    assert finished.result.mode is finished.settings.mode
    assert cf.calls == {}  # nothing was read from AWS


def test_a_service_error_ends_in_1_and_keeps_the_settings(cf: FakeCloudFront) -> None:
    def refuse(fake: FakeCloudFront) -> None:
        raise AwsError("ListFunctions", "AccessDenied", "not authorized", 403)

    cf.before["ListFunctions"] = refuse
    finished = run({"mode": "publish"})
    fatal = finished.result.fatal
    assert fatal is not None and (fatal.exit_code, fatal.message) == (
        1,
        "ListFunctions: AccessDenied: not authorized",
    )
    assert finished.result.exit_code == 1 and finished.problems == ()
    assert finished.settings is not None and finished.settings.mode is Mode.PUBLISH
    assert cf.writes == 0


def test_a_cancel_while_reading_ends_in_1_and_keeps_the_settings(
    cf: FakeCloudFront, monkeypatch: pytest.MonkeyPatch
) -> None:
    def cancelled(*args: object, **kw: object) -> None:
        raise engine.Cancelled("the run was cancelled while reading from AWS; nothing was written")

    monkeypatch.setattr(engine, "run", cancelled)
    finished = run({"mode": "publish"})
    fatal = finished.result.fatal
    assert fatal is not None and fatal.exit_code == 1 and "cancelled" in fatal.message
    assert finished.result.mode is Mode.PUBLISH
    assert finished.settings is not None and finished.settings.mode is Mode.PUBLISH
