"""make_plan(manifest, observed, mode) → Plan: every resource's writes, why, and the ETag each rests on,
stores before the functions tied to them; and recheck(), the same decision taken again for one function
when AWS refused a write or a stage moved. No I/O."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from publisher.core.associations import AssociationPlan, DistributionPlan, plan_associations
from publisher.core.diffs import diff_code, diff_config, differences
from publisher.core.limits import DEFAULT_RUNTIME
from publisher.core.manifest import REMOVE, FunctionSpec, Manifest
from publisher.core.model import Content, FunctionConfig, FunctionState, Observed, StageState, store_problem
from publisher.core.modes import Action, Kind, Mode, Ref
from publisher.core.store_plan import StorePlan, pending_arn, plan_store
from publisher.core.tags import TagChange, plan_tags


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
    conflict: bool = False  # the error is someone else's change, found by the plan: nothing is written
    target: Content | None = None  # what DEVELOPMENT holds once synced, and LIVE once published
    repo_diff: str = ""  # repository → DEVELOPMENT
    live_diff: str = ""  # LIVE → DEVELOPMENT as it will be
    tags: TagChange = field(default_factory=TagChange)  # TagResource / UntagResource, after the rest

    @property
    def kind(self) -> Kind:
        return self.spec.kind

    @property
    def address(self) -> str:
        """What the function's operations name it by: a viewer function's Name, a connection function's
        Id (from the listing; "" until it is created)."""
        return self.state.id if self.kind is Kind.CONNECTION_FUNCTION else self.name

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def used_as(self) -> str:
        """What a distribution names it by: a viewer function's ARN (in a cache behaviour), a
        connection function's Id (in its ConnectionFunctionAssociation); "" before it exists."""
        if self.kind is Kind.CONNECTION_FUNCTION:
            return self.state.id
        return self.state.development.arn if self.state.development else ""

    @property
    def ref(self) -> Ref:
        return Ref(self.kind, self.name)

    @property
    def actions(self) -> tuple[Action, ...]:
        return tuple(w.action for w in self.writes)

    def write(self, action: Action) -> Write | None:
        return next((w for w in self.writes if w.action is action), None)

    def with_store_arn(self, arn: str) -> FunctionPlan:
        """The plan once the store it waited for exists: its pending ARN replaced by the real one."""
        if self.target is None or not self.spec.store_name:
            return self
        pending = pending_arn(self.spec.store_name)
        arns = tuple(arn if a == pending else a for a in self.target.config.key_value_store_arns)
        config = replace(self.target.config, key_value_store_arns=arns)
        return replace(self, target=Content(self.target.code, config))


@dataclass(frozen=True)
class Plan:
    mode: Mode
    functions: tuple[FunctionPlan, ...]
    observed: Observed = field(default_factory=lambda: Observed({}))
    stores: tuple[StorePlan, ...] = ()
    associations: AssociationPlan = field(default_factory=AssociationPlan)  # after the functions they attach

    @property
    def distributions(self) -> tuple[DistributionPlan, ...]:
        return self.associations.distributions

    def function(self, name: str) -> FunctionPlan | None:
        return next((fp for fp in self.functions if fp.name == name), None)

    def store_of(self, fp: FunctionPlan) -> StorePlan | None:
        """The store of this plan a function reads, when the manifest declares it: its writes come first."""
        return next((s for s in self.stores if s.name == fp.spec.store_name), None)


