"""Result → the job summary: a documented context, a template (built in or the user's), a 1 MiB cap.

Text from outside (function code and comments, diffs, AWS messages, test logs) reaches the template
as it is; the template passes it through a filter named for where it goes (`cell`, `inline`, `fence`),
and the filter makes sure it can only ever be shown, never read as Markdown or HTML.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from importlib import resources
from typing import TYPE_CHECKING
from urllib.parse import quote

from publisher.core.errors import InputError, Problem
from publisher.core.report import totals
from publisher.core.result import FunctionResult, Result, Status, TestReport

if TYPE_CHECKING:
    from jinja2 import Template
    from jinja2.sandbox import SandboxedEnvironment

SUMMARY_LIMIT = 1024 * 1024  # bytes per step: past it the runner drops the whole summary
_TRUNCATED = "\n\n*Summary truncated: GitHub shows at most 1 MiB per step.*\n"
CODE_LIMIT = 10 * 1024  # CloudFront's limit on a function's code, in bytes
PLANNING = ("plan", "preview")
RUN_VARIABLES = {
    "sha": "GITHUB_SHA",
    "ref": "GITHUB_REF",
    "actor": "GITHUB_ACTOR",
    "event": "GITHUB_EVENT_NAME",
    "repository": "GITHUB_REPOSITORY",
    "server_url": "GITHUB_SERVER_URL",
    "run_id": "GITHUB_RUN_ID",
}
EMOJI = {
    Status.CREATED: "🆕",
    Status.UPDATED: "✏️",
    Status.PUBLISHED: "✅",
    Status.UNCHANGED: "⚪",
    Status.PLANNED: "📝",
    Status.BLOCKED: "⛔",
    Status.CONFLICT: "⚠️",
    Status.FAILED: "❌",
}
CUT_NOTICE = (
    "> ⚠️ **The diffs below were cut to fit.** GitHub drops a step summary over 1 MiB, so each diff "
    "was shortened at a line boundary and ends with “… diff cut: N more lines”.\n\n"
)
TEMPLATE_FIELD = "summary-template"


def console_url(distribution_id: str) -> str:
    """The distribution in the CloudFront console (a global service: no region in the address)."""
    return (
        f"https://console.aws.amazon.com/cloudfront/v4/home#/distributions/{quote(distribution_id, safe='')}"
    )


def summary_context(result: Result, run: Mapping[str, str], *, diffs_cut: bool = False) -> dict[str, object]:
    """What every template gets; docs/summary-context.md documents each key."""
    return {
        "result": _result_context(result),
        "run": _run_context(run),
        "console_url": console_url,
        "code_limit": CODE_LIMIT,
        "diffs_cut": diffs_cut,
    }


def _result_context(result: Result) -> dict[str, object]:
    data = result.model_dump(mode="json")
    data["functions"] = [_function_context(f) for f in result.functions]
    data["distributions"] = [
        {**d.model_dump(mode="json"), "url": console_url(d.id), "uses": _uses(result, d.id)}
        for d in result.distributions
    ]
    if result.wait is not None:
        data["wait"]["minutes"] = f"{result.wait.timeout_minutes:g}"
    planned = [f for f in result.functions if f.status is Status.PLANNED]
    data.update(
        planning=result.mode in PLANNING,
        changed=result.changed,
        published=result.published,
        failed=result.failed,
        counts={s.value: len(result.named(s)) for s in Status},
        planned={a: [f.name for f in planned if a in f.actions] for a in ("create", "update", "publish")},
        totals=totals(result),
    )
    return data


def _function_context(f: FunctionResult) -> dict[str, object]:
    label = f"would {', '.join(f.actions)}" if f.status is Status.PLANNED else f.status.value
    return {**f.model_dump(mode="json"), "symbol": EMOJI[f.status], "label": label}


def _uses(result: Result, distribution_id: str) -> list[dict[str, object]]:
    """Which of this run's functions the distribution runs, where and on which event."""
    return [
        {"function": f.name, "path_pattern": b.path_pattern, "event_type": b.event_type}
        for f in result.functions
        for use in f.used_by
        if use.distribution == distribution_id
        for b in use.behaviours
    ]


