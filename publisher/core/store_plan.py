"""plan_store(spec, state, carried) → StorePlan: the KeyValueStore row of the plan. No I/O.

A store's writes come before the writes of the functions tied to it, so a function's tests run against
the keys its code will meet at the edge; a store this run creates is named in its functions' config by
a pending ARN until it exists (`pending_arn`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from publisher.core.modes import Action, Kind, Ref
from publisher.core.stores import Changes, StoreSpec, StoreState, diff, wanted_keys
from publisher.core.tags import TagChange

PENDING = "(created by this run: {})"
DELETED = "no longer exists; a rollback restores a store's keys, it does not create the store"


def pending_arn(name: str) -> str:
    """What a function's config names a store by until this run has created it."""
    return PENDING.format(name)


@dataclass(frozen=True)
class StorePlan:
    spec: StoreSpec
    state: StoreState | None  # None: not in the account yet
    changes: Changes = field(default_factory=Changes)
    carried: tuple[Action, ...] = ()  # the writes this run's mode carries out
    error: str | None = None
    tags: TagChange = field(default_factory=TagChange)  # TagResource / UntagResource, after the keys

    kind = Kind.KEY_VALUE_STORE
    conflict = False  # a store's plan finds no one else's change; its writes may (see shell/stores.py)

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def ref(self) -> Ref:
        return Ref(self.kind, self.name)

    @property
    def actions(self) -> tuple[Action, ...]:
        if self.error:
            return ()
        create = (Action.CREATE,) if self.state is None else ()
        return create + ((Action.UPDATE_KEYS,) if self.changes else ()) + self.tags.actions

    @property
    def arn(self) -> str:
        """The ARN its functions name: the store's own, or a pending one until this run creates it."""
        if self.state is not None:
            return self.state.arn
        return self.spec.arn or pending_arn(self.name)

    @property
    def held(self) -> dict[str, str]:
        return dict(self.state.keys) if self.state else {}

    @property
    def reason(self) -> str:
        if self.error:
            return self.error
        keys = self._keys_reason()
        return f"{keys}; {self.tags.reason}" if self.tags else keys

    def _keys_reason(self) -> str:
        if self.spec.restore is not None and not self.changes:
            return f"already holds the keys of {self.spec.restored_from}"
        if self.spec.data is None and self.spec.restore is None:
            if self.state is None:
                return "not in the account yet; created empty (no `data`)"
            return "no `data`: its keys are left as they are"
        parts = [
            f"{n} {what}"
            for n, what in (
                (len(self.added), "to add"),
                (len(self.changed), "to change"),
                (len(self.changes.deletes), "to delete"),
            )
            if n
        ]
        created = "not in the account yet; " if self.state is None else ""
        restored = f"restore from {self.spec.restored_from}: " if self.spec.restore is not None else ""
        count = len(self.spec.data or {})
        return created + restored + (", ".join(parts) if parts else f"holds the {count} keys of its file")

    @property
    def added(self) -> list[str]:
        return [k for k in self.changes.puts if k not in self.held]

    @property
    def changed(self) -> list[str]:
        return [k for k in self.changes.puts if k in self.held]


def plan_store(
    spec: StoreSpec,
    state: StoreState | None,
    carried: frozenset[Action] = frozenset(Action),
    error: str = "",
    tags: TagChange | None = None,
) -> StorePlan:
    if error:
        return StorePlan(spec, state, error=f"could not be read: {error}")
    if spec.restore is not None and state is None:
        return StorePlan(spec, None, error=DELETED)  # created anew it would hold only the saved keys
    held = state.keys if state else {}
    wanted = wanted_keys(spec, held)
    changes = diff(wanted, held) if wanted is not None else Changes()
    plan = StorePlan(spec, state, changes, tags=tags or TagChange())
    return replace(plan, carried=tuple(a for a in plan.actions if a in carried))
