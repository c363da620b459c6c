"""The command line's output for people and for scripts: colour, progress lines, exit status, schema."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from publisher import cli
from publisher.core.modes import Action, Mode
from publisher.core.outcome import Halt, Outcome, Stop
from publisher.core.report import coloured, exit_status, progress_line
from publisher.core.result import Fatal, FunctionResult, Result, Status, WaitReport, json_schema

ROOT = Path(__file__).parent.parent
ESC = "\x1b"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def fn(status: Status, done: list[str] | None = None, actions: list[str] | None = None) -> FunctionResult:
    return FunctionResult(name="f", status=status, actions=actions or [], done=done or [])


PLANNED = fn(Status.PLANNED, actions=["update", "publish"])
PUBLISHED = fn(Status.PUBLISHED, done=["update", "publish"], actions=["update", "publish"])
UNCHANGED = fn(Status.UNCHANGED)
FAILED = fn(Status.FAILED, actions=["update"])
TIMED_OUT = WaitReport(timeout_minutes=1, deployed=[], timed_out=["E1"])


# --- The exit status ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("result", "plain", "detailed"),
    [
        (Result(mode=Mode.PLAN, functions=[UNCHANGED]), 0, 0),  # nothing to do
        (Result(mode=Mode.PLAN, functions=[PLANNED, UNCHANGED]), 0, 3),  # changes pending
        (Result(mode=Mode.PREVIEW, functions=[PLANNED]), 0, 3),
        (Result(mode=Mode.PUBLISH, functions=[PUBLISHED]), 0, 3),  # changes made
        (Result(mode=Mode.PUBLISH, functions=[UNCHANGED]), 0, 0),
        (Result(mode=Mode.CHECK, functions=[fn(Status.CHECKED)]), 0, 0),  # no AWS: nothing is known to change
        (Result(mode=Mode.PUBLISH, functions=[PUBLISHED, FAILED]), 1, 1),  # a failure wins over changes
        (Result(mode=Mode.PUBLISH, functions=[PUBLISHED], wait=TIMED_OUT), 1, 1),
        (Result(mode=Mode.PLAN, fatal=Fatal(exit_code=2, message="input refused")), 2, 2),
        (Result(mode=Mode.PUBLISH, fatal=Fatal(exit_code=1, message="AccessDenied")), 1, 1),
    ],
)
def test_the_exit_status_table(result: Result, plain: int, detailed: int) -> None:
    assert (exit_status(result), exit_status(result, detailed=True)) == (plain, detailed)


def test_the_flag_is_documented_in_help() -> None:
    assert "--detailed-exitcode" in cli.parser().format_help()


# --- The JSON result and its schema -------------------------------------------------------------


def test_the_json_result_leads_with_what_a_script_asks() -> None:
    data = json.loads(Result(mode=Mode.PUBLISH, functions=[PUBLISHED, FAILED]).model_dump_json())
    assert data["schema_version"] == 3
    assert (data["has_changes"], data["published"], data["failed"]) == (True, ["f"], ["f"])
    assert {"started", "duration_seconds"} <= set(data)


def test_the_shipped_schema_is_current() -> None:
    """Stale after a change to publisher/core/result.py: run scripts/json-schema.py and commit the file."""
    shipped = (ROOT / "docs" / "result.schema.json").read_text(encoding="utf-8")
    assert shipped == json_schema(), "docs/result.schema.json is stale: run scripts/json-schema.py"


def test_the_schema_requires_the_computed_fields() -> None:
    schema = json.loads(json_schema())
    assert {"schema_version", "has_changes", "published", "failed", "duration_seconds"} <= set(
        schema["required"]
    )


# --- Colour and progress ------------------------------------------------------------------------


def test_colour_only_on_a_terminal_without_no_color() -> None:
    assert cli.use_colour(Terminal(), {})
    assert not cli.use_colour(Terminal(), {"NO_COLOR": "1"})
    assert not cli.use_colour(Terminal(), {"TERM": "dumb"})
    assert not cli.use_colour(io.StringIO(), {})  # a pipe or a file: a script reads it
    assert cli.use_colour(Terminal(), {"NO_COLOR": ""})  # the convention: set and not empty


@pytest.mark.parametrize(
    ("environ", "tty", "escapes"), [({}, True, True), ({"NO_COLOR": "1"}, True, False), ({}, False, False)]
)
def test_console_lines_carry_escape_codes_only_when_coloured(
    monkeypatch: pytest.MonkeyPatch, environ: dict[str, str], tty: bool, escapes: bool
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("TERM", raising=False)
    for key, value in environ.items():
        monkeypatch.setenv(key, value)
    stream = Terminal() if tty else io.StringIO()
    monkeypatch.setattr("sys.stdout", stream)
    cli._print(Result(mode=Mode.PUBLISH, functions=[PUBLISHED, FAILED]), json_output=False)
    assert (ESC in stream.getvalue()) is escapes
    assert "↑ published" in stream.getvalue()


def test_colour_never_lets_outside_text_bring_its_own_escapes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    stream = Terminal()
    cli._write(stream, "! failed  f  \x1b[2Jcleared")
    assert stream.getvalue() == "\x1b[31m! failed  f  \\x1b[2Jcleared\x1b[0m\n"


@pytest.mark.parametrize(
    ("line", "colour"),
    [
        ("↑ published        f  reason", "32"),
        ("! failed           f  reason", "31"),
        ("= unchanged        f  reason", "2"),
        ("~ update, publish  f  reason", "33"),
        ("    +added", "32"),
        ("    -removed", "31"),
        ("    @@ -1 +1 @@", "36"),
        ("    test FAIL: t (utilization 3)", "31"),
        ("warning: something", "31"),
        ("Done: 1 published.", "1"),
    ],
)
def test_each_kind_of_line_has_its_colour(line: str, colour: str) -> None:
    assert coloured(line) == f"\x1b[{colour}m{line}\x1b[0m"


def test_a_plain_line_stays_plain() -> None:
    assert coloured("Distributions running these functions:") == "Distributions running these functions:"


def test_a_progress_line_names_the_function_and_what_took_effect() -> None:
    done = Outcome(done=(Action.UPDATE, Action.PUBLISH))
    assert progress_line("redirect-www", done, 2) == "[2] redirect-www: update, publish"
    stopped = Outcome(done=(Action.UPDATE,), stop=Stop(Halt.BLOCKED, "1 of 2 tests failed"))
    assert progress_line("f", stopped, 1) == "[1] f: update; blocked: 1 of 2 tests failed"


# --- argparse's own refusals, for scripts ---------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["publish", "--json", "--no-such-flag"],
        ["--json", "deploy"],
        ["plan", "--js", "--max-concurrency", "many"],
        ["--json"],
    ],
    ids=["unknown-flag", "unknown-mode", "abbreviated-json-and-bad-number", "no-mode"],
)
def test_with_json_an_argument_refused_by_the_parser_still_prints_a_fatal_result(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(argv)
    assert exited.value.code == 2
    out, err = capsys.readouterr()
    fatal = json.loads(out)["fatal"]
    assert fatal["exit_code"] == 2 and fatal["message"] == "input refused"
    assert fatal["problems"][0].startswith("command line: ") and "error:" in err


def test_without_json_a_refused_argument_prints_only_the_usage(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["publish", "--no-such-flag"])
    out, err = capsys.readouterr()
    assert out == "" and "unrecognized arguments: --no-such-flag" in err
