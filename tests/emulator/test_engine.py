"""The emulator's engine against the product's runtime check: neither asks the other.

TestFunction runs the code in njs (where installed) and answers what njs answers; the check
(`publisher.core.language.check_code`) reads the pages. Where they disagree, a row here says which
way and why, so a change on either side shows up as a failing row rather than passing silently.
"""

from __future__ import annotations

import json
import shutil
from typing import Any

import pytest

from emulator import njs, runtime
from publisher.core.language import check_code
from tests.emulator.helpers import create, etag, event

V1, V2 = "cloudfront-js-1.0", "cloudfront-js-2.0"
needs_njs = pytest.mark.skipif(shutil.which("njs") is None, reason="the engine is njs")


def answer(cf: Any, name: str, code: bytes, runtime_name: str) -> dict[str, Any]:
    create(cf, name, code, runtime=runtime_name)
    result = cf.test_function(
        Name=name, IfMatch=etag(cf, name, "DEVELOPMENT"), Stage="DEVELOPMENT", EventObject=event()
    )
    return dict(result["TestResult"])


def verdict(code: bytes, runtime_name: str) -> str:
    findings = check_code(code, runtime_name)
    return "refuse" if any(f.fatal for f in findings) else "warn" if findings else "pass"


def body(line: str) -> bytes:
    return f"function handler(event) {{\n    {line}\n    return event.request;\n}}\n".encode()


@needs_njs
def test_the_engine_is_named() -> None:
    assert runtime.engine() == "njs 0.7.9" or runtime.engine().startswith("njs ")


# (id, code, runtime, what the check says, whether njs runs it, why they differ or agree)
ROWS = [
    (
        "let-in-1.0",
        body("let uri = event.request.uri;"),
        V1,
        "refuse",
        True,
        "the 1.0 page: const and let are not supported; njs 0.7.9 has them",
    ),
    (
        "import-in-1.0",
        b"import qs from 'querystring';\n" + body("qs.parse('a=1');"),
        V1,
        "refuse",
        True,
        "modules come with 2.0; njs resolves imports in any script",
    ),
    (
        "octal-escape",
        body("var s = 'a\\01';"),
        V2,
        "refuse",
        True,
        "strict mode makes an octal escape a SyntaxError; njs 0.7.9 accepts it",
    ),
    ("nullish", body("var lang = event.request.uri ?? 'en';"), V2, "warn", True, "not listed; njs runs it"),
    (
        "destructuring-in-2.0",
        body("var { uri } = event.request;"),
        V2,
        "warn",
        False,
        "not listed; njs 0.7.9 rejects it; 2.0's engine may be newer: a warning",
    ),
    (
        "await-in-arguments",
        b"async function handler(event) {\n    var n = Number(await Promise.resolve('1'));\n    return event.request;\n}\n",
        V2,
        "warn",
        False,
        "the 2.0 page: async arguments are not supported; njs 0.7.9: await in arguments not supported",
    ),
    ("destructuring-in-1.0", body("var { uri } = event.request;"), V1, "refuse", False, "agreement"),
    ("legacy-octal", body("var mode = 0644;"), V1, "refuse", False, "agreement: strict mode"),
    ("duplicate-let", body("let a = 1; let a = 2;"), V2, "refuse", False, "agreement: an early error"),
    (
        "top-level-return",
        b"function handler(e) { return e.request; }\nreturn 1;\n",
        V2,
        "refuse",
        False,
        "agreement",
    ),
]


@needs_njs
@pytest.mark.parametrize("row", ROWS, ids=[r[0] for r in ROWS])
def test_where_the_check_and_the_engine_agree_and_differ(
    cf: Any, row: tuple[str, bytes, str, str, bool, str]
) -> None:
    _, code, runtime_name, check, runs, why = row
    assert verdict(code, runtime_name) == check, why
    result = answer(cf, "probe", code, runtime_name)
    error = result.get("FunctionErrorMessage", "")
    assert (not error) == runs, (why, error)
    if not runs:
        assert error.startswith("SyntaxError: ") and "cloudfront-function.js" in error, error


@pytest.mark.parametrize("engine", ["njs", "node"])
def test_an_implicit_global_throws_in_strict_mode(
    cf: Any, engine: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if shutil.which(engine) is None:
        pytest.skip(f"{engine} is not installed")
    if engine == "node":
        monkeypatch.setattr(njs, "path", lambda: None)
    result = answer(
        cf, "sloppy", b"function handler(event) {\n    req = event.request;\n    return req;\n}\n", V1
    )
    assert "ReferenceError" in result["FunctionErrorMessage"] and "req" in result["FunctionErrorMessage"]
    assert "FunctionOutput" not in result


@needs_njs
def test_the_engine_compiles_the_code_itself(cf: Any) -> None:
    """The SyntaxError is njs's, at the code's own line: not the product check's message."""
    result = answer(cf, "broken", b"function handler(event) {\n    return event.request\n}}\n", V2)
    assert result["FunctionErrorMessage"] == 'SyntaxError: Unexpected token "}" in cloudfront-function.js:3'


@needs_njs
def test_njs_answers_what_the_node_model_guessed_otherwise(cf: Any) -> None:
    """Runtime 1.0's fromUTF8() on a string that is not bytes: njs answers the string, node's
    model of it answered null. njs is where the method comes from."""
    code = b"function handler(e) { e.request.headers['x'] = {value: JSON.stringify('\\xff\\xfe'.fromUTF8())}; return e.request; }"
    output = json.loads(answer(cf, "utf8", code, V1)["FunctionOutput"])
    assert json.loads(output["request"]["headers"]["x"]["value"]) == "\xff\xfe"
