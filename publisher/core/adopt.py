"""Import: what AWS holds → the manifest, code files and data files a plan then finds unchanged. No I/O.

`choose` decides from the listings alone what an import reads (or what it refuses: an unknown name);
`adopt` turns what was read into files. Each function keeps its runtime, comment and store; its code
is written as the bytes AWS holds (the manifest reads code files as bytes). A function whose
DEVELOPMENT differs from LIVE (or that was never published) becomes a bare name unless a stage is
chosen: a repository holds one version, and which one is the user's call. A sensitive store gets
`sensitive: true` and no data file: its keys are never read, so they never reach the disk.

A viewer function that runs somewhere gets `associations:`, every cache behaviour and event where a
distribution runs it (by Id, from the distribution listing), so the next plan attaches and detaches
nothing; one that runs nowhere gets none, and its associations stay unmanaged. When the
distributions could not all be listed, no function gets `associations:` (a partial view would be
taken as the desired state), and a note says why.

Connection functions go to `connection-functions:` the same way, with their code under
`connection-functions/` (a viewer function may share the name) and the distributions they run on
(`distributions:`, by Id), so the next plan attaches and detaches nothing. Their entries always hold
code: one whose stages differ is left out unless a stage is chosen.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from publisher.core.distribution_config import function_name
from publisher.core.model import Distribution, FunctionState, Stage, StageState
from publisher.core.throwaway import is_throwaway

MANIFEST = "cloudfront-functions.yml"
CODE_DIR = "functions"
CONNECTION_CODE_DIR = "connection-functions"
DATA_DIR = "kvs"


@dataclass(frozen=True)
class Choice:
    """What the user asked for: None imports all; `stage` settles functions whose stages differ."""

    functions: tuple[str, ...] | None = None
    stores: tuple[str, ...] | None = None
    stage: Stage | None = None
    sensitive: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Chosen:
    functions: tuple[str, ...]
    stores: tuple[str, ...]
    problems: tuple[str, ...] = ()
    connection_functions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Adoption:
    """The files to write, manifest first (relative paths, exact bytes), and what the user should know;
    no files at all when no function could be written (the notes say why)."""

    files: tuple[tuple[str, bytes], ...]
    notes: tuple[str, ...] = ()


Slot = tuple[str, str, str]  # distribution Id, `default` or a path pattern, event


def slots(distributions: Iterable[Distribution]) -> dict[str, tuple[Slot, ...]]:
    """Every viewer function that a cache behaviour runs, with each (distribution, path, event) it
    runs at, in the listing's order."""
    found: dict[str, list[Slot]] = {}
    for d in distributions:
        for b in d.behaviours:
            found.setdefault(function_name(b.function_arn), []).append(
                (d.id, b.path_pattern or "default", b.event_type)
            )
    return {name: tuple(dict.fromkeys(at)) for name, at in found.items()}


@dataclass(frozen=True)
class Account:
    """What the import read: both stages of each chosen function, every store's ARN, the keys of each
    chosen store that is not sensitive, and each store's comment."""

    functions: Mapping[str, FunctionState]
    stores: Mapping[str, str]  # name -> ARN, the whole account
    keys: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    store_comments: Mapping[str, str] = field(default_factory=dict)
    connection_functions: Mapping[str, FunctionState] = field(default_factory=dict)
    distributions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # connection function -> Ids
    unlisted: str = ""  # why connection functions could not be listed, if they could not
    tags: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # function name -> its tags
    store_tags: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # where each viewer function runs: (distribution Id, path, event); None: not all could be listed
    runs_on: Mapping[str, tuple[Slot, ...]] | None = field(default_factory=dict)
    unscanned: str = ""  # why the distributions could not all be listed, if they could not


