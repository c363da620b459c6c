"""Does a test's output contain what the manifest expects? A structural subset, no I/O; and `judge`,
the one verdict on a test case, whichever engine ran it (TestFunction, TestConnectionFunction, njs).

`expect` keys may be nested mappings or dotted paths (`response.statusCode: 301`); a value of null
means the key must be absent, so a test can say a header was removed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from publisher.core.manifest import TestCase

_MISSING = object()


def flatten(expect: dict[str, Any], prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    pairs: list[tuple[tuple[str, ...], Any]] = []
    for key, value in expect.items():
        path = (*prefix, *key.split("."))
        if isinstance(value, dict) and value:
            pairs += flatten(value, path)
        else:
            pairs.append((path, value))
    return pairs


def lookup(output: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(output, dict) or key not in output:
            return _MISSING
        output = output[key]
    return output


def mismatch(expect: dict[str, Any] | None, output: dict[str, Any] | None) -> str:
    """'' when the output meets every expectation; else a diff of expected against actual lines."""
    lines = []
    for path, wanted in flatten(expect or {}):
        actual = lookup(output or {}, path)
        if wanted is None and actual is _MISSING:
            continue
        if actual is not _MISSING and wanted is not None and actual == wanted:
            continue
        where = ".".join(path)
        lines.append(f"- {where}: {_show(wanted, absent=wanted is None)}")
        lines.append(f"+ {where}: {_show(actual, absent=actual is _MISSING)}")
    return "\n".join(lines)


def _show(value: Any, absent: bool) -> str:
    return "(absent)" if absent else json.dumps(value, ensure_ascii=False)


def judge(test: TestCase, error: str, output: dict[str, Any] | None, logs: Sequence[str]) -> tuple[str, str]:
    """(why it failed, the output's mismatch): both empty when the case passed. An error fails it
    unless the case expects one containing its `error` text; an expected error that did not come
    fails it too; each expected log line must be there."""
    diff = "" if error else mismatch(test.expect, output)
    if test.expect_error is not None and error:
        diff = ""  # the error was the expectation
    why = _unexpected_error(test, error) or _missing_logs(test, logs)
    return why or ("the output does not match the expectation" if diff else ""), diff


def _unexpected_error(test: TestCase, error: str) -> str:
    if test.expect_error is None:
        return error
    if not error:
        return f"expected an error containing {test.expect_error!r}; the function ran without one"
    if test.expect_error not in error:
        return f"expected an error containing {test.expect_error!r}, got: {error}"
    return ""


def _missing_logs(test: TestCase, logs: Sequence[str]) -> str:
    missing = [line for line in test.expect_logs if line not in logs]
    return f"log lines missing: {', '.join(repr(m) for m in missing)}" if missing else ""
