#!/usr/bin/env python3
"""Renders an example job summary the way GitHub shows it, and screenshots it for the docs.

    .venv/bin/python scripts/render-summary.py [MARKDOWN] [--out docs/summary.png] [--html page.html]
                                               [--width 1280] [--height 1600]

MARKDOWN defaults to the publish run's golden file (tests/golden/summary-publish.md). The Markdown is
turned into HTML by cmark-gfm (the `cmarkgfm` package of the dev extra: the renderer GitHub's Markdown
is built on), wrapped in a small GitHub-like stylesheet, and photographed by headless Chromium
(Debian package `chromium`; set CHROMIUM to use another binary). The first collapsible block is
opened so that the picture shows a diff. Look at the picture, not only at the Markdown: a broken
table or escaped HTML showing as text is plain to see there.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WIDTH, HEIGHT = 1280, 1600  # a laptop's browser; --width 390 is a phone's

CSS = """
body { margin: 0; background: #f6f8fa; color: #1f2328;
  font: 14px/1.5 -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif,
  "Noto Color Emoji", "Apple Color Emoji", "Segoe UI Emoji"; }
main { max-width: 1100px; margin: 24px auto; padding: 16px 32px; background: #fff;
  border: 1px solid #d0d7de; border-radius: 6px; }
h2 { font-size: 1.5em; border-bottom: 1px solid #d8dee4; padding-bottom: .3em; margin: 16px 0; }
h3 { font-size: 1.25em; margin: 24px 0 16px; }
p, ul, table, details, pre { margin: 0 0 16px; }
ul { padding-left: 2em; }
a { color: #0969da; text-decoration: none; }
code { font: 85% ui-monospace, SFMono-Regular, "DejaVu Sans Mono", Menlo, monospace;
  background: rgba(175, 184, 193, .2); border-radius: 6px; padding: .2em .4em; }
pre { background: #f6f8fa; border-radius: 6px; padding: 16px; overflow: auto; line-height: 1.45; }
pre code { background: none; padding: 0; font-size: 85%; }
table { border-collapse: collapse; display: block; width: max-content; max-width: 100%; overflow: auto; }
th, td { border: 1px solid #d0d7de; padding: 6px 13px; vertical-align: top; }
th { font-weight: 600; }
tr:nth-child(2n) { background: #f6f8fa; }
summary { cursor: pointer; }
details > pre { margin-top: 8px; }
.add { color: #116329; background: #dafbe1; display: inline-block; width: 100%; }
.del { color: #82071e; background: #ffebe9; display: inline-block; width: 100%; }
.hunk { color: #8250df; }
"""


def to_html(markdown: str) -> str:
    import cmarkgfm  # type: ignore[import-untyped]
    from cmarkgfm.cmark import Options  # type: ignore[import-untyped]

    # Raw HTML through, as GitHub lets <details>, <summary>, <code> and <br> through its sanitiser.
    body = cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)
    body = re.sub(r'(<pre lang="diff"><code>)(.*?)(</code></pre>)', _colour, body, flags=re.S)
    body = body.replace("<details>", "<details open>", 1)
    return (
        '<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Job summary</title>'
        f"<style>{CSS}</style></head><body><main>{body}</main></body></html>"
    )


def _colour(match: re.Match[str]) -> str:
    """A diff's added, removed and hunk lines in GitHub's colours."""
    lines = []
    for line in match[2].split("\n"):
        text = html.unescape(line)
        kind = (
            "hunk"
            if text.startswith("@@")
            else "add"
            if text.startswith("+")
            else "del"
            if text.startswith("-")
            else ""
        )
        lines.append(f'<span class="{kind}">{line}</span>' if kind else line)
    return match[1] + "\n".join(lines) + match[3]


def screenshot(page: Path, png: Path, height: int = HEIGHT, width: int = WIDTH) -> None:
    browser = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not browser:
        sys.exit("render-summary: no Chromium found (install the Debian package `chromium`, or set CHROMIUM)")
    with tempfile.TemporaryDirectory() as profile:
        flags = [
            "--headless",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            f"--screenshot={png}",
            f"--window-size={width},{height}",
        ]
        if os.geteuid() == 0:
            flags.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox
        subprocess.run([browser, *flags, page.as_uri()], check=True, capture_output=True, timeout=120)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("markdown", nargs="?", type=Path, default=ROOT / "tests/golden/summary-publish.md")
    parser.add_argument("--out", type=Path, default=ROOT / "docs/summary.png")
    parser.add_argument("--html", type=Path, help="also keep the HTML page here")
    parser.add_argument("--width", type=int, default=WIDTH, help="of the window, in pixels (390: a phone)")
    parser.add_argument("--height", type=int, default=HEIGHT, help="of the window, in pixels (a longer page)")
    args = parser.parse_args()
    page_html = to_html(args.markdown.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as folder:
        page = Path(args.html or Path(folder) / "summary.html").resolve()
        page.write_text(page_html, encoding="utf-8")
        args.out.parent.mkdir(parents=True, exist_ok=True)
        screenshot(page, args.out.resolve(), args.height, args.width)
    print(f"{args.out}: {args.out.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
