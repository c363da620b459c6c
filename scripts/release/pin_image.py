"""Point action.yml at a published image, for the release commit only (main keeps `image: Dockerfile`).

    python3 scripts/release/pin_image.py action.yml docker://ghcr.io/OWNER/REPO@sha256:<64 hex digits>

Only the value of `runs.image` changes; every other byte of the file (comments, quoting, line endings)
stays as it was. The reference must name the image by digest, since a tag can be moved after the
release; one that does not is refused and nothing is written. Running it again with the same
reference changes nothing.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

# docker://, a lower-case registry host (and port), a lower-case path, then a digest and nothing else
REFERENCE = re.compile(
    r"docker://[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::[0-9]+)?(?:/[a-z0-9]+(?:[._-]+[a-z0-9]+)*)+"
    r"@sha256:[0-9a-f]{64}"
)
_TOP_LEVEL = re.compile(r"[^\s#]")  # a line that starts a new top-level key ends the runs block
_KEY = re.compile(r"(?P<indent>[ \t]+)(?P<key>[A-Za-z0-9_-]+):")
_IMAGE = re.compile(
    r"(?P<head>[ \t]+image:[ \t]*)(?P<quote>[\"']?)(?P<value>[^\"'#\s>|&*!{\[][^\"'#\s]*)(?P=quote)"
    r"(?P<tail>[ \t]*(?:#[^\r\n]*)?(?:\r\n|\n|\r)?)"
)


class PinError(ValueError):
    """The reference or action.yml is not what a release can pin; nothing was written."""


def pin_image(text: str, reference: str) -> str:
    """action.yml's text with runs.image set to `reference`, every other byte unchanged."""
    if not REFERENCE.fullmatch(reference):
        raise PinError(
            f"{reference!r} is not an image pinned by digest: expected docker://REGISTRY/PATH@sha256:<64 hex>"
        )
    lines = text.splitlines(keepends=True)
    keys = _runs_keys(lines)
    if keys.get("using", (0, ""))[1].strip("\"'") != "docker":
        raise PinError("action.yml: runs.using is not `docker`, so there is no image to pin")
    if "image" not in keys:
        raise PinError("action.yml: runs has no `image:` line")
    index = keys["image"][0]
    found = _IMAGE.fullmatch(lines[index])
    if found is None:
        raise PinError(f"action.yml, line {index + 1}: runs.image is not a single plain value")
    lines[index] = found["head"] + found["quote"] + reference + found["quote"] + found["tail"]
    return "".join(lines)


def _runs_keys(lines: list[str]) -> dict[str, tuple[int, str]]:
    """The direct keys of the top-level `runs:` block: key → (its line's index, its value)."""
    start = next(
        (i for i, line in enumerate(lines) if re.match(r"runs:[ \t]*(#.*)?$", line.rstrip("\r\n"))), None
    )
    if start is None:
        raise PinError("action.yml has no top-level `runs:`")
    keys: dict[str, tuple[int, str]] = {}
    indent: str | None = None
    for index in range(start + 1, len(lines)):
        line = lines[index]
        if _TOP_LEVEL.match(line):
            break
        key = _KEY.match(line)
        if key is None:
            continue
        indent = key["indent"] if indent is None else indent
        if key["indent"] != indent:
            continue
        if key["key"] in keys:
            raise PinError(f"action.yml, line {index + 1}: runs.{key['key']} appears twice")
        keys[key["key"]] = (index, line[key.end() :].split("#", 1)[0].strip())
    return keys


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: pin_image.py ACTION_YML docker://REGISTRY/PATH@sha256:<digest>", file=sys.stderr)
        return 2
    path, reference = Path(argv[0]), argv[1]
    before = path.read_bytes().decode("utf-8")
    try:
        after = pin_image(before, reference)
    except PinError as error:
        print(f"pin_image: {error}", file=sys.stderr)
        return 2
    if after == before:
        print(f"{path}: runs.image is already {reference}")
        return 0
    path.write_bytes(after.encode("utf-8"))
    print(f"{path}: runs.image is now {reference}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
