"""Check a release tag against publisher/version.py and say what the release workflow needs from it.

    python3 scripts/release/release_tag.py v1.2.0 >> "$GITHUB_OUTPUT"

prints `version=1.2.0`, `major=v1` and `prerelease=false`. A tag that is not `vMAJOR.MINOR.PATCH`
(optionally `-PRERELEASE`), or that differs from the version the package declares, is refused: the
image label, the package and the tag must agree. A prerelease does not move the major tag.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

VERSION_FILE = Path(__file__).resolve().parents[2] / "publisher" / "version.py"
_TAG = re.compile(
    r"v(?P<major>0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)(?P<pre>-[0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*)?"
)
_DECLARED = re.compile(r"^__version__ = \"([^\"]+)\"$", re.MULTILINE)


class TagError(ValueError):
    """The tag cannot be released."""


@dataclass(frozen=True)
class ReleaseTag:
    version: str  # 1.2.0, as publisher/version.py writes it
    major: str  # v1: the floating tag a stable release moves
    prerelease: bool


def release_tag(tag: str, version_file_text: str) -> ReleaseTag:
    found = _TAG.fullmatch(tag)
    if found is None:
        raise TagError(f"{tag!r} is not a release tag vMAJOR.MINOR.PATCH[-PRERELEASE]")
    declared = _DECLARED.search(version_file_text)
    if declared is None:
        raise TagError("publisher/version.py declares no __version__")
    if declared.group(1) != tag[1:]:
        raise TagError(f"tag {tag} does not match publisher/version.py ({declared.group(1)}); bump it first")
    return ReleaseTag(tag[1:], f"v{found['major']}", found["pre"] is not None)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: release_tag.py vX.Y.Z", file=sys.stderr)
        return 2
    try:
        tag = release_tag(argv[0], VERSION_FILE.read_text(encoding="utf-8"))
    except TagError as error:
        print(f"release_tag: {error}", file=sys.stderr)
        return 1
    print(f"version={tag.version}\nmajor={tag.major}\nprerelease={str(tag.prerelease).lower()}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
