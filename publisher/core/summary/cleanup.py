"""The job summary of the Action's `cleanup` mode: what was deleted, what failed, what was kept and
why. Function names follow the API's pattern; AWS messages and reasons go through `cell`. No I/O."""

from __future__ import annotations

from collections.abc import Sequence

from publisher.core.summary.markdown import cell

TITLE = "## CloudFront preview clean-up"


def cleanup_summary(
    done: Sequence[tuple[str, str, str]],
    kept: Sequence[tuple[str, str]],
    *,
    run_id: str | None,
    older_than_hours: float | None,
) -> str:
    """`done`: (function, status, message) per throwaway judged; `kept`: (function, why)."""
    asked = [f"the throwaways of `{run_id}`"] if run_id else []
    asked += (
        [f"every throwaway older than {older_than_hours:g} hours"] if older_than_hours is not None else []
    )
    deleted = sum(status == "deleted" for _, status, _ in done)
    lines = [TITLE, "", f"Asked for {' and '.join(asked)}: {deleted} deleted, {len(kept)} kept.", ""]
    if done:
        lines += ["| Function | Result | Detail |", "| --- | --- | --- |"]
        lines += [f"| `{cell(name)}` | {status} | {cell(message)} |" for name, status, message in done]
        lines.append("")
    if kept:
        lines += ["| Kept | Why |", "| --- | --- |"]
        lines += [f"| `{cell(name)}` | {cell(why)} |" for name, why in kept]
        lines.append("")
    if not done and not kept:
        lines += ["No throwaway preview function to delete.", ""]
    return "\n".join(lines)
