"""Throwaway preview functions: how a preview names and marks them, which one a preview may take over,
and which ones a clean-up may delete.

A throwaway carries two signs, both written once here: its name, `<function>-preview-<run id>`, and
its comment, `cloudfront-publish preview <run id>: throwaway copy of <function>`. The comment is the
marker because ListFunctions answers it for every function in one pass, and it needs no permission
beyond CreateFunction (a tag would need TagResource and a ListTagsForResource per function). A
preview takes over (updates, then deletes) a function at its copy's name only when it is provably
its own leftover: never published and marked for this function and run (`not_a_leftover`). A
clean-up deletes only what carries both signs, was never published, and the manifest does not name.
No I/O.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from publisher.core.model import FunctionConfig
from publisher.core.port import FunctionSummary

NAME_MARK = "-preview-"
NAME_LIMIT = 64
SUFFIX_LIMIT = 24
MARKER = "cloudfront-publish preview"
RUN_ID_PATTERN = r"^[A-Za-z0-9_-]{1,40}$"
_MARKED = re.compile(rf"^{re.escape(MARKER)} ([A-Za-z0-9_-]{{1,40}}): throwaway copy of ")


def preview_name(function: str, run_id: str) -> str:
    """A name within the 64-character limit; a hash keeps two long names that share a prefix apart."""
    suffix = f"{NAME_MARK}{run_id}"[:SUFFIX_LIMIT]
    name = f"{function}{suffix}"
    if len(name) <= NAME_LIMIT:
        return name
    digest = hashlib.sha256(function.encode()).hexdigest()[:6]
    return f"{function[: NAME_LIMIT - len(suffix) - 7]}-{digest}{suffix}"


def marked(config: FunctionConfig, function: str, run_id: str) -> FunctionConfig:
    """The throwaway's config: the function's runtime and store, the project's marker as its comment."""
    comment = f"{MARKER} {run_id}: throwaway copy of {function}"[:128]
    return FunctionConfig(comment, config.runtime, config.key_value_store_arns)


def not_a_leftover(
    name: str, function: str, run_id: str, development: FunctionSummary | None, live: FunctionSummary | None
) -> str:
    """Why the function found at the copy's name is not this preview's leftover; "" when it is (or is gone)."""
    if development is None:
        return ""
    expected = marked(development.config, function, run_id).comment
    if live is not None:
        why = "is published (it has a LIVE stage)"
    elif development.config.comment != expected:
        why = f"does not carry the preview's marker comment ({expected!r})"
    else:
        return ""
    return (
        f"`{name}` already exists and {why}: it is not a leftover of this preview, so it was neither "
        "taken over nor deleted. Rename or delete it, or preview under another run id, then re-run."
    )


def run_of(name: str, comment: str) -> str | None:
    """The run id of a throwaway this project made (name pattern and marker agree), else None."""
    found = _MARKED.match(comment)
    if found is None or NAME_MARK not in name:
        return None
    run_id = found.group(1)
    return run_id if name.endswith(f"{NAME_MARK}{run_id}"[:SUFFIX_LIMIT]) else None


@dataclass(frozen=True)
class Listed:
    """A function as the DEVELOPMENT listing shows it: enough to judge whether it is a throwaway."""

    name: str
    comment: str
    modified: datetime | None = None


@dataclass(frozen=True)
class Selection:
    """The throwaways to delete, and the functions that look like one but are kept, each with why."""

    delete: tuple[str, ...]
    kept: tuple[tuple[str, str], ...]


def select(
    listed: Iterable[Listed],
    published: Collection[str],
    managed: Collection[str],
    *,
    run_id: str | None,
    older_than: timedelta | None,
    now: datetime,
) -> Selection:
    """The throwaways of one run (`run_id`) and/or every throwaway older than `older_than`."""
    delete: list[str] = []
    kept: list[tuple[str, str]] = []
    for fn in sorted(listed, key=lambda f: f.name):
        why = _keep(fn, published, managed, run_id=run_id, older_than=older_than, now=now)
        if why is None:
            delete.append(fn.name)
        elif why:
            kept.append((fn.name, why))
    return Selection(tuple(delete), tuple(kept))


def _keep(
    fn: Listed,
    published: Collection[str],
    managed: Collection[str],
    *,
    run_id: str | None,
    older_than: timedelta | None,
    now: datetime,
) -> str | None:
    """None: delete it; "": not a throwaway at all, say nothing; otherwise why it is kept."""
    owner = run_of(fn.name, fn.comment)
    if owner is None:
        return "named like a preview but without the project's marker" if NAME_MARK in fn.name else ""
    if fn.name in managed:
        return "the manifest names it"
    if fn.name in published:
        return "it was published"
    if run_id is not None and owner == run_id:
        return None
    if older_than is not None and fn.modified is not None and now - fn.modified > older_than:
        return None
    if older_than is not None and fn.modified is None:
        return "its age is unknown"
    return ""


OLDER_THAN_LIMIT = 24 * 365  # hours


def cleanup_problems(
    run_id: str | None, older_than_hours: float | None, *, run_from: str, age_from: str
) -> list[str]:
    """What is wrong with a clean-up's request, on either surface (`run_from`, `age_from`: how the
    user gave each, e.g. `--run-id` or "the pull request's number")."""
    if run_id is None and older_than_hours is None:
        return [f"give {run_from}, {age_from}, or both"]
    problems = []
    if run_id is not None and not re.match(RUN_ID_PATTERN, run_id):
        problems.append(f"{run_from} must be 1 to 40 letters, digits, `-` or `_` (got {run_id!r})")
    if older_than_hours is not None and not 0 <= older_than_hours <= OLDER_THAN_LIMIT:
        problems.append(f"{age_from} must be between 0 and {OLDER_THAN_LIMIT} hours")
    return problems


def is_throwaway(name: str, comment: str) -> bool:
    return run_of(name, comment) is not None
