from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from publisher.core.summary.fit import fit_summary
from publisher.shell import github
from publisher.shell.github import (
    Log,
    annotation,
    endgroup,
    escape_data,
    escape_property,
    format_output,
    group,
    is_actions,
    neutralise,
    read_inputs,
    untrusted_block,
    write_outputs,
)

# --- A model of the runner -------------------------------------------------------------------------
# How the runner reads a log, kept small: a line ends at CR, LF or CRLF; `::name props::data` is a
# command once leading whitespace is trimmed; `##[name props]data` is one anywhere in a line; after
# `::stop-commands::TOKEN` nothing is processed until a command named TOKEN (either form, any case).
# The runner acts only on registered names; here every name counts, and a line yields both forms,
# so the model finds at least every command the runner would.


@dataclass(frozen=True)
class Command:
    name: str
    data: str = ""
    properties: dict[str, str] = field(default_factory=dict)


def _unescape(text: str, codes: dict[str, str]) -> str:
    for code, char in codes.items():  # in the runner's order: %25 last
        text = text.replace(code, char)
    return text


_DATA_CODES = {"%0D": "\r", "%0A": "\n", "%25": "%"}
_PROPERTY_CODES = {"%0D": "\r", "%0A": "\n", "%3A": ":", "%2C": ",", "%25": "%"}


def _parse_v2(line: str) -> Command | None:
    text = line.lstrip()
    end = text.find("::", 2)
    if not text.startswith("::") or end < 0:
        return None
    name, _, listed = text[2:end].partition(" ")
    pairs = (item.partition("=") for item in listed.split(",") if item)
    properties = {key: _unescape(value, _PROPERTY_CODES) for key, sep, value in pairs if sep}
    return Command(name, _unescape(text[end + 2 :], _DATA_CODES), properties)


def _parse_legacy(line: str) -> Command | None:
    start = line.find("##[")
    end = line.find("]", start)
    if start < 0 or end < 0:
        return None
    name, _, _ = line[start + 3 : end].partition(" ")
    return Command(name, line[end + 1 :])


def parse_line(line: str) -> list[Command]:
    return [command for command in (_parse_v2(line), _parse_legacy(line)) if command is not None]


def processed(log: str) -> list[Command]:
    """The commands a runner acts on in this log, stop-commands and its resume included."""
    done: list[Command] = []
    token: str | None = None
    for line in re.split(r"\r\n|\r|\n", log):
        found = parse_line(line)
        if token is not None:
            resume = [command for command in found if command.name.lower() == token.lower()]
            done += resume[:1]
            token = None if resume else token
            continue
        done += found
        stops = [command.data for command in found if command.name.lower() == "stop-commands"]
        token = stops[0] if stops and stops[0] else None
    return done


def parse_output_file(text: str) -> dict[str, str]:
    """GITHUB_OUTPUT as the runner on Linux reads it."""
    lines = text.split("\n")
    assert lines.pop() == "", "the last record ends with a newline"
    outputs: dict[str, str] = {}
    while lines:
        line = lines.pop(0)
        equals, heredoc = line.find("="), line.find("<<")
        if equals >= 0 and (heredoc < 0 or equals < heredoc):
            name, value = line.split("=", 1)
        elif heredoc >= 0:
            name, delimiter = line.split("<<", 1)
            end = lines.index(delimiter)
            value, lines = "\n".join(lines[:end]), lines[end + 1 :]
        else:
            assert not line, f"invalid line {line!r}"
            continue
        outputs[name] = value
    return outputs


def stop_and_resume(block: str) -> list[Command]:
    token = block.split("\n", 1)[0].removeprefix("::stop-commands::")
    return [Command("stop-commands", token), Command(token)]


def sequence(*values: str) -> Callable[[], str]:
    return iter(values).__next__


# --- The model itself, on known positives and negatives ----------------------------------------------


