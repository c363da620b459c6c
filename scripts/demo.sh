#!/usr/bin/env bash
# The main job on the local CloudFront emulator, no AWS account needed: sets up .venv, starts the
# emulator, seeds it with an older LIVE version and two distributions, then runs the real command
# line on examples/: plan, publish, and publish again (which finds nothing to do).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
PYTHONPATH="$root${PYTHONPATH:+:$PYTHONPATH}" exec .venv/bin/python scripts/demo.py "$@"
