"""The release scripts: action.yml pinned to a digest with every other byte kept, a version's changelog
section as release notes, and a tag checked against the one version source."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from publisher.version import __version__

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "scripts" / "release"
DIGEST = "sha256:" + "0123456789abcdef" * 4
IMAGE = f"docker://ghcr.io/acme/cloudfront-publish@{DIGEST}"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


pin = _load("pin_image")
changelog = _load("changelog_section")
tags = _load("release_tag")
pin_image: Callable[[str, str], str] = pin.pin_image
changelog_section: Callable[[str, str], str] = changelog.changelog_section
release_tag: Callable[[str, str], tuple[str, str, bool]] = lambda tag, text: (  # noqa: E731
    (found := tags.release_tag(tag, text)).version,
    found.major,
    found.prerelease,
)


def _run(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPTS / script), *args], capture_output=True, text=True, check=False
    )


# ---- pin_image ----


def test_pinning_the_real_action_changes_the_image_value_and_nothing_else() -> None:
    before = (ROOT / "action.yml").read_text(encoding="utf-8")
    after = pin_image(before, IMAGE)
    assert after.replace(IMAGE, "Dockerfile") == before
    assert yaml.safe_load(after)["runs"]["image"] == IMAGE
    assert {k: v for k, v in yaml.safe_load(after).items() if k != "runs"} == {
        k: v for k, v in yaml.safe_load(before).items() if k != "runs"
    }


def test_pinning_twice_is_pinning_once() -> None:
    before = (ROOT / "action.yml").read_text(encoding="utf-8")
    once = pin_image(before, IMAGE)
    assert pin_image(once, IMAGE) == once


def test_a_new_release_replaces_an_earlier_digest() -> None:
    earlier = pin_image((ROOT / "action.yml").read_text(encoding="utf-8"), IMAGE)
    later = IMAGE.replace(DIGEST, "sha256:" + "f" * 64)
    assert yaml.safe_load(pin_image(earlier, later))["runs"]["image"] == later


CRLF_ACTION = (
    "name: x\r\n"
    "inputs:\r\n"
    "  image:\r\n"
    "    description: an input named like the key\r\n"
    "    default: Dockerfile\r\n"
    "runs:  # the container\r\n"
    "    using: 'docker'\r\n"
    '    image: "Dockerfile"   # built on main\r\n'
    "    args: [image: Dockerfile]\r\n"
    "branding:\r\n"
    "  image: Dockerfile\r\n"
)


def test_line_endings_quotes_comments_and_other_image_keys_are_kept() -> None:
    after = pin_image(CRLF_ACTION, IMAGE)
    assert after == CRLF_ACTION.replace('"Dockerfile"', f'"{IMAGE}"')


@pytest.mark.parametrize(
    "reference",
    [
        "docker://ghcr.io/acme/cloudfront-publish:v1",
        "ghcr.io/acme/cloudfront-publish@" + DIGEST,
        "docker://ghcr.io/acme/cloudfront-publish:v1@" + DIGEST,
        "docker://ghcr.io/Acme/cloudfront-publish@" + DIGEST,
        "docker://ghcr.io/acme/cloudfront-publish@sha256:" + "0" * 63,
        "docker://ghcr.io/acme/cloudfront-publish@sha512:" + "0" * 128,
        "docker://ghcr.io@" + DIGEST,
        IMAGE + "\n  using: node20",
        IMAGE + " ",
        "Dockerfile",
        "",
    ],
)
def test_a_reference_not_pinned_by_digest_is_refused(reference: str) -> None:
    with pytest.raises(pin.PinError):
        pin_image((ROOT / "action.yml").read_text(encoding="utf-8"), reference)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: x\n", "no top-level `runs:`"),
        ("runs:\n  using: node20\n  main: index.js\n", "not `docker`"),
        ("runs:\n  using: docker\n  args: [x]\n", "no `image:`"),
        ("runs:\n  using: docker\n  image: Dockerfile\n  image: Dockerfile\n", "twice"),
        ("runs:\n  using: docker\n  image: >-\n    Dockerfile\n", "single plain value"),
    ],
)
def test_an_action_without_one_plain_docker_image_is_refused(text: str, message: str) -> None:
    with pytest.raises(pin.PinError, match=re.escape(message)):
        pin_image(text, IMAGE)


def test_the_command_writes_once_and_refuses_a_tag_without_writing(tmp_path: Path) -> None:
    action = tmp_path / "action.yml"
    action.write_bytes((ROOT / "action.yml").read_bytes())
    first = _run("pin_image.py", str(action), IMAGE)
    assert first.returncode == 0, first.stderr
    pinned = action.read_bytes()
    second = _run("pin_image.py", str(action), IMAGE)
    assert second.returncode == 0
    assert "already" in second.stdout
    assert action.read_bytes() == pinned
    refused = _run("pin_image.py", str(action), "docker://ghcr.io/acme/cloudfront-publish:latest")
    assert refused.returncode == 2
    assert "not an image pinned by digest" in refused.stderr
    assert action.read_bytes() == pinned


# ---- changelog_section ----

CHANGELOG = """# Changelog