def _run_context(environ: Mapping[str, str]) -> dict[str, str]:
    run = {key: environ.get(name, "") for key, name in RUN_VARIABLES.items()}
    base = f"{quote(run['server_url'], safe=':/')}/{quote(run['repository'], safe='/')}"
    whole = run["server_url"] and run["repository"]
    run["short_sha"] = run["sha"][:7]
    run["commit_url"] = f"{base}/commit/{quote(run['sha'], safe='')}" if whole and run["sha"] else ""
    run["run_url"] = f"{base}/actions/runs/{quote(run['run_id'], safe='')}" if whole and run["run_id"] else ""
    return run


# --- Filters: untrusted text, made safe for the place it goes ----------------------------------------

_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # CommonMark ends a line on all three
# Character references, not backslashes: they read the same in Markdown, in a table cell and inside
# an HTML block (a `<summary>` line), where Markdown is not parsed and a backslash would show.
_ESCAPES = str.maketrans(
    {c: f"&#{ord(c)};" for c in "\\`*_[]~|"} | {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}
)
_MENTION = re.compile(r"@(?=\w)")
_BLOCK_START = re.compile(r"^(\s*)([#+=-])|^(\s*\d+)([.)])")  # a heading or a list item
_FENCE_RUN = re.compile(r"`+|~+")


def inline(value: object) -> str:
    """Text for running Markdown or HTML: shows as it reads, on one line, and links or mentions nothing."""
    text = ("" if value is None else str(value)).rstrip("\r\n").translate(_ESCAPES)
    text = _MENTION.sub("@\u200b", text)  # a zero-width space: `@name` no longer mentions anyone
    text = _BLOCK_START.sub(lambda m: f"{m[1]}&#{ord(m[2])};" if m[2] else f"{m[3]}&#{ord(m[4])};", text)
    return _LINE_BREAK.sub("<br>", text)


def cell(value: object) -> str:
    """Text for a table cell: as `inline`, whose escapes already keep a row on one line and its `|`s."""
    return inline(value)


def fence(value: object, language: str = "diff") -> str:
    """A fenced code block whose fence is longer than any run of backticks or tildes in the text,
    so that no line of it can close the block."""
    text = _LINE_BREAK.sub("\n", "" if value is None else str(value))
    longest = max((len(run.group()) for run in _FENCE_RUN.finditer(text)), default=0)
    marker = "`" * max(3, longest + 1)
    body = text if not text or text.endswith("\n") else text + "\n"
    return f"{marker}{re.sub(r'[^A-Za-z0-9_+-]', '', language)}\n{body}{marker}"


def code_size(value: int) -> str:
    """`1,234 B / 10 KB (12 %)`: a function's code against CloudFront's limit. The spaces within each
    quantity do not break, so that a narrow table cell never leaves a `%` alone on a line."""
    return f"{value:,}\u00a0B / {CODE_LIMIT // 1024}\u00a0KB ({value * 100 // CODE_LIMIT}\u00a0%)"


FILTERS: dict[str, Callable[..., str]] = {"cell": cell, "inline": inline, "fence": fence, "bytes": code_size}


# --- Rendering ------------------------------------------------------------------------------------


def render_summary(
    result: Result,
    run: Mapping[str, str],
    template_text: str | None = None,
    limit: int = SUMMARY_LIMIT,
    *,
    template_path: str = "summary template",
) -> str:
    """The summary in at most `limit` UTF-8 bytes: whole if it fits, else with the diffs cut, else cut.

    A user's template (`template_text`, read from `template_path`) gets the same context as the
    built-in one; an error in it is an InputError naming the file and line."""
    template = _builtin() if template_text is None else _compile(template_text, template_path)

    def render(value: Result, diffs_cut: bool) -> str:
        context = summary_context(value, run, diffs_cut=diffs_cut)
        if template_text is None:
            return template.render(context)
        return _render_user(template, context, template_path)

    markdown = render(result, False)
    budget: int | None = limit // (2 * max(_diff_count(result), 1))  # halved until it fits, down to 0
    while len(markdown.encode()) > limit and budget is not None:
        markdown = CUT_NOTICE + render(cut_diffs(result, budget), True)
        budget = budget // 2 if budget else None
    return fit_summary(markdown, limit)  # the last resort: more than the diffs is too big


