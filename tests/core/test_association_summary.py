"""The summary and the console show each attach and detach, and a distribution that did not go as planned."""

from __future__ import annotations

from publisher.core.modes import Mode
from publisher.core.report import console
from publisher.core.result import AssociationChange, DistributionResult, Result, Status
from publisher.core.summary.render import render_summary

RUN = {"run_url": "https://github.example/run/1"}


def change(function: str, action: str, behaviour: str = "default") -> AssociationChange:
    return AssociationChange(
        distribution="E1", behaviour=behaviour, event="viewer-request", function=function, action=action
    )


def result(mode: Mode, status: Status, **fields: object) -> Result:
    moved = [change("old", "detach"), change("new", "attach")]
    row = DistributionResult(name="E1", status=status, actions=["detach", "attach"], changes=moved, **fields)  # type: ignore[arg-type]
    return Result(mode=mode, associations=[row])


def test_a_plan_shows_each_change_it_would_make() -> None:
    text = render_summary(result(Mode.PLAN, Status.PLANNED, reason="default viewer-request: old → new"), RUN)
    assert "### Function associations" in text
    assert (
        "| <code>E1</code> | <code>default</code> | viewer-request | <code>old</code> | would detach |"
        in text
    )
    assert (
        "| <code>E1</code> | <code>default</code> | viewer-request | <code>new</code> | would attach |"
        in text
    )


def test_a_conflict_is_named_with_its_next_step() -> None:
    done = result(
        Mode.PUBLISH,
        Status.CONFLICT,
        error="someone else changed /api/* viewer-request",
        next_step="Review their change.",
    )
    text = render_summary(done, RUN)
    assert (
        "- <code>E1</code> **conflict**: someone else changed /api/&#42; viewer-request Review their change."
        in text
    )
    assert "**Done: no function written; associations: 1 attached, 1 detached, E1 conflict.**" in text
    assert "Nothing changed" not in text
    lines = console(done)
    assert lines[0].startswith("✗ conflict") and "distribution E1" in lines[0]
    assert "    - detach old: default (viewer-request)" in lines
    assert "    + attach new: default (viewer-request)" in lines
