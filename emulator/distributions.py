"""Distributions and KeyValueStores: moto's backend, extended where it falls short of CloudFront.

moto drops FunctionAssociations (always Quantity 0), keeps one ETag for life, advances Status by
request count instead of time, ignores If-Match values and pages with opaque tokens. This backend
keeps the associations, draws a new ETag on every change (a function publish included), holds a
distribution InProgress for `deploy_delay` seconds, checks If-Match, and pages by distribution Id as
CloudFront does (NextMarker is the Id of the last distribution on the page).

A distribution may run one connection function (`ConnectionFunctionAssociation {Id}`, beside
`ViewerMtlsConfig`; botocore's model): moto knows neither field, so both are kept from the raw
config, answered in the listings' summaries, and indexed under `connection_key(Id)` for
ListDistributionsByConnectionFunction and the in-use check of DeleteConnectionFunction.
"""

from __future__ import annotations

import copy
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from moto.cloudfront.exceptions import DistributionAlreadyExists, NoSuchDistribution
from moto.cloudfront.models import CloudFrontBackend, Distribution, DistributionConfig, random_id
from moto.core.utils import iso_8601_datetime_with_milliseconds

from emulator.errors import (
    DistributionNotDisabled,
    InconsistentQuantities,
    InvalidArgument,
    check_if_match,
)

TENANT_ONLY = "tenant-only"
_KINDS = ("FunctionAssociations", "LambdaFunctionAssociations")
Associations = dict[str, dict[str, Any]]


def _listed(raw: Mapping[str, Any] | None) -> dict[str, Any]:
    items = list((raw or {}).get("Items") or [])
    if (raw or {}).get("Quantity", len(items)) != len(items):
        raise InconsistentQuantities()
    return {"Quantity": len(items), "Items": items} if items else {"Quantity": 0}


def _associations(behaviour: Mapping[str, Any]) -> Associations:
    return {kind: _listed(behaviour.get(kind)) for kind in _KINDS}


def _behaviours(config: Any) -> list[Any]:
    """The default cache behaviour first, then the others, as moto's objects."""
    others = getattr(config, "CacheBehaviors", {}).get("Items") or []
    return [config.DefaultCacheBehavior, *others]


def build_config(raw: dict[str, Any]) -> DistributionConfig:
    """moto's DistributionConfig, with the associations moto would have dropped put back."""
    kept = raw_associations(raw)
    config = DistributionConfig(raw)
    restore_associations(config, kept)
    return config


def raw_associations(raw: Mapping[str, Any]) -> list[Associations]:
    """Read before moto rewrites the raw config in place."""
    others = (raw.get("CacheBehaviors") or {}).get("Items") or []
    return [_associations(raw.get("DefaultCacheBehavior") or {}), *map(_associations, others)]


def requested_function_arns(raw: Mapping[str, Any]) -> list[str]:
    """The function ARNs a raw DistributionConfig asks its cache behaviours to run."""
    return [
        item.get("FunctionARN", "")
        for kept in raw_associations(raw)
        for item in kept["FunctionAssociations"].get("Items") or []
    ]


def restore_associations(config: Any, associations: list[Associations]) -> None:
    for behaviour, kept in zip(_behaviours(config), associations, strict=False):
        behaviour.function_associations = kept["FunctionAssociations"]
        behaviour.lambda_function_associations = kept["LambdaFunctionAssociations"]


def association_problem(raw: Mapping[str, Any]) -> str:
    """CloudFront's rules for one cache behaviour: one function per event type, and no CloudFront
    Function beside a Lambda@Edge function on the same viewer event."""
    for kept in raw_associations(raw):
        events = [i.get("EventType") for i in kept["FunctionAssociations"].get("Items") or []]
        twice = sorted({e for e in events if events.count(e) > 1})
        if twice:
            return f"A cache behavior can have only one function for the event type {twice[0]}."
        lambdas = {i.get("EventType") for i in kept["LambdaFunctionAssociations"].get("Items") or []}
        both = sorted(set(events) & lambdas)
        if both:
            return f"A cache behavior cannot have both a CloudFront function and a Lambda@Edge function for {both[0]}."
    return ""


def connection_key(function_id: str) -> str:
    """A connection function's key in `EmulatorBackend.users`, apart from every function ARN."""
    return f"connection-function:{function_id}"


def connection_function_id(raw: Mapping[str, Any]) -> str:
    return str((raw.get("ConnectionFunctionAssociation") or {}).get("Id") or "")


def function_arns(config: Any) -> set[str]:
    """The CloudFront Functions (not Lambda@Edge) that any cache behaviour runs."""
    return {
        item["FunctionARN"]
        for behaviour in _behaviours(config)
        for item in behaviour.function_associations.get("Items") or []
    }


class EmulatorDistribution(Distribution):
    """A distribution whose Status follows the clock: InProgress until `ready_at`, then Deployed."""

    def __init__(self, account_id: str, region_name: str, raw: dict[str, Any], dist_id: str | None) -> None:
        self.raw_config = copy.deepcopy(raw)  # as sent, before moto rewrites it in place and drops fields
        kept = raw_associations(raw)
        super().__init__(account_id, region_name, raw)
        restore_associations(self.distribution_config, kept)
        if dist_id:
            self.distribution_id = self.id = dist_id
            self.arn = self.arn.rsplit("/", 1)[0] + f"/{dist_id}"
        self.connection_mode: str | None = raw.get("ConnectionMode")
        self.staging = bool(raw.get("Staging", False))
        self.ready_at = 0.0

    @property
    def viewer_mtls_config(self) -> Any:
        """The summary's ViewerMtlsConfig, as last written (moto does not know the field)."""
        return self.raw_config.get("ViewerMtlsConfig")

    @property
    def connection_function_association(self) -> Any:
        return self.raw_config.get("ConnectionFunctionAssociation")

    @property
    def e_tag(self) -> str:
        """DistributionSummary's ETag, under the name moto's serializer looks for."""
        return self.etag

    @property
    def status(self) -> str:
        return "Deployed" if time.monotonic() >= self.ready_at else "InProgress"

    @status.setter
    def status(self, value: str) -> None:
        self.ready_at = 0.0 if value == "Deployed" else float("inf")


