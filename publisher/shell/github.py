"""The runner's side of a container action: inputs, the output and summary files, workflow commands.

Everything written to the log goes through here, so that text from outside (function source, diffs,
AWS error messages, manifest comments) can never be read by the runner as a command.
"""

from __future__ import annotations

import re
import secrets
import sys
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Literal, TextIO, TypedDict, Unpack

from publisher.core.summary.fit import SUMMARY_LIMIT, fit_summary

Level = Literal["error", "warning", "notice"]
LEVELS = frozenset({"error", "warning", "notice"})

_OUTPUT_NAME = re.compile(r"[A-Za-z0-9_-]+")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # the runner reads its log line by line on all three
# A line's leading whitespace as Python's str.isspace sees it: a superset of what the runner trims.
_COMMAND_START = re.compile(r"(^|[\r\n])([^\S\r\n]*)(?=::)")


def read_inputs(environ: Mapping[str, str], names: Iterable[str]) -> dict[str, str]:
    """Each input by name, stripped; "" when unset (the runner does not enforce `required`)."""
    return {name: environ.get(_input_variable(name), "").strip() for name in names}


def _input_variable(name: str) -> str:
    return "INPUT_" + name.replace(" ", "_").upper()  # hyphens are kept: INPUT_WAIT-TIMEOUT


def is_actions(environ: Mapping[str, str], args: Sequence[str]) -> bool:
    """Whether to run as the action: under the runner, with no arguments (`args` excludes argv[0])."""
    return environ.get("GITHUB_ACTIONS") == "true" and not args


def _new_delimiter() -> str:
    return f"ghadelimiter_{uuid.uuid4()}"


def format_output(name: str, value: str, delimiter_factory: Callable[[], str] = _new_delimiter) -> str:
    """One GITHUB_OUTPUT record, ending with a newline."""
    if not _OUTPUT_NAME.fullmatch(name):
        raise ValueError(f"output name {name!r} must be letters, digits, '_' or '-'")
    if "\n" not in value:  # the runner splits this file on LF alone
        return f"{name}={value}\n"
    delimiter = delimiter_factory()
    while delimiter in value:  # the value would end its own record early
        delimiter = delimiter_factory()
    return f"{name}<<{delimiter}\n{value}\n{delimiter}\n"


def write_outputs(path: str | Path, outputs: Mapping[str, str]) -> None:
    """Appends every record in one write; a bad name raises before anything is written."""
    records = "".join(format_output(name, value) for name, value in outputs.items())
    with open(path, "a", encoding="utf-8", newline="") as file:
        file.write(records)


class StepSummary:
    """This step's part of the summary file, which a later write replaces (the wait's final status)."""

    def __init__(self, path: str | None) -> None:
        self.path = Path(path) if path else None
        self.start = self.path.stat().st_size if self.path and self.path.exists() else 0

    def write(self, markdown: str) -> None:
        if self.path is None:
            return
        with open(self.path, "a+b") as file:
            file.truncate(self.start)
            file.write(fit_summary(markdown, SUMMARY_LIMIT - self.start).encode())


def escape_data(text: str) -> str:
    """A command's message: the runner decodes these, so the message cannot end its line."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A command's property value: also `:` and `,`, which would end the properties or the value."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


class Place(TypedDict, total=False):
    """Where an annotation points, and its title; each part optional."""

    file: str | None
    line: int | None
    end_line: int | None
    col: int | None
    title: str | None


def annotation(level: Level, message: str, **place: Unpack[Place]) -> str:
    """`::error file=F,line=L,title=T::message`, every part escaped."""
    if level not in LEVELS:
        raise ValueError(f"annotation level {level!r} is not one of {sorted(LEVELS)}")
    keys = {"file": "file", "line": "line", "end_line": "endLine", "col": "col", "title": "title"}
    given = {keys[k]: place.get(k) for k in keys}
    props = ",".join(f"{key}={escape_property(str(v))}" for key, v in given.items() if v is not None)
    return f"::{level}{' ' if props else ''}{props}::{escape_data(message)}"


def group(title: str) -> str:
    return f"::group::{escape_data(title)}"


def endgroup() -> str:
    return "::endgroup::"


def _defuse_legacy(text: str) -> str:
    # `##[name]` is a command anywhere in a line, not every runner stops it with stop-commands, and
    # the log viewer styles `##[error]`, `##[group]`, ... by itself: a backslash breaks the marker.
    return text.replace("##[", "##\\[")


def _new_token() -> str:
    return secrets.token_hex(16)


def untrusted_block(text: str, token_factory: Callable[[], str] = _new_token) -> str:
    """Text from outside, shown as it is (but for `##[`), with command processing stopped around it."""
    body = _defuse_legacy(text)
    token = token_factory()
    # The runner resumes on `::token::` or `##[token]`, ignoring case: the text must not hold it.
    while token.lower() in body.lower():
        token = token_factory()
    if body and not body.endswith("\n"):
        body += "\n"
    return f"::stop-commands::{token}\n{body}::{token}::"


def neutralise(text: str) -> str:
    """Text from outside, for the log without a block: no line starts with `::`, no `##[` is left.

    A backslash goes before a leading `::`: visible, so that a reader sees the text was changed,
    and it keeps the rest of the line as it was (unlike escaping every `:`).
    """
    return _COMMAND_START.sub(r"\1\2\\", _defuse_legacy(text))


class Log:
    """The run's log. With `commands` (under the runner) it uses workflow commands; without, plain
    text. Either way callers pass plain text, and text from outside never becomes a command."""

    def __init__(self, stream: TextIO | None = None, *, commands: bool) -> None:
        self._stream = stream if stream is not None else sys.stdout
        self.commands = commands

    def line(self, text: str = "") -> None:
        self._write(neutralise(text))

    @contextmanager
    def group(self, title: str) -> Iterator[None]:
        self._write(group(title) if self.commands else neutralise(title))
        try:
            yield
        finally:
            if self.commands:
                self._write(endgroup())

    def annotate(self, level: Level, message: str, **place: Unpack[Place]) -> None:
        if self.commands:
            self._write(annotation(level, message, **place))
            return
        where = "".join(
            f"{p}:" for p in (place.get("file"), place.get("line"), place.get("col")) if p is not None
        )
        title = place.get("title")
        heading = " ".join(part for part in (f"{level}:", where, f"{title}:" if title else "") if part)
        self._write(neutralise(f"{heading} {message}"))

    def untrusted(self, text: str) -> None:
        self._write(untrusted_block(text) if self.commands else neutralise(text).removesuffix("\n"))

    def _write(self, text: str) -> None:
        self._stream.write(text + "\n")
        self._stream.flush()  # a mask must reach the runner before anything that shows the value
