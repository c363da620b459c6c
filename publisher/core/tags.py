"""Tags on functions and KeyValueStores: the manifest's keys are desired state, a key it does not name
is left as it is. `tags: {team: web, cost: null}` sets `team` and removes `cost`. No I/O.

A resource whose entry (or `defaults`) names no tags is never read for them, so a manifest without
tags costs no call. A resource this run creates takes its tags in the create call; one that exists
gets TagResource for the keys to set and UntagResource for the keys to remove, after its other writes
(shell/tagging.py says why). A tag is metadata: it never makes a function updated, tested or published.

The rules are the API's (botocore's `TagKey`, `TagValue`): a key of 1 to 128 characters, a value of at
most 256, letters, digits, spaces and `_ . : / = + - @`; the prefix `aws:` is AWS's own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from publisher.core.modes import Action

Wanted = Mapping[str, str | None]  # a value sets the key, None removes it
KEY_LIMIT, VALUE_LIMIT = 128, 256
TAGGING = frozenset({Action.TAG, Action.UNTAG})


def beyond_tags(carried: Iterable[Action]) -> bool:
    """Whether a resource's writes go beyond its tags: a tags-only change is no update, test or publish."""
    return bool(set(carried) - TAGGING)


_ALLOWED = re.compile(r"[\w .:/=+\-@]*")  # \p{L}\p{N}_ and spaces, as near as `re` comes


def tag_problems(tags: Wanted) -> list[str]:
    """What the API would refuse, found while loading: one message per bad key."""
    found = []
    for key, value in tags.items():
        if not 1 <= len(key) <= KEY_LIMIT or not _ALLOWED.fullmatch(key):
            found.append(
                f"tag key `{key}` must be 1 to {KEY_LIMIT} letters, digits, spaces or _ . : / = + - @"
            )
        elif key.lower().startswith("aws:"):
            found.append(f"tag key `{key}`: the prefix `aws:` is reserved by AWS")
        elif value is not None and (len(value) > VALUE_LIMIT or not _ALLOWED.fullmatch(value)):
            found.append(
                f"tag `{key}`: a value is at most {VALUE_LIMIT} letters, digits, spaces or _ . : / = + - @"
            )
    return found


def merged(defaults: Wanted, own: Wanted | None) -> Wanted | None:
    """An entry's tags over the defaults' (its own null removes a default's key); None: names none."""
    tags = {**defaults, **(own or {})}
    return tags or None


def created_with(wanted: Wanted | None) -> dict[str, str]:
    """The tags a create call carries: the keys to set (a key to remove is not there yet)."""
    return {k: v for k, v in (wanted or {}).items() if v is not None}


@dataclass(frozen=True)
class TagChange:
    """The keys to set and to remove on one resource, and what it held before (for the backup)."""

    sets: Mapping[str, str] = field(default_factory=dict)
    removes: tuple[str, ...] = ()
    held: Mapping[str, str] = field(default_factory=dict)
    theirs: tuple[str, ...] = ()  # a rollback's keys someone else changed since: left as they are

    def __bool__(self) -> bool:
        return bool(self.sets or self.removes)

    @property
    def actions(self) -> tuple[Action, ...]:
        return ((Action.TAG,) if self.sets else ()) + ((Action.UNTAG,) if self.removes else ())

    @property
    def previous(self) -> dict[str, str | None]:
        """What the keys this change touches held before it (None: not there): how to undo it."""
        return {k: self.held.get(k) for k in sorted({*self.sets, *self.removes})}

    @property
    def reason(self) -> str:
        parts = [
            f"{k}={v}" + (f" (was {self.held[k]})" if k in self.held else "")
            for k, v in sorted(self.sets.items())
        ]
        parts += [f"remove {k}" for k in self.removes]
        theirs = (
            f"; {', '.join(self.theirs)} changed by someone else since, left as is" if self.theirs else ""
        )
        return f"tags: {', '.join(parts)}{theirs}"


def plan_tags(
    wanted: Wanted | None, held: Mapping[str, str] | None, after: Wanted | None = None
) -> TagChange:
    """The keys that differ; None held: not read (no tags named, or the resource is created). A
    rollback's `after` (what its run put there): a key that no longer holds it is someone else's."""
    if not wanted or held is None:
        return TagChange()
    theirs: tuple[str, ...] = ()
    if after is not None:
        kept = {k: v for k, v in wanted.items() if held.get(k) == after.get(k) or held.get(k) == v}
        theirs, wanted = tuple(sorted(set(wanted) - set(kept))), kept
    sets = {k: v for k, v in wanted.items() if v is not None and held.get(k) != v}
    removes = tuple(sorted(k for k, v in wanted.items() if v is None and k in held))
    return TagChange(sets, removes, dict(held), theirs if (sets or removes) else ())
