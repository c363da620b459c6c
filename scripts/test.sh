#!/usr/bin/env bash
# The whole check, as CI runs it: set-up, lint, types, validators, then every test. With CI=true
# the container test must run (it fails rather than skips when podman is missing).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
export PATH="$root/.venv/bin:$PATH"
# The tests start the command line and the emulator as processes hundreds of times: each should load
# the project's compiled modules, not compile them again (about 0.1 s a process without them).
unset PYTHONDONTWRITEBYTECODE
echo "== ruff"
ruff check .
ruff format --check .
echo "== mypy"
mypy
echo "== validators"
bash scripts/validate.sh
if [ "${CI:-}" = "true" ]; then
  echo "== container image"
  bash scripts/container-setup.sh
  bash scripts/build-image.sh
fi
echo "== pytest"; pytest "$@"
