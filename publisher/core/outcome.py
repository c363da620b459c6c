"""Plan + what took effect → Result: every resource's status, decided here once, with its next step."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from publisher.core.associations import DistributionPlan
from publisher.core.distribution_config import SlotChange, shown_path
from publisher.core.distributions import Usage, usage_by_function
from publisher.core.manifest import FunctionSpec, Manifest
from publisher.core.model import Distribution
from publisher.core.modes import Action, Kind, Mode, Ref
from publisher.core.plan import FunctionPlan, Plan
from publisher.core.result import (
    AssociationChange,
    BehaviourReport,
    DistributionReport,
    DistributionResult,
    FunctionResult,
    KeyReport,
    Result,
    Status,
    StoreResult,
    TestReport,
    UsageReport,
)
from publisher.core.store_plan import StorePlan
from publisher.core.stores import shown


class Halt(StrEnum):
    """Why a function's writes stopped short of the plan."""

    CONFLICT = "conflict"  # someone else changed DEVELOPMENT: nothing of theirs was overwritten
    BLOCKED = "blocked"  # a test failed: LIVE still serves what it served
    FAILED = "failed"  # AWS refused or did not answer
    CANCELLED = "cancelled"  # a signal: no new write started
    HELD = "held back"  # a resource it depends on did not get its writes: none of its own started


@dataclass(frozen=True)
class Stop:
    halt: Halt
    message: str
    unanswered: str = ""  # a write that got no answer and may have taken effect (its operation)
    next_step: str = ""  # when the halt's own next step would mislead


@dataclass(frozen=True)
class Outcome:
    """What took effect for one resource: facts the applier saw, not a verdict."""

    done: tuple[Action, ...] = ()
    reconciled: tuple[Action, ...] = ()  # confirmed by re-reading after a lost answer
    etag: str | None = None  # after this run: a function's DEVELOPMENT, a store's
    backup: str = ""  # what this run's write replaced, saved first
    live_moved: str = ""  # a function: the ETag of the LIVE replaced when it was not the one the plan saw
    tests: tuple[TestReport, ...] = ()
    stop: Stop | None = None
    arn: str = ""  # a resource this run created
    partial: str = ""  # part of a write took effect before it stopped, e.g. "100 of 120 key changes"
    theirs: tuple[str, ...] = ()  # a store: keys someone else changed during the run, kept as they left them
    note: str = ""  # what the report must add to the plan's reason (e.g. what a preview could not test)
    slots: tuple[SlotChange, ...] = ()  # a distribution: the association changes written
    conflicts: tuple[str, ...] = ()  # a distribution: slots someone else changed, both sides


class Planned(Protocol):
    """A resource's row of the plan, whatever its kind."""

    @property
    def name(self) -> str: ...

    @property
    def ref(self) -> Ref: ...

    @property
    def actions(self) -> tuple[Action, ...]: ...

    @property
    def error(self) -> str | None: ...

    @property
    def conflict(self) -> bool: ...  # its error is someone else's change, found while planning


STATUS = {
    Halt.CONFLICT: Status.CONFLICT,
    Halt.BLOCKED: Status.BLOCKED,
    Halt.FAILED: Status.FAILED,
    Halt.CANCELLED: Status.FAILED,
    Halt.HELD: Status.BLOCKED,
}
DONE_STATUS = (
    (Action.DELETE, Status.DELETED),
    (Action.PUBLISH, Status.PUBLISHED),
    (Action.CREATE, Status.CREATED),
    (Action.UPDATE, Status.UPDATED),
    (Action.UPDATE_KEYS, Status.UPDATED),
    (Action.ATTACH, Status.UPDATED),
    (Action.DETACH, Status.UPDATED),
    (Action.TAG, Status.UPDATED),
    (Action.UNTAG, Status.UPDATED),
)
NEXT_STEP = {
    Status.CONFLICT: "Someone else changed DEVELOPMENT during this run. Review their change, "
    "then re-run to sync and publish the repository's code.",
    Status.BLOCKED: "Fix the function or its test cases; LIVE still serves the code it served before.",
}
STORE_NEXT_STEP = {
    Status.CONFLICT: "Someone else changed keys of this store during the run; its functions were not "
    "published. Review their change (keep it in the data file if it should stay), then re-run.",
}
ROLLBACK_NEXT_STEP = {  # a rollback's conflict: DEVELOPMENT holds someone else's work, LIVE is unchanged
    **NEXT_STEP,
    Status.CONFLICT: "Someone else's change is on DEVELOPMENT. Ask them to publish or discard it, then "
    "re-run the rollback; LIVE still serves what it served.",
}


def gate_failure(tests: tuple[TestReport, ...], where: str = "") -> str:
    """ "2 of 3 tests failed (a, b)", or "" when all passed: the one wording of a gate that blocks."""
    failed = [t.name for t in tests if not t.passed]
    if not failed:
        return ""
    return f"{len(failed)} of {len(tests)} tests failed{where} ({', '.join(failed)})"


