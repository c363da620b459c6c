"""Untrusted text through the Action's whole path: function source, comments, names the pattern allows,
test names, console logs and errors of the code under test, and AWS error messages that echo the
manifest back. In the log no workflow command reaches the runner but the Action's own; in the job
summary no text leaves its table cell or code fence, and none becomes HTML.

The runner is modelled by tests/shell/test_github.py (`processed`): a line is read on CR, LF or CRLF;
`::name::` after leading whitespace and `##[name]` anywhere are commands; nothing is a command between
`::stop-commands::TOKEN` and its `::TOKEN::`. Seed: hypothesis's @seed(SEED), no example database.
"""

from __future__ import annotations

import io
import json
import re
from contextlib import redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from emulator import Emulator
from publisher import action
from tests.core.test_summary import _Html, fenced_blocks, outside_fences
from tests.reliability.harness import fake_aws
from tests.shell.test_github import Command, _parse_legacy, _parse_v2, parse_output_file

SEED = 20261125
OWN = {"group", "endgroup", "error", "warning", "notice", "stop-commands"}
TOKEN = re.compile(r"[0-9a-f]{32}")
# Commands as an attacker writes them, in every form the runner reads
FORGERIES = [
    '::set-output name=published::["evil"]',
    "::add-mask::x",
    "::error file=app.js,line=1::FORGED",
    "  \t::warning::FORGED",
    "##[error]FORGED",
    "text before ##[group]FORGED",
    "::stop-commands::deadbeef",
    "::deadbeef::",
    "::endgroup::",
    "%0A::error::FORGED",
    "\r::notice::FORGED",
    "::debug::FORGED",
    "::set-env name=X::y",
    "::add-path::/x",
    "::save-state name=s::v",
    "::echo::on",
    "|x|y|\n</details><img src=x onerror=alert(1)>",
    "```\n~~~\n<script>alert(1)</script>",
    "[click](javascript:alert(1)) @someone **bold** <b>",
]
pieces = st.one_of(
    st.sampled_from(FORGERIES),
    st.text(alphabet=":#[]%\r\n \t`~|<>*_@!abcXYZ09-=,/\\\u2028\x85", max_size=24),
)
hostile = st.lists(pieces, min_size=1, max_size=4).map("\n".join)
names = st.sampled_from(["set-output", "add-mask", "stop-commands", "endgroup", "--", "_", "error", "x" * 64])
EVENT = {
    "version": "1.0",
    "context": {"eventType": "viewer-request"},
    "viewer": {"ip": "198.51.100.1"},
    "request": {"method": "GET", "uri": "/", "querystring": {}, "headers": {}, "cookies": {}},
}


@dataclass(frozen=True)
class Untrusted:
    code: str  # the function's source, shown in diffs
    comment: str  # in the config diff and the summary
    test_name: str  # in the log, the annotation and the summary
    logged: str  # console.log of the code under test
    thrown: str  # the error it throws
    arn: str  # a KeyValueStore ARN, echoed back in CloudFront's error message
    name: str  # a function name the pattern allows


@dataclass
class Shown:
    log: str
    summary: str
    outputs: dict[str, str]
    code: int


