"""Read what `core/loose_ends` judges: both stages' listings, the stores and the distributions, at once.

One ListFunctions per stage, one ListKeyValueStores and one scan of the distributions, all in
parallel; no per-function call. A run reports the same from the listings it already made
(shell/engine.py); this reads them on its own, for a command that makes no plan.
"""

from __future__ import annotations

from collections.abc import Collection
from concurrent.futures import Executor

from publisher.core.loose_ends import loose_ends
from publisher.core.model import Stage
from publisher.core.port import CloudFront
from publisher.core.result import AccountReport
from publisher.shell.observe import listed, scan_distributions


def read_loose_ends(
    cloudfront: CloudFront, managed: Collection[str], pool: Executor
) -> tuple[AccountReport, list[str]]:
    """The account's loose ends, and warnings (e.g. tenant-only distributions that could not be listed)."""
    lists = {stage: pool.submit(cloudfront.list_functions, stage) for stage in Stage}
    stores = pool.submit(cloudfront.list_key_value_stores)
    scan = pool.submit(scan_distributions, cloudfront)
    by_stage = {stage: {s.name: s for s in lists[stage].result()} for stage in Stage}
    distributions, warnings = scan.result()
    seen = [listed(dev, by_stage[Stage.LIVE].get(name)) for name, dev in by_stage[Stage.DEVELOPMENT].items()]
    return loose_ends(seen, stores.result(), distributions, managed), warnings
