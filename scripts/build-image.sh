#!/usr/bin/env bash
# Build the action's image with podman, the way GitHub's runner builds action.yml's Dockerfile.
#
#   scripts/build-image.sh                  # -> localhost/cloudfront-publish:test on the stand-in base
#   CFP_BASE_IMAGE=dockerfile scripts/build-image.sh   # the Dockerfile's pinned base (needs a registry)
#
# Environment:
#   CFP_IMAGE            tag to build (default: localhost/cloudfront-publish:test)
#   CFP_BASE_IMAGE       base image (default: localhost/pybase:bookworm, made by container-setup.sh);
#                        "dockerfile" keeps the Dockerfile's own pinned BASE_IMAGE
#   CFP_CONTAINER_STATE  passed on to container-setup.sh (where containers.conf is written)
#
# The machine's package index is read from its own pip configuration at build time and passed as a
# build argument (never written into the repository). With the stand-in base, pip in the build is
# pointed at the CA bundle that container-setup.sh copied into that base.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
IMAGE="${CFP_IMAGE:-localhost/cloudfront-publish:test}"
BASE="${CFP_BASE_IMAGE:-localhost/pybase:bookworm}"

log() { printf 'build-image: %s\n' "$*" >&2; }

if [ "$BASE" = dockerfile ]; then
  eval "$("$here/container-setup.sh" --no-base --env)"
else
  eval "$("$here/container-setup.sh" --env)"
fi

# The index this machine's pip uses, if it names one over http(s); a file:// index or find-links
# folder on the host cannot be seen from inside the build, and the default index needs no argument.
pip_index_url() {
  local url="${PIP_INDEX_URL:-}"
  if [ -z "$url" ] && command -v python3 >/dev/null 2>&1; then
    url="$(python3 -m pip config list 2>/dev/null \
      | sed -n "s/^[^=]*\.index-url='\(.*\)'$/\1/p" | tail -n 1)" || true
  fi
  case "$url" in
    http://*|https://*) printf '%s\n' "$url" ;;
  esac
}

args=(build --network host --tag "$IMAGE" --file "$root/Dockerfile")
if [ "$BASE" != dockerfile ]; then
  args+=(--build-arg "BASE_IMAGE=$BASE")
  # container-setup.sh copied the host's CA bundle to this path in the stand-in base.
  args+=(--build-arg "PIP_CERT=/etc/ssl/certs/ca-certificates.crt")
fi
index="$(pip_index_url)"
if [ -n "$index" ]; then
  args+=(--build-arg "PIP_INDEX_URL=$index")
  log "using this machine's pip index (from its pip configuration)"
fi

log "building $IMAGE from ${BASE/#dockerfile/the Dockerfile\'s pinned base}"
podman "${args[@]}" "$root" >&2
podman image inspect --format '{{.Id}} {{.Size}}' "$IMAGE" | {
  read -r id size
  log "built $IMAGE ${id:0:12}, $((size / 1000000)) MB"
}
printf 'export CONTAINERS_CONF=%q\n' "$CONTAINERS_CONF"
