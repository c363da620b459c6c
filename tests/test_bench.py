"""The benchmark's report: a run of the matrix rewrites what it measured and keeps what people wrote."""

from __future__ import annotations

from pathlib import Path

from bench import floor
from bench.__main__ import with_by_hand
from bench.contenders import BOTO3, CLI, PUBLISH
from bench.harness import Outcome
from bench.machine import Image
from bench.measure import Run
from bench.scenario import Scenario, write_workspace
from bench.targets import speed_verdicts


def test_a_benchmark_run_keeps_the_sections_written_by_hand() -> None:
    old = "# Benchmarks\nold figures\n\n## Measured by hand for this change\n### import\n2.47 s\n"
    new = with_by_hand("# Benchmarks\nnew figures\n", old)
    assert new.startswith("# Benchmarks\nnew figures\n") and new.endswith("### import\n2.47 s\n")
    assert with_by_hand("# Benchmarks\nnew\n", "# Benchmarks\nold\n") == "# Benchmarks\nnew\n"


def test_the_floor_of_a_run_with_associations_counts_one_read_and_one_write_per_distribution(
    tmp_path: Path,
) -> None:
    plain, attached = Scenario(n=20, changed_pct=100, d=5), Scenario(n=20, changed_pct=100, d=5, attach_d=5)
    assert floor.calls(attached, True) - floor.calls(plain, True) == 10
    assert floor.calls(attached, False) - floor.calls(plain, False) == 5
    # the configs after the scan, the writes after the publishes: one round trip more than a publish
    assert floor.round_trips(attached, True) == floor.round_trips(plain, True) + 1
    waves = floor.read_waves(plain)
    assert floor.round_trips(Scenario(n=20, changed_pct=0, d=5, attach_d=5), True) == waves + 1
    assert attached.attached_to(13) == ("EATTACH003", "/a2/*") and len(attached.attach_paths) == 4
    written = (write_workspace(attached, tmp_path) / "cloudfront-functions.yml").read_text()
    assert "{distribution: EATTACH003, path: '/a2/*', event: viewer-request}" in written


def _run(wall: float, first: float | None = None) -> Run:
    return Run(wall=wall, first_request=first, peak_mb=None, calls={}, writes=0, throttled=0, exit_code=0)


def test_issue_24s_targets_read_the_small_account_and_both_start_ups() -> None:
    small = Outcome(Scenario(n=10, changed_pct=10, d=10), floor.Service(page=0.0, read=0.0, write=0.0))
    small.runs = {
        PUBLISH.key: [_run(0.6, first=0.28), _run(0.7, first=0.35), _run(0.8, first=0.4)],
        BOTO3.key: [_run(1.5)],
        CLI.key: [_run(21.0)],
    }
    found = {v.target: v for v in speed_verdicts([small], Image(first_call=0.29))}
    boto3 = found["N=10, K=10%, D=10: ≥2.5x faster than the sequential boto3 loop"]
    assert (boto3.figure, boto3.met) == ("1.50 s ÷ 0.70 s = 2.1x", False)
    assert found["N=10, K=10%, D=10: ≥30x faster than the AWS CLI loop (the peers)"].met is True
    assert found["N=50, K=10%, D=1,000: ≥50x faster than the AWS CLI loop (the peers)"].met is None
    image = found["start to the first API call under 0.3 s: the Action's image, 10 functions"]
    venv = found["start to the first API call under 0.3 s: the command line in this venv (N=10, K=10%, D=10)"]
    assert (image.figure, image.met) == ("median 0.290 s", True)
    assert (venv.figure, venv.met) == ("median 0.35 s", False)
    unmeasured = speed_verdicts([small], Image(why_not="no podman"))
    assert [v.met for v in unmeasured if "image" in v.target] == [None]
