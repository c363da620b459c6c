"""A folder's tag backups as desired state: each resource's keys back to what they held before the run
that saved them, only while a key still holds what that run put there. No I/O.

A run saves `<name>.TAGS.<kind>.json` before it tags a resource (shell/files.py): each key it
changes, with its value before (null: not there) and after (null: removed). A rollback asks for the
values before; a key someone else changed since holds their value, not the run's, and is left as it
is (`restorable`). Each resource returns to its newest backup that a publish saved; one a rollback
saved only when there is no other, as for code (core/rollback.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from publisher.core.errors import Problem
from publisher.core.limits import NAME_PATTERN
from publisher.core.manifest import FunctionSpec, Manifest
from publisher.core.modes import Kind, Ref
from publisher.core.stores import StoreSpec
from publisher.core.tags import Wanted

ROLLBACK = "rollback"
Arn = Annotated[str, Field(pattern=r"^arn:")]


class _Key(BaseModel):
    model_config = ConfigDict(populate_by_name=True, frozen=True)

    key: str = Field(alias="Key", min_length=1)
    before: str | None = Field(alias="Before")
    after: str | None = Field(alias="After")


class _Saved(BaseModel):
    model_config = ConfigDict(populate_by_name=True, frozen=True)

    kind: Literal[Kind.FUNCTION, Kind.CONNECTION_FUNCTION, Kind.KEY_VALUE_STORE] = Field(alias="Kind")
    name: str = Field(alias="Name", pattern=NAME_PATTERN)
    resource: Arn = Field(alias="Resource")
    tags: list[_Key] = Field(alias="Tags")
    replaced_by: str = Field("publish", alias="ReplacedBy")


@dataclass(frozen=True)
class TagBackup:
    ref: Ref
    arn: str
    before: Mapping[str, str | None]  # what to put back (None: remove)
    after: Mapping[str, str | None]  # what the run put there: restored only while still there
    stamp: str
    shown: str
    replaced_by: str = "publish"


def parse_tag_backup(text: str, shown: str, stamp: str) -> TagBackup | Problem:
    try:
        saved = _Saved.model_validate(json.loads(text))
    except (ValueError, ValidationError) as err:
        return Problem(shown, None, "rollback-from", f"not a tags backup this tool wrote: {_first(err)}")
    if not shown.rsplit("/", 1)[-1].startswith(f"{saved.name}.TAGS."):
        return Problem(shown, None, "rollback-from", f"names {saved.name}, not the file's")
    return TagBackup(
        Ref(saved.kind, saved.name),
        saved.resource,
        {k.key: k.before for k in saved.tags},
        {k.key: k.after for k in saved.tags},
        stamp,
        shown,
        saved.replaced_by,
    )


def newest_tags(backups: Iterable[TagBackup], when: Callable[[str], str]) -> dict[Ref, TagBackup]:
    """Each resource's newest backup that a publish saved; one a rollback saved only if there is no
    other. `when(stamp)` sorts a run's stamp as its time (core/rollback.when)."""
    chosen: dict[Ref, TagBackup] = {}
    order = sorted(backups, key=lambda b: (b.replaced_by != ROLLBACK, when(b.stamp), b.shown))
    for b in order:
        chosen[b.ref] = b
    return dict(sorted(chosen.items()))


def restorable(
    before: Wanted, after: Wanted, held: Mapping[str, str]
) -> tuple[dict[str, str | None], list[str]]:
    """The keys a rollback puts back (those still holding what the run put there), and those left as
    someone else left them."""
    back = {k: v for k, v in before.items() if held.get(k) == after.get(k)}
    return back, sorted(set(before) - set(back))


def with_tag_restores(manifest: Manifest, restores: Mapping[Ref, TagBackup]) -> Manifest:
    """The rollback's manifest with each backup's tags on its resource: on the function or store it
    restores already, or on an entry of its own that restores the tags alone."""
    functions = list(manifest.functions)
    stores = list(manifest.stores)
    for ref, backup in restores.items():
        if ref.kind is Kind.KEY_VALUE_STORE:
            i = next((i for i, s in enumerate(stores) if s.name == ref.name), None)
            base = (
                stores[i]
                if i is not None
                else StoreSpec(ref.name, arn=backup.arn, restored_from=backup.shown)
            )
            spec = replace(base, tags=dict(backup.before), tags_after=dict(backup.after))
            if i is None:
                stores.append(spec)
            else:
                stores[i] = spec
            continue
        j = next((j for j, f in enumerate(functions) if f.ref == ref), None)
        alone = FunctionSpec(ref.name, restored_from=backup.shown, kind=ref.kind, tags_only=True)
        found = functions[j] if j is not None else alone
        entry = replace(found, tags=dict(backup.before), tags_after=dict(backup.after))
        if j is None:
            functions.append(entry)
        else:
            functions[j] = entry
    return replace(manifest, functions=tuple(functions), stores=tuple(stores))


def _first(err: ValueError) -> str:
    if not isinstance(err, ValidationError):
        return str(err).splitlines()[0]
    e = err.errors()[0]
    return f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
