"""Pull-request preview: test changed code in throwaway functions; shared functions are never touched.

Each throwaway function is deleted in a finally block, so a failed test, an AWS error or a cancelled
run (SIGTERM sets the stop event; it does not unwind) still removes it. One left behind by a killed
run or an unanswered delete has this preview's name: it is taken over (updated in place), then deleted.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from publisher.core.errors import AlreadyExists, AwsError
from publisher.core.model import Stage
from publisher.core.outcome import Halt, Outcome, Stop, gate_failure
from publisher.core.plan import Action, FunctionPlan, Plan
from publisher.core.port import CloudFront
from publisher.core.result import TestReport
from publisher.core.throwaway import marked, preview_name
from publisher.shell.apply import RunTests

__all__ = ["preview", "preview_name"]


def preview(
    plan: Plan, cloudfront: CloudFront, run_tests: RunTests | None, stop: threading.Event, run_id: str
) -> dict[str, Outcome]:
    # every changed function, tests or not: the service's own checks (size, runtime, store) run on create
    changed = [fp for fp in plan.functions if fp.target and _code_changes(fp)]
    if not changed or run_tests is None:
        return {}
    with ThreadPoolExecutor(len(changed)) as pool:
        outcomes = pool.map(lambda fp: _try(fp, cloudfront, run_tests, stop, run_id), changed)
        return {fp.name: outcome for fp, outcome in zip(changed, outcomes, strict=True)}


def _code_changes(fp: FunctionPlan) -> bool:
    return fp.write(Action.CREATE) is not None or fp.write(Action.UPDATE) is not None


def _try(
    fp: FunctionPlan, cloudfront: CloudFront, run_tests: RunTests, stop: threading.Event, run_id: str
) -> Outcome:
    if stop.is_set():
        return Outcome(stop=Stop(Halt.CANCELLED, "the run was cancelled before the preview"))
    name = preview_name(fp.name, run_id)
    tests: list[TestReport] = []
    failure: Stop | None = None
    try:
        etag = _create(cloudfront, fp, name, run_id)
        tests = run_tests(fp, etag, name)
    except AwsError as err:
        failure = Stop(Halt.FAILED, f"preview function {name}: {err}")
    finally:
        leftover = _delete(cloudfront, name)
    blocked = gate_failure(tuple(tests), " in the preview")
    stop_ = leftover or failure or (Stop(Halt.BLOCKED, blocked) if blocked else None)
    return Outcome(tests=tuple(tests), stop=stop_)


def _create(cloudfront: CloudFront, fp: FunctionPlan, name: str, run_id: str) -> str:
    """The throwaway carries the project's marker, so a clean-up can tell it from a function of the team."""
    assert fp.target is not None
    config = marked(fp.target.config, fp.name, run_id)
    try:
        return cloudfront.create_function(name, fp.target.code, config)
    except AlreadyExists:  # this preview's own leftover: take it over
        found = cloudfront.describe_function(name, Stage.DEVELOPMENT)
        if found is None:  # deleted meanwhile: the name is free again
            return cloudfront.create_function(name, fp.target.code, config)
        etag = cloudfront.update_function(name, fp.target.code, config, found.etag)
        fresh = cloudfront.describe_function(name, Stage.DEVELOPMENT)
        return fresh.etag if fresh else etag or ""


def _delete(cloudfront: CloudFront, name: str) -> Stop | None:
    """Delete the throwaway copy, whatever happened: a leftover would block the next preview."""
    try:
        fresh = cloudfront.describe_function(name, Stage.DEVELOPMENT)
        if fresh is None:
            return None
        cloudfront.delete_function(name, fresh.etag)
    except AwsError as err:
        return Stop(
            Halt.FAILED,
            f"the preview function {name} could not be deleted: {err}; the next preview takes it over",
        )
    return None
