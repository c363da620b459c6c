"""The Action: INPUT_* → Settings; a log group per function, outputs, annotations and the job summary.

Whatever happens, outputs and a summary are written: a run refused for bad input, or stopped by AWS or
a signal, still says why in both. The signal handlers stay until the process ends, so the runner's
SIGTERM after its SIGINT cannot cut the report short or turn the exit status into a signal's.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Mapping

from publisher.action_cleanup import CLEANUP, run_cleanup
from publisher.core.capped import RESULT_LIMIT, capped_json
from publisher.core.errors import Problem
from publisher.core.modes import Kind
from publisher.core.outcome import Outcome
from publisher.core.report import footer, function_lines, headline
from publisher.core.result import FunctionResult, Result, Status
from publisher.core.settings import Settings, settings_from, split_names
from publisher.core.store_report import store_lines
from publisher.shell import github
from publisher.shell.engine import cancel_on_signals
from publisher.shell.github import Log
from publisher.wiring import Finished, Seams, execute

INPUTS = (*Settings.inputs(), "github-token")  # the token is read where the comment is written, alone
OUTPUT_JSON_LIMIT = RESULT_LIMIT  # outputs share 1 MB per job: `result` leaves out what it must (capped.py)
TITLE = "CloudFront Functions"


def settings_from_inputs(environ: Mapping[str, str]) -> Settings:
    inputs = github.read_inputs(environ, Settings.inputs())
    values: dict[str, object] = {k: v for k, v in inputs.items() if k != "functions"}
    values["functions"] = split_names(inputs["functions"])
    for name, surface in Settings.surfaces().items():
        flag = surface.input
        if (
            flag
            and Settings.model_fields[name].annotation is bool
            and inputs[flag].lower() in ("true", "false")
        ):
            values[flag] = inputs[flag].lower() == "true"
    values["run-id"] = _run_id(environ)
    return settings_from(values, "action inputs")


def main(environ: Mapping[str, str], *, keep_handlers: bool = False) -> int:
    """The Action's run. As the container's process (`keep_handlers`), SIGTERM and SIGINT stay caught
    until it exits, so a signal after the report still ends in exit 1 rather than death by signal."""
    log = Log(commands=True)
    os.chdir(environ.get("GITHUB_WORKSPACE") or ".")
    step = github.StepSummary(environ.get("GITHUB_STEP_SUMMARY"))

    def progress(name: str, outcome: Outcome) -> None:
        log.line(f"{name}: {', '.join(outcome.done) or (outcome.stop.halt if outcome.stop else 'done')}")

    seams = Seams(environ=environ, confined=True, say=log.line, progress=progress, published=step.write)
    mode = github.read_inputs(environ, ["mode"])["mode"]
    if mode == CLEANUP:  # deletes throwaways: no manifest plan, so not one of the run's modes
        with cancel_on_signals(seams.stop, log.line, restore=not keep_handlers):
            return run_cleanup(environ, log, step, seams.stop)
    with cancel_on_signals(seams.stop, log.line, restore=not keep_handlers):
        finished = execute(lambda: settings_from_inputs(environ), seams, requested_mode=mode)
        return _finish(finished, environ, log, step, seams.stop)


def _finish(
    finished: Finished, environ: Mapping[str, str], log: Log, step: github.StepSummary, stop: threading.Event
) -> int:
    _report(finished, log)
    if environ.get("GITHUB_OUTPUT"):
        github.write_outputs(environ["GITHUB_OUTPUT"], outputs(finished.result))
    step.write(finished.summary)
    if finished.settings is not None and finished.settings.comment_on_pr:
        _comment(finished, environ, log, stop)
    return finished.result.exit_code


def _comment(finished: Finished, environ: Mapping[str, str], log: Log, stop: threading.Event) -> None:
    """The plan as one pull-request comment, updated in place; a token that may not write only warns."""
    if finished.result.mode is None or not finished.result.mode.reviewed:
        return
    from publisher.shell.pr_comment import upsert_plan_comment

    upsert_plan_comment(
        finished.summary,
        environ,
        lambda text: log.annotate("warning", text, title="comment-on-pr"),
        stop=stop,  # a signal ends the wait for GitHub at once
    )


def _report(finished: Finished, log: Log) -> None:
    result = finished.result
    if result.fatal:
        _annotate_problems(log, finished.problems)
        if not finished.problems:
            log.annotate("error", result.fatal.message, title=TITLE)
        return
    for line in store_lines(result):
        log.line(line)
    for f in result.functions:
        with log.group(f"{headline(f)}  {f.label}"):
            for line in function_lines(f)[1:]:
                log.line(line.strip())
            _diffs(f, log)
    for line in footer(result):
        log.line(line)
    for r in result.resources:
        what = f"KeyValueStore {r.name}" if r.kind is Kind.KEY_VALUE_STORE else r.label
        if r.status is Status.PUBLISHED:
            log.annotate("notice", f"{what} published: {r.reason}", title=TITLE)
        elif r.failed:
            log.annotate("error", f"{what}: {r.error} {r.next_step}".strip(), title=f"{TITLE}: {r.status}")


def _diffs(f: FunctionResult, log: Log) -> None:
    for t in f.tests:
        if t.logs or t.mismatch:
            log.untrusted("\n".join([*t.logs, t.mismatch]))
    # one diff: what LIVE becomes; the repository's only when LIVE already holds it
    title, diff = ("LIVE → new", f.live_diff) if f.live_diff else ("DEVELOPMENT → repository", f.repo_diff)
    if diff:
        log.line(title)
        log.untrusted(diff)


def outputs(result: Result) -> dict[str, str]:
    text = capped_json(result.model_dump(mode="json"), OUTPUT_JSON_LIMIT)
    return {
        "changed": json.dumps(result.changed),
        "published": json.dumps(result.published),
        "failed": json.dumps(result.failed),
        "rolled-back": json.dumps(result.rolled_back),
        "distributions": json.dumps(result.serving_new_code),
        "stores-changed": json.dumps(result.stores_changed),
        "associations-changed": json.dumps([c.model_dump(mode="json") for c in result.associations_changed]),
        "has-changes": "true" if result.has_changes else "false",
        "backup-dir": result.backup_dir,
        "result": text,
    }


def _annotate_problems(log: Log, problems: tuple[Problem, ...]) -> None:
    for p in problems:
        if p.in_file:
            log.annotate(
                "error", p.message, file=p.file, line=p.line, col=p.column, title=p.field or "manifest"
            )
        else:
            log.annotate("error", f"input `{p.field}`: {p.message}", title=f"{TITLE}: bad input")


def _run_id(environ: Mapping[str, str]) -> str:
    ref = environ.get("GITHUB_REF", "")
    if ref.startswith("refs/pull/"):
        return "pr" + ref.split("/")[2]
    return (environ.get("GITHUB_SHA") or "local")[:8]
