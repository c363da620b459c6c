"""Fixtures for the container tests: the image built by the project's scripts, and podman's settings.

The image is built once per session with scripts/build-image.sh (which runs container-setup.sh:
podman from Debian's packages and a stand-in base made with mmdebstrap). Without podman the tests
cannot say anything about the image: in CI (CI=true) that fails the run; on a developer's machine
it skips, saying loudly how to make podman available. Once podman is there, a build that fails
fails the tests, locally too.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
IMAGE = os.environ.get("CFP_IMAGE", "localhost/cloudfront-publish:test")
BUILD_TIMEOUT = 1200  # seconds: a fresh machine installs podman and builds the base first


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "container: builds and runs the action's image with podman")


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _unavailable(reason: str) -> None:
    banner = "=" * 20
    message = f"{banner} CONTAINER TESTS NOT RUN {banner}\n{reason}"
    if _in_ci():
        pytest.fail(message + "\nCI must run the container tests.", pytrace=False)
    pytest.skip(message + "\nRun scripts/container-setup.sh (as root) to make podman available.")


@dataclass(frozen=True)
class Podman:
    image: str
    env: dict[str, str]

    def run(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["podman", *args], env=self.env, capture_output=True, text=True, timeout=timeout, check=False
        )


@pytest.fixture(scope="session")
def podman(tmp_path_factory: pytest.TempPathFactory) -> Podman:
    """podman with this project's containers.conf, and the image freshly built (or reused when
    CFP_SKIP_BUILD=1 and it exists)."""
    # Locally, podman has to be there already; in CI the setup script installs it.
    if shutil.which("podman") is None and not _in_ci():
        _unavailable("podman is not installed.")
    state = tmp_path_factory.mktemp("podman-state")
    env = {**os.environ, "CFP_CONTAINER_STATE": str(state), "CFP_IMAGE": IMAGE}
    env["CONTAINERS_CONF"] = str(state / "containers.conf")
    reuse = os.environ.get("CFP_SKIP_BUILD") == "1"
    script = ["scripts/container-setup.sh", "--no-base"] if reuse else ["scripts/build-image.sh"]
    # From here on podman is there (or CI is installing it): a script that fails is a real failure.
    try:
        done = subprocess.run(
            ["bash", *script],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=BUILD_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        pytest.fail(f"{' '.join(script)} did not finish: {err}", pytrace=False)
    if done.returncode != 0:
        pytest.fail(
            f"{' '.join(script)} failed (exit {done.returncode}):\n{done.stderr[-4000:]}", pytrace=False
        )
    engine = Podman(IMAGE, env)
    if engine.run("image", "exists", IMAGE, timeout=60).returncode != 0:
        pytest.fail(f"the image {IMAGE} does not exist; build it with scripts/build-image.sh", pytrace=False)
    return engine
