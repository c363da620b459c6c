"""The parsed code: tree-sitter's JavaScript tree, positions people read, and the findings so far.

tree-sitter is imported on first use, so commands that never check code do not pay for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

from publisher.core.language.sources import RUNTIME_PAGES

if TYPE_CHECKING:
    from tree_sitter import Node, Parser

    from publisher.core.language.scope import Scopes


@dataclass(frozen=True)
class Finding:
    line: int  # 1-based
    column: int  # 1-based, in characters
    message: str  # self-contained: names the runtime, the feature and the page it rests on
    fatal: bool  # True: CloudFront would refuse or fail the code; False: a warning only


@cache
def parser() -> Parser:
    import tree_sitter_javascript
    from tree_sitter import Language, Parser

    return Parser(Language(tree_sitter_javascript.language()))


@dataclass
class Source:
    """One function's code as the rules see it."""

    code: bytes
    runtime: str
    root: Node
    scopes: Scopes
    findings: list[Finding] = field(default_factory=list)
    at_run_time: set[Finding] = field(default_factory=set)  # fatal, but only when the line runs

    @classmethod
    def parse(cls, code: bytes, runtime: str) -> Source:
        from publisher.core.language.scope import scopes

        root = parser().parse(code).root_node
        return cls(code, runtime, root, scopes(root))

    def declares(self, node: Node, name: str | None = None) -> bool:
        """True when the code declares the name used at `node` (default: its text) in a scope around
        it: a function of its own called `setTimeout`, a `catch (fetch)`, is not the global."""
        return self.scopes.resolves(node, self.text(node) if name is None else name)

    def refuse(self, node: Node, feature: str, page: str | None = None, at_run_time: bool = False) -> None:
        """A fatal finding: the runtime cannot compile the code, or (`at_run_time`) it compiles
        and throws when the line runs, as eval, timers and unknown modules do."""
        page = page or RUNTIME_PAGES[self.runtime]
        self.add(node, f"{self.runtime} does not support {feature} ({page})", fatal=True)
        if at_run_time:
            self.at_run_time.add(self.findings[-1])

    def warn(self, node: Node, feature: str, page: str | None = None) -> None:
        page = page or RUNTIME_PAGES[self.runtime]
        self.add(
            node, f"{self.runtime} may not support {feature} ({page}); test before publishing", fatal=False
        )

    def add(self, node: Node, message: str, fatal: bool) -> None:
        self.findings.append(Finding(*self.position(node), message, fatal))

    def position(self, node: Node) -> tuple[int, int]:
        """1-based line and column; the column counts characters, as editors show it, not bytes."""
        row, byte_column = node.start_point
        start = node.start_byte - byte_column
        before = self.code[start : start + byte_column].decode("utf-8", "replace")
        return row + 1, len(before) + 1

    def text(self, node: Node) -> str:
        return self.code[node.start_byte : node.end_byte].decode("utf-8", "replace")


def is_async(function: Node) -> bool:
    return any(child.type == "async" for child in function.children)
