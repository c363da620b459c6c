"""What the figures ran on, and the container image's size and cold start when podman has it."""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.contenders import ROOT

IMAGE = "localhost/cloudfront-publish:test"
STAND_IN_BASE = "localhost/pybase:bookworm"
Podman = Callable[..., subprocess.CompletedProcess[str]]


def describe() -> str:
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return (
        f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def busy(seconds: float = 1.0) -> float | None:
    """The share of the machine's CPU time in use over `seconds` (None where /proc/stat is absent)."""
    stat = Path("/proc/stat")
    if not stat.exists():
        return None

    def sample() -> tuple[int, int]:
        fields = [int(v) for v in stat.read_text().splitlines()[0].split()[1:]]
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle and iowait
        return sum(fields), idle

    total0, idle0 = sample()
    time.sleep(seconds)
    total1, idle1 = sample()
    return 1 - (idle1 - idle0) / max(1, total1 - total0)


def settle(limit: float = 0.25, patience: float = 60.0) -> float | None:
    """Wait (up to `patience` seconds) until other work leaves the CPUs mostly idle; the share in
    use when the wait ended. Other sessions on a shared machine would otherwise time themselves in."""
    deadline = time.monotonic() + patience
    while True:
        share = busy()
        if share is None or share <= limit or time.monotonic() >= deadline:
            return share
        time.sleep(4.0)


@dataclass(frozen=True)
class Image:
    size_mb: float | None = None
    base_mb: float | None = None
    cold_start: float | None = None  # seconds, median of `podman run --rm IMAGE --help`
    why_not: str = ""
    first_call: float | None = None  # seconds from python's start to its first API call (bench.startup)


def podman_ready() -> tuple[dict[str, str] | None, str]:
    """The environment podman runs the image with, or why the image cannot be run here."""
    if shutil.which("podman") is None:
        return None, "podman is not installed (scripts/container-setup.sh installs it)"
    env = {**os.environ, **podman_env()}
    exists = subprocess.run(["podman", "image", "exists", IMAGE], env=env, capture_output=True, check=False)
    if exists.returncode != 0:
        return None, f"the image {IMAGE} does not exist (scripts/build-image.sh builds it)"
    return env, ""


def container(runs: int = 3) -> Image:
    env, why_not = podman_ready()
    if env is None:
        return Image(why_not=why_not)

    def podman(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["podman", *args], env=env, capture_output=True, text=True, check=False)

    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = podman("run", "--rm", IMAGE, "--help")
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            return Image(why_not=f"`podman run --rm {IMAGE} --help` failed: {done.stderr.strip()[-300:]}")
    return Image(_size(podman, IMAGE), _size(podman, STAND_IN_BASE), statistics.median(times))


def _size(podman: Podman, image: str) -> float | None:
    done = podman("image", "inspect", image, "--format", "{{.Size}}")
    return int(done.stdout.strip()) / 1e6 if done.returncode == 0 and done.stdout.strip() else None


def podman_env() -> dict[str, str]:
    """The project's podman settings (containers.conf), as its container scripts set them."""
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "container-setup.sh"), "--no-base", "--env"],
        capture_output=True,
        text=True,
        check=False,
    )
    found = {}
    for line in done.stdout.splitlines():
        if line.startswith("export ") and "=" in line:
            key, value = line.removeprefix("export ").split("=", 1)
            found[key] = value.strip("'\"")
    return found
