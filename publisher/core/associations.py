"""Where the manifest's functions run: plan_associations(functions, observed, carried) → one plan per
distribution whose function associations change, or the refusals that stop the run before any write.
No I/O.

The unit is a slot, one event of one cache behaviour: a function that lists `associations:` is attached
where it is listed and not yet attached, and detached from every slot (of any distribution read) where
it is attached but not listed. A function that lists none is never touched. `replan` takes the same
decision again on a distribution read afresh after a 412: a slot someone else changed is theirs.

A connection function's `distributions:` are slots too, one per distribution (CONNECTION_SLOT): the
same rules, plus viewer mTLS, which CloudFront requires of a distribution that runs one.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from publisher.core.distribution_config import (
    CONNECTION_SLOT,
    Slot,
    SlotChange,
    behaviours,
    lambda_slots,
    shown_slot,
    slot_kind,
    slots,
    viewer_mtls,
)
from publisher.core.language.returns import handler_returns
from publisher.core.manifest import AssociationSpec, FunctionSpec
from publisher.core.model import Distribution, DistributionConfig, Observed
from publisher.core.modes import Action, Kind, Ref


@dataclass(frozen=True)
class DistributionPlan:
    """The association changes of one distribution, written in one UpdateDistribution on `read`'s ETag."""

    read: DistributionConfig
    changes: tuple[SlotChange, ...]
    carried: tuple[Action, ...] = ()  # those this run's mode carries out
    error: str | None = None
    conflict: bool = False
    reason: str = ""
    theirs: tuple[str, ...] = ()  # a rollback's slots someone else changed since: conflicts, left alone
    arns: Mapping[str, str] = field(default_factory=dict)  # a rollback's functions to attach again
    ids: Mapping[str, str] = field(default_factory=dict)  # connection functions: name -> Id, as listed
    names: Mapping[str, str] = field(default_factory=dict)  # connection functions: Id -> name, as listed

    kind = Kind.DISTRIBUTION

    @property
    def name(self) -> str:
        return self.read.id

    @property
    def ref(self) -> Ref:
        return Ref(self.kind, self.name)

    @property
    def actions(self) -> tuple[Action, ...]:
        found = {a for c in self.changes for a, _ in c.rows()}
        return tuple(a for a in (Action.DETACH, Action.ATTACH) if a in found)

    @property
    def attaching(self) -> set[Ref]:
        """The functions this write attaches: each must be LIVE, and published by this run if planned."""
        return {Ref(c.kind, c.new) for c in self.changes if c.new}

    def without(self, functions: set[Ref]) -> DistributionPlan:
        """The plan less the slots whose new function is held back (its publish did not succeed)."""
        return self.only(tuple(c for c in self.changes if Ref(c.kind, c.new or "") not in functions))

    def only(
        self, changes: tuple[SlotChange, ...], read: DistributionConfig | None = None
    ) -> DistributionPlan:
        """The same plan cut to `changes` (on a fresh read, if given): it carries what is left of its own."""
        cut = replace(self, read=read or self.read, changes=changes)
        return replace(cut, carried=tuple(a for a in self.carried if a in cut.actions))


@dataclass(frozen=True)
class Refusal:
    """A listed association the run cannot carry out safely: bad input, found before any write."""

    function: str
    line: int | None
    message: str
    field: str = "associations"  # a connection function's: `distributions`


@dataclass(frozen=True)
class AssociationPlan:
    distributions: tuple[DistributionPlan, ...] = ()
    refusals: tuple[Refusal, ...] = ()


def plan_associations(
    functions: Sequence[FunctionSpec], observed: Observed, carried: Iterable[Action] = frozenset(Action)
) -> AssociationPlan:
    """Each distribution read whose slots change, cut to the mode; or the refusals that stop the run."""
    managed = {f.ref: f.associations for f in functions if f.associations is not None}
    if not managed:
        return AssociationPlan()
    wanted, refusals = _wanted(managed, observed)
    names = observed.connection_names
    held = {
        (read.id, slot): name
        for read in observed.distribution_configs.values()
        for slot, name in slots(read.config, names).items()
    }
    # judged where the run would attach it: one already running there is the account's state, which
    # an import must be able to hold with no change (its next plan refused would help no one)
    new = {a for key, (name, a) in wanted.items() if held.get(key) != name}
    viewers = [f for f in functions if f.kind is Kind.FUNCTION]
    refusals += [r for f in viewers for r in (*_untested_events(f, new), *_wrong_events(f, new))]
    ids = {name: cid for cid, name in names.items()}
    plans = []
    cut = tuple(a for a in (Action.DETACH, Action.ATTACH) if a in set(carried))
    for read in observed.distribution_configs.values():
        mine = {slot: wanted[(d, slot)] for d, slot in wanted if d == read.id}
        changes, found = _changes(read, mine, set(managed), names)
        refusals += found
        if changes:
            dp = DistributionPlan(read, changes, reason=describe_changes(changes), ids=ids, names=names)
            plans.append(replace(dp, carried=tuple(a for a in dp.actions if a in cut)))
    return AssociationPlan(tuple(plans), tuple(refusals))


