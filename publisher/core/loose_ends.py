"""An account's loose ends, and its counts against the quotas: values in, values out, no I/O.

- functions neither in the manifest nor attached to any distribution (no cache behaviour runs them);
- KeyValueStores that no function's DEVELOPMENT or LIVE reads;
- throwaway preview copies left behind (core/throwaway.py: both signs);
- the account's functions and stores against the documented quotas: 100 functions and 50 stores per
  account (Developer Guide, "Quotas"; both adjustable, so both are parameters).

`quota_problem` is the one-line refusal for a run that would create past a quota, naming both
numbers and the leftovers a clean-up could remove.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from publisher.core.model import Distribution
from publisher.core.throwaway import is_throwaway

FUNCTION_QUOTA = 100
STORE_QUOTA = 50


@dataclass(frozen=True)
class Seen:
    """A function as the listings show it, both stages merged: its ARN, comment and the stores it reads."""

    name: str
    arn: str
    comment: str
    store_arns: tuple[str, ...] = ()


@dataclass(frozen=True)
class Count:
    used: int
    quota: int

    @property
    def left(self) -> int:
        return max(0, self.quota - self.used)


@dataclass(frozen=True)
class LooseEnds:
    unattached: tuple[str, ...]  # not in the manifest, run by no distribution
    unused_stores: tuple[str, ...]
    throwaways: tuple[str, ...]
    functions: Count
    stores: Count

    def as_json(self) -> dict[str, Any]:
        return {
            "functions": {"count": self.functions.used, "quota": self.functions.quota},
            "stores": {"count": self.stores.used, "quota": self.stores.quota},
            "unattached_functions": list(self.unattached),
            "unused_stores": list(self.unused_stores),
            "throwaways": list(self.throwaways),
        }

    def lines(self) -> list[str]:
        """For people: the counts, then each kind of loose end that is not empty."""
        out = [
            f"functions: {self.functions.used} of {self.functions.quota}; "
            f"KeyValueStores: {self.stores.used} of {self.stores.quota}"
        ]
        for names, what in (
            (self.unattached, "not in the manifest and attached to no distribution"),
            (self.unused_stores, "KeyValueStores no function reads"),
            (self.throwaways, "throwaway preview copies left behind (`cleanup` deletes them)"),
        ):
            if names:
                out.append(f"{len(names)} {what}: {', '.join(names)}")
        return out


def loose_ends(
    functions: Iterable[Seen],
    stores: Mapping[str, str],
    distributions: Iterable[Distribution],
    managed: Collection[str],
    *,
    function_quota: int = FUNCTION_QUOTA,
    store_quota: int = STORE_QUOTA,
) -> LooseEnds:
    seen = sorted(functions, key=lambda f: f.name)
    attached = {b.function_arn for d in distributions for b in d.behaviours}
    read = {a for f in seen for a in f.store_arns}
    throwaways = tuple(f.name for f in seen if is_throwaway(f.name, f.comment))
    unattached = tuple(
        f.name for f in seen if f.name not in managed and f.arn not in attached and f.name not in throwaways
    )
    return LooseEnds(
        unattached=unattached,
        unused_stores=tuple(sorted(n for n, arn in stores.items() if arn not in read)),
        throwaways=throwaways,
        functions=Count(len(seen), function_quota),
        stores=Count(len(stores), store_quota),
    )


def quota_problem(kind: str, count: Count, creating: int, leftovers: Collection[str]) -> str | None:
    """Why a run may not create `creating` more of `kind`, or None when they fit."""
    if count.used + creating <= count.quota:
        return None
    hint = f"; {len(leftovers)} throwaway preview copies could be deleted (`cleanup`)" if leftovers else ""
    return (
        f"creating {creating} {kind} would pass the account's quota: {count.used} of {count.quota} "
        f"exist{hint}; nothing was created"
    )
