from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest

from publisher.core.diffs import diff_code
from publisher.core.errors import InputError
from publisher.core.modes import Action, Kind, Mode
from publisher.core.outcome import NEXT_STEP
from publisher.core.result import (
    BehaviourReport,
    DistributionReport,
    FunctionResult,
    Result,
    Status,
    UsageReport,
    WaitReport,
)
from publisher.core.result import (
    TestReport as CaseReport,
)
from publisher.core.summary.context import console_url, duration, partition, summary_context
from publisher.core.summary.fit import CUT_NOTICE, cut
from publisher.core.summary.markdown import code_size, fence, inline
from publisher.core.summary.render import check_template, render_summary

GOLDEN = Path(__file__).parents[1] / "golden"
MIB = 1024 * 1024

# --- Factories ------------------------------------------------------------------------------------

RUN = {
    "GITHUB_SHA": "4f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39",
    "GITHUB_REF": "refs/heads/main",
    "GITHUB_ACTOR": "octocat",
    "GITHUB_EVENT_NAME": "push",
    "GITHUB_REPOSITORY": "example/edge-functions",
    "GITHUB_SERVER_URL": "https://github.com",
    "GITHUB_RUN_ID": "9876543210",
}
PULL_REQUEST = {**RUN, "GITHUB_REF": "refs/pull/42/merge", "GITHUB_EVENT_NAME": "pull_request"}
OLD_CODE = b"function handler(event) {\n  var request = event.request;\n  return request;\n}\n"
NEW_CODE = (
    b"function handler(event) {\n  var request = event.request;\n"
    b"  if (request.headers.host.value === 'example.com') {\n"
    b"    return { statusCode: 301, headers: { location: { value: 'https://www.example.com' } } };\n"
    b"  }\n  return request;\n}\n"
)
WWW = UsageReport(
    distribution="E2QWRUHAPOMQZL",
    behaviours=[
        BehaviourReport(path_pattern=None, event_type="viewer-request"),
        BehaviourReport(path_pattern="/img/*", event_type="viewer-request"),
    ],
)
STATIC = UsageReport(
    distribution="E1STATIC9XK2Q",
    behaviours=[BehaviourReport(path_pattern="/assets/*", event_type="viewer-response")],
)


def function(name: str, status: Status, **fields: object) -> FunctionResult:
    values: dict[str, object] = {
        "actions": [],
        "runtime": "cloudfront-js-2.0",
        "code_size": 1234,
        "arn": f"arn:aws:cloudfront::123456789012:function/{name}",
    }
    return FunctionResult(name=name, status=status, **(values | fields))  # type: ignore[arg-type]


def distribution(
    id: str, functions: list[str], enabled: bool = True, status: str = "Deployed"
) -> DistributionReport:
    if id == "E2QWRUHAPOMQZL":
        return DistributionReport(
            id=id,
            domain="d111111abcdef8.cloudfront.net",
            aliases=["www.example.com", "example.com"],
            status=status,
            enabled=enabled,
            functions=functions,
            new_code=True,
        )
    return DistributionReport(
        id=id,
        domain="d2222abcdef9.cloudfront.net",
        aliases=[],
        status="InProgress",
        enabled=enabled,
        functions=functions,
    )


def repo_diff(old: bytes | None = OLD_CODE, new: bytes = NEW_CODE) -> str:
    return diff_code(old, new, "DEVELOPMENT", "repository")


def live_diff(old: bytes | None = OLD_CODE, new: bytes = NEW_CODE) -> str:
    return diff_code(old, new, "LIVE", "DEVELOPMENT")


def passing(name: str, utilization: int = 12) -> CaseReport:
    return CaseReport(name=name, passed=True, utilization=utilization)


def redirect_published() -> FunctionResult:
    return function(
        "redirect-www",
        Status.PUBLISHED,
        actions=["update", "publish"],
        done=["update", "publish"],
        reason="code differs from DEVELOPMENT; DEVELOPMENT differs from LIVE (code)",
        code_size=len(NEW_CODE),
        development_etag=["E3GH7DEV1", "E3GH7DEV2"],
        live_etag=["E9LIVE01", None],
        repo_diff=repo_diff(),
        live_diff=live_diff(),
        backup="cloudfront-backups/20250301T101500Z/redirect-www.js",
        tests=[passing("apex redirects"), passing("www passes", 34)],
        used_by=[WWW],
    )


