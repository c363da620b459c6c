"""Render the summary: the built-in template or the user's (sandboxed), within GitHub's limit; and the
summaries of a run that was refused or stopped."""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from typing import TYPE_CHECKING

from publisher.core.errors import InputError, Problem
from publisher.core.modes import Mode
from publisher.core.result import FunctionResult, Result, Status, TestReport
from publisher.core.summary.context import summary_context
from publisher.core.summary.fit import CUT_NOTICE, SUMMARY_LIMIT, cut_diffs, diff_count, fit_summary
from publisher.core.summary.markdown import FILTERS, inline

if TYPE_CHECKING:
    from jinja2 import Template
    from jinja2.sandbox import SandboxedEnvironment

TEMPLATE_FIELD = "summary-template"


def summary_with_fallback(result: Result, template: tuple[str, str] | None, run: Mapping[str, str]) -> str:
    """The user's template, or, where it fails on this run's data (it passed a sample before the run),
    the built-in summary under a note that names the problem: a run that happened is always reported."""
    if result.fatal:
        return stopped(result)
    if template is None:
        return render_summary(result, run)
    text, path = template
    try:
        return render_summary(result, run, text, template_path=path)
    except InputError as err:
        note = "".join(
            f"> ⚠️ The summary template failed on this run: {inline(str(p))}\n" for p in err.problems
        )
        return note + "\n" + render_summary(result, run, limit=SUMMARY_LIMIT - len(note.encode()) - 1)


def stopped(result: Result) -> str:
    """A run that stopped before it could report on its functions: the cause, and what it means."""
    assert result.fatal is not None
    if result.fatal.problems:
        return (
            "## CloudFront Functions: input refused\n\n"
            + "".join(f"- {inline(p)}\n" for p in result.fatal.problems)
            + "\nNothing was read from or written to AWS.\n"
        )
    what = "set-up refused" if result.fatal.exit_code == 2 else "run failed"
    return (
        f"## CloudFront Functions: {what}\n\n{inline(result.fatal.message)}\n\nNothing was written to AWS.\n"
    )


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
    budget: int | None = limit // (2 * max(diff_count(result), 1))  # halved until it fits, down to 0
    while len(markdown.encode()) > limit and budget is not None:
        markdown = CUT_NOTICE + render(cut_diffs(result, budget), True)
        budget = budget // 2 if budget else None
    return fit_summary(markdown, limit)  # the last resort: more than the diffs is too big


def check_template(template_text: str, template_path: str) -> None:
    """Renders a user's template with a sample result, so that a mistake in it is found before a run."""
    sample = Result(
        mode=Mode.PUBLISH,
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
