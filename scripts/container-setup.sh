#!/usr/bin/env bash
# Prepare this machine to build and run the action's image without a Docker engine.
#
#   scripts/container-setup.sh            # install podman & co, write containers.conf, build the base
#   eval "$(scripts/container-setup.sh --env)"   # the same, then export CONTAINERS_CONF into this shell
#   scripts/container-setup.sh --no-base  # podman and containers.conf only (a build from the real base)
#
# Idempotent: packages already present are not reinstalled and the stand-in base image is built only
# once (it is kept as localhost/pybase:bookworm in podman's store).
#
# Why a stand-in base: the machines this project is developed and tested on cannot reach a container
# registry, so the pinned python:*-slim base cannot be pulled. A minimal Debian bookworm with python3
# and python3-venv is made from Debian's packages instead, from the mirror this machine's apt already
# uses (read from its sources at run time, never written down here). Its Python is 3.11, like the
# pinned base, so the Dockerfile's steps, entrypoint and runner contract are proved, not the exact base.
#
# Environment:
#   CFP_CONTAINER_STATE  folder for containers.conf (default: $TMPDIR/cloudfront-publish-podman)
#   CFP_BASE_TAG         stand-in base image name (default: localhost/pybase:bookworm)
#   CFP_SUITE            Debian suite of the stand-in base (default: bookworm)
#   CFP_BASE_IMAGE       "dockerfile" means the build uses the Dockerfile's pinned base (a machine
#                        that reaches the registry, such as GitHub's runners): no stand-in is built
set -euo pipefail

STATE_DIR="${CFP_CONTAINER_STATE:-${TMPDIR:-/tmp}/cloudfront-publish-podman}"
BASE_TAG="${CFP_BASE_TAG:-localhost/pybase:bookworm}"
SUITE="${CFP_SUITE:-bookworm}"

log() { printf 'container-setup: %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else log "need root (or sudo) for: $*"; exit 1
  fi
}

# command -> the Debian package that provides it
declare -A PROVIDES=(
  [podman]=podman [buildah]=buildah [runc]=runc [newuidmap]=uidmap [fuse-overlayfs]=fuse-overlayfs
  [mmdebstrap]=mmdebstrap
)

install_packages() {
  local want=(podman buildah runc newuidmap fuse-overlayfs) missing=() cmd
  [ "$WITH_BASE" = 1 ] && want+=(mmdebstrap)
  for cmd in "${want[@]}"; do
    command -v "$cmd" >/dev/null 2>&1 || missing+=("${PROVIDES[$cmd]}")
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    log "present: ${want[*]}"
    return
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    log "missing ${missing[*]} and no apt-get to install them"; exit 1
  fi
  log "installing ${missing[*]}"
  as_root apt-get update -q >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    "${missing[@]}" >&2
}

write_containers_conf() {
  mkdir -p "$STATE_DIR"
  # runc: crun fails in this kind of sandbox. Explicit ulimits: podman's defaults are refused here.
  cat > "$STATE_DIR/containers.conf" <<'CONF'
[containers]
default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]

[engine]
runtime = "runc"
CONF
  export CONTAINERS_CONF="$STATE_DIR/containers.conf"
}

# The first deb mirror URI of this machine's apt sources (deb822 files first, then one-line lists).
apt_mirror() {
  local f uri
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    uri="$(awk '
      /^[[:space:]]*#/ { next }
      /^[[:space:]]*$/ { if (deb && uri != "" && !sec) { print uri; exit } deb = 0; uri = ""; sec = 0; next }
      tolower($1) == "types:" { for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1 }
      tolower($1) == "uris:" { uri = $2 }
      tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i ~ /-security$/) sec = 1 }
      END { if (deb && uri != "" && !sec) print uri }
    ' "$f" | head -n 1)"
    if [ -n "$uri" ]; then printf '%s\n' "$uri"; return; fi
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    uri="$(awk '
      $1 != "deb" { next }
      { i = 2; if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ } }
      $(i + 1) ~ /-security$/ { next }
      { print $i; exit }
    ' "$f")"
    if [ -n "$uri" ]; then printf '%s\n' "$uri"; return; fi
  done
  return 1
}

build_base() {
  if podman image exists "$BASE_TAG"; then
    log "base image present: $BASE_TAG"
    return
  fi
  local mirror ca=/etc/ssl/certs/ca-certificates.crt
  if ! mirror="$(apt_mirror)"; then
    log "no deb mirror found in this machine's apt sources"; exit 1
  fi
  log "building $BASE_TAG ($SUITE, python3 + python3-venv) with mmdebstrap from this machine's apt mirror"
  # The host's CA bundle is copied in: downloads here may go through a TLS-intercepting proxy, and
  # pip inside the image build must trust it the way the host does.
  as_root mmdebstrap --quiet --variant=minbase --include=python3,python3-venv,ca-certificates \
    --customize-hook="if [ -f '$ca' ]; then cp '$ca' \"\$1/etc/ssl/certs/ca-certificates.crt\"; fi" \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin' \
    "$SUITE" - "$mirror" | podman import --quiet - "$BASE_TAG" >&2
  log "built $BASE_TAG"
}

main() {
  local print_env=0 arg
  WITH_BASE=1
  if [ "${CFP_BASE_IMAGE:-}" = dockerfile ]; then WITH_BASE=0; fi
  for arg in "$@"; do
    case "$arg" in
      --env) print_env=1 ;;
      --no-base) WITH_BASE=0 ;;
      *) log "unknown argument: $arg"; exit 2 ;;
    esac
  done
  install_packages
  write_containers_conf
  if [ "$WITH_BASE" = 1 ]; then build_base; fi
  if [ "$print_env" = 1 ]; then
    printf 'export CONTAINERS_CONF=%q\n' "$CONTAINERS_CONF"
  fi
}

main "$@"