def headers_unchanged() -> FunctionResult:
    return function(
        "add-headers",
        Status.UNCHANGED,
        reason="DEVELOPMENT and LIVE match the repository",
        code_size=2048,
        development_etag=["E1HDR", "E1HDR"],
        live_etag=["E1HDRLIVE", "E1HDRLIVE"],
        used_by=[STATIC],
    )


STARTED = datetime(2025, 3, 1, 10, 15, tzinfo=UTC)
WAITED = WaitReport(timeout_minutes=20, deployed=["E2QWRUHAPOMQZL"], timed_out=[])


def publish_run() -> Result:
    created = function(
        "geo-route",
        Status.PUBLISHED,
        actions=["create", "publish"],
        done=["create", "publish"],
        reason="not in DEVELOPMENT yet; never published",
        code_size=812,
        development_etag=[None, "E7GEONEW"],
        live_etag=[None, None],
        repo_diff=repo_diff(None, b"function handler(event) {\n  return event.request;\n}\n"),
        live_diff=live_diff(None, b"function handler(event) {\n  return event.request;\n}\n"),
    )
    return Result(
        mode=Mode.PUBLISH,
        started=STARTED,
        duration_seconds=42.4,
        functions=[redirect_published(), headers_unchanged(), created],
        distributions=[
            distribution("E2QWRUHAPOMQZL", ["redirect-www"]),
            distribution("E1STATIC9XK2Q", ["add-headers"]),
        ],
        backup_dir="cloudfront-backups/20250301T101500Z",
        other_functions=["legacy-auth", "old-rewrite"],
        wait=WAITED,
    )


def preview_run() -> Result:
    update = function(
        "redirect-www",
        Status.PLANNED,
        actions=["update", "publish"],
        reason="code differs from DEVELOPMENT; DEVELOPMENT differs from LIVE (code)",
        code_size=len(NEW_CODE),
        development_etag=["E3GH7DEV1", "E3GH7DEV1"],
        live_etag=["E9LIVE01", "E9LIVE01"],
        repo_diff=repo_diff(),
        live_diff=live_diff(),
        tests=[passing("apex redirects")],
        used_by=[WWW],
    )
    create = function(
        "geo-route",
        Status.PLANNED,
        actions=["create", "publish"],
        reason="not in DEVELOPMENT yet; never published",
        code_size=812,
        arn="",
        repo_diff=repo_diff(None, b"function handler(event) {\n  return event.request;\n}\n"),
        live_diff=live_diff(None, b"function handler(event) {\n  return event.request;\n}\n"),
    )
    return Result(
        mode=Mode.PREVIEW,
        started=STARTED,
        duration_seconds=3.25,
        functions=[update, create, headers_unchanged()],
        distributions=[distribution("E2QWRUHAPOMQZL", ["redirect-www"])],
    )


def sync_run() -> Result:
    created = function(
        "geo-route",
        Status.CREATED,
        actions=["create", "publish"],
        done=["create"],
        reason="not in DEVELOPMENT yet; never published (sync mode does not publish)",
        code_size=812,
        development_etag=[None, "E7GEONEW"],
        repo_diff=repo_diff(None, b"function handler(event) {\n  return event.request;\n}\n"),
        live_diff=live_diff(None, b"function handler(event) {\n  return event.request;\n}\n"),
    )
    updated = function(
        "redirect-www",
        Status.UPDATED,
        actions=["update", "publish"],
        done=["update"],
        reason="comment differs from DEVELOPMENT; DEVELOPMENT differs from LIVE (comment) (sync mode does not publish)",
        development_etag=["E3GH7DEV1", "E3GH7DEV2"],
        live_etag=["E9LIVE01", "E9LIVE01"],
        repo_diff="--- DEVELOPMENT (config)\n+++ repository (config)\n@@ -1,2 +1,2 @@\n-comment: old\n+comment: Redirect apex to www\n runtime: cloudfront-js-2.0\n",
        live_diff="--- LIVE (config)\n+++ DEVELOPMENT (config)\n@@ -1,2 +1,2 @@\n-comment: old\n+comment: Redirect apex to www\n runtime: cloudfront-js-2.0\n",
    )
    return Result(mode=Mode.SYNC, functions=[created, updated, headers_unchanged()])