def status_of(item: Planned, mode: Mode, outcome: Outcome) -> Status:
    """The one place a status is decided, for every kind of resource."""
    if outcome.stop is not None:
        return STATUS[outcome.stop.halt]
    if item.error:
        return Status.CONFLICT if item.conflict else Status.FAILED
    if not item.actions:
        return Status.UNCHANGED
    if mode.planning:
        return Status.PLANNED
    return next((status for action, status in DONE_STATUS if action in outcome.done), Status.UNCHANGED)


def next_step(status: Status, outcome: Outcome, item: Planned, steps: Mapping[Status, str]) -> str:
    if outcome.stop and outcome.stop.next_step:
        return outcome.stop.next_step
    if status is Status.FAILED:
        return _next_for_failure(outcome, item)
    return steps.get(status, "")


def function_result(
    fp: FunctionPlan, mode: Mode, outcome: Outcome, usage: list[UsageReport]
) -> FunctionResult:
    status = status_of(fp, mode, outcome)
    dev, live = fp.state.development, fp.state.live
    reason = fp.reason
    if fp.spec.restored_from and fp.writes:
        reason = f"restore {fp.spec.restored_from}: {reason}"
    if Action.PUBLISH in fp.actions and Action.PUBLISH not in fp.carried and not mode.planning:
        reason += f" ({mode} mode does not publish)"
    if outcome.reconciled:
        reason += f"; {' and '.join(outcome.reconciled)} confirmed by re-reading after a lost answer"
    if outcome.note:
        reason += f"; {outcome.note}"
    if outcome.live_moved:
        reason += f"; LIVE changed during the run (ETag {live.etag if live else 'none'} → {outcome.live_moved}), and that is what the backup holds"
    published = Action.PUBLISH in outcome.done
    return FunctionResult(
        **_fields(fp, status, outcome, ROLLBACK_NEXT_STEP if fp.spec.restored_from else NEXT_STEP),
        kind=fp.kind,
        reason=reason,
        runtime=fp.target.config.runtime if fp.target else (dev.config.runtime if dev else ""),
        code_size=len(fp.target.code) if fp.target else 0,
        arn=dev.arn if dev else "",
        development_etag=[dev.etag if dev else None, outcome.etag or (dev.etag if dev else None)],
        live_etag=[live.etag if live else None, None if published else (live.etag if live else None)],
        repo_diff=fp.repo_diff,
        live_diff=fp.live_diff,
        restored_from=fp.spec.restored_from,
        tests=list(outcome.tests),
        used_by=usage,
    )


def _next_for_failure(outcome: Outcome, item: Planned) -> str:
    if item.error:
        return "Fix the manifest entry (or create the resource) and re-run."
    done = ", ".join(outcome.done)
    if outcome.partial:
        return f"{outcome.partial} took effect before the failure (the backup holds what they replaced); re-run to finish."
    if outcome.stop and outcome.stop.unanswered:
        before = f"{done} took effect, then " if done else ""
        return f"{before}{outcome.stop.unanswered} got no answer and may have taken effect; re-run to finish."
    if done:
        return f"{done} took effect before the failure; re-run to finish."
    return f"Nothing was written for this {item.ref.kind.noun}; re-run once the cause is fixed."


def _fields(item: Planned, status: Status, outcome: Outcome, steps: Mapping[Status, str]) -> dict[str, Any]:
    """What every kind of resource reports alike: its name, writes, error, next step and backup."""
    return {
        "name": item.name,
        "status": status,
        "actions": [a.value for a in item.actions],
        "done": [a.value for a in outcome.done],
        "error": outcome.stop.message if outcome.stop else (item.error or ""),
        "next_step": next_step(status, outcome, item, steps),
        "backup": outcome.backup,
    }


def store_result(sp: StorePlan, mode: Mode, outcome: Outcome, readers: list[str]) -> StoreResult:
    sensitive, held = sp.spec.sensitive, sp.held
    status = status_of(sp, mode, outcome)
    puts = sp.changes.puts
    reason = sp.reason
    if outcome.theirs:
        keys = ", ".join(f"`{k}`" for k in outcome.theirs[:5]) + (" …" if len(outcome.theirs) > 5 else "")
        reason += f"; someone else changed {keys} during this run: kept as they left them"
    if outcome.partial:
        reason += f"; {outcome.partial} took effect before it stopped"
    return StoreResult(
        **_fields(sp, status, outcome, STORE_NEXT_STEP),
        reason=reason,
        arn=outcome.arn or (sp.state.arn if sp.state else ""),
        sensitive=sensitive,
        etag=[sp.state.etag if sp.state else None, outcome.etag or (sp.state.etag if sp.state else None)],
        added=[KeyReport(key=k, new=shown(puts[k], sensitive)) for k in sp.added],
        changed=[
            KeyReport(key=k, old=shown(held[k], sensitive), new=shown(puts[k], sensitive)) for k in sp.changed
        ],
        deleted=[KeyReport(key=k, old=shown(held[k], sensitive)) for k in sp.changes.deletes],
        theirs=list(outcome.theirs),
        functions=readers,
    )


