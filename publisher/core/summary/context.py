"""The context every summary template gets; docs/summary-context.md documents each key."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote

from publisher.core.model import CODE_LIMIT
from publisher.core.report import totals
from publisher.core.result import FunctionResult, Result, Status

PLANNING = ("check", "plan", "preview")
RUN_VARIABLES = {
    "sha": "GITHUB_SHA",
    "ref": "GITHUB_REF",
    "actor": "GITHUB_ACTOR",
    "event": "GITHUB_EVENT_NAME",
    "repository": "GITHUB_REPOSITORY",
    "server_url": "GITHUB_SERVER_URL",
    "run_id": "GITHUB_RUN_ID",
}
EMOJI = {
    Status.CREATED: "🆕",
    Status.UPDATED: "✏️",
    Status.PUBLISHED: "✅",
    Status.UNCHANGED: "⚪",
    Status.PLANNED: "📝",
    Status.CHECKED: "✔️",
    Status.BLOCKED: "⛔",
    Status.CONFLICT: "⚠️",
    Status.FAILED: "❌",
    Status.ROLLED_BACK: "↩️",
}


def console_url(distribution_id: str) -> str:
    """The distribution in the CloudFront console (a global service: no region in the address)."""
    return (
        f"https://console.aws.amazon.com/cloudfront/v4/home#/distributions/{quote(distribution_id, safe='')}"
    )


def summary_context(result: Result, run: Mapping[str, str], *, diffs_cut: bool = False) -> dict[str, object]:
    """What every template gets; docs/summary-context.md documents each key."""
    return {
        "result": _result_context(result),
        "run": _run_context(run),
        "console_url": console_url,
        "code_limit": CODE_LIMIT,
        "diffs_cut": diffs_cut,
    }


def _result_context(result: Result) -> dict[str, object]:
    data = result.model_dump(mode="json")
    data["functions"] = [_function_context(f) for f in result.functions]
    data["distributions"] = [
        {**d.model_dump(mode="json"), "url": console_url(d.id), "uses": _uses(result, d.id)}
        for d in result.distributions
    ]
    if result.wait is not None:
        data["wait"]["minutes"] = f"{result.wait.timeout_minutes:g}"
    planned = [f for f in result.functions if f.status is Status.PLANNED]
    data.update(
        planning=result.mode in PLANNING,
        changed=result.changed,
        published=result.published,
        failed=result.failed,
        rolled_back=result.rolled_back,
        counts={s.value: len(result.named(s)) for s in Status},
        planned={a: [f.name for f in planned if a in f.actions] for a in ("create", "update", "publish")},
        totals=totals(result),
    )
    return data


def _function_context(f: FunctionResult) -> dict[str, object]:
    label = f"would {', '.join(f.actions)}" if f.status is Status.PLANNED else f.status.value
    return {**f.model_dump(mode="json"), "symbol": EMOJI[f.status], "label": label}


def _uses(result: Result, distribution_id: str) -> list[dict[str, object]]:
    """Which of this run's functions the distribution runs, where and on which event."""
    return [
        {"function": f.name, "path_pattern": b.path_pattern, "event_type": b.event_type}
        for f in result.functions
        for use in f.used_by
        if use.distribution == distribution_id
        for b in use.behaviours
    ]


def _run_context(environ: Mapping[str, str]) -> dict[str, str]:
    run = {key: environ.get(name, "") for key, name in RUN_VARIABLES.items()}
    base = f"{quote(run['server_url'], safe=':/')}/{quote(run['repository'], safe='/')}"
    whole = run["server_url"] and run["repository"]
    run["short_sha"] = run["sha"][:7]
    run["commit_url"] = f"{base}/commit/{quote(run['sha'], safe='')}" if whole and run["sha"] else ""
    run["run_url"] = f"{base}/actions/runs/{quote(run['run_id'], safe='')}" if whole and run["run_id"] else ""
    return run