def failure_run() -> Result:
    failed = function(
        "add-headers",
        Status.FAILED,
        actions=["update", "publish"],
        reason="code differs from DEVELOPMENT; DEVELOPMENT differs from LIVE (code)",
        error="UpdateFunction: AccessDenied: User: arn:aws:sts::123456789012:assumed-role/deploy/gha "
        "is not authorized to perform: cloudfront:UpdateFunction",
        next_step="Nothing was written for this function; re-run once the cause is fixed.",
        development_etag=["E1HDR", "E1HDR"],
        live_etag=["E1HDRLIVE", "E1HDRLIVE"],
        repo_diff=repo_diff(),
        live_diff=live_diff(),
        used_by=[STATIC],
    )
    return Result(
        mode=Mode.PUBLISH,
        functions=[redirect_published(), failed],
        distributions=[
            distribution("E2QWRUHAPOMQZL", ["redirect-www"], status="InProgress"),
            distribution("E1STATIC9XK2Q", ["add-headers"], enabled=False),
        ],
        backup_dir="cloudfront-backups/20250301T101500Z",
        wait=WaitReport(timeout_minutes=7.5, deployed=[], timed_out=["E2QWRUHAPOMQZL"]),
    )


def conflict_run() -> Result:
    conflict = function(
        "redirect-www",
        Status.CONFLICT,
        actions=["update", "publish"],
        reason="code differs from DEVELOPMENT; DEVELOPMENT differs from LIVE (code)",
        error="redirect-www: DEVELOPMENT changed after it was read (ETag E3GH7DEV1 → E5OTHER); not published.",
        next_step=NEXT_STEP[Status.CONFLICT],
        development_etag=["E3GH7DEV1", "E5OTHER"],
        live_etag=["E9LIVE01", "E9LIVE01"],
        repo_diff=repo_diff(),
        live_diff=live_diff(),
        used_by=[WWW],
    )
    return Result(
        mode=Mode.PUBLISH,
        functions=[conflict, headers_unchanged()],
        distributions=[distribution("E2QWRUHAPOMQZL", ["redirect-www"])],
        warnings=["1 function was changed by someone else during this run"],
    )


def blocked_run() -> Result:
    failing = CaseReport(
        name="apex redirects",
        passed=False,
        utilization=63,
        error="output differs from expected",
        logs=["host: example.com", "redirecting to https://www.example.com"],
        mismatch='--- expected\n+++ actual\n@@ -1,3 +1,3 @@\n {\n-  "statusCode": 301\n+  "statusCode": 302\n }\n',
    )
    heavy = CaseReport(
        name="long query string", passed=False, utilization=117, error="compute utilization over 100"
    )
    blocked = function(
        "redirect-www",
        Status.BLOCKED,
        actions=["update", "publish"],
        done=["update"],
        reason="code differs from DEVELOPMENT; DEVELOPMENT differs from LIVE (code)",
        error="2 of 3 tests failed; not published",
        next_step=NEXT_STEP[Status.BLOCKED],
        code_size=10_400,
        development_etag=["E3GH7DEV1", "E3GH7DEV2"],
        live_etag=["E9LIVE01", "E9LIVE01"],
        repo_diff=repo_diff(),
        live_diff=live_diff(),
        tests=[failing, passing("www passes", 51), heavy],
        used_by=[WWW],
    )
    return Result(
        mode=Mode.PUBLISH,
        functions=[blocked],
        distributions=[distribution("E2QWRUHAPOMQZL", ["redirect-www"])],
    )


def mixed_run() -> Result:
    """A viewer function and a connection function of one name, both published: each reads apart."""
    viewer = redirect_published().model_copy(update={"name": "gate", "arn": ""})
    connection = function(
        "gate",
        Status.PUBLISHED,
        kind=Kind.CONNECTION_FUNCTION,
        actions=["update", "publish"],
        done=["update", "publish"],
        reason="code differs from DEVELOPMENT; DEVELOPMENT differs from LIVE (code)",
        arn="arn:aws:cloudfront::123456789012:connection-function/k3x9q2m7v1b8zt",
        development_etag=["E5CONN01", "E5CONN02"],
        live_etag=["E5CONNL1", None],
        tests=[passing("trusted CA is allowed", 4), passing("revoked serial is denied", 6)],
        used_by=[UsageReport(distribution="E2QWRUHAPOMQZL", behaviours=[])],
        backup="cloudfront-backups/20261207T101500Z/gate.CONNECTION-LIVE.E5CONNL1.js",
    )
    return Result(
        mode=Mode.PUBLISH,
        functions=[viewer, connection],
        distributions=[distribution("E2QWRUHAPOMQZL", ["connection-function gate"])],
        backup_dir="cloudfront-backups/20261207T101500Z",
    )


