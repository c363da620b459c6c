"""A corpus of broken manifests, paths and input values. Each is refused by the entry point with exit 2,
a message that names the place (file and line, or the input), and not one AWS call; never a
traceback. The values just inside each limit are accepted, so that the limits are where they say."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from emulator import Emulator
from publisher.core.errors import InputError
from publisher.core.manifest import event_bytes
from publisher.shell.files import Workspace
from tests.fuzz.conftest import Refusal, as_action, entry

MANIFEST = "cloudfront-functions.yml"
CODE = b"function handler(event) { return event.request; }\n"
BASE_EVENT = {
    "version": "1.0",
    "context": {"eventType": "viewer-request"},
    "viewer": {"ip": "198.51.100.1"},
    "request": {"method": "GET", "uri": "/", "querystring": {}, "headers": {}, "cookies": {}},
}
BOMB = "\n".join(
    ["a: &a [x, x, x, x, x, x, x, x, x]"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]" for i in range(8)]
    + ["functions: *i"]
)


def event_of(size: int, wide: bool = False) -> dict[str, object]:
    """An event that is exactly `size` bytes as sent (compact UTF-8); `wide` pads with two-byte `é`s."""
    event = json.loads(json.dumps(BASE_EVENT))
    event["request"]["headers"] = {"x-pad": {"value": ""}}
    pad = size - len(event_bytes(event))
    event["request"]["headers"]["x-pad"]["value"] = "é" * (pad // 2) + "a" * (pad % 2) if wide else "a" * pad
    assert len(event_bytes(event)) == size
    return dict(event)


def refused(run: Refusal, *fragments: str) -> None:
    assert not run.traceback, run.traceback
    assert run.code == 2, (run.code, run.out, run.err)
    assert run.calls == {}, f"AWS was called: {run.calls}"
    assert "Traceback" not in run.out + run.err
    for fragment in fragments:
        assert fragment in run.err, (fragment, run.err)


# --- Manifests --------------------------------------------------------------------------------------

# (id, manifest, where: "file:line: field" as the message starts, what it says)
MANIFESTS: list[tuple[str, bytes | str, str, str]] = [
    ("functions-not-a-list", "functions: 5\n", ":1: functions", "valid list"),
    ("entry-a-number", "functions:\n  - 5\n", ":2: functions.0", "function name or a mapping"),
    ("name-a-number", "functions:\n  - name: 5\n", ":2: functions.0.name", "valid string"),
    ("code-a-list", "functions:\n  - name: a\n    code: [a.js]\n", ":3: functions.0.code", "valid string"),
    ("comment-a-mapping", "functions:\n  - name: a\n    comment: {x: 1}\n", ":3: functions.0.comment", ""),
    ("comment-129", f"functions:\n  - name: a\n    comment: {'c' * 129}\n", ":3: functions.0.comment", "128"),
    ("tests-a-bool", "functions:\n  - name: a\n    tests: yes\n", ":3: functions.0.tests", "valid list"),
    ("runtime-3", "functions:\n  - name: a\n    runtime: cloudfront-js-3.0\n", ":3: functions.0.runtime", ""),
    ("defaults-a-list", "defaults: []\nfunctions: [a]\n", ":1: defaults", ""),
    ("top-a-list", "- a\n- b\n", ":1: ", "expected a mapping"),
    ("top-a-string", "just words\n", ":1: ", "expected a mapping"),
    (
        "utilization-101",
        "functions:\n  - name: a\n    tests:\n      - name: t\n        event: {}\n"
        "        max-compute-utilization: 101\n",
        ":6: functions.0.tests.0.max-compute-utilization",
        "100",
    ),
    (
        "event-a-number",
        "functions:\n  - name: a\n    tests:\n      - name: t\n        event: 5\n",
        ":5: functions.0.tests.0.event",
        "",
    ),
    (
        "event-without-type",
        "functions:\n  - name: a\n    tests:\n      - name: t\n        event: {request: {}}\n",
        ":4: a.tests.t.event",
        "eventType",
    ),
    ("unknown-top-key", "function: [a]\n", ":1: function", "did you mean `functions`?"),
    (
        "unknown-entry-key",
        "functions:\n  - name: a\n    cod: a.js\n",
        ":3: functions.0.cod",
        "did you mean `code`?",
    ),
    (
        "unknown-test-key",
        "functions:\n  - name: a\n    tests:\n      - name: t\n        event: {}\n        expected: {}\n",
        ":6: functions.0.tests.0.expected",
        "did you mean `expect`?",
    ),
    (
        "kvs-on-runtime-1",
        "functions:\n  - name: a\n    runtime: cloudfront-js-1.0\n    key-value-store: s\n",
        ":4: a.key-value-store",
        "cloudfront-js-2.0",
    ),
    ("billion-laughs", BOMB, ":1: ", "anchors and aliases are not supported"),
    ("an-alias", "base: &b {name: a}\nfunctions: [*b]\n", ":", "anchors and aliases"),
    ("a-merge-key", "base: &b {name: a}\nfunctions:\n  - <<: *b\n", ":3: ", "merge keys"),
    ("python-tag", "functions:\n  - !!python/object/apply:os.system [true]\n", ":2: ", "tag"),
    ("binary-tag", "functions:\n  - !!binary aGVsbG8=\n", ":2: ", "tag"),
    ("custom-tag", "functions: !mine [a]\n", ":1: ", "tag"),
    ("deep-nesting", "functions: " + "[" * 50 + "]" * 50 + "\n", ":1: ", "nested deeper than 32 levels"),
    ("very-deep-nesting", "functions: " + "[" * 20_000 + "]" * 20_000 + "\n", ": ", "nested"),
    ("huge-file", "functions: [a]\n# " + "x" * 1_048_576 + "\n", ": ", "the limit is 1,048,576"),
    ("not-utf8", b"functions:\n  - \xff\xfe\n", ": ", "not UTF-8"),
    ("utf16", "\ufefffunctions: [a]\n".encode("utf-16-le"), ": ", "not UTF-8"),
    ("empty", b"", ":1: ", "empty"),
    ("blank", b"  \n\t\n", ":1: ", "empty"),
    ("only-a-comment", b"# nothing\n", ": ", ""),
    ("null", "null\n", ":1: ", "expected a mapping"),
    ("empty-mapping", "{}\n", ":1: functions", "Field required"),
    ("no-functions", "functions: []\n", ":1: functions", "at least 1"),
    ("functions-null", "functions:\n", ":1: functions", ""),
    ("duplicate-top-key", "functions: [a]\nfunctions: [b]\n", ":2: ", "duplicate key `functions`"),
    ("duplicate-entry-key", "functions:\n  - name: a\n    name: b\n", ":3: ", "duplicate key `name`"),
    ("duplicate-function", "functions: [a, a]\n", ":1: name", "listed twice"),
    ("name-65", f"functions: [{'n' * 65}]\n", ":1: functions.0", "1 to 64 letters"),
    ("name-with-a-dot", "functions: [a.b]\n", ":1: functions.0", "1 to 64 letters"),
    ("not-yaml", "functions: [a\n", ":2: ", "not valid YAML"),
    ("tab-indent", "functions:\n\t- a\n", ":2: ", "not valid YAML"),
]


@pytest.mark.parametrize(
    ("manifest", "where", "says"), [c[1:] for c in MANIFESTS], ids=[c[0] for c in MANIFESTS]
)
def test_a_broken_manifest_is_refused_naming_the_place(
    emu: Emulator, workspace: Path, manifest: bytes | str, where: str, says: str
) -> None:
    data = manifest.encode() if isinstance(manifest, str) else manifest
    (workspace / MANIFEST).write_bytes(data)
    (workspace / "a.js").write_bytes(CODE)
    run = entry(emu, ["publish"])
    refused(run, f"error: {MANIFEST}{where}", says)
    with pytest.raises(InputError) as err:
        Workspace(workspace).load_manifest(MANIFEST)
    assert all(p.file == MANIFEST and p.message for p in err.value.problems)


def test_a_broken_manifest_becomes_an_annotation_on_its_line_in_the_action(
    emu: Emulator, workspace: Path
) -> None:
    (workspace / MANIFEST).write_text("functions:\n  - name: a\n    code: a.js\n    cod: b.js\n")
    (workspace / "a.js").write_bytes(CODE)
    run = as_action(emu, workspace, {"INPUT_MODE": "publish"})
    assert run.code == 2 and run.calls == {} and not run.traceback
    assert f"::error file={MANIFEST},line=4,title=functions.0.cod::unknown key `cod`" in run.out
    assert "Nothing was read from or written to AWS." in (workspace / "github-summary.md").read_text()


# --- Limits: just inside is accepted, just past is refused ---------------------------------------------

Setup = Callable[[Path], str]  # writes what the manifest needs; returns the manifest


def name_of(length: int) -> Setup:
    return lambda root: f"functions: [{'n' * length}]\n"


def code_of(size: int) -> Setup:
    def setup(root: Path) -> str:
        (root / "a.js").write_bytes(b"/" * size)
        return "functions:\n  - name: a\n    code: a.js\n"

    return setup


def inline_event_of(size: int) -> Setup:
    def setup(root: Path) -> str:
        (root / "a.js").write_bytes(CODE)
        event = json.dumps(event_of(size))
        return (
            f"functions:\n  - name: a\n    code: a.js\n    tests:\n      - name: t\n        event: {event}\n"
        )

    return setup


def event_file_of(size: int, wide: bool = False) -> Setup:
    def setup(root: Path) -> str:
        (root / "a.js").write_bytes(CODE)
        text = json.dumps(event_of(size, wide), indent=2)  # the file's own size differs from what is sent
        (root / "e.json").write_text(text, encoding="utf-8")
        return "functions:\n  - name: a\n    code: a.js\n    tests:\n      - name: t\n        event: e.json\n"

    return setup


LIMITS = [
    ("name", name_of, 64, "1 to 64 letters"),
    ("code", code_of, 10_240, "the limit is 10,240"),
    ("inline-event", inline_event_of, 40_960, "TestFunction takes at most 40,960"),
    ("event-file", event_file_of, 40_960, "TestFunction takes at most 40,960"),
    (
        "non-ascii-event-file",
        lambda n: event_file_of(n, wide=True),
        40_960,
        "TestFunction takes at most 40,960",
    ),
]


@pytest.mark.parametrize(("make", "limit", "says"), [c[1:] for c in LIMITS], ids=[c[0] for c in LIMITS])
def test_a_limit_accepts_its_value_and_refuses_one_more(
    emu: Emulator, workspace: Path, make: Callable[[int], Setup], limit: int, says: str
) -> None:
    (workspace / MANIFEST).write_text(make(limit)(workspace))
    assert Workspace(workspace).load_manifest(MANIFEST).functions  # accepted, and nothing was called
    assert emu.counts() == {}
    (workspace / MANIFEST).write_text(make(limit + 1)(workspace))
    refused(entry(emu, ["publish"]), f"error: {MANIFEST}:", says)


@pytest.mark.parametrize(
    ("used_as", "says"),
    [
        ("code", "the limit is 10,240"),
        ("event", "the limit is 1,048,576"),
        ("manifest", "the limit is 1,048,576"),
    ],
)
def test_a_huge_file_is_refused_without_being_read_whole(
    emu: Emulator, workspace: Path, used_as: str, says: str
) -> None:
    """A gigabyte, sparse so that the disk holds none of it: the loader reads one byte past the limit."""
    with (workspace / "huge").open("wb") as huge:
        huge.truncate(1 << 30)
    (workspace / "a.js").write_bytes(CODE)
    test = "    tests:\n      - name: t\n        event: huge\n"
    manifest = {
        "code": "functions:\n  - name: a\n    code: huge\n",
        "event": "functions:\n  - name: a\n    code: a.js\n" + test,
        "manifest": "",
    }[used_as]
    (workspace / MANIFEST).write_text(manifest)
    argv = ["publish", "--manifest", "huge"] if used_as == "manifest" else ["publish"]
    refused(entry(emu, argv), "1,073,741,824 bytes", says)


# --- Paths ------------------------------------------------------------------------------------------


def outside(root: Path) -> Path:
    path = root.parent / f"outside-{root.name}.js"
    path.write_bytes(CODE)
    return path


PATHS: list[tuple[str, Callable[[Path], str], str]] = [
    ("dot-dot", lambda root: f"../{outside(root).name}", "leads out of the workspace"),
    ("dot-dot-inside", lambda root: "sub/../../x.js", "leads out of the workspace"),
    ("absolute", lambda root: str(outside(root)), "must be a path relative to the manifest"),
    ("absolute-inside", lambda root: str(root / "a.js"), "must be a path relative to the manifest"),
    ("symlink-out", lambda root: _link(root, "link.js", outside(root)), "leads out of the workspace"),
    (
        "symlink-to-dev-zero",
        lambda root: _link(root, "zero.js", Path("/dev/zero")),
        "leads out of the workspace",
    ),
    ("symlink-loop", lambda root: _link(root, "loop.js", root / "loop.js"), "cannot be resolved"),
    ("fifo", lambda root: _fifo(root, "fifo.js"), "is not a regular file"),
    ("directory", lambda root: _directory(root, "dir.js"), "is not a regular file"),
    ("missing", lambda root: "missing.js", "does not exist"),
    ("nul-byte", lambda root: "a\x00.js", "`a\\0.js` holds a NUL character"),
    ("empty", lambda root: "", ""),  # "at least 1 character" as code, "must be a path" as an event
]


def _link(root: Path, name: str, target: Path) -> str:
    (root / name).symlink_to(target)
    return name


def _fifo(root: Path, name: str) -> str:
    os.mkfifo(root / name)
    return name


def _directory(root: Path, name: str) -> str:
    (root / name).mkdir()
    return name


@pytest.mark.parametrize(("make", "says"), [c[1:] for c in PATHS], ids=[c[0] for c in PATHS])
@pytest.mark.parametrize("used_as", ["code", "event"])
def test_a_path_out_of_the_workspace_or_not_a_file_is_refused(
    emu: Emulator, workspace: Path, make: Callable[[Path], str], says: str, used_as: str
) -> None:
    (workspace / "a.js").write_bytes(CODE)
    path = json.dumps(make(workspace))  # a YAML double-quoted string, escapes and all
    if used_as == "code":
        manifest = f"functions:\n  - name: a\n    code: {path}\n"
    else:
        manifest = (
            f"functions:\n  - name: a\n    code: a.js\n    tests:\n      - name: t\n        event: {path}\n"
        )
    (workspace / MANIFEST).write_text(manifest)
    refused(entry(emu, ["publish"]), f"error: {MANIFEST}:", says)


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda root: f"../{outside(root).name}", "leads out of the workspace"),
        (lambda root: str(root / MANIFEST), "must be a path relative"),
        (lambda root: _fifo(root, "fifo.yml"), "is not a regular file"),
        (lambda root: _directory(root, "dir.yml"), "is not a regular file"),
        (lambda root: _link(root, "zero.yml", Path("/dev/zero")), "leads out of the workspace"),
        (lambda root: "missing.yml", "does not exist"),
    ],
    ids=["dot-dot", "absolute", "fifo", "directory", "dev-zero", "missing"],
)
def test_a_manifest_path_out_of_the_workspace_or_not_a_file_is_refused(
    emu: Emulator, workspace: Path, make: Callable[[Path], str], says: str
) -> None:
    (workspace / MANIFEST).write_text("functions: [a]\n")
    name = make(workspace)
    refused(entry(emu, ["publish", "--manifest", name]), "manifest", says)
    run = as_action(emu, workspace, {"INPUT_MANIFEST": name})
    assert run.code == 2 and run.calls == {} and not run.traceback, run.out
    assert says in run.out


# --- Input values -------------------------------------------------------------------------------------

ARGV = [
    (["publish", "--max-concurrency", "0"], "max-concurrency"),
    (["publish", "--max-concurrency", "65"], "max-concurrency"),
    (["publish", "--max-concurrency", "many"], "--max-concurrency"),
    (["publish", "--wait-timeout-minutes", "nan"], "wait-timeout-minutes"),
    (["publish", "--wait-timeout-minutes", "inf"], "wait-timeout-minutes"),
    (["publish", "--wait-timeout-minutes", "0"], "wait-timeout-minutes"),
    (["publish", "--functions", "not ok"], "functions"),
    (["publish", "--functions", "n" * 65], "functions"),
    (["publish", "--functions", "zzz"], "not in the manifest"),
    (["publish", "--bogus"], "unrecognized arguments"),
    (["deploy"], "invalid choice"),
    ([], "required"),
]


@pytest.mark.parametrize(("argv", "says"), ARGV, ids=[" ".join(a) or "none" for a, _ in ARGV])
def test_a_bad_argument_is_refused_naming_it(
    emu: Emulator, workspace: Path, argv: list[str], says: str
) -> None:
    (workspace / MANIFEST).write_text("functions: [a]\n")
    refused(entry(emu, argv), says)


INPUTS = [
    ({"INPUT_MODE": "bogus"}, "mode"),
    ({"INPUT_MODE": "PUBLISH"}, "mode"),
    ({"INPUT_MAX-CONCURRENCY": "1e3"}, "max-concurrency"),
    ({"INPUT_MAX-CONCURRENCY": "-1"}, "max-concurrency"),
    ({"INPUT_MAX-CONCURRENCY": "9" * 400}, "max-concurrency"),
    ({"INPUT_WAIT-FOR-DEPLOYMENT": "maybe"}, "wait-for-deployment"),
    ({"INPUT_WAIT-TIMEOUT-MINUTES": "nan"}, "wait-timeout-minutes"),
    ({"INPUT_WAIT-TIMEOUT-MINUTES": "1e999"}, "wait-timeout-minutes"),
    ({"INPUT_WAIT-TIMEOUT-MINUTES": "-0"}, "wait-timeout-minutes"),
    ({"INPUT_FUNCTIONS": "a;b"}, "functions"),
    ({"INPUT_FUNCTIONS": "a\n" + "n" * 65}, "functions"),
    ({"INPUT_FUNCTIONS": "zzz"}, "not in the manifest"),
    ({"INPUT_SUMMARY-TEMPLATE": "missing.md.j2"}, "summary-template"),
    ({"INPUT_SUMMARY-TEMPLATE": "."}, "summary-template"),
    ({"INPUT_SUMMARY-TEMPLATE": "broken.md.j2"}, "summary-template"),
    ({"INPUT_MANIFEST": "../elsewhere.yml"}, "leads out of the workspace"),
]


@pytest.mark.parametrize(
    "inputs", [i for i, _ in INPUTS], ids=[",".join(i) + f"-{n}" for n, (i, _) in enumerate(INPUTS)]
)
def test_a_bad_input_is_refused_naming_it(emu: Emulator, workspace: Path, inputs: dict[str, str]) -> None:
    says = {tuple(sorted(i.items())): s for i, s in INPUTS}[tuple(sorted(inputs.items()))]
    (workspace / MANIFEST).write_text("functions: [a]\n")
    (workspace / "broken.md.j2").write_text("line one\n{{ result.functions | nosuchfilter }}\n")
    run = as_action(emu, workspace, {"INPUT_MODE": "publish", **inputs})
    assert not run.traceback, run.traceback
    assert run.code == 2, run.out
    assert run.calls == {}
    assert "::error " in run.out and says in run.out
    assert "input refused" in (workspace / "github-summary.md").read_text()


def test_a_template_that_fails_only_on_the_runs_data_still_leaves_a_summary(
    emu: Emulator, workspace: Path
) -> None:
    """The template passes the check on a sample (one function) before any AWS call, then fails on the
    run's two: the run has happened, so its report must not be lost to a traceback."""
    (workspace / MANIFEST).write_text(
        "functions:\n  - name: a\n    code: a.js\n  - name: b\n    code: a.js\n"
    )
    (workspace / "a.js").write_bytes(CODE)
    (workspace / "t.md.j2").write_text("{% if result.functions | length > 1 %}{{ nosuch.x }}{% endif %}ok\n")
    run = as_action(emu, workspace, {"INPUT_MODE": "publish", "INPUT_SUMMARY-TEMPLATE": "t.md.j2"})
    assert not run.traceback, run.traceback
    assert run.code == 0, run.out
    assert "published" in (workspace / "github-output").read_text()
    text = (workspace / "github-summary.md").read_text()
    assert "t.md.j2:1: summary-template: 'nosuch' is undefined" in text
    assert "Done: 2 published." in text  # the built-in summary, so the run is still reported
