# CloudFront Functions Publish: the container that GitHub's runner builds from action.yml.
#
# Base: Debian bookworm slim with CPython 3.11, pinned by the digest of its multi-platform index.
# A short name: Docker resolves it to the official image, podman through the `python` alias that
# Debian's and Ubuntu's containers-common ship in registries.conf.d/shortnames.conf.
# It is kept in one ARG so that a machine without registry access can build from its own stand-in
# (scripts/build-image.sh passes --build-arg BASE_IMAGE=localhost/pybase:bookworm).
ARG BASE_IMAGE=python:3.11-slim-bookworm@sha256:d29f48a31a8b408ed19272ca1e7b10ebae13b240a27e862d3d4217c528e2e0c3

# ---- build: a venv with the hashed lock and the package; pip and setuptools removed afterwards ----
FROM ${BASE_IMAGE} AS build

# Build time only, both optional and empty by default: a package index and a CA bundle for machines
# whose downloads go through a mirror or a TLS-intercepting proxy. They never reach the final stage.
ARG PIP_INDEX_URL
ARG PIP_CERT

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /src
RUN python3 -m venv /opt/venv

# Dependencies first, so that a code change does not reinstall them.
COPY requirements.lock ./
RUN /opt/venv/bin/pip install --no-cache-dir --require-hashes --only-binary=:all: -r requirements.lock

# The package itself: no dependency resolution, no network, the build backend from the lock.
COPY pyproject.toml README.md ./
COPY publisher ./publisher
RUN /opt/venv/bin/pip install --no-cache-dir --no-deps --no-build-isolation --no-index . \
 && /opt/venv/bin/pip uninstall --yes setuptools pip \
 && rm -rf /opt/venv/bin/pip* /opt/venv/bin/activate* /opt/venv/bin/Activate.ps1 /opt/venv/bin/__pycache__

# botocore ships the models of every AWS service (about half the venv); the action calls CloudFront
# (and its KeyValueStore), CloudWatch (the guarded publish), and credential providers may call STS (assume-role, OIDC web identity),
# SSO, SSO-OIDC and Sign-In. Keep those and the shared files (endpoints, partitions, retry config).
ARG BOTOCORE_SERVICES="cloudfront cloudfront-keyvaluestore cloudwatch sts sso sso-oidc signin"
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN data="$(/opt/venv/bin/python -c 'import botocore, os; print(os.path.join(os.path.dirname(botocore.__file__), "data"))')" \
 && for dir in "$data"/*/; do \
      name="$(basename "$dir")"; \
      case " $BOTOCORE_SERVICES " in *" $name "*) ;; *) rm -rf "$dir" ;; esac; \
    done \
 && for name in $BOTOCORE_SERVICES; do test -d "$data/$name"; done

# ---- final: the base plus the venv; no compilers, no pip in the venv, no source tree ----
FROM ${BASE_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH

COPY --from=build /opt/venv /opt/venv

# njs, nginx's JavaScript engine: `mode: test` runs the manifest's test cases in it. Debian's package
# (0.7.9-2 in bookworm, pinned as the base is) adds 864 kB installed; its libraries (libc6, libssl3,
# libpcre2-8-0) are in the base already. The package lists are removed again in the same layer.
RUN apt-get update \
 && apt-get install -y --no-install-recommends njs=0.7.9-2 \
 && rm -rf /var/lib/apt/lists/* \
 && njs -v

# OCI labels. VERSION defaults to publisher/version.py's (a test keeps the two in step); the release
# workflow passes the tag's version, the commit and the repository's address, which also links the
# package on ghcr.io to its repository. A local build leaves the last two empty.
ARG VERSION=0.1.0
ARG REVISION=""
ARG SOURCE=""
LABEL org.opencontainers.image.title="cloudfront-publish" \
      org.opencontainers.image.description="Sync, test and publish Amazon CloudFront Functions from a manifest, guarded by ETags." \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE}"

# No USER line, on purpose: GitHub's runner mounts the workspace and the file-command files
# (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY) owned by root, and a non-root user gets PermissionError
# writing them. The container only writes what the user asked for (outputs, summary, backups).

# Absolute exec form: the runner passes inputs as INPUT_* variables and sets --workdir itself.
ENTRYPOINT ["/opt/venv/bin/python", "-m", "publisher"]
