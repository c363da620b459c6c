"""Early errors: what ECMAScript refuses before a line runs, in a script, in strict mode.

Both runtime pages say functions always run in strict mode ("you don't need to add a use strict
statement ... This cannot be changed"), and CloudFront runs the code as a script, not a module. A
legacy octal literal, an octal escape, `delete` of a plain name, a repeated parameter and the words
strict mode reserves are SyntaxErrors there; so are, in any script, a `return` outside a function,
a `break` or `continue` with nothing to leave, a name declared twice with let, const or class, a
`const` with no value and `import.meta`. njs 0.7.9 refuses each, but for the octal escape.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from publisher.core.language.nodes import FUNCTIONS
from publisher.core.language.tree import Source

if TYPE_CHECKING:
    from tree_sitter import Node

STRICT = "functions always run in strict mode, where it is a SyntaxError"
SCRIPT = "a SyntaxError in a script, which a function's code is"
LEGACY_OCTAL = re.compile(r"^0[0-9]+$")
OCTAL_ESCAPE = re.compile(r"^\\(?:0[0-9]|[1-9])")
RESERVED = frozenset(
    {"implements", "interface", "let", "package", "private", "protected", "public", "static", "yield"}
)
LOOPS = frozenset({"for_statement", "for_in_statement", "while_statement", "do_statement"})


def number(src: Source, node: Node, _: tuple[Node, ...]) -> None:
    if LEGACY_OCTAL.match(src.text(node)):
        src.refuse(
            node, f"the legacy octal literal `{src.text(node)}` ({STRICT}; write 0o{src.text(node)[1:]})"
        )


def escape(src: Source, node: Node, _: tuple[Node, ...]) -> None:
    if OCTAL_ESCAPE.match(src.text(node)):
        src.refuse(node, f"the octal escape `{src.text(node)}` ({STRICT}; write \\x.. or \\u....)")


def delete(src: Source, node: Node, _: tuple[Node, ...]) -> None:
    operator = node.child_by_field_name("operator")
    argument = node.child_by_field_name("argument")
    while argument is not None and argument.type == "parenthesized_expression" and argument.named_children:
        argument = argument.named_children[0]
    if (
        operator is not None
        and operator.type == "delete"
        and argument is not None
        and argument.type == "identifier"
    ):
        src.refuse(node, f"`delete` of a plain name ({STRICT})")


def parameters(src: Source, node: Node, _: tuple[Node, ...]) -> None:
    seen: set[str] = set()
    for declaration in src.scopes.declared.get(node.parent.id if node.parent else -1, ()):
        if declaration.kind != "param" or not _inside(declaration.node, node):
            continue
        if declaration.name in seen:
            src.refuse(declaration.node, f"the parameter name `{declaration.name}` twice ({STRICT})")
        seen.add(declaration.name)


def reserved(src: Source, node: Node, _: tuple[Node, ...]) -> None:
    if src.text(node) in RESERVED:
        src.refuse(node, f"`{src.text(node)}` as a name (a word strict mode reserves; {STRICT})")


def return_(src: Source, node: Node, enclosing: tuple[Node, ...]) -> None:
    if not enclosing:
        src.refuse(node, f"`return` outside a function ({SCRIPT})")


def jump(src: Source, node: Node, _: tuple[Node, ...]) -> None:
    label = node.child_by_field_name("label")
    word = "break" if node.type == "break_statement" else "continue"
    targets = LOOPS if word == "continue" or label is not None else LOOPS | {"switch_statement"}
    parent = node.parent
    while parent is not None and parent.type not in FUNCTIONS:
        if label is None and parent.type in targets:
            return
        if (
            label is not None
            and parent.type == "labeled_statement"
            and _label(src, parent) == src.text(label)
        ):
            return
        parent = parent.parent
    what = f"`{word} {src.text(label)}` with no such label around it" if label else f"`{word}` outside a loop"
    src.refuse(node, f"{what}{' or switch' if word == 'break' and not label else ''} ({SCRIPT})")


def redeclared(src: Source, node: Node, _: tuple[Node, ...]) -> None:
    """Run once, on the script: each name declared again where let, const or class already holds it."""
    for declaration in src.scopes.redeclared():
        src.refuse(declaration.node, f"`{declaration.name}` declared twice in one scope ({SCRIPT})")


def const(src: Source, node: Node, _: tuple[Node, ...]) -> None:
    keyword = node.child(0)
    if keyword is None or keyword.type != "const":
        return
    for declarator in node.named_children:
        if declarator.type == "variable_declarator" and declarator.child_by_field_name("value") is None:
            src.refuse(declarator, f"`const` without a value ({SCRIPT})")


def meta(src: Source, node: Node, _: tuple[Node, ...]) -> None:
    if src.text(node).startswith("import"):
        src.refuse(node, f"`import.meta`, which only modules have ({SCRIPT})")


def _label(src: Source, labeled: Node) -> str:
    label = labeled.child_by_field_name("label")
    return src.text(label) if label is not None else ""


def _inside(node: Node, outer: Node) -> bool:
    return outer.start_byte <= node.start_byte and node.end_byte <= outer.end_byte
