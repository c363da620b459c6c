"""The benchmark's report: a run of the matrix rewrites what it measured and keeps what people wrote."""

from __future__ import annotations

from bench.__main__ import with_by_hand


def test_a_benchmark_run_keeps_the_sections_written_by_hand() -> None:
    old = "# Benchmarks\nold figures\n\n## Measured by hand for this change\n### import\n2.47 s\n"
    new = with_by_hand("# Benchmarks\nnew figures\n", old)
    assert new.startswith("# Benchmarks\nnew figures\n") and new.endswith("### import\n2.47 s\n")
    assert with_by_hand("# Benchmarks\nnew\n", "# Benchmarks\nold\n") == "# Benchmarks\nnew\n"
