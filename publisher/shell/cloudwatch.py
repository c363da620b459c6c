"""CloudWatch, for the guard: the Sum of each CloudFront Functions metric of one function over a window.

CloudFront publishes these in us-east-1, namespace AWS/CloudFront, dimensions FunctionName and
Region=Global. One GetMetricData call reads the four raw sums in 1-minute periods; the rate and the
verdict are the core's (core/guard.py), so no metric math is asked of CloudWatch.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from publisher.core.errors import AwsError, SetupError
from publisher.core.guard import Sums

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
        try:
            self._client = _client(endpoint_url)
        except Exception as err:  # botocore's set-up errors share no base class worth naming
            raise SetupError(f"CloudWatch: the AWS set-up is not usable: {err}") from None

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
        from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

        extra = {"NextToken": token} if token else {}
        try:
            return self._client.get_metric_data(
                MetricDataQueries=queries, StartTime=start, EndTime=end, **extra
            )
        except NoCredentialsError:
            raise SetupError("no AWS credentials found for CloudWatch") from None
        except ClientError as err:
            error = err.response.get("Error", {})
            status = int(err.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
            raise AwsError(
                "GetMetricData", str(error.get("Code", "")), str(error.get("Message", "")), status
            ) from None
        except BotoCoreError as err:
            raise AwsError("GetMetricData", type(err).__name__, str(err)) from None


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


def _client(endpoint_url: str | None) -> Any:
    import boto3
    from botocore.config import Config

    config = Config(region_name="us-east-1", retries={"mode": "standard", "max_attempts": 5})
    return boto3.session.Session().client("cloudwatch", endpoint_url=endpoint_url, config=config)
