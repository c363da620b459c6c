"""Import an account: one listing pass, then every read in parallel, then the files, or nothing.

The listings (ListFunctions per stage, ListKeyValueStores) run at once; `core/adopt.choose` decides
from them what to read; then GetFunction for each stage of each chosen function (CloudFront's API)
and ListKeys for each store that is not sensitive (the data API, its pages one after another) run
side by side, each API in its own pool of `concurrency` threads. `core/adopt.adopt` turns the reads into files.
Every target path is checked before the first write: one that exists without `force` refuses the
whole import (InputError, exit 2) and nothing is written. Code files are written as bytes, exactly
as GetFunction answered them, since the manifest reads code files as bytes.

The distributions are scanned beside them (ListDistributions and the tenant-only listing, pages one
after another): where each viewer function runs becomes its `associations:`.

Connection functions are listed beside them (ListConnectionFunctions per stage), read by Id
(GetConnectionFunction), and each chosen one's distributions come from
ListDistributionsByConnectionFunction.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from publisher.core.adopt import Account, Adoption, Choice, Slot, adopt, choose, slots
from publisher.core.errors import AwsError, InputError, Problem
from publisher.core.model import Distribution, FunctionState, Stage, StageState
from publisher.core.modes import Kind
from publisher.core.port import CloudFront, FunctionSummary, StoreData
from publisher.shell.engine import POLL, Cancelled
from publisher.shell.observe import scan_distributions

CONNECTION = Kind.CONNECTION_FUNCTION


def read_account(
    cloudfront: CloudFront, data: Callable[[], StoreData], choice: Choice, concurrency: int
) -> tuple[Account, tuple[str, ...], tuple[str, ...]]:
    """What the import needs, read once; the chosen functions and stores. Unknown names: InputError."""
    with ThreadPoolExecutor(concurrency) as pool, ThreadPoolExecutor(concurrency) as store_pool:
        scan = store_pool.submit(scan_distributions, cloudfront)  # its pages wait for each other too
        lists = {stage: pool.submit(cloudfront.list_functions, stage) for stage in Stage}
        c_lists = {stage: pool.submit(cloudfront.list_functions, stage, kind=CONNECTION) for stage in Stage}
        entries = pool.submit(cloudfront.list_key_value_store_entries)
        summaries = {stage: {s.name: s for s in lists[stage].result()} for stage in Stage}
        c_summaries, unlisted = _connection_listings(c_lists)
        arns = {name: arn for name, (arn, _) in entries.result().items()}
        dev, reads = _listed(summaries)
        c_dev, c_reads = _listed(c_summaries)
        c_comments = {n: s.config.comment for n, s in c_dev.items()}
        chosen = choose(
            {n: s.config.comment for n, s in dev.items()}, reads, arns, choice, (c_comments, c_reads)
        )
        if chosen.problems:
            raise InputError([Problem("command line", None, "import", p, False) for p in chosen.problems])
        stores = chosen.stores
        wanted = [s for s in stores if s not in choice.sensitive]
        client = data() if wanted else None
        # a store's pages wait for each other: its own pool, so the chains run beside the gets, not after
        keys = {s: store_pool.submit(client.list_keys, arns[s]) for s in wanted} if client else {}
        codes = {
            (name, stage): pool.submit(cloudfront.get_function, name, stage)
            for name in chosen.functions
            for stage in Stage
            if name in summaries[stage]
        }
        # every resource's tags beside the code and the keys: what the next plan reads, it finds here
        tags = {n: pool.submit(cloudfront.list_tags, dev[n].arn) for n in chosen.functions if dev[n].arn}
        store_tags = {s: pool.submit(cloudfront.list_tags, arns[s]) for s in stores}
        states = {
            name: FunctionState(
                name,
                _stage(summaries[Stage.DEVELOPMENT].get(name), codes.get((name, Stage.DEVELOPMENT))),
                _stage(summaries[Stage.LIVE].get(name), codes.get((name, Stage.LIVE))),
            )
            for name in chosen.functions
        }
        connections = _connection_reads(cloudfront, pool, c_summaries, chosen.connection_functions)
        comments = {name: comment for name, (_, comment) in entries.result().items()}
        account = Account(
            states,
            arns,
            {s: k.result() for s, k in keys.items()},
            comments,
            {name: state for name, (state, _) in connections.items()},
            {name: dists for name, (_, dists) in connections.items()},
            unlisted,
            {n: t.result() for n, t in tags.items()},
            {s: t.result() for s, t in store_tags.items()},
            *_runs_on(scan),
        )
    return account, chosen.functions, stores


def _runs_on(
    scan: Future[tuple[tuple[Distribution, ...], list[str]]],
) -> tuple[dict[str, tuple[Slot, ...]] | None, str]:
    """Where each viewer function runs; None, and why, unless every distribution could be listed."""
    try:
        distributions, warnings = scan.result()
    except AwsError as err:
        return None, str(err)
    return (None, "; ".join(warnings)) if warnings else (slots(distributions), "")


def _connection_listings(
    lists: Mapping[Stage, Future[list[FunctionSummary]]],
) -> tuple[dict[Stage, dict[str, FunctionSummary]], str]:
    """Connection functions by stage; none, and why, where the account (or the policy) does not list
    them: an import of viewer functions does not depend on it."""
    try:
        return {stage: {s.name: s for s in lists[stage].result()} for stage in Stage}, ""
    except AwsError as err:
        return {stage: {} for stage in Stage}, str(err)


def _listed(
    summaries: Mapping[Stage, Mapping[str, FunctionSummary]],
) -> tuple[Mapping[str, FunctionSummary], dict[str, set[str]]]:
    """DEVELOPMENT's summaries, and the store ARNs either stage of each function reads."""
    dev = summaries[Stage.DEVELOPMENT]
    reads = {
        n: {a for st in Stage if n in summaries[st] for a in summaries[st][n].config.key_value_store_arns}
        for n in dev
    }
    return dev, reads


