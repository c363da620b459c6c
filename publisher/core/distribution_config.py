"""A DistributionConfig as plain data: its cache behaviours, which function runs in each slot, and the
config to send back with only some behaviours' function associations changed. No I/O.

A connection function (viewer mTLS) is one more slot: the distribution's own, not a cache
behaviour's (`ConnectionFunctionAssociation {Id}`, botocore's `cloudfront` model 2020-05-31), allowed
only where `ViewerMtlsConfig` is set. Its holder is named from the Id by the listing's names."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from publisher.core.modes import Action, Kind, Ref

Slot = tuple[str | None, str]  # (path pattern, None for the default behaviour; event type)
PENDING = "(the ARN this run's create gives it)"
CONNECTION_EVENT = "connection"  # the slot of a distribution's connection function
CONNECTION_SLOT: Slot = (None, CONNECTION_EVENT)
DEFAULT_PATH = "default"  # `path: default` is the distribution's default cache behaviour


def shown_path(path: str | None) -> str:
    return DEFAULT_PATH if path is None else path


def shown_slot(slot: Slot) -> str:
    """Where a slot is, for people: `default viewer-request`, `/api/* viewer-response`, `connection`."""
    return slot[1] if slot == CONNECTION_SLOT else f"{shown_path(slot[0])} {slot[1]}"


def slot_kind(slot: Slot) -> Kind:
    """Which kind of function a slot runs."""
    return Kind.CONNECTION_FUNCTION if slot == CONNECTION_SLOT else Kind.FUNCTION


@dataclass(frozen=True)
class SlotChange:
    """One event of one cache behaviour: which function runs there as read, and which once written."""

    path: str | None
    event: str
    old: str | None  # function name as read; None: nothing ran there
    new: str | None  # None: a detach

    @property
    def slot(self) -> Slot:
        return (self.path, self.event)

    @property
    def kind(self) -> Kind:
        return slot_kind(self.slot)

    def rows(self) -> list[tuple[Action, str]]:
        """Attach and detach, each with its function: a move is one of each."""
        out = [(Action.DETACH, self.old)] if self.old else []
        return [*out, (Action.ATTACH, self.new)] if self.new else out

    def __str__(self) -> str:
        return f"{shown_slot(self.slot)}: {self.old or 'nothing'} → {self.new or 'nothing'}"


def viewer_mtls(config: Mapping[str, Any]) -> bool:
    """Whether the distribution has viewer mTLS with a trust store, which a connection function needs
    (Developer Guide, "Associate Connection Functions with distributions")."""
    mtls = config.get("ViewerMtlsConfig") or {}
    return bool((mtls.get("TrustStoreConfig") or {}).get("TrustStoreId"))


def connection_function_id(config: Mapping[str, Any]) -> str:
    return str((config.get("ConnectionFunctionAssociation") or {}).get("Id") or "")


def function_name(arn: str) -> str:
    """A function's name from its ARN (`arn:aws:cloudfront::<account>:function/<name>`)."""
    return arn.rsplit("/", 1)[-1]


def behaviours(config: Mapping[str, Any]) -> list[tuple[str | None, Mapping[str, Any]]]:
    """The default cache behaviour first (path None), then the others, as the config holds them."""
    others = (config.get("CacheBehaviors") or {}).get("Items") or []
    return [(None, config.get("DefaultCacheBehavior") or {}), *((b.get("PathPattern"), b) for b in others)]


def slots(config: Mapping[str, Any], names: Mapping[str, str] | None = None) -> dict[Slot, str]:
    """Every CloudFront Function association of the config: slot → function name; the connection
    function's by `names` (Id → name), its Id where the listing did not name it."""
    held = {
        (path, item["EventType"]): function_name(item["FunctionARN"])
        for path, b in behaviours(config)
        for item in (b.get("FunctionAssociations") or {}).get("Items") or []
    }
    cid = connection_function_id(config)
    if cid:
        held[CONNECTION_SLOT] = (names or {}).get(cid, cid)
    return held


def lambda_slots(config: Mapping[str, Any]) -> set[Slot]:
    return {
        (path, item["EventType"])
        for path, b in behaviours(config)
        for item in (b.get("LambdaFunctionAssociations") or {}).get("Items") or []
        if item.get("EventType") in ("viewer-request", "viewer-response")
    }


def rewritten(
    config: Mapping[str, Any], changes: Sequence[SlotChange], addresses: Mapping[Ref, str]
) -> dict[str, Any]:
    """The config to send back: a copy of the one read, with only the changed behaviours' function
    associations rewritten (an item keeps its place; a new one goes last), and the connection
    function's association where it changes. `addresses`: a viewer function's ARN, a connection
    function's Id."""
    out = copy.deepcopy(dict(config))
    for c in changes:
        if c.slot != CONNECTION_SLOT:
            continue
        if c.new:
            out["ConnectionFunctionAssociation"] = {"Id": addresses.get(Ref(c.kind, c.new), PENDING)}
        else:
            out.pop("ConnectionFunctionAssociation", None)
    for path, behaviour in behaviours(out):
        mine = [c for c in changes if c.path == path and c.slot != CONNECTION_SLOT]
        if not mine:
            continue
        items = list((behaviour.get("FunctionAssociations") or {}).get("Items") or [])
        for c in mine:
            if c.new:
                arn = addresses.get(Ref(c.kind, c.new), PENDING)
                place = next((i for i, it in enumerate(items) if it["EventType"] == c.event), None)
                item = {"FunctionARN": arn, "EventType": c.event}
                if place is None:
                    items.append(item)
                else:
                    items[place] = item
            else:
                items = [it for it in items if it["EventType"] != c.event]
        listed: dict[str, Any] = {"Quantity": len(items), "Items": items} if items else {"Quantity": 0}
        behaviour["FunctionAssociations"] = listed  # type: ignore[index]
    return out
