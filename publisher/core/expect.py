"""Does a test's FunctionOutput contain what the manifest expects? A structural subset, no I/O.

`expect` keys may be nested mappings or dotted paths (`response.statusCode: 301`); a value of null
means the key must be absent, so a test can say a header was removed.
"""

from __future__ import annotations

import json
from typing import Any

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
