"""`require` and `import`: only the runtime's built-in modules load; nothing else is there.

CloudFront runs one file: there is no package to install and no file system to read one from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from publisher.core.language.sources import KVS_HELPERS, RESTRICTIONS, RUNTIME_10, RUNTIME_20
from publisher.core.language.tree import Source

if TYPE_CHECKING:
    from tree_sitter import Node

# The "Built-in modules" sections of each runtime's page; `cloudfront` is the KeyValueStore
# module of the helper-methods page, runtime 2.0 only.
BUILT_IN = {
    "cloudfront-js-1.0": ("crypto", "querystring"),
    "cloudfront-js-2.0": ("crypto", "querystring", "buffer", "cloudfront"),
}
FILES = ("fs", "fs/promises")  # "There is no file system access ... there is no fs module"
NETWORK = ("http", "https", "http2", "net", "dgram", "tls", "dns")  # "no support for network calls"


def check_require(src: Source, call: Node) -> None:
    arguments = call.child_by_field_name("arguments")
    first = arguments.named_children[0] if arguments is not None and arguments.named_children else None
    if first is None or first.type != "string":
        src.warn(call, "`require` of a module named at run time: only built-in modules load")
        return
    _check_module(src, first, _string_value(src, first), at_run_time=True)


def check_import(src: Source, node: Node, _: tuple[Node, ...]) -> None:
    if src.runtime == "cloudfront-js-1.0":
        src.refuse(
            node,
            "`import`: modules and `import cf from 'cloudfront'` come with cloudfront-js-2.0",
            RUNTIME_10,
        )
        return
    source = node.child_by_field_name("source")
    if source is None:
        return
    if not _check_module(src, source, _string_value(src, source)):
        return
    clause = next((c for c in node.named_children if c.type == "import_clause"), None)
    if clause is None or [c.type for c in clause.named_children] != ["identifier"]:
        src.warn(node, "this form of `import`: the pages show `import name from 'module'` only", KVS_HELPERS)


def _check_module(src: Source, node: Node, name: str, at_run_time: bool = False) -> bool:
    """True when the module loads in this runtime; otherwise the reason is recorded. `require`
    fails when it runs; an `import` fails before anything runs."""
    bare = name.removeprefix("node:")
    if bare in BUILT_IN[src.runtime]:
        return True
    if bare in FILES:
        src.refuse(node, f"the `{name}` module: there is no file system access", RESTRICTIONS, at_run_time)
    elif bare in NETWORK:
        src.refuse(node, f"the `{name}` module: there is no network access", RESTRICTIONS, at_run_time)
    elif bare in BUILT_IN["cloudfront-js-2.0"]:
        src.refuse(node, f"the `{name}` module, which comes with cloudfront-js-2.0", RUNTIME_20, at_run_time)
    else:
        built_in = ", ".join(BUILT_IN[src.runtime])
        src.refuse(
            node, f"the module `{name}`: only its built-in modules load ({built_in})", at_run_time=at_run_time
        )
    return False


def _string_value(src: Source, string: Node) -> str:
    return src.text(string)[1:-1]