def choose(
    listed: Mapping[str, str],
    reads: Mapping[str, Collection[str]],
    stores: Mapping[str, str],
    choice: Choice,
    connections: tuple[Mapping[str, str], Mapping[str, Collection[str]]] = ({}, {}),
) -> Chosen:
    """From the listings (function -> comment, function -> the store ARNs either stage reads, store ->
    ARN; the same two for connection functions): what to read, or why not. Throwaway preview copies
    are never imported. With neither filter, everything; with `--functions` alone (names of either
    kind), the stores they read come along; with `--stores` alone, the functions that read them (a
    manifest needs at least one function)."""
    adoptable = sorted(n for n, comment in listed.items() if not is_throwaway(n, comment))
    listed_c, reads_c = connections
    adoptable_c = sorted(n for n, comment in listed_c.items() if not is_throwaway(n, comment))
    problems = [
        f"`{n}` is a throwaway preview copy, not imported"
        if n in listed or n in listed_c
        else f"no function `{n}` in the account"
        for n in choice.functions or ()
        if n not in adoptable and n not in adoptable_c
    ]
    problems += [f"no KeyValueStore `{n}` in the account" for n in choice.stores or () if n not in stores]
    problems += [
        f"--sensitive names no KeyValueStore in the account: `{n}`"
        for n in sorted(choice.sensitive - set(stores))
    ]
    named = choice.stores
    wanted = {stores[s] for s in named or () if s in stores}
    functions = _picked(adoptable, reads, choice.functions, named, wanted)
    connection = _picked(adoptable_c, reads_c, choice.functions, named, wanted)
    if named is None:
        used = {a for n in functions for a in reads.get(n, ())}
        used |= {a for n in connection for a in reads_c.get(n, ())}
        named = tuple(s for s in sorted(stores) if choice.functions is None or stores[s] in used)
    if not problems and not functions and not connection:
        problems.append("a manifest needs at least one function, and there is none to import")
    return Chosen(functions, tuple(named), tuple(problems), connection)


def _picked(
    adoptable: Sequence[str],
    reads: Mapping[str, Collection[str]],
    names: tuple[str, ...] | None,
    stores: tuple[str, ...] | None,
    wanted: set[str],
) -> tuple[str, ...]:
    """One kind's functions: the ones named, else those reading the named stores, else all."""
    if names is not None:
        return tuple(n for n in names if n in adoptable)
    return tuple(n for n in adoptable if stores is None or wanted & set(reads.get(n, ())))