def _connection_reads(
    cloudfront: CloudFront,
    pool: ThreadPoolExecutor,
    summaries: Mapping[Stage, Mapping[str, FunctionSummary]],
    names: tuple[str, ...],
) -> dict[str, tuple[FunctionState, tuple[str, ...]]]:
    """Each chosen connection function: both stages read by its Id, and the distributions it runs on."""
    ids = {n: summaries[Stage.DEVELOPMENT][n].id for n in names}
    codes = {
        (n, stage): pool.submit(cloudfront.get_function, ids[n], stage, kind=CONNECTION)
        for n in names
        for stage in Stage
        if n in summaries[stage]
    }
    users = {n: pool.submit(cloudfront.list_distributions_by_connection_function, ids[n]) for n in names}
    return {
        n: (
            FunctionState(
                n,
                _stage(summaries[Stage.DEVELOPMENT].get(n), codes.get((n, Stage.DEVELOPMENT))),
                _stage(summaries[Stage.LIVE].get(n), codes.get((n, Stage.LIVE))),
                ids[n],
            ),
            tuple(sorted(users[n].result())),
        )
        for n in names
    }


def write(adoption: Adoption, out: Path, *, force: bool) -> list[Path]:
    """Every file, or none: paths that exist are refused up front unless `force`."""
    targets = [(out / rel, body) for rel, body in adoption.files]
    taken = [p for p, _ in targets if p.exists() or p.is_symlink()]
    if taken and not force:
        shown = ", ".join(str(p) for p in taken[:3]) + (
            f" and {len(taken) - 3} more" if len(taken) > 3 else ""
        )
        raise InputError(
            [
                Problem(
                    "command line",
                    None,
                    "import",
                    f"{shown} already exists; nothing was written (--force overwrites)",
                    False,
                )
            ]
        )
    written: list[Path] = []
    for path, body in [*targets[1:], targets[0]]:  # the manifest last: it never names a file not yet there
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.is_symlink():
                path.unlink()  # --force replaces the link itself, never the file it points to
            path.write_bytes(body)
        except OSError as err:
            raise PartialImport(path, err, written) from None
        written.append(path)
    return written


class PartialImport(Exception):
    """The disk refused a file after the reads: which one, why, and the files complete before it (the
    manifest is written last, so it is never among them)."""

    def __init__(self, path: Path, err: OSError, written: list[Path]) -> None:
        super().__init__(f"could not write {path}: {err.strerror or err}")
        self.written = written


def run_import(
    cloudfront: CloudFront,
    data: Callable[[], StoreData],
    choice: Choice,
    out: Path,
    stop: threading.Event,
    *,
    force: bool,
    concurrency: int,
) -> tuple[Adoption, list[Path]]:
    """The reads, then the files. A signal during the reads ends the import at once with nothing
    written (the reads' threads are left behind); once the files are being written, they all are,
    the manifest last, so a cancel never leaves code files without the manifest that names them."""
    reader = ThreadPoolExecutor(1, thread_name_prefix="import")
    try:
        reads = reader.submit(read_account, cloudfront, data, choice, concurrency)
        while True:
            try:
                account, functions, stores = reads.result(timeout=POLL)
                break
            except TimeoutError:
                if stop.is_set():
                    raise Cancelled("the import was cancelled while reading; nothing was written") from None
    finally:
        reader.shutdown(wait=False, cancel_futures=True)
    adoption = adopt(account, functions, stores, choice)
    if not adoption.files:
        raise InputError([Problem("command line", None, "import", "; ".join(adoption.notes), False)])
    if stop.is_set():
        raise Cancelled("the import was cancelled before its files were written; nothing was written")
    return adoption, write(adoption, out, force=force)


def _stage(
    summary: FunctionSummary | None, code: Future[tuple[bytes, str] | None] | None
) -> StageState | None:
    got = code.result() if code is not None else None
    if summary is None or got is None:  # created or deleted between the reads: treat as absent
        return None
    return summary.with_code(*got)


def counts(adoption: Adoption) -> Mapping[str, int]:
    kinds = {"code": 0, "data": 0}  # a connection function's code counts as code
    for rel, _ in adoption.files[1:]:
        kinds["code" if rel.endswith(".js") else "data"] += 1
    return kinds
