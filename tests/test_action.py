"""The Action's inputs: hyphenated names read, every bad value refused with the input named, exit 2."""

from __future__ import annotations

import io
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from publisher.action import main, settings_from_inputs
from publisher.core.errors import InputError
from publisher.core.modes import Mode


@pytest.fixture(autouse=True)
def _restore_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # main() moves into GITHUB_WORKSPACE, as it must in the container


def test_hyphenated_inputs_are_read() -> None:
    settings = settings_from_inputs(
        {
            "INPUT_MODE": "sync",
            "INPUT_MAX-CONCURRENCY": "4",
            "INPUT_WAIT-FOR-DEPLOYMENT": "true",
            "INPUT_WAIT-TIMEOUT-MINUTES": "7.5",
            "INPUT_FUNCTIONS": "a, b\nc\n",
            "INPUT_BACKUP-DIR": "bk",
            "INPUT_SUMMARY-TEMPLATE": "t.md.j2",
            "GITHUB_REF": "refs/pull/42/merge",
        }
    )
    assert settings.mode is Mode.SYNC
    assert settings.max_concurrency == 4
    assert settings.wait_for_deployment is True
    assert settings.wait_timeout_minutes == 7.5
    assert settings.functions == ("a", "b", "c")
    assert (settings.backup_dir, settings.summary_template, settings.run_id) == ("bk", "t.md.j2", "pr42")


def test_defaults_apply_when_inputs_are_empty() -> None:
    settings = settings_from_inputs({"INPUT_MODE": "", "GITHUB_SHA": "0123456789abcdef"})
    assert (settings.mode, settings.manifest, settings.run_id) == (
        Mode.PUBLISH,
        "cloudfront-functions.yml",
        "01234567",
    )


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        (
            "INPUT_MODE",
            "bogus",
            "mode: must be one of check, test, plan, preview, sync, publish, rollback (got 'bogus')",
        ),
        ("INPUT_MAX-CONCURRENCY", "lots", "max-concurrency: Input should be a valid integer"),
        ("INPUT_MAX-CONCURRENCY", "0", "max-concurrency: Input should be greater than or equal to 1"),
        ("INPUT_WAIT-FOR-DEPLOYMENT", "maybe", "wait-for-deployment: Input should be a valid boolean"),
        ("INPUT_WAIT-TIMEOUT-MINUTES", "-1", "wait-timeout-minutes: Input should be greater than 0"),
        ("INPUT_FUNCTIONS", "ok,not ok!", "functions: Value error, not function names: not ok!"),
    ],
)
def test_every_bad_input_is_refused_naming_it(variable: str, value: str, message: str) -> None:
    with pytest.raises(InputError) as err:
        settings_from_inputs({variable: value})
    assert any(str(p).startswith(f"action inputs: {message}") for p in err.value.problems), err.value.problems


def test_a_bad_input_exits_2_with_an_error_annotation_and_no_aws_call(tmp_path: Path) -> None:
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(tmp_path),
        "INPUT_MODE": "bogus",
        "GITHUB_OUTPUT": str(tmp_path / "out"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary"),
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",  # nothing listens: a call would fail loudly
    }
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(env)
    assert code == 2
    assert "::error title=CloudFront Functions%3A bad input::input `mode`: must be one of" in out.getvalue()
    assert "Nothing was read from or written to AWS." in (tmp_path / "summary").read_text()


def test_a_manifest_error_becomes_an_annotation_on_its_line(tmp_path: Path) -> None:
    (tmp_path / "cloudfront-functions.yml").write_text("functions:\n  - name: a\n    cod: x.js\n")
    env = {"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(tmp_path), "INPUT_MODE": "plan"}
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(env) == 2
    assert (
        "::error file=cloudfront-functions.yml,line=3,title=functions.0.cod::unknown key `cod`"
        in out.getvalue()
    )


def test_a_broken_summary_template_is_refused_before_any_aws_call(tmp_path: Path) -> None:
    (tmp_path / "cloudfront-functions.yml").write_text("functions:\n  - a\n")
    (tmp_path / "summary.md.j2").write_text("# {{ result.mode }}\n{% for f in result.functions %}\n")
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(tmp_path),
        "INPUT_SUMMARY-TEMPLATE": "summary.md.j2",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
    }
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(env) == 2
    assert "::error file=summary.md.j2," in out.getvalue()
