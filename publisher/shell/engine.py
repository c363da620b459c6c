"""run(settings, manifest, cloudfront, backups, hooks) → Result: observe → plan → apply → wait → guard.

Every wait on AWS here can be cut short: a signal sets `hooks.stop`, no new write starts, and calls
still in flight after a short grace are left behind and reported as such, so a hanging endpoint
cannot hold a cancelled run.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TypeVar

from publisher.core.errors import AwsError, InputError, Problem, PublisherError, QuotaError
from publisher.core.loose_ends import loose_ends, quota_problems
from publisher.core.manifest import Manifest
from publisher.core.model import Distribution, DistributionConfig, Observed
from publisher.core.modes import Action, Kind, Ref
from publisher.core.order import attachable, deletable, ready
from publisher.core.outcome import Halt, Outcome, Stop, assemble
from publisher.core.plan import Plan, make_plan
from publisher.core.port import CloudFront
from publisher.core.result import GuardReport, Result, WaitReport
from publisher.core.settings import Settings
from publisher.core.tags import TAGGING, beyond_tags
from publisher.shell.apply import Applier, Backups, RunTests
from publisher.shell.associations import DistributionWriter, to_read
from publisher.shell.observe import observe, scan_distributions
from publisher.shell.preview import preview
from publisher.shell.retire import delete_retired
from publisher.shell.stores import StorePorts, apply_store
from publisher.shell.tagging import tag_resource, with_tags
from publisher.shell.wait import wait_for_deployment

if TYPE_CHECKING:
    from publisher.shell.guard import Metrics

SIGNALLED = threading.Event()  # any run of this process was cancelled: the process must not end in 0
T = TypeVar("T")
U = TypeVar("U")
Progress = Callable[[str, Outcome], None]
CANCEL_GRACE = 5.0  # seconds a call in flight may still finish after a cancel before it is left behind
POLL = 0.2


def utcnow() -> datetime:
    return datetime.now(UTC)


class Cancelled(Exception):
    """A signal arrived while the run read from AWS: nothing was written."""


@dataclass
class Hooks:
    """How a run is watched and steered from outside: cancellation, tests, progress lines."""

    stop: threading.Event = field(default_factory=threading.Event)
    run_tests: RunTests | None = None
    progress: Progress = lambda name, outcome: None
    say: Callable[[str], None] = lambda line: None
    published: Callable[[Result], None] = lambda result: None  # before the wait: report what is known
    metrics: Metrics | None = None  # the guard of a publish reads the edge's metrics here
    now: Callable[[], datetime] = lambda: utcnow()  # noqa: PLW0108 - looked up when called, so a test can set the clock


@contextmanager
def cancel_on_signals(
    stop: threading.Event, say: Callable[[str], None], *, restore: bool = True
) -> Iterator[None]:
    """A cancelled workflow sends SIGTERM (SIGKILL later), a person Ctrl-C: stop starting new writes,
    let the one in flight finish, and still write the report of what was done."""

    def handler(signum: int, frame: object) -> None:
        say(f"received signal {signum}: no new writes will start; finishing the report")
        stop.set()
        SIGNALLED.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        if restore:
            for sig, old in previous.items():
                signal.signal(sig, old)


def run(
    settings: Settings,
    manifest: Manifest,
    cloudfront: CloudFront,
    backups: Backups,
    hooks: Hooks,
    *,
    stores: StorePorts | None = None,
) -> Result:
    """Observe every kind, plan, apply in the plan's order; then the wait and the guard, on what was published."""
    pool = ThreadPoolExecutor(settings.max_concurrency + 1, thread_name_prefix="cf")
    try:
        scan = pool.submit(_scan, cloudfront)  # only the report needs it: let it run beside the rest
        reads = pool.submit(observe, cloudfront, manifest, pool, stores)
        if manifest.restored_associations or any(f.associations is not None for f in manifest.functions):
            configs = _configs_once_scanned(manifest, cloudfront, scan, hooks.stop, pool)
            observed = _with_distributions(
                _result(reads, hooks.stop), manifest, cloudfront, configs, hooks.stop, pool
            )
        else:
            observed = _result(reads, hooks.stop)
        plan = make_plan(manifest, observed, settings.mode)
        _refuse_unresolved(plan, manifest)
        _refuse_past_quotas(plan, manifest)
        outcomes = _apply(plan, settings, cloudfront, backups, hooks, pool=pool, stores=stores)
        cancelled = ((), ["the run was cancelled before distributions were listed"])
        distributions, warnings = _settle(scan, hooks.stop, cancelled)
        result = assemble(
            plan,
            outcomes,
            distributions,
            backup_dir=settings.backup_dir,
            warnings=[*manifest.warnings, *warnings],
        )
        if not warnings:  # every distribution was listed: what no behaviour runs is known
            managed = {f.name for f in manifest.functions}
            account = loose_ends(observed.account, observed.key_value_stores, distributions, managed)
            result = result.model_copy(update={"account": account})
        return _follow(result, plan, distributions, settings, cloudfront, backups, hooks, pool)
    finally:
        pool.shutdown(wait=not hooks.stop.is_set(), cancel_futures=True)


