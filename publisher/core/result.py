"""What a run did, function by function: the one value the console, the outputs and the summary read."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from publisher.version import __version__


class Status(StrEnum):
    CREATED = "created"  # DEVELOPMENT created, not published (sync)
    UPDATED = "updated"  # DEVELOPMENT updated, not published (sync)
    PUBLISHED = "published"
    UNCHANGED = "unchanged"
    PLANNED = "planned"  # plan and preview: what would happen
    CHECKED = "checked"  # check: the manifest's entry, code and events are valid; AWS was not asked
    BLOCKED = "blocked"  # a test failed: DEVELOPMENT may hold the code, LIVE does not
    CONFLICT = "conflict"  # someone else changed DEVELOPMENT: nothing of theirs was overwritten
    FAILED = "failed"


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True)


class TestReport(_Value):
    name: str
    passed: bool
    utilization: int
    error: str = ""
    logs: list[str] = []
    mismatch: str = ""  # a diff of expected against actual output


class BehaviourReport(_Value):
    path_pattern: str | None  # None: the default cache behaviour
    event_type: str


class UsageReport(_Value):
    distribution: str
    behaviours: list[BehaviourReport]


class FunctionResult(_Value):
    name: str
    status: Status
    actions: list[str]  # planned writes: create, update, publish
    done: list[str] = []  # writes that took effect
    reason: str = ""
    error: str = ""
    next_step: str = ""
    runtime: str = ""
    code_size: int = 0
    arn: str = ""
    development_etag: list[str | None] = [None, None]  # before, after
    live_etag: list[str | None] = [None, None]
    repo_diff: str = ""
    live_diff: str = ""
    backup: str = ""
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


class Fatal(_Value):
    """Why the run as a whole stopped: bad input or set-up (2, nothing touched), or the service (1)."""

    exit_code: int
    message: str
    problems: list[str] = []  # each bad input, located: file:line: field: message


class KeyReport(_Value):
    key: str
    old: str | None = None  # as shown: the value, or for a sensitive store its hash
    new: str | None = None


class StoreResult(_Value):
    """One KeyValueStore: what the run did to its keys, before the functions that read them."""

    name: str
    status: Status
    actions: list[str]  # planned writes: create, update-keys
    done: list[str] = []
    reason: str = ""
    error: str = ""
    next_step: str = ""
    arn: str = ""
    sensitive: bool = False
    etag: list[str | None] = [None, None]  # before, after
    added: list[KeyReport] = []
    changed: list[KeyReport] = []
    deleted: list[KeyReport] = []
    backup: str = ""
    functions: list[str] = []  # this run's functions that read it


class Result(_Value):
    version: str = __version__  # of cloudfront-publish, which made this result
    mode: str
    functions: list[FunctionResult] = []
    distributions: list[DistributionReport] = []
    backup_dir: str = ""
    other_functions: list[str] = []
    warnings: list[str] = []
    wait: WaitReport | None = None
    fatal: Fatal | None = None
    stores: list[StoreResult] = []  # KeyValueStores, written before the functions tied to them

    def named(self, *statuses: Status) -> list[str]:
        return [f.name for f in self.functions if f.status in statuses]

    @property
    def changed(self) -> list[str]:
        """Functions this run wrote to (or, in plan and preview, would write to)."""
        return [f.name for f in self.functions if f.done or (f.status is Status.PLANNED and f.actions)]

    @property
    def published(self) -> list[str]:
        return [f.name for f in self.functions if "publish" in f.done]

    @property
    def failed(self) -> list[str]:
        return self.named(Status.FAILED, Status.CONFLICT, Status.BLOCKED)

    @property
    def serving_new_code(self) -> list[str]:
        """Ids of the distributions that run a function whose LIVE this run replaced (or would)."""
        return [d.id for d in self.distributions if d.new_code]

    @property
    def exit_code(self) -> int:
        if self.fatal:
            return self.fatal.exit_code
        return 1 if self.failed or self.stores_failed or (self.wait and self.wait.timed_out) else 0

    @property
    def stores_changed(self) -> list[str]:
        """KeyValueStores this run wrote to (or, planning, would write to)."""
        return [s.name for s in self.stores if s.done or (s.status is Status.PLANNED and s.actions)]

    @property
    def stores_failed(self) -> list[str]:
        return [s.name for s in self.stores if s.status in (Status.FAILED, Status.CONFLICT)]
