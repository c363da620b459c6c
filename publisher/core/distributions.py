"""Which distributions and cache behaviours run which function: there is no API for it, so we index a scan."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from publisher.core.model import Behaviour, Distribution


@dataclass(frozen=True)
class Usage:
    """One distribution running a function, and the behaviours through which it does."""

    distribution: Distribution
    behaviours: tuple[Behaviour, ...]


def dedupe(distributions: Iterable[Distribution]) -> tuple[Distribution, ...]:
    """Two listings (all, and tenant-only) may both return a distribution: keep the first of each Id."""
    seen: dict[str, Distribution] = {}
    for d in distributions:
        seen.setdefault(d.id, d)
    return tuple(seen.values())


def usage_by_function(distributions: Iterable[Distribution]) -> dict[str, tuple[Usage, ...]]:
    """Function ARN → where it runs, in the order the scan found the distributions; a connection
    function's Id → the distributions whose viewer mTLS connections it decides (no behaviours: it is
    associated with the whole distribution, and the same listing's summaries name it)."""
    index: dict[str, list[Usage]] = {}
    for dist in distributions:
        for arn in dict.fromkeys(b.function_arn for b in dist.behaviours):
            mine = tuple(b for b in dist.behaviours if b.function_arn == arn)
            index.setdefault(arn, []).append(Usage(dist, mine))
        if dist.connection_function:
            index.setdefault(dist.connection_function, []).append(Usage(dist, ()))
    return {arn: tuple(uses) for arn, uses in index.items()}
