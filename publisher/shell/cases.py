"""Run a function's test cases (the manifest's `tests:`) with TestFunction, all at once, before it may publish."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from publisher.core.errors import AwsError
from publisher.core.expect import judge
from publisher.core.manifest import TestCase, event_bytes
from publisher.core.model import Stage
from publisher.core.modes import Kind
from publisher.core.plan import FunctionPlan
from publisher.core.port import CloudFront
from publisher.core.result import TestReport


class CaseRunner:
    def __init__(self, cloudfront: CloudFront, max_concurrency: int) -> None:
        self.cloudfront, self.max_concurrency = cloudfront, max_concurrency

    def __call__(self, fp: FunctionPlan, etag: str, name: str | None = None) -> list[TestReport]:
        """Tests fp's cases on the function `name` (default: fp's own address; a connection function's
        Id), at the DEVELOPMENT ETag given: TestFunction or TestConnectionFunction, by fp's kind."""
        tests = fp.spec.tests
        if not tests:
            return []
        with ThreadPoolExecutor(min(len(tests), self.max_concurrency)) as pool:
            return list(pool.map(lambda t: self._one(fp.kind, name or fp.address, etag, t), tests))

    def _one(self, kind: Kind, name: str, etag: str, test: TestCase) -> TestReport:
        event = event_bytes(test.event if isinstance(test.event, dict) else {})
        try:
            run = self.cloudfront.test_function(name, Stage.DEVELOPMENT, etag, event, kind=kind)
        except AwsError as err:
            return TestReport(name=test.name, passed=False, utilization=0, error=str(err))
        error, diff = judge(test, run.error, run.output, run.logs)
        if not error and run.utilization > test.max_compute_utilization:
            error = (
                f"compute utilization {run.utilization} is over the limit of {test.max_compute_utilization}"
            )
        return TestReport(
            name=test.name,
            passed=not (error or diff),
            utilization=run.utilization,
            error=error,
            logs=list(run.logs),
            mismatch=diff,
        )