DISTRIBUTION_NEXT_STEP = {
    Status.CONFLICT: "Someone else changed these cache behaviours during the run; nothing was written "
    "there. Review their change (list the function in the manifest, or detach it), then re-run.",
}


def distribution_result(dp: DistributionPlan, mode: Mode, outcome: Outcome) -> DistributionResult:
    status = status_of(dp, mode, outcome)
    written = dp.changes if mode.planning else outcome.slots
    reason = dp.reason
    if dp.actions and not dp.carried and not mode.planning and not dp.error:
        reason += f" ({mode} mode does not attach: CloudFront attaches only LIVE)"
    if outcome.note:
        reason += f"; {outcome.note}"
    if outcome.reconciled:
        reason += "; confirmed by re-reading after a lost answer"
    return DistributionResult(
        **_fields(dp, status, outcome, DISTRIBUTION_NEXT_STEP),
        reason=reason,
        etag=[dp.read.etag, outcome.etag or dp.read.etag],
        changes=[
            AssociationChange(
                distribution=dp.name,
                behaviour=shown_path(c.path),
                event=c.event,
                function=name,
                action=action.value,
                kind=c.kind,
            )
            for c in written
            for action, name in c.rows()
        ],
        conflicts=list(outcome.conflicts),
    )


def assemble(
    plan: Plan,
    outcomes: Mapping[Ref, Outcome],
    distributions: tuple[Distribution, ...],
    *,
    backup_dir: str = "",
    warnings: list[str] | None = None,
) -> Result:
    """One Result for every resource of the plan, each status decided by `status_of`."""
    usage = usage_by_function(distributions)
    functions: list[FunctionResult] = []
    serving: dict[str, tuple[Distribution, list[str]]] = {}
    for fp in plan.functions:
        uses = usage.get(fp.used_as, ()) if fp.used_as else ()
        outcome = outcomes.get(fp.ref, Outcome())
        functions.append(function_result(fp, plan.mode, outcome, [_usage_report(u) for u in uses]))
        for u in uses:
            serving.setdefault(u.distribution.id, (u.distribution, []))[1].append(str(fp.ref))
    stores = [
        store_result(
            sp,
            plan.mode,
            outcomes.get(sp.ref, Outcome()),
            [str(fp.ref) for fp in plan.functions if fp.spec.store_name == sp.name],
        )
        for sp in plan.stores
    ]
    associations = [
        distribution_result(dp, plan.mode, outcomes.get(dp.ref, Outcome())) for dp in plan.distributions
    ]
    backed_up = any(r.backup for r in (*functions, *stores, *associations))
    return Result(
        mode=plan.mode,
        functions=functions,
        stores=stores,
        associations=associations,
        distributions=_distribution_reports(serving, functions),
        backup_dir=backup_dir if backed_up else "",
        other_functions=list(plan.observed.other_functions),
        warnings=warnings or [],
    )


def _usage_report(usage: Usage) -> UsageReport:
    behaviours = [
        BehaviourReport(path_pattern=b.path_pattern, event_type=b.event_type) for b in usage.behaviours
    ]
    return UsageReport(distribution=usage.distribution.id, behaviours=behaviours)


def _distribution_reports(
    serving: dict[str, tuple[Distribution, list[str]]], functions: list[FunctionResult]
) -> list[DistributionReport]:
    """A distribution serves new code when LIVE of one of its functions changed in this run (or,
    planning, would); the scan ran beside the writes, and a publish starts a redeploy of each."""
    published = {f.label for f in functions if f.published}
    planned = {f.label for f in functions if f.status is Status.PLANNED and Action.PUBLISH in f.actions}
    return [
        DistributionReport(
            id=d.id,
            domain=d.domain,
            aliases=list(d.aliases),
            status="InProgress" if published & set(names) else d.status,
            enabled=d.enabled,
            functions=names,
            new_code=bool((published | planned) & set(names)),
        )
        for d, names in serving.values()
    ]


def checked(manifest: Manifest) -> Result:
    """`check` mode: everything was validated while loading; say what was checked, function by function."""
    functions = [
        FunctionResult(
            kind=spec.kind,
            name=spec.name,
            status=Status.CHECKED,
            actions=[],
            reason=_what_was_checked(spec),
            runtime=spec.runtime or "",
            code_size=len(spec.code or b""),
        )
        for spec in manifest.functions
    ]
    return Result(mode=Mode.CHECK, functions=functions, warnings=list(manifest.warnings))


def _what_was_checked(spec: FunctionSpec) -> str:
    if spec.code is None:
        return "a bare name: DEVELOPMENT is its source, checked only against AWS"
    what = "connection object" if spec.kind is Kind.CONNECTION_FUNCTION else "event"
    tests = f", {len(spec.tests)} test {what}{'s' if len(spec.tests) != 1 else ''}" if spec.tests else ""
    return f"code ({len(spec.code):,} bytes) valid for {spec.runtime or 'the runtime AWS holds'}{tests}"