Wanted = dict[tuple[str, Slot], tuple[str, AssociationSpec]]  # (distribution Id, slot) -> function


def _wanted(
    managed: Mapping[Ref, tuple[AssociationSpec, ...] | None], observed: Observed
) -> tuple[Wanted, list[Refusal]]:
    """Every listed association resolved to its distribution's slot, or refused with the reason."""
    wanted: Wanted = {}
    refusals: list[Refusal] = []
    for ref, listed in managed.items():
        name = ref.name
        for a in listed or ():
            dist_id, problem = _resolve(a, observed.distributions, observed.distribution_configs)
            other = wanted.get((dist_id, (a.path_pattern, a.event)))
            if not problem and other and a.event == CONNECTION_SLOT[1]:
                problem = (
                    f"connection function {other[0]} is listed on {a.distribution} too (line {other[1].line}): "
                    "one connection function per distribution"
                )
            elif not problem and other:
                problem = (
                    f"{other[0]} is listed on {a.distribution} {a.path} {a.event} too (line {other[1].line}): "
                    "one function per event of a cache behaviour"
                )
            if problem:
                refusals.append(Refusal(name, a.line, problem, _field(a)))
            else:
                wanted[(dist_id, (a.path_pattern, a.event))] = (name, a)
    return wanted, refusals


def _wrong_events(spec: FunctionSpec, new: Collection[AssociationSpec]) -> list[Refusal]:
    """An event its code plainly cannot serve, where it would be attached: the request returned where
    the response is due, or the reverse (core/language/returns.py says which forms it reads)."""
    attaching = [a for a in spec.associations or () if a in new]
    if not spec.code or not attaching:
        return []
    returns = handler_returns(spec.code)
    wrong = {"viewer-response": "request", "viewer-request": "response"}
    found = []
    for a in attaching:
        line = next((n for part, n in returns if part == wrong[a.event]), None)
        if line is not None:
            due = "the response" if a.event == "viewer-response" else "the request, or a response it makes"
            found.append(
                Refusal(
                    spec.name,
                    a.line,
                    f"its code returns the event's {wrong[a.event]} ({spec.code_path}, line {line}), but a "
                    f"{a.event} function must return {due}; attach it to the other event, or change the code",
                )
            )
    return found


def _untested_events(spec: FunctionSpec, new: Collection[AssociationSpec]) -> list[Refusal]:
    """A function whose test cases are all of one event type is written for that type: attaching it to
    the other would run code no test has seen there (a request returned where a response is due)."""
    tested = {
        (t.event.get("context") or {}).get("eventType") for t in spec.tests if isinstance(t.event, dict)
    }
    return [
        Refusal(
            spec.name,
            a.line,
            f"its test cases are all {', '.join(sorted(str(e) for e in tested))} events, so its code is "
            f"written for that; attach it there, or add a {a.event} test case",
        )
        for a in spec.associations or ()
        if tested and a.event not in tested and a in new
    ]


def _resolve(
    a: AssociationSpec, scanned: Sequence[Distribution], configs: Mapping[str, DistributionConfig]
) -> tuple[str, str]:
    """The Id the entry names, or why it names none: an Id, else an alias of exactly one distribution."""
    ids = [d.id for d in scanned if d.id == a.distribution] or [
        d.id for d in scanned if a.distribution in d.aliases
    ]
    if not ids:
        return "", f"no distribution of the account has the Id or alias `{a.distribution}`"
    if len(ids) > 1:
        return "", f"`{a.distribution}` names several distributions ({', '.join(ids)}); give one Id"
    read = configs.get(ids[0])
    if read is None:
        return "", f"the config of distribution {ids[0]} was not read"
    patterns = [p for p, _ in behaviours(read.config) if p is not None]
    if a.path_pattern is not None and a.path_pattern not in patterns:
        known = ", ".join(["default", *patterns])
        return "", f"distribution {ids[0]} has no cache behaviour `{a.path}` (it has: {known})"
    return ids[0], ""