def _follow(  # noqa: PLR0917 - the run's own values, handed on
    result: Result,
    plan: Plan,
    distributions: tuple[Distribution, ...],
    settings: Settings,
    cloudfront: CloudFront,
    backups: Backups,
    hooks: Hooks,
    pool: ThreadPoolExecutor,
) -> Result:
    """After the publish: wait for the edge, then (with a guard) watch what the new code serves and roll
    back what fails. Each can fail, or be cancelled, on its own: what was published stays reported."""
    metrics = hooks.metrics if settings.watch_minutes and settings.mode.guarded else None
    written = result.published or result.associations_changed  # both redeploy their distributions
    if not (settings.wait_for_deployment or metrics) or not written or hooks.stop.is_set():
        return result
    hooks.published(result)
    result = _wait(result, distributions, cloudfront, settings, hooks, pool)  # the guard implies the wait
    if metrics is None:
        return result
    wait = result.wait
    if wait is None or wait.deployed_at is None or wait.timed_out:
        why = wait.error if wait and wait.error else "the distributions did not report the new code deployed"
        report = GuardReport(
            watch_minutes=settings.watch_minutes,
            max_error_rate=settings.max_error_rate,
            functions=[],
            cancelled=bool(wait and wait.cancelled) or hooks.stop.is_set(),
            error=f"nothing was judged: {why}",
        )
        return result.model_copy(update={"guard": report})
    from publisher.shell.guard import Guard

    guard = Guard(metrics, cloudfront, backups, hooks.stop, hooks.say, now=hooks.now)
    # viewer functions only: no page says CloudWatch has metrics for connection functions
    published = {
        fp.name: fp.target for fp in plan.functions if fp.target is not None and fp.kind is Kind.FUNCTION
    }
    args = (result, settings.watch_minutes, settings.max_error_rate, wait.deployed_at, published)
    left = guard.left_behind(*args)
    return _settle(pool.submit(guard.run, *args), hooks.stop, left)


def _apply(
    plan: Plan,
    settings: Settings,
    cloudfront: CloudFront,
    backups: Backups,
    hooks: Hooks,
    *,
    pool: ThreadPoolExecutor,
    stores: StorePorts | None = None,
) -> dict[Ref, Outcome]:
    """The plan's writes in its order: the stores', then the functions' that may go on."""
    if plan.mode.previews:
        found = _result(
            pool.submit(preview, plan, cloudfront, hooks.run_tests, hooks.stop, settings.run_id), hooks.stop
        )
        return {fp.ref: found[fp.ref] for fp in plan.functions if fp.ref in found}
    outcomes: dict[Ref, Outcome] = {}
    if stores is not None:
        futures = {
            pool.submit(apply_store, sp, stores): sp.ref for sp in plan.stores if beyond_tags(sp.carried)
        }
        outcomes.update(_as_completed(futures, hooks))
    go, held = ready(plan, outcomes)
    go = [fp for fp in go if Action.DELETE not in fp.carried]  # retired: deleted after the detaches
    go = [fp for fp in go if beyond_tags(fp.carried)]
    _held_back(held, outcomes, hooks)
    with ThreadPoolExecutor(
        max(1, min(len(go), settings.max_concurrency)), thread_name_prefix="live"
    ) as reads:
        applier = Applier(cloudfront, backups, hooks.run_tests, hooks.stop, reads)
        outcomes.update(_as_completed({pool.submit(applier.apply, fp): fp.ref for fp in go}, hooks))
        reads.shutdown(wait=not hooks.stop.is_set(), cancel_futures=True)
    outcomes = _after_functions(plan, outcomes, cloudfront, backups, hooks, pool)
    return _tag(plan, outcomes, cloudfront, backups, hooks, pool)


