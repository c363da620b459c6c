"""CloudWatch answers the CloudFront Functions metrics a test records, summed per minute, over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from emulator import Emulator, start
from emulator.metrics import round_start
from tests.emulator.helpers import FAKE_CREDENTIALS

MINUTE = timedelta(minutes=1)


def cloudwatch(emu: Emulator, region: str = "us-east-1") -> Any:
    return boto3.client("cloudwatch", endpoint_url=emu.url, region_name=region, **FAKE_CREDENTIALS)


def query(ident: str, function: str, metric: str, stat: str = "Sum") -> dict[str, Any]:
    dimensions = [{"Name": "FunctionName", "Value": function}, {"Name": "Region", "Value": "Global"}]
    metric_spec = {"Namespace": "AWS/CloudFront", "MetricName": metric, "Dimensions": dimensions}
    return {"Id": ident, "MetricStat": {"Metric": metric_spec, "Period": 60, "Stat": stat}}


def series(answer: dict[str, Any]) -> dict[str, list[tuple[datetime, float]]]:
    """Id -> (timestamp in UTC, value), oldest first."""
    return {
        result["Id"]: sorted(
            (stamp.astimezone(UTC), value)
            for stamp, value in zip(result["Timestamps"], result["Values"], strict=True)
        )
        for result in answer["MetricDataResults"]
    }


@pytest.fixture
def minute() -> datetime:
    """The start of a whole minute a few minutes ago, so no test races the clock."""
    return datetime.now(UTC).replace(second=0, microsecond=0) - 5 * MINUTE


def test_recorded_failures_come_back_summed_per_minute(emu: Emulator, minute: datetime) -> None:
    emu.record_function_metrics("a", invocations=100, execution_errors=7, at=minute)
    emu.record_function_metrics(
        "a", invocations=20, execution_errors=1, at=minute + 30 * timedelta(seconds=1)
    )
    emu.record_function_metrics("a", invocations=50, validation_errors=2, throttles=3, at=minute + 2 * MINUTE)
    emu.record_function_metrics("b", invocations=999, execution_errors=999, at=minute)
    answer = cloudwatch(emu).get_metric_data(
        MetricDataQueries=[
            query("inv", "a", "FunctionInvocations"),
            query("exe", "a", "FunctionExecutionErrors"),
            query("val", "a", "FunctionValidationErrors"),
            query("thr", "a", "FunctionThrottles"),
        ],
        StartTime=minute - MINUTE + timedelta(seconds=25),  # CloudWatch rounds it down to the minute
        EndTime=minute + 4 * MINUTE,
    )
    got = series(answer)
    assert got["inv"] == [(minute, 120.0), (minute + 2 * MINUTE, 50.0)]
    assert got["exe"] == [(minute, 8.0), (minute + 2 * MINUTE, 0.0)]  # zeros are data points too
    assert got["val"] == [(minute, 0.0), (minute + 2 * MINUTE, 2.0)]
    assert got["thr"] == [(minute, 0.0), (minute + 2 * MINUTE, 3.0)]
    assert {r["StatusCode"] for r in answer["MetricDataResults"]} == {"Complete"}


def test_compute_utilization_is_an_average(emu: Emulator, minute: datetime) -> None:
    emu.record_function_metrics("a", invocations=1, compute_utilization=30.0, at=minute)
    emu.record_function_metrics("a", invocations=1, compute_utilization=50.0, at=minute)
    answer = cloudwatch(emu).get_metric_data(
        MetricDataQueries=[query("cpu", "a", "FunctionComputeUtilization", "Average")],
        StartTime=minute,
        EndTime=minute + MINUTE,
    )
    assert series(answer)["cpu"] == [(minute, 40.0)]


def test_the_metrics_live_in_us_east_1_of_this_emulator_only(emu: Emulator, minute: datetime) -> None:
    emu.record_function_metrics("a", invocations=5, at=minute)
    window = {"StartTime": minute, "EndTime": minute + MINUTE}
    elsewhere = cloudwatch(emu, "eu-west-1").get_metric_data(
        MetricDataQueries=[query("inv", "a", "FunctionInvocations")], **window
    )
    assert series(elsewhere)["inv"] == []
    other = start()
    try:
        answer = cloudwatch(other).get_metric_data(
            MetricDataQueries=[query("inv", "a", "FunctionInvocations")], **window
        )
        assert series(answer)["inv"] == []
    finally:
        other.stop()


def test_put_metric_data_over_http_lands_in_the_same_series(emu: Emulator, minute: datetime) -> None:
    emu.record_function_metrics("a", invocations=5, at=minute)
    client = cloudwatch(emu)
    dimensions = query("x", "a", "FunctionInvocations")["MetricStat"]["Metric"]["Dimensions"]
    datum = {"MetricName": "FunctionInvocations", "Value": 2, "Dimensions": dimensions, "Timestamp": minute}
    client.put_metric_data(Namespace="AWS/CloudFront", MetricData=[datum])
    answer = client.get_metric_data(
        MetricDataQueries=[query("inv", "a", "FunctionInvocations")],
        StartTime=minute,
        EndTime=minute + MINUTE,
    )
    assert series(answer)["inv"] == [(minute, 7.0)]
    assert emu.counts() == {"PutMetricData": 1, "GetMetricData": 1}
    assert emu.writes() == 1


@pytest.mark.parametrize(
    ("age", "expected"),
    [
        (timedelta(hours=1), "12:32:00"),
        (timedelta(days=20), "12:30:00"),
        (timedelta(days=70), "12:00:00"),
    ],
)
def test_start_time_is_rounded_as_the_api_reference_says(age: timedelta, expected: str) -> None:
    start_time = datetime(2025, 1, 1, 12, 32, 34, tzinfo=UTC)
    assert round_start(start_time, start_time + age).strftime("%H:%M:%S") == expected
