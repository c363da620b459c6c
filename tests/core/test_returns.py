"""What a handler plainly returns (core/language/returns.py): the forms it reads, and the ones it
must not guess about, since a wrong guess would refuse working code."""

from __future__ import annotations

import pytest

from publisher.core.language.returns import handler_returns


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (b"function handler(event) { return event.request; }", [("request", 1)]),
        (b"async function handler(e) {\n  return e.response;\n}", [("response", 2)]),
        (
            b"function handler(event) {\n  var request = event.request;\n  return request;\n}",
            [("request", 3)],
        ),
        (b"function handler(event) { let r; r = event.response; return r; }", [("response", 1)]),
        (  # a made-up response from a viewer-request function is allowed: it says nothing
            b"function handler(event) { if (x) { return { statusCode: 302 }; } return event.request; }",
            [("request", 1)],
        ),
    ],
)
def test_the_plain_forms_are_read(code: bytes, expected: list[tuple[str, int]]) -> None:
    assert handler_returns(code) == expected


@pytest.mark.parametrize(
    "code",
    [
        b"function handler(e) { var r = e.request; r = e.response; return r; }",  # bound twice
        b"function handler(e) { return e.response || e.request; }",
        b"function handler(e) { function inner() { return e.response; } return inner(); }",
        b"function handler(e) { return other.request; }",  # not the event
        b"function other(e) { return e.response; }",  # no handler
        b"var handler = function (e) { return e.response; };",  # not a declaration: not read
        b"function handler() { return event.request; }",  # no parameter
        b"function handler(e) { return e['request']; }",
        b"function handler(e) {",  # broken code: the language check reports it, not this
    ],
)
def test_what_is_not_plain_says_nothing(code: bytes) -> None:
    assert handler_returns(code) == []
