"""What a run did, function by function: the one value the console, the outputs and the summary read."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, computed_field

from publisher.core.modes import Action, Kind, Mode, Ref
from publisher.version import __version__

SCHEMA_VERSION = 3  # of the result's JSON: raised when a field changes meaning or goes away


class Status(StrEnum):
    CREATED = "created"  # DEVELOPMENT created, not published (sync)
    UPDATED = "updated"  # DEVELOPMENT updated, not published (sync)
    PUBLISHED = "published"
    DELETED = "deleted"  # a retired function: detached everywhere, LIVE backed up, then deleted
    UNCHANGED = "unchanged"
    PLANNED = "planned"  # plan and preview: what would happen
    CHECKED = "checked"  # check: the manifest's entry, code and events are valid; AWS was not asked
    BLOCKED = "blocked"  # a test failed, or a resource it depends on: LIVE serves what it served
    CONFLICT = "conflict"  # someone else changed DEVELOPMENT: nothing of theirs was overwritten
    FAILED = "failed"
    ROLLED_BACK = "rolled back"  # published or attached, failed at the edge, and what it replaced is back


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, json_schema_serialization_defaults_required=True)


class TestReport(_Value):
    name: str
    passed: bool
    utilization: int
    error: str = ""
    logs: list[str] = []
    mismatch: str = ""  # a diff of expected against actual output
    engine: str = ""  # "": CloudFront's TestFunction; else the local engine that ran it (`test` mode)


class BehaviourReport(_Value):
    path_pattern: str | None  # None: the default cache behaviour
    event_type: str


class UsageReport(_Value):
    distribution: str
    behaviours: list[BehaviourReport]


FAILURES = (Status.FAILED, Status.CONFLICT, Status.BLOCKED, Status.ROLLED_BACK)


class ResourceResult(_Value):
    """What every kind of resource reports; `changed` and `failed` are defined here once for all."""

    kind: Kind
    name: str
    status: Status
    actions: list[str]  # planned writes (core/modes.Action)
    done: list[str] = []  # writes that took effect, also part of one that then failed
    reason: str = ""
    error: str = ""
    next_step: str = ""
    arn: str = ""
    backup: str = ""  # what this run's write replaced, saved first

    @property
    def has_changes(self) -> bool:
        """Written to by this run (or, planning, would be)."""
        return bool(self.done) or (self.status is Status.PLANNED and bool(self.actions))

    @property
    def failed(self) -> bool:
        return self.status in FAILURES

    @property
    def published(self) -> bool:
        return Action.PUBLISH.value in self.done

    @property
    def label(self) -> str:
        """How messages and outputs name it: a viewer function by its name, another kind with its kind
        ("connection-function gate"), so two of one name stay apart."""
        return str(Ref(self.kind, self.name))


class FunctionResult(ResourceResult):
    kind: Kind = Kind.FUNCTION
    runtime: str = ""
    code_size: int = 0
    development_etag: list[str | None] = [None, None]  # before, after
    live_etag: list[str | None] = [None, None]
    repo_diff: str = ""
    live_diff: str = ""
    restored_from: str = ""  # a rollback: the backup file DEVELOPMENT and LIVE were set to
    rollback_backup: str = ""  # the guard's rollback: where the LIVE it replaced was saved
    tests: list[TestReport] = []
    used_by: list[UsageReport] = []


class DistributionReport(_Value):
    id: str
    domain: str
    aliases: list[str]
    status: str
    enabled: bool
    functions: list[str]  # the functions of this run that it serves
    new_code: bool = False  # one of them had its LIVE replaced by this run (planning: would have)


class WaitReport(_Value):
    timeout_minutes: float
    deployed: list[str]  # distribution Ids
    timed_out: list[str]
    error: str = ""  # the wait itself failed (AWS refused or did not answer): what was published stays
    cancelled: bool = False  # a signal ended the wait
    deployed_at: datetime | None = None  # when the last of them was seen Deployed (UTC)


class WatchReport(_Value):
    """One function as the guard saw it at the edge, over the whole window."""

    function: str
    invocations: int
    errors: int  # execution errors + validation errors + throttles
    error_rate: float | None  # percent; None without invocations
    verdict: str  # keep | roll back | not judged
    note: str = ""


class GuardReport(_Value):
    watch_minutes: float
    max_error_rate: float
    functions: list[WatchReport]
    window_start: datetime | None = None  # the metrics judged: only what the new code served (UTC)
    window_end: datetime | None = None
    cancelled: bool = False  # a signal ended the watch early
    error: str = ""  # the metrics could not be read: the guard did not do its work


class Count(_Value):
    count: int
    quota: int


class AccountReport(_Value):
    """The account around the manifest, from the listings the run made: counts and loose ends."""

    functions: Count
    stores: Count
    unattached_functions: list[str] = []  # not in the manifest, run by no distribution
    unused_stores: list[str] = []  # read by no function's DEVELOPMENT or LIVE
    throwaways: list[str] = []  # preview copies left behind: `cleanup` deletes them


class Fatal(_Value):
    """Why the run as a whole stopped: bad input or set-up (2, nothing touched), or the service (1)."""

    exit_code: int
    message: str
    problems: list[str] = []  # each bad input, located: file:line: field: message


class KeyReport(_Value):
    key: str
    old: str | None = None  # as shown: the value, or for a sensitive store its hash
    new: str | None = None


class StoreResult(ResourceResult):
    """One KeyValueStore: what the run did to its keys, before the functions that read them."""

    kind: Kind = Kind.KEY_VALUE_STORE
    sensitive: bool = False
    etag: list[str | None] = [None, None]  # before, after
    added: list[KeyReport] = []
    changed: list[KeyReport] = []
    deleted: list[KeyReport] = []
    theirs: list[str] = []  # keys someone else changed during the run, which it kept as they left them
    functions: list[str] = []  # this run's functions that read it


class AssociationChange(_Value):
    """One function attached to or detached from one event of one cache behaviour, or a connection
    function to or from a distribution (behaviour `default`, event `connection`)."""

    distribution: str
    behaviour: str  # `default` or the path pattern
    event: str
    function: str
    action: str  # attach | detach
    kind: Kind = Kind.FUNCTION  # of the function


class DistributionResult(ResourceResult):
    """One distribution whose function associations the run wrote (or, planning, would write)."""

    kind: Kind = Kind.DISTRIBUTION
    etag: list[str | None] = [None, None]  # before, after
    changes: list[AssociationChange] = []  # written (planning: planned)
    conflicts: list[str] = []  # slots someone else changed during the run: both sides, nothing written there


class Result(_Value):
    """One run of cloudfront-publish: what it did (or, in plan and preview, would do), function by function."""

    version: str = __version__  # of cloudfront-publish, which made this result
    mode: Mode | None  # None: the mode asked for was not one
    started: datetime | None = None  # when the run began (UTC); set by the shell, which owns the clock
    duration_seconds: float | None = None
    functions: list[FunctionResult] = []
    distributions: list[DistributionReport] = []
    backup_dir: str = ""
    other_functions: list[str] = []
    warnings: list[str] = []
    wait: WaitReport | None = None
    guard: GuardReport | None = None
    fatal: Fatal | None = None
    stores: list[StoreResult] = []  # KeyValueStores, written before the functions tied to them
    account: AccountReport | None = None  # counts against the quotas, and loose ends
    associations: list[DistributionResult] = []  # distributions, written after the functions they attach

    def named(self, *statuses: Status) -> list[str]:
        return [f.name for f in self.functions if f.status in statuses]

    @property
    def resources(self) -> list[ResourceResult]:
        """Every resource of the run, in the order they were written: stores before functions."""
        return [*self.stores, *self.functions, *self.associations]

    @property
    def changed(self) -> list[str]:
        """Functions this run wrote to (or, in plan and preview, would write to)."""
        return [f.label for f in self.functions if f.has_changes]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def schema_version(self) -> int:
        return SCHEMA_VERSION

    @computed_field  # type: ignore[prop-decorator]
    @property
    def has_changes(self) -> bool:
        """Some resource was written (sync, publish) or would be (plan, preview)."""
        return any(r.has_changes for r in self.resources)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def published(self) -> list[str]:
        return [f.label for f in self.functions if f.published]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def failed(self) -> list[str]:
        """Functions that failed; `stores_failed` names the stores."""
        return [f.label for f in self.functions if f.failed]

    @property
    def rolled_back(self) -> list[str]:
        """Functions whose LIVE this run set back to a backup: a rollback, or the guard."""
        return [
            f.label
            for f in self.functions
            if f.status is Status.ROLLED_BACK or (f.restored_from and f.published)
        ]

    @property
    def serving_new_code(self) -> list[str]:
        """Ids of the distributions that run a function whose LIVE this run replaced (or would), and of
        those whose function associations it changed (or would)."""
        ids = [d.id for d in self.distributions if d.new_code]
        return ids + [a.name for a in self.associations if a.changes and a.name not in ids]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def associations_changed(self) -> list[AssociationChange]:
        """Every attach and detach this run wrote (or, in plan and preview, would write)."""
        return [c for a in self.associations for c in a.changes]

    @property
    def exit_code(self) -> int:
        if self.fatal:
            return self.fatal.exit_code
        guard_failed = bool(self.guard and (self.guard.error or self.guard.cancelled))
        wait_failed = bool(self.wait and (self.wait.timed_out or self.wait.error or self.wait.cancelled))
        failed = any(r.failed for r in self.resources)
        return 1 if failed or wait_failed or guard_failed else 0

    @property
    def stores_changed(self) -> list[str]:
        """KeyValueStores this run wrote to (or, planning, would write to)."""
        return [s.name for s in self.stores if s.has_changes]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def stores_failed(self) -> list[str]:
        return [s.name for s in self.stores if s.failed]


def json_schema() -> str:
    """The JSON Schema of `--json` and the `result` output, as shipped in docs/result.schema.json."""
    import json

    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **Result.model_json_schema(mode="serialization"),
    }
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
