"""The example workflows use this action only with inputs action.yml declares, and hold no more
permission than their jobs need: a fork's pull request gets no AWS role and no write token."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples" / "workflows").glob("*.yml"))
PLACEHOLDER = "your-org/cloudfront-publish@"


def _jobs(workflow: Path) -> dict[str, dict[str, object]]:
    jobs: dict[str, dict[str, object]] = yaml.safe_load(workflow.read_text())["jobs"]
    return jobs


def _permissions(job: dict[str, object]) -> dict[str, object]:
    permissions = job["permissions"]
    assert isinstance(permissions, dict)
    return permissions


def _steps(job: dict[str, object]) -> list[dict[str, object]]:
    steps = job.get("steps", [])
    assert isinstance(steps, list)
    return steps


@pytest.mark.parametrize("workflow", EXAMPLES, ids=[w.name for w in EXAMPLES])
def test_the_action_gets_only_inputs_it_declares(workflow: Path) -> None:
    declared = set(yaml.safe_load((ROOT / "action.yml").read_text())["inputs"])
    for job in _jobs(workflow).values():
        for step in _steps(job):
            if str(step.get("uses", "")).startswith(PLACEHOLDER):
                given = step.get("with", {})
                assert isinstance(given, dict)
                assert set(given) <= declared, f"{workflow.name}: {sorted(set(given) - declared)}"


def test_a_fork_is_checked_without_credentials_and_a_branch_is_planned_with_a_comment() -> None:
    jobs = _jobs(ROOT / "examples" / "workflows" / "preview-pull-request.yml")
    fork, branch = jobs["check"], jobs["plan"]
    assert "!= github.repository" in str(fork["if"])
    assert "== github.repository" in str(branch["if"])
    assert fork["permissions"] == {"contents": "read"}
    assert not any("configure-aws-credentials" in str(s.get("uses", "")) for s in _steps(fork))
    assert _permissions(branch)["pull-requests"] == "write"
    action = next(s for s in _steps(branch) if str(s.get("uses", "")).startswith(PLACEHOLDER))
    assert action["with"] == {"manifest": "cloudfront-functions.yml", "mode": "plan", "comment-on-pr": "true"}


def test_production_waits_for_every_staging_account_and_runs_in_its_environment() -> None:
    jobs = _jobs(ROOT / "examples" / "workflows" / "publish-multi-account.yml")
    assert jobs["production"]["needs"] == "staging"
    for stage in ("staging", "production"):
        assert jobs[stage]["environment"] == f"{stage}-${{{{ matrix.account }}}}"
        assert "pull-requests" not in _permissions(jobs[stage])
