"""Which declaration a name refers to: scopes as ECMAScript draws them, for the rules to ask
"is this `setTimeout` the global, or a name the code declared where it is used?".

A function's parameters and the top level of its body share one scope, as a catch clause's parameter
and its block do; `var` and top-level function declarations belong to the nearest function (or the
script); `let`, `const`, `class` and function declarations inside a block belong to that block, as
they do in strict mode, where functions always run. Declarations are also what the duplicate rule
reads: a name declared with `let`, `const` or `class` may not be declared again in its scope.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from publisher.core.language.nodes import FUNCTIONS, walk

if TYPE_CHECKING:
    from tree_sitter import Node

BLOCKS = frozenset({"statement_block", "for_statement", "for_in_statement", "switch_body", "class_body"})
PATTERN_NAMES = ("identifier", "shorthand_property_identifier_pattern")


@dataclass(frozen=True)
class Declaration:
    name: str
    kind: str  # var, param, function, lexical (let, const, class, a function inside a block), import
    node: Node


@dataclass
class Scopes:
    """Every scope's declarations, by the id of the node that opens the scope."""

    declared: dict[int, list[Declaration]] = field(default_factory=dict)

    def resolves(self, identifier: Node, name: str) -> bool:
        """True when `name`, used at `identifier`, is declared by the code in a scope around it."""
        node: Node | None = identifier
        while node is not None:
            if any(d.name == name for d in self.declared.get(node.id, ())):
                return True
            node = node.parent
        return False

    def redeclared(self) -> Iterator[Declaration]:
        """Each declaration that repeats a name already bound in its scope by let, const or class."""
        for declarations in self.declared.values():
            seen: dict[str, list[Declaration]] = {}
            for d in sorted(declarations, key=lambda d: d.node.start_byte):
                earlier = seen.setdefault(d.name, [])
                if earlier and (d.kind == "lexical" or any(e.kind == "lexical" for e in earlier)):
                    yield d
                earlier.append(d)


def scopes(root: Node) -> Scopes:
    found = Scopes()
    for node, _ in walk(root):
        for scope, d in _declarations(node):
            found.declared.setdefault(scope.id, []).append(d)
    return found


def _declarations(node: Node) -> Iterator[tuple[Node, Declaration]]:
    kind = node.type
    if kind == "variable_declarator" and node.parent is not None:
        lexical = node.parent.type == "lexical_declaration"
        target = _block(node) if lexical else _function(node)
        yield from _bound(node.child_by_field_name("name"), target, "lexical" if lexical else "var")
        if not lexical:
            yield from _passed(node, target)
    elif kind in ("function_declaration", "generator_function_declaration", "class_declaration"):
        target = _block(node)
        top = target.type in FUNCTIONS or target.type == "program"
        what = "function" if top and kind != "class_declaration" else "lexical"
        yield from _bound(node.child_by_field_name("name"), target, what)
    elif kind in ("function_expression", "generator_function", "class"):
        yield from _bound(node.child_by_field_name("name"), node, "function")
    elif kind == "formal_parameters" and node.parent is not None:
        for parameter in node.named_children:
            yield from _bound(parameter, node.parent, "param")
    elif kind in {"arrow_function", "catch_clause"}:
        yield from _bound(node.child_by_field_name("parameter"), node, "param")
    elif kind == "for_in_statement" and node.child_by_field_name("kind") is not None:
        declared = node.child_by_field_name("kind")
        what = "var" if declared is not None and declared.type == "var" else "lexical"
        yield from _bound(node.child_by_field_name("left"), _function(node) if what == "var" else node, what)
    elif kind == "import_clause":
        for child in node.named_children:
            yield from _bound(child, _function(node), "import")


def _bound(target: Node | None, scope: Node, kind: str) -> Iterator[tuple[Node, Declaration]]:
    """Every name a binding target declares: an identifier, or the names inside a pattern."""
    if target is None:
        return
    for node, _ in walk(target):
        if node.type in PATTERN_NAMES and _binds(node, target):
            yield scope, Declaration(_text(node), kind, node)


def _binds(name: Node, target: Node) -> bool:
    """False for what a pattern reads rather than binds: a default value, a computed key, a pair's key."""
    node = name
    while node.id != target.id and node.parent is not None:
        parent = node.parent
        if parent.type == "computed_property_name" or _field_is(parent, "right", node, "assignment_pattern"):
            return False
        if _field_is(parent, "right", node, "object_assignment_pattern") or _field_is(
            parent, "key", node, "pair_pattern"
        ):
            return False
        node = parent
    return True


def _field_is(parent: Node, name: str, node: Node, kind: str) -> bool:
    child = parent.child_by_field_name(name)
    return parent.type == kind and child is not None and child.id == node.id


def _passed(node: Node, target: Node) -> Iterator[tuple[Node, Declaration]]:
    """A `var` inside blocks also meets the let/const/class of each block it is hoisted through."""
    parent = _block(node)
    while parent.id != target.id and parent.type not in FUNCTIONS and parent.type != "program":
        yield from ((parent, d) for _, d in _bound(node.child_by_field_name("name"), parent, "var"))
        if parent.parent is None:
            return
        parent = _block(parent.parent)


def _block(node: Node) -> Node:
    """The scope a lexical declaration at `node` belongs to: the nearest block, function or script."""
    parent = node.parent
    while parent is not None:
        if parent.type in FUNCTIONS or parent.type in ("program", "catch_clause"):
            return parent
        if parent.type in BLOCKS and not _merged(parent):
            return parent
        parent = parent.parent
    return node


def _function(node: Node) -> Node:
    parent = node.parent
    while parent is not None and parent.type not in FUNCTIONS and parent.type != "program":
        parent = parent.parent
    return parent or node


def _merged(block: Node) -> bool:
    """A function's body and a catch clause's block share the scope of their parameters."""
    parent = block.parent
    return (
        block.type == "statement_block"
        and parent is not None
        and (parent.type in FUNCTIONS or parent.type == "catch_clause")
    )


def _text(node: Node) -> str:
    return (node.text or b"").decode("utf-8", "replace")
