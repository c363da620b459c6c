"""Plan + what took effect → Result: each function's status, decided here once, with its next step."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from publisher.core.distributions import Usage, usage_by_function
from publisher.core.manifest import FunctionSpec, Manifest
from publisher.core.model import Distribution
from publisher.core.plan import Action, FunctionPlan, Mode, Plan
from publisher.core.result import (
    BehaviourReport,
    DistributionReport,
    FunctionResult,
    Result,
    Status,
    TestReport,
    UsageReport,
)


class Halt(StrEnum):
    """Why a function's writes stopped short of the plan."""

    CONFLICT = "conflict"  # someone else changed DEVELOPMENT: nothing of theirs was overwritten
    BLOCKED = "blocked"  # a test failed: LIVE still serves what it served
    FAILED = "failed"  # AWS refused or did not answer
    CANCELLED = "cancelled"  # a signal: no new write started


@dataclass(frozen=True)
class Stop:
    halt: Halt
    message: str
    unanswered: str = ""  # a write that got no answer and may have taken effect (its operation)


@dataclass(frozen=True)
class Outcome:
    """What took effect for one function: facts the applier saw, not a verdict."""

    done: tuple[Action, ...] = ()
    reconciled: tuple[Action, ...] = ()  # confirmed by re-reading after a lost answer
    development_etag: str | None = None
    backup: str = ""  # the saved LIVE copy this run's publish replaced
    live_moved: str = ""  # the ETag of that LIVE when it was not the one the plan saw
    tests: tuple[TestReport, ...] = ()
    stop: Stop | None = None


STATUS = {
    Halt.CONFLICT: Status.CONFLICT,
    Halt.BLOCKED: Status.BLOCKED,
    Halt.FAILED: Status.FAILED,
    Halt.CANCELLED: Status.FAILED,
}
DONE_STATUS = (
    (Action.PUBLISH, Status.PUBLISHED),
    (Action.CREATE, Status.CREATED),
    (Action.UPDATE, Status.UPDATED),
)
NEXT_STEP = {
    Status.CONFLICT: "Someone else changed DEVELOPMENT during this run. Review their change, "
    "then re-run to sync and publish the repository's code.",
    Status.BLOCKED: "Fix the function or its test cases; LIVE still serves the code it served before.",
}
ROLLBACK_CONFLICT = (  # a rollback's conflict: DEVELOPMENT holds someone else's work, LIVE is unchanged
    "Someone else's change is on DEVELOPMENT. Ask them to publish or discard it, then re-run the "
    "rollback; LIVE still serves what it served."
)


def gate_failure(tests: tuple[TestReport, ...], where: str = "") -> str:
    """ "2 of 3 tests failed (a, b)", or "" when all passed: the one wording of a gate that blocks."""
    failed = [t.name for t in tests if not t.passed]
    if not failed:
        return ""
    return f"{len(failed)} of {len(tests)} tests failed{where} ({', '.join(failed)})"


def status_of(fp: FunctionPlan, mode: Mode, outcome: Outcome) -> Status:
    if outcome.stop is not None:
        return STATUS[outcome.stop.halt]
    if fp.error:
        return Status.CONFLICT if fp.conflict else Status.FAILED
    if not fp.writes:
        return Status.UNCHANGED
    if mode in (Mode.CHECK, Mode.PLAN, Mode.PREVIEW):
        return Status.PLANNED
    return next((status for action, status in DONE_STATUS if action in outcome.done), Status.UNCHANGED)


