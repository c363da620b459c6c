"""Every manifest mistake is reported at once, each with file, line and field, before any AWS call."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from publisher.core.errors import InputError
from publisher.core.manifest import Manifest
from publisher.shell.files import Workspace


def load(tmp_path: Path, text: str, files: dict[str, bytes] | None = None) -> Manifest:
    for name, data in (files or {}).items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    (tmp_path / "m.yml").write_text(text)
    cwd = Path.cwd()
    os.chdir(tmp_path)
    try:
        return Workspace(tmp_path).load_manifest("m.yml")
    finally:
        os.chdir(cwd)


def problems(tmp_path: Path, text: str, files: dict[str, bytes] | None = None) -> list[str]:
    with pytest.raises(InputError) as err:
        load(tmp_path, text, files)
    return [str(p) for p in err.value.problems]


def test_a_valid_manifest_reads_code_and_applies_defaults(tmp_path: Path) -> None:
    m = load(
        tmp_path,
        "defaults:\n  comment: shared\nfunctions:\n  - bare\n  - name: a\n    code: src/a.js\n",
        {"src/a.js": b"function handler(e) { return e.request }"},
    )
    assert [f.name for f in m.functions] == ["bare", "a"]
    assert m.functions[0].code is None and m.functions[1].code == b"function handler(e) { return e.request }"
    assert m.functions[1].comment == "shared" and m.functions[1].runtime is None


def test_json_manifests_work_too(tmp_path: Path) -> None:
    (tmp_path / "a.js").write_bytes(b"x")
    (tmp_path / "m.json").write_text('{"functions": [{"name": "a", "code": "a.js"}]}')
    os.chdir(tmp_path)
    assert Workspace(tmp_path).load_manifest("m.json").functions[0].code == b"x"


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (
            "  - name: a\n    coment: x\n",
            "m.yml:3: functions.0.coment: unknown key `coment`; did you mean `comment`?",
        ),
        ("  - name: bad.name\n", "m.yml:2: functions.0.name: must be 1 to 64 letters, digits, `-` or `_`"),
        (f"  - {'n' * 65}\n", "m.yml:2: functions.0.name: must be 1 to 64 letters"),
        (
            f"  - name: a\n    comment: {'c' * 129}\n",
            "m.yml:3: functions.0.comment: String should have at most 128",
        ),
        (
            "  - name: a\n    runtime: node18\n",
            "m.yml:3: functions.0.runtime: Input should be 'cloudfront-js-1.0'",
        ),
        ("  - name: a\n    code: missing.js\n", "m.yml:3: a.code: `missing.js` does not exist"),
        (
            "  - name: a\n    runtime: cloudfront-js-1.0\n    key-value-store: s\n",
            "m.yml:4: a.key-value-store: a KeyValueStore needs runtime cloudfront-js-2.0",
        ),
        (
            "  - name: a\n    code: ../outside.js\n",
            "m.yml:3: a.code: `../outside.js` leads out of the workspace",
        ),
        (
            "  - name: a\n    code: /etc/passwd\n",
            "m.yml:3: a.code: `/etc/passwd` must be a path relative to the manifest",
        ),
        ("  - name: a\n    code: big.js\n", "m.yml:3: a.code: `big.js` is 10,241 bytes; the limit is 10,240"),
        ("  - name: a\n    code: src\n", "m.yml:3: a.code: `src` is not a regular file"),
        ("  - a\n  - b\n  - a\n", "m.yml:4: name: `a` is listed twice (first at line 2)"),
        ("  - 42\n", "m.yml:2: functions.0: expected a function name or a mapping with `name`"),
    ],
)
def test_each_mistake_names_file_line_and_field(tmp_path: Path, entry: str, expected: str) -> None:
    files = {"big.js": b"x" * 10_241, "src/keep": b""}
    found = problems(tmp_path, "functions:\n" + entry, files)
    assert any(p.startswith(expected) for p in found), found


def test_code_at_the_limit_is_accepted(tmp_path: Path) -> None:
    m = load(tmp_path, "functions:\n  - name: a\n    code: a.js\n", {"a.js": b"x" * 10_240})
    assert len(m.functions[0].code or b"") == 10_240


def test_a_symlink_out_of_the_workspace_is_refused(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    (tmp_path / "secret.js").write_text("x")
    (ws / "link.js").symlink_to(tmp_path / "secret.js")
    assert problems(ws, "functions:\n  - name: a\n    code: link.js\n") == [
        "m.yml:3: a.code: `link.js` leads out of the workspace"
    ]


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.js")
    assert problems(tmp_path, "functions:\n  - name: a\n    code: pipe.js\n") == [
        "m.yml:3: a.code: `pipe.js` is not a regular file"
    ]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = "defaults:\n  runtim: x\nfunctions:\n  - name: a\n    code: nope.js\n  - name: b!\n  - a\n"
    found = problems(tmp_path, text)
    assert [p.split(":")[1] for p in found] == ["2", "5", "6", "7"], found


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "m.yml:1: the file is empty"),
        (b"\xff\xfe\x00", "m.yml: not UTF-8"),
        (b"functions: [a\n", "m.yml:2: not valid YAML"),
        (b"a: &x [1]\nfunctions: *x\n", "m.yml:2: anchors and aliases are not supported"),
        (b"functions: [a]\nfunctions: [b]\n", "m.yml:2: duplicate key `functions`"),
        (b"functions: []\n", "m.yml:1: functions: List should have at least 1 item"),
        (
            b"functions: [!!python/object/apply:os.system [ls]]\n",
            "m.yml:1: the tag tag:yaml.org,2002:python/object/apply:os.system is not supported",
        ),
    ],
)
def test_unreadable_manifests_are_refused_with_their_place(
    tmp_path: Path, data: bytes, expected: str
) -> None:
    (tmp_path / "m.yml").write_bytes(data)
    os.chdir(tmp_path)
    with pytest.raises(InputError) as err:
        Workspace(tmp_path).load_manifest("m.yml")
    assert str(err.value.problems[0]).startswith(expected), err.value.problems


def test_a_billion_laughs_is_refused_fast(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    assert "anchors and aliases" in problems(tmp_path, "\n".join(lines) + "\nfunctions: [x]\n")[0]


def test_tests_and_events_are_checked_before_any_call(tmp_path: Path) -> None:
    text = (
        "functions:\n  - name: a\n    code: a.js\n    tests:\n"
        "      - name: ok\n        event: ev.json\n"
        "      - name: wrong-type\n        event: {context: {eventType: origin-request}, request: {}}\n"
        "      - name: not-json\n        event: bad.json\n"
    )
    ev = b'{"version":"1.0","context":{"eventType":"viewer-request"},"request":{"uri":"/"}}'
    found = problems(tmp_path, text, {"a.js": b"x", "ev.json": ev, "bad.json": b"{"})
    assert found[0].startswith("m.yml:7: a.tests.wrong-type.event: context.eventType must be")
    assert found[1].startswith("m.yml:9: a.tests.not-json.event: bad.json is not JSON")
    assert len(found) == 2


def test_the_runtime_type_and_the_runtimes_are_the_same_names() -> None:
    from typing import get_args

    from publisher.core.limits import RUNTIMES, Runtime

    assert get_args(Runtime) == RUNTIMES