SCENARIOS: dict[str, tuple[Callable[[], Result], dict[str, str]]] = {
    "publish": (publish_run, RUN),
    "preview": (preview_run, PULL_REQUEST),
    "sync": (sync_run, RUN),
    "failure": (failure_run, RUN),
    "conflict": (conflict_run, RUN),
    "blocked": (blocked_run, RUN),
    "mixed": (mixed_run, RUN),
}


# --- Golden files ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_summary_matches_golden(name: str) -> None:
    make, run = SCENARIOS[name]
    rendered = render_summary(make(), run).encode()
    path = GOLDEN / f"summary-{name}.md"
    # UPDATE_GOLDEN=1 rewrites the golden files from the code: review the diff, then commit them.
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_bytes(rendered)
    assert rendered == path.read_bytes()


def test_a_preview_reads_as_a_review() -> None:
    text = render_summary(preview_run(), PULL_REQUEST)
    assert "**Would update:** <code>redirect-www</code>" in text
    assert "**Would create:** <code>geo-route</code>" in text
    assert "Distributions that would serve the new code" in text
    assert "<details open><summary>" in text  # the diffs are what a reviewer came for
    assert "Nothing was written · took 3.2\u00a0s." in text


def test_a_run_links_the_commit_and_the_distribution_console() -> None:
    text = render_summary(publish_run(), RUN)
    assert "[<code>4f2a9c1</code>](https://github.com/example/edge-functions/commit/4f2a9c1e8b7d" in text
    assert f"]({console_url('E2QWRUHAPOMQZL')})" in text
    assert "https://console.aws.amazon.com/cloudfront/v4/home#/distributions/E2QWRUHAPOMQZL" in text


def test_live_etag_is_new_once_published() -> None:
    row = next(
        line for line in render_summary(publish_run(), RUN).splitlines() if "redirect-www</code>](" in line
    )
    assert row.endswith("| <code>E9LIVE01</code><br>→ new |")


# --- Read in ten seconds ---------------------------------------------------------------------------


def test_one_diff_per_function_when_development_held_what_live_holds() -> None:
    text = render_summary(publish_run(), RUN)
    assert text.count("<code>redirect-www</code>: what LIVE became</summary>") == 1
    assert "repository → DEVELOPMENT" not in text
    assert text.count("```diff") == 2  # redirect-www and geo-route, one each


def test_the_repository_diff_stays_when_development_differed_from_live() -> None:
    other = b"function handler(event) {\n  // someone else's\n  return event.request;\n}\n"
    fn = redirect_published().model_copy(update={"repo_diff": repo_diff(other, NEW_CODE)})
    text = render_summary(Result(mode=Mode.PUBLISH, functions=[fn]), RUN)
    assert "<code>redirect-www</code>: what LIVE became</summary>" in text
    assert "<details><summary><code>redirect-www</code>: repository → DEVELOPMENT, which held" in text
    assert "-  // someone else's" in text


def test_unchanged_functions_fold_into_one_line() -> None:
    result = publish_run()
    more = [headers_unchanged().model_copy(update={"name": f"keep-{i}"}) for i in range(3)]
    text = render_summary(result.model_copy(update={"functions": [*result.functions, *more]}), RUN)
    assert "| ⚪ |" not in text
    (line,) = [line for line in text.splitlines() if line.startswith("⚪ **Unchanged (4):**")]
    assert all(f"<code>{name}</code>" in line for name in ("add-headers", "keep-0", "keep-2"))


def test_a_function_published_without_a_test_is_warned_about() -> None:
    text = render_summary(publish_run(), RUN)
    assert "- ⚠️ **Published without any test:** <code>geo-route</code>" in text
    assert (
        "<code>redirect-www</code>](https://console.aws.amazon.com/cloudfront/v4/home#/functions/redirect-www) |"
        in text
    )
    tested = publish_run().model_copy(update={"functions": [redirect_published(), headers_unchanged()]})
    assert "without any test" not in render_summary(tested, RUN)