def _tag(  # noqa: PLR0917 - the run's own values, handed on
    plan: Plan,
    outcomes: dict[Ref, Outcome],
    cloudfront: CloudFront,
    backups: Backups,
    hooks: Hooks,
    pool: ThreadPoolExecutor,
) -> dict[Ref, Outcome]:
    """Last, each resource's tags, once its other writes went through (shell/tagging.py says why)."""
    rows = [
        *(
            (fp.ref, fp.state.development.arn, fp.tags, fp.carried)
            for fp in plan.functions
            if fp.state.development
        ),
        *((sp.ref, sp.state.arn, sp.tags, sp.carried) for sp in plan.stores if sp.state),
    ]
    rows = [r for r in rows if set(r[3]) & TAGGING and outcomes.get(r[0], Outcome()).stop is None]
    futures = {
        pool.submit(
            tag_resource, ref.kind, ref.name, arn, change, carried, cloudfront, backups, hooks.stop
        ): ref
        for ref, arn, change, carried in rows
    }
    tagged = _as_completed(futures, replace(hooks, progress=lambda name, outcome: None))
    for ref, outcome in tagged.items():
        before = outcomes.get(ref)
        outcomes[ref] = with_tags(before or Outcome(), outcome)
        if before is None or outcome.stop is not None:  # a tags-only change has had no line yet
            hooks.progress(str(ref), outcomes[ref])
    return outcomes


def _after_functions(  # noqa: PLR0917 - the run's own values, handed on
    plan: Plan,
    outcomes: dict[Ref, Outcome],
    cloudfront: CloudFront,
    backups: Backups,
    hooks: Hooks,
    pool: ThreadPoolExecutor,
) -> dict[Ref, Outcome]:
    """The distributions' writes once the functions they attach are LIVE; then a retired function's
    delete, once every write that detaches it took effect."""
    go_dists, held_dists = attachable(plan, outcomes)
    _held_back(held_dists, outcomes, hooks)
    arns = {n: s.development.arn for n, s in plan.observed.functions.items() if s.development}
    writer = DistributionWriter(cloudfront, backups, arns, hooks.stop)
    futures = {pool.submit(writer.apply, dp, note): dp.ref for dp, note in go_dists}
    outcomes.update(_as_completed(futures, hooks))
    retired, held_retired = deletable(plan, outcomes)  # detach before delete
    _held_back(held_retired, outcomes, hooks)
    deletes = {
        pool.submit(delete_retired, fp, cloudfront, backups): fp.ref
        for fp in retired
        if not hooks.stop.is_set()
    }
    outcomes.update(_as_completed(deletes, hooks))
    return outcomes


def _held_back(held: dict[Ref, Outcome], outcomes: dict[Ref, Outcome], hooks: Hooks) -> None:
    """What the plan's order holds back (its dependency failed or was cancelled): reported, and kept."""
    for ref, outcome in held.items():
        hooks.progress(str(ref), outcome)
    outcomes.update(held)


ConfigReads = tuple[tuple[Distribution, ...], dict[str, Future[DistributionConfig]]]


def _configs_once_scanned(
    manifest: Manifest,
    cloudfront: CloudFront,
    scan: Future[tuple[tuple[Distribution, ...], list[str]]],
    stop: threading.Event,
    pool: ThreadPoolExecutor,
) -> ConfigReads:
    """The scan, then a read of each config the association plan needs, sent as soon as the scan
    names them: beside the functions' reads, not after them."""
    distributions, warnings = _result(scan, stop)
    if warnings and not distributions:  # a plan on no distributions would detach nothing and refuse all
        raise AwsError("ListDistributions", "Unreadable", "; ".join(warnings))
    ids = to_read(manifest, distributions)
    return distributions, {i: pool.submit(cloudfront.get_distribution_config, i) for i in ids}


def _with_distributions(  # noqa: PLR0917 - the run's own values, handed on
    observed: Observed,
    manifest: Manifest,
    cloudfront: CloudFront,
    early: ConfigReads,
    stop: threading.Event,
    pool: ThreadPoolExecutor,
) -> Observed:
    """What the association plan reads: the configs read once scanned, and those of the distributions
    where a connection function runs now (observed beside the functions), one read each."""
    distributions, reads = early
    running = {d for ids in observed.connection_distributions.values() for d in ids}
    ids = to_read(manifest, distributions, running)
    for i in ids:
        if i not in reads:
            reads[i] = pool.submit(cloudfront.get_distribution_config, i)
    configs = {i: _result(reads[i], stop) for i in ids}
    return replace(observed, distributions=distributions, distribution_configs=configs)


def _as_completed(futures: dict[Future[Outcome], Ref], hooks: Hooks) -> dict[Ref, Outcome]:
    """Each resource's outcome as it ends (progress in that order); after a cancel, the ones still
    in flight past CANCEL_GRACE are left behind and reported as such."""
    outcomes: dict[Ref, Outcome] = {}
    pending, grace = dict(futures), CANCEL_GRACE
    while pending and grace > 0:
        done, _ = wait(pending, timeout=POLL, return_when=FIRST_COMPLETED)
        for future in done:
            ref = pending.pop(future)
            outcomes[ref] = future.result()
            hooks.progress(str(ref), outcomes[ref])
        if not done and hooks.stop.is_set():
            grace -= POLL
    left = Outcome(
        stop=Stop(Halt.CANCELLED, "cancelled while a call was in flight; it may have taken effect", "a call")
    )
    for ref in pending.values():
        outcomes[ref] = left
        hooks.progress(str(ref), left)
    return outcomes


