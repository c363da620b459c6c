"""The manifest: which resources to manage and how. parse(data, file) → the Manifest and every problem at
once; the runtime check and the stores' rules run while it loads, so every mode gets them."""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from publisher.core.distribution_config import CONNECTION_EVENT, DEFAULT_PATH
from publisher.core.document import Document, Path, load_document
from publisher.core.errors import Problem
from publisher.core.limits import COMMENT_LIMIT, CONNECTION_RUNTIME, NAME_PATTERN, RUNTIMES, Runtime
from publisher.core.model import store_problem
from publisher.core.modes import Kind, Ref
from publisher.core.stores import StoreSpec
from publisher.core.tags import Wanted, merged, tag_problems

EVENT_LIMIT = 40_960  # bytes, TestFunction's EventObject
REMOVE = "none"  # `key-value-store: none` removes the association


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


class _Test(_Strict):
    name: str = Field(min_length=1)
    event: str | dict[str, Any]
    expect: dict[str, Any] | None = None
    max_compute_utilization: int = Field(70, ge=0, le=100, alias="max-compute-utilization")


class _Association(_Strict):
    distribution: str = Field(min_length=1)  # an Id, or an alternate domain name (CNAME) of one distribution
    path: str = Field(min_length=1)  # `default`, or a path pattern of one of its cache behaviours
    event: Literal["viewer-request", "viewer-response"]


class _Function(_Strict):
    name: str = Field(pattern=NAME_PATTERN)
    code: str | None = Field(None, min_length=1)
    runtime: Runtime | None = None
    comment: str | None = Field(None, max_length=COMMENT_LIMIT)
    key_value_store: str | None = Field(None, alias="key-value-store", min_length=1)
    tests: list[_Test] = []
    associations: list[_Association] | None = None
    retire: bool = False  # detached everywhere, its LIVE backed up, then deleted
    tags: dict[str, str | None] | None = None  # core/tags.py: a value sets the key, null removes it


class _ConnectionTest(_Strict):
    """A connection function's test case: the connection object and what the handler must decide."""

    name: str = Field(min_length=1)
    connection: str | dict[str, Any]  # a JSON file beside the manifest, or the object inline
    expect: Literal["allow", "deny"] | None = None
    error: str | None = None  # the error message must contain this (a handler that throws on purpose)
    logs: list[str] = []  # each must be one of the log lines
    max_compute_utilization: int = Field(70, ge=0, le=100, alias="max-compute-utilization")


class _ConnectionFunction(_Strict):
    """`connection-functions:` entries: always managed code; runtime 2.0 only (checked with a message)."""

    name: str = Field(pattern=NAME_PATTERN)
    code: str = Field(min_length=1)
    runtime: Runtime | None = None
    comment: str | None = Field(None, max_length=COMMENT_LIMIT)
    key_value_store: str | None = Field(None, alias="key-value-store", min_length=1)
    tests: list[_ConnectionTest] = []
    # where it runs, once LIVE: each an Id or an alternate domain name of a distribution with viewer mTLS
    distributions: list[Annotated[str, Field(min_length=1)]] | None = None
    retire: bool = False  # detached everywhere, its LIVE backed up, then deleted
    tags: dict[str, str | None] | None = None


class _Defaults(_Strict):
    runtime: Runtime | None = None
    comment: str | None = Field(None, max_length=COMMENT_LIMIT)
    tags: dict[str, str | None] = {}  # under every function's and store's own (theirs win)


class _Store(_Strict):
    name: str = Field(pattern=NAME_PATTERN)
    comment: str = Field("", max_length=COMMENT_LIMIT)  # API CreateKeyValueStore: Comment, 0 to 128
    data: str | None = Field(None, min_length=1)
    sensitive: bool = False
    tags: dict[str, str | None] | None = None


class _Manifest(_Strict):
    defaults: _Defaults = Field(default_factory=lambda: _Defaults.model_validate({}))
    functions: list[Any] = []  # entries are checked one by one for precise errors
    key_value_stores: list[Any] = Field([], alias="key-value-stores")
    connection_functions: list[Any] = Field([], alias="connection-functions")