def test_a_preview_warns_before_publishing_untested_code() -> None:
    assert "**Would publish without any test:** <code>geo-route</code>\n" in (
        render_summary(preview_run(), PULL_REQUEST)
    )


def test_a_china_account_links_to_the_china_console() -> None:
    arn = "arn:aws-cn:cloudfront::123456789012:function/redirect-www"
    fn = redirect_published().model_copy(update={"arn": arn})
    result = Result(
        mode=Mode.PUBLISH, functions=[fn], distributions=[distribution("E2QWRUHAPOMQZL", ["redirect-www"])]
    )
    text = render_summary(result, RUN)
    assert "](https://console.amazonaws.cn/cloudfront/v4/home#/functions/redirect-www)" in text
    assert "](https://console.amazonaws.cn/cloudfront/v4/home#/distributions/E2QWRUHAPOMQZL)" in text
    assert "console.aws.amazon.com" not in text


@pytest.mark.parametrize(
    ("arn", "expected"),
    [
        ("arn:aws:cloudfront::1:function/f", "aws"),
        ("arn:aws-cn:cloudfront::1:function/f", "aws-cn"),
        ("", "aws"),
        ("not-an-arn", "aws"),
    ],
)
def test_the_partition_comes_from_the_arn(arn: str, expected: str) -> None:
    assert partition(arn) == expected


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(None, ""), (0.84, "0.8 s"), (42.4, "42 s"), (125, "2 min 5 s"), (59.6, "1 min 0 s")],
)
def test_the_duration_reads_in_the_unit_a_person_uses(seconds: float | None, text: str) -> None:
    assert duration(seconds).replace("\u00a0", " ") == text


def test_the_summary_says_how_long_the_run_took() -> None:
    assert "**Done: 2 published, 1 unchanged.** · took 42\u00a0s" in render_summary(publish_run(), RUN)
    untimed = publish_run().model_copy(update={"duration_seconds": None})
    assert "took" not in render_summary(untimed, RUN)


# --- Context and user templates -------------------------------------------------------------------


def test_a_user_template_gets_the_same_context() -> None:
    template = "{{ result.published | join(',') }} {{ run.sha }} {{ result.counts.unchanged }}\n"
    assert render_summary(publish_run(), RUN, template) == f"redirect-www,geo-route {RUN['GITHUB_SHA']} 1\n"


def test_the_context_holds_plain_values_and_derived_lists() -> None:
    context = summary_context(failure_run(), RUN)
    result = context["result"]
    assert isinstance(result, dict)
    assert result["failed"] == ["add-headers"]
    assert result["published"] == ["redirect-www"]
    assert result["functions"][1]["status"] == "failed"
    assert result["distributions"][0]["uses"][0] == {
        "function": "redirect-www",
        "path_pattern": None,
        "event_type": "viewer-request",
    }
    assert context["run"] == {
        "sha": RUN["GITHUB_SHA"],
        "ref": "refs/heads/main",
        "actor": "octocat",
        "event": "push",
        "repository": "example/edge-functions",
        "server_url": "https://github.com",
        "run_id": "9876543210",
        "short_sha": "4f2a9c1",
        "commit_url": f"https://github.com/example/edge-functions/commit/{RUN['GITHUB_SHA']}",
        "run_url": "https://github.com/example/edge-functions/actions/runs/9876543210",
    }


def test_every_context_key_is_documented() -> None:
    documented = (Path(__file__).parents[2] / "docs" / "summary-context.md").read_text(encoding="utf-8")
    context = summary_context(blocked_run().model_copy(update={"wait": WAITED}), RUN)
    result = context["result"]
    assert isinstance(result, dict)
    keys = {
        *context,
        *result,
        *context["run"],  # type: ignore[misc]
        *result["functions"][0],
        *result["functions"][0]["tests"][0],
        *result["distributions"][0],
        *result["wait"],
    }
    missing = sorted(k for k in keys if f"`{k}`" not in documented and f"`{k}(" not in documented)
    assert missing == []


def test_without_the_runner_the_built_in_template_still_renders() -> None:
    text = render_summary(publish_run(), {})
    assert "Commit" not in text
    assert "| ✅ | [<code>redirect-www</code>](" in text


