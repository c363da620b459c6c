"""A rollback of associations: `<distribution>.ASSOCIATIONS.<etag>.json` → AssociationRestore, and the
restore planned with the rule of every write (core/associations.py `replan`): a slot is set back only
while it holds what the run being rolled back put there; one that already holds what was there before
is done; anything else is someone else's change, a conflict, left as it is. No I/O."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping
from dataclasses import replace
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from publisher.core.associations import DistributionPlan, describe_changes, no_viewer_mtls, replan
from publisher.core.distribution_config import (
    CONNECTION_EVENT,
    CONNECTION_SLOT,
    DEFAULT_PATH,
    SlotChange,
    function_name,
    viewer_mtls,
)
from publisher.core.errors import Problem
from publisher.core.manifest import AssociationRestore
from publisher.core.model import DistributionConfig
from publisher.core.modes import Action, Kind


class _Change(BaseModel):
    model_config = ConfigDict(extra="forbid")
    path: str = Field(alias="PathPattern")
    event: Literal["viewer-request", "viewer-response", "connection"] = Field(alias="EventType")
    before: str | None = Field(alias="Before")
    after: str | None = Field(alias="After")


class _Saved(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal[Kind.DISTRIBUTION] = Field(alias="Kind")
    id: str = Field(alias="Id", min_length=1)
    etag: str = Field(alias="ETag")
    behaviours: list[dict[str, Any]] = Field(alias="Behaviours")
    changes: list[_Change] = Field(alias="Changes")
    replaced_by: str = Field("", alias="ReplacedBy")
    connection: dict[str, str] = Field({}, alias="ConnectionFunctionAssociation")  # {Id} as read


def parse_association_backup(text: str, where: str, stamp: str) -> AssociationRestore | Problem:
    try:
        saved = _Saved.model_validate(json.loads(text))
    except (ValueError, ValidationError) as err:
        return Problem(where, None, "rollback-from", f"not a backup of a distribution's associations: {err}")
    arns = {
        function_name(item["FunctionARN"]): str(item["FunctionARN"])
        for b in saved.behaviours
        for item in (b.get("FunctionAssociations") or {}).get("Items") or []
        if isinstance(item, dict) and "FunctionARN" in item
    }
    slots = tuple(
        (None if c.path == DEFAULT_PATH else c.path, c.event, c.after, c.before) for c in saved.changes
    )
    before = next((c.before for c in saved.changes if c.event == CONNECTION_EVENT and c.before), None)
    ids = {before: saved.connection["Id"]} if before and saved.connection.get("Id") else {}
    return AssociationRestore(saved.id, saved.etag, slots, arns, where, stamp, saved.replaced_by, ids)


def newest_restores(restores: Iterable[AssociationRestore], when: Any) -> dict[str, AssociationRestore]:
    """Each distribution's newest backup that a publish saved (a rollback's only if there is no other)."""
    chosen: dict[str, AssociationRestore] = {}
    for r in sorted(restores, key=lambda r: (r.replaced_by != "rollback", when(r.stamp), r.shown)):
        chosen[r.distribution] = r
    return dict(sorted(chosen.items()))


def restore_plans(
    restores: Iterable[AssociationRestore],
    configs: Mapping[str, DistributionConfig],
    carried: Iterable[Action],
    names: Mapping[str, str] | None = None,  # connection functions: Id -> name, as listed
    made_again: Collection[str] = (),  # functions the rollback creates again (a retire deleted them)
) -> tuple[DistributionPlan, ...]:
    """A connection function made again has a new Id, known once it is created: the backup's Id still
    reads the slot (what the retire found there), but the write asks the writer for the new one."""
    cut = set(carried)
    plans = []
    for r in restores:
        read = configs.get(r.distribution)
        undo = tuple(SlotChange(path, event, after, before) for path, event, after, before in r.slots)
        if read is None:
            gone = DistributionConfig(r.distribution, r.etag, {})
            error = "no longer in the account; a rollback does not create a distribution"
            plans.append(DistributionPlan(gone, undo, reason=error, error=error))
            continue
        known = {**(names or {}), **{cid: name for name, cid in r.ids.items()}}
        ids = {name: cid for cid, name in known.items() if name not in made_again}
        base = DistributionPlan(read, undo, carried=(Action.DETACH, Action.ATTACH), ids=ids, names=known)
        again = replan(base, read)
        left = again.plan
        reason = f"restore {r.shown}: {describe_changes(left.changes) or 'already as it was'}"
        theirs = "someone else changed " + "; ".join(again.conflicts) if again.conflicts else ""
        attaching = any(c.slot == CONNECTION_SLOT and c.new for c in left.changes)
        refused = no_viewer_mtls(read.id) if attaching and not viewer_mtls(read.config) else None
        plans.append(
            replace(
                left,
                carried=() if refused else tuple(a for a in left.actions if a in cut),
                reason=f"{reason}; {theirs}" if theirs else reason,
                theirs=again.conflicts,
                arns=r.arns,
                error=refused or (theirs if theirs and not left.changes else None),
                conflict=bool(theirs),
            )
        )
    return tuple(p for p in plans if p.changes or p.theirs or p.error)