@dataclass(frozen=True)
class TestCase:
    name: str
    event: str | dict[str, Any]  # a path relative to the manifest, until files.py reads it
    expect: dict[str, Any] | None
    max_compute_utilization: int
    line: int | None = None
    expect_error: str | None = None  # a connection test: the error must contain this
    expect_logs: tuple[str, ...] = ()  # a connection test: each must be a log line


@dataclass(frozen=True)
class AssociationSpec:
    """One place the manifest says a function runs: a distribution's cache behaviour and event."""

    distribution: str  # an Id or an alias, as written
    path: str  # DEFAULT_PATH or a path pattern
    event: str
    line: int | None = None

    @property
    def path_pattern(self) -> str | None:
        """None for the default cache behaviour, as the distribution scan names it."""
        return None if self.path == DEFAULT_PATH else self.path


@dataclass(frozen=True)
class FunctionSpec:
    """What the manifest asks for one function. code is None for a bare name: DEVELOPMENT is the source."""

    name: str
    code_path: str | None = None
    code: bytes | None = None
    runtime: str | None = None
    comment: str | None = None
    key_value_store: str | None = None  # None keeps what AWS holds; REMOVE removes it
    tests: tuple[TestCase, ...] = ()
    lines: dict[str, int] = field(default_factory=dict, compare=False, hash=False)
    restored_from: str = ""  # read from a LIVE backup (core/rollback.py): the file, as shown
    recreate: bool = False  # that backup is of a function a retire deleted: created again if missing
    # with no runtime in the manifest: runtime -> why the code cannot run under it, found while loading
    # and read by the plan once AWS's runtime is known, so the code is parsed once per runtime, not again
    refused_under: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    # where it runs, once LIVE: None leaves its associations as they are (never touched)
    associations: tuple[AssociationSpec, ...] | None = None
    retire: bool = False  # runs nowhere (associations ()), then is deleted with its ETag
    kind: Kind = Kind.FUNCTION  # a connection function is declared under `connection-functions:`
    tags: Wanted | None = field(default=None, compare=False, hash=False)  # None: tags are not managed
    # a rollback's (core/tag_rollback.py): a key is put back only while it holds what the run put there
    tags_after: Wanted | None = field(default=None, compare=False, hash=False)
    tags_only: bool = False  # a rollback restoring tags alone: its code and stages are not touched

    @property
    def ref(self) -> Ref:
        return Ref(self.kind, self.name)

    def line(self, key: str = "name") -> int | None:
        return self.lines.get(key) or self.lines.get("name")

    @property
    def store_name(self) -> str | None:
        """A KeyValueStore given by name, which must be resolved to its ARN; None for an ARN, none or omitted."""
        store = self.key_value_store
        return store if store not in (None, REMOVE) and not store.startswith("arn:") else None


@dataclass(frozen=True)
class AssociationRestore:
    """A rollback's desired state for one distribution (core/association_rollback.py): each slot a run
    changed, (path pattern, event, what the run put there, what was there before), and the ARNs of
    the functions to attach again."""

    distribution: str
    etag: str  # the ETag the saved associations were read under
    slots: tuple[tuple[str | None, str, str | None, str | None], ...]
    arns: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    shown: str = ""  # the backup file, as shown
    stamp: str = ""  # its run's folder
    replaced_by: str = ""
    ids: dict[str, str] = field(default_factory=dict, compare=False, hash=False)  # connection: name -> Id


@dataclass(frozen=True)
class Manifest:
    file: str
    functions: tuple[FunctionSpec, ...]
    warnings: tuple[str, ...] = ()  # e.g. a language feature the runtime's page does not vouch for
    stores: tuple[StoreSpec, ...] = ()  # `key-value-stores:`, written before the functions tied to them
    restored_associations: tuple[AssociationRestore, ...] = ()  # a rollback's, after the functions

    def select(self, names: Iterable[str]) -> Manifest:
        """The named functions, and the stores they read (every store when no function is named)."""
        wanted = set(names)
        chosen = tuple(f for f in self.functions if not wanted or f.name in wanted)
        read = {f.store_name or f.key_value_store for f in chosen}  # by name, or (a rollback's) by ARN
        stores = tuple(s for s in self.stores if not wanted or s.name in read or (s.arn and s.arn in read))
        restored = tuple(
            replace(r, slots=tuple(s for s in r.slots if not wanted or {s[2], s[3]} & wanted))
            for r in self.restored_associations
        )
        return Manifest(self.file, chosen, self.warnings, stores, tuple(r for r in restored if r.slots))