def test_a_syntax_error_names_the_template_file_and_line() -> None:
    with pytest.raises(InputError) as caught:
        render_summary(
            publish_run(),
            RUN,
            "# Summary\n\n{% if result.failed %}\nno end\n",
            template_path=".github/summary.md.j2",
        )
    (problem,) = caught.value.problems
    assert (problem.file, problem.line, problem.field) == (".github/summary.md.j2", 4, "summary-template")
    assert str(caught.value).startswith(".github/summary.md.j2:4: summary-template: ")


def test_an_undefined_name_names_the_template_line() -> None:
    with pytest.raises(InputError) as caught:
        render_summary(publish_run(), RUN, "ok\n{{ result.nothing_here }}\n", template_path="summary.j2")
    (problem,) = caught.value.problems
    assert (problem.file, problem.line) == ("summary.j2", 2)
    assert "nothing_here" in problem.message


def test_a_user_template_cannot_reach_python_internals() -> None:
    with pytest.raises(InputError):
        render_summary(publish_run(), RUN, "{{ ''.__class__.__mro__[1].__subclasses__() }}")


def test_check_template_finds_mistakes_before_a_run() -> None:
    check_template("{{ result.totals }} {{ run.sha }}\n", "ok.j2")
    with pytest.raises(InputError, match=r"^bad\.j2:1: summary-template: "):
        check_template("{{ run.shaa }}", "bad.j2")


# --- Filters --------------------------------------------------------------------------------------


def test_fence_is_longer_than_any_run_in_the_text() -> None:
    assert fence("a\n") == "```diff\na\n```"
    assert fence("x ````` y\n~~~~~~\n").startswith("```````diff\n")
    assert fence("no newline", "text") == "```text\nno newline\n```"
    assert fence("a", "diff`\n```") == "```diff\na\n```"  # nor can the language line be abused


def test_code_size_against_the_limit() -> None:
    assert code_size(1234).replace("\u00a0", " ") == "1,234 B / 10 KB (12 %)"
    assert code_size(10_240) == "10,240\u00a0B / 10\u00a0KB (100\u00a0%)"


def test_inline_shows_text_and_builds_nothing() -> None:
    assert inline('a | b\n<i>`x`</i> [l](u) @me *y* ~z~ & "q" \\') == (
        "a &#124; b<br>&lt;i&gt;&#96;x&#96;&lt;/i&gt; &#91;l&#93;(u) @\u200bme &#42;y&#42; &#126;z&#126; "
        "&amp; &quot;q&quot; &#92;"
    )
    assert inline("# title") == "&#35; title"
    assert inline("  - item") == "  &#45; item"
    assert inline("12. item") == "12&#46; item"
    assert inline(None) == ""


def test_cut_keeps_whole_lines_and_says_how_many_went() -> None:
    text = "".join(f"line {i}\n" for i in range(10))
    assert cut(text, 1000) == text
    assert cut(text, 15) == "line 0\nline 1\n… diff cut: 8 more lines\n"
    assert cut(text, 0) == "… diff cut: 10 more lines\n"


# --- The 1 MiB cap --------------------------------------------------------------------------------


def huge_result(functions: int = 3, lines: int = 40_000) -> Result:
    big = "".join(f"+  headers['x-line-{i}'] = {{ value: '{'é' * 8}' }};\n" for i in range(lines))
    return Result(
        mode=Mode.PUBLISH,
        functions=[
            redirect_published().model_copy(update={"name": f"fn-{i}", "repo_diff": big, "live_diff": big})
            for i in range(functions)
        ],
    )


def test_a_summary_over_one_mib_cuts_the_diffs_and_keeps_the_table() -> None:
    result = huge_result()
    assert len(render_summary(result, RUN, limit=100 * MIB).encode()) > MIB  # the premise
    text = render_summary(result, RUN)
    assert len(text.encode()) <= MIB
    assert text.startswith(CUT_NOTICE)
    assert "| | Function | What happened and why |" in text
    assert all(f"| ✅ | [<code>fn-{i}</code>](" in text for i in range(3))
    # one diff per function: the repository's diff reads as LIVE's, so only LIVE's is shown (and cut)
    assert text.removeprefix(CUT_NOTICE).count("… diff cut: ") == 3
    assert all(block.closed for block in fenced_blocks(text))
    assert "Summary truncated" not in text  # cutting the diffs was enough


