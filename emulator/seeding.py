"""Direct inserts for tests and benchmarks: the state a series of API calls would leave, without HTTP.

Nothing here is counted as a request. Seeds skip the checks that need other resources to exist
first (a KeyValueStore ARN, a published function in a cache behaviour), so a benchmark can lay out
5,000 distributions in any order.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from emulator.functions import FunctionConfig, check_function
from emulator.state import State

Associations = Sequence[tuple[str, str]]  # (function ARN, event type)
Behaviours = Sequence[tuple[str, Associations]]  # (path pattern, associations)
ORIGIN_ID = "origin"


def seed_function(
    state: State, name: str, code: bytes, *, runtime: str, comment: str, kvs_arn: str | None, publish: bool
) -> str:
    """Create the function, or give an existing one new DEVELOPMENT code (a concurrent writer)."""
    config = FunctionConfig(comment, runtime, (kvs_arn,) if kvs_arn else ())
    check_function(name, config, code, kvs_exists=lambda _arn: True)
    with state.lock:
        store = state.functions
        existing = store.find(name)
        function = store.create(name, config, code) if existing is None else existing
        if existing is not None:
            store.replace_development(function, config, code)
        if publish:
            store.promote(function)
            state.backend.redeploy(function.arn)
        return function.arn


def _associations(pairs: Associations) -> dict[str, Any]:
    items = [{"FunctionARN": arn, "EventType": event_type} for arn, event_type in pairs]
    return {"Quantity": len(items), "Items": items}


def _behaviour(pairs: Associations, path: str | None = None) -> dict[str, Any]:
    behaviour: dict[str, Any] = {
        "TargetOriginId": ORIGIN_ID,
        "ViewerProtocolPolicy": "redirect-to-https",
        "FunctionAssociations": _associations(pairs),
    }
    if path is not None:
        behaviour["PathPattern"] = path
    return behaviour


def distribution_config(
    aliases: Sequence[str],
    default_function_arns: Associations,
    behaviours: Behaviours,
    enabled: bool,
    connection_mode: str | None,
    *,
    viewer_mtls: str | None = None,
) -> dict[str, Any]:
    """A minimal DistributionConfig, as CreateDistribution would receive it."""
    others = [_behaviour(pairs, path) for path, pairs in behaviours]
    origin = {
        "Id": ORIGIN_ID,
        "DomainName": "origin.example.com",
        "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"},
    }
    config: dict[str, Any] = {
        "CallerReference": str(uuid.uuid4()),
        "Aliases": {"Quantity": len(aliases), "Items": list(aliases)},
        "Origins": {"Quantity": 1, "Items": [origin]},
        "DefaultCacheBehavior": _behaviour(default_function_arns),
        "CacheBehaviors": {"Quantity": len(others), "Items": others},
        "Comment": "",
        "Enabled": enabled,
    }
    if connection_mode is not None:
        config["ConnectionMode"] = connection_mode
    if viewer_mtls is not None:  # a mode: required, optional or passthrough (ViewerMtlsMode)
        trust = {"TrustStoreId": "ts-emulator", "AdvertiseTrustStoreCaNames": False}
        config["ViewerMtlsConfig"] = {"Mode": viewer_mtls, "TrustStoreConfig": trust}
    return config


def seed_distribution(state: State, config: dict[str, Any], dist_id: str | None, domain: str | None) -> str:
    """Insert a distribution that has finished deploying: it stands for existing infrastructure."""
    with state.lock:
        dist = state.backend.add(config, [], dist_id)
        if domain:
            dist.domain_name = domain
        dist.status = "Deployed"
        return str(dist.id)


def seed_kvs_data(state: State, arn: str, data: Mapping[str, str]) -> None:
    with state.lock:
        state.kvs_data[arn] = dict(data)
        state.renew_kvs_etag(arn)  # a change to the keys, like any other: a client's ETag goes stale
