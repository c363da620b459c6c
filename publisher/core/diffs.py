"""Unified diffs a reviewer can trust: line-ending and encoding differences stay visible."""

from __future__ import annotations

import difflib

from publisher.core.model import FunctionConfig


def _lines(code: bytes | None) -> list[str]:
    if code is None:
        return []
    # bytes that are not UTF-8 show as \xNN; a CR shows as ␍ so a CRLF change is not an empty-looking diff
    text = code.decode("utf-8", errors="backslashreplace")
    return [line.replace("\r", "␍") + "\n" for line in text.split("\n")]


def diff_code(old: bytes | None, new: bytes | None, old_label: str, new_label: str) -> str:
    if old == new:
        return ""
    lines = difflib.unified_diff(_lines(old), _lines(new), old_label, new_label)
    return "".join(lines)


def diff_config(
    old: FunctionConfig | None, new: FunctionConfig | None, old_label: str, new_label: str
) -> str:
    if old == new:
        return ""
    before = old.describe().splitlines(keepends=True) if old else []
    after = new.describe().splitlines(keepends=True) if new else []
    return "".join(difflib.unified_diff(before, after, f"{old_label} (config)", f"{new_label} (config)"))


def differences(
    old_code: bytes | None, old: FunctionConfig | None, new_code: bytes | None, new: FunctionConfig | None
) -> list[str]:
    """The parts that differ, in the words a person uses: code, runtime, comment, key-value-store."""
    found = ["code"] if old_code != new_code else []
    if old is None or new is None:
        return found + (["config"] if old != new else [])
    found += [
        name
        for name, a, b in (
            ("runtime", old.runtime, new.runtime),
            ("comment", old.comment, new.comment),
            ("key-value-store", old.key_value_store_arns, new.key_value_store_arns),
        )
        if a != b
    ]
    return found