def language_problems(spec: FunctionSpec, shown: str) -> tuple[FunctionSpec, list[Problem], list[str]]:
    """The runtime's language, checked before any call: fatal findings are problems located in the code
    file (`shown`, relative to the workspace), the rest warnings. With no runtime in the manifest the
    runtime is the one AWS holds, unknown yet: only what neither runtime accepts is refused here, and
    the spec keeps, per runtime, what the plan refuses once the runtime is known."""
    from publisher.core.language import check_code
    from publisher.core.language.connection import connection_problem

    assert spec.code is not None
    runtimes = [spec.runtime] if spec.runtime else list(RUNTIMES)
    by_runtime = [check_code(spec.code, r) for r in runtimes]
    fatal = [f for f in by_runtime[0] if f.fatal and all(_fatal_at(f, other) for other in by_runtime[1:])]
    problems = [Problem(shown, f.line, f"{spec.name}.code", f.message, column=f.column) for f in fatal]
    contract = connection_problem(spec.code) if spec.kind is Kind.CONNECTION_FUNCTION else None
    if contract:
        problems.append(Problem(shown, contract[0], f"{spec.name}.code", contract[1]))
    if spec.runtime:
        warnings = [f"{shown}:{f.line}:{f.column}: {f.message}" for f in by_runtime[0] if not f.fatal]
        return spec, problems, warnings
    refused = {
        r: "; ".join(f"line {f.line}:{f.column}: {f.message}" for f in fs if f.fatal)
        for r, fs in zip(runtimes, by_runtime, strict=True)
    }
    return replace(spec, refused_under={r: why for r, why in refused.items() if why}), problems, []


def _fatal_at(finding: Any, others: list[Any]) -> bool:
    return any(o.fatal and (o.line, o.column) == (finding.line, finding.column) for o in others)


def parse(data: bytes, file: str) -> tuple[Manifest, list[Problem]]:
    """The usable entries and every problem found, so later checks (files) can add theirs to the list."""
    doc, problems = load_document(data, file)
    if doc is None:
        return Manifest(file, ()), problems
    top, problems = _top(doc, file)
    problems += _tag_problems(top.defaults.tags, "defaults", doc.line(("defaults", "tags")), file)
    specs: list[FunctionSpec] = []
    for i, raw in enumerate(top.functions):
        spec, found = _entry(raw, ("functions", i), top.defaults, doc, file)
        problems += found
        if spec is not None:
            specs.append(spec)
    for i, raw in enumerate(top.connection_functions):
        spec, found = _connection_entry(raw, ("connection-functions", i), top.defaults, doc, file)
        problems += found
        if spec is not None:
            specs.append(spec)
    if not top.functions and not top.connection_functions and isinstance(doc.value, dict):
        # either list may be left out, not both
        given = "functions" in doc.value
        message = "List should have at least 1 item" if given else "Field required"
        problems.append(Problem(file, doc.line(("functions",)), "functions", message))
    problems += _duplicates(specs, file)
    stores: list[StoreSpec] = []
    for i, raw in enumerate(top.key_value_stores):
        store, found = _store(raw, ("key-value-stores", i), top.defaults, doc, file)
        problems += found
        if store is not None:
            if any(s.name == store.name for s in stores):
                problems.append(
                    Problem(file, store.line(), "key-value-stores", f"`{store.name}` is listed twice")
                )
            stores.append(store)
    return Manifest(file, tuple(specs), stores=tuple(stores)), sorted(problems, key=lambda p: p.line or 0)


