"""The middleware: every request counted, latency, the rate limit, injected and random faults, hooks."""

from __future__ import annotations

import time
from typing import Any

import pytest
from botocore.exceptions import ClientError, ConnectionClosedError, ReadTimeoutError

from emulator import Emulator, start
from tests.e2e.test_stores import loopback
from tests.emulator.helpers import CODE, client, create, error_of, etag, publish, update

__all__ = ["loopback"]  # the data API's host, <account>.127.0.0.1, resolved to loopback


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ("throttle", ("Throttling", 400)),
        ("500", ("InternalError", 500)),
        ("503", ("ServiceUnavailable", 503)),
    ],
)
def test_error_faults_answer_in_cloudfront_format(
    cf: Any, emu: Emulator, fault: str, expected: tuple[str, int]
) -> None:
    emu.inject("ListFunctions", fault)
    with pytest.raises(ClientError) as raised:
        cf.list_functions()
    assert error_of(raised) == expected
    cf.list_functions()  # used up after one request


def test_throttling_says_rate_exceeded(cf: Any, emu: Emulator) -> None:
    emu.inject("ListFunctions", "throttle")
    with pytest.raises(ClientError) as raised:
        cf.list_functions()
    assert raised.value.response["Error"] == {
        "Type": "Sender",
        "Code": "Throttling",
        "Message": "Rate exceeded",
    }


def test_reset_closes_the_connection_without_an_answer(cf: Any, emu: Emulator) -> None:
    emu.inject("ListFunctions", "reset")
    with pytest.raises(ConnectionClosedError):
        cf.list_functions()


def test_timeout_holds_the_request_past_the_read_timeout(emu: Emulator) -> None:
    emu.timeout_seconds = 0.6
    emu.inject("ListFunctions", "timeout")
    with pytest.raises(ReadTimeoutError):
        client(emu.url, read_timeout=0.2).list_functions()


def test_a_lost_response_applies_the_write_and_a_retry_meets_412(cf: Any, emu: Emulator) -> None:
    dev = create(cf, "a")
    emu.inject("UpdateFunction", "lost-response")
    new_code = b"function handler(e) { return e.request; } // new"
    with pytest.raises((ClientError, ConnectionClosedError)):
        update(cf, "a", new_code, if_match=dev)
    assert cf.get_function(Name="a", Stage="DEVELOPMENT")["FunctionCode"].read() == new_code
    with pytest.raises(ClientError) as raised:
        update(cf, "a", new_code, if_match=dev)
    assert error_of(raised) == ("PreconditionFailed", 412)


def test_a_lost_publish_is_applied(cf: Any, emu: Emulator) -> None:
    create(cf, "a")
    emu.inject("PublishFunction", "lost-response")
    with pytest.raises((ClientError, ConnectionClosedError)):
        publish(cf, "a")
    assert cf.get_function(Name="a", Stage="LIVE")["FunctionCode"].read() == CODE


def test_a_fault_can_aim_at_one_function(cf: Any, emu: Emulator) -> None:
    emu.inject("CreateFunction", "500", function="b")
    create(cf, "a")
    with pytest.raises(ClientError):
        create(cf, "b")
    create(cf, "b")  # the fault was used up, and the failed create left nothing behind
    emu.inject("DescribeFunction", "503", times=2, function="a")
    etag(cf, "b", "DEVELOPMENT")
    for _ in range(2):
        with pytest.raises(ClientError):
            etag(cf, "a", "DEVELOPMENT")
    etag(cf, "a", "DEVELOPMENT")


def outcomes(seed: int) -> list[bool]:
    emu = start(seed=seed)
    try:
        emu.fault_rate(0.5, faults=("500",))
        cf = client(emu.url)
        answered = []
        for _ in range(30):
            try:
                cf.list_functions()
                answered.append(True)
            except ClientError:
                answered.append(False)
        return answered
    finally:
        emu.stop()


def test_random_faults_follow_the_seed() -> None:
    first = outcomes(seed=7)
    assert first == outcomes(seed=7)
    assert True in first
    assert False in first
    assert first != outcomes(seed=8)


def test_latency_is_added_to_every_request(cf: Any, emu: Emulator) -> None:
    cf.list_functions()
    emu.latency = 0.15
    started = time.monotonic()
    cf.list_functions()
    assert time.monotonic() - started >= 0.15


def test_past_the_rate_limit_cloudfront_throttles(cf: Any, emu: Emulator) -> None:
    emu.rate_limit = 2.0
    codes = []
    for _ in range(6):
        try:
            cf.list_functions()
            codes.append("ok")
        except ClientError as err:
            codes.append(err.response["Error"]["Code"])
    assert "Throttling" in codes
    assert codes[0] == "ok"
    emu.rate_limit = None
    cf.list_functions()


