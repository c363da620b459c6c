"""Connection functions in the manifest: beside viewer functions, runtime 2.0 only, the handler's
contract, and test cases with a connection object; every mistake found before any AWS call."""

from __future__ import annotations

import json
from pathlib import Path

from publisher.core.modes import Kind, Ref
from tests.core.test_manifest import load, problems

GATE = b"function handler(connection) {\n  connection.allow();\n}\n"
VIEWER = b"function handler(event) { return event.request; }"


def test_a_connection_function_is_declared_beside_a_viewer_function_of_the_same_name(tmp_path: Path) -> None:
    text = (
        "functions:\n  - name: gate\n    code: viewer.js\n"
        "connection-functions:\n  - name: gate\n    code: gate.js\n    comment: mTLS\n"
        "    tests:\n      - name: trusted\n        connection: {clientCertInfo: {issuer: CN=ok}}\n"
        "        expect: allow\n        logs: [checked]\n"
    )
    m = load(tmp_path, text, {"viewer.js": VIEWER, "gate.js": GATE})
    assert [s.ref for s in m.functions] == [Ref(Kind.FUNCTION, "gate"), Ref(Kind.CONNECTION_FUNCTION, "gate")]
    connection = m.functions[1]
    assert (connection.runtime, connection.comment, connection.code) == ("cloudfront-js-2.0", "mTLS", GATE)
    (case,) = connection.tests
    assert (case.event, case.expect, case.expect_logs) == (
        {"clientCertInfo": {"issuer": "CN=ok"}},
        {"action": "allow"},
        ("checked",),
    )


def test_a_manifest_may_hold_connection_functions_only(tmp_path: Path) -> None:
    m = load(tmp_path, "connection-functions:\n  - name: gate\n    code: gate.js\n", {"gate.js": GATE})
    assert [s.kind for s in m.functions] == [Kind.CONNECTION_FUNCTION]


def test_runtime_1_is_refused_before_any_call(tmp_path: Path) -> None:
    text = "connection-functions:\n  - name: gate\n    code: gate.js\n    runtime: cloudfront-js-1.0\n"
    assert problems(tmp_path, text, {"gate.js": GATE}) == [
        "m.yml:4: gate.runtime: a connection function runs on cloudfront-js-2.0 only, not cloudfront-js-1.0"
    ]


def test_the_viewer_defaults_do_not_apply_to_connection_functions(tmp_path: Path) -> None:
    text = (
        "defaults:\n  runtime: cloudfront-js-1.0\nfunctions:\n  - name: v\n    code: v.js\n"
        "connection-functions:\n  - name: gate\n    code: gate.js\n"
    )
    m = load(tmp_path, text, {"v.js": VIEWER, "gate.js": GATE})
    assert [s.runtime for s in m.functions] == ["cloudfront-js-1.0", "cloudfront-js-2.0"]


def test_a_name_twice_in_one_kind_is_refused(tmp_path: Path) -> None:
    text = "connection-functions:\n  - name: gate\n    code: gate.js\n  - name: gate\n    code: gate.js\n"
    assert problems(tmp_path, text, {"gate.js": GATE}) == [
        "m.yml:4: name: `gate` is listed twice (first at line 2)"
    ]


def test_the_handler_must_take_the_connection_and_decide(tmp_path: Path) -> None:
    cases = {
        b"var x = 1;\n": "1: gate.code: a connection function declares `function connectionHandler(connection)`",
        b"\nfunction handler() { }\n": "2: gate.code: the handler takes no parameter",
        b"function handler(conn) {\n  console.log(conn.clientIp);\n}\n": (
            "1: gate.code: the handler never calls `conn.allow()` or `conn.deny()`"
        ),
    }
    for code, expected in cases.items():
        found = problems(
            tmp_path, "connection-functions:\n  - name: gate\n    code: gate.js\n", {"gate.js": code}
        )
        assert len(found) == 1 and found[0].startswith(f"gate.js:{expected}"), found


def test_a_connection_object_is_checked_inline_and_in_a_file(tmp_path: Path) -> None:
    big = json.dumps({"clientIp": "x" * 41_000}).encode()
    text = (
        "connection-functions:\n  - name: gate\n    code: gate.js\n    tests:\n"
        "      - name: shape\n        connection: {clientCertInfo: CN=ok}\n"
        "      - name: size\n        connection: big.json\n"
        "      - name: leaf\n        connection: {clientCertificate: {certificates: {leaf: CN=ok}}}\n"
    )
    found = problems(tmp_path, text, {"gate.js": GATE, "big.json": big})
    assert any("shape.connection: `clientCertInfo` must be an object" in p for p in found), found
    assert any("size.connection: the connection object is 41,015 bytes" in p for p in found), found
    assert any("leaf.connection: `clientCertificate` must hold `certificates.leaf`" in p for p in found), (
        found
    )
    text = "connection-functions:\n  - name: gate\n    code: gate.js\n    tests:\n      - name: v\n        connection: {}\n        expect: maybe\n"
    found = problems(tmp_path, text, {"gate.js": GATE})
    assert found == ["m.yml:7: connection-functions.0.tests.0.expect: Input should be 'allow' or 'deny'"]


def test_an_unknown_key_of_a_connection_test_suggests_its_own_keys(tmp_path: Path) -> None:
    text = (
        "connection-functions:\n  - name: gate\n    code: gate.js\n    tests:\n"
        "      - name: t\n        event: {}\n"
    )
    found = problems(tmp_path, text, {"gate.js": GATE})
    assert any("unknown key `event`" in p and "connection" in p for p in found), found


def test_the_developer_guides_handler_name_and_connection_object_are_accepted(tmp_path: Path) -> None:
    code = b"async function connectionHandler(connection) {\n  return connection.deny();\n}\n"
    text = (
        "connection-functions:\n  - name: gate\n    code: gate.js\n    tests:\n      - name: t\n"
        "        connection: {clientCertificate: {certificates: {leaf: {serialNumber: '01'}}}, clientIp: 192.0.2.1}\n"
    )
    (spec,) = load(tmp_path, text, {"gate.js": code}).functions
    event = spec.tests[0].event
    assert isinstance(event, dict)
    assert event["clientCertificate"]["certificates"]["leaf"] == {"serialNumber": "01"}