def _store(
    raw: Any, path: Path, defaults: _Defaults, doc: Document, file: str
) -> tuple[StoreSpec | None, list[Problem]]:
    if not isinstance(raw, dict):
        where = ".".join(str(p) for p in path)
        return None, [Problem(file, doc.line(path), where, "expected a mapping with `name`")]
    try:
        entry = _Store.model_validate(raw)
    except ValidationError as err:
        return None, _problems(err, path, doc, file)
    lines = {k: doc.line((*path, k)) or 0 for k in ("name", "data", "sensitive", "tags")}
    lines["name"] = lines["name"] or doc.line(path) or 0
    tags = merged(defaults.tags, entry.tags)
    store = StoreSpec(entry.name, entry.comment, entry.data, None, entry.sensitive, lines, tags=tags)
    return store, _tag_problems(entry.tags, entry.name, store.line("tags"), file)


def _tag_problems(tags: Wanted | None, name: str, line: int | None, file: str) -> list[Problem]:
    return [Problem(file, line, f"{name}.tags", m) for m in tag_problems(tags or {})]


def _top(doc: Document, file: str) -> tuple[_Manifest, list[Problem]]:
    """The top level; on errors, go on with what is usable so every entry is still checked."""
    try:
        return _Manifest.model_validate(doc.value), []
    except ValidationError as err:
        problems = _problems(err, (), doc, file)
    value = doc.value if isinstance(doc.value, dict) else {}
    functions = value.get("functions") if isinstance(value.get("functions"), list) else []
    stores = value.get("key-value-stores") if isinstance(value.get("key-value-stores"), list) else []
    connection = value.get("connection-functions")
    connection = connection if isinstance(connection, list) else []
    try:
        defaults = _Defaults.model_validate(value.get("defaults") or {})
    except ValidationError:
        defaults = _Defaults.model_validate({})
    return _Manifest.model_construct(
        defaults=defaults, functions=functions, key_value_stores=stores, connection_functions=connection
    ), problems


def _entry(
    raw: Any, path: Path, defaults: _Defaults, doc: Document, file: str
) -> tuple[FunctionSpec | None, list[Problem]]:
    try:
        entry = _Function.model_validate({"name": raw} if isinstance(raw, str) else raw)
    except ValidationError as err:
        return None, _problems(err, path, doc, file, bare=isinstance(raw, str))
    # defaults are for entries that manage code: a bare name publishes DEVELOPMENT as it is, never rewritten
    managed = entry.code is not None
    runtime = entry.runtime or (defaults.runtime if managed else None)
    comment = entry.comment if entry.comment is not None or not managed else defaults.comment
    lines = {
        k: doc.line((*path, k)) or 0
        for k in ("name", "code", "runtime", "key-value-store", "tests", "associations", "retire", "tags")
    }
    lines["name"] = doc.line((*path, "name")) or doc.line(path) or 0
    spec = FunctionSpec(
        name=entry.name,
        code_path=entry.code,
        runtime=runtime,
        comment=comment,
        key_value_store=entry.key_value_store,
        lines=lines,
        tests=tuple(_test(t, doc.line((*path, "tests", j))) for j, t in enumerate(entry.tests)),
        associations=() if entry.retire else _associations(entry.associations, (*path, "associations"), doc),
        retire=entry.retire,
        tags=None if entry.retire else merged(defaults.tags, entry.tags),
    )
    problems = _twice(spec, file) + _tag_problems(entry.tags, spec.name, spec.line("tags"), file)
    if entry.retire and entry.associations:
        where = f"{spec.name}.associations"
        problems.append(Problem(file, spec.line("associations"), where, "a retired function runs nowhere"))
    store = store_problem(runtime, spec.key_value_store not in (None, REMOVE))
    if store:
        problems.append(Problem(file, spec.line("key-value-store"), f"{spec.name}.key-value-store", store))
    return spec, problems + _event_problems(spec, file, "event", check_event)


def _associations(
    listed: list[_Association] | None, path: Path, doc: Document
) -> tuple[AssociationSpec, ...] | None:
    if listed is None:
        return None
    return tuple(
        AssociationSpec(a.distribution, a.path, a.event, doc.line((*path, i))) for i, a in enumerate(listed)
    )


def _twice(spec: FunctionSpec, file: str) -> list[Problem]:
    """One function listed twice on the same behaviour and event: a slip, refused where it is written."""
    seen: set[tuple[str, str, str]] = set()
    problems = []
    for a in spec.associations or ():
        key = (a.distribution, a.path, a.event)
        if key in seen:
            where = f"{spec.name}.associations"
            problems.append(
                Problem(file, a.line, where, f"{a.distribution} {a.path} {a.event} is listed twice")
            )
        seen.add(key)
    return problems


