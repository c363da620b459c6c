"""plan_store(spec, state) → StorePlan, and the StoreResult a plan and its outcome make. No I/O.

The plan orders resources: every store's writes come before the writes of the functions tied to it,
so a function's tests run against the keys its code will meet at the edge.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from publisher.core.result import KeyReport, Status, StoreResult
from publisher.core.stores import Changes, StoreSpec, StoreState, diff, shown, wanted_keys

DELETED = "no longer exists; a rollback restores a store's keys, it does not create the store"


class StoreAction(StrEnum):
    CREATE = "create"
    UPDATE_KEYS = "update-keys"


@dataclass(frozen=True)
class StorePlan:
    spec: StoreSpec
    state: StoreState | None  # None: not in the account yet
    changes: Changes = field(default_factory=Changes)
    error: str = ""  # nothing may be written: e.g. a rollback's store that no longer exists

    @property
    def actions(self) -> tuple[StoreAction, ...]:
        if self.error:
            return ()
        create = (StoreAction.CREATE,) if self.state is None else ()
        return create + ((StoreAction.UPDATE_KEYS,) if self.changes else ())

    @property
    def held(self) -> dict[str, str]:
        return dict(self.state.keys) if self.state else {}

    def reason(self) -> str:
        if self.error:
            return self.error
        if self.spec.restore is not None and not self.changes:
            return f"already holds the keys of {self.spec.restored_from}"
        if self.spec.data is None and self.spec.restore is None:
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


def plan_store(spec: StoreSpec, state: StoreState | None) -> StorePlan:
    if spec.restore is not None and state is None:  # created anew it would hold only the saved keys
        return StorePlan(spec, None, error=DELETED)
    held = state.keys if state else {}
    wanted = wanted_keys(spec, held)
    if wanted is None:
        return StorePlan(spec, state)
    return StorePlan(spec, state, diff(wanted, held))


@dataclass(frozen=True)
class StoreOutcome:
    """What took effect for one store: facts, not a verdict."""

    done: tuple[StoreAction, ...] = ()
    arn: str = ""
    etag: str | None = None  # after
    backup: str = ""
    conflict: str = ""
    error: str = ""


NEXT = {
    Status.CONFLICT: "Someone else changed keys of this store during the run; its functions were not "
    "published. Review their change (keep it in the data file if it should stay), then re-run.",
    Status.FAILED: "Fix the cause and re-run; the functions that read this store were not published.",
}


def store_result(plan: StorePlan, planning: bool, outcome: StoreOutcome, readers: list[str]) -> StoreResult:
    sensitive = plan.spec.sensitive
    status = _status(plan, planning, outcome)
    held = plan.held
    return StoreResult(
        name=plan.spec.name,
        status=status,
        actions=[a.value for a in plan.actions],
        done=[a.value for a in outcome.done],
        reason=plan.reason(),
        error=outcome.conflict or outcome.error or plan.error,
        next_step=NEXT.get(status, ""),
        arn=outcome.arn or (plan.state.arn if plan.state else ""),
        sensitive=sensitive,
        etag=[
            plan.state.etag if plan.state else None,
            outcome.etag or (plan.state.etag if plan.state else None),
        ],
        added=[KeyReport(key=k, new=shown(plan.changes.puts[k], sensitive)) for k in plan.added],
        changed=[
            KeyReport(key=k, old=shown(held[k], sensitive), new=shown(plan.changes.puts[k], sensitive))
            for k in plan.changed
        ],
        deleted=[KeyReport(key=k, old=shown(held[k], sensitive)) for k in plan.changes.deletes],
        backup=outcome.backup,
        functions=readers,
    )


def _status(plan: StorePlan, planning: bool, outcome: StoreOutcome) -> Status:
    if outcome.conflict:
        return Status.CONFLICT
    if outcome.error or plan.error:
        return Status.FAILED
    if not plan.actions:
        return Status.UNCHANGED
    if planning:
        return Status.PLANNED
    if StoreAction.CREATE in outcome.done:
        return Status.CREATED
    return Status.UPDATED if outcome.done else Status.UNCHANGED
