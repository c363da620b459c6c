"""Which scenarios run: each axis swept around the target scenario, plus the targets' own scenarios.

The AWS CLI loop neither diffs nor scans distributions, so its calls depend on N alone: it runs on
the N axis (D = 1,000, K = 10 %) and its figures stand for every scenario with the same N.
"""

from __future__ import annotations

from collections.abc import Sequence

from bench.harness import Outcome
from bench.scenario import Scenario

TARGET = Scenario(n=50, changed_pct=10, d=1000)
MEMORY = Scenario(n=100, changed_pct=10, d=5000, peers=False)
THROTTLED = Scenario(n=100, changed_pct=100, d=10, rate_limit=10.0, peers=False)
SMALL = Scenario(n=10, changed_pct=10, d=10)  # issue 24: a small account, where start-up weighs most
# issue 21: 20 functions attached across 5 distributions, published with it and already LIVE; and the
# same publish with no associations, the baseline the attach is measured against
ATTACH = [
    Scenario(n=20, changed_pct=100, d=5, peers=False),
    *(Scenario(n=20, changed_pct=k, d=5, peers=False, attach_d=5) for k in (100, 0)),
]


def full() -> list[Scenario]:
    n_axis = [Scenario(n=n, changed_pct=10, d=1000) for n in (1, 10, 50, 100)]
    k_axis = [Scenario(n=50, changed_pct=k, d=1000, peers=False) for k in (0, 100)]
    d_axis = [Scenario(n=50, changed_pct=10, d=d, peers=False) for d in (10, 5000)]
    return [*n_axis, *k_axis, *d_axis, SMALL, MEMORY, THROTTLED, *ATTACH]


def quick() -> list[Scenario]:
    return [
        Scenario(n=1, changed_pct=100, d=10),
        SMALL,
        Scenario(n=10, changed_pct=100, d=300, peers=False),
        Scenario(n=20, changed_pct=100, d=10, rate_limit=10.0, peers=False),
    ]


def n_axis(outcomes: Sequence[Outcome]) -> list[Outcome]:
    """The scenarios that differ from the target in N alone (the target included)."""
    return [o for o in outcomes if _rest(o) == (TARGET.changed_pct, TARGET.d, None)]


def d_axis(outcomes: Sequence[Outcome]) -> list[Outcome]:
    return [
        o for o in outcomes if (o.scenario.n, o.scenario.changed_pct, o.scenario.rate_limit) == (50, 10, None)
    ]


def _rest(o: Outcome) -> tuple[int, int, float | None]:
    return o.scenario.changed_pct, o.scenario.d, o.scenario.rate_limit