@pytest.mark.parametrize(
    ("log", "expected"),
    [
        ("::error::x", [Command("error", "x")]),
        ("  \t::add-mask::secret", [Command("add-mask", "secret")]),
        ("::set-output name=x::y", [Command("set-output", "y", {"name": "x"})]),
        ("text ##[error]x", [Command("error", "x")]),
        ("a\r::warning::b", [Command("warning", "b")]),
        (
            "::error file=a%2Cb.js,line=3::50%25%0Anext",
            [Command("error", "50%\nnext", {"file": "a,b.js", "line": "3"})],
        ),
        ("a ::error::x\n::error\n##[error x\n: :error::x", []),
    ],
)
def test_model_reads_commands(log: str, expected: list[Command]) -> None:
    assert processed(log) == expected


def test_model_stops_until_its_token_in_any_form_or_case() -> None:
    log = "::stop-commands::tok\n::error::a\n::other::\n::TOK::\n::error::b\n"
    log += "::stop-commands::t2\n::add-mask::c\nx ##[T2]\n::error::d"
    assert [c.name for c in processed(log)] == [
        "stop-commands",
        "TOK",
        "error",
        "stop-commands",
        "T2",
        "error",
    ]


def test_model_reads_output_files() -> None:
    assert parse_output_file("a=1\nb<<EOF\nx\n\nEOF\nc=d<<e\n") == {"a": "1", "b": "x\n", "c": "d<<e"}


# --- Inputs -------------------------------------------------------------------------------------------


def test_inputs_keep_hyphens_and_are_stripped() -> None:
    environ = {
        "INPUT_WAIT-TIMEOUT-MINUTES": " 5\n",
        "INPUT_WAIT_TIMEOUT_MINUTES": "wrong",
        "INPUT_FUNCTION_NAMES": "a b",
    }
    inputs = read_inputs(environ, ["wait-timeout-minutes", "function names", "missing"])
    assert inputs == {"wait-timeout-minutes": "5", "function names": "a b", "missing": ""}


@pytest.mark.parametrize(
    ("environ", "args", "expected"),
    [
        ({"GITHUB_ACTIONS": "true"}, [], True),
        ({"GITHUB_ACTIONS": "true"}, ["plan"], False),
        ({"GITHUB_ACTIONS": "false"}, [], False),
        ({}, [], False),
    ],
)
def test_is_actions(environ: dict[str, str], args: list[str], expected: bool) -> None:
    assert is_actions(environ, args) is expected


# --- GITHUB_OUTPUT and the step summary ----------------------------------------------------------------


def test_single_line_value_is_one_record() -> None:
    assert format_output("etag", "E2=x<<y") == "etag=E2=x<<y\n"
    assert format_output("crlf", "a\r") == "crlf=a\r\n"


def test_multi_line_value_uses_a_heredoc() -> None:
    record = format_output("diff", "a\nb", sequence("ghadelimiter_1"))
    assert record == "diff<<ghadelimiter_1\na\nb\nghadelimiter_1\n"


def test_delimiter_found_in_the_value_is_replaced() -> None:
    value = "a\nghadelimiter_1\nb"
    record = format_output("diff", value, sequence("ghadelimiter_1", "ghadelimiter_2"))
    assert record == f"diff<<ghadelimiter_2\n{value}\nghadelimiter_2\n"
    assert parse_output_file(record) == {"diff": value}


def test_each_record_gets_a_fresh_random_delimiter() -> None:
    first, second = (format_output("x", "a\nb").split("\n", 1)[0] for _ in range(2))
    assert re.fullmatch(r"x<<ghadelimiter_[0-9a-f-]{36}", first)
    assert first != second


@pytest.mark.parametrize(
    "value", ["", "\n", "ends\n", "x\r\ny", "\r", "a\nghadelimiter_0\nb", "ghadelimiter_0", "a=b<<c\nd"]
)
def test_values_read_back_as_written(value: str) -> None:
    assert parse_output_file(format_output("name", value)) == {"name": value}


@pytest.mark.parametrize("name", ["", "a b", "a=b", "x<<y", "a\nb", "é", "a:b"])
def test_bad_output_names_are_rejected(name: str) -> None:
    with pytest.raises(ValueError, match="output name"):
        format_output(name, "v")


