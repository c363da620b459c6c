"""YAML or JSON text → plain values, remembering the line of every mapping key and list item.

PyYAML's composer gives nodes with positions; walking them ourselves lets us refuse what a manifest
never needs and an attacker would use: aliases (the "billion laughs" bomb), duplicate keys (the
second silently winning hides a mistake) and tags that construct objects.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from publisher.core.errors import Problem

MAX_BYTES = 1_048_576
MAX_DEPTH = 32
_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "seq", "map", "timestamp")}
Path = tuple[str | int, ...]
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass
class Document:
    value: Any
    lines: dict[Path, int] = field(default_factory=dict)
    seen: set[int] = field(default_factory=set, repr=False)  # node ids: a second visit is an alias

    def line(self, path: Path) -> int | None:
        """The line of the nearest located ancestor: a missing field points at its entry."""
        while path not in self.lines and path:
            path = path[:-1]
        return self.lines.get(path)


class _Refused(Exception):
    def __init__(self, line: int, message: str) -> None:
        self.line, self.message = line, message


def load_document(data: bytes, file: str) -> tuple[Document | None, list[Problem]]:
    if len(data) > MAX_BYTES:
        return None, [Problem(file, None, "", f"file is {len(data):,} bytes; the limit is {MAX_BYTES:,}")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        return None, [Problem(file, None, "", f"not UTF-8 (byte {err.start})")]
    if not text.strip():
        return None, [Problem(file, 1, "", "the file is empty; it needs a `functions:` list")]
    if file.lower().endswith(".json"):
        problem = _json_problem(text, file)
        if problem:
            return None, [problem]
        text = text.replace("\t", " ")  # JSON allows tabs only between tokens, where YAML wants spaces
    try:
        # PyYAML's own composer, not libyaml's (CSafeLoader, 10x faster): the two read some texts
        # differently (a tab inside a plain scalar, an escaped surrogate pair, a bare `!` tag), and
        # a manifest means one thing whether or not libyaml is installed
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        doc = Document(None)
        doc.value = _build(node, (), doc)
    except _Refused as err:
        return None, [Problem(file, err.line, "", err.message)]
    except RecursionError:
        return None, [Problem(file, None, "", "nested too deeply")]
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(err, "problem", None) or str(err)
        return None, [Problem(file, line, "", f"not valid YAML: {reason}")]
    return doc, []


def load_json(data: bytes, file: str) -> tuple[Document | None, list[Problem]]:
    """A JSON file too large to read node by node (no lines are kept), held to the same rules: no
    duplicate keys, a bounded depth, and text that is UTF-8 with no lone surrogate."""
    try:
        value = json.loads(data.decode("utf-8-sig"), object_pairs_hook=_unique)
        _walk_text(value)
    except UnicodeDecodeError as err:
        return None, [Problem(file, None, "", f"not UTF-8 (byte {err.start})")]
    except _Refused as err:
        return None, [Problem(file, None, "", err.message)]
    except RecursionError:
        return None, [Problem(file, None, "", "nested too deeply")]
    except ValueError as err:
        line = getattr(err, "lineno", None)
        return None, [Problem(file, line, "", f"not valid JSON: {getattr(err, 'msg', err)}")]
    return Document(value), []


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Refused(0, f"duplicate key `{key[:40]}`")
        out[key] = value
    return out


def _walk_text(value: Any) -> None:
    """Every string of a JSON value, checked for a lone surrogate (json.loads joins the pairs)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            _text(item, 0)
        elif isinstance(item, dict):
            stack += [*item.keys(), *item.values()]
        elif isinstance(item, list):
            stack += item


def _text(value: str, line: int) -> str:
    """A string as it is meant: YAML reads the escape `\\ud83d\\ude80` (how JSON writes 🚀) as two
    halves of a UTF-16 surrogate pair, which no UTF-8 encoder takes; joined, they are the character.
    A half with no partner means nothing and is refused."""
    if not _SURROGATE.search(value):
        return value
    try:
        return value.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
    except UnicodeDecodeError:
        raise _Refused(
            line, "holds a lone UTF-16 surrogate (an escape such as `\\ud83d` without its pair)"
        ) from None


def _json_problem(text: str, file: str) -> Problem | None:
    """A `.json` manifest is JSON: its own errors, with their line, rather than YAML's."""
    try:
        json.loads(text)
    except RecursionError:
        return Problem(file, None, "", "nested too deeply")
    except ValueError as err:
        line = getattr(err, "lineno", None)
        return Problem(file, line, "", f"not valid JSON: {getattr(err, 'msg', err)}")
    return None


def _build(node: yaml.Node | None, path: Path, doc: Document) -> Any:
    if node is None:
        return None
    line = node.start_mark.line + 1
    doc.lines.setdefault(path, line)
    if len(path) > MAX_DEPTH:
        raise _Refused(line, f"nested deeper than {MAX_DEPTH} levels")
    if id(node) in doc.seen:
        raise _Refused(doc.lines.get(path, line), "anchors and aliases are not supported in a manifest")
    doc.seen.add(id(node))
    if node.tag not in _TAGS:
        raise _Refused(line, f"the tag {node.tag} is not supported")
    if isinstance(node, yaml.MappingNode):
        return _mapping(node, path, doc)
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, i), doc) for i, item in enumerate(node.value)]
    if isinstance(node, yaml.ScalarNode):
        if node.tag.endswith(":timestamp"):  # a date in a comment is text, not a datetime
            return _text(node.value, line)
        # SafeConstructor resolves plain scalars to int, bool, null, float or str, as YAML says
        value = yaml.constructor.SafeConstructor().construct_object(node)
        return _text(value, line) if isinstance(value, str) else value
    raise _Refused(line, "unsupported YAML node")


def _mapping(node: yaml.MappingNode, path: Path, doc: Document) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
            raise _Refused(line, "keys must be plain strings (no merge keys or complex keys)")
        key = _text(str(key_node.value), line)
        if key in out:
            raise _Refused(line, f"duplicate key `{key}`")
        doc.lines[(*path, key)] = line
        out[key] = _build(value_node, (*path, key), doc)
    return out
