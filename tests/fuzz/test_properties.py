"""Property-based fuzzing of the manifest loader and the input parsers: whatever comes in, the answer
is a value or an InputError whose every problem names its place; never another exception, and from
the entry point exit 2 with not one AWS call.

Seed: every test runs with hypothesis's @seed(SEED) and no example database, so the examples tried
are the same on every machine; each test prints how many it tried.
"""

from __future__ import annotations

import io
import os
import string
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from emulator import Emulator
from publisher.action import INPUTS, settings_from_inputs
from publisher.cli import settings_from_argv
from publisher.core.errors import InputError
from publisher.core.limits import NAME_PATTERN
from publisher.core.manifest import Manifest
from publisher.core.manifest import parse as parse_manifest
from publisher.core.settings import Settings
from publisher.shell.files import Workspace
from tests.fuzz.conftest import entry

SEED = 20261125
MANIFEST = "m.yml"
FUZZ = settings(
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def fuzz(examples: int) -> settings:
    return settings(FUZZ, max_examples=examples)


class Tried:
    """How many examples a property saw, printed when the test ends."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> None:
        self.count += 1


@pytest.fixture
def tried(request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]) -> Iterator[Tried]:
    counter = Tried()
    yield counter
    with capsys.disabled():
        print(f"\n{request.node.name}: {counter.count} examples (seed {SEED})")


def located(problems: list[Any], file: str, *, lines: bool) -> None:
    assert problems, "an InputError lists its problems"
    for p in problems:
        in_code = p.file != file and p.line and p.column  # the runtime's language: located in the code file
        assert (p.file == file or in_code) and isinstance(p.field, str) and p.message.strip(), p
        assert p.line is None or p.line >= 1, p
        if lines:
            assert p.line is not None, p


# --- Strategies -------------------------------------------------------------------------------------

KEYS = [
    "name",
    "code",
    "runtime",
    "comment",
    "key-value-store",
    "tests",
    "event",
    "expect",
    "max-compute-utilization",
    "associations",  # and what later issues added: where it runs, retiring, tags, a connection's
    "distribution",
    "path",
    "retire",
    "tags",
    "distributions",
    "connection",
    "data",
    "sensitive",
]
names = st.one_of(
    st.from_regex(NAME_PATTERN, fullmatch=True),
    st.text(string.ascii_letters + string.digits + "-_.: /\\\n", max_size=70),
    st.sampled_from(["", "a" * 64, "a" * 65, "-", "_", "none", "arn:aws:x"]),
)
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), names, st.text(max_size=30)
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=8)), inner, max_size=4),
    ),
    max_leaves=12,
)
tags = st.one_of(
    st.dictionaries(
        st.text(max_size=130), st.one_of(st.none(), st.text(max_size=260), st.integers()), max_size=4
    ),
    values,
)
associations = st.one_of(
    st.lists(
        st.fixed_dictionaries(
            {
                "distribution": names,
                "path": st.one_of(st.just("default"), st.text(max_size=20)),
                "event": st.sampled_from(["viewer-request", "viewer-response", "origin-request", ""]),
            }
        ),
        max_size=3,
    ),
    values,
)
well_formed = st.fixed_dictionaries(  # past the first checks: into tags, associations, retiring
    {"name": st.from_regex(NAME_PATTERN, fullmatch=True), "code": st.just("a.js")},
    optional={"tags": tags, "associations": associations, "retire": values, "distributions": values},
)
entries = st.one_of(
    names,
    st.dictionaries(st.sampled_from(KEYS), st.one_of(names, values), max_size=6),
    well_formed,
    values,
)
documents = st.one_of(
    st.fixed_dictionaries(
        {"functions": st.lists(entries, max_size=5)},
        optional={
            "defaults": st.dictionaries(
                st.sampled_from(["runtime", "comment", "tags", "x"]), values, max_size=2
            ),
            "connection-functions": st.lists(entries, max_size=3),
            "key-value-stores": st.lists(entries, max_size=3),
        },
    ),
    values,
)


def dump(document: object, style: str) -> str:
    if style == "json":
        import json

        return json.dumps(document, default=str)
    return yaml.safe_dump(document, default_flow_style=style == "flow", allow_unicode=True)


def parse(data: bytes, file: str) -> Manifest:
    manifest, problems = parse_manifest(data, file)
    if problems:
        raise InputError(problems)
    return manifest


# --- parse --------------------------------------------------------------------------------------------


def test_parse_takes_any_bytes(tried: Tried) -> None:
    @seed(SEED)
    @fuzz(2000)
    @given(st.one_of(st.binary(max_size=400), st.text(max_size=400).map(str.encode)))
    def check(data: bytes) -> None:
        tried()
        try:
            parse(data, MANIFEST)
        except InputError as err:
            located(err.problems, MANIFEST, lines=False)

    check()


def test_parse_takes_any_document_and_locates_every_problem(tried: Tried) -> None:
    @seed(SEED)
    @fuzz(1500)
    @given(documents, st.sampled_from(["block", "flow", "json"]))
    def check(document: object, style: str) -> None:
        tried()
        try:
            manifest = parse(dump(document, style).encode(), MANIFEST)
        except InputError as err:
            located(err.problems, MANIFEST, lines=True)  # a document's every problem has a line
            return
        import re

        found = [f.ref for f in manifest.functions]  # a viewer and a connection function may share a name
        assert found and len(set(found)) == len(found)
        assert all(re.fullmatch(NAME_PATTERN, r.name) for r in found)

    check()


# --- Workspace.load_manifest, with paths that lead anywhere -----------------------------------------------

PATHS = [
    "ok.js",
    "sub/ok.js",
    "./ok.js",
    "sub/../ok.js",
    "big.js",
    "dir",
    "fifo",
    "link-out",
    "zero",
    "loop",
    "missing.js",
    "..",
    "../",
    "../outside.js",
    "sub/../../outside.js",
    "/etc/hostname",
    "//x",
    "~/x",
    "",
    "a\0b",
    "event.json",
    "bad-event.json",
]


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "workspace"
    (root / "sub").mkdir(parents=True)
    (root / "dir").mkdir()
    for name in ("ok.js", "sub/ok.js"):
        (root / name).write_bytes(b"function handler(event) { return event.request; }\n")
    (root / "big.js").write_bytes(b"/" * 10_241)
    (root / "event.json").write_text(
        '{"context": {"eventType": "viewer-request"}, "request": {"method": "GET", "uri": "/"}}'
    )
    (root / "bad-event.json").write_bytes(b"\xff[")
    (tmp_path / "outside.js").write_bytes(b"secret\n")
    os.mkfifo(root / "fifo")
    (root / "link-out").symlink_to(tmp_path / "outside.js")
    (root / "zero").symlink_to("/dev/zero")
    (root / "loop").symlink_to(root / "loop")
    monkeypatch.chdir(root)
    return root


paths = st.one_of(st.sampled_from(PATHS), st.text(string.printable, max_size=20))
functions = st.lists(
    st.fixed_dictionaries(
        {"name": st.from_regex(r"[a-z]{1,8}", fullmatch=True), "code": paths},
        optional={
            "tests": st.lists(st.fixed_dictionaries({"name": st.just("t"), "event": paths}), max_size=2)
        },
    ),
    min_size=1,
    max_size=4,
)


def test_the_loader_reads_only_regular_files_inside_the_workspace(tree: Path, tried: Tried) -> None:
    @seed(SEED)
    @fuzz(800)
    @given(functions)
    def check(listed: list[dict[str, Any]]) -> None:
        tried()
        (tree / MANIFEST).write_text(yaml.safe_dump({"functions": listed}))
        try:
            manifest = Workspace(tree).load_manifest(MANIFEST)
        except InputError as err:
            located(err.problems, MANIFEST, lines=False)
            return
        for spec, raw in zip(manifest.functions, listed, strict=True):
            read = (tree / raw["code"]).resolve()
            assert read.is_relative_to(tree) and read.is_file()
            assert spec.code is not None and spec.code == read.read_bytes() and b"secret" not in spec.code

    check()


# --- The input parsers ------------------------------------------------------------------------------------


def test_the_action_inputs_parser_takes_any_values(tried: Tried) -> None:
    variables = st.sampled_from(
        [f"INPUT_{n.upper()}" for n in INPUTS] + ["GITHUB_REF", "GITHUB_SHA", "INPUT_X"]
    )
    texts = st.one_of(
        st.text(max_size=40),
        st.sampled_from(
            ["", "0", "1", "64", "65", "-1", "1e3", "nan", "inf", "true", "false", "publish", "plan"]
        ),
    )

    @seed(SEED)
    @fuzz(1500)
    @given(st.dictionaries(variables, texts, max_size=6))
    def check(environ: dict[str, str]) -> None:
        tried()
        try:
            found: Settings | InputError = settings_from_inputs(environ)
        except InputError as err:
            found = err
        if isinstance(found, InputError):
            located(found.problems, "action inputs", lines=False)
            assert all(p.field.split(".")[0] in {*INPUTS, "run-id"} for p in found.problems), found.problems
        else:
            assert 1 <= found.max_concurrency <= 64

    check()


def test_the_command_line_parser_takes_any_arguments(tried: Tried) -> None:
    words = st.one_of(
        st.sampled_from(["plan", "preview", "sync", "publish", "--json", "--wait", "-h"]),
        st.sampled_from(
            ["--manifest", "--functions", "--backup-dir", "--max-concurrency", "--wait-timeout-minutes"]
        ),
        st.text(max_size=12),
    )

    @seed(SEED)
    @fuzz(1500)
    @given(st.lists(words, max_size=6))
    def check(argv: list[str]) -> None:
        tried()
        out, err = io.StringIO(), io.StringIO()
        problems, exit_code = None, None
        try:
            with redirect_stdout(out), redirect_stderr(err):
                settings_from_argv(argv)
        except InputError as error:
            problems = error.problems
        except SystemExit as exit_:  # argparse: 2 with a usage line for a bad argument, 0 for --help
            exit_code = exit_.code
        if problems is not None:
            located(problems, "command line", lines=False)
        assert exit_code in (None, 0, 2), exit_code
        assert exit_code != 2 or "error:" in err.getvalue()

    check()


# --- The entry point: exit 2 and not one call ------------------------------------------------------------


def test_the_entry_point_refuses_every_broken_manifest_without_calling_aws(
    emu: Emulator, workspace: Path, tried: Tried
) -> None:
    @seed(SEED)
    @fuzz(600)
    @given(documents, st.sampled_from(["block", "flow", "json"]))
    def check(document: object, style: str) -> None:
        (workspace / "cloudfront-functions.yml").write_text(dump(document, style))
        try:
            Workspace(workspace).load_manifest("cloudfront-functions.yml")
        except InputError:
            pass
        else:
            return  # a valid manifest: this property is about the others
        tried()
        run = entry(emu, ["plan"])
        assert not run.traceback, run.traceback
        assert run.code == 2 and run.calls == {}, (run.code, run.calls, run.err)
        lines = run.err.splitlines()
        assert lines and all(line.startswith("error: cloudfront-functions.yml") for line in lines), run.err

    check()


# --- backups ------------------------------------------------------------------------------------------


def test_a_backup_folder_takes_any_files(tried: Tried) -> None:
    """A rollback's input is whatever lies in the folder: each file is a backup, checked as the manifest
    is (the code against its runtime's language included), or one located problem; never an exception."""
    import json

    from publisher.core.errors import Problem
    from publisher.core.rollback import Backup, StoreBackup, checked, parse_backup, parse_store_backup
    from publisher.core.rollback import restore_manifest as restored

    junk = st.one_of(
        st.none(), st.booleans(), st.integers(), st.text(max_size=20), st.lists(st.text(max_size=8))
    )
    fields = st.fixed_dictionaries(
        {},
        optional={
            "Name": st.one_of(st.just("a"), junk),
            "ETag": st.one_of(st.just("E1"), junk),
            "Comment": junk,
            "Runtime": st.one_of(
                st.sampled_from(["cloudfront-js-1.0", "cloudfront-js-2.0", "cloudfront-js-3.0"]), junk
            ),
            "KeyValueStoreARNs": st.one_of(st.just(["arn:kvs"]), junk),
            "KvsARN": st.one_of(st.just("arn:kvs"), junk),
            "Sensitive": junk,
            "Keys": st.one_of(st.just([{"key": "k", "value": "v"}]), junk),
            "Added": junk,
        },
    )
    texts = st.one_of(fields.map(json.dumps), st.text(max_size=200))
    code = st.one_of(
        st.binary(max_size=200),
        st.sampled_from([b"const x = 1;\n", b"function handler(e) { return e.request; }"]),
        st.just("`x.js` is not a regular file"),
    )

    @seed(SEED)
    @fuzz(500)
    @given(texts, code)
    def check(text: str, body: bytes | str) -> None:
        tried()
        found = parse_backup(text, body, "b/s/a.LIVE.E1.js", "s")
        assert isinstance(found, Backup | Problem)
        if isinstance(found, Backup):
            _, problems = checked(restored({found.ref: found}, "b"))
            assert all(p.file == "b/s/a.LIVE.E1.js" and p.message for p in problems), problems
        else:
            assert found.file.startswith("b/s/a.LIVE.E1.") and found.message.strip(), found
        store = parse_store_backup(text, "b/s/a.KVS.K1.json", "s")
        assert isinstance(store, StoreBackup | Problem)

    check()
