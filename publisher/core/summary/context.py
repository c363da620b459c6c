"""The context every summary template gets; docs/summary-context.md documents each key."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote

from publisher.core.limits import CODE_LIMIT
from publisher.core.modes import Action, Kind, Mode
from publisher.core.report import totals
from publisher.core.result import FunctionResult, Result, Status

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
    Status.DELETED: "🗑️",
}


CONSOLE = {"aws": "https://console.aws.amazon.com", "aws-cn": "https://console.amazonaws.cn"}


def partition(arn: str) -> str:
    """`aws-cn` from `arn:aws-cn:cloudfront::…`; `aws` when the ARN is empty or names no partition."""
    parts = arn.split(":")
    return parts[1] if len(parts) > 2 and parts[0] == "arn" and parts[1] else "aws"


def console_url(distribution_id: str, partition: str = "aws") -> str:
    """The distribution in the CloudFront console (a global service: no region in the address; China
    has a console of its own)."""
    return f"{_console(partition)}/distributions/{quote(distribution_id, safe='')}"


def function_console_url(name: str, partition: str = "aws") -> str:
    return f"{_console(partition)}/functions/{quote(name, safe='')}"


def _console(partition: str) -> str:
    return f"{CONSOLE.get(partition, CONSOLE['aws'])}/cloudfront/v4/home#"


def duration(seconds: float | None) -> str:
    """`0.8 s`, `42 s`, `2 min 5 s`; `""` when not measured."""
    if seconds is None:
        return ""
    if seconds < 10:
        return f"{seconds:.1f}\u00a0s"
    whole = round(seconds)
    return f"{whole // 60}\u00a0min {whole % 60}\u00a0s" if whole >= 60 else f"{whole}\u00a0s"


def summary_context(result: Result, run: Mapping[str, str], *, diffs_cut: bool = False) -> dict[str, object]:
    """What every template gets; docs/summary-context.md documents each key."""
    return {
        "result": _result_context(result),
        "run": _run_context(run),
        "console_url": console_url,
        "function_console_url": function_console_url,
        "code_limit": CODE_LIMIT,
        "diffs_cut": diffs_cut,
    }


def _result_context(result: Result) -> dict[str, object]:
    data = result.model_dump(mode="json")
    where = next((partition(f.arn) for f in result.functions if f.arn), "aws")
    data["functions"] = [_function_context(f, result.mode) for f in result.functions]
    uses = _uses(result)
    data["distributions"] = [
        {**d.model_dump(mode="json"), "url": console_url(d.id, where), "uses": uses.get(d.id, [])}
        for d in result.distributions
    ]
    if result.wait is not None:
        data["wait"]["minutes"] = f"{result.wait.timeout_minutes:g}"
    planned = [f for f in result.functions if f.status is Status.PLANNED]
    data.update(
        planning=result.mode is None or result.mode.planning,
        partition=where,
        changed=result.changed,
        unchanged=result.named(Status.UNCHANGED),
        untested=[f.label for f in result.functions if _untested(f, result.mode)],
        rolled_back=result.rolled_back,
        counts={s.value: len(result.named(s)) for s in Status},
        planned={a.value: [f.label for f in planned if a in f.actions] for a in Action},
        totals=totals(result),
        duration=duration(result.duration_seconds),
    )
    return data


def _function_context(f: FunctionResult, mode: Mode | None) -> dict[str, object]:
    label = f"would {', '.join(f.actions)}" if f.status is Status.PLANNED else f.status.value
    extra = f.repo_diff if f.live_diff and _body(f.repo_diff) != _body(f.live_diff) else ""
    return {
        **f.model_dump(mode="json"),
        "name": f.label,  # a connection function says its kind: it may share a viewer function's name
        "symbol": EMOJI[f.status],
        "label": label,
        "url": function_console_url(f.name, partition(f.arn)) if f.arn and f.kind is Kind.FUNCTION else "",
        "diff": f.live_diff or f.repo_diff,
        "diff_title": _diff_title(f),
        "sync_diff": extra,
        "untested": _untested(f, mode),
    }


def _diff_title(f: FunctionResult) -> str:
    if not f.live_diff:
        return "repository → DEVELOPMENT (LIVE already holds it)" if f.repo_diff else ""
    return "what LIVE became" if f.published else "what LIVE would become"


def _untested(f: FunctionResult, mode: Mode | None) -> bool:
    """Published (or, in a preview, about to be) with no test run: nothing checked the code before LIVE."""
    going_live = f.published or (mode is Mode.PREVIEW and "publish" in f.actions)
    return going_live and not f.tests


_HEADERS = {
    f"{sign} {label}{part}\n"
    for sign in ("---", "+++")
    for label in ("LIVE", "DEVELOPMENT", "repository")
    for part in ("", " (config)")
}


def _body(diff: str) -> list[str]:
    """A diff without its file labels: the repository → DEVELOPMENT diff reads the same as the LIVE one
    whenever DEVELOPMENT held what LIVE holds, and then only one is worth showing."""
    return [line for line in diff.splitlines(keepends=True) if line not in _HEADERS]


def _uses(result: Result) -> dict[str, list[dict[str, object]]]:
    """By distribution: which of this run's functions it runs, where and on which event. One pass, so
    that thousands of distributions cost thousands of steps, not millions."""
    index: dict[str, list[dict[str, object]]] = {}
    for f in result.functions:
        for use in f.used_by:
            index.setdefault(use.distribution, []).extend(
                {"function": f.label, "path_pattern": b.path_pattern, "event_type": b.event_type}
                for b in use.behaviours
            )
            if not use.behaviours:  # a connection function decides the whole distribution's connections
                index[use.distribution].append(
                    {"function": f.label, "path_pattern": "every connection", "event_type": "viewer mTLS"}
                )
    return index


def _run_context(environ: Mapping[str, str]) -> dict[str, str]:
    run = {key: environ.get(name, "") for key, name in RUN_VARIABLES.items()}
    base = f"{quote(run['server_url'], safe=':/')}/{quote(run['repository'], safe='/')}"
    whole = run["server_url"] and run["repository"]
    run["short_sha"] = run["sha"][:7]
    run["commit_url"] = f"{base}/commit/{quote(run['sha'], safe='')}" if whole and run["sha"] else ""
    run["run_url"] = f"{base}/actions/runs/{quote(run['run_id'], safe='')}" if whole and run["run_id"] else ""
    return run
