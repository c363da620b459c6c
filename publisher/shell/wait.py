"""Wait, with a timeout, until every distribution that runs a published function is Deployed."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from publisher.core.deployment import Rollout, next_delay
from publisher.core.port import CloudFront


def wait_for_deployment(
    cloudfront: CloudFront,
    before: dict[str, str],
    timeout: float,
    progress: Callable[[str], None],
    *,
    grace: float = 30.0,
    first_delay: float = 2.0,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], object] = time.sleep,
    cancelled: Callable[[], bool] = lambda: False,
) -> Rollout:
    """Polls all pending distributions together each round; returns the rollout, pending ones timed out."""
    rollout, start, delay = Rollout(dict(before), grace), clock(), first_delay
    with ThreadPoolExecutor(min(16, max(1, len(before)))) as pool:
        while rollout.pending:
            elapsed = clock() - start
            ids = rollout.pending
            for dist_id, (status, etag) in zip(ids, pool.map(cloudfront.get_distribution, ids), strict=True):
                rollout.observe(dist_id, status, etag, elapsed)
            progress(f"{len(rollout.deployed)} of {len(before)} distributions deployed after {elapsed:.0f} s")
            remaining = timeout - (clock() - start)
            if not rollout.pending or remaining <= 0 or cancelled():
                break
            sleep(min(delay, remaining))
            delay = next_delay(delay)
    return rollout
