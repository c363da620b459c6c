"""Which functions a clean-up may delete: marked, named like a preview, never published, not managed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from publisher.core.model import FunctionConfig
from publisher.core.throwaway import Listed, marked, preview_name, run_of, select

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)
OLD = NOW - timedelta(hours=50)
NEW = NOW - timedelta(hours=1)


def throwaway(function: str, run_id: str, modified: datetime | None = OLD) -> Listed:
    config = marked(FunctionConfig("team's comment", "cloudfront-js-2.0"), function, run_id)
    return Listed(preview_name(function, run_id), config.comment, modified)


def test_a_preview_copy_is_recognised_by_its_name_and_marker_together() -> None:
    copy = throwaway("redirect", "pr12")
    assert run_of(copy.name, copy.comment) == "pr12"
    assert run_of("redirect", copy.comment) is None  # the marker without the name pattern
    assert run_of(copy.name, "team's comment") is None  # the name without the marker
    assert run_of("redirect-preview-pr13", copy.comment) is None  # another run's name


def test_a_long_name_and_run_id_still_match_their_truncated_suffix() -> None:
    copy = throwaway("f" * 64, "local-abcdef0123456789")
    assert len(copy.name) <= 64 and run_of(copy.name, copy.comment) == "local-abcdef0123456789"


@pytest.mark.parametrize(
    ("listed", "published", "managed", "run_id", "hours", "deleted", "why"),
    [
        (throwaway("a", "pr1"), set(), set(), "pr1", None, True, ""),
        (throwaway("a", "pr2"), set(), set(), "pr1", None, False, ""),
        (throwaway("a", "pr1", NEW), set(), set(), "pr1", None, True, ""),  # a run's own: whatever its age
        (throwaway("a", "pr2"), set(), set(), None, 24, True, ""),
        (throwaway("a", "pr2", NEW), set(), set(), None, 24, False, ""),
        (throwaway("a", "pr2", None), set(), set(), None, 24, False, "its age is unknown"),
        (throwaway("a", "pr1"), {"a-preview-pr1"}, set(), "pr1", 24, False, "it was published"),
        (throwaway("a", "pr1"), set(), {"a-preview-pr1"}, "pr1", 24, False, "the manifest names it"),
        (
            Listed("a-preview-pr1", "hand-made", OLD),
            set(),
            set(),
            "pr1",
            24,
            False,
            "named like a preview but without the project's marker",
        ),
        (Listed("a", "hand-made", OLD), set(), set(), "pr1", 24, False, ""),
    ],
)
def test_select(  # noqa: PLR0917 - one row of the table above
    listed: Listed,
    published: set[str],
    managed: set[str],
    run_id: str | None,
    hours: float | None,
    deleted: bool,
    why: str,
) -> None:
    older = timedelta(hours=hours) if hours is not None else None
    found = select([listed], published, managed, run_id=run_id, older_than=older, now=NOW)
    assert found.delete == ((listed.name,) if deleted else ())
    assert found.kept == (((listed.name, why),) if why else ())
