"""The runtime check over a corpus of small functions, one folder per runtime and outcome.

`pass/` holds functions each runtime runs (each documented feature, and realistic functions): no
fatal finding. `refuse/` and `warn/` hold functions that use one restriction each; their first line
says where and what: `// expect: LINE:COLUMN words of the message`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from publisher.core.language import RUNTIMES, Finding, check_code

CORPUS = Path(__file__).parents[1] / "corpus" / "language"
EXPECT = re.compile(r"// expect: (\d+):(\d+) (.+)")


def corpus(outcome: str) -> list[tuple[str, Path]]:
    return [
        (runtime, path) for runtime in RUNTIMES for path in sorted((CORPUS / runtime / outcome).glob("*.js"))
    ]


def ids(cases: list[tuple[str, Path]]) -> list[str]:
    return [f"{runtime.removeprefix('cloudfront-js-')}/{path.stem}" for runtime, path in cases]


def expectation(path: Path) -> tuple[int, int, str]:
    match = EXPECT.match(path.read_text().splitlines()[0])
    assert match, f"{path.name} must start with // expect: LINE:COLUMN message"
    return int(match[1]), int(match[2]), match[3]


def fatal(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.fatal]


PASS, REFUSE, WARN = corpus("pass"), corpus("refuse"), corpus("warn")


def test_the_corpus_is_there() -> None:
    for runtime in RUNTIMES:
        assert len([c for c in PASS if c[0] == runtime]) >= 7
        assert len([c for c in REFUSE if c[0] == runtime]) >= 15


@pytest.mark.parametrize(("runtime", "path"), PASS, ids=ids(PASS))
def test_functions_the_runtime_runs_are_not_refused(runtime: str, path: Path) -> None:
    assert fatal(check_code(path.read_bytes(), runtime)) == []


@pytest.mark.parametrize(("runtime", "path"), REFUSE, ids=ids(REFUSE))
def test_each_restriction_is_refused_where_it_is(runtime: str, path: Path) -> None:
    line, column, words = expectation(path)
    first = fatal(check_code(path.read_bytes(), runtime))[0]
    assert (first.line, first.column) == (line, column), first.message
    assert words in first.message
    assert first.message.startswith(runtime)


@pytest.mark.parametrize(("runtime", "path"), WARN, ids=ids(WARN))
def test_unlisted_features_only_warn(runtime: str, path: Path) -> None:
    line, column, words = expectation(path)
    findings = check_code(path.read_bytes(), runtime)
    assert fatal(findings) == []
    assert [(f.line, f.column) for f in findings if words in f.message] == [(line, column)]


def test_every_message_names_its_source_page() -> None:
    for runtime, path in REFUSE + WARN:
        for finding in check_code(path.read_bytes(), runtime):
            if "cannot compile" not in finding.message:
                assert "https://docs.aws.amazon.com/AmazonCloudFront/" in finding.message, finding.message


@pytest.mark.parametrize(
    ("code", "runtime", "expected"),
    [
        (b"function handler(e) {\n  let a = 1; return e.request;\n}", "cloudfront-js-2.0", []),
        (b"function handler(e) { var x = e.request; return x; }", "cloudfront-js-1.0", []),
        (b"function setTimeout(f) { f(); }\nfunction handler(e) { setTimeout(g); }", "cloudfront-js-1.0", []),
        (b"function handler(e) { return e.request; }\nvar s = 'let const class';", "cloudfront-js-1.0", []),
    ],
    ids=["let-in-2.0", "var-in-1.0", "own-setTimeout", "words-in-strings"],
)
def test_no_findings_where_there_is_nothing_to_say(
    code: bytes, runtime: str, expected: list[Finding]
) -> None:
    assert check_code(code, runtime) == expected


def test_the_column_counts_characters_not_bytes() -> None:
    code = "var caf\u00e9 = '\u00e9\u00e9'; let x = 1;".encode()
    [finding] = check_code(code, "cloudfront-js-1.0")
    assert (finding.line, finding.column) == (1, 18)


def test_findings_come_in_source_order() -> None:
    code = b"let b = 1;\nfunction f() { eval('1'); }\nconst a = 2;"
    findings = check_code(code, "cloudfront-js-1.0")
    assert [(f.line, f.column) for f in findings] == [(1, 1), (2, 16), (3, 1)]


def test_an_unknown_runtime_is_an_error_not_a_pass() -> None:
    with pytest.raises(ValueError, match=r"cloudfront-js-3\.0"):
        check_code(b"function handler(e) { return e.request; }", "cloudfront-js-3.0")


def test_deeply_nested_code_does_not_exhaust_the_stack() -> None:
    code = b"var x = " + b"[" * 3000 + b"]" * 3000 + b";"
    assert fatal(check_code(code, "cloudfront-js-1.0")) == []


V2 = "cloudfront-js-2.0"


@pytest.mark.parametrize(
    ("code", "flagged"),
    [
        (b"function h(fetch) { fetch(); }", []),
        (b"{ let setTimeout = f; setTimeout(); }\nsetTimeout(g);", [(2, 1)]),
        (b"function a() { if (x) { var eval = f; } eval(); }", []),
        (b"var t = function setTimeout() { setTimeout(); };\nsetTimeout(t);", [(2, 1)]),
        (b"try { x(); } catch (fetch) { fetch(); }\nfetch('/');", [(2, 1)]),
        (
            b"var o = {setTimeout: f};\nfunction g() { var {setTimeout} = o; setTimeout(); }\nsetTimeout(g);",
            [(3, 1)],
        ),
        (b"var run = (setTimeout) => setTimeout();\nsetTimeout(run);", [(2, 1)]),
    ],
    ids=[
        "parameter",
        "block-let",
        "hoisted-var",
        "function-name",
        "catch",
        "destructured",
        "arrow-parameter",
    ],
)
def test_a_name_is_the_global_only_where_no_scope_around_it_declares_it(
    code: bytes, flagged: list[tuple[int, int]]
) -> None:
    found = [(f.line, f.column) for f in check_code(code, V2) if f.fatal]
    assert found == flagged


@pytest.mark.parametrize(
    ("code", "refused"),
    [
        (b"var a; var a;", False),
        (b"function f(a) { var a; }", False),
        (b"function f() {} function f() {}", False),
        (b"let a; var a;", True),
        (b"function f(a) { let a; }", True),
        (b"switch (x) { case 1: let a; break; case 2: let a; }", True),
        (b"try {} catch (e) { let e; }", True),
        (b"try {} catch (e) { var e; }", False),
        (b"for (let i = 0; i < 1; i++) { let i; }", False),
        (b"{ let a; } { let a; }", False),
    ],
)
def test_a_name_declared_twice_is_refused_only_where_let_const_or_class_holds_it(
    code: bytes, refused: bool
) -> None:
    assert any("declared twice" in f.message for f in check_code(code, V2)) == refused
