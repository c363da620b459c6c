"""A folder of LIVE backups as desired state: which backup each function returns to, as FunctionSpecs.

A publish saves `<function>.LIVE.<etag>.js` and `.json` into `<backup-dir>/<UTC stamp>/`. Given that
folder (several runs' stamps) or one run's stamp folder (as its `backup-dir` output names it, or as its
artifact downloads: the files at the top), each function returns to its newest backup: the latest
stamp, which sorts as text. A backup in a folder not named by a run's stamp (the top of the folder) has
no known time and counts as older than every stamped run. A backup saved by a rollback (the LIVE a
rollback replaced, marked `ReplacedBy: rollback`) is chosen only when the folder holds nothing else for
that function, so that a second rollback from the same folder does not undo the first. A backup a
retire saved (`ReplacedBy: retire`) is of a function the retire deleted: the rollback creates it again.

A backup is checked as the manifest is, before any call: its name, comment, runtime (one CloudFront
has), store association (runtime 2.0 only), code size and the code against its runtime's language. No I/O.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Annotated, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from publisher.core.errors import Problem
from publisher.core.limits import COMMENT_LIMIT, NAME_PATTERN, Runtime
from publisher.core.manifest import REMOVE, FunctionSpec, Manifest, language_problems
from publisher.core.model import FunctionConfig, store_problem
from publisher.core.modes import Kind, Ref
from publisher.core.stores import Changes, StoreSpec

ROLLBACK = "rollback"  # the ReplacedBy of a backup that a rollback saved
RETIRE = "retire"  # ... and of the LIVE a retire deleted: a rollback creates that function again
# what a function's backup files say between its name and its ETag, per kind: `<name>.LIVE.<etag>.js`,
# `<name>.CONNECTION-LIVE.<etag>.js`, so a viewer and a connection function of one name never share one
BACKUP_STAGE = {Kind.FUNCTION: "LIVE", Kind.CONNECTION_FUNCTION: "CONNECTION-LIVE"}
STAMP = re.compile(r"\d{8}T\d{6}(\.\d{3})?Z")  # a run's folder, as wiring.py names it: UTC, sorts as text
B = TypeVar("B", "Backup", "StoreBackup")
Arn = Annotated[str, Field(pattern=r"^arn:")]


class _Saved(BaseModel):
    """The `.json` beside a backup's code, as BackupFolder writes it."""

    model_config = ConfigDict(populate_by_name=True, frozen=True)

    kind: Literal[Kind.FUNCTION, Kind.CONNECTION_FUNCTION] = Field(Kind.FUNCTION, alias="Kind")  # older: none
    name: str = Field(alias="Name", pattern=NAME_PATTERN)
    etag: str = Field(alias="ETag", min_length=1)
    comment: str = Field("", alias="Comment", max_length=COMMENT_LIMIT)
    runtime: Runtime = Field(alias="Runtime")  # one CloudFront has: another is refused before any write
    key_value_store_arns: list[Arn] = Field([], alias="KeyValueStoreARNs", max_length=1)
    replaced_by: str = Field("publish", alias="ReplacedBy")


@dataclass(frozen=True)
class Backup:
    function: str
    etag: str
    code: bytes
    config: FunctionConfig
    stamp: str  # the folder it was saved in: the UTC time of its run
    shown: str  # the code file's path, as the report shows it
    replaced_by: str = "publish"
    kind: Kind = Kind.FUNCTION

    @property
    def ref(self) -> Ref:
        return Ref(self.kind, self.function)


def parse_backup(text: str, code: bytes | str, shown: str, stamp: str) -> Backup | Problem:
    """One backup from its `.json` text and its `.js` bytes (or why they could not be read), or what is
    wrong with it."""
    where = shown.removesuffix(".js") + ".json"
    try:
        saved = _Saved.model_validate(json.loads(text))
    except (ValueError, ValidationError) as err:
        return Problem(where, None, "rollback-from", f"not a backup this tool wrote: {_first(err)}")
    if not re.match(rf"^{re.escape(saved.name)}\.{BACKUP_STAGE[saved.kind]}\.", shown.rsplit("/", 1)[-1]):
        return Problem(where, None, "rollback-from", f"names function {saved.name}, not the file's")
    wrong = store_problem(saved.runtime, bool(saved.key_value_store_arns))
    if wrong:
        return Problem(where, None, "KeyValueStoreARNs", wrong)
    if isinstance(code, str):  # the reader's reason: missing, too large, not a regular file
        return Problem(shown, None, "rollback-from", code)
    if not code:
        return Problem(shown, None, "rollback-from", f"`{shown}` is empty")
    config = FunctionConfig(saved.comment, saved.runtime, tuple(saved.key_value_store_arns))
    return Backup(saved.name, saved.etag, code, config, stamp, shown, saved.replaced_by, saved.kind)


