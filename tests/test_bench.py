"""The benchmark's report: a run of the matrix rewrites what it measured and keeps what people wrote."""

from __future__ import annotations

from pathlib import Path

from bench import floor
from bench.__main__ import with_by_hand
from bench.scenario import Scenario, write_workspace


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
