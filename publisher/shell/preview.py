"""Pull-request preview: test changed code in throwaway functions; shared functions are never touched.

Each throwaway function is deleted in a finally block, so a failed test, an AWS error or a cancelled
run (SIGTERM sets the stop event; it does not unwind) still removes it.
"""

from __future__ import annotations

import hashlib
import threading
from concurrent.futures import ThreadPoolExecutor

from publisher.core.errors import AwsError
from publisher.core.model import Stage
from publisher.core.outcome import Outcome
from publisher.core.plan import Action, FunctionPlan, Plan, Target
from publisher.core.result import Status
from publisher.shell.apply import Tester
from publisher.shell.aws import CloudFront

PREFIX_MARK = "-preview-"


def preview_name(function: str, run_id: str) -> str:
    """A name within the 64-character limit; a hash keeps two long names that share a prefix apart."""
    suffix = f"{PREFIX_MARK}{run_id}"[:24]
    name = f"{function}{suffix}"
    if len(name) <= 64:
        return name
    digest = hashlib.sha256(function.encode()).hexdigest()[:6]
    return f"{function[: 64 - len(suffix) - 7]}-{digest}{suffix}"


def preview(
    plan: Plan, cloudfront: CloudFront, tester: Tester | None, stop: threading.Event, run_id: str
) -> dict[str, Outcome]:
    # every changed function, tests or not: the service's own checks (size, runtime, store) run on create
    changed = [fp for fp in plan.functions if fp.target and _code_changes(fp)]
    if not changed or tester is None:
        return {}
    with ThreadPoolExecutor(len(changed)) as pool:
        outcomes = pool.map(lambda fp: _try(fp, cloudfront, tester, stop, run_id), changed)
        return {fp.name: outcome for fp, outcome in zip(changed, outcomes, strict=True)}


def _code_changes(fp: FunctionPlan) -> bool:
    return fp.write(Action.CREATE) is not None or fp.write(Action.UPDATE) is not None


def _try(
    fp: FunctionPlan, cloudfront: CloudFront, tester: Tester, stop: threading.Event, run_id: str
) -> Outcome:
    outcome = Outcome()
    if stop.is_set():
        outcome.status, outcome.error = Status.FAILED, "the run was cancelled before the preview"
        return outcome
    target: Target = fp.target  # type: ignore[assignment]  # filtered on above
    name = preview_name(fp.name, run_id)
    etag = ""
    try:
        etag = cloudfront.create_function(name, target.code, target.config)
        outcome.tests = tester(fp, etag, name)
    except AwsError as err:
        outcome.status, outcome.error = Status.FAILED, f"preview function {name}: {err}"
    finally:
        _delete(cloudfront, name, etag, outcome)
    failed = [t.name for t in outcome.tests if not t.passed]
    if failed and outcome.status is None:
        outcome.status = Status.BLOCKED
        outcome.error = (
            f"{len(failed)} of {len(outcome.tests)} tests failed in the preview ({', '.join(failed)})"
        )
    return outcome


def _delete(cloudfront: CloudFront, name: str, etag: str, outcome: Outcome) -> None:
    if not etag:  # never created
        return
    try:
        fresh = cloudfront.describe_function(name, Stage.DEVELOPMENT)
        cloudfront.delete_function(name, fresh.etag if fresh else etag)
    except AwsError as err:
        outcome.status = Status.FAILED
        outcome.error = f"the preview function {name} could not be deleted: {err}; delete it by hand"
