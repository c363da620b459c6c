"""Following a publish to the edge: when is a distribution's redeploy seen, and when is it done? No I/O.

A publish redeploys every distribution that runs the function, but the first poll may come before the
redeploy shows. So a distribution counts as deployed only once its redeploy was seen (InProgress, or
an ETag other than the one read before the publish) and it is Deployed again, or, if no redeploy
shows within the grace period, when it reads Deployed after it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Rollout:
    before: dict[str, str]  # distribution Id -> ETag read before the publish
    grace: float = 30.0
    seen: set[str] = field(default_factory=set)
    deployed: set[str] = field(default_factory=set)

    @property
    def pending(self) -> list[str]:
        return sorted(set(self.before) - self.deployed)

    def observe(self, dist_id: str, status: str, etag: str, elapsed: float) -> None:
        if status == "InProgress" or etag != self.before[dist_id]:
            self.seen.add(dist_id)
        if status == "Deployed" and (dist_id in self.seen or elapsed >= self.grace):
            self.deployed.add(dist_id)


def next_delay(delay: float, ceiling: float = 20.0) -> float:
    """Back off between polls: quick at first (small changes deploy fast), then no busier than needed."""
    return min(delay * 1.5, ceiling)
