"""One run, wired the same way for the command line and the Action.

Settings in (built by the entry point, which may itself find bad input); out comes a `Finished`: the
Result, its job summary and any input problems. Every error of a run ends here as a Result that
carries its exit code, so an entry point only writes what it is given.
"""

from __future__ import annotations

import dataclasses
import functools
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from publisher.core.errors import InputError, Problem, PublisherError
from publisher.core.manifest import Manifest
from publisher.core.modes import Mode
from publisher.core.outcome import Outcome, checked
from publisher.core.result import Fatal, Result
from publisher.core.secrets import Secrets
from publisher.core.settings import Settings
from publisher.shell.engine import Cancelled, Hooks, Progress
from publisher.shell.files import BackupFolder, Workspace

if TYPE_CHECKING:
    from publisher.shell.aws import AwsCloudFront


@dataclass(frozen=True)
class Finished:
    result: Result
    template: tuple[str, str] | None  # the user's summary template (text, path), checked before the run
    environ: Mapping[str, str]
    problems: tuple[Problem, ...] = ()  # bad input, located, for annotations
    settings: Settings | None = None  # as validated; None when the settings themselves were refused

    @functools.cached_property
    def summary(self) -> str:
        """The Markdown job summary, rendered when asked for: a command line run without --summary
        never pays for it (thousands of distributions make it the costliest part of a report)."""
        from publisher.core.summary.render import summary_with_fallback

        return summary_with_fallback(self.result, self.template, self.environ)


@dataclass
class Seams:
    """What an entry point lends a run: where lines go, how it is cancelled, how paths are confined."""

    environ: Mapping[str, str]
    confined: bool  # the Action: every path a setting names must lie inside the workspace
    say: Callable[[str], None] = lambda line: None
    progress: Progress = lambda name, outcome: None
    stop: threading.Event = field(default_factory=threading.Event)
    published: Callable[[str], None] = lambda summary: None  # the summary before the wait for the edge


def execute(make_settings: Callable[[], Settings], seams: Seams, requested_mode: str = "") -> Finished:
    started, clock = datetime.now(UTC), time.monotonic()  # the clock is the shell's, not the core's
    holder: list[Settings] = []
    result, template, problems = _outcome(make_settings, seams, requested_mode, holder)
    result = result.model_copy(
        update={"started": started, "duration_seconds": round(time.monotonic() - clock, 3)}
    )
    return Finished(result, template, seams.environ, problems, holder[0] if holder else None)


def _outcome(
    make_settings: Callable[[], Settings], seams: Seams, requested_mode: str, holder: list[Settings]
) -> tuple[Result, tuple[str, str] | None, tuple[Problem, ...]]:
    template: tuple[str, str] | None = None
    mode = next((m for m in Mode if m.value == requested_mode), None)
    try:
        settings = make_settings()
        holder.append(settings)
        mode = settings.mode
        workspace = Workspace(Path.cwd())
        manifest = load(settings, workspace, confined=seams.confined)
        template = read_template(settings, workspace, confined=seams.confined)
        client = _client(settings, manifest)  # only once the input is known good, and what it needs
        secrets = Secrets.of(manifest.stores)  # what a test may copy out of a sensitive store
        hiding = _hiding(seams, secrets)
        result = secrets.hidden(
            _run(settings, manifest, workspace, hiding, template, client=client, secrets=secrets)
        )
    except InputError as err:
        result = Result(
            mode=mode,
            fatal=Fatal(
                exit_code=err.exit_code, message="input refused", problems=[str(p) for p in err.problems]
            ),
        )
        return result, None, tuple(err.problems)
    except (PublisherError, Cancelled) as err:
        code = err.exit_code if isinstance(err, PublisherError) else 1
        result = Result(mode=mode, fatal=Fatal(exit_code=code, message=str(err)))
    return result, template, ()


def _hiding(seams: Seams, secrets: Secrets) -> Seams:
    """The seams with every sensitive value taken out of the lines said during the run, and out of
    the reason a function stopped, which its progress line shows (a test's error may quote one)."""
    if not secrets:
        return seams

    def progress(name: str, outcome: Outcome) -> None:
        stop = outcome.stop and dataclasses.replace(outcome.stop, message=secrets.hide(outcome.stop.message))
        seams.progress(name, dataclasses.replace(outcome, stop=stop))

    return dataclasses.replace(seams, say=lambda line: seams.say(secrets.hide(line)), progress=progress)


