"""The wait for the edge, on a fake clock: seen-then-deployed, the grace period, the timeout, progress."""

from __future__ import annotations

from collections.abc import Iterator

from publisher.core.deployment import Rollout
from publisher.core.port import CloudFront
from publisher.shell.wait import wait_for_deployment


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


class Distributions:
    """Scripted GetDistribution answers per Id, the last one repeating."""

    def __init__(self, script: dict[str, list[tuple[str, str]]]) -> None:
        self.answers: dict[str, Iterator[tuple[str, str]]] = {k: iter(v) for k, v in script.items()}
        self.last: dict[str, tuple[str, str]] = {}
        self.calls = 0

    def get_distribution(self, dist_id: str) -> tuple[str, str]:
        self.calls += 1
        self.last[dist_id] = next(self.answers[dist_id], self.last.get(dist_id, ("Deployed", "?")))
        return self.last[dist_id]


def run(script: dict[str, list[tuple[str, str]]], timeout: float) -> tuple[Rollout, list[str], Clock]:
    clock, lines = Clock(), list[str]()
    fake = Distributions(script)
    watch = wait_for_deployment(
        fake,  # type: ignore[arg-type]  # only get_distribution is used
        dict.fromkeys(script, "E0"),
        timeout,
        lines.append,
        grace=30,
        first_delay=2,
        clock=clock,
        sleep=clock.sleep,
    )
    return watch, lines, clock


def test_a_redeploy_counts_once_it_was_seen_and_is_deployed_again() -> None:
    watch, lines, _ = run(
        {
            "A": [("Deployed", "E0"), ("InProgress", "E1"), ("InProgress", "E1"), ("Deployed", "E1")],
            "B": [("InProgress", "E1"), ("Deployed", "E1")],
        },
        timeout=600,
    )
    assert watch.deployed == {"A", "B"}
    assert watch.pending == []
    assert lines[-1].startswith("2 of 2 distributions deployed after")


def test_a_changed_etag_alone_shows_the_redeploy_happened() -> None:
    watch, _, clock = run({"A": [("Deployed", "E9")]}, timeout=600)
    assert watch.deployed == {"A"}
    assert clock.now == 0  # done on the first poll: no sleep


def test_no_redeploy_seen_within_the_grace_period_counts_as_deployed_after_it() -> None:
    watch, _, clock = run({"A": [("Deployed", "E0")]}, timeout=600)
    assert watch.deployed == {"A"}
    assert 30 <= clock.now < 60


def test_the_timeout_ends_the_wait_naming_what_is_still_in_progress() -> None:
    watch, lines, clock = run(
        {"A": [("InProgress", "E1")], "B": [("InProgress", "E1"), ("Deployed", "E1")]}, timeout=120
    )
    assert watch.pending == ["A"]
    assert watch.deployed == {"B"}
    assert clock.now == 120
    assert all("distributions deployed after" in line for line in lines)
    assert len(lines) < 20  # backoff: not a poll a second


def test_cloudfront_has_the_call_the_wait_uses() -> None:
    assert callable(CloudFront.get_distribution)