@dataclass
class _Written:
    """What `adopt` gathers, section by section: the manifest's lines, the files, the notes."""

    lines: list[str] = field(default_factory=list)
    files: list[tuple[str, bytes]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def adopt(account: Account, functions: Sequence[str], stores: Sequence[str], choice: Choice) -> Adoption:
    by_arn = {arn: name for name, arn in account.stores.items()}
    kvs = _stores(account, stores, choice)
    viewer = _functions(account, functions, choice, by_arn)
    connection = _connection_functions(account, choice, by_arn)
    notes = kvs.notes + viewer.notes + connection.notes
    if not viewer.lines and not connection.lines:  # a manifest holds at least one function
        notes.append("the account holds no function this import can write, so no manifest either")
        return Adoption((), tuple(notes))
    files = kvs.files + viewer.files + connection.files
    clashing = _clashes(p for p, _ in files)
    if clashing:
        notes.append(
            f"{', '.join(clashing)} differ only in case: a checkout on macOS or Windows keeps one of them"
        )
    head = ["# Written by `cloudfront-publish import`: what the account held. Review it, then commit it."]
    body = head + (["key-value-stores:", *kvs.lines] if kvs.lines else [])
    body += ["functions:", *viewer.lines] if viewer.lines else []
    body += ["connection-functions:", *connection.lines] if connection.lines else []
    manifest = ("\n".join(body) + "\n").encode()
    return Adoption(((MANIFEST, manifest), *files), tuple(notes))


def _stores(account: Account, stores: Sequence[str], choice: Choice) -> _Written:
    out = _Written()
    for name in stores:
        entry, data = _store(name, name in choice.sensitive, account.keys.get(name, {}))
        comment = account.store_comments.get(name, "")
        entry[1:1] = [f"    comment: {_quoted(comment)}"] if comment else []
        out.lines += entry + _tags(account.store_tags.get(name, {}))
        if data is not None:
            out.files.append(data)
        else:
            out.notes.append(f"{name}: sensitive, no data file written; its keys stay as AWS holds them")
    return out


def _functions(
    account: Account, functions: Sequence[str], choice: Choice, by_arn: Mapping[str, str]
) -> _Written:
    out = _Written()
    for name in functions:
        stage, why = _source(account.functions[name], choice.stage)
        tags = _tags(account.tags.get(name, {}))
        if stage is None:
            bare = f"  - name: {_quoted(name)}  # {why}" if tags else f"  - {_quoted(name)}  # {why}"
            out.lines += [bare, *tags]
            out.notes.append(f"{name}: a bare name; {why}")
            continue
        path = f"{CODE_DIR}/{name}.js"
        out.files.append((path, stage.code))
        runs = () if account.runs_on is None else account.runs_on.get(name, ())
        out.lines += _function(name, path, stage, by_arn) + tags + _associations(runs)
        if why:
            out.notes.append(f"{name}: {why}")
    if account.runs_on is None:
        out.notes.append(f"no function got `associations:`, so none is managed: {account.unscanned}")
    return out


def _connection_functions(account: Account, choice: Choice, by_arn: Mapping[str, str]) -> _Written:
    out = _Written()
    if account.unlisted:
        out.notes.append(f"connection functions were not listed, so none is imported: {account.unlisted}")
    for name in account.connection_functions:
        stage, why = _source(account.connection_functions[name], choice.stage)
        if stage is None:
            out.notes.append(f"connection function {name}: not imported; {why}")
            continue
        path = f"{CONNECTION_CODE_DIR}/{name}.js"
        out.files.append((path, stage.code))
        out.lines += _function(name, path, stage, by_arn)
        out.lines.append(
            f"    distributions: [{', '.join(map(_quoted, account.distributions.get(name, ())))}]"
        )
        if why:
            out.notes.append(f"connection function {name}: {why}")
    return out


def _source(state: FunctionState, stage: Stage | None) -> tuple[StageState | None, str]:
    """The stage whose code and config the repository takes, or None (a bare name) and why."""
    dev, live = state.development, state.live
    if dev is None:
        return None, "it was deleted while it was read"
    if live is not None and dev.content == live.content:
        return _usable(live, "")
    differs = "never published" if live is None else "DEVELOPMENT differs from LIVE"
    if stage is None:
        return None, f"{differs}: pass --stage LIVE or --stage DEVELOPMENT to take one of them"
    if stage == Stage.LIVE and live is None:
        return None, f"{differs}: there is no LIVE to take"
    taken = live if stage == Stage.LIVE and live is not None else dev
    then = (
        "the next plan updates DEVELOPMENT to it" if stage == Stage.LIVE else "the next publish publishes it"
    )
    return _usable(taken, f"{differs}; took {stage} ({then})")


def _clashes(paths: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    clashing: list[str] = []
    for path in paths:
        first = seen.setdefault(path.casefold(), path)
        if first != path:
            clashing += [p for p in (first, path) if p not in clashing]
    return clashing


def _usable(stage: StageState, why: str) -> tuple[StageState | None, str]:
    if not stage.code:
        return None, "its code is empty, which a manifest cannot hold"
    return stage, why


def _function(name: str, path: str, stage: StageState, by_arn: Mapping[str, str]) -> list[str]:
    lines = [
        f"  - name: {_quoted(name)}",
        f"    code: {_quoted(path)}",
        f"    runtime: {_quoted(stage.config.runtime)}",
        f"    comment: {_quoted(stage.config.comment)}",
    ]
    for arn in stage.config.key_value_store_arns[:1]:  # at most one store per function
        lines.append(f"    key-value-store: {_quoted(by_arn.get(arn, arn))}")
    return lines


def _associations(runs: Sequence[Slot]) -> list[str]:
    if not runs:
        return []
    return ["    associations:"] + [
        f"      - {{distribution: {_quoted(d)}, path: {_quoted(p)}, event: {_quoted(e)}}}" for d, p, e in runs
    ]


def _tags(tags: Mapping[str, str]) -> list[str]:
    """Every tag the resource holds, so the next plan reads them and finds nothing to change."""
    if not tags:
        return []
    pairs = ", ".join(f"{_quoted(k)}: {_quoted(v)}" for k, v in sorted(tags.items()))
    return [f"    tags: {{{pairs}}}"]


def _store(name: str, sensitive: bool, keys: Mapping[str, str]) -> tuple[list[str], tuple[str, bytes] | None]:
    if sensitive:
        return [f"  - name: {_quoted(name)}", "    sensitive: true"], None
    path = f"{DATA_DIR}/{name}.json"
    return [f"  - name: {_quoted(name)}", f"    data: {_quoted(path)}"], (path, data_file(keys))


def data_file(keys: Mapping[str, str]) -> bytes:
    """CloudFront's import format, one key a line, sorted: diffs in review stay small."""
    entries = [json.dumps({"key": k, "value": keys[k]}, ensure_ascii=False) for k in sorted(keys)]
    inner = ",\n".join(f"  {e}" for e in entries)
    return ('{"data": [\n' + inner + "\n]}\n" if entries else '{"data": []}\n').encode()


_LINE_BREAKS = {0x85, 0x2028, 0x2029}  # YAML 1.1 reads these as line breaks


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar that reads back as exactly `text`: every character YAML would not
    print, or would fold as a line break, is escaped."""
    out = []
    for c in text:
        o = ord(c)
        if c in '"\\':
            out.append("\\" + c)
        elif (
            o < 0x20
            or 0x7F <= o <= 0x9F
            or o in _LINE_BREAKS
            or 0xD800 <= o <= 0xDFFF
            or o in (0xFEFF, 0xFFFE, 0xFFFF)
        ):
            out.append(f"\\x{o:02x}" if o <= 0xFF else f"\\u{o:04x}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'