@pytest.fixture
def run_action(emu: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    fake_aws(monkeypatch, AWS_ENDPOINT_URL=emu.url)
    counter = iter(range(1_000_000))

    def run(manifest: str, files: dict[str, bytes]) -> Shown:
        root = tmp_path / f"run{next(counter)}"
        root.mkdir()
        for name, data in files.items():
            (root / name).write_bytes(data)
        (root / "cloudfront-functions.yml").write_text(manifest)
        env = {
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(root),
            "GITHUB_OUTPUT": str(root / "output"),
            "GITHUB_STEP_SUMMARY": str(root / "summary.md"),
            "INPUT_MODE": "publish",
        }
        log = io.StringIO()
        with redirect_stdout(log):
            code = action.main(env)
        output = root / "output"
        outputs = parse_output_file(output.read_text()) if output.exists() else {}
        return Shown(log.getvalue(), (root / "summary.md").read_text(), outputs, code)

    monkeypatch.chdir(tmp_path)
    return run


def runner_reads(log: str) -> list[Command]:
    """tests/shell/test_github.py's `processed`, but for one thing the runner does: a line that is a
    `::command::` is not read again for a `##[command]` (ActionCommandManager tries the v2 form first),
    so the message of the Action's own annotation can hold `##[` and stay text."""
    done: list[Command] = []
    token: str | None = None
    for line in re.split(r"\r\n|\r|\n", log):
        v2 = _parse_v2(line)
        found = [v2] if v2 else [c for c in (_parse_legacy(line),) if c]
        if token is not None:
            resume = [
                c for c in (_parse_v2(line), _parse_legacy(line)) if c and c.name.lower() == token.lower()
            ]
            done += resume[:1]
            token = None if resume else token
            continue
        done += found
        stops = [c.data for c in found if c.name.lower() == "stop-commands"]
        token = stops[0] if stops and stops[0] else None
    return done


def commands_in(log: str) -> list[Command]:
    """The runner's reading of the log, with each stop-commands block checked to resume on its token."""
    found = runner_reads(log)
    for i, command in enumerate(found):
        if command.name == "stop-commands":
            assert i + 1 < len(found) and found[i + 1].name == command.data, "every block resumes"
    return found


def only_own_commands(shown: Shown, functions: list[dict[str, Any]]) -> None:
    found = commands_in(shown.log)
    names = [c.name for c in found if not TOKEN.fullmatch(c.name)]
    assert set(names) <= OWN, sorted(set(names) - OWN)
    assert names.count("group") == names.count("endgroup") == len(functions)
    expected = sum(f["status"] in ("published", "failed", "conflict", "blocked") for f in functions)
    annotations = [c for c in found if c.name in ("error", "warning", "notice")]
    assert len(annotations) == expected, [c.data for c in annotations]
    for c in annotations:
        assert c.properties.get("title", "").startswith("CloudFront Functions"), c


def summary_is_only_text(markdown: str) -> None:
    """Nothing from the text leaves its place: fences close, rows keep their cells, no HTML is made."""
    assert all(block.closed for block in fenced_blocks(markdown))
    rest = "\n".join(outside_fences(markdown))
    assert "<" not in re.sub(r"</?(code|summary)>|<br>|<details( open)?>|</details>", "", rest)
    tables: list[list[str]] = [[]]
    for line in outside_fences(markdown):
        if line.startswith("|"):
            tables[-1].append(line)
        elif tables[-1]:
            tables.append([])
    for table in filter(None, tables):
        assert len({row.count("|") for row in table}) == 1, table
    import cmarkgfm  # type: ignore[import-untyped]
    from cmarkgfm.cmark import Options  # type: ignore[import-untyped]

    page = _Html()
    page.feed(cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE))
    made = set(page.tags) - {
        "h2", "h3", "p", "ul", "li", "strong", "em", "code", "br", "table", "thead", "tbody", "tr", "th", "td",
        "details", "summary", "pre", "a", "blockquote",
    }  # fmt: skip
    assert made == set(), made
    assert all(link.startswith("https://") for link in page.links), page.links
    assert page.tags.count("details") == page.closed.count("details")


def js_string(text: str) -> str:
    return json.dumps(text)


def test_untrusted_text_never_becomes_a_command_nor_markup(
    emu: Emulator, run_action: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    tried = [0]

    @seed(SEED)
    @settings(
        max_examples=30,
        phases=[Phase.explicit, Phase.generate],  # each example is a whole run: shrinking would take minutes
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        st.builds(
            Untrusted,
            code=hostile,
            comment=hostile.map(lambda t: t[:128]),
            test_name=hostile.map(lambda t: t or "t"),  # a test needs a name
            logged=hostile,
            thrown=hostile,
            arn=hostile,
            name=names,
        )
    )
    def check(u: Untrusted) -> None:
        tried[0] += 1
        code, comment, test_name, logged, thrown, arn, name = (
            u.code,
            u.comment,
            u.test_name,
            u.logged,
            u.thrown,
            u.arn,
            u.name,
        )
        emu.seed_function(name, b"function handler(event) { return event.request; }", publish=True)
        source = (
            f"function handler(event) {{\n  console.log({js_string(logged)});\n"
            f"  if (event.request.uri === '/throw') throw new Error({js_string(thrown)});\n"
            f"  return event.request;\n}}\n/*\n{code.replace('*/', '* /')}\n*/\n"
        ).encode()
        thrower = dict(EVENT, request={**EVENT["request"], "uri": "/throw"})  # type: ignore[dict-item]
        manifest = {
            "functions": [
                {
                    "name": name,
                    "code": "f.js",
                    "comment": comment,
                    "tests": [
                        {"name": test_name, "event": EVENT},
                        {"name": test_name + "!", "event": thrower},
                    ],
                },
                {
                    "name": "kvs",
                    "code": "f.js",
                    "key-value-store": "arn:aws:cloudfront::1:key-value-store/" + arn,
                },
            ]
        }
        shown = run_action(json.dumps(manifest), {"f.js": source})
        result = json.loads(shown.outputs["result"])
        only_own_commands(shown, result["functions"])
        summary_is_only_text(shown.summary)

    check()
    with capsys.disabled():
        print(f"\ninjection through the Action: {tried[0]} examples (seed {SEED})")


def test_names_keys_and_paths_in_refused_input_stay_text(emu: Emulator, run_action: Any) -> None:
    """A manifest refused before any AWS call echoes its keys and paths: in annotations and in the
    summary that says the input was refused."""
    for text in FORGERIES:
        manifest = json.dumps({"functions": [{"name": "a", "code": text, text: 1}], text: None})
        shown = run_action(manifest, {})
        assert shown.code == 2
        found = commands_in(shown.log)
        assert {c.name for c in found} == {"error"}, [c.name for c in found]
        summary_is_only_text(shown.summary)