## [Unreleased]

## [1.1.0] - 2026-02-01

### Fixed

- One thing.

## [1.0.0] - 2026-01-01

### Added

- Everything.

[1.1.0]: https://example.invalid/compare/v1.0.0...v1.1.0
[1.0.0]: https://example.invalid/releases/tag/v1.0.0
"""


@pytest.mark.parametrize("version", ["1.1.0", "v1.1.0"])
def test_a_section_runs_to_the_next_heading(version: str) -> None:
    assert changelog_section(CHANGELOG, version) == "### Fixed\n\n- One thing.\n"


def test_the_last_section_stops_before_the_link_definitions() -> None:
    assert changelog_section(CHANGELOG, "1.0.0") == "### Added\n\n- Everything.\n"


@pytest.mark.parametrize(
    ("version", "message"), [("2.0.0", "no section"), ("Unreleased", "empty"), ("1.0", "no section")]
)
def test_a_missing_or_empty_section_is_an_error(version: str, message: str) -> None:
    with pytest.raises(changelog.ChangelogError, match=message):
        changelog_section(CHANGELOG, version)


def test_the_current_version_has_notes_and_unreleased_is_there() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## [Unreleased]" in text
    assert changelog_section(text, __version__).strip()
    result = _run("changelog_section.py", str(ROOT / "CHANGELOG.md"), f"v{__version__}")
    assert result.returncode == 0
    assert result.stdout == changelog_section(text, __version__)


# ---- release_tag and the one version source ----

VERSION_PY = '"""doc"""\n\n__version__ = "1.2.0"\n'


@pytest.mark.parametrize(
    ("tag", "text", "expected"),
    [
        ("v1.2.0", VERSION_PY, ("1.2.0", "v1", False)),
        ("v1.2.0-rc.1", VERSION_PY.replace("1.2.0", "1.2.0-rc.1"), ("1.2.0-rc.1", "v1", True)),
        ("v0.1.0", VERSION_PY.replace("1.2.0", "0.1.0"), ("0.1.0", "v0", False)),
    ],
)
def test_a_release_tag_matches_the_declared_version(
    tag: str, text: str, expected: tuple[str, str, bool]
) -> None:
    assert release_tag(tag, text) == expected


@pytest.mark.parametrize("tag", ["v1.3.0", "1.2.0", "v1.2", "v01.2.0", "v1.2.0 ", "v1", "v1.2.0\nmajor=v9"])
def test_other_tags_are_refused(tag: str) -> None:
    with pytest.raises(tags.TagError):
        release_tag(tag, VERSION_PY)


def test_the_command_prints_outputs_for_the_current_version() -> None:
    result = _run("release_tag.py", f"v{__version__}")
    assert result.returncode == 0, result.stderr
    assert f"version={__version__}\n" in result.stdout
    assert "prerelease=false" in result.stdout


def test_the_dockerfile_version_label_defaults_to_the_package_version() -> None:
    found = re.search(r"^ARG VERSION=(\S+)$", (ROOT / "Dockerfile").read_text(), flags=re.MULTILINE)
    assert found, "the Dockerfile has no `ARG VERSION=` for the image's version label"
    assert found.group(1) == __version__