def test_outputs_are_appended(tmp_path: Path) -> None:
    path = tmp_path / "output"
    path.write_text("old=1\n")
    write_outputs(path, {"plan": "~ update\n↑ publish", "count": "2"})
    assert parse_output_file(path.read_text(encoding="utf-8")) == {
        "old": "1",
        "plan": "~ update\n↑ publish",
        "count": "2",
    }


def test_a_bad_name_writes_no_output(tmp_path: Path) -> None:
    path = tmp_path / "output"
    with pytest.raises(ValueError, match="output name"):
        write_outputs(path, {"good": "1", "bad name": "2"})
    assert not path.exists()


def test_a_steps_summary_follows_earlier_steps_and_a_rewrite_replaces_only_its_own(tmp_path: Path) -> None:
    path = tmp_path / "summary"
    path.write_text("# An earlier step\n")
    step = github.StepSummary(str(path))
    step.write("Waiting for 2 distributions…\n")
    step.write("Deployed: 2 of 2.\n")
    assert path.read_text(encoding="utf-8") == "# An earlier step\nDeployed: 2 of 2.\n"


def test_no_summary_file_means_nothing_is_written() -> None:
    github.StepSummary(None).write("ignored")


def test_summary_is_cut_by_bytes_on_a_character_boundary() -> None:
    fitted = fit_summary("é" * 600, limit=1000)
    assert len(fitted.encode()) <= 1000
    assert fitted.startswith("é" * 400)
    assert fitted.endswith("*Summary truncated: GitHub shows at most 1 MiB per step.*\n")
    assert fit_summary("é" * 500, limit=1000) == "é" * 500


def test_summary_counts_what_the_file_already_holds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(github, "SUMMARY_LIMIT", 300)
    path = tmp_path / "summary"
    path.write_text("x" * 200)
    github.StepSummary(str(path)).write("y" * 200)
    assert len(path.read_bytes()) <= 300
    assert "truncated" in path.read_text()


# --- Workflow commands ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "data", "prop"),
    [
        ("100%", "100%25", "100%25"),
        ("a\r\nb", "a%0D%0Ab", "a%0D%0Ab"),
        ("a:b,c", "a:b,c", "a%3Ab%2Cc"),
        ("%0A", "%250A", "%250A"),
    ],
)
def test_escaping(text: str, data: str, prop: str) -> None:
    assert (escape_data(text), escape_property(text)) == (data, prop)


def test_annotation_with_file_and_line() -> None:
    command = annotation("error", "bad: 100%\nnext", file="src/a,b.js", line=3, col=5, title="Syntax: x")
    assert command == "::error file=src/a%2Cb.js,line=3,col=5,title=Syntax%3A x::bad: 100%25%0Anext"
    properties = {"file": "src/a,b.js", "line": "3", "col": "5", "title": "Syntax: x"}
    assert processed(command) == [Command("error", "bad: 100%\nnext", properties)]


def test_annotation_without_properties() -> None:
    assert annotation("notice", "::error::x") == "::notice::::error::x"
    assert annotation("warning", "w", end_line=4) == "::warning endLine=4::w"


def test_annotation_rejects_other_commands() -> None:
    with pytest.raises(ValueError, match="level"):
        annotation("add-mask", "x")  # type: ignore[arg-type]


def test_groups() -> None:
    assert group("a\n::error::x") == "::group::a%0A::error::x"
    assert processed(group("a\n::error::x") + "\n" + endgroup()) == [
        Command("group", "a\n::error::x"),
        Command("endgroup"),
    ]


# --- Untrusted text -------------------------------------------------------------------------------------

PAYLOADS = [
    "::set-output name=x::y",
    "::add-mask::secret",
    "::stop-commands::foo\n::error::after",
    "::error::x",
    "##[error]x",
    "code\r\n::error::crlf\r\n",
    "lone\r::error::cr",
    "   \t::warning::indented",
    "\u00a0\u3000::error::unicode spaces",
    "x = 1; // ##[add-mask]secret",
    "###[error]x and ##\\[ and ##[##[x]",
    "::",
    "::foo::",
    "",
]


