"""An account's loose ends, and its counts against the quotas: values in, values out, no I/O.

- functions neither in the manifest nor attached to any distribution (no cache behaviour runs them);
- KeyValueStores that no function's DEVELOPMENT or LIVE reads;
- throwaway preview copies left behind (core/throwaway.py: both signs);
- the account's functions and stores against the documented quotas: 100 functions and 50 stores per
  account (Developer Guide, "Quotas"; both adjustable, so both are parameters); connection
  functions have a quota of their own, 100 per account ("Connection function configuration limits"),
  counted from their listing, which a run makes only when the manifest has some.

Every run that reads AWS reports them from the listings it already made (`AccountReport` in the
result); `quota_problems` refuses a run that would create past a quota, before any write, naming both
numbers and the leftovers a clean-up could remove.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

from publisher.core.model import Distribution, Listed
from publisher.core.modes import Action, Kind
from publisher.core.plan import Plan
from publisher.core.result import AccountReport, Count
from publisher.core.throwaway import is_throwaway

FUNCTION_QUOTA = 100
STORE_QUOTA = 50
CONNECTION_FUNCTION_QUOTA = 100


def loose_ends(
    functions: Iterable[Listed],
    stores: Mapping[str, str],
    distributions: Iterable[Distribution],
    managed: Collection[str],
    *,
    function_quota: int = FUNCTION_QUOTA,
    store_quota: int = STORE_QUOTA,
) -> AccountReport:
    every = list(functions)
    seen = sorted((f for f in every if f.kind is Kind.FUNCTION), key=lambda f: f.name)
    attached = {b.function_arn for d in distributions for b in d.behaviours}
    read = {a for f in every for a in f.store_arns}  # a connection function's store is in use too
    throwaways = [f.name for f in seen if is_throwaway(f.name, f.comment)]
    unattached = [
        f.name for f in seen if f.name not in managed and f.arn not in attached and f.name not in throwaways
    ]
    return AccountReport(
        functions=Count(count=len(seen), quota=function_quota),
        stores=Count(count=len(stores), quota=store_quota),
        unattached_functions=unattached,
        unused_stores=sorted(n for n, arn in stores.items() if arn not in read),
        throwaways=throwaways,
    )


def quota_problem(kind: str, count: Count, creating: int, leftovers: Collection[str]) -> str | None:
    """Why a run may not create `creating` more of `kind`, or None when they fit."""
    if creating <= 0 or count.count + creating <= count.quota:
        return None
    hint = f"; {len(leftovers)} throwaway preview copies could be deleted (`cleanup`)" if leftovers else ""
    return (
        f"creating {creating} {kind} would pass the account's quota: {count.count} of {count.quota} "
        f"exist{hint}; nothing was created"
    )


def quota_problems(plan: Plan, account: AccountReport) -> list[str]:
    """What this plan would create (a preview: a throwaway per changed function) against the quotas."""
    if plan.mode.planning and not plan.mode.previews:
        return []
    if plan.mode.previews:
        creating = [
            fp for fp in plan.functions if fp.target and (fp.write(Action.CREATE) or fp.write(Action.UPDATE))
        ]
    else:
        creating = [fp for fp in plan.functions if Action.CREATE in fp.carried]
    functions = sum(fp.kind is Kind.FUNCTION for fp in creating)
    connection = Count(count=len(plan.observed.connection_names), quota=CONNECTION_FUNCTION_QUOTA)
    stores = sum(Action.CREATE in sp.carried for sp in plan.stores)
    found = [
        quota_problem("functions", account.functions, functions, account.throwaways),
        quota_problem("connection functions", connection, len(creating) - functions, ()),
        quota_problem("KeyValueStores", account.stores, stores, ()),
    ]
    return [p for p in found if p]
