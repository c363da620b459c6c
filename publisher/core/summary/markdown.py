"""Filters for text from outside (function code and comments, diffs, AWS messages, test logs): each is
named for where the text goes (`cell`, `inline`, `fence`) and makes sure it can only ever be shown,
never read as Markdown or HTML."""

from __future__ import annotations

import re
from collections.abc import Callable

from publisher.core.limits import CODE_LIMIT

_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # CommonMark ends a line on all three
# Character references, not backslashes: they read the same in Markdown, in a table cell and inside
# an HTML block (a `<summary>` line), where Markdown is not parsed and a backslash would show.
_ESCAPES = str.maketrans(
    {c: f"&#{ord(c)};" for c in "\\`*_[]~|"} | {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}
)
_MENTION = re.compile(r"@(?=\w)")
_BLOCK_START = re.compile(r"^(\s*)([#+=-])|^(\s*\d+)([.)])")  # a heading or a list item
_FENCE_RUN = re.compile(r"`+|~+")


def inline(value: object) -> str:
    """Text for running Markdown or HTML: shows as it reads, on one line, and links or mentions nothing."""
    text = ("" if value is None else str(value)).rstrip("\r\n").translate(_ESCAPES)
    text = _MENTION.sub("@\u200b", text)  # a zero-width space: `@name` no longer mentions anyone
    text = _BLOCK_START.sub(lambda m: f"{m[1]}&#{ord(m[2])};" if m[2] else f"{m[3]}&#{ord(m[4])};", text)
    return _LINE_BREAK.sub("<br>", text)


def cell(value: object) -> str:
    """Text for a table cell: as `inline`, whose escapes already keep a row on one line and its `|`s."""
    return inline(value)


# Characters a reader cannot see but a runtime obeys: a BOM, zero-width characters, bidi controls that
# reorder what is shown ("Trojan Source"). In a diff each is shown by its code point instead.
_INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def visible(text: str) -> str:
    return _INVISIBLE.sub(lambda m: f"⟨U+{ord(m[0]):04X}⟩", text)


def fence(value: object, language: str = "diff") -> str:
    """A fenced code block whose fence is longer than any run of backticks or tildes in the text,
    so that no line of it can close the block; invisible characters are shown by their code point."""
    text = visible(_LINE_BREAK.sub("\n", "" if value is None else str(value)))
    longest = max((len(run.group()) for run in _FENCE_RUN.finditer(text)), default=0)
    marker = "`" * max(3, longest + 1)
    body = text if not text or text.endswith("\n") else text + "\n"
    return f"{marker}{re.sub(r'[^A-Za-z0-9_+-]', '', language)}\n{body}{marker}"


def code_size(value: int) -> str:
    """`1,234 B / 10 KB (12 %)`: a function's code against CloudFront's limit. The spaces within each
    quantity do not break, so that a narrow table cell never leaves a `%` alone on a line."""
    return f"{value:,}\u00a0B / {CODE_LIMIT // 1024}\u00a0KB ({value * 100 // CODE_LIMIT}\u00a0%)"


FILTERS: dict[str, Callable[..., str]] = {"cell": cell, "inline": inline, "fence": fence, "bytes": code_size}