class _SavedKey(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str
    value: str


class _SavedStore(BaseModel):
    """`<store>.KVS.<etag>.json`, as BackupFolder.save_store writes it."""

    model_config = ConfigDict(populate_by_name=True, frozen=True)

    kind: Literal[Kind.KEY_VALUE_STORE] = Field(Kind.KEY_VALUE_STORE, alias="Kind")
    name: str = Field(alias="Name", pattern=NAME_PATTERN)
    arn: Arn = Field(alias="KvsARN")
    etag: str = Field(alias="ETag", min_length=1)
    sensitive: bool = Field(False, alias="Sensitive")
    keys: list[_SavedKey] = Field([], alias="Keys")
    added: list[str] = Field([], alias="Added")
    replaced_by: str = Field("publish", alias="ReplacedBy")


@dataclass(frozen=True)
class StoreBackup:
    """The keys one UpdateKeys replaced or deleted (with their values) and added: how to undo it."""

    name: str
    arn: str
    restore: Changes
    stamp: str
    shown: str
    replaced_by: str = "publish"
    sensitive: bool = False  # its values are hashes: refused by a rollback that would restore it


def parse_store_backup(text: str, shown: str, stamp: str) -> StoreBackup | Problem:
    try:
        saved = _SavedStore.model_validate(json.loads(text))
    except (ValueError, ValidationError) as err:
        return Problem(
            shown, None, "rollback-from", f"not a KeyValueStore backup this tool wrote: {_first(err)}"
        )
    if not re.match(rf"^{re.escape(saved.name)}\.KVS\.", shown.rsplit("/", 1)[-1]):
        return Problem(shown, None, "rollback-from", f"names store {saved.name}, not the file's")
    if saved.sensitive:  # hashes, never written anywhere as values: `sensitive_problems` refuses it
        return StoreBackup(saved.name, saved.arn, Changes(), stamp, shown, saved.replaced_by, sensitive=True)
    restore = Changes({k.key: k.value for k in saved.keys}, tuple(saved.added))
    return StoreBackup(saved.name, saved.arn, restore, stamp, shown, saved.replaced_by)


def newest_stores(backups: Iterable[StoreBackup]) -> dict[str, StoreBackup]:
    """Each store's newest backup, chosen as functions' are (`newest`)."""
    return _newest(backups, lambda b: b.name)


def store_spec(backup: StoreBackup) -> StoreSpec:
    return StoreSpec(
        backup.name,
        sensitive=backup.sensitive,
        restore=backup.restore,
        restored_from=backup.shown,
        arn=backup.arn,
    )


def newest(backups: Iterable[Backup]) -> dict[Ref, Backup]:
    """Each function's newest backup that a publish saved; one a rollback saved only if there is no
    other. A viewer and a connection function of one name are two functions."""
    return _newest(backups, lambda b: b.ref)


K = TypeVar("K", str, Ref)


def _newest(backups: Iterable[B], name: Callable[[B], K]) -> dict[K, B]:
    chosen: dict[K, B] = {}
    for b in sorted(backups, key=lambda b: (b.replaced_by != ROLLBACK, when(b.stamp), b.shown)):
        chosen[name(b)] = b  # later in this order wins
    return dict(sorted(chosen.items()))


def when(stamp: str) -> str:
    """A run's stamp, which sorts as its time; "" for a folder that is not one (nothing says when its
    files were saved), which sorts before every run."""
    return stamp if STAMP.fullmatch(stamp) else ""


def restore_manifest(
    chosen: Mapping[Ref, Backup], file: str, stores: dict[str, StoreBackup] | None = None
) -> Manifest:
    """The backups as a manifest: code and the whole config, no tests (the code was LIVE before); and
    the stores' keys as they were before the run that saved them."""
    store_specs = tuple(store_spec(b) for b in (stores or {}).values())
    return Manifest(file, tuple(spec(b) for b in chosen.values()), stores=store_specs)


def checked(manifest: Manifest) -> tuple[Manifest, list[Problem]]:
    """What a rollback is about to restore, checked as the manifest's entries are while loading: the
    code against the language of the runtime its backup names (located in the backup's code file),
    and no sensitive store (its backup holds hashes, not values)."""
    functions, problems, warnings = [], sensitive_problems(manifest), list(manifest.warnings)
    for entry in manifest.functions:
        if entry.code is None:  # tags alone (core/tag_rollback.py): no code to check
            functions.append(entry)
            continue
        found, wrong, warned = language_problems(entry, entry.restored_from)
        functions.append(found)
        problems += wrong
        warnings += warned
    return dataclasses.replace(manifest, functions=tuple(functions), warnings=tuple(warnings)), problems


def sensitive_problems(manifest: Manifest) -> list[Problem]:
    """A sensitive store's values were never written: only its data file's history has them."""
    return [
        Problem(
            store.restored_from,
            None,
            "rollback-from",
            f"`{store.name}` is sensitive, so its backup holds hashes, not values; restore its data "
            "file from history and publish (or name with --functions only functions that do not read it)",
        )
        for store in manifest.stores
        if store.sensitive
    ]


def spec(backup: Backup) -> FunctionSpec:
    stores = backup.config.key_value_store_arns
    return FunctionSpec(
        backup.function,
        code_path=backup.shown,
        code=backup.code,
        runtime=backup.config.runtime,
        comment=backup.config.comment,
        key_value_store=stores[0] if stores else REMOVE,
        restored_from=backup.shown,
        recreate=backup.replaced_by == RETIRE,  # a connection function made again: see restore_plans
        kind=backup.kind,
    )


def _first(err: ValueError) -> str:
    """The first thing wrong, on one line: a model's first field error, or the JSON parser's message."""
    if not isinstance(err, ValidationError):
        return str(err).splitlines()[0]
    e = err.errors()[0]
    return f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