def _connection_entry(
    raw: Any, path: Path, defaults: _Defaults, doc: Document, file: str
) -> tuple[FunctionSpec | None, list[Problem]]:
    """A connection function: the manifest's `defaults` are for viewer functions and do not apply,
    but for its tags."""
    try:
        entry = _ConnectionFunction.model_validate(raw)
    except ValidationError as err:
        return None, _problems(err, path, doc, file)
    keys = ("name", "code", "runtime", "key-value-store", "tests", "distributions", "retire", "tags")
    lines = {k: doc.line((*path, k)) or 0 for k in keys}
    lines["name"] = lines["name"] or doc.line(path) or 0
    if entry.distributions is None:
        listed = None
    else:
        at = (*path, "distributions")
        listed = tuple(
            AssociationSpec(d, DEFAULT_PATH, CONNECTION_EVENT, doc.line((*at, i)))
            for i, d in enumerate(entry.distributions)
        )
    spec = FunctionSpec(
        name=entry.name,
        code_path=entry.code,
        runtime=entry.runtime or CONNECTION_RUNTIME,
        comment=entry.comment,
        key_value_store=entry.key_value_store,
        lines=lines,
        tests=tuple(_connection_test(t, doc.line((*path, "tests", j))) for j, t in enumerate(entry.tests)),
        kind=Kind.CONNECTION_FUNCTION,
        associations=() if entry.retire else listed,
        retire=entry.retire,
        tags=merged(defaults.tags, entry.tags),
    )
    problems = _twice(spec, file) + _tag_problems(entry.tags, spec.name, spec.line("tags"), file)
    if entry.retire and entry.distributions:
        where = f"{spec.name}.distributions"
        problems.append(Problem(file, spec.line("distributions"), where, "a retired function runs nowhere"))
    if spec.runtime != CONNECTION_RUNTIME:
        where = f"{spec.name}.runtime"
        message = f"a connection function runs on {CONNECTION_RUNTIME} only, not {spec.runtime}"
        problems.append(Problem(file, spec.line("runtime"), where, message))
    return spec, problems + _event_problems(spec, file, "connection", check_connection)


def _event_problems(
    spec: FunctionSpec, file: str, field: str, check: Callable[[dict[str, Any]], list[str]]
) -> list[Problem]:
    """Each inline test input checked against its documented shape, located at its test."""
    return [
        Problem(file, t.line, f"{spec.name}.tests.{t.name}.{field}", m)
        for t in spec.tests
        if isinstance(t.event, dict)
        for m in check(t.event)
    ]


def _connection_test(t: _ConnectionTest, line: int | None) -> TestCase:
    expect = {"action": t.expect} if t.expect else None
    return TestCase(t.name, t.connection, expect, t.max_compute_utilization, line, t.error, tuple(t.logs))


def check_connection(connection: dict[str, Any]) -> list[str]:
    """TestConnectionFunction's ConnectionObject: the size limit, and the documented shapes where given.
    The Developer Guide shows two: `clientCertificate.certificates.leaf` {serialNumber, issuer,
    subject, validity, sha256Fingerprint} with `clientIp`, `endpoint`, `distributionId` and
    `connectionId` ("Write ... Connection Function code"), and `clientCertInfo` {serialNumber, issuer,
    ...} ("Implement certificate revocation"): each is held to its type, neither is required."""
    size = len(event_bytes(connection))
    found = []
    if size > EVENT_LIMIT:
        found.append(
            f"the connection object is {size:,} bytes; TestConnectionFunction takes at most {EVENT_LIMIT:,}"
        )
    if "clientCertInfo" in connection and not isinstance(connection["clientCertInfo"], dict):
        found.append("`clientCertInfo` must be an object (issuer, serialNumber, ...)")
    if connection.get("clientCertificate") is not None and not isinstance(_leaf(connection), dict):
        found.append(
            "`clientCertificate` must hold `certificates.leaf`, an object (serialNumber, issuer, ...)"
        )
    found += [
        f"`{key}` must be a string"
        for key in ("clientIp", "endpoint", "distributionId", "connectionId")
        if key in connection and not isinstance(connection[key], str)
    ]
    return found