def test_every_request_is_counted_by_operation_faulted_or_not(cf: Any, emu: Emulator) -> None:
    create(cf, "a")
    publish(cf, "a")
    emu.inject("ListFunctions", "reset")
    with pytest.raises(ConnectionClosedError):
        cf.list_functions()
    cf.list_distributions()
    assert emu.counts() == {
        "CreateFunction": 1,
        "DescribeFunction": 1,
        "PublishFunction": 1,
        "ListFunctions": 1,
        "ListDistributions": 1,
    }
    assert emu.writes() == 2
    emu.reset_counts()
    assert (emu.counts(), emu.writes()) == ({}, 0)


def test_test_function_is_not_a_write(cf: Any, emu: Emulator) -> None:
    dev = create(cf, "a")
    cf.test_function(Name="a", IfMatch=dev, Stage="DEVELOPMENT", EventObject=b'{"request": {}}')
    assert emu.writes() == 1


def test_seeding_is_not_counted(emu: Emulator) -> None:
    emu.seed_function("a", CODE, publish=True)
    emu.seed_distribution()
    assert emu.counts() == {}


def test_a_before_hook_runs_once_just_before_the_operation(cf: Any, emu: Emulator) -> None:
    create(cf, "a")
    observed = etag(cf, "a", "DEVELOPMENT")

    def concurrent_writer(server: Emulator) -> None:
        server.seed_function("a", b"function handler(e) { return e.request; } // theirs")

    emu.before("PublishFunction", concurrent_writer)
    with pytest.raises(ClientError) as raised:
        cf.publish_function(Name="a", IfMatch=observed)
    assert error_of(raised) == ("PreconditionFailed", 412)
    publish(cf, "a")  # the hook ran once
    assert cf.get_function(Name="a", Stage="LIVE")["FunctionCode"].read().endswith(b"// theirs")


def test_a_hook_may_call_the_emulator_over_http(cf: Any, emu: Emulator) -> None:
    create(cf, "a")
    emu.before("ListFunctions", lambda server: client(server.url).list_distributions())
    cf.list_functions()
    assert emu.counts()["ListDistributions"] == 1


def test_unknown_faults_are_refused(emu: Emulator) -> None:
    with pytest.raises(ValueError, match="unknown fault"):
        emu.inject("ListFunctions", "explode")


# --- The other APIs a run calls: each fault in its own protocol ---------------------------------


def _other_client(emu: Emulator, service: str, attempts: int) -> Any:
    import boto3
    from botocore.config import Config

    from tests.emulator.helpers import FAKE_CREDENTIALS

    config = Config(retries={"mode": "standard", "total_max_attempts": attempts}, read_timeout=5)
    return boto3.client(
        service, endpoint_url=emu.url, region_name="us-east-1", config=config, **FAKE_CREDENTIALS
    )


def _store_arn(emu: Emulator, cf: Any) -> str:
    return str(cf.create_key_value_store(Name="flags")["KeyValueStore"]["ARN"])


METRICS = {"MetricDataQueries": [], "StartTime": 0, "EndTime": 60}
CLOUDWATCH_FAULTS = [
    ("throttle", ("Throttling", 400)),
    ("500", ("InternalFailure", 500)),
    ("503", ("ServiceUnavailable", 503)),
]
KVS_FAULTS = [
    ("throttle", ("ThrottlingException", 429)),
    ("500", ("InternalServerException", 500)),
    ("503", ("ServiceUnavailableException", 503)),
]


@pytest.mark.parametrize(("fault", "expected"), CLOUDWATCH_FAULTS, ids=[f for f, _ in CLOUDWATCH_FAULTS])
def test_a_cloudwatch_fault_speaks_cloudwatchs_json_protocol(
    emu: Emulator, fault: str, expected: tuple[str, int]
) -> None:
    emu.inject("GetMetricData", fault)
    with pytest.raises(ClientError) as raised:
        _other_client(emu, "cloudwatch", 1).get_metric_data(**METRICS)
    assert error_of(raised) == expected
    assert raised.value.response["Error"]["Message"]


def test_a_throttled_cloudwatch_call_is_retried_by_the_sdk(emu: Emulator) -> None:
    emu.inject("GetMetricData", "throttle", times=2)
    _other_client(emu, "cloudwatch", 3).get_metric_data(**METRICS)
    assert emu.counts()["GetMetricData"] == 3


@pytest.mark.parametrize(("fault", "expected"), KVS_FAULTS, ids=[f for f, _ in KVS_FAULTS])
def test_a_store_data_fault_speaks_the_data_apis_json(
    cf: Any, emu: Emulator, loopback: None, fault: str, expected: tuple[str, int]
) -> None:
    arn = _store_arn(emu, cf)
    emu.inject("ListKeys", fault)
    with pytest.raises(ClientError) as raised:
        _other_client(emu, "cloudfront-keyvaluestore", 1).list_keys(KvsARN=arn)
    assert error_of(raised) == expected
    assert raised.value.response["Error"]["Message"]


def test_a_throttled_store_data_call_is_retried_by_the_sdk(cf: Any, emu: Emulator, loopback: None) -> None:
    arn = _store_arn(emu, cf)
    emu.inject("ListKeys", "throttle", times=2)
    _other_client(emu, "cloudfront-keyvaluestore", 3).list_keys(KvsARN=arn)
    assert emu.counts()["ListKeys"] == 3