def test_a_user_template_is_cut_the_same_way() -> None:
    text = render_summary(
        huge_result(), RUN, "{% for f in result.functions %}{{ f.repo_diff | fence }}\n{% endfor %}"
    )
    assert len(text.encode()) <= MIB
    assert text.startswith(CUT_NOTICE)


def test_when_cutting_diffs_is_not_enough_the_summary_is_truncated() -> None:
    result = Result(
        mode=Mode.PUBLISH,
        functions=[headers_unchanged().model_copy(update={"name": f"f{i}"}) for i in range(200)],
    )
    text = render_summary(result, RUN, limit=4000)
    assert len(text.encode()) <= 4000
    assert "Summary truncated" in text


# --- Untrusted text -------------------------------------------------------------------------------

HOSTILE = (
    "| broken | table\n<script>alert(1)</script>\n<img src=x onerror=alert(1)>\n</details>\n"
    "```\n~~~~\n````````````\n[link](javascript:x) ![i](javascript:y) @someone\r\n\t``` \n"
)


def hostile_run() -> Result:
    test = CaseReport(
        name=HOSTILE, passed=False, utilization=70, error=HOSTILE, logs=HOSTILE.splitlines(), mismatch=HOSTILE
    )
    fn = function(
        HOSTILE,
        Status.CONFLICT,
        actions=["update"],
        reason=HOSTILE,
        error=HOSTILE + "!",
        next_step=HOSTILE,
        runtime=HOSTILE,
        development_etag=[HOSTILE, "E2"],
        live_etag=[None, HOSTILE],
        repo_diff=HOSTILE,
        live_diff=HOSTILE + HOSTILE,
        backup=HOSTILE,
        tests=[test],
        used_by=[
            UsageReport(
                distribution=HOSTILE, behaviours=[BehaviourReport(path_pattern=HOSTILE, event_type=HOSTILE)]
            )
        ],
    )
    dist = DistributionReport(
        id=HOSTILE,
        domain=HOSTILE,
        aliases=[HOSTILE, HOSTILE],
        status=HOSTILE,
        enabled=True,
        functions=[HOSTILE],
    )
    return Result(
        mode=Mode.PUBLISH,
        functions=[fn, headers_unchanged()],
        distributions=[dist],
        backup_dir=HOSTILE,
        other_functions=[HOSTILE],
        warnings=[HOSTILE],
    )


@dataclass
class Fenced:
    start: int
    marker: str
    lines: list[str]
    closed: bool = False


_LINE_END = re.compile(r"\r\n|\r|\n")
_OPENING = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")


def fenced_blocks(markdown: str) -> list[Fenced]:
    """Fenced code blocks as CommonMark finds them at the top level: an opening fence is 3+ backticks
    (with no backtick in its info string) or 3+ tildes, indented at most 3 spaces; only a line of the
    same character, at least as long, with nothing but spaces after it, closes it."""
    blocks: list[Fenced] = []
    current: Fenced | None = None
    for number, line in enumerate(_LINE_END.split(markdown), 1):
        if current is not None:
            closing = re.fullmatch(r" {0,3}(" + re.escape(current.marker[0]) + r"+)[ \t]*", line)
            if closing and len(closing.group(1)) >= len(current.marker):
                current.closed = True
                current = None
            else:
                current.lines.append(line)
            continue
        opening = _OPENING.match(line)
        if opening and not (opening.group(1)[0] == "`" and "`" in opening.group(2)):
            current = Fenced(number, opening.group(1), [])
            blocks.append(current)
    return blocks


def outside_fences(markdown: str) -> list[str]:
    """The lines that are not inside a fenced code block, nor its fences."""
    lines = _LINE_END.split(markdown)
    fenced: set[int] = set()
    for block in fenced_blocks(markdown):
        fenced.update(range(block.start, block.start + len(block.lines) + 2))  # fences, 1-based
    return [line for number, line in enumerate(lines, 1) if number not in fenced]


def test_hostile_text_stays_inside_its_code_blocks() -> None:
    text = render_summary(hostile_run(), RUN)
    blocks = fenced_blocks(text)
    assert all(block.closed for block in blocks)
    contents = ["\n".join(block.lines) + "\n" for block in blocks]
    normal = HOSTILE.replace("\r\n", "\n")
    # each diff, log and mismatch is one whole block: nothing in it ended its block early
    assert contents == [normal + normal, normal, "\n".join(HOSTILE.splitlines()) + "\n", normal]


