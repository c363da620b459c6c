"""The middleware: every request counted, latency, the rate limit, injected and random faults, hooks."""

from __future__ import annotations

import time
from typing import Any

import pytest
from botocore.exceptions import ClientError, ConnectionClosedError, ReadTimeoutError

from emulator import Emulator, start
from tests.emulator.helpers import CODE, client, create, error_of, etag, publish, update


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
