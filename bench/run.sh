#!/usr/bin/env bash
# The benchmark in one command: installs its one extra dependency (matplotlib, for the plot; not a
# runtime dependency) into the project's venv, then runs the matrix and writes BENCHMARKS.md.
#   bash bench/run.sh            # the full matrix (about 15 minutes on 2 CPUs)
#   bash bench/run.sh --quick    # a small matrix (about 2 minutes), written under bench/out/
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
.venv/bin/python -c "import matplotlib" 2>/dev/null || .venv/bin/python -m pip install --quiet matplotlib
# Start-up as users meet it: the image's modules are compiled when it is built, so compile these too
# (a shell with PYTHONDONTWRITEBYTECODE set would otherwise compile them in every timed process).
.venv/bin/python -m compileall -q publisher emulator >/dev/null
exec .venv/bin/python -m bench "$@"
