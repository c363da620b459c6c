"""Runs a scenario: lays out the account, calibrates, then every contender side by side, fresh each time."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import boto3

from bench import floor
from bench.contenders import CLI, PUBLISH, Contender, environment
from bench.measure import Run, Tap, median, run
from bench.scenario import Layout, Scenario, write_workspace
from emulator import start


@dataclass
class Outcome:
    scenario: Scenario
    service: floor.Service
    runs: dict[str, list[Run]] = field(default_factory=dict)
    rerun: Run | None = None  # publish right after a publish: nothing left to do
    busy_before: float | None = None  # the share of CPU other work used just before the scenario

    def median(self, key: str, value: Callable[[Run], float | None]) -> float | None:
        return median(self.runs.get(key, []), value)

    @property
    def startup(self) -> float:
        return self.median(PUBLISH.key, lambda r: r.first_request) or 0.0

    def floor_time(self, contender: Contender) -> float:
        trips = floor.round_trips(self.scenario, contender.writes)
        return max(self.startup + trips * self.scenario.latency, self._rate_bound(contender))

    def floor_time_with_service(self, contender: Contender) -> float:
        path = self.service.critical_path(self.scenario, contender.writes, self.scenario.latency)
        return max(self.startup + path, self._rate_bound(contender))

    def _rate_bound(self, contender: Contender) -> float:
        """Under a rate limit no run is faster than its calls ÷ the rate."""
        rate = self.scenario.rate_limit
        return floor.calls(self.scenario, contender.writes) / rate if rate else 0.0


def measure_scenario(
    scenario: Scenario,
    contenders: Sequence[Contender],
    *,
    reps: int,
    cli_reps: int,
    work: Path,
    say: Callable[[str], None],
) -> Outcome:
    emulator = start(latency=0.0)
    try:
        layout = Layout(scenario, emulator)
        layout.seed()
        client = boto3.client(
            "cloudfront",
            endpoint_url=emulator.url,
            region_name="us-east-1",
            aws_access_key_id="bench",
            aws_secret_access_key="bench",
        )
        service = floor.calibrate(client, scenario.name(0))
        tap = Tap(emulator)
        emulator.latency = scenario.latency
        workspace = write_workspace(scenario, work)
        env = environment(workspace)
        outcome = Outcome(scenario, service)

        def once(contender: Contender) -> Run:
            layout.reset()
            emulator.rate_limit = scenario.rate_limit  # a full bucket for each run
            argv = contender.argv(emulator.url, workspace)
            done = run(argv, workspace, env, tap, workspace / f"{contender.key}.log")
            peak = f"{done.peak_mb:5.0f} MB" if done.peak_mb is not None else "memory not measured"
            say(
                f"  {contender.key:8} {done.wall:7.2f} s  {done.total:5} calls  {peak}  exit {done.exit_code}"
            )
            return done

        for contender in _schedule(scenario, contenders, reps, cli_reps):
            outcome.runs.setdefault(contender.key, []).append(once(contender))
        if scenario.rate_limit is None and PUBLISH in contenders:
            once(PUBLISH)  # then once more, on the state it left: nothing to do
            argv = PUBLISH.argv(emulator.url, workspace)
            outcome.rerun = run(argv, workspace, env, tap, workspace / "rerun.log")
        return outcome
    finally:
        emulator.stop()


def _schedule(
    scenario: Scenario, contenders: Sequence[Contender], reps: int, cli_reps: int
) -> list[Contender]:
    """Interleaved by repetition, so a drift of the machine touches every contender alike. Under a
    rate limit only publish runs, once: the target is about this project's run."""
    if scenario.rate_limit is not None:
        return [PUBLISH] if PUBLISH in contenders else []
    order = [c for c in contenders if c is not CLI or scenario.peers]
    return [c for i in range(max(reps, cli_reps)) for c in order if i < (cli_reps if c is CLI else reps)]
