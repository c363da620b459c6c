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

from publisher.core.distribution_config import CONNECTION_EVENT
from publisher.core.distributions import dedupe
from publisher.core.errors import AwsError, PublisherError
from publisher.core.manifest import FunctionSpec, Manifest
from publisher.core.model import Distribution, FunctionState, Listed, Observed, Stage, StageState
from publisher.core.modes import Kind, Ref
from publisher.core.port import CloudFront, FunctionSummary
from publisher.core.stores import StoreState
from publisher.shell.function_rows import ROWS
from publisher.shell.stores import StorePorts, observe_store

CONSISTENT_READ_ATTEMPTS = 3  # then a stage that keeps changing under the reads fails the function
Listings = dict[tuple[Kind, Stage], dict[str, FunctionSummary]]
Codes = dict[tuple[Ref, Stage], Future[tuple[bytes, str] | None]]


def observe(
    cloudfront: CloudFront, manifest: Manifest, pool: Executor, stores: StorePorts | None = None
) -> Observed:
    """Every kind in one pass. A viewer function's code is read by name beside the listings; a
    connection function's by the Id its listing gives, so it waits for the listing (one round trip
    more), and two functions of one name in different kinds are never confused. Connection functions
    are listed only when the manifest has some."""
    kinds = {spec.kind for spec in manifest.functions} | {Kind.FUNCTION}
    if any(s[1] == CONNECTION_EVENT for r in manifest.restored_associations for s in r.slots):
        kinds.add(Kind.CONNECTION_FUNCTION)  # a rollback names them; the distributions give Ids
    lists = {
        (kind, stage): pool.submit(cloudfront.list_functions, stage, kind=kind)
        for kind in kinds
        for stage in Stage
    }
    kvs = {s.name: pool.submit(observe_store, s, stores) for s in manifest.stores} if stores else {}
    viewers = [spec for spec in manifest.functions if spec.kind is Kind.FUNCTION]
    codes = _read_code(cloudfront, pool, viewers, {})
    listing = pool.submit(cloudfront.list_key_value_stores)  # names to ARNs; the account's loose ends
    summaries: Listings = {key: {s.name: s for s in found.result()} for key, found in lists.items()}
    others = [spec for spec in manifest.functions if spec.kind is not Kind.FUNCTION]
    codes |= _read_code(cloudfront, pool, others, summaries)
    running = _read_running(cloudfront, pool, others, summaries)
    tags = _read_tags(cloudfront, pool, manifest, summaries, listing)
    states = {spec.ref: _state(spec, summaries, codes) for spec in manifest.functions}
    functions = {ref.name: s for ref, s in states.items() if ref.kind is Kind.FUNCTION}
    connection = {ref.name: s for ref, s in states.items() if ref.kind is Kind.CONNECTION_FUNCTION}
    names = {s.name for s in viewers}
    unmanaged = tuple(sorted(n for n in summaries[Kind.FUNCTION, Stage.DEVELOPMENT] if n not in names))
    found, errors = _stores(kvs)
    account = tuple(
        listed(dev, summaries.get((kind, Stage.LIVE), {}).get(n), kind)
        for kind in ROWS  # every kind of function: a connection function reads stores too
        for n, dev in summaries.get((kind, Stage.DEVELOPMENT), {}).items()
    )
    listed_connections = summaries.get((Kind.CONNECTION_FUNCTION, Stage.DEVELOPMENT), {}).values()
    return Observed(
        functions,
        listing.result(),
        unmanaged,
        found,
        errors,
        account=account,
        connection_functions=connection,
        connection_names={s.id: s.name for s in listed_connections if s.id},
        tags={ref: read.result() for ref, read in tags.items()},
        connection_distributions={name: tuple(read.result()) for name, read in running.items()},
    )


def _read_running(
    cloudfront: CloudFront, pool: Executor, specs: list[FunctionSpec], summaries: Listings
) -> dict[str, Future[list[str]]]:
    """Where each connection function that lists `distributions:` runs now, by the Id its listing
    gave: beside its code reads, not after them."""
    reads: dict[str, Future[list[str]]] = {}
    for spec in specs:
        found = summaries.get((spec.kind, Stage.DEVELOPMENT), {}).get(spec.name)
        if spec.associations is not None and found is not None and found.id:
            reads[spec.name] = pool.submit(cloudfront.list_distributions_by_connection_function, found.id)
    return reads