def test_hostile_text_outside_code_blocks_is_only_text() -> None:
    rest = "\n".join(outside_fences(render_summary(hostile_run(), RUN)))
    assert "<details><summary>" in rest  # the template's own HTML is there
    # and it is the only HTML there: no tag from the text, so no <script>, no <img>, no </details>
    assert "<" not in re.sub(r"</?(code|summary)>|<br>|<details( open)?>|</details>", "", rest)
    assert not re.search(r"(?<!\\)\]\(javascript", rest)  # `[link]` shows as text: `\[link\](…`
    assert "@someone" not in rest


def test_hostile_text_keeps_every_table_row_whole() -> None:
    tables: list[list[str]] = [[]]
    for line in outside_fences(render_summary(hostile_run(), RUN)):
        if line.startswith("|"):
            tables[-1].append(line)
        elif tables[-1]:
            tables.append([])
    tables = [t for t in tables if t]
    assert len(tables) == 3  # functions, tests, distributions
    for table in tables:
        counts = {row.count("|") for row in table}
        assert len(counts) == 1, table


def test_hostile_text_cannot_close_the_real_details() -> None:
    lines = outside_fences(render_summary(hostile_run(), RUN))
    depth = 0
    for line in lines:
        depth += line.count("<details")
        assert line.count("</details") <= depth
        depth -= line.count("</details")
        assert "</details" not in line or line == "</details>"
        assert depth in (0, 1)
    assert depth == 0


class _Html(HTMLParser):
    """What a browser would build: the tags, the links, the cells of each table row, each <pre>'s text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.closed: list[str] = []
        self.links: list[str] = []
        self.tables: list[list[int]] = []
        self.pre: list[str] = []
        self._in_pre = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.links += [value or "" for name, value in attrs if name in ("href", "src")]
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append(0)
        elif tag in ("td", "th"):
            self.tables[-1][-1] += 1
        elif tag == "pre":
            self._in_pre = True
            self.pre.append("")

    def handle_endtag(self, tag: str) -> None:
        self.closed.append(tag)
        self._in_pre = self._in_pre and tag != "pre"

    def handle_data(self, data: str) -> None:
        if self._in_pre:
            self.pre[-1] += data


def test_a_github_flavoured_renderer_agrees() -> None:
    """cmark-gfm, which GitHub's Markdown is built on, with raw HTML let through: GitHub sanitises
    what it renders, but nothing from the text should need it."""
    import cmarkgfm  # type: ignore[import-untyped]
    from cmarkgfm.cmark import Options  # type: ignore[import-untyped]

    markdown = render_summary(hostile_run(), RUN)
    page = _Html()
    page.feed(cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE))
    assert not {"script", "img"} & set(page.tags)
    assert all(link.startswith("https://") for link in page.links)
    assert page.tags.count("details") == page.closed.count("details") == 4  # 2 diffs, logs, mismatch
    normal = HOSTILE.replace("\r\n", "\n")
    assert page.pre == [normal * 2, normal, "\n".join(HOSTILE.splitlines()) + "\n", normal]
    assert [set(rows) for rows in page.tables] == [{6}, {4}, {5}]


def test_a_diff_shows_the_characters_a_reader_cannot_see() -> None:
    """A BOM, a zero-width space or a bidi override changes what runs without changing what shows."""
    shown = fence("+const admin = user\u202e\u2066 && true;\n+\ufeffx\u200b = 1;\n")
    assert "⟨U+202E⟩⟨U+2066⟩" in shown and "⟨U+FEFF⟩x⟨U+200B⟩" in shown
    assert not any(c in shown for c in "\u202e\u2066\ufeff\u200b")


def test_a_template_finds_every_planned_action_tags_and_attaches_included() -> None:
    result = Result(
        mode=Mode.PLAN,
        functions=[
            function("a", Status.PLANNED, actions=["update", "publish", "attach"]),
            function("b", Status.PLANNED, actions=["tag"]),
        ],
    )
    context = summary_context(result, {})["result"]
    assert isinstance(context, dict)
    planned = context["planned"]
    assert planned["tag"] == ["b"] and planned["attach"] == ["a"] and planned["create"] == []
    assert set(planned) == {a.value for a in Action}