def _result(future: Future[T], stop: threading.Event) -> T:
    """A read's answer, or Cancelled once a signal came and the grace ran out."""
    value: T | None = _settle(future, stop, None)
    if value is None:
        raise Cancelled("the run was cancelled while reading from AWS; nothing was written")
    return value


def _settle(future: Future[T], stop: threading.Event, left_behind: U) -> T | U:
    """Wait for a future in short steps; after a cancel, give it CANCEL_GRACE, then leave it behind."""
    waited_after_stop = 0.0
    while True:
        try:
            return future.result(timeout=POLL)
        except TimeoutError:
            if stop.is_set():
                waited_after_stop += POLL
                if waited_after_stop >= CANCEL_GRACE:
                    return left_behind


def _wait(  # noqa: PLR0917 - the run's own values, handed on
    result: Result,
    distributions: tuple[Distribution, ...],
    cloudfront: CloudFront,
    settings: Settings,
    hooks: Hooks,
    pool: ThreadPoolExecutor,
) -> Result:
    """Wait until the distributions serving new code are Deployed. The wait is a step of its own: when
    it fails or is cancelled, the report says so and keeps everything the publish did."""
    affected = set(result.serving_new_code)
    before = {d.id: d.etag for d in distributions if d.id in affected}
    minutes = settings.wait_timeout_minutes
    hooks.say(f"waiting up to {minutes:g} min for {len(before)} distributions to deploy")
    timeout = minutes * 60
    # a redeploy not seen within the grace period (a quarter of the wait, at most 30 s) is taken as done
    future = pool.submit(
        wait_for_deployment,
        cloudfront,
        before,
        timeout,
        hooks.say,
        grace=min(30.0, timeout / 4),
        cancelled=hooks.stop.is_set,
        sleep=hooks.stop.wait,  # a pause between polls (up to 20 s) that a cancel cuts short
    )
    try:
        rollout = _settle(future, hooks.stop, None)
    except PublisherError as err:
        report = WaitReport(timeout_minutes=minutes, deployed=[], timed_out=sorted(before), error=str(err))
        return result.model_copy(update={"wait": report})
    if rollout is None or hooks.stop.is_set():
        deployed = sorted(rollout.deployed) if rollout else []
        pending = sorted(set(before) - set(deployed))
        report = WaitReport(timeout_minutes=minutes, deployed=deployed, timed_out=pending, cancelled=True)
        return result.model_copy(update={"wait": report})
    reports = [
        r.model_copy(update={"status": "Deployed" if r.id in rollout.deployed else "InProgress"})
        if r.id in affected
        else r
        for r in result.distributions
    ]
    report = WaitReport(
        timeout_minutes=minutes,
        deployed=sorted(rollout.deployed),
        timed_out=rollout.pending,
        deployed_at=None if rollout.pending else hooks.now(),
    )
    return result.model_copy(update={"distributions": reports, "wait": report})


def _scan(cloudfront: CloudFront) -> tuple[tuple[Distribution, ...], list[str]]:
    try:
        return scan_distributions(cloudfront)
    except AwsError as err:  # the report loses its distributions; the functions are unaffected
        return (), [f"could not list distributions: {err}"]


def _refuse_past_quotas(plan: Plan, manifest: Manifest) -> None:
    """A run that would create past the account's quotas is refused before any write (exit 2)."""
    managed = {f.name for f in manifest.functions}
    problems = quota_problems(
        plan, loose_ends(plan.observed.account, plan.observed.key_value_stores, (), managed)
    )
    if problems:
        raise QuotaError("; ".join(problems))


def _refuse_unresolved(plan: Plan, manifest: Manifest) -> None:
    """A KeyValueStore that does not exist, or code the runtime AWS holds cannot run, is bad input:
    refuse the run before anything is written."""
    problems = [
        Problem(manifest.file, fp.spec.line(fp.bad_input), f"{fp.name}.{fp.bad_input}", fp.error)
        for fp in plan.functions
        if fp.bad_input and fp.error
    ]
    problems += [
        Problem(manifest.file, r.line, f"{r.function}.{r.field}", r.message)
        for r in plan.associations.refusals
    ]
    if problems:
        raise InputError(problems)