def _read_tags(
    cloudfront: CloudFront,
    pool: Executor,
    manifest: Manifest,
    summaries: Listings,
    stores: Future[dict[str, str]],
) -> dict[Ref, Future[dict[str, str]]]:
    """ListTagsForResource beside the code reads, only for a resource whose entry names tags and
    that exists: a manifest without tags costs no call. A store's ARN comes from its listing."""
    arns = {
        spec.ref: found.arn
        for spec in manifest.functions
        if spec.tags and (found := summaries[spec.kind, Stage.DEVELOPMENT].get(spec.name))
    }
    if any(s.tags for s in manifest.stores):
        listed = stores.result()
        arns |= {
            Ref(Kind.KEY_VALUE_STORE, s.name): listed[s.name]
            for s in manifest.stores
            if s.tags and s.name in listed
        }
    return {ref: pool.submit(cloudfront.list_tags, arn) for ref, arn in arns.items()}


def listed(dev: FunctionSummary, live: FunctionSummary | None, kind: Kind = Kind.FUNCTION) -> Listed:
    """One function of the account, both stages' listings merged."""
    arns = dev.config.key_value_store_arns + (live.config.key_value_store_arns if live else ())
    arn = dev.arn or (live.arn if live else "")
    return Listed(dev.name, arn, dev.config.comment, tuple(dict.fromkeys(arns)), live is not None, kind)


def _read_code(
    cloudfront: CloudFront, pool: Executor, specs: list[FunctionSpec], summaries: Listings
) -> Codes:
    """Both stages' code of each: a viewer function by name, with no listing needed; another kind by
    the Id its DEVELOPMENT listing gave (not listed: nothing to read)."""
    codes: Codes = {}
    for spec in specs:
        found = summaries.get((spec.kind, Stage.DEVELOPMENT), {}).get(spec.name)
        address = spec.name if spec.kind is Kind.FUNCTION else (found.id if found else "")
        for stage in Stage if address else ():
            codes[spec.ref, stage] = pool.submit(cloudfront.get_function, address, stage, kind=spec.kind)
    return codes


def _state(spec: FunctionSpec, summaries: Listings, codes: Codes) -> FunctionState:
    dev, live = (summaries[spec.kind, stage].get(spec.name) for stage in Stage)
    return FunctionState(
        spec.name,
        _stage(dev, codes.get((spec.ref, Stage.DEVELOPMENT))),
        _stage(live, codes.get((spec.ref, Stage.LIVE))),
        dev.id if dev else "",
    )


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


def read_function(
    cloudfront: CloudFront, name: str, kind: Kind = Kind.FUNCTION, address: str = ""
) -> FunctionState:
    """One function again, each stage read consistently (after a 412, or when a stage moved). A
    connection function is read by its Id; with none known yet (a create whose answer was lost), the
    listing gives it."""
    if kind is not Kind.FUNCTION and not address:
        listed = cloudfront.list_functions(Stage.DEVELOPMENT, kind=kind)
        address = next((s.id for s in listed if s.name == name), "")
        if not address:
            return FunctionState(name, None, None)
    address = address or name
    return FunctionState(
        name,
        read_stage(cloudfront, address, Stage.DEVELOPMENT, kind),
        read_stage(cloudfront, address, Stage.LIVE, kind),
        address if kind is not Kind.FUNCTION else "",
    )


def read_stage(
    cloudfront: CloudFront, name: str, stage: Stage, kind: Kind = Kind.FUNCTION
) -> StageState | None:
    """Code and config of one stage under one ETag: GetFunction, then DescribeFunction, until they agree."""
    for _ in range(CONSISTENT_READ_ATTEMPTS):
        got = cloudfront.get_function(name, stage, kind=kind)
        summary = cloudfront.describe_function(name, stage, kind=kind) if got else None
        if got is None or summary is None:
            return None
        if summary.etag == got[1]:
            return summary.with_code(*got)
    message = f"{stage} kept changing while it was read ({CONSISTENT_READ_ATTEMPTS} times)"
    raise AwsError(ROWS[kind].describe, "StillChanging", message, 409)


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


def _stage(
    summary: FunctionSummary | None, code: Future[tuple[bytes, str] | None] | None
) -> StageState | None:
    got = code.result() if code is not None else None
    if summary is None or got is None:  # created or deleted between the two reads: treat as absent
        return None
    return summary.with_code(*got)
