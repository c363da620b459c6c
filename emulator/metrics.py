"""CloudWatch for the CloudFront Functions metrics: moto's CloudWatch, one per emulator, and a way to
make a function look as it does at the edge.

CloudFront publishes each function's metrics in us-east-1 under `AWS/CloudFront`, with the dimensions
`FunctionName` and `Region=Global` (Developer Guide, "Types of metrics for CloudFront"). The emulator
runs no viewer traffic, so `record` writes the data points a minute of traffic would have left;
GetMetricData then answers them as CloudWatch does, summed per period. moto's backends are
process-wide; each emulator keeps its own so that two emulators never share data points.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from moto.cloudwatch.models import CloudWatchBackend
from moto.cloudwatch.responses import CloudWatchResponse
from moto.core.common_types import TYPE_RESPONSE
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.core.utils import convert_to_flask_response
from moto.moto_server.werkzeug_app import BackendRequest

NAMESPACE = "AWS/CloudFront"
METRICS_REGION = "us-east-1"  # the only region CloudFront's metrics are read from
COUNTS = {  # keyword of `record` -> metric name; each is a count per minute, read with Sum
    "invocations": "FunctionInvocations",
    "execution_errors": "FunctionExecutionErrors",
    "validation_errors": "FunctionValidationErrors",
    "throttles": "FunctionThrottles",
}
COMPUTE_UTILIZATION = "FunctionComputeUtilization"  # a percentage, read with Average


def dimensions(function: str) -> list[dict[str, str]]:
    return [{"Name": "FunctionName", "Value": function}, {"Name": "Region", "Value": "Global"}]


def round_start(start: datetime, now: datetime) -> datetime:
    """StartTime as CloudWatch rounds it (API reference, GetMetricData): down to the minute if less
    than 15 days ago, to 5 minutes if less than 63, else to the hour."""
    age = now - start
    step = 60 if age < timedelta(days=15) else 300 if age < timedelta(days=63) else 3600
    seconds = start.minute * 60 + start.second
    return start.replace(minute=0, second=0, microsecond=0) + timedelta(seconds=seconds - seconds % step)


class EmulatorCloudWatchBackend(CloudWatchBackend):
    def get_metric_data(
        self,
        queries: list[dict[str, Any]],
        start_time: datetime,
        end_time: datetime,
        scan_by: str = "TimestampAscending",
    ) -> list[dict[str, Any]]:
        """moto's, with periods counted from the rounded StartTime, so they fall on whole minutes."""
        now = datetime.now(start_time.tzinfo)
        return super().get_metric_data(queries, round_start(start_time, now), end_time, scan_by)


class CloudWatch:
    """This emulator's CloudWatch: a backend per region, behind its own lock."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._backends: dict[str, EmulatorCloudWatchBackend] = {}

    def backend(self, region: str) -> EmulatorCloudWatchBackend:
        with self.lock:
            if region not in self._backends:
                self._backends[region] = EmulatorCloudWatchBackend(region, DEFAULT_ACCOUNT_ID)
            return self._backends[region]

    def record(
        self, function: str, counts: dict[str, int], compute_utilization: float | None, at: datetime
    ) -> None:
        """Data points for `function` at the start of `at`'s minute, as CloudFront would publish them."""
        minute = at.astimezone(UTC).replace(second=0, microsecond=0, tzinfo=None)
        data = [
            {"MetricName": COUNTS[key], "Value": float(value), "Unit": "Count"}
            for key, value in counts.items()
        ]
        if compute_utilization is not None:
            data.append({"MetricName": COMPUTE_UTILIZATION, "Value": compute_utilization, "Unit": "Percent"})
        for datum in data:
            datum.update({"Dimensions": dimensions(function), "Timestamp": minute})
        with self.lock:
            self.backend(METRICS_REGION).put_metric_data(NAMESPACE, data)


class EmulatorCloudWatchResponse(CloudWatchResponse):
    def __init__(self, cloudwatch: CloudWatch) -> None:
        super().__init__()
        self.cloudwatch = cloudwatch

    @property
    def cloudwatch_backend(self) -> EmulatorCloudWatchBackend:
        return self.cloudwatch.backend(self.region)

    def call_action(self) -> TYPE_RESPONSE:
        with self.cloudwatch.lock:
            return super().call_action()


def cloudwatch_app(cloudwatch: CloudWatch) -> Flask:
    """Every path: botocore's JSON protocol and the query protocol post to `/`; RPC v2 has a path."""

    def dispatch(request: Any, full_url: str, headers: Any) -> Any:
        return EmulatorCloudWatchResponse(cloudwatch)._dispatch(request, full_url, headers)

    methods = ["GET", "POST"]
    app = Flask("emulator-cloudwatch")
    app.request_class = BackendRequest
    view = convert_to_flask_response(dispatch)
    app.add_url_rule("/", "root", view, methods=methods)
    app.add_url_rule("/<path:path>", "cloudwatch", view, methods=methods, strict_slashes=False)
    return app
