"""The tree's walk and the node types that open a function: what the parsed code and its scopes share."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tree_sitter import Node

FUNCTIONS = frozenset(
    {
        "function_declaration",
        "function_expression",
        "arrow_function",
        "method_definition",
        "generator_function_declaration",
        "generator_function",
    }
)


def walk(root: Node) -> Iterator[tuple[Node, tuple[Node, ...]]]:
    """Every node, depth first in source order, with the functions that enclose it (innermost
    last). A stack, not recursion: 10 KB of nested brackets must not exhaust Python's stack."""
    stack: list[tuple[Node, tuple[Node, ...]]] = [(root, ())]
    while stack:
        node, enclosing = stack.pop()
        yield node, enclosing
        inner = (*enclosing, node) if node.type in FUNCTIONS else enclosing
        stack.extend((child, inner) for child in reversed(node.children))
