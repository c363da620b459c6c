"""make_plan(manifest, observed, mode) → Plan: what to write, why, and the ETag each write rests on; and
recheck(), the same decision taken again for one function when AWS refused a write or a stage moved. No I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from publisher.core.diffs import diff_code, diff_config, differences
from publisher.core.manifest import REMOVE, FunctionSpec, Manifest
from publisher.core.model import Content, FunctionConfig, FunctionState, Observed, StageState, store_problem

DEFAULT_RUNTIME = "cloudfront-js-2.0"


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    PUBLISH = "publish"


class Mode(StrEnum):
    CHECK = "check"  # the manifest, code, events and runtimes, with no AWS call at all
    TEST = "test"  # check, then run every test case in a local engine (njs); no AWS call at all
    PLAN = "plan"
    PREVIEW = "preview"
    SYNC = "sync"
    PUBLISH = "publish"
    ROLLBACK = "rollback"  # publish, with a folder of LIVE backups as the desired state


CARRIED = {  # the writes each mode carries out; the plan shows them all
    Mode.CHECK: frozenset[Action](),
    Mode.TEST: frozenset[Action](),
    Mode.PLAN: frozenset[Action](),
    Mode.PREVIEW: frozenset[Action](),  # throwaway copies only: see shell/preview.py
    Mode.SYNC: frozenset({Action.CREATE, Action.UPDATE}),
    Mode.PUBLISH: frozenset(Action),
    Mode.ROLLBACK: frozenset(Action),  # a function missing from AWS is an error of its plan, never created
}


@dataclass(frozen=True)
class Write:
    action: Action
    if_match: str | None  # the DEVELOPMENT ETag the decision rests on; None after an update in this run
    reason: str


@dataclass(frozen=True)
class FunctionPlan:
    spec: FunctionSpec
    state: FunctionState
    writes: tuple[Write, ...] = ()  # every write the manifest calls for
    carried: tuple[Action, ...] = ()  # those this run's mode carries out, in order
    reason: str = ""
    error: str | None = None
    bad_input: str = ""  # the manifest key the error lies in: the run is refused before any write
    target: Content | None = None  # what DEVELOPMENT holds once synced, and LIVE once published
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
    mode: Mode
    functions: tuple[FunctionPlan, ...]
    observed: Observed = field(default_factory=lambda: Observed({}))


def make_plan(manifest: Manifest, observed: Observed, mode: Mode = Mode.PUBLISH) -> Plan:
    """The plan, cut to the mode once: each function's `carried` is what this run will do to it."""
    plans = tuple(plan_function(spec, observed, CARRIED[mode]) for spec in manifest.functions)
    return Plan(mode, plans, observed)


@dataclass(frozen=True)
class Recheck:
    """The decision taken again on a fresh read of one function: go on (from `etag`), or stop."""

    conflict: str = ""  # someone else's change is there: nothing of theirs is overwritten or published
    etag: str = ""  # the DEVELOPMENT ETag to go on with
    synced: bool = False  # DEVELOPMENT already holds the target (e.g. our write, whose answer was lost)
    published: bool = False  # LIVE already holds the target


def recheck(fp: FunctionPlan, fresh: FunctionState, *, since: str | None, synced: bool) -> Recheck:
    """The one rule: DEVELOPMENT may be written on only while it holds what this run found there (until
    the run's own sync) or what this run put there. Anything else is someone else's change."""
    assert fp.target is not None, "a plan with an error is never carried out"
    dev, found = fresh.development, fp.state.development
    holds = fp.target.held_by(dev) or (not synced and found is not None and found.content.held_by(dev))
    if dev is None or not holds:
        new = dev.etag if dev else "deleted"
        if found is None and dev is not None:
            return Recheck(conflict=f"someone else created it after it was read (ETag {new})")
        return Recheck(conflict=f"DEVELOPMENT changed after it was read (ETag {since or 'none'} → {new})")
    return Recheck(etag=dev.etag, synced=fp.target.held_by(dev), published=fp.target.held_by(fresh.live))


def plan_function(
    spec: FunctionSpec, observed: Observed, carried: frozenset[Action] = frozenset(Action)
) -> FunctionPlan:
    state = observed.functions.get(spec.name) or FunctionState(spec.name, None, None)
    dev, live = state.development, state.live
    base = FunctionPlan(spec, state)
    if spec.restored_from and dev is None:
        return _failed(
            base, "no longer in CloudFront; a rollback restores a function, it does not create one"
        )
    if dev is None and spec.code is None:
        return _failed(base, "not in DEVELOPMENT, and the manifest gives no code to create it from")
    config, problem = desired_config(spec, dev.config if dev else None, observed.key_value_stores)
    if problem:
        return _failed(base, problem, bad_input="key-value-store")
    broken = spec.refused_under.get(config.runtime)  # the runtime AWS holds is known only now
    if broken:
        return _failed(base, broken, bad_input="code")
    target = Content(spec.code if spec.code is not None else dev.code if dev else b"", config)
    if spec.restored_from and target.held_by(live):  # restored already: DEVELOPMENT is left as it is
        return FunctionPlan(spec, state, reason=f"LIVE already holds {spec.restored_from}", target=target)
    sync = _sync(target, dev)
    publish = _publish(target, dev, live, sync is not None)
    writes = tuple(w for w in (sync, publish) if w is not None)
    reason = "; ".join(w.reason for w in writes) or _why_unchanged(spec)
    return FunctionPlan(
        spec,
        state,
        writes,
        tuple(w.action for w in writes if w.action in carried),
        reason,
        target=target,
        repo_diff=_diff(dev, target, "DEVELOPMENT", "backup" if spec.restored_from else "repository")
        if spec.code is not None
        else "",
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
    problem = store_problem(runtime, bool(arns))
    if problem:
        return FunctionConfig(comment, runtime), problem
    return FunctionConfig(comment, runtime, arns), None


def _sync(target: Content, dev: StageState | None) -> Write | None:
    if dev is None:
        return Write(Action.CREATE, None, "not in DEVELOPMENT yet")
    if target.held_by(dev):
        return None
    parts = differences(dev.code, dev.config, target.code, target.config)
    reason = f"{', '.join(parts)} {'differs' if len(parts) == 1 else 'differ'} from DEVELOPMENT"
    return Write(Action.UPDATE, dev.etag, reason)


def _publish(target: Content, dev: StageState | None, live: StageState | None, synced: bool) -> Write | None:
    if target.held_by(live):
        return None
    if live is None:
        reason = "never published"
    else:
        parts = differences(live.code, live.config, target.code, target.config)
        reason = f"DEVELOPMENT differs from LIVE ({', '.join(parts)})"
    if_match = None if synced or dev is None else dev.etag
    return Write(Action.PUBLISH, if_match, reason)


def _why_unchanged(spec: FunctionSpec) -> str:
    if spec.code is None:
        return "LIVE matches DEVELOPMENT"
    return "DEVELOPMENT and LIVE match the repository"


def _failed(base: FunctionPlan, error: str, bad_input: str = "") -> FunctionPlan:
    return FunctionPlan(base.spec, base.state, reason=error, error=error, bad_input=bad_input)


def _diff(stage: StageState | None, target: Content, old: str, new: str) -> str:
    old_code, old_config = (stage.code, stage.config) if stage else (None, None)
    return diff_code(old_code, target.code, old, new) + diff_config(old_config, target.config, old, new)
