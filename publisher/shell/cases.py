"""Run a function's test cases (the manifest's `tests:`) with TestFunction, all at once, before it may publish."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from publisher.core.errors import AwsError
from publisher.core.expect import mismatch
from publisher.core.manifest import TestCase, event_bytes
from publisher.core.model import Stage
from publisher.core.plan import FunctionPlan
from publisher.core.port import CloudFront
from publisher.core.result import TestReport


class CaseRunner:
    def __init__(self, cloudfront: CloudFront, max_concurrency: int) -> None:
        self.cloudfront, self.max_concurrency = cloudfront, max_concurrency

    def __call__(self, fp: FunctionPlan, etag: str, name: str | None = None) -> list[TestReport]:
        """Tests fp's cases on the function `name` (default: fp's own), at the DEVELOPMENT ETag given."""
        tests = fp.spec.tests
        if not tests:
            return []
        with ThreadPoolExecutor(min(len(tests), self.max_concurrency)) as pool:
            return list(pool.map(lambda t: self._one(name or fp.name, etag, t), tests))

    def _one(self, name: str, etag: str, test: TestCase) -> TestReport:
        try:
            run = self.cloudfront.test_function(
                name, Stage.DEVELOPMENT, etag, event_bytes(test.event if isinstance(test.event, dict) else {})
            )
        except AwsError as err:
            return TestReport(name=test.name, passed=False, utilization=0, error=str(err))
        diff = "" if run.error else mismatch(test.expect, run.output)
        over = run.utilization > test.max_compute_utilization
        error = run.error or (
            f"compute utilization {run.utilization} is over the limit of {test.max_compute_utilization}"
            if over
            else ""
        )
        return TestReport(
            name=test.name,
            passed=not (error or diff),
            utilization=run.utilization,
            error=error or ("the output does not match the expectation" if diff else ""),
            logs=list(run.logs),
            mismatch=diff,
        )
