"""CloudWatch, for the guard: the Sum of each CloudFront Functions metric of one function over a window.

CloudFront publishes these in us-east-1, namespace AWS/CloudFront, dimensions FunctionName and
Region=Global. One GetMetricData call reads the four raw sums in 1-minute periods; the rate and the
verdict are the core's (core/guard.py), so no metric math is asked of CloudWatch.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from publisher.core.guard import Sums
from publisher.shell.aws import sdk_call, sdk_client

NAMESPACE = "AWS/CloudFront"
METRICS = {  # the field of Sums -> the metric's name
    "invocations": "FunctionInvocations",
    "execution_errors": "FunctionExecutionErrors",
    "validation_errors": "FunctionValidationErrors",
    "throttles": "FunctionThrottles",
}
PERIOD = 60


class AwsCloudWatch:
    """Its own client in us-east-1, on the same endpoint setting as CloudFront (the emulator serves both)."""

    def __init__(self, endpoint_url: str | None = None) -> None:
        self._client = sdk_client("cloudwatch", endpoint_url)

    def sums(self, function: str, start: datetime, end: datetime) -> Sums:
        queries = [_query(key, metric, function) for key, metric in METRICS.items()]
        totals = dict.fromkeys(METRICS, 0.0)
        token = ""
        while True:
            page = self._call(queries, start, end, token)
            for series in page.get("MetricDataResults", []):
                totals[series["Id"]] += sum(float(v) for v in series.get("Values", []))
            token = page.get("NextToken", "")
            if not token:
                return Sums(**totals)

    def _call(self, queries: list[dict[str, Any]], start: datetime, end: datetime, token: str) -> Any:
        extra = {"NextToken": token} if token else {}
        return sdk_call(
            self._client,
            "GetMetricData",
            {},
            MetricDataQueries=queries,
            StartTime=start,
            EndTime=end,
            **extra,
        )


def _query(key: str, metric: str, function: str) -> dict[str, Any]:
    dimensions = [{"Name": "FunctionName", "Value": function}, {"Name": "Region", "Value": "Global"}]
    return {
        "Id": key,
        "MetricStat": {
            "Metric": {"Namespace": NAMESPACE, "MetricName": metric, "Dimensions": dimensions},
            "Period": PERIOD,
            "Stat": "Sum",
        },
        "ReturnData": True,
    }
