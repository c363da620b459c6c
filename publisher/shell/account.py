"""Read what `core/loose_ends` judges: both stages' listings, the stores and the distributions, at once.

One ListFunctions per stage, one ListKeyValueStores and one scan of the distributions, all in
parallel; no per-function call. Not wired into a run yet: a run that already observed the account
can pass its own listings and scan to `loose_ends` instead of reading them again.
"""

from __future__ import annotations

from collections.abc import Collection
from concurrent.futures import Executor

from publisher.core.loose_ends import LooseEnds, Seen, loose_ends
from publisher.core.model import Stage
from publisher.core.port import CloudFront, FunctionSummary
from publisher.shell.observe import scan_distributions


def read_loose_ends(
    cloudfront: CloudFront, managed: Collection[str], pool: Executor
) -> tuple[LooseEnds, list[str]]:
    """The account's loose ends, and warnings (e.g. tenant-only distributions that could not be listed)."""
    lists = {stage: pool.submit(cloudfront.list_functions, stage) for stage in Stage}
    stores = pool.submit(cloudfront.list_key_value_stores)
    scan = pool.submit(scan_distributions, cloudfront)
    by_stage = {stage: {s.name: s for s in lists[stage].result()} for stage in Stage}
    distributions, warnings = scan.result()
    seen = [_seen(dev, by_stage[Stage.LIVE].get(name)) for name, dev in by_stage[Stage.DEVELOPMENT].items()]
    return loose_ends(seen, stores.result(), distributions, managed), warnings


def _seen(dev: FunctionSummary, live: FunctionSummary | None) -> Seen:
    arns = dev.config.key_value_store_arns + (live.config.key_value_store_arns if live else ())
    return Seen(
        dev.name, dev.arn or (live.arn if live else ""), dev.config.comment, tuple(dict.fromkeys(arns))
    )
