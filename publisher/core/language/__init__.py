"""Can the runtime a function names compile and run its code? A check of the language, no I/O.

    check_code(code, "cloudfront-js-1.0") -> [Finding(line=3, column=5, message="cloudfront-js-1.0
        does not support `let` (...)", fatal=True)]

The code is parsed with tree-sitter's JavaScript grammar. A fatal finding means CloudFront would
refuse the code or fail every run that reaches it; a warning names a feature the runtime's page does
not vouch for. Every message is self-contained (runtime, feature, the page the rule rests on), so a
caller can show it next to the code file's path. Rules and their sources: docs/runtime-check.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from publisher.core.language.nodes import walk
from publisher.core.language.sources import RUNTIME_PAGES
from publisher.core.language.tree import Finding, Source
from publisher.core.limits import RUNTIMES

if TYPE_CHECKING:
    from tree_sitter import Node

__all__ = ["RUNTIMES", "Finding", "check_code"]

MAX_SYNTAX_ERRORS = 3  # past the first few, tree-sitter's recovery mostly reports echoes


def check_code(code: bytes, runtime: str) -> list[Finding]:
    """Every finding in the code for `runtime`, in source order; [] when there is nothing to say."""
    return _in_order(_check(code, runtime).findings)


def _check(code: bytes, runtime: str) -> Source:
    if runtime not in RUNTIME_PAGES:
        raise ValueError(f"unknown runtime {runtime!r}: use one of {', '.join(RUNTIMES)}")
    from publisher.core.language.rules import RULES

    src = Source.parse(code, runtime)
    _syntax_errors(src)
    for node, enclosing in walk(src.root):
        for rule in RULES.get(node.type, ()):
            rule(src, node, enclosing)
    return src


def _in_order(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(set(findings), key=lambda f: (f.line, f.column, not f.fatal, f.message))


def _syntax_errors(src: Source) -> None:
    if not src.root.has_error:
        return
    reported: list[Node] = []
    for node, _ in walk(src.root):
        if len(reported) == MAX_SYNTAX_ERRORS:
            return
        if not (node.is_error or node.is_missing) or any(_inside(node, r) for r in reported):
            continue
        reported.append(node)
        src.add(node, f"{src.runtime} cannot compile this: {_describe(src, node)}", fatal=True)


def _describe(src: Source, node: Node) -> str:
    if node.is_missing:
        return f"syntax error, `{node.type}` expected here"
    text = " ".join(src.text(node).split())
    shown = text if len(text) <= 30 else text[:27] + "..."
    return f"syntax error, unexpected `{shown}`" if shown else "syntax error"


def _inside(node: Node, outer: Node) -> bool:
    return outer.start_byte <= node.start_byte and node.end_byte <= outer.end_byte