def _run(
    settings: Settings,
    manifest: Manifest,
    workspace: Workspace,
    seams: Seams,
    template: tuple[str, str] | None,
    *,
    client: AwsCloudFront | None,
    secrets: Secrets,
) -> Result:
    from publisher.core.summary.render import summary_with_fallback
    from publisher.shell import engine
    from publisher.shell.cases import CaseRunner

    if settings.mode is Mode.TEST:  # load, run the cases in a local engine, stop: no AWS client is built
        from publisher.shell.local_tests import run_tests

        return run_tests(manifest, seams.stop, settings.max_concurrency)
    if client is None:
        return checked(manifest)
    cloudfront = client
    hooks = Hooks(
        stop=seams.stop,
        run_tests=CaseRunner(cloudfront, settings.max_concurrency),
        progress=seams.progress,
        say=seams.say,
        published=lambda result: seams.published(
            summary_with_fallback(secrets.hidden(result), template, seams.environ)
        ),
    )
    now = datetime.now(UTC)  # to the millisecond: two runs in one second keep their backups apart
    stamp = f"{now:%Y%m%dT%H%M%S}.{now.microsecond // 1000:03d}Z"
    folder = workspace.setting_path(settings.backup_dir, "backup-dir", "", confined=seams.confined)
    backups = BackupFolder(folder / stamp, f"{settings.backup_dir.rstrip('/') or '/'}/{stamp}")
    if settings.rollback_from:
        backups = backups.for_rollback()
    # the result's `backup_dir` is this run's own folder: a rollback from it restores this run alone
    settings = settings.model_copy(update={"backup_dir": backups.shown})
    if settings.watch_minutes and settings.mode is Mode.PUBLISH:
        from publisher.shell.cloudwatch import AwsCloudWatch

        hooks.metrics = AwsCloudWatch(settings.endpoint_url)
    return engine.run(
        settings,
        manifest,
        cloudfront,
        backups,
        hooks,
        stores=_store_ports(settings, manifest, cloudfront, backups, hooks),
    )


def _store_ports(
    settings: Settings, manifest: Manifest, cloudfront: Any, backups: BackupFolder, hooks: Any
) -> Any:
    """The KeyValueStore ports, only for a manifest that declares stores (the data API needs awscrt)."""
    if not manifest.stores:
        return None
    from publisher.shell.kvs import AwsStoreData
    from publisher.shell.stores import StorePorts

    return StorePorts(cloudfront, AwsStoreData(settings.endpoint_url), backups, hooks.stop)


def _client(settings: Settings, manifest: Manifest) -> AwsCloudFront | None:
    """The CloudFront client, for a mode that makes calls; a broken set-up is a SetupError here.

    Built after the manifest, not beside it: both are CPU-bound and share one interpreter lock, so
    building them side by side measured no faster, and the manifest says whether the run needs the
    AWS CRT (SigV4A, for the KeyValueStore data API), which costs a twentieth of a second to load."""
    if not settings.mode.calls_aws:
        return None
    from publisher.shell.aws import AwsCloudFront, load_sdk

    load_sdk(sigv4a=bool(manifest.stores))
    return AwsCloudFront(settings.endpoint_url, settings.max_concurrency)


def load(settings: Settings, workspace: Workspace, *, confined: bool) -> Manifest:
    """Everything that can be checked without AWS, checked first: bad input touches nothing."""
    backups = workspace.setting_path(settings.backup_dir, "backup-dir", settings.source, confined=confined)
    if backups.exists() and not backups.is_dir():
        message = f"`{settings.backup_dir}` is not a folder: backups are saved in a folder under it"
        raise InputError([Problem(settings.source, None, "backup-dir", message, in_file=False)])
    if settings.summary_file:
        workspace.setting_path(settings.summary_file, "summary", settings.source, confined=confined)
    if settings.rollback_from or settings.mode is Mode.ROLLBACK:
        return load_backups(settings, workspace, confined=confined)
    manifest = workspace.load_manifest(settings.manifest)
    unknown = sorted(set(settings.functions) - {f.name for f in manifest.functions})
    if unknown:
        raise InputError(
            [
                Problem(
                    settings.source,
                    None,
                    "functions",
                    f"not in the manifest: {', '.join(unknown)}",
                    in_file=False,
                )
            ]
        )
    return manifest.select(settings.functions)


def load_backups(settings: Settings, workspace: Workspace, *, confined: bool) -> Manifest:
    """A rollback's desired state: each function's newest backup in `rollback-from`, and each
    KeyValueStore's keys as they were before the newest run that changed them."""
    from publisher.shell.backups import (
        read_association_backups,
        read_backups,
        read_store_backups,
        read_tag_backups,
        rollback_manifest,
    )

    def refuse(message: str) -> InputError:
        return InputError([Problem(settings.source, None, "rollback-from", message, in_file=False)])

    if settings.mode not in (Mode.ROLLBACK, Mode.PLAN):
        raise refuse(f"only `rollback` and `plan` restore from backups, not `{settings.mode}`")
    if not settings.rollback_from:
        raise refuse("`rollback` needs the folder of backups to restore from")
    shown = settings.rollback_from.rstrip("/") or "/"
    folder = workspace.setting_path(shown, "rollback-from", settings.source, confined=confined)
    inside = workspace if confined else None
    found, stores = read_backups(folder, shown, inside), read_store_backups(folder, shown, inside)
    restores = read_association_backups(folder, shown, inside)
    tags = read_tag_backups(folder, shown, inside)
    return rollback_manifest(
        found, shown, settings.functions, settings.source, stores, associations=restores, tags=tags
    )


def read_template(settings: Settings, workspace: Workspace, *, confined: bool) -> tuple[str, str] | None:
    """The user's summary template, rendered once on a sample so that a mistake is refused before AWS."""
    if not settings.summary_template:
        return None
    from publisher.core.summary.render import check_template

    path = workspace.setting_path(
        settings.summary_template, "summary-template", settings.source, confined=confined
    )
    if not path.is_file():
        message = f"`{settings.summary_template}` is not a file"
        raise InputError([Problem(settings.source, None, "summary-template", message, in_file=False)])
    text = path.read_text(encoding="utf-8", errors="replace")
    check_template(text, settings.summary_template)
    return text, settings.summary_template