def no_viewer_mtls(dist_id: str) -> str:
    return (
        f"distribution {dist_id} has no viewer mTLS configured (ViewerMtlsConfig with a trust "
        "store); a connection function runs only on such a distribution: configure viewer mTLS first"
    )


def _changes(
    read: DistributionConfig,
    wanted: Mapping[Slot, tuple[str, AssociationSpec]],
    managed: set[Ref],
    names: Mapping[str, str],
) -> tuple[tuple[SlotChange, ...], list[Refusal]]:
    held = slots(read.config, names)
    lambdas = lambda_slots(read.config)
    changes: list[SlotChange] = []
    refusals: list[Refusal] = []
    for slot, (name, a) in wanted.items():
        holder = held.get(slot)
        where = f"{a.path} {a.event} of distribution {read.id}"
        if slot == CONNECTION_SLOT and not viewer_mtls(read.config):
            refusals.append(Refusal(name, a.line, no_viewer_mtls(read.id), _field(a)))
        elif slot == CONNECTION_SLOT and holder is not None and Ref(slot_kind(slot), holder) not in managed:
            refusals.append(Refusal(name, a.line, _connection_taken(holder, read.id), _field(a)))
        elif slot in lambdas:
            refusals.append(
                Refusal(
                    name,
                    a.line,
                    f"a Lambda@Edge function runs on {where}; CloudFront allows no function beside it",
                )
            )
        elif holder is not None and Ref(slot_kind(slot), holder) not in managed:
            refusals.append(Refusal(name, a.line, _taken(holder, where), _field(a)))
        elif holder != name:
            changes.append(SlotChange(slot[0], slot[1], holder, name))
    for slot, holder in held.items():
        if Ref(slot_kind(slot), holder) in managed and slot not in wanted:
            changes.append(SlotChange(slot[0], slot[1], holder, None))
    return tuple(sorted(changes, key=_order)), refusals


def _taken(holder: str, where: str) -> str:
    return (
        f"function `{holder}` runs on {where} and the manifest does not manage its associations; "
        f"to take it over, list `{holder}` with its `associations:` (without this one), or detach it first"
    )


def _field(a: AssociationSpec) -> str:
    """Where the manifest lists it: a viewer function's `associations`, a connection function's `distributions`."""
    return "distributions" if a.event == CONNECTION_SLOT[1] else "associations"


def _connection_taken(holder: str, dist_id: str) -> str:
    return (
        f"connection function `{holder}` runs on distribution {dist_id} and the manifest does not manage "
        f"its distributions; to take it over, list `{holder}` under `connection-functions:` with its "
        "`distributions:` (or `cloudfront-publish import` it), or detach it first"
    )


def _order(c: SlotChange) -> tuple[str, str]:
    return (c.path or "", c.event)


def describe_changes(changes: Sequence[SlotChange]) -> str:
    return "; ".join(str(c) for c in changes)


@dataclass(frozen=True)
class Replan:
    """The decision taken again on a fresh read after a 412: what is still ours to write, and what is not."""

    plan: DistributionPlan  # on the fresh config and ETag; only the slots still as the run read them
    conflicts: tuple[str, ...] = ()  # slots someone else changed: both sides, nothing written there
    done: tuple[SlotChange, ...] = ()  # slots that already hold what the run wanted (a lost answer)


def replan(dp: DistributionPlan, fresh: DistributionConfig) -> Replan:
    """A slot may be written only while it holds what the run read there: another field someone
    changed goes back as they left it (the fresh config is the base), the same slot is a conflict."""
    now = slots(fresh.config, dp.names)
    kept: list[SlotChange] = []
    done: list[SlotChange] = []
    conflicts: list[str] = []
    for c in dp.changes:
        theirs = now.get(c.slot)
        if theirs == c.old:
            kept.append(c)
        elif theirs == c.new:
            done.append(c)
        else:
            conflicts.append(
                f"{shown_slot(c.slot)}: this run would put {c.new or 'nothing'} where it read "
                f"{c.old or 'nothing'}; someone else put {theirs or 'nothing'} there"
            )
    return Replan(dp.only(tuple(kept), fresh), tuple(conflicts), tuple(done))
