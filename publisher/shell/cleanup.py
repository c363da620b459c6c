"""Delete throwaway preview functions: one listing pass per stage, then each delete on a fresh ETag.

`core/throwaway.select` chooses from the listings. Right before each delete, DEVELOPMENT is described
again: the function must still carry the marker, and LIVE must still be absent (never published);
the delete then rests on that ETag (If-Match). A function changed by someone else in between answers
412: it is reported, not deleted, and the run fails (exit 1).

A signal (`stop`) starts no new delete; one in flight may finish within the run's cancel grace, then
it is left behind and reported as such, and every throwaway not reached is reported as not deleted.
"""

from __future__ import annotations

import threading
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path

from publisher.core.errors import AwsError, InputError, NotFound, PreconditionFailed, Problem
from publisher.core.model import Stage
from publisher.core.modes import Kind, Ref
from publisher.core.port import CloudFront
from publisher.core.throwaway import Listed, Selection, is_throwaway, select


class Deleted(StrEnum):
    DELETED = "deleted"
    WOULD_DELETE = "would delete"
    GONE = "already gone"
    CONFLICT = "conflict"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def failed(self) -> bool:
        return self in (Deleted.CONFLICT, Deleted.FAILED, Deleted.CANCELLED)


@dataclass(frozen=True)
class Cleaned:
    name: str
    status: Deleted
    message: str = ""


@dataclass(frozen=True)
class Found:
    """One kind's throwaways: the selection, and what each is addressed by (a connection function's Id)."""

    kind: Kind
    selection: Selection
    addresses: dict[str, str]


def find(
    cloudfront: CloudFront,
    managed: set[str],
    *,
    run_id: str | None,
    older_than: timedelta | None,
    now: datetime,
    kind: Kind = Kind.FUNCTION,
) -> Found:
    """`managed`: the manifest's names of this kind, never deleted."""
    with ThreadPoolExecutor(2) as pool:
        dev, live = (pool.submit(cloudfront.list_functions, stage, kind=kind) for stage in Stage)
        summaries = dev.result()
        listed = [Listed(s.name, s.config.comment, s.modified) for s in summaries]
        published = {s.name for s in live.result()}
    selection = select(listed, published, managed, run_id=run_id, older_than=older_than, now=now)
    return Found(kind, selection, {s.name: s.id or s.name for s in summaries})


@dataclass(frozen=True)
class Cleanup:
    """What one clean-up did (or would do), and the look-alikes it kept, each with why."""

    done: tuple[Cleaned, ...]
    kept: tuple[tuple[str, str], ...]

    @property
    def failed(self) -> bool:
        return any(c.status.failed for c in self.done)


def clean(
    cloudfront: CloudFront,
    managed: set[Ref],
    *,
    run_id: str | None,
    older_than: timedelta | None,
    now: datetime,
    concurrency: int,
    dry_run: bool = False,
    stop: threading.Event | None = None,
) -> Cleanup:
    """Viewer functions first, then connection functions when the manifest has some: a preview makes
    their copies, and a role for viewer functions alone need not list them."""
    done: list[Cleaned] = []
    kept: list[tuple[str, str]] = []
    kinds = {ref.kind for ref in managed} | {Kind.FUNCTION}
    stop = stop or threading.Event()
    for kind in sorted(kinds, key=lambda k: k is not Kind.FUNCTION):
        if stop.is_set():
            break
        mine = {ref.name for ref in managed if ref.kind is kind}
        found = find(cloudfront, mine, run_id=run_id, older_than=older_than, now=now, kind=kind)
        if dry_run:
            done += [Cleaned(shown(n, kind), Deleted.WOULD_DELETE) for n in found.selection.delete]
        else:
            done += delete_all(cloudfront, found, concurrency, stop)
        kept += [(shown(n, kind), why) for n, why in found.selection.kept]
    return Cleanup(tuple(done), tuple(kept))


def managed_by(manifest: str) -> set[Ref]:
    """The functions the manifest holds, never deleted; a missing or broken manifest refuses the
    clean-up (InputError, exit 2)."""
    from publisher.core.manifest import parse

    path = Path(manifest)
    if not path.is_file():
        why = f"the manifest {manifest} does not exist; its functions are never deleted, so it is needed"
        raise InputError([Problem("command line", None, "manifest", why, False)])
    parsed, problems = parse(path.read_bytes(), manifest)
    if problems:
        why = f"the manifest {manifest} is not valid: {problems[0]}"
        raise InputError([Problem("command line", None, "manifest", why, False)])
    return {f.ref for f in parsed.functions}


def delete_all(
    cloudfront: CloudFront, found: Found, concurrency: int, stop: threading.Event
) -> list[Cleaned]:
    """Each delete in the pool, in the listing's order; after a signal, what has not started is not
    deleted, and a delete still in flight past the cancel grace is left behind."""
    from publisher.shell.engine import CANCEL_GRACE, POLL

    names = found.selection.delete
    if not names:
        return []
    pool = ThreadPoolExecutor(min(concurrency, len(names)))
    futures: dict[Future[Cleaned], str] = {pool.submit(_delete, cloudfront, n, found, stop): n for n in names}
    ended: dict[str, Cleaned] = {}
    pending, grace = dict(futures), CANCEL_GRACE
    while pending and grace > 0:
        done, _ = wait(pending, timeout=POLL, return_when=FIRST_COMPLETED)
        for future in done:
            ended[pending.pop(future)] = future.result()
        if not done and stop.is_set():
            grace -= POLL
    pool.shutdown(wait=False, cancel_futures=True)
    left = "cancelled while its delete was in flight; it may have taken effect: list the functions to see"
    return [ended.get(n) or Cleaned(shown(n, found.kind), Deleted.CANCELLED, left) for n in names]


def shown(name: str, kind: Kind) -> str:
    """A throwaway as the report names it: a connection function's with its kind."""
    return str(Ref(kind, name))


def _delete(cloudfront: CloudFront, name: str, found: Found, stop: threading.Event) -> Cleaned:
    kind, address, fresh = found.kind, found.addresses[name], None
    name = shown(name, kind)
    if stop.is_set():
        return Cleaned(name, Deleted.CANCELLED, "not deleted: the run was cancelled before its turn")
    try:
        fresh = cloudfront.describe_function(address, Stage.DEVELOPMENT, kind=kind)
        if fresh is None:
            return Cleaned(name, Deleted.GONE)
        if not is_throwaway(fresh.name, fresh.config.comment):
            return Cleaned(
                name, Deleted.CONFLICT, "its comment changed since the listing: no longer marked; kept"
            )
        if cloudfront.describe_function(address, Stage.LIVE, kind=kind) is not None:
            return Cleaned(name, Deleted.CONFLICT, "it was published since the listing; kept")
        cloudfront.delete_function(address, fresh.etag, kind=kind)
    except PreconditionFailed:
        return Cleaned(
            name,
            Deleted.CONFLICT,
            f"changed by someone else after it was read (ETag {fresh.etag if fresh else '?'}, 412); "
            "not deleted. Re-run the clean-up to judge it again.",
        )
    except NotFound:
        return Cleaned(name, Deleted.GONE)
    except AwsError as err:
        return Cleaned(name, Deleted.FAILED, str(err))
    return Cleaned(name, Deleted.DELETED)
