"""What a viewer function's handler returns, where the code says so plainly: the event's request or
its response. A viewer-request function must return the request (or a response it makes up); a
viewer-response function must return the response. Attaching code to the event it was not written
for fails every request there, and TestFunction only shows it for the event a test case names.

Only the plain forms count: `return event.request`, and `return request` where the handler bound
`request` to `event.request` (and nothing else) in its own body. A return of anything else (an object
literal, a call, a name bound twice) says nothing, so the check never refuses code it cannot read.
Source: Developer Guide, "CloudFront Functions event structure" (viewer request: return the request
or a response; viewer response: return the response).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from publisher.core.language.nodes import walk
from publisher.core.language.tree import parser

if TYPE_CHECKING:
    from tree_sitter import Node

PARTS = ("request", "response")


def handler_returns(code: bytes) -> list[tuple[str, int]]:
    """(`request` or `response`, line) for each return of the top-level `handler` that plainly gives
    one of the event's two parts; [] when there is no such handler or nothing plain to read."""
    root = parser().parse(code).root_node
    handler = next((n for n in root.named_children if _is_handler(n)), None)
    params = handler.child_by_field_name("parameters") if handler else None
    event = next((p for p in params.named_children if p.type == "identifier"), None) if params else None
    if handler is None or event is None:
        return []
    name = _text(event)
    own = [node for node, enclosing in walk(handler) if enclosing == (handler,)]
    bound: dict[str, set[str]] = {}
    for node in own:
        target, value = _binding(node)
        if target:
            bound.setdefault(target, set()).add(_part(value, name) or "?")
    found = []
    for node in own:
        if node.type != "return_statement" or not node.named_children:
            continue
        value = node.named_children[0]
        part = _part(value, name)
        if part is None and value.type == "identifier":
            held = bound.get(_text(value), set())
            part = next(iter(held)) if len(held) == 1 and held <= set(PARTS) else None
        if part:
            found.append((part, node.start_point[0] + 1))
    return found


def _is_handler(node: Node) -> bool:
    named = node.child_by_field_name("name") if node.type == "function_declaration" else None
    return named is not None and _text(named) == "handler"


def _binding(node: Node) -> tuple[str, Node | None]:
    """(name, value) of `var|let|const name = value` or `name = value`; ("", None) otherwise."""
    if node.type == "variable_declarator":
        target, value = node.child_by_field_name("name"), node.child_by_field_name("value")
    elif node.type == "assignment_expression":
        target, value = node.child_by_field_name("left"), node.child_by_field_name("right")
    else:
        return "", None
    if target is None or target.type != "identifier" or value is None:  # `let r;` binds nothing yet
        return "", None
    return _text(target), value


def _part(value: Node | None, event: str) -> str | None:
    """`request` or `response` when `value` is `<event>.request` or `<event>.response`."""
    if value is None or value.type != "member_expression":
        return None
    obj, prop = value.child_by_field_name("object"), value.child_by_field_name("property")
    if obj is None or prop is None or obj.type != "identifier" or _text(obj) != event:
        return None
    part = _text(prop)
    return part if part in PARTS else None


def _text(node: Node) -> str:
    return (node.text or b"").decode("utf-8", "replace")
