"""make_plan(manifest, observed) → Plan: what to write, why, and the ETag each write rests on. No I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from publisher.core.diffs import diff_code, diff_config, differences
from publisher.core.manifest import REMOVE, FunctionSpec, Manifest
from publisher.core.model import FunctionConfig, FunctionState, Observed, StageState

DEFAULT_RUNTIME = "cloudfront-js-2.0"


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    PUBLISH = "publish"


class Mode(StrEnum):
    PLAN = "plan"
    PREVIEW = "preview"
    SYNC = "sync"
    PUBLISH = "publish"


@dataclass(frozen=True)
class Write:
    action: Action
    function: str
    if_match: str | None  # the DEVELOPMENT ETag the decision rests on; None after an update in this run
    reason: str
    code: bytes
    config: FunctionConfig


@dataclass(frozen=True)
class Target:
    """What DEVELOPMENT holds once the sync is done: the publish checks it still does."""

    code: bytes
    config: FunctionConfig

    def held_by(self, stage: StageState | None) -> bool:
        return stage is not None and (stage.code, stage.config) == (self.code, self.config)


@dataclass(frozen=True)
class FunctionPlan:
    spec: FunctionSpec
    state: FunctionState
    writes: tuple[Write, ...] = ()
    reason: str = ""
    error: str | None = None
    bad_input: bool = False  # the error lies in the manifest: the run is refused before any write
    target: Target | None = None
    repo_diff: str = ""  # repository → DEVELOPMENT
    live_diff: str = ""  # LIVE → DEVELOPMENT as it will be

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def actions(self) -> tuple[Action, ...]:
        return tuple(w.action for w in self.writes)

    def write(self, action: Action) -> Write | None:
        return next((w for w in self.writes if w.action is action), None)


@dataclass(frozen=True)
class Plan:
    functions: tuple[FunctionPlan, ...]
    observed: Observed = field(default_factory=lambda: Observed({}))

    def count(self, action: Action) -> int:
        return sum(action in f.actions for f in self.functions)

    @property
    def unchanged(self) -> int:
        return sum(not f.writes and f.error is None for f in self.functions)


def make_plan(manifest: Manifest, observed: Observed) -> Plan:
    return Plan(tuple(plan_function(spec, observed) for spec in manifest.functions), observed)


def plan_function(spec: FunctionSpec, observed: Observed) -> FunctionPlan:
    state = observed.functions.get(spec.name) or FunctionState(spec.name, None, None)
    dev, live = state.development, state.live
    base = FunctionPlan(spec, state)
    if dev is None and spec.code is None:
        return _failed(base, "not in DEVELOPMENT, and the manifest gives no code to create it from")
    config, problem = desired_config(spec, dev.config if dev else None, observed.key_value_stores)
    if problem:
        return _failed(base, problem, bad_input=True)
    target = Target(spec.code if spec.code is not None else dev.code if dev else b"", config)
    sync = _sync(spec.name, target, dev)
    publish = _publish(spec.name, target, dev, live, sync is not None)
    writes = tuple(w for w in (sync, publish) if w is not None)
    reason = "; ".join(w.reason for w in writes) or _why_unchanged(spec)
    return FunctionPlan(
        spec,
        state,
        writes,
        reason,
        target=target,
        repo_diff=_diff(dev, target, "DEVELOPMENT", "repository") if spec.code is not None else "",
        live_diff=_diff(live, target, "LIVE", "DEVELOPMENT"),
    )


def desired_config(
    spec: FunctionSpec, held: FunctionConfig | None, stores: dict[str, str]
) -> tuple[FunctionConfig, str | None]:
    """What the manifest says over what AWS holds: a field the manifest leaves out is kept as it is."""
    runtime = spec.runtime or (held.runtime if held else DEFAULT_RUNTIME)
    comment = spec.comment if spec.comment is not None else (held.comment if held else "")
    arns = held.key_value_store_arns if held else ()
    if spec.key_value_store == REMOVE:
        arns = ()
    elif spec.key_value_store is not None:
        arn = stores.get(spec.store_name) if spec.store_name else spec.key_value_store
        if arn is None:
            return FunctionConfig(comment, runtime), f"KeyValueStore `{spec.key_value_store}` does not exist"
        arns = (arn,)
    if arns and runtime == "cloudfront-js-1.0":
        return FunctionConfig(comment, runtime), "a KeyValueStore needs runtime cloudfront-js-2.0"
    return FunctionConfig(comment, runtime, arns), None


def _sync(name: str, target: Target, dev: StageState | None) -> Write | None:
    if dev is None:
        return Write(Action.CREATE, name, None, "not in DEVELOPMENT yet", target.code, target.config)
    if target.held_by(dev):
        return None
    parts = differences(dev.code, dev.config, target.code, target.config)
    reason = f"{', '.join(parts)} {'differs' if len(parts) == 1 else 'differ'} from DEVELOPMENT"
    return Write(Action.UPDATE, name, dev.etag, reason, target.code, target.config)


def _publish(
    name: str, target: Target, dev: StageState | None, live: StageState | None, synced: bool
) -> Write | None:
    if target.held_by(live):
        return None
    if live is None:
        reason = "never published"
    else:
        parts = differences(live.code, live.config, target.code, target.config)
        reason = f"DEVELOPMENT differs from LIVE ({', '.join(parts)})"
    if_match = None if synced or dev is None else dev.etag
    return Write(Action.PUBLISH, name, if_match, reason, target.code, target.config)


def _why_unchanged(spec: FunctionSpec) -> str:
    if spec.code is None:
        return "LIVE matches DEVELOPMENT"
    return "DEVELOPMENT and LIVE match the repository"


def _failed(base: FunctionPlan, error: str, bad_input: bool = False) -> FunctionPlan:
    return FunctionPlan(base.spec, base.state, reason=error, error=error, bad_input=bad_input)


def _diff(stage: StageState | None, target: Target, old: str, new: str) -> str:
    old_code, old_config = (stage.code, stage.config) if stage else (None, None)
    return diff_code(old_code, target.code, old, new) + diff_config(old_config, target.config, old, new)
