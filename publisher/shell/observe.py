"""Read what AWS holds: both stages of every manifest function and every manifest KeyValueStore, all at
once, in a bounded pool.

Config comes in bulk from one ListFunctions per stage and code with its ETag from GetFunction, so a
run reads each function with two calls whatever its state. The two reads are not one snapshot: before
any write, the applier checks the ETag and config it rests on (see apply.py), which is cheaper than
reading every function twice when most are unchanged. `read_function` is the consistent read of one
function: code and config of each stage under the same ETag.
"""

from __future__ import annotations

from concurrent.futures import Executor, Future, ThreadPoolExecutor

from publisher.core.distributions import dedupe
from publisher.core.errors import AwsError, PublisherError
from publisher.core.manifest import Manifest
from publisher.core.model import Distribution, FunctionState, Listed, Observed, Stage, StageState
from publisher.core.port import CloudFront, FunctionSummary
from publisher.core.stores import StoreState
from publisher.shell.stores import StorePorts, observe_store

CONSISTENT_READ_ATTEMPTS = 3  # then a stage that keeps changing under the reads fails the function


def observe(
    cloudfront: CloudFront, manifest: Manifest, pool: Executor, stores: StorePorts | None = None
) -> Observed:
    lists = {stage: pool.submit(cloudfront.list_functions, stage) for stage in Stage}
    kvs = {s.name: pool.submit(observe_store, s, stores) for s in manifest.stores} if stores else {}
    codes = {
        (spec.name, stage): pool.submit(cloudfront.get_function, spec.name, stage)
        for spec in manifest.functions
        for stage in Stage
    }
    listing = pool.submit(cloudfront.list_key_value_stores)  # names to ARNs; the account's loose ends
    summaries = {stage: {s.name: s for s in lists[stage].result()} for stage in Stage}
    functions = {
        spec.name: FunctionState(
            spec.name, *(_stage(summaries[st].get(spec.name), codes[spec.name, st]) for st in Stage)
        )
        for spec in manifest.functions
    }
    names = {s.name for s in manifest.functions}
    others = tuple(sorted(n for n in summaries[Stage.DEVELOPMENT] if n not in names))
    found, errors = _stores(kvs)
    account = tuple(
        listed(dev, summaries[Stage.LIVE].get(n)) for n, dev in summaries[Stage.DEVELOPMENT].items()
    )
    return Observed(functions, listing.result(), others, found, errors, account)


def listed(dev: FunctionSummary, live: FunctionSummary | None) -> Listed:
    """One function of the account, both stages' listings merged."""
    arns = dev.config.key_value_store_arns + (live.config.key_value_store_arns if live else ())
    arn = dev.arn or (live.arn if live else "")
    return Listed(dev.name, arn, dev.config.comment, tuple(dict.fromkeys(arns)), live is not None)


def _stores(
    reads: dict[str, Future[StoreState | None]],
) -> tuple[dict[str, StoreState | None], dict[str, str]]:
    """Each manifest store as read; one that could not be read is its plan's error, not the run's."""
    found: dict[str, StoreState | None] = {}
    errors: dict[str, str] = {}
    for name, read in reads.items():
        try:
            found[name] = read.result()
        except PublisherError as err:
            errors[name] = str(err)
    return found, errors


def read_function(cloudfront: CloudFront, name: str) -> FunctionState:
    """One function again, each stage read consistently (after a 412, or when a stage moved)."""
    return FunctionState(
        name, read_stage(cloudfront, name, Stage.DEVELOPMENT), read_stage(cloudfront, name, Stage.LIVE)
    )


def read_stage(cloudfront: CloudFront, name: str, stage: Stage) -> StageState | None:
    """Code and config of one stage under one ETag: GetFunction, then DescribeFunction, until they agree."""
    for _ in range(CONSISTENT_READ_ATTEMPTS):
        got = cloudfront.get_function(name, stage)
        summary = cloudfront.describe_function(name, stage) if got else None
        if got is None or summary is None:
            return None
        if summary.etag == got[1]:
            return summary.with_code(*got)
    message = f"{stage} kept changing while it was read ({CONSISTENT_READ_ATTEMPTS} times)"
    raise AwsError("DescribeFunction", "StillChanging", message, 409)


def scan_distributions(cloudfront: CloudFront) -> tuple[tuple[Distribution, ...], list[str]]:
    """One paginated scan of each listing, side by side; tenant-only distributions may or may not be
    in the first."""
    with ThreadPoolExecutor(1, thread_name_prefix="tenant") as beside:
        tenant = beside.submit(lambda: list(cloudfront.list_distributions(tenant_only=True)))
        found = list(cloudfront.list_distributions())
        try:
            found += tenant.result()
        except AwsError as err:  # e.g. a policy without ListDistributionsByConnectionMode: report, go on
            return dedupe(found), [f"tenant-only distributions were not listed: {err}"]
    return dedupe(found), []


def _stage(summary: FunctionSummary | None, code: Future[tuple[bytes, str] | None]) -> StageState | None:
    got = code.result()
    if summary is None or got is None:  # created or deleted between the two reads: treat as absent
        return None
    return summary.with_code(*got)
