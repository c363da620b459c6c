"""What each runtime refuses or may not support, node by node; every rule names its page.

The policy, conservative on purpose so that no function CloudFront runs is refused:
- fatal: what a page says is not supported (const/let in 1.0, await outside an async function,
  eval, the Function constructor, timers, files, network), what no runtime can compile (syntax
  errors, `export`, `with` in strict mode), modules that are not built in, and declarations
  neither page lists although each says it lists every supported feature (class, generators;
  async/await and import in 1.0, where they are listed for 2.0 only);
- a warning: ES 6+ syntax the pages are silent about, and restrictions whose scope the pages leave
  unclear ("async arguments and closures are not supported").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from publisher.core.language import early, globals
from publisher.core.language.modules import check_import, check_require
from publisher.core.language.sources import RESTRICTIONS, RUNTIME_CHANGES
from publisher.core.language.tree import Source, is_async

if TYPE_CHECKING:
    from tree_sitter import Node

V10 = "cloudfront-js-1.0"
Rule = Callable[[Source, "Node", tuple["Node", ...]], None]

TIMERS = ("setTimeout", "setImmediate", "clearTimeout", "setInterval", "clearInterval", "clearImmediate")
NETWORK = ("fetch", "XMLHttpRequest", "WebSocket")
STRING_BYTES = ("bytesFrom", "fromBytes", "fromUTF8", "toBytes", "toUTF8")
PATTERNS = ("object_pattern", "array_pattern")
ASYNC_NOTE = '("async arguments and closures are not supported")'
NJS = "njs 0.7.9"  # the engine runtime 1.0's String methods and modules come from; see docs/runtime-check.md


def _unlisted(src: Source, node: Node, feature: str) -> None:
    """ES 6+ syntax neither page lists, which njs rejects as a SyntaxError: refused in 1.0, whose
    String methods and modules are njs's; in 2.0, which adds features up to ES 12 from an engine
    that may be newer, a warning that names the engine that refused it."""
    if src.runtime == V10:
        src.refuse(node, f"{feature}, which its page does not list and {NJS} rejects as a SyntaxError")
    else:
        src.warn(node, f"{feature}, which its page does not list and {NJS} rejects as a SyntaxError")


AWAIT_NOTE = '("await can be used inside async functions only")'


def _lexical(src: Source, node: Node, _: tuple[Node, ...]) -> None:
    keyword = node.child(0) if node.type == "lexical_declaration" else node.child_by_field_name("kind")
    if src.runtime == V10 and keyword is not None and keyword.type in ("let", "const"):
        src.refuse(keyword, f'`{keyword.type}` ("The const and let statements are not supported")')


def _for_in(src: Source, node: Node, enclosing: tuple[Node, ...]) -> None:
    _lexical(src, node, enclosing)
    operator = node.child_by_field_name("operator")
    if operator is not None and operator.type == "of":
        _unlisted(src, operator, "`for...of` loops")


def _class(src: Source, node: Node, _: tuple[Node, ...]) -> None:
    src.refuse(node, "classes (`class` is not among the statements the page lists)")


def _function(src: Source, node: Node, enclosing: tuple[Node, ...]) -> None:
    if node.type.startswith("generator_function") or any(c.type == "*" for c in node.children):
        src.refuse(node, "generator functions (`function*` is not among the features the page lists)")
    if not is_async(node):
        return
    if src.runtime == V10:
        src.refuse(node, "`async` functions (async and await come with cloudfront-js-2.0)")
    elif node.parent is not None and node.parent.type == "arguments":
        src.warn(node, f"an async function passed as an argument {ASYNC_NOTE}")
    elif enclosing:
        src.warn(node, f"an async function inside another function {ASYNC_NOTE}")


def _await(src: Source, node: Node, enclosing: tuple[Node, ...]) -> None:
    if src.runtime == V10:
        src.refuse(node, "`await` (async and await come with cloudfront-js-2.0)")
    elif not enclosing or not is_async(enclosing[-1]):
        src.refuse(node, f"`await` outside an async function {AWAIT_NOTE}")
    elif _in_arguments(node, enclosing[-1]):
        src.warn(
            node,
            f'`await` in a call\'s arguments {ASYNC_NOTE}; {NJS} refuses it ("await in arguments not supported")',
        )


def _in_arguments(node: Node, function: Node) -> bool:
    parent = node.parent
    while parent is not None and parent.id != function.id:
        if parent.type == "arguments":
            return True
        parent = parent.parent
    return False


def _export(src: Source, node: Node, _: tuple[Node, ...]) -> None:
    src.refuse(node, "`export`: a function's code is a script, where `export` is a SyntaxError")


def _with(src: Source, node: Node, _: tuple[Node, ...]) -> None:
    src.refuse(node, "`with`: functions always run in strict mode, where `with` is a SyntaxError")


def _jsx(src: Source, node: Node, _: tuple[Node, ...]) -> None:
    src.refuse(node, "JSX, which is not JavaScript")


def _call(src: Source, node: Node, _: tuple[Node, ...]) -> None:
    callee = node.child_by_field_name("function")
    if callee is None:
        return
    if callee.type == "import":
        src.warn(callee, "dynamic `import()`, which its page does not list")
        return
    name = src.text(callee) if callee.type == "identifier" else ""
    if name and src.declares(callee):
        return
    if name == "require":
        check_require(src, node)
    else:
        _global_call(src, callee, name)


def _new(src: Source, node: Node, _: tuple[Node, ...]) -> None:
    callee = node.child_by_field_name("constructor")
    if callee is not None and callee.type == "identifier" and not src.declares(callee):
        _global_call(src, callee, src.text(callee))


def _global_call(src: Source, callee: Node, name: str) -> None:
    if name == "eval":
        src.refuse(
            callee, '`eval()` ("Dynamic code evaluation is not supported")', RESTRICTIONS, at_run_time=True
        )
    elif name == "Function":
        src.refuse(
            callee, 'the `Function` constructor ("Function constructors are not supported")', at_run_time=True
        )
    elif name in TIMERS:
        src.refuse(
            callee,
            f'`{name}()`: timers ("Your function must synchronously run to completion")',
            at_run_time=True,
        )
    elif name in NETWORK:
        src.refuse(
            callee, f'`{name}`: network access ("There is no support for network calls")', at_run_time=True
        )


def _member(src: Source, node: Node, _: tuple[Node, ...]) -> None:
    name = node.child_by_field_name("property")
    called = node.parent is not None and node.parent.type == "call_expression"
    if called and globals.string_bytes_from(src, node):
        pass
    elif src.runtime != V10 and called and name is not None and src.text(name) in STRING_BYTES:
        what = f"`String.prototype.{src.text(name)}()` (a cloudfront-js-1.0 method, not available in 2.0)"
        src.warn(name, what, RUNTIME_CHANGES)
    if node.child_by_field_name("optional_chain") is not None:
        _unlisted(src, node, "optional chaining (`?.`)")


def _pattern(src: Source, node: Node, _: tuple[Node, ...]) -> None:
    if node.parent is None or node.parent.type not in (*PATTERNS, "pair_pattern", "rest_pattern"):
        _unlisted(src, node, "destructuring")


def _default(src: Source, node: Node, _: tuple[Node, ...]) -> None:
    if node.parent is not None and node.parent.type == "formal_parameters":
        _unlisted(src, node, "default parameter values")


def _operator(src: Source, node: Node, _: tuple[Node, ...]) -> None:
    operator = node.child_by_field_name("operator")
    if operator is not None and operator.type in ("??=", "||=", "&&="):
        _unlisted(src, operator, f"the `{operator.type}` operator")
    elif operator is not None and operator.type == "??":  # njs 0.7.9 runs it
        src.warn(operator, f"the `{operator.type}` operator, which its page does not list")


def _spread(src: Source, node: Node, _: tuple[Node, ...]) -> None:
    _unlisted(src, node, "spread syntax (`...` in calls, arrays and objects)")


FUNCTION_KINDS = ("function_declaration", "function_expression", "arrow_function", "method_definition")
GENERATOR_KINDS = ("generator_function_declaration", "generator_function")

RULES: dict[str, tuple[Rule, ...]] = {
    "lexical_declaration": (_lexical, early.const),
    "for_in_statement": (_for_in,),
    "class_declaration": (_class,),
    "class": (_class,),
    **dict.fromkeys((*FUNCTION_KINDS, *GENERATOR_KINDS), (_function,)),
    "await_expression": (_await,),
    "import_statement": (check_import,),
    "export_statement": (_export,),
    "with_statement": (_with,),
    **dict.fromkeys(("jsx_element", "jsx_self_closing_element"), (_jsx,)),
    "call_expression": (_call,),
    "new_expression": (_new,),
    "identifier": (globals.identifier, early.reserved),
    "shorthand_property_identifier_pattern": (early.reserved,),
    "number": (early.number,),
    "escape_sequence": (early.escape,),
    "unary_expression": (early.delete,),
    "formal_parameters": (early.parameters,),
    "return_statement": (early.return_,),
    **dict.fromkeys(("break_statement", "continue_statement"), (early.jump,)),
    "program": (early.redeclared,),
    "meta_property": (early.meta,),
    "member_expression": (_member,),
    **dict.fromkeys(PATTERNS, (_pattern,)),
    "spread_element": (_spread,),
    "assignment_pattern": (_default,),
    "binary_expression": (_operator,),
    "augmented_assignment_expression": (_operator,),
}
