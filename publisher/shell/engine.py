"""run(settings, manifest, cloudfront, backups, hooks) → Result: observe → plan → apply → wait, in order.

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

from publisher.core.errors import AwsError, InputError, Problem
from publisher.core.manifest import Manifest
from publisher.core.model import Distribution
from publisher.core.outcome import Halt, Outcome, Stop, assemble
from publisher.core.plan import Mode, Plan, make_plan
from publisher.core.port import CloudFront
from publisher.core.result import Result, WaitReport
from publisher.core.settings import Settings
from publisher.shell.apply import Applier, Backups, RunTests
from publisher.shell.observe import observe, scan_distributions
from publisher.shell.preview import preview
from publisher.shell.stores import Settled, StorePorts, settle
from publisher.shell.wait import wait_for_deployment

if TYPE_CHECKING:
    from publisher.shell.watch import Metrics

SIGNALLED = threading.Event()  # any run of this process was cancelled: the process must not end in 0
T = TypeVar("T")
U = TypeVar("U")
Progress = Callable[[str, Outcome], None]
CANCEL_GRACE = 5.0  # seconds a call in flight may still finish after a cancel before it is left behind
POLL = 0.2


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
    """Observe, settle the KeyValueStores, plan, apply; then the wait and the guard, on what was published."""
    pool = ThreadPoolExecutor(settings.max_concurrency + 1, thread_name_prefix="cf")
    settled = Settled([], {}, {})
    try:
        scan = pool.submit(_scan, cloudfront)  # only the report needs it: let it run beside the rest
        observed = _result(pool.submit(observe, cloudfront, manifest, pool), hooks.stop)
        if stores is not None and manifest.stores:  # stores first: their keys land before any function
            carry = settings.mode in (Mode.SYNC, Mode.PUBLISH, Mode.ROLLBACK)
            settled = _result(pool.submit(settle, manifest, stores, carry=carry), hooks.stop)
            observed = replace(observed, key_value_stores={**observed.key_value_stores, **settled.arns})
        plan = make_plan(manifest, observed, settings.mode)
        _refuse_unresolved(plan, manifest)
        since = datetime.now(UTC)  # the guard's window starts at the minute of the publish
        outcomes = _apply(plan, settings, cloudfront, backups, hooks, pool=pool, blocked=settled.blocked)
        cancelled = ((), ["the run was cancelled before distributions were listed"])
        distributions, warnings = _settle(scan, hooks.stop, cancelled)
    finally:
        pool.shutdown(wait=not hooks.stop.is_set(), cancel_futures=True)
    warnings = [*manifest.warnings, *warnings]
    result = assemble(plan, outcomes, distributions, backup_dir=settings.backup_dir, warnings=warnings)
    result = _with_stores(result, settled, settings.backup_dir)
    return _follow(result, plan, distributions, since, settings, cloudfront, backups, hooks)


def _with_stores(result: Result, settled: Settled, backup_dir: str) -> Result:
    if not settled.results:
        return result
    backed_up = result.backup_dir or (backup_dir if any(s.backup for s in settled.results) else "")
    return result.model_copy(update={"stores": settled.results, "backup_dir": backed_up})


def _follow(  # noqa: PLR0917 - the run's own values, handed on
    result: Result,
    plan: Plan,
    distributions: tuple[Distribution, ...],
    since: datetime,
    settings: Settings,
    cloudfront: CloudFront,
    backups: Backups,
    hooks: Hooks,
) -> Result:
    """After the publish: wait for the edge, then (with a guard) watch it and roll back what fails."""
    guard = hooks.metrics if settings.watch_minutes and settings.mode is Mode.PUBLISH else None
    if (settings.wait_for_deployment or guard) and result.published and not hooks.stop.is_set():
        hooks.published(result)
        result = _wait(result, distributions, cloudfront, settings, hooks)  # the guard implies the wait
    if guard and result.published and not hooks.stop.is_set():
        from publisher.shell.watch import Guard

        watch = Guard(guard, cloudfront, backups, hooks.stop, hooks.say)
        published = {fp.name: fp.target for fp in plan.functions if fp.target is not None}
        result = watch.run(result, settings.watch_minutes, settings.max_error_rate, since, published)
    return result


def _apply(
    plan: Plan,
    settings: Settings,
    cloudfront: CloudFront,
    backups: Backups,
    hooks: Hooks,
    *,
    pool: ThreadPoolExecutor,
    blocked: dict[str, str] | None = None,
) -> dict[str, Outcome]:
    if plan.mode is Mode.PREVIEW:
        return _result(
            pool.submit(preview, plan, cloudfront, hooks.run_tests, hooks.stop, settings.run_id), hooks.stop
        )
    applier = Applier(cloudfront, backups, hooks.run_tests, hooks.stop)
    blocked = blocked or {}
    held_back = {  # a store that failed or met someone else's change: the functions reading it wait
        fp.name: Outcome(
            stop=Stop(Halt.CONFLICT, f"{blocked[fp.spec.store_name]}; not synced, not published")
        )
        for fp in plan.functions
        if fp.carried and fp.spec.store_name in blocked
    }
    futures = {
        pool.submit(applier.apply, fp): fp.name
        for fp in plan.functions
        if fp.carried and not fp.error and fp.name not in held_back
    }
    outcomes = {**held_back, **_as_completed(futures, hooks)}
    return {fp.name: outcomes[fp.name] for fp in plan.functions if fp.name in outcomes}


def _as_completed(futures: dict[Future[Outcome], str], hooks: Hooks) -> dict[str, Outcome]:
    """Each function's outcome as it ends (progress in that order); after a cancel, the ones still
    in flight past CANCEL_GRACE are left behind and reported as such."""
    outcomes: dict[str, Outcome] = {}
    pending, grace = dict(futures), CANCEL_GRACE
    while pending and grace > 0:
        done, _ = wait(pending, timeout=POLL, return_when=FIRST_COMPLETED)
        for future in done:
            name = pending.pop(future)
            outcomes[name] = future.result()
            hooks.progress(name, outcomes[name])
        if not done and hooks.stop.is_set():
            grace -= POLL
    left = Outcome(
        stop=Stop(Halt.CANCELLED, "cancelled while a call was in flight; it may have taken effect", "a call")
    )
    for name in pending.values():
        outcomes[name] = left
        hooks.progress(name, left)
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


def _wait(
    result: Result,
    distributions: tuple[Distribution, ...],
    cloudfront: CloudFront,
    settings: Settings,
    hooks: Hooks,
) -> Result:
    affected = set(result.serving_new_code)
    before = {d.id: d.etag for d in distributions if d.id in affected}
    hooks.say(
        f"waiting up to {settings.wait_timeout_minutes:g} min for {len(before)} distributions to deploy"
    )
    timeout = settings.wait_timeout_minutes * 60
    # a redeploy not seen within the grace period (a quarter of the wait, at most 30 s) is taken as done
    watch = wait_for_deployment(
        cloudfront,
        before,
        timeout,
        hooks.say,
        grace=min(30.0, timeout / 4),
        cancelled=hooks.stop.is_set,
        sleep=hooks.stop.wait,  # a pause between polls (up to 20 s) that a cancel cuts short
    )
    reports = [
        r.model_copy(update={"status": "Deployed" if r.id in watch.deployed else "InProgress"})
        if r.id in affected
        else r
        for r in result.distributions
    ]
    report = WaitReport(
        timeout_minutes=settings.wait_timeout_minutes,
        deployed=sorted(watch.deployed),
        timed_out=watch.pending,
    )
    return result.model_copy(update={"distributions": reports, "wait": report})


def _scan(cloudfront: CloudFront) -> tuple[tuple[Distribution, ...], list[str]]:
    try:
        return scan_distributions(cloudfront)
    except AwsError as err:  # the report loses its distributions; the functions are unaffected
        return (), [f"could not list distributions: {err}"]


def _refuse_unresolved(plan: Plan, manifest: Manifest) -> None:
    """A KeyValueStore that does not exist, or code the runtime AWS holds cannot run, is bad input:
    refuse the run before anything is written."""
    problems = [
        Problem(manifest.file, fp.spec.line(fp.bad_input), f"{fp.name}.{fp.bad_input}", fp.error)
        for fp in plan.functions
        if fp.bad_input and fp.error
    ]
    if problems:
        raise InputError(problems)
