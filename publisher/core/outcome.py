"""Plan + what took effect → Result: the statuses, next steps and distributions a person reads."""

from __future__ import annotations

from dataclasses import dataclass, field

from publisher.core.distributions import usage_by_function
from publisher.core.model import Distribution
from publisher.core.plan import FunctionPlan, Mode, Plan
from publisher.core.result import (
    BehaviourReport,
    DistributionReport,
    FunctionResult,
    Result,
    Status,
    TestReport,
    UsageReport,
)

NEXT_STEP = {
    Status.CONFLICT: "Someone else changed DEVELOPMENT during this run. Review their change, "
    "then re-run to sync and publish the repository's code.",
    Status.BLOCKED: "Fix the function or its test cases; LIVE still serves the code it served before.",
}


@dataclass
class Outcome:
    """What happened to one function, filled in as the writes go, so a failure still tells what took effect."""

    status: Status | None = None
    error: str = ""
    done: list[str] = field(default_factory=list)
    development_etag: str | None = None
    backup: str = ""
    tests: list[TestReport] = field(default_factory=list)
    reconciled: list[str] = field(default_factory=list)
    unanswered: str = ""  # a write that failed with no answer: it may have taken effect (the operation)


def settled(fp: FunctionPlan, mode: Mode, outcome: Outcome) -> Status:
    if outcome.status is not None:
        return outcome.status
    if fp.error:
        return Status.FAILED
    if mode in (Mode.PLAN, Mode.PREVIEW):
        return Status.PLANNED if fp.writes else Status.UNCHANGED
    for action, status in (
        ("publish", Status.PUBLISHED),
        ("create", Status.CREATED),
        ("update", Status.UPDATED),
    ):
        if action in outcome.done:
            return status
    return Status.UNCHANGED


def function_result(
    fp: FunctionPlan, mode: Mode, outcome: Outcome, usage: list[UsageReport]
) -> FunctionResult:
    status = settled(fp, mode, outcome)
    dev, live = fp.state.development, fp.state.live
    reason = fp.reason
    if mode is Mode.SYNC and "publish" in fp.actions and status is not Status.FAILED:
        reason += " (sync mode does not publish)"
    if outcome.reconciled:
        reason += f"; {' and '.join(outcome.reconciled)} confirmed by re-reading after a lost answer"
    return FunctionResult(
        name=fp.name,
        status=status,
        actions=[a.value for a in fp.actions],
        done=list(outcome.done),
        reason=reason,
        error=outcome.error or (fp.error or ""),
        next_step=NEXT_STEP.get(status, "")
        if status is not Status.FAILED
        else _next_for_failure(outcome, fp),
        runtime=fp.target.config.runtime if fp.target else (dev.config.runtime if dev else ""),
        code_size=len(fp.target.code) if fp.target else 0,
        arn=dev.arn if dev else "",
        development_etag=[dev.etag if dev else None, outcome.development_etag or (dev.etag if dev else None)],
        live_etag=[
            live.etag if live else None,
            None if "publish" in outcome.done else (live.etag if live else None),
        ],
        repo_diff=fp.repo_diff,
        live_diff=fp.live_diff,
        backup=outcome.backup,
        tests=outcome.tests,
        used_by=usage,
    )


def _next_for_failure(outcome: Outcome, fp: FunctionPlan) -> str:
    if fp.error:
        return "Fix the manifest entry (or create the function) and re-run."
    if outcome.unanswered:
        before = f"{', '.join(outcome.done)} took effect, then " if outcome.done else ""
        return f"{before}{outcome.unanswered} got no answer and may have taken effect; re-run to finish."
    if outcome.done:
        return f"{', '.join(outcome.done)} took effect before the failure; re-run to finish."
    return "Nothing was written for this function; re-run once the cause is fixed."


def assemble(
    plan: Plan,
    mode: Mode,
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
        reports = [
            UsageReport(
                distribution=u.distribution.id,
                behaviours=[
                    BehaviourReport(path_pattern=b.path_pattern, event_type=b.event_type)
                    for b in u.behaviours
                ],
            )
            for u in uses
        ]
        functions.append(function_result(fp, mode, outcomes.get(fp.name, Outcome()), reports))
        for u in uses:
            serving.setdefault(u.distribution.id, (u.distribution, []))[1].append(fp.name)
    published = {f.name for f in functions if "publish" in f.done}
    dists = [
        DistributionReport(
            id=d.id,
            domain=d.domain,
            aliases=list(d.aliases),
            # the scan ran beside the writes; a publish starts a redeploy of every distribution running it
            status="InProgress" if published & set(names) else d.status,
            enabled=d.enabled,
            functions=names,
        )
        for d, names in serving.values()
    ]
    used_backups = any(f.backup for f in functions)
    return Result(
        mode=mode.value,
        functions=functions,
        distributions=dists,
        backup_dir=backup_dir if used_backups else "",
        other_functions=list(plan.observed.other_functions),
        warnings=warnings or [],
    )