def function_result(
    fp: FunctionPlan, mode: Mode, outcome: Outcome, usage: list[UsageReport]
) -> FunctionResult:
    status = status_of(fp, mode, outcome)
    dev, live = fp.state.development, fp.state.live
    reason = fp.reason
    if fp.spec.restored_from and fp.writes:
        reason = f"restore {fp.spec.restored_from}: {reason}"
    if Action.PUBLISH in fp.actions and Action.PUBLISH not in fp.carried and mode is Mode.SYNC:
        reason += " (sync mode does not publish)"
    if outcome.reconciled:
        reason += f"; {' and '.join(outcome.reconciled)} confirmed by re-reading after a lost answer"
    if outcome.live_moved:
        reason += f"; LIVE changed during the run (ETag {live.etag if live else 'none'} → {outcome.live_moved}), and that is what the backup holds"
    published = Action.PUBLISH in outcome.done
    return FunctionResult(
        name=fp.name,
        status=status,
        actions=[a.value for a in fp.actions],
        done=[a.value for a in outcome.done],
        reason=reason,
        error=outcome.stop.message if outcome.stop else (fp.error or ""),
        next_step=_next_step(status, outcome, fp),
        runtime=fp.target.config.runtime if fp.target else (dev.config.runtime if dev else ""),
        code_size=len(fp.target.code) if fp.target else 0,
        arn=dev.arn if dev else "",
        development_etag=[dev.etag if dev else None, outcome.development_etag or (dev.etag if dev else None)],
        live_etag=[live.etag if live else None, None if published else (live.etag if live else None)],
        repo_diff=fp.repo_diff,
        live_diff=fp.live_diff,
        backup=outcome.backup,
        restored_from=fp.spec.restored_from,
        tests=list(outcome.tests),
        used_by=usage,
    )


def _next_step(status: Status, outcome: Outcome, fp: FunctionPlan) -> str:
    if status is Status.FAILED:
        return _next_for_failure(outcome, fp)
    if status is Status.CONFLICT and fp.spec.restored_from:
        return ROLLBACK_CONFLICT
    return NEXT_STEP.get(status, "")


def _next_for_failure(outcome: Outcome, fp: FunctionPlan) -> str:
    if fp.error:
        return "Fix the manifest entry (or create the function) and re-run."
    done = ", ".join(outcome.done)
    if outcome.stop and outcome.stop.unanswered:
        before = f"{done} took effect, then " if done else ""
        return f"{before}{outcome.stop.unanswered} got no answer and may have taken effect; re-run to finish."
    if done:
        return f"{done} took effect before the failure; re-run to finish."
    return "Nothing was written for this function; re-run once the cause is fixed."


def assemble(
    plan: Plan,
    outcomes: dict[str, Outcome],
    distributions: tuple[Distribution, ...],
    *,
    backup_dir: str = "",
    warnings: list[str] | None = None,
) -> Result:
    usage = usage_by_function(distributions)
    functions: list[FunctionResult] = []
    serving: dict[str, tuple[Distribution, list[str]]] = {}
    for fp in plan.functions:
        arn = fp.state.development.arn if fp.state.development else ""
        uses = usage.get(arn, ()) if arn else ()
        outcome = outcomes.get(fp.name, Outcome())
        functions.append(function_result(fp, plan.mode, outcome, [_usage_report(u) for u in uses]))
        for u in uses:
            serving.setdefault(u.distribution.id, (u.distribution, []))[1].append(fp.name)
    return Result(
        mode=plan.mode.value,
        functions=functions,
        distributions=_distribution_reports(serving, functions),
        backup_dir=backup_dir if any(f.backup for f in functions) else "",
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
    published = {f.name for f in functions if "publish" in f.done}
    planned = {f.name for f in functions if f.status is Status.PLANNED and "publish" in f.actions}
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
            name=spec.name,
            status=Status.CHECKED,
            actions=[],
            reason=_what_was_checked(spec),
            runtime=spec.runtime or "",
            code_size=len(spec.code or b""),
        )
        for spec in manifest.functions
    ]
    return Result(mode=Mode.CHECK.value, functions=functions, warnings=list(manifest.warnings))


def _what_was_checked(spec: FunctionSpec) -> str:
    if spec.code is None:
        return "a bare name: DEVELOPMENT is its source, checked only against AWS"
    tests = f", {len(spec.tests)} test event{'s' if len(spec.tests) != 1 else ''}" if spec.tests else ""
    return f"code ({len(spec.code):,} bytes) valid for {spec.runtime or 'the runtime AWS holds'}{tests}"
