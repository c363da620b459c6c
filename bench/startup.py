"""Start-up: from a process's start to its first API call, for the command line as this venv installs it
and for the Action's image (when podman has it), run by run in turn.

    .venv/bin/python -m bench.startup [--functions 10] [--runs 12]

Each run is `plan` on a manifest of --functions functions. A probe (a `sitecustomize` on PYTHONPATH)
ends the process at its first socket connect, printing the time since the shell that started it read
the clock, and the CPU time the process had used: the call is never sent, so no endpoint is needed, and
the image's figure leaves out the container's own start. The runs alternate, so other work on the
machine weighs on both alike. BENCHMARKS.md has the figures and the machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from bench.contenders import ROOT
from bench.machine import IMAGE, Image, podman_ready, settle

PROBE = """\
import os, socket, sys, time
_began = float(os.environ["PROBE_T0"])
class _Probe(socket.socket):
    def connect(self, address):
        sys.stderr.write(f"FIRST_CALL {time.time() - _began:.4f} {time.process_time():.4f}\\n")
        sys.stderr.flush()
        os._exit(0)
socket.socket = _Probe
"""
FAKE = {"AWS_ACCESS_KEY_ID": "probe", "AWS_SECRET_ACCESS_KEY": "probe", "AWS_DEFAULT_REGION": "us-east-1"}
# the shell reads the clock, then becomes the process: what is timed is the process alone
SHELL = 'PROBE_T0=$(date +%s.%N) exec "$@"'
PLAN = ("-m", "publisher", "plan", "--endpoint-url", "http://127.0.0.1:9")


def workspace(root: Path, functions: int) -> None:
    (root / "probe").mkdir()
    (root / "probe" / "sitecustomize.py").write_text(PROBE)
    (root / "functions").mkdir()
    lines = ["functions:"]
    for i in range(functions):
        code = f"function handler(event) {{\n  var r = event.request; /* {i} */\n  return r;\n}}\n"
        (root / "functions" / f"f{i:03d}.js").write_text(code)
        lines.append(f"  - name: f{i:03d}\n    code: functions/f{i:03d}.js\n    comment: start-up")
    (root / "cloudfront-functions.yml").write_text("\n".join(lines) + "\n")


def probed(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    line = next((x for x in done.stderr.splitlines() if x.startswith("FIRST_CALL ")), None)
    if line is None:
        raise SystemExit(f"no API call was reached: {' '.join(argv)}\n{done.stderr[-1500:]}")
    wall, cpu = line.split()[1:]
    return float(wall), float(cpu)


def venv_run(root: Path) -> tuple[float, float]:
    env = {**os.environ, **FAKE, "PYTHONPATH": str(root / "probe")}
    env.pop("GITHUB_ACTIONS", None)
    return probed(["sh", "-c", SHELL, "sh", sys.executable, *PLAN], env, root)


def image_run(root: Path, podman: dict[str, str]) -> tuple[float, float]:
    fake = [arg for key, value in FAKE.items() for arg in ("-e", f"{key}={value}")]
    argv = ["podman", "run", "--rm", "--network", "host", "-v", f"{root}:/w", "-w", "/w"]
    argv += [*fake, "-e", "PYTHONPATH=/w/probe", "--entrypoint", "sh", IMAGE]
    return probed([*argv, "-c", SHELL, "sh", "/opt/venv/bin/python", *PLAN], podman, root)


def with_first_call(image: Image, runs: int = 9) -> Image:
    """The matrix's image figures with its start-up to the first call, once the CPUs settle (as before
    each scenario); unchanged where the image could not be run."""
    podman, _ = podman_ready()
    if podman is None or image.cold_start is None:
        return image
    settle()
    with tempfile.TemporaryDirectory() as folder:
        workspace(Path(folder), 10)
        walls = [image_run(Path(folder), podman)[0] for _ in range(runs)]
    return replace(image, first_call=statistics.median(walls))


def line(label: str, samples: list[tuple[float, float]]) -> str:
    walls = sorted(w for w, _ in samples)
    cpu = statistics.median(c for _, c in samples)
    return (
        f"| {label} | {walls[0]:.3f} s | {statistics.median(walls):.3f} s | {walls[-1]:.3f} s | {cpu:.3f} s |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--functions", type=int, default=10)
    parser.add_argument("--runs", type=int, default=12)
    args = parser.parse_args()
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "publisher")], check=True)
    podman, why_not = podman_ready()
    venv: list[tuple[float, float]] = []
    image: list[tuple[float, float]] = []
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        workspace(root, args.functions)
        for _ in range(args.runs):  # one of each in turn
            venv.append(venv_run(root))
            if podman is not None:
                image.append(image_run(root, podman))
    print(f"plan, {args.functions} functions, {args.runs} runs each; load average {os.getloadavg()[0]:.1f}")
    print("| | min | median | max | CPU, median (the shell before it included) |")
    print("| --- | ---: | ---: | ---: | ---: |")
    print(line(f"command line, this venv (Python {sys.version.split()[0]})", venv))
    print(line(f"the Action's image ({IMAGE})", image) if image else f"| the image: {why_not} | | | | |")


if __name__ == "__main__":
    main()
