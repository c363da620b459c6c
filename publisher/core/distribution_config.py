"""A DistributionConfig as plain data: its cache behaviours, which function runs in each slot, and the
config to send back with only some behaviours' function associations changed. No I/O."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from publisher.core.associations import SlotChange

Slot = tuple[str | None, str]  # (path pattern, None for the default behaviour; event type)
PENDING = "(the ARN this run's create gives it)"


def function_name(arn: str) -> str:
    """A function's name from its ARN (`arn:aws:cloudfront::<account>:function/<name>`)."""
    return arn.rsplit("/", 1)[-1]


def behaviours(config: Mapping[str, Any]) -> list[tuple[str | None, Mapping[str, Any]]]:
    """The default cache behaviour first (path None), then the others, as the config holds them."""
    others = (config.get("CacheBehaviors") or {}).get("Items") or []
    return [(None, config.get("DefaultCacheBehavior") or {}), *((b.get("PathPattern"), b) for b in others)]


def slots(config: Mapping[str, Any]) -> dict[Slot, str]:
    """Every CloudFront Function association of the config: slot → function name."""
    return {
        (path, item["EventType"]): function_name(item["FunctionARN"])
        for path, b in behaviours(config)
        for item in (b.get("FunctionAssociations") or {}).get("Items") or []
    }


def lambda_slots(config: Mapping[str, Any]) -> set[Slot]:
    return {
        (path, item["EventType"])
        for path, b in behaviours(config)
        for item in (b.get("LambdaFunctionAssociations") or {}).get("Items") or []
        if item.get("EventType") in ("viewer-request", "viewer-response")
    }


def rewritten(
    config: Mapping[str, Any], changes: Sequence[SlotChange], arns: Mapping[str, str]
) -> dict[str, Any]:
    """The config to send back: a copy of the one read, with only the changed behaviours' function
    associations rewritten (an item keeps its place; a new one goes last)."""
    out = copy.deepcopy(dict(config))
    for path, behaviour in behaviours(out):
        mine = [c for c in changes if c.path == path]
        if not mine:
            continue
        items = list((behaviour.get("FunctionAssociations") or {}).get("Items") or [])
        for c in mine:
            if c.new:
                arn = arns.get(c.new, PENDING)
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
