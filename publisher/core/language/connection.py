"""A connection function's contract, checked lightly before any call: the code declares its handler,
`function connectionHandler(connection)` as the Developer Guide's examples name it, or
`function handler(connection)` (any parameter name; `async` allowed), and calls `allow()` or
`deny()` on that parameter somewhere. It reads the text: it does not follow the object into other
names or functions, nor prove that every path decides (CloudFront denies a connection its function
did not decide); the test cases (TestConnectionFunction) do that.

Source: Developer Guide, "Write CloudFront Connection Function code for mutual TLS (viewer)
validation" (the handler receives the connection and calls `connection.allow()` or
`connection.deny()`; neither: denied) and "Create connection functions".
"""

from __future__ import annotations

import re

_HANDLER = re.compile(rb"\bfunction\s+(?:connectionHandler|handler)\s*\(\s*([A-Za-z_$][\w$]*)?")


def connection_problem(code: bytes) -> tuple[int, str] | None:
    """(line, message) of the first break of the contract, or None."""
    found = _HANDLER.search(code)
    if found is None:
        return 1, "a connection function declares `function connectionHandler(connection)`; none was found"
    line = code.count(b"\n", 0, found.start()) + 1
    param = found.group(1)
    if param is None:
        return line, "the handler takes no parameter; it receives the connection object"
    decides = re.compile(rb"\b" + re.escape(param) + rb"\s*\.\s*(allow|deny)\s*\(")
    if not decides.search(code, found.end()):
        name = param.decode()
        return (
            line,
            f"the handler never calls `{name}.allow()` or `{name}.deny()`; it must allow or deny the connection",
        )
    return None
