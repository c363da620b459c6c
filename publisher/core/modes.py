"""The closed sets a run is made of: the kinds of resource it manages, the writes it may make, and the
modes that choose which of those writes are carried out. Each mode knows what it does; nothing else
asks "which mode is this?" with a list of names."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """A kind of resource: each has a spec, an observed state with an ETag, a diff and its operations."""

    FUNCTION = "function"  # a viewer function: *Function operations, by name
    KEY_VALUE_STORE = "key-value-store"  # control plane by name, keys through the data API by ARN
    DISTRIBUTION = "distribution"  # its function associations: one config read and one write, by Id
    CONNECTION_FUNCTION = "connection-function"  # viewer mTLS: *ConnectionFunction operations, by Id

    @property
    def noun(self) -> str:
        """What a message calls one resource of this kind: "this function", "this store"."""
        return _NOUN[self]


class Action(StrEnum):
    """A write the plan may call for, whatever the kind; each leads to the status it names when done."""

    CREATE = "create"
    UPDATE = "update"
    UPDATE_KEYS = "update-keys"
    PUBLISH = "publish"
    ATTACH = "attach"  # a function onto a cache behaviour's event, once LIVE
    DETACH = "detach"
    DELETE = "delete"  # a retired function, once no behaviour runs it
    TAG = "tag"  # TagResource: keys the manifest sets, after the resource's other writes
    UNTAG = "untag"  # UntagResource: keys the manifest sets to null


@dataclass(frozen=True, order=True)
class Ref:
    """One resource of a run: outcomes, results and backups are keyed by kind and name, never by name alone."""

    kind: Kind
    name: str

    def __str__(self) -> str:
        return self.name if self.kind is Kind.FUNCTION else f"{self.kind} {self.name}"


class Mode(StrEnum):
    CHECK = "check"  # the manifest, code, events and runtimes, with no AWS call at all
    TEST = "test"  # check, then run every test case in a local engine (njs); no AWS call at all
    PLAN = "plan"
    PREVIEW = "preview"  # throwaway copies of changed functions are tested: see shell/preview.py
    SYNC = "sync"
    PUBLISH = "publish"
    ROLLBACK = "rollback"  # publish, with a folder of backups as the desired state

    @property
    def carried(self) -> frozenset[Action]:
        """The writes this mode carries out; the plan shows them all."""
        return _CARRIED[self]

    @property
    def calls_aws(self) -> bool:
        return self not in (Mode.CHECK, Mode.TEST)

    @property
    def planning(self) -> bool:
        """Shows what would happen and writes none of it (preview writes only its throwaway copies)."""
        return not self.carried

    @property
    def previews(self) -> bool:
        """Creates throwaway copies of the changed functions (and deletes them)."""
        return self is Mode.PREVIEW

    @property
    def reviewed(self) -> bool:
        """Worth a pull-request comment: a review of what would happen, not a record of what did."""
        return self.planning

    @property
    def guarded(self) -> bool:
        """May watch what it published at the edge (`watch-minutes`)."""
        return self is Mode.PUBLISH

    @property
    def restores(self) -> bool:
        """Reads its desired state from a backup folder rather than the manifest (`rollback-from`)."""
        return self is Mode.ROLLBACK


_NOUN = {
    Kind.FUNCTION: "function",
    Kind.KEY_VALUE_STORE: "store",
    Kind.DISTRIBUTION: "distribution",
    Kind.CONNECTION_FUNCTION: "connection function",
}
_CARRIED = {
    Mode.CHECK: frozenset[Action](),
    Mode.TEST: frozenset[Action](),
    Mode.PLAN: frozenset[Action](),
    Mode.PREVIEW: frozenset[Action](),
    Mode.SYNC: frozenset({Action.CREATE, Action.UPDATE, Action.UPDATE_KEYS, Action.TAG, Action.UNTAG}),
    Mode.PUBLISH: frozenset(Action),
    Mode.ROLLBACK: frozenset(Action),  # missing from AWS: its plan's error (a retired one is created)
}
