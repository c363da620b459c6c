"""The guard's decision over numbers: a row per case."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from publisher.core.guard import Sums, Verdict, error_rate, guarded, judge, poll_offsets, watched, window
from publisher.core.modes import Mode
from publisher.core.result import (
    AssociationChange,
    DistributionResult,
    FunctionResult,
    GuardReport,
    Result,
    Status,
)


@pytest.mark.parametrize(
    ("sums", "limit", "verdict"),
    [
        (Sums(), 1, Verdict.NOT_JUDGED),  # no traffic, or in no distribution
        (Sums(0, execution_errors=5), 1, Verdict.NOT_JUDGED),  # errors without invocations: no rate
        (Sums(1000), 1, Verdict.KEEP),
        (Sums(1000, execution_errors=10), 1, Verdict.KEEP),  # exactly at the limit is within it
        (Sums(1000, execution_errors=11), 1, Verdict.ROLL_BACK),
        (Sums(1000, validation_errors=6, throttles=5), 1, Verdict.ROLL_BACK),  # every kind counts
        (Sums(1000, throttles=11), 1, Verdict.ROLL_BACK),
        (Sums(10, execution_errors=10), 100, Verdict.KEEP),  # 100%: never rolls back
        (Sums(1000, execution_errors=1), 0, Verdict.ROLL_BACK),  # 0%: any error rolls back
        (Sums(1000), 0, Verdict.KEEP),
    ],
)
def test_judge(sums: Sums, limit: float, verdict: Verdict) -> None:
    assert judge(sums, limit) is verdict


def test_the_rate_is_errors_per_invocation_in_percent() -> None:
    assert error_rate(Sums(200, 1, 2, 1)) == 2.0
    assert error_rate(Sums()) is None


@pytest.mark.parametrize(
    ("window", "offsets"),
    [
        (0, []),
        (30, [30]),  # under a minute: once, at its end
        (60, [60]),
        (90, [60, 90]),  # every minute, and once more at the end
        (180, [60, 120, 180]),
        (181, [60, 120, 180, 181]),
    ],
)
def test_the_watch_reads_every_minute_and_at_the_end(window: float, offsets: list[float]) -> None:
    assert poll_offsets(window) == offsets
    assert poll_offsets(window / 60, minute=1) == [o / 60 for o in offsets]


@pytest.mark.parametrize(
    ("deployed", "start"),
    [
        (datetime(2026, 12, 7, 12, 0, 0, tzinfo=UTC), datetime(2026, 12, 7, 12, 0, tzinfo=UTC)),
        (datetime(2026, 12, 7, 12, 0, 0, 1, tzinfo=UTC), datetime(2026, 12, 7, 12, 1, tzinfo=UTC)),
        (datetime(2026, 12, 7, 12, 59, 59, tzinfo=UTC), datetime(2026, 12, 7, 13, 0, tzinfo=UTC)),
    ],
)
def test_the_window_opens_on_the_first_whole_minute_after_the_deploy(
    deployed: datetime, start: datetime
) -> None:
    assert window(deployed, 5) == (start, start + timedelta(minutes=5))


def attach(function: str) -> AssociationChange:
    return AssociationChange(
        distribution="E1", behaviour="default", event="viewer-request", function=function, action="attach"
    )


def written(*changes: AssociationChange) -> DistributionResult:
    return DistributionResult(
        name="E1", status=Status.UPDATED, actions=["attach"], done=["attach"], changes=list(changes)
    )


def test_the_guard_watches_what_a_run_published_and_what_it_attached() -> None:
    result = Result(
        mode=Mode.PUBLISH,
        functions=[
            FunctionResult(name="p", status=Status.PUBLISHED, actions=["publish"], done=["publish"]),
            FunctionResult(name="t", status=Status.UNCHANGED, actions=[]),
            FunctionResult(name="q", status=Status.UNCHANGED, actions=[]),
        ],
        associations=[written(attach("t"), attach("p"))],
    )
    assert watched(result) == ["p", "t"]


def test_an_attached_function_is_rolled_back_once_its_distributions_are_set_back() -> None:
    fn = FunctionResult(name="t", status=Status.UNCHANGED, actions=[])
    result = Result(mode=Mode.PUBLISH, functions=[fn], associations=[written(attach("t"))])
    report = GuardReport(watch_minutes=1, max_error_rate=1, functions=[])
    restore = DistributionResult(name="E1", status=Status.UPDATED, actions=["detach"], done=["detach"])
    done = guarded(result, report, {}, {"E1": restore}, {"t"})
    assert done.functions[0].status is Status.ROLLED_BACK and "detached from E1" in done.functions[0].reason
    assert done.associations[0].status is Status.ROLLED_BACK
    assert done.associations[0].done == ["attach", "rollback detach"]
    theirs = restore.model_copy(update={"status": Status.CONFLICT, "error": "someone else put x there"})
    stopped = guarded(result, report, {}, {"E1": theirs}, {"t"})
    assert stopped.functions[0].status is Status.CONFLICT and stopped.exit_code == 1
    assert stopped.associations[0].error == "someone else put x there"
