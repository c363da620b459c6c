from __future__ import annotations

from publisher.core.diffs import diff_code, differences
from tests.factories import config


def test_crlf_change_is_visible() -> None:
    out = diff_code(b"a\nb\n", b"a\r\nb\r\n", "old", "new")
    assert "+a␍" in out and "-a" in out


def test_bytes_that_are_not_utf8_are_shown_escaped() -> None:
    out = diff_code(b"x\n", b"\xff\xfex\n", "old", "new")
    assert "+\\xff\\xfex" in out


def test_identical_code_has_no_diff() -> None:
    assert diff_code(b"same", b"same", "a", "b") == ""


def test_differences_name_each_part() -> None:
    assert differences(b"a", config("x"), b"b", config("y", store="arn:s")) == [
        "code",
        "comment",
        "key-value-store",
    ]