def check_template(template_text: str, template_path: str) -> None:
    """Renders a user's template with a sample result, so that a mistake in it is found before a run."""
    sample = Result(
        mode="publish",
        functions=[
            FunctionResult(
                name="sample",
                status=Status.PUBLISHED,
                actions=["update", "publish"],
                done=["update", "publish"],
                reason="code differs from DEVELOPMENT and LIVE",
                tests=[TestReport(name="sample", passed=True, utilization=10)],
            )
        ],
    )
    render_summary(sample, {}, template_text, template_path=template_path)


def _environment() -> SandboxedEnvironment:
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    # Sandboxed: a template may come from a pull request. No autoescape: the output is Markdown, and
    # the filters above escape for Markdown and HTML together.
    env = SandboxedEnvironment(
        autoescape=False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    return env


def _builtin() -> Template:
    text = resources.files("publisher").joinpath("templates/summary.md.j2").read_text(encoding="utf-8")
    return _environment().from_string(text)


def _compile(text: str, path: str) -> Template:
    from jinja2 import TemplateSyntaxError

    try:
        return _environment().from_string(text)
    except TemplateSyntaxError as error:
        raise InputError(
            [Problem(path, error.lineno, TEMPLATE_FIELD, error.message or str(error))]
        ) from error


def _render_user(template: Template, context: dict[str, object], path: str) -> str:
    try:
        return template.render(context)
    except Exception as error:  # whatever the template does wrong is the template's input error
        raise InputError([Problem(path, _template_line(error), TEMPLATE_FIELD, str(error))]) from error


def _template_line(error: BaseException) -> int | None:
    """The template line Jinja put in the traceback (it rewrites frames to point at the template)."""
    line, tb = None, error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


# --- Cutting diffs to fit -------------------------------------------------------------------------


def cut_diffs(result: Result, budget: int) -> Result:
    """The result with every diff (and test mismatch) cut to at most `budget` bytes."""
    functions = [
        f.model_copy(
            update={
                "repo_diff": cut(f.repo_diff, budget),
                "live_diff": cut(f.live_diff, budget),
                "tests": [t.model_copy(update={"mismatch": cut(t.mismatch, budget)}) for t in f.tests],
            }
        )
        for f in result.functions
    ]
    return result.model_copy(update={"functions": functions})


def cut(text: str, budget: int) -> str:
    """The whole lines of `text` that fit in `budget` UTF-8 bytes, then a line saying how many went."""
    if len(text.encode()) <= budget:
        return text
    lines = text.splitlines(keepends=True)
    kept, used = 0, 0
    while kept < len(lines) and used + len(lines[kept].encode()) <= budget:
        used += len(lines[kept].encode())
        kept += 1
    return "".join(lines[:kept]) + f"… diff cut: {len(lines) - kept:,} more lines\n"


def _diff_count(result: Result) -> int:
    texts = [t for f in result.functions for t in (f.repo_diff, f.live_diff, *(x.mismatch for x in f.tests))]
    return sum(bool(t) for t in texts)


def fit_summary(markdown: str, limit: int = SUMMARY_LIMIT) -> str:
    """The markdown if it fits in `limit` UTF-8 bytes; else cut on a character boundary, with a note."""
    data = markdown.encode()
    if len(data) <= limit:
        return markdown
    room = max(limit - len(_TRUNCATED.encode()), 0)
    return data[:room].decode(errors="ignore") + _TRUNCATED  # drops only a character cut in two
