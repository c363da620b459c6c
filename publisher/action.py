"""The Action: INPUT_* → Settings; a log group per function, outputs, annotations and the job summary."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Mapping
from pathlib import Path

from publisher.core.errors import InputError, Problem, PublisherError
from publisher.core.outcome import Outcome
from publisher.core.report import console, headline
from publisher.core.result import FunctionResult, Result, Status
from publisher.core.settings import Settings, settings_from, split_names
from publisher.shell import github
from publisher.shell.engine import cancel_on_signals
from publisher.shell.github import Log

INPUTS = (
    "manifest",
    "mode",
    "functions",
    "summary-template",
    "backup-dir",
    "max-concurrency",
    "wait-for-deployment",
    "wait-timeout-minutes",
)
OUTPUT_JSON_LIMIT = 512 * 1024  # outputs share 1 MB per job: past this the diffs are left out of `result`


def settings_from_inputs(environ: Mapping[str, str]) -> Settings:
    inputs = github.read_inputs(environ, INPUTS)
    values: dict[str, object] = {k: v for k, v in inputs.items() if k != "functions"}
    values["functions"] = split_names(inputs["functions"])
    for flag in ("wait-for-deployment",):
        if inputs[flag].lower() in ("true", "false"):
            values[flag] = inputs[flag].lower() == "true"
    values["run-id"] = _run_id(environ)
    return settings_from(values, "action inputs")


def main(environ: Mapping[str, str]) -> int:
    log = Log(commands=True)
    os.chdir(environ.get("GITHUB_WORKSPACE") or ".")
    step = github.StepSummary(environ.get("GITHUB_STEP_SUMMARY"))
    stop = threading.Event()
    try:
        settings = settings_from_inputs(environ)
        template = read_template(settings)  # a missing template is bad input: refused before any AWS call

        def published(result: Result) -> None:  # shown while the wait runs; replaced once it ends
            step.write(summary(result, template, environ))

        # held until the report is out: the runner follows its SIGINT with a SIGTERM, which must not
        # kill the process while it writes the outputs and the summary
        with cancel_on_signals(stop, log.line):
            result = _run(settings, log, stop=stop, published=published)
            _report(result, log, environ)
            step.write(summary(result, template, environ))
    except InputError as err:
        from publisher.core.summary import inline  # a key or a path from the manifest is only text there

        _annotate(log, err.problems)
        step.write(
            "## CloudFront Functions: input refused\n\n"
            + "".join(f"- {inline(str(p))}\n" for p in err.problems)
            + "\nNothing was read from or written to AWS.\n"
        )
        return err.exit_code
    except PublisherError as err:
        log.annotate("error", str(err), title="CloudFront Functions")
        return err.exit_code
    return result.exit_code


def _run(
    settings: Settings, log: Log, *, stop: threading.Event, published: Callable[[Result], None]
) -> Result:
    from publisher.shell.aws import CloudFront
    from publisher.shell.engine import Hooks, load, run
    from publisher.shell.files import Workspace
    from publisher.shell.testing import Tester

    workspace = Workspace(Path.cwd())
    manifest = load(settings, workspace)
    cloudfront = CloudFront(settings.endpoint_url, settings.max_concurrency)

    def progress(name: str, outcome: Outcome) -> None:
        log.line(f"{name}: {outcome.status.value if outcome.status else ', '.join(outcome.done) or 'done'}")

    tester = Tester(cloudfront, settings.max_concurrency)
    hooks = Hooks(stop=stop, tester=tester, progress=progress, say=log.line, published=published)
    return run(settings, cloudfront, workspace, manifest, hooks)


def _report(result: Result, log: Log, environ: Mapping[str, str]) -> None:
    for f in result.functions:
        with log.group(f"{headline(f)}  {f.name}"):
            _function_log(f, log)
    for line in console(result)[len(result.functions) :]:
        log.line(line)
    for f in result.functions:
        if f.status is Status.PUBLISHED:
            log.annotate("notice", f"{f.name} published: {f.reason}", title="CloudFront Functions")
        elif f.status in (Status.FAILED, Status.CONFLICT, Status.BLOCKED):
            log.annotate(
                "error",
                f"{f.name}: {f.error} {f.next_step}".strip(),
                title=f"CloudFront Functions: {f.status}",
            )
    _write_outputs(result, environ)


def _function_log(f: FunctionResult, log: Log) -> None:
    log.line(f.reason)
    if f.error:
        log.line(f"error: {f.error}")
    for t in f.tests:
        log.line(f"test {'pass' if t.passed else 'FAIL'}: {t.name} (utilization {t.utilization})")
        if t.logs or t.mismatch:
            log.untrusted("\n".join([*t.logs, t.mismatch]))
    for title, diff in (("repository → DEVELOPMENT", f.repo_diff), ("DEVELOPMENT → LIVE", f.live_diff)):
        if diff:
            log.line(title)
            log.untrusted(diff)
    if f.next_step:
        log.line(f"next: {f.next_step}")


def summary(result: Result, template: tuple[str, str] | None, environ: Mapping[str, str]) -> str:
    """The user's template, or, where it fails on this run's data (it passed a sample before the run),
    the built-in summary under a note that names the problem: a run that happened is always reported."""
    from publisher.core.summary import SUMMARY_LIMIT, inline, render_summary

    if template is None:
        return render_summary(result, environ)
    text, path = template
    try:
        return render_summary(result, environ, text, template_path=path)
    except InputError as err:
        note = "".join(
            f"> ⚠️ The summary template failed on this run: {inline(str(p))}\n" for p in err.problems
        )
        return note + "\n" + render_summary(result, environ, limit=SUMMARY_LIMIT - len(note.encode()) - 1)


def outputs(result: Result) -> dict[str, str]:
    data = result.model_dump(mode="json")
    text = json.dumps(data)
    if len(text) > OUTPUT_JSON_LIMIT:
        for f in data["functions"]:
            f["repo_diff"] = f["live_diff"] = ""
        data["diffs_omitted"] = True
        text = json.dumps(data)
    return {
        "changed": json.dumps(result.changed),
        "published": json.dumps(result.published),
        "failed": json.dumps(result.failed),
        "distributions": json.dumps([d.id for d in result.distributions]),
        "has-changes": "true" if result.changed else "false",
        "backup-dir": result.backup_dir,
        "result": text,
    }


def _write_outputs(result: Result, environ: Mapping[str, str]) -> None:
    if environ.get("GITHUB_OUTPUT"):
        github.write_outputs(environ["GITHUB_OUTPUT"], outputs(result))


def read_template(settings: Settings) -> tuple[str, str] | None:
    """The user's summary template, rendered once on a sample so a mistake is refused before AWS."""
    if not settings.summary_template:
        return None
    from publisher.core.summary import check_template
    from publisher.shell.files import Workspace

    workspace = Workspace(Path.cwd())
    path, outside = workspace.inside(settings.summary_template, workspace.root)
    if outside or not path.is_file():
        problem = outside or f"`{settings.summary_template}` is not a file"
        raise InputError([Problem("action inputs", None, "summary-template", problem)])
    text = path.read_text(encoding="utf-8", errors="replace")
    check_template(text, settings.summary_template)
    return text, settings.summary_template


def _annotate(log: Log, problems: list[Problem]) -> None:
    for p in problems:
        if p.file == "action inputs":
            log.annotate("error", f"input `{p.field}`: {p.message}", title="CloudFront Functions: bad input")
        else:
            log.annotate("error", p.message, file=p.file, line=p.line, title=p.field or "manifest")


def _run_id(environ: Mapping[str, str]) -> str:
    ref = environ.get("GITHUB_REF", "")
    if ref.startswith("refs/pull/"):
        return "pr" + ref.split("/")[2]
    return (environ.get("GITHUB_SHA") or "local")[:8]