def _leaf(connection: dict[str, Any]) -> Any:
    certificate = connection.get("clientCertificate")
    certificates = certificate.get("certificates") if isinstance(certificate, dict) else None
    return certificates.get("leaf") if isinstance(certificates, dict) else None


def _test(t: _Test, line: int | None) -> TestCase:
    return TestCase(t.name, t.event, t.expect, t.max_compute_utilization, line)


def event_bytes(event: dict[str, Any]) -> bytes:
    """The EventObject as sent: compact UTF-8, so the limit applies to exactly these bytes."""
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode()


def check_event(event: dict[str, Any]) -> list[str]:
    """TestFunction's EventObject: the service's size limit and an eventType that fits the event."""
    size = len(event_bytes(event))
    kind = (event.get("context") or {}).get("eventType") if isinstance(event.get("context"), dict) else None
    found = []
    if size > EVENT_LIMIT:
        found.append(f"the event is {size:,} bytes; TestFunction takes at most {EVENT_LIMIT:,}")
    if kind not in ("viewer-request", "viewer-response"):
        found.append("context.eventType must be viewer-request or viewer-response")
    elif not isinstance(event.get("request"), dict):
        found.append("the event needs a `request` object")
    elif kind == "viewer-response" and not isinstance(event.get("response"), dict):
        found.append("a viewer-response event needs a `response` object")
    return found


def _duplicates(specs: list[FunctionSpec], file: str) -> list[Problem]:
    """A name once per kind: a viewer function and a connection function may share one."""
    seen: dict[Ref, FunctionSpec] = {}
    problems = []
    for spec in specs:
        if spec.ref in seen:
            problems.append(
                Problem(
                    file,
                    spec.line(),
                    "name",
                    f"`{spec.name}` is listed twice (first at line {seen[spec.ref].line()})",
                )
            )
        seen.setdefault(spec.ref, spec)
    return problems


_KEYS = {
    "manifest": {f.alias or n for n, f in _Manifest.model_fields.items()},
    "key-value-stores": set(_Store.model_fields),
    "defaults": set(_Defaults.model_fields),
    "function": {f.alias or n for n, f in _Function.model_fields.items()},
    "tests": {f.alias or n for n, f in _Test.model_fields.items()},
    "associations": set(_Association.model_fields),
    "connection-functions": {f.alias or n for n, f in _ConnectionFunction.model_fields.items()},
    "connection-tests": {f.alias or n for n, f in _ConnectionTest.model_fields.items()},
}


def _problems(
    err: ValidationError, base: Path, doc: Document, file: str, bare: bool = False
) -> list[Problem]:
    out = []
    for e in err.errors():
        loc = tuple(p for p in e["loc"] if p not in ("str", "dict[str,any]"))  # union branch labels
        path = base if bare else (*base, *loc)
        where = ".".join(str(p) for p in (*base, *loc))
        level = _LEVELS.get(str(base[0]), "function") if base else "manifest"
        out.append(Problem(file, doc.line(path), where, _message(e, loc, level)))
    return out


_LEVELS = {"key-value-stores": "key-value-stores", "connection-functions": "connection-functions"}
_FRIENDLY = {
    "string_pattern_mismatch": "must be 1 to 64 letters, digits, `-` or `_`",
    "model_type": "expected a mapping",
    "model_attributes_type": "expected a mapping",
}


def _message(e: Any, loc: tuple[Any, ...], level: str) -> str:
    if e["type"] != "extra_forbidden":
        if level == "function" and not loc and e["type"] in ("model_type", "model_attributes_type"):
            return "expected a function name or a mapping with `name`"
        return _FRIENDLY.get(e["type"], str(e["msg"]))
    key, parent = str(loc[-1]), next((str(p) for p in reversed(loc[:-1]) if p in _KEYS), level)
    if level == "connection-functions" and parent == "tests":
        parent = "connection-tests"
    known = sorted(_KEYS[parent])
    close = difflib.get_close_matches(key, known, n=1)
    hint = f"did you mean `{close[0]}`?" if close else f"expected one of {', '.join(known)}"
    return f"unknown key `{key}`; {hint}"
