"""`associations:` of a function entry: read with their lines, checked before any AWS call."""

from __future__ import annotations

from pathlib import Path

from publisher.core.manifest import AssociationSpec
from tests.core.test_manifest import load, problems

CODE = {"a.js": b"function handler(e) { return e.request }"}


def test_associations_are_read_with_their_lines(tmp_path: Path) -> None:
    m = load(
        tmp_path,
        "functions:\n  - name: a\n    code: a.js\n    associations:\n"
        "      - {distribution: E1, path: default, event: viewer-request}\n"
        "      - distribution: www.example.com\n        path: /api/*\n        event: viewer-response\n"
        "  - name: b\n    code: a.js\n",
        CODE,
    )
    a, b = m.functions
    assert a.associations == (
        AssociationSpec("E1", "default", "viewer-request", 5),
        AssociationSpec("www.example.com", "/api/*", "viewer-response", 6),
    )
    assert a.associations[0].path_pattern is None and a.associations[1].path_pattern == "/api/*"
    assert b.associations is None  # not listed: never touched


def test_an_empty_list_is_a_wish_to_run_nowhere(tmp_path: Path) -> None:
    m = load(tmp_path, "functions:\n  - name: a\n    code: a.js\n    associations: []\n", CODE)
    assert m.functions[0].associations == ()


def test_mistakes_are_located(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        "functions:\n  - name: a\n    code: a.js\n    associations:\n"
        "      - {distribution: E1, path: default, event: origin-request}\n"
        "      - {distribution: E1, path: default, evnt: viewer-request}\n"
        "      - {distribution: E1, path: /x, event: viewer-request}\n"
        "      - {distribution: E1, path: /x, event: viewer-request}\n",
        CODE,
    )
    assert found[0].startswith("m.yml:5: functions.0.associations.0.event: Input should be 'viewer-request'")
    assert "m.yml:6: functions.0.associations.1.evnt: unknown key `evnt`; did you mean `event`?" in found
    assert "m.yml:6: functions.0.associations.1.event: Field required" in found


def test_the_same_place_twice_is_refused(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        "functions:\n  - name: a\n    code: a.js\n    associations:\n"
        "      - {distribution: E1, path: /x, event: viewer-request}\n"
        "      - {distribution: E1, path: /x, event: viewer-request}\n",
        CODE,
    )
    assert found == ["m.yml:6: a.associations: E1 /x viewer-request is listed twice"]


def test_a_retired_function_runs_nowhere(tmp_path: Path) -> None:
    m = load(tmp_path, "functions:\n  - name: old\n    retire: true\n")
    assert m.functions[0].retire and m.functions[0].associations == ()
    found = problems(
        tmp_path,
        "functions:\n  - name: old\n    retire: true\n    associations:\n"
        "      - {distribution: E1, path: default, event: viewer-request}\n",
    )
    assert found == ["m.yml:4: old.associations: a retired function runs nowhere"]
