#!/usr/bin/env bash
# Creates .venv (if missing) and installs the package with its development tools. Idempotent: a
# second run only checks that the pinned tools are there.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
python3 -m venv .venv >/dev/null 2>&1 || python3 -m venv .venv
stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-12)"
if [ ! -e "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
  touch "$stamp"
fi

# njs: `cloudfront-publish test` and the emulator's TestFunction run function code in it. Installed
# where apt can (as root, or with sudo that asks no password); elsewhere the tests that need it skip.
if ! command -v njs >/dev/null 2>&1; then
  as_root=""
  [ "$(id -u)" = 0 ] || as_root="sudo -n"
  if command -v apt-get >/dev/null 2>&1 && { [ -z "$as_root" ] || sudo -n true 2>/dev/null; }; then
    $as_root apt-get install -y -qq njs >/dev/null 2>&1 \
      || { $as_root apt-get update -qq >/dev/null 2>&1 && $as_root apt-get install -y -qq njs >/dev/null 2>&1; } \
      || echo "setup: njs could not be installed; the tests that run code in it will be skipped" >&2
  else
    echo "setup: njs is not installed (Debian, Ubuntu: apt-get install njs); the tests that run code in it will be skipped" >&2
  fi
fi
