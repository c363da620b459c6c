"""Globals a runtime does not have, used where the code does not declare them itself.

Each runtime page lists its globals and built-in objects. Neither has `module`, `exports` or `process` (a
function is one script, not a Node.js module: `module.exports = ...` at its end throws a
ReferenceError when the code loads, and every request answers 503); 1.0 has neither Buffer nor
atob/btoa (2.0 features); 2.0 no longer has `String.bytesFrom()`. Code that looks first (`typeof
Buffer`, `typeof module !== 'undefined'`) is left alone: it runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from publisher.core.language.sources import RUNTIME_20, RUNTIME_CHANGES
from publisher.core.language.tree import Source

if TYPE_CHECKING:
    from tree_sitter import Node

V10 = "cloudfront-js-1.0"
NODE_ONLY = {
    "module": "`module`: a function is one script, not a Node.js module, and has no `module` global "
    "(`module.exports = ...` throws a ReferenceError when the code loads)",
    "exports": "`exports`: a function is one script, not a Node.js module, and has no `exports` global "
    "(`exports.handler = ...` throws a ReferenceError when the code loads)",
    "process": "`process`: there is no `process` global (no `process.env`; the code cannot read the "
    "environment)",
}
NEW_IN_20 = {
    "Buffer": ("`Buffer` (the Buffer module comes with cloudfront-js-2.0)", RUNTIME_CHANGES),
    "atob": ("`atob()`, a global that comes with cloudfront-js-2.0", RUNTIME_20),
    "btoa": ("`btoa()`, a global that comes with cloudfront-js-2.0", RUNTIME_20),
}


def identifier(src: Source, node: Node, _: tuple[Node, ...]) -> None:
    name = src.text(node)
    if name not in NODE_ONLY and not (src.runtime == V10 and name in NEW_IN_20):
        return
    if src.declares(node) or _guarded(src, node, name):
        return
    if name in NODE_ONLY:
        src.refuse(node, NODE_ONLY[name], at_run_time=True)
    else:
        feature, page = NEW_IN_20[name]
        src.refuse(node, feature, page, at_run_time=True)


def string_bytes_from(src: Source, node: Node) -> bool:
    """`String.bytesFrom(...)` in 2.0, String being the global: refused, and True."""
    receiver = node.child_by_field_name("object")
    name = node.child_by_field_name("property")
    if src.runtime == V10 or receiver is None or name is None or receiver.type != "identifier":
        return False
    if src.text(receiver) != "String" or src.text(name) != "bytesFrom" or src.declares(receiver):
        return False
    what = "`String.bytesFrom()` (a cloudfront-js-1.0 method, not available in 2.0)"
    src.refuse(name, what, RUNTIME_CHANGES, at_run_time=True)
    return True


def _guarded(src: Source, node: Node, name: str) -> bool:
    """`typeof name` here, or anywhere in the code: it checks before it uses the name."""
    parent = node.parent
    if parent is not None and parent.type == "unary_expression" and src.text(parent).startswith("typeof"):
        return True
    return f"typeof {name}" in src.code.decode("utf-8", "replace")