def make_plan(manifest: Manifest, observed: Observed, mode: Mode = Mode.PUBLISH) -> Plan:
    """The plan, cut to the mode once: each resource's `carried` is what this run will do to it. A store
    this run creates is named in its functions' config by a pending ARN until it exists."""
    stores = tuple(
        plan_store(
            spec,
            observed.stores.get(spec.name),
            mode.carried,
            observed.store_errors.get(spec.name, ""),
            plan_tags(spec.tags, observed.tags.get(Ref(Kind.KEY_VALUE_STORE, spec.name)), spec.tags_after),
        )
        for spec in manifest.stores
    )
    # a store that could not be read keeps the ARN it is listed under (or a pending one): its functions
    # are planned as usual, and held back by it when the writes start (core/order.py)
    arns = {**{s.name: s.arn for s in stores}, **observed.key_value_stores}
    arns |= {s.name: s.arn for s in stores if not s.error}
    seen = replace(observed, key_value_stores=arns)
    plans = tuple(plan_function(spec, seen, mode.carried) for spec in manifest.functions)
    associations = plan_associations(manifest.functions, observed, mode.carried)
    if manifest.restored_associations:  # a rollback's: after its functions, with the same rule
        from publisher.core.association_rollback import restore_plans

        made_again = {  # connection functions a retire deleted: made again, they get a new Id
            fp.spec.name
            for fp in plans
            if fp.spec.kind is Kind.CONNECTION_FUNCTION and fp.spec.recreate and fp.state.development is None
        }
        restored = restore_plans(
            manifest.restored_associations,
            observed.distribution_configs,
            mode.carried,
            observed.connection_names,
            made_again,
        )
        associations = replace(associations, distributions=associations.distributions + restored)
    return Plan(mode, plans, observed, stores, associations)


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
    """The code's plan, then the tags' writes after it: a tag never updates, tests or publishes."""
    fp = _plan_code(spec, observed, carried)
    tags = plan_tags(spec.tags, observed.tags.get(spec.ref), spec.tags_after)
    if not tags or fp.error or spec.retire or fp.state.development is None:
        return fp
    writes = tuple(Write(a, None, tags.reason) for a in tags.actions)
    return replace(
        fp,
        writes=fp.writes + writes,
        carried=fp.carried + tuple(a for a in tags.actions if a in carried),
        reason=f"{'; '.join(w.reason for w in fp.writes)}; {tags.reason}" if fp.writes else tags.reason,
        tags=tags,
    )


def _plan_code(spec: FunctionSpec, observed: Observed, carried: frozenset[Action]) -> FunctionPlan:
    state = observed.function(spec.kind, spec.name) or FunctionState(spec.name, None, None)
    dev, live = state.development, state.live
    base = FunctionPlan(spec, state)
    if spec.retire:
        return _retired(base, carried)
    if spec.tags_only and dev is not None:  # a rollback of tags alone: the stages are not this run's
        return replace(base, reason=f"restore {spec.restored_from}: the tags hold what they held")
    if spec.restored_from and dev is None and not spec.recreate:
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
    edit = _unpublished_edit(spec, target, dev, live)
    if edit:
        return _failed(base, edit, conflict=True)
    sync = _sync(target, dev)
    publish = _publish(target, dev, live, sync is not None)
    writes = tuple(w for w in (sync, publish) if w is not None)
    reason = "; ".join(w.reason for w in writes) or _why_unchanged(spec)
    if spec.recreate and dev is None:
        reason = "deleted by a retire: created again, published, then attached where it ran"
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


def _retired(base: FunctionPlan, carried: frozenset[Action]) -> FunctionPlan:
    """A retired function: deleted on the ETag read, once the distribution writes detached it."""
    dev = base.state.development
    if dev is None:
        return replace(base, reason="retired: not in CloudFront")
    write = Write(Action.DELETE, dev.etag, "retired: deleted once no cache behaviour runs it")
    return replace(
        base,
        writes=(write,),
        carried=(Action.DELETE,) if Action.DELETE in carried else (),
        reason=write.reason,
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


def _unpublished_edit(
    spec: FunctionSpec, target: Content, dev: StageState | None, live: StageState | None
) -> str:
    """A rollback replaces LIVE, and DEVELOPMENT only while it holds LIVE as read (or the backup already):
    anything else there is an edit someone has not published yet, theirs to publish or discard."""
    if not spec.restored_from or dev is None or target.held_by(dev) or (live and live.content == dev.content):
        return ""
    return (
        f"DEVELOPMENT holds an edit that is not LIVE (ETag {dev.etag}); "
        "a rollback does not overwrite someone else's unpublished change"
    )


def _why_unchanged(spec: FunctionSpec) -> str:
    if spec.code is None:
        return "LIVE matches DEVELOPMENT"
    return "DEVELOPMENT and LIVE match the repository"


def _failed(base: FunctionPlan, error: str, bad_input: str = "", *, conflict: bool = False) -> FunctionPlan:
    return FunctionPlan(
        base.spec, base.state, reason=error, error=error, bad_input=bad_input, conflict=conflict
    )


def _diff(stage: StageState | None, target: Content, old: str, new: str) -> str:
    old_code, old_config = (stage.code, stage.config) if stage else (None, None)
    return diff_code(old_code, target.code, old, new) + diff_config(old_config, target.config, old, new)
