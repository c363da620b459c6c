"""What makes a throwaway preview copy this project's own, and so reclaimable: decided here, no I/O.

A preview creates `<function>-preview-<run>` (shell/preview.py) with the function's code and config,
its comment replaced by a marker naming the function. A copy left behind by a killed run or an
unanswered delete is taken over and deleted by the next preview of the same name, but only when it is
provably such a leftover: never published (no LIVE stage) and carrying the marker. Anything else at
that name is someone's function: it is neither updated nor deleted, and the preview says why.
"""

from __future__ import annotations

from dataclasses import replace

from publisher.core.model import FunctionConfig
from publisher.core.port import FunctionSummary

MARK = "cloudfront-publish preview copy of"


def marker(function: str) -> str:
    """The comment of a preview copy of `function` (at most 128 characters: names are at most 64)."""
    return f"{MARK} {function}; deleted after its tests"


def copy_config(function: str, config: FunctionConfig) -> FunctionConfig:
    """The copy's config: the function's own (runtime, store), with the marker as its comment."""
    return replace(config, comment=marker(function))


def not_a_leftover(
    name: str, function: str, development: FunctionSummary | None, live: FunctionSummary | None
) -> str:
    """Why the function found at the copy's name is not this preview's leftover; "" when it is (or is gone)."""
    if development is None:
        return ""
    if live is not None:
        why = "is published (it has a LIVE stage)"
    elif development.config.comment != marker(function):
        why = f"does not carry the preview's marker comment ({marker(function)!r})"
    else:
        return ""
    return (
        f"`{name}` already exists and {why}: it is not a leftover of this preview, so it was neither "
        "taken over nor deleted. Rename or delete it, or preview under another run id, then re-run."
    )