class EmulatorBackend(CloudFrontBackend):
    """One account's CloudFront state apart from functions; the caller holds the state lock."""

    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        self.deploy_delay = 0.0
        self.new_etag: Callable[[], str] = random_id
        self.users: defaultdict[str, set[str]] = defaultdict(set)  # function ARN -> distribution Ids
        self._references: dict[str, str] = {}  # CallerReference -> Id, so seeding 5,000 stays linear

    def create_distribution_with_tags(
        self, distribution_config: dict[str, Any], tags: list[dict[str, str]]
    ) -> tuple[Distribution, str, str]:
        dist = self.add(distribution_config, tags)
        return dist, dist.location, dist.etag

    def add(
        self, raw: dict[str, Any], tags: list[dict[str, str]], dist_id: str | None = None
    ) -> EmulatorDistribution:
        reference = raw["CallerReference"]
        if reference in self._references or (dist_id and dist_id in self.distributions):
            raise DistributionAlreadyExists(self._references.get(reference) or str(dist_id))
        dist = EmulatorDistribution(self.account_id, self.region_name, raw, dist_id)
        self.distributions[dist.id] = dist
        self._references[reference] = dist.id
        self._index(dist)
        self._changed(dist)
        self.tagger.tag_resource(dist.arn, tags)
        return dist

    def distribution(self, dist_id: str) -> EmulatorDistribution:
        dist = self.distributions.get(dist_id)
        if not isinstance(dist, EmulatorDistribution):
            raise NoSuchDistribution()
        return dist

    def update_distribution(
        self, dist_config: dict[str, Any], _id: str, if_match: bool
    ) -> tuple[Distribution, str, str]:
        dist = self.distribution(_id)
        check_if_match(str(if_match or ""), dist.etag)
        self._unindex(dist)
        dist.raw_config = copy.deepcopy(dist_config)
        dist.distribution_config = build_config(dist_config)
        dist.connection_mode = dist_config.get("ConnectionMode", dist.connection_mode)
        self._index(dist)
        self._changed(dist)
        return dist, dist.location, dist.etag

    def delete_distribution(self, distribution_id: str, if_match: bool) -> None:
        dist = self.distribution(distribution_id)
        check_if_match(str(if_match or ""), dist.etag)
        if getattr(dist.distribution_config, "Enabled", False):
            raise DistributionNotDisabled()
        self._unindex(dist)
        self._references.pop(dist.distribution_config.caller_reference, None)
        del self.distributions[distribution_id]

    def redeploy(self, function_arn: str) -> None:
        """Publishing a function redeploys every distribution that runs it."""
        for dist_id in sorted(self.users.get(function_arn, ())):
            self._changed(self.distribution(dist_id))

    def page(
        self, connection_mode: str | None, marker: str | None, max_items: int
    ) -> tuple[list[EmulatorDistribution], str | None]:
        """Distributions after `marker` (an Id); NextMarker is the Id of the page's last one.

        A marker that names no distribution is refused with InvalidArgument, the one error the model
        declares for these listings, rather than read as the start of the list."""
        everything = list(self._all())
        start = 0
        if marker:
            ids = [d.id for d in everything]
            if marker not in ids:
                raise InvalidArgument(detail=f"The marker {marker} does not name a distribution.")
            start = ids.index(marker) + 1
        dists = [d for d in everything[start:] if _mode_matches(d, connection_mode)]
        chosen = dists[:max_items]
        truncated = max_items < len(dists)
        return chosen, (chosen[-1].id if truncated and chosen else None)

    def _all(self) -> Iterable[EmulatorDistribution]:
        return (d for d in self.distributions.values() if isinstance(d, EmulatorDistribution))

    def _changed(self, dist: EmulatorDistribution) -> None:
        dist.etag = self.new_etag()
        dist.last_modified_time = iso_8601_datetime_with_milliseconds()
        dist.ready_at = time.monotonic() + self.deploy_delay

    def _index(self, dist: EmulatorDistribution) -> None:
        for arn in _keys(dist):
            self.users[arn].add(dist.id)

    def _unindex(self, dist: EmulatorDistribution) -> None:
        for arn in _keys(dist):
            self.users[arn].discard(dist.id)
            if not self.users[arn]:
                del self.users[arn]


def _keys(dist: EmulatorDistribution) -> set[str]:
    """The functions a distribution runs: its cache behaviours' by ARN, its connection function's by key."""
    cid = connection_function_id(dist.raw_config)
    return function_arns(dist.distribution_config) | ({connection_key(cid)} if cid else set())


def _mode_matches(dist: EmulatorDistribution, wanted: str | None) -> bool:
    """`None` is plain ListDistributions, which (the emulator's choice) leaves tenant-only ones out."""
    tenant_only = dist.connection_mode == TENANT_ONLY
    if wanted is None:
        return not tenant_only
    return tenant_only if wanted == TENANT_ONLY else not tenant_only
