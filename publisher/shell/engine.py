"""run(settings, cloudfront, workspace) → Result: manifest → observe → plan → apply → report, in that order."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from publisher.core.errors import AwsError, InputError, Problem
from publisher.core.manifest import Manifest
from publisher.core.model import Distribution, StageState
from publisher.core.outcome import Outcome, assemble
from publisher.core.plan import FunctionPlan, Mode, Plan, make_plan
from publisher.core.result import Result, Status
from publisher.core.settings import Settings
from publisher.shell.apply import Applier, Blocked, Cancelled, Conflict, Tester
from publisher.shell.aws import CloudFront
from publisher.shell.files import Workspace
from publisher.shell.observe import observe, scan_distributions

Progress = Callable[[str, Outcome], None]


def load(settings: Settings, workspace: Workspace) -> Manifest:
    """Everything that can be checked without AWS, checked first: bad input touches nothing."""
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
    *,
    stop: threading.Event | None = None,
    tester: Tester | None = None,
    progress: Progress | None = None,
) -> Result:
    stop = stop or threading.Event()
    with ThreadPoolExecutor(settings.max_concurrency + 1, thread_name_prefix="cf") as pool:
        scan = pool.submit(_scan, cloudfront)  # only the report needs it: let it run beside the rest
        observed = observe(cloudfront, manifest, pool)
        plan = make_plan(manifest, observed)
        _refuse_unresolved(plan, manifest)
        outcomes = (
            {}
            if settings.mode in (Mode.PLAN, Mode.PREVIEW)
            else _apply(
                plan, settings, cloudfront, workspace, stop=stop, tester=tester, progress=progress, pool=pool
            )
        )
        distributions, warnings = scan.result()
    return assemble(
        plan, settings.mode, outcomes, distributions, backup_dir=settings.backup_dir, warnings=warnings
    )


def _apply(
    plan: Plan,
    settings: Settings,
    cloudfront: CloudFront,
    workspace: Workspace,
    *,
    stop: threading.Event,
    tester: Tester | None,
    progress: Progress | None,
    pool: ThreadPoolExecutor,
) -> dict[str, Outcome]:
    folder = f"{settings.backup_dir}/{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}"

    def backup(name: str, live: StageState) -> str:
        return workspace.save_backup(folder, name, live)

    applier = Applier(cloudfront, settings.mode, backup, tester, stop)
    futures = {
        fp.name: pool.submit(_apply_one, applier, fp) for fp in plan.functions if fp.writes and not fp.error
    }
    outcomes = {}
    for name, future in futures.items():
        outcomes[name] = future.result()
        if progress:
            progress(name, outcomes[name])
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
        if fp.error and "KeyValueStore" in fp.error
    ]
    if problems:
        raise InputError(problems)