@pytest.mark.parametrize("text", PAYLOADS)
def test_a_block_stops_every_command_in_it(text: str) -> None:
    block = untrusted_block(text)
    assert processed(block) == stop_and_resume(block)


@pytest.mark.parametrize("text", PAYLOADS)
def test_neutralised_text_holds_no_command(text: str) -> None:
    assert processed(neutralise(text)) == []


def test_a_block_keeps_the_text_but_the_legacy_marker() -> None:
    text = "function handler(event) {\n  return event; // ::error::x\n}\n##[group]"
    block = untrusted_block(text, sequence("tok"))
    assert block == f"::stop-commands::tok\n{text[:-9]}##\\[group]\n::tok::"


def test_a_token_found_in_the_text_is_replaced() -> None:
    block = untrusted_block("a\n::ABC::\nb", sequence("abc", "def"))
    assert block == "::stop-commands::def\na\n::ABC::\nb\n::def::"
    assert processed(block) == [Command("stop-commands", "def"), Command("def")]


def test_neutralise_changes_only_what_it_must() -> None:
    assert neutralise("a::b ## [x] url: http://x") == "a::b ## [x] url: http://x"
    assert neutralise(" ::error::x\r\n##[error]y") == " \\::error::x\r\n##\\[error]y"


# Arbitrary text, with the pieces of commands more likely than st.text() alone would make them.
_PIECES = ["::", "##[", "]", "\r", "\n", " ", "\u2028", "stop-commands", "add-mask", "error", "%0A", "=", ","]
untrusted_texts = st.text() | st.lists(st.sampled_from(_PIECES) | st.text(max_size=3)).map("".join)


@given(untrusted_texts)
def test_no_untrusted_text_becomes_a_command(text: str) -> None:
    block = untrusted_block(text)
    assert processed(block) == stop_and_resume(block)
    assert processed(neutralise(text)) == []


@given(untrusted_texts, st.text(), st.text())
def test_annotations_read_back_as_written(message: str, file: str, title: str) -> None:
    command = annotation("warning", message, file=file, line=1, title=title)
    properties = {"file": file, "line": "1", "title": title}
    assert processed(command)[0] == Command("warning", message, properties)


# --- Log --------------------------------------------------------------------------------------------------


def written(commands: bool, calls: Iterable[Callable[[Log], None]]) -> str:
    stream = io.StringIO()
    log = Log(stream, commands=commands)
    for call in calls:
        call(log)
    return stream.getvalue()


def _grouped(log: Log) -> None:
    with log.group("plan"):
        log.line("~ update  add-headers")


SESSION = [
    _grouped,
    lambda log: log.annotate("error", "no: 1", file="f.js", line=2, title="T"),
    lambda log: log.untrusted("::error::x\n"),
    lambda log: log.line("::error::forged"),
]


def test_log_under_the_runner_uses_commands() -> None:
    text = written(True, SESSION)
    token = re.findall(r"::stop-commands::(\w+)", text)[0]
    assert text == (
        "::group::plan\n~ update  add-headers\n::endgroup::\n"
        "::error file=f.js,line=2,title=T::no: 1\n"
        f"::stop-commands::{token}\n::error::x\n::{token}::\n\\::error::forged\n"
    )
    assert [c.name for c in processed(text)] == [
        "group",
        "endgroup",
        "error",
        "stop-commands",
        token,
    ]


def test_plain_log_has_no_commands() -> None:
    text = written(False, SESSION)
    assert text == "plan\n~ update  add-headers\nerror: f.js:2: T: no: 1\n\\::error::x\n\\::error::forged\n"
    assert processed(text) == []


def test_log_writes_to_stdout_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    Log(commands=False).line("hello")
    assert capsys.readouterr().out == "hello\n"
