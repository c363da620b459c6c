"""What the image and the workflows are built from is pinned, and what the action may touch is written
down: the Dockerfile's base by digest, every action by a full commit SHA, every locked package by hash,
Dependabot watching all three ecosystems, and SECURITY.md naming the IAM actions of each mode."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")
SHA = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}$")
WORKFLOWS = sorted([*ROOT.glob(".github/workflows/*.yml"), *ROOT.glob("examples/workflows/*.yml")])
PLACEHOLDER = "your-org/cloudfront-publish@"  # the examples' own reference to this action, pinned by users


def _dockerfile() -> list[str]:
    """The Dockerfile's instructions, continuation lines joined, comments left out."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def test_every_base_image_is_pinned_by_digest() -> None:
    lines = _dockerfile()
    args: dict[str, str] = {}  # ARG defaults: the base image is chosen in one ARG
    for line in lines:
        found = re.match(r"ARG\s+(\w+)=(\S+)", line)
        if found:
            args[found.group(1)] = found.group(2)
    stages: set[str] = set()
    froms = [line for line in lines if line.upper().startswith("FROM ")]
    assert froms
    for line in froms:
        parts = line.split()
        image = parts[1]
        if "--platform" in image:
            image = parts[2]
        variable = re.fullmatch(r"\$\{?(\w+)\}?", image)
        resolved = args.get(variable.group(1), "") if variable else image
        assert image in stages or DIGEST.search(resolved), f"{line}: not pinned by digest ({resolved})"
        if len(parts) >= 4 and parts[-2].upper() == "AS":
            stages.add(parts[-1])


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=[str(w.relative_to(ROOT)) for w in WORKFLOWS])
def test_every_action_a_workflow_uses_is_pinned_by_sha(workflow: Path) -> None:
    document = yaml.safe_load(workflow.read_text())
    uses = [
        step["uses"]
        for job in document.get("jobs", {}).values()
        for step in job.get("steps", [])
        if "uses" in step
    ] + [job["uses"] for job in document.get("jobs", {}).values() if "uses" in job]
    assert uses, "a workflow with no action to check"
    for used in uses:
        if used.startswith(("./", "docker://")) or used.startswith(PLACEHOLDER):
            continue
        assert SHA.match(used), f"{workflow.name}: `{used}` is not pinned by a 40-hex commit SHA"


def test_the_action_runs_the_repository_dockerfile() -> None:
    runs = yaml.safe_load((ROOT / "action.yml").read_text())["runs"]
    assert runs["using"] == "docker"
    assert runs["image"] == "Dockerfile" or DIGEST.search(runs["image"])


def test_every_locked_requirement_has_a_hash() -> None:
    text = re.sub(r"\\\n", " ", (ROOT / "requirements.lock").read_text())
    requirements = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert requirements
    for line in requirements:
        assert "==" in line.split()[0], f"not pinned to a version: {line.split()[0]}"
        assert re.search(r"--hash=sha256:[0-9a-f]{64}", line), f"no hash: {line.split()[0]}"


def test_the_image_installs_from_the_lock_with_hashes() -> None:
    text = " ".join(_dockerfile())
    assert "requirements.lock" in text
    assert "--require-hashes" in text


def test_dependabot_watches_pip_docker_and_actions() -> None:
    config = yaml.safe_load((ROOT / ".github/dependabot.yml").read_text())
    ecosystems = {update["package-ecosystem"] for update in config["updates"]}
    assert {"pip", "docker", "github-actions"} <= ecosystems
    for update in config["updates"]:
        assert update.get("schedule", {}).get("interval"), update


def _zizmor_pin() -> str:
    text = (ROOT / "pyproject.toml").read_text()
    found = re.findall(r'"zizmor==([^"]+)"', text)
    assert len(found) == 1, "zizmor is pinned once, in pyproject.toml's dev extras"
    return str(found[0])


def test_the_pinned_zizmor_finds_nothing_in_anything_it_reads() -> None:
    """The whole repository, as `zizmor --offline .` reads it (workflows, action.yml, Dependabot's
    configuration), and the example workflows; the pinned release comes with the dev extras."""
    zizmor = Path(sys.executable).parent / "zizmor"
    assert zizmor.is_file(), "zizmor is missing: install the dev extras (scripts/setup.sh)"
    version = subprocess.run([zizmor, "--version"], capture_output=True, text=True, check=True, timeout=60)
    assert version.stdout.split() == ["zizmor", _zizmor_pin()], "the venv's zizmor is not the pinned one"
    examples = sorted(str(p.relative_to(ROOT)) for p in ROOT.glob("examples/workflows/*.yml"))
    audit = subprocess.run(
        [zizmor, "--offline", "--no-progress", "--format", "plain", ".", *examples],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert "dependabot.yml" in audit.stderr + audit.stdout  # the configuration was read too


def test_validate_sh_audits_the_whole_repository_with_the_pinned_zizmor() -> None:
    script = (ROOT / "scripts/validate.sh").read_text()
    assert not re.search(r"zizmor==\d", script), "a second zizmor pin in validate.sh"
    assert "pyproject.toml" in script
    assert re.search(r'run "\$bin/zizmor" --offline --no-progress \. ', script), "zizmor does not read `.`"


# The actions each mode needs, as SECURITY.md's table must list them
MODES = {
    "plan": {"ListFunctions", "DescribeFunction", "GetFunction", "ListDistributions"},
    "preview": {"CreateFunction", "TestFunction", "DeleteFunction"},
    "sync": {"CreateFunction", "UpdateFunction", "TestFunction"},
    "publish": {"PublishFunction"},
}


def test_security_md_says_how_to_report_and_what_each_mode_may_do() -> None:
    text = (ROOT / "SECURITY.md").read_text()
    assert re.search(r"(?i)report(ing)? a vulnerability", text)
    assert "privately" in text.lower()
    rows = {
        m.group(1): set(re.findall(r"`(\w+)`", m.group(2)))
        for m in re.finditer(r"^\|\s*`(\w+)`\s*\|(.*)\|\s*$", text, flags=re.MULTILINE)
    }
    for mode, actions in MODES.items():
        assert mode in rows, f"SECURITY.md has no row for `{mode}`"
        assert actions <= rows[mode], f"`{mode}` lacks {sorted(actions - rows[mode])}"
