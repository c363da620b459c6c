"""GitHub shows at most 1 MiB of summary per step: cut the diffs first, then, as a last resort, the text."""

from __future__ import annotations

from publisher.core.result import Result

SUMMARY_LIMIT = 1024 * 1024  # bytes per step: past it the runner drops the whole summary
_TRUNCATED = "\n\n*Summary truncated: GitHub shows at most 1 MiB per step.*\n"
CUT_NOTICE = (
    "> ⚠️ **The diffs below were cut to fit.** GitHub drops a step summary over 1 MiB, so each diff "
    "was shortened at a line boundary and ends with “… diff cut: N more lines”.\n\n"
)


def cut_diffs(result: Result, budget: int) -> Result:
    """The result with every diff (and test mismatch) cut to at most `budget` bytes."""
    functions = [
        f.model_copy(
            update={
                "repo_diff": cut(f.repo_diff, budget),
                "live_diff": cut(f.live_diff, budget),
                "tests": [t.model_copy(update={"mismatch": cut(t.mismatch, budget)}) for t in f.tests],
            }
        )
        for f in result.functions
    ]
    return result.model_copy(update={"functions": functions})


def cut(text: str, budget: int) -> str:
    """The whole lines of `text` that fit in `budget` UTF-8 bytes, then a line saying how many went."""
    if len(text.encode()) <= budget:
        return text
    lines = text.splitlines(keepends=True)
    kept, used = 0, 0
    while kept < len(lines) and used + len(lines[kept].encode()) <= budget:
        used += len(lines[kept].encode())
        kept += 1
    return "".join(lines[:kept]) + f"… diff cut: {len(lines) - kept:,} more lines\n"


def diff_count(result: Result) -> int:
    texts = [t for f in result.functions for t in (f.repo_diff, f.live_diff, *(x.mismatch for x in f.tests))]
    return sum(bool(t) for t in texts)


def fit_summary(markdown: str, limit: int = SUMMARY_LIMIT) -> str:
    """The markdown if it fits in `limit` UTF-8 bytes; else cut on a character boundary, with a note."""
    data = markdown.encode()
    if len(data) <= limit:
        return markdown
    room = max(limit - len(_TRUNCATED.encode()), 0)
    return data[:room].decode(errors="ignore") + _TRUNCATED  # drops only a character cut in two
