"""The order of a plan's writes: a store's before the functions tied to it, a function's publish before
its attachment. No I/O.

`ready` takes what the stores' writes came to and says which functions may start, each with the ARN of
a store this run created filled in, and which are held back, each with the reason that is really
theirs: a store refused by AWS is not someone else's change to the function.
"""

from __future__ import annotations

from collections.abc import Mapping

from publisher.core.associations import DistributionPlan
from publisher.core.modes import Action, Ref
from publisher.core.outcome import Halt, Outcome, Stop
from publisher.core.plan import FunctionPlan, Plan
from publisher.core.store_plan import StorePlan


def ready(plan: Plan, outcomes: Mapping[Ref, Outcome]) -> tuple[list[FunctionPlan], dict[Ref, Outcome]]:
    """The functions whose writes may start now that their stores' are done, and the held-back ones."""
    go: list[FunctionPlan] = []
    held: dict[Ref, Outcome] = {}
    for fp in plan.functions:
        if not fp.carried or fp.error:
            continue
        store = plan.store_of(fp)
        outcome = outcomes.get(store.ref, Outcome()) if store else Outcome()
        why = _holds_back(store, outcome) if store else ""
        if why:
            step = f"Fix what stopped KeyValueStore `{fp.spec.store_name}` and re-run; LIVE still serves what it served."
            held[fp.ref] = Outcome(stop=Stop(Halt.HELD, f"{why}; not synced, not published", next_step=step))
        else:
            go.append(fp.with_store_arn(outcome.arn) if outcome.arn else fp)
    return go, held


def _holds_back(store: StorePlan, outcome: Outcome) -> str:
    name = f"KeyValueStore `{store.name}`"
    if store.error:
        return f"{name}: {store.error}"
    if outcome.stop is not None:
        return f"{name} {outcome.stop.halt}: {outcome.stop.message}"
    if store.state is None and not outcome.arn:
        return f"{name} does not exist yet and this run did not create it"
    return ""


def attachable(
    plan: Plan, outcomes: Mapping[Ref, Outcome]
) -> tuple[list[tuple[DistributionPlan, str]], dict[Ref, Outcome]]:
    """The distributions whose writes may start now that the functions are done, each cut to the slots
    whose function is LIVE as reviewed (with a note of what was left out), and the held-back ones."""
    go: list[tuple[DistributionPlan, str]] = []
    held: dict[Ref, Outcome] = {}
    for dp in plan.distributions:
        if not dp.carried or dp.error:
            continue
        why = {ref: _not_live(plan, ref, outcomes) for ref in sorted(dp.attaching)}
        why = {ref: reason for ref, reason in why.items() if reason}
        cut = dp.without(set(why))
        note = "; ".join(f"`{ref}` not attached: {reason}" for ref, reason in why.items())
        if cut.carried:
            go.append((cut, note))
        else:
            step = "Fix what stopped those functions and re-run; the distribution serves what it served."
            held[dp.ref] = Outcome(stop=Stop(Halt.HELD, f"{note}; nothing written", next_step=step))
    return go, held


def _not_live(plan: Plan, ref: Ref, outcomes: Mapping[Ref, Outcome]) -> str:
    """Why a function may not be attached yet: its plan failed, or its publish did not take effect."""
    fp = next((fp for fp in plan.functions if fp.ref == ref), None)
    if fp is None:  # a rollback attaching again what ran there: its LIVE is not this run's to change
        return ""
    outcome = outcomes.get(fp.ref, Outcome())
    if fp.error:
        return fp.error
    if outcome.stop is not None:
        return f"{outcome.stop.halt}: {outcome.stop.message}"
    if Action.PUBLISH in fp.actions and Action.PUBLISH not in outcome.done:
        return "its publish did not take effect"
    return ""


def deletable(plan: Plan, outcomes: Mapping[Ref, Outcome]) -> tuple[list[FunctionPlan], dict[Ref, Outcome]]:
    """The retired functions that may be deleted now that the distribution writes are done: each once
    every write that detaches it took effect; the others held back with that write's reason."""
    go: list[FunctionPlan] = []
    held: dict[Ref, Outcome] = {}
    for fp in plan.functions:
        if Action.DELETE not in fp.carried:
            continue
        detaching = [
            dp for dp in plan.distributions if any(c.old == fp.name and c.kind is fp.kind for c in dp.changes)
        ]
        why = [_not_detached(dp, outcomes.get(dp.ref, Outcome())) for dp in detaching]
        why = [w for w in why if w]
        if why:
            step = "Detach it there (or fix what stopped the write) and re-run; nothing was deleted."
            message = f"still attached: {'; '.join(why)}; not deleted"
            held[fp.ref] = Outcome(stop=Stop(Halt.HELD, message, next_step=step))
        else:
            go.append(fp)
    return go, held


def _not_detached(dp: DistributionPlan, outcome: Outcome) -> str:
    if not dp.carried:
        return f"distribution {dp.name} was not written"
    if outcome.stop is not None and outcome.stop.halt is not Halt.CONFLICT:
        return f"distribution {dp.name} {outcome.stop.halt}: {outcome.stop.message}"
    if Action.DETACH not in outcome.done:
        return f"distribution {dp.name} was not written"
    return ""
