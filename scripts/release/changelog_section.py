"""Print one version's section of CHANGELOG.md, the notes of its GitHub release.

    python3 scripts/release/changelog_section.py CHANGELOG.md 1.2.0     # or v1.2.0

The section is what lies under `## [1.2.0]` (a date may follow the heading) down to the next `## `
heading or the link definitions at the end, without blank lines at either end. A version with no
section, or an empty one, is an error: a release is not published without its notes.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

_NEXT = re.compile(r"## |\[[^\]]+\]:\s")  # the next version, or the link definitions at the end


class ChangelogError(LookupError):
    """The changelog has no notes for this version."""


def changelog_section(text: str, version: str) -> str:
    """The body of `version`'s section, without its heading; ChangelogError if absent or empty."""
    version = version.removeprefix("v")
    heading = re.compile(rf"## \[?v?{re.escape(version)}\]?(?:[ \t]+-[ \t]+\S.*)?[ \t]*")
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if heading.fullmatch(line)), None)
    if start is None:
        raise ChangelogError(f"CHANGELOG.md has no section `## [{version}]`")
    end = next((i for i in range(start + 1, len(lines)) if _NEXT.match(lines[i])), len(lines))
    body = "\n".join(lines[start + 1 : end]).strip("\n")
    if not body.strip():
        raise ChangelogError(f"CHANGELOG.md's section for {version} is empty")
    return body + "\n"


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: changelog_section.py CHANGELOG.md VERSION", file=sys.stderr)
        return 2
    try:
        sys.stdout.write(changelog_section(Path(argv[0]).read_text(encoding="utf-8"), argv[1]))
    except ChangelogError as error:
        print(f"changelog_section: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
