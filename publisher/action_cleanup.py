"""The Action's `cleanup` mode: delete the throwaway preview functions of the pull request the event
names (`pull_request: closed`), and with `older-than-hours` every throwaway older than that, as
`cloudfront-publish cleanup` does on the command line (shell/cleanup.py). It writes a summary and the
outputs `deleted`, `kept`, `failed`, `has-changes` and `result`; exit 1 when a delete failed or was
refused, 2 for bad input, as every mode.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from publisher.core.errors import InputError, Problem, PublisherError
from publisher.core.settings import settings_from
from publisher.core.summary.cleanup import cleanup_summary
from publisher.core.throwaway import cleanup_problems
from publisher.shell import github
from publisher.shell.cleanup import Deleted
from publisher.shell.github import Log

CLEANUP = "cleanup"  # the `mode` input that runs this, beside the plan's modes
INPUTS = ("manifest", "max-concurrency", "older-than-hours")
PULL_REQUEST_EVENTS = ("pull_request", "pull_request_target")


def run_cleanup(
    environ: Mapping[str, str], log: Log, step: github.StepSummary, stop: threading.Event | None = None
) -> int:
    """`stop`: set by a signal; no delete starts after it, and the summary and outputs still come."""
    try:
        return _run(environ, log, step, stop or threading.Event())
    except InputError as err:
        for p in err.problems:
            log.annotate("error", f"input `{p.field}`: {p.message}", title="CloudFront clean-up: bad input")
        step.write(f"## CloudFront preview clean-up\n\nRefused: {err.problems[0].message}\n")
        return err.exit_code
    except PublisherError as err:
        log.annotate("error", str(err), title="CloudFront clean-up")
        step.write(f"## CloudFront preview clean-up\n\nFailed: {err}\n")
        return err.exit_code


def pull_request_run(environ: Mapping[str, str]) -> str | None:
    """`pr<number>` of the pull request the event is about (as a preview names its copies), or None."""
    if environ.get("GITHUB_EVENT_NAME") not in PULL_REQUEST_EVENTS:
        return None
    try:
        with open(environ.get("GITHUB_EVENT_PATH") or "", encoding="utf-8") as file:
            number = json.load(file)["pull_request"]["number"]
    except (OSError, ValueError, KeyError, TypeError):
        ref = environ.get("GITHUB_REF", "")  # refs/pull/<number>/merge
        return "pr" + ref.split("/")[2] if ref.startswith("refs/pull/") else None
    return f"pr{number}"


def _run(environ: Mapping[str, str], log: Log, step: github.StepSummary, stop: threading.Event) -> int:
    from publisher.shell.aws import AwsCloudFront
    from publisher.shell.cleanup import clean, managed_by

    settings = settings_from(github.read_inputs(environ, INPUTS), "action inputs")
    run_id, hours = pull_request_run(environ), settings.older_than_hours
    problems = cleanup_problems(
        run_id, hours, run_from="a pull_request event", age_from="the input `older-than-hours`"
    )
    if problems:
        raise InputError([Problem("action inputs", None, "older-than-hours", p, False) for p in problems])
    cleanup = clean(
        AwsCloudFront(settings.endpoint_url, settings.max_concurrency),
        managed_by(settings.manifest),
        run_id=run_id,
        older_than=timedelta(hours=hours) if hours is not None else None,
        now=datetime.now(UTC),
        concurrency=settings.max_concurrency,
        stop=stop,
    )
    done = [(c.name, c.status.value, c.message) for c in cleanup.done]
    for name, status, message in done:
        log.line(f"{name}: {status}" + (f": {message}" if message else ""))
        if cleanup.failed and message:
            log.annotate("error", f"{name}: {status}: {message}", title="CloudFront clean-up")
    for name, why in cleanup.kept:
        log.line(f"{name}: kept, {why}")
    step.write(cleanup_summary(done, cleanup.kept, run_id=run_id, older_than_hours=hours))
    if environ.get("GITHUB_OUTPUT"):
        github.write_outputs(environ["GITHUB_OUTPUT"], _outputs(done, cleanup.kept, run_id, hours))
    return 1 if cleanup.failed else 0


def _outputs(
    done: list[tuple[str, str, str]],
    kept: tuple[tuple[str, str], ...],
    run_id: str | None,
    hours: float | None,
) -> dict[str, str]:
    deleted = [name for name, status, _ in done if status == "deleted"]
    failed = [{"name": n, "status": s, "message": m} for n, s, m in done if Deleted(s).failed]
    result = {
        "mode": CLEANUP,
        "run_id": run_id,
        "older_than_hours": hours,
        "deleted": deleted,
        "failed": failed,
        "kept": [{"name": n, "why": why} for n, why in kept],
    }
    return {
        "deleted": json.dumps(deleted),
        "kept": json.dumps(result["kept"]),
        "failed": json.dumps([f["name"] for f in failed]),
        "has-changes": "true" if deleted else "false",
        "result": json.dumps(result),
    }
