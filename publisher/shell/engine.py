"""run(settings, cloudfront, workspace) → Result: manifest → observe → plan → apply → report, in that order."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from publisher.core.errors import AwsError, InputError, Problem
from publisher.core.manifest import Manifest
from publisher.core.model import Distribution, StageState
from publisher.core.outcome import Outcome, assemble
from publisher.core.plan import FunctionPlan, Mode, Plan, make_plan
from publisher.core.result import Result, Status, WaitReport
from publisher.core.settings import Settings
from publisher.shell.apply import Applier, Blocked, Cancelled, Conflict, Tester
from publisher.shell.aws import CloudFront
from publisher.shell.files import Workspace
from publisher.shell.observe import observe, scan_distributions
from publisher.shell.preview import preview
from publisher.shell.wait import wait_for_deployment

Progress = Callable[[str, Outcome], None]
WRITES = frozenset({"CreateFunction", "UpdateFunction", "PublishFunction"})


@dataclass
class Hooks:
    """How a run is watched and steered from outside: cancellation, tests, progress lines."""

    stop: threading.Event = field(default_factory=threading.Event)
    tester: Tester | None = None
    progress: Progress | None = None
    say: Callable[[str], None] = lambda line: None
    published: Callable[[Result], None] = lambda result: None  # before the wait: report what is known


@contextmanager
def cancel_on_signals(stop: threading.Event, say: Callable[[str], None]) -> Iterator[None]:
    """A cancelled workflow sends SIGTERM (SIGKILL later), a person Ctrl-C: stop starting new writes,
    let the one in flight finish, and still write the report of what was done."""

    def handler(signum: int, frame: object) -> None:
        say(f"received signal {signum}: no new writes will start; finishing the report")
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def load(settings: Settings, workspace: Workspace) -> Manifest:
    """Everything that can be checked without AWS, checked first: bad input touches nothing."""
    _, outside = workspace.inside(settings.backup_dir, workspace.root)
    if outside:  # found now, not after DEVELOPMENT was already updated
        raise InputError([Problem("settings", None, "backup-dir", outside)])
    manifest = workspace.load_manifest(settings.manifest)
    unknown = sorted(set(settings.functions) - {f.name for f in manifest.functions})
    if unknown:
        raise InputError(
            [Problem(settings.manifest, None, "functions", f"not in the manifest: {', '.join(unknown)}")]
        )
    return manifest.select(settings.functions)


def run(
    settings: Settings,
    cloudfront: CloudFront,
    workspace: Workspace,
    manifest: Manifest,
    hooks: Hooks | None = None,
) -> Result:
    hooks = hooks or Hooks()
    with ThreadPoolExecutor(settings.max_concurrency + 1, thread_name_prefix="cf") as pool:
        scan = pool.submit(_scan, cloudfront)  # only the report needs it: let it run beside the rest
        observed = observe(cloudfront, manifest, pool)
        plan = make_plan(manifest, observed)
        _refuse_unresolved(plan, manifest)
        outcomes = (
            {}
            if settings.mode is Mode.PLAN
            else _apply(plan, settings, cloudfront, workspace, hooks, pool=pool)
        )
        distributions, warnings = scan.result()
    result = assemble(
        plan, settings.mode, outcomes, distributions, backup_dir=settings.backup_dir, warnings=warnings
    )
    if settings.wait_for_deployment and result.published:
        hooks.published(result)
        result = _wait(result, distributions, cloudfront, settings, hooks)
    return result


def _wait(
    result: Result,
    distributions: tuple[Distribution, ...],
    cloudfront: CloudFront,
    settings: Settings,
    hooks: Hooks,
) -> Result:
    published = set(result.published)
    affected = {d.id for d in result.distributions if published & set(d.functions)}
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


def _apply(
    plan: Plan,
    settings: Settings,
    cloudfront: CloudFront,
    workspace: Workspace,
    hooks: Hooks,
    *,
    pool: ThreadPoolExecutor,
) -> dict[str, Outcome]:
    if settings.mode is Mode.PREVIEW:
        return preview(plan, cloudfront, hooks.tester, hooks.stop, settings.run_id)
    folder = f"{settings.backup_dir}/{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}"

    def backup(name: str, live: StageState) -> str:
        return workspace.save_backup(folder, name, live)

    applier = Applier(cloudfront, settings.mode, backup, hooks.tester, hooks.stop)
    futures = {
        fp.name: pool.submit(_apply_one, applier, fp) for fp in plan.functions if fp.writes and not fp.error
    }
    outcomes = {}
    for name, future in futures.items():
        outcomes[name] = future.result()
        if hooks.progress:
            hooks.progress(name, outcomes[name])
    return outcomes


def _apply_one(applier: Applier, fp: FunctionPlan) -> Outcome:
    """One function's failure is data, not an exception: the others go on."""
    outcome = Outcome()
    try:
        applier.apply(fp, outcome)
    except Conflict as err:
        outcome.status, outcome.error = Status.CONFLICT, str(err)
    except Blocked as err:
        outcome.status, outcome.error = Status.BLOCKED, str(err)
    except (Cancelled, AwsError, OSError) as err:
        outcome.status, outcome.error = Status.FAILED, str(err)
        if isinstance(err, AwsError) and err.unanswered and err.operation in WRITES:
            outcome.unanswered = err.operation
    return outcome


def _scan(cloudfront: CloudFront) -> tuple[tuple[Distribution, ...], list[str]]:
    try:
        return scan_distributions(cloudfront)
    except AwsError as err:  # the report loses its distributions; the functions are unaffected
        return (), [f"could not list distributions: {err}"]


def _refuse_unresolved(plan: Plan, manifest: Manifest) -> None:
    """A KeyValueStore that does not exist is bad input: refuse the run before anything is written."""
    problems = [
        Problem(manifest.file, fp.spec.line("key-value-store"), f"{fp.name}.key-value-store", fp.error)
        for fp in plan.functions
        if fp.bad_input and fp.error
    ]
    if problems:
        raise InputError(problems)
