"""Which function at a preview copy's name is this preview's own leftover (core/throwaway.py): decided
from values alone."""

from __future__ import annotations

import pytest

from publisher.core.model import FunctionConfig
from publisher.core.port import FunctionSummary
from publisher.core.throwaway import marked, not_a_leftover

CONFIG = FunctionConfig("Send example.com to www", "cloudfront-js-2.0", ("arn:kvs",))


def marker(function: str, run_id: str = "pr7") -> str:
    return marked(CONFIG, function, run_id).comment


def summary(comment: str) -> FunctionSummary:
    return FunctionSummary("fn-preview-pr7", FunctionConfig(comment, "cloudfront-js-2.0"), "arn:fn", "", "E1")


def test_a_copy_keeps_the_functions_runtime_and_store_and_carries_the_marker() -> None:
    copy = marked(CONFIG, "redirect-www", "pr7")
    assert (copy.runtime, copy.key_value_store_arns) == (CONFIG.runtime, CONFIG.key_value_store_arns)
    assert copy.comment == marker("redirect-www") and len(marker("x" * 64, "r" * 40)) <= 128


@pytest.mark.parametrize(
    ("development", "live", "refused"),
    [
        (None, None, ""),  # nothing there: the name is free
        (summary(marker("fn")), None, ""),  # a leftover: marked, never published
        (summary(marker("fn")), summary(marker("fn")), "is published"),  # published since: someone's now
        (summary("fn"), None, "marker"),  # someone's unpublished function
        (summary(marker("other")), None, "marker"),  # a copy of another function
        (summary(marker("fn", "pr8")), None, "marker"),  # another pull request's copy
        (summary("fn"), summary("fn"), "is published"),
    ],
)
def test_only_a_marked_never_published_copy_is_reclaimed(
    development: FunctionSummary | None, live: FunctionSummary | None, refused: str
) -> None:
    why = not_a_leftover("fn-preview-pr7", "fn", "pr7", development, live)
    assert (refused in why) if refused else why == ""
    if refused:
        assert "fn-preview-pr7" in why and "neither taken over nor deleted" in why
