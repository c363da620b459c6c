"""`import` and `cleanup` on the command line: each parses its own argv and runs its own short path.

They sit beside the run of `cli.py` (load → observe → plan → apply → report) rather than in it: an
import reads AWS into files, a clean-up deletes throwaways; neither has a manifest to plan from.
Exit codes as everywhere: 0 done, 1 a delete failed or was refused (412), 2 bad input or set-up.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from publisher.core.adopt import Choice
from publisher.core.errors import InputError, Problem, PublisherError
from publisher.core.model import Stage
from publisher.core.report import escape_controls
from publisher.core.settings import split_names
from publisher.core.throwaway import cleanup_problems

if TYPE_CHECKING:
    from publisher.shell.cleanup import Cleaned

COMMANDS = ("import", "cleanup")


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--endpoint-url", help="CloudFront endpoint (AWS_ENDPOINT_URL works too)")
    p.add_argument("--max-concurrency", type=int, default=16, help="AWS calls in flight at once")
    p.add_argument("--json", action="store_true", help="print what was done as JSON on stdout")


def import_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="cloudfront-publish import",
        description="Write a manifest, code files and KeyValueStore data files from what the account holds.",
    )
    p.add_argument("--out", default=".", help="the folder to write into (default: the current one)")
    p.add_argument("--functions", default="", help="only these functions (comma-separated)")
    p.add_argument("--stores", default="", help="only these KeyValueStores (comma-separated)")
    p.add_argument(
        "--stage",
        choices=[s.value for s in Stage],
        help="for a function whose DEVELOPMENT differs from LIVE, take this stage (else a bare name)",
    )
    p.add_argument(
        "--sensitive",
        action="append",
        default=[],
        metavar="STORE",
        help="a KeyValueStore whose keys are never read nor written to disk (repeat, or comma-separated)",
    )
    p.add_argument("--force", action="store_true", help="overwrite files that exist")
    _common(p)
    return p


def cleanup_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="cloudfront-publish cleanup",
        description="Delete the throwaway functions previews left behind (marked, never published, "
        "not in the manifest).",
    )
    p.add_argument("--run-id", help="the throwaways of one run, e.g. pr123 for pull request 123")
    p.add_argument("--older-than", type=float, metavar="HOURS", help="every throwaway older than this")
    p.add_argument("--manifest", default="cloudfront-functions.yml", help="its functions are never deleted")
    p.add_argument("--dry-run", action="store_true", help="list what would be deleted, delete nothing")
    _common(p)
    return p


def main(argv: Sequence[str], *, keep_handlers: bool = False) -> int:
    command, rest = argv[0], list(argv[1:])
    try:
        args = (import_parser() if command == "import" else cleanup_parser()).parse_args(rest)
        from publisher.shell.engine import cancel_on_signals

        stop = threading.Event()  # a signal starts no new delete or file; the report still comes
        with cancel_on_signals(stop, _say, restore=not keep_handlers):
            return _import(args, stop) if command == "import" else _cleanup(args, stop)
    except InputError as err:
        for problem in err.problems:
            _say(f"error: {problem.message}")
        return err.exit_code
    except PublisherError as err:
        _say(f"error: {err}")
        return err.exit_code
    except KeyboardInterrupt:
        _say(f"{command}: interrupted; what is reported above took effect, nothing after it")
        return 1


def _import(args: argparse.Namespace, stop: threading.Event) -> int:
    from publisher.shell.aws import AwsCloudFront
    from publisher.shell.engine import Cancelled
    from publisher.shell.importer import PartialImport, counts, run_import
    from publisher.shell.kvs import AwsStoreData

    endpoint = args.endpoint_url or None
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise InputError([_problem(f"--out {args.out} is not a folder")])
    names = split_names(args.functions) or None
    stores = split_names(args.stores) or None
    choice = Choice(
        functions=names,
        stores=stores,
        stage=Stage(args.stage) if args.stage else None,
        sensitive=frozenset(n for v in args.sensitive for n in split_names(v)),
    )
    cloudfront = AwsCloudFront(endpoint, _concurrency(args.max_concurrency))
    try:
        adoption, written = run_import(
            cloudfront,
            lambda: AwsStoreData(endpoint),
            choice,
            out,
            stop,
            force=args.force,
            concurrency=_concurrency(args.max_concurrency),
        )
    except Cancelled as err:
        _say(f"error: {err}")
        return 1
    except PartialImport as err:  # the disk, after every read: say where and what is complete, one line
        done = ", ".join(str(p) for p in err.written) or "none"
        _say(f"error: {err}; no manifest was written; files complete before it: {done}")
        return 1
    except OSError as err:
        _say(f"error: could not write into {args.out}: {err.strerror or err} ({err.filename or ''})")
        return 1
    kinds = counts(adoption)
    if args.json:
        shown = {"written": [str(p) for p in written], "notes": list(adoption.notes)}
        sys.stdout.write(json.dumps(shown, indent=2) + "\n")
    for note in adoption.notes:
        _say(f"note: {note}")
    _say(
        f"wrote {out / adoption.files[0][0]}, {_count(kinds['code'], 'code file')} and "
        f"{_count(kinds['data'], 'data file')}; `cloudfront-publish plan` finds no change in what was "
        "taken from LIVE"
    )
    if stop.is_set():  # the signal came while the files were written: they all were, yet it was a cancel
        _say("import: cancelled while writing; every file was written, the manifest last")
        return 1
    return 0


def _cleanup(args: argparse.Namespace, stop: threading.Event) -> int:
    from publisher.shell.aws import AwsCloudFront
    from publisher.shell.cleanup import clean, managed_by

    problems = cleanup_problems(
        args.run_id, args.older_than, run_from="--run-id", age_from="--older-than HOURS"
    )
    if problems:
        raise InputError([_problem(p) for p in problems])
    managed = managed_by(args.manifest)
    cloudfront = AwsCloudFront(args.endpoint_url or None, _concurrency(args.max_concurrency))
    older = timedelta(hours=args.older_than) if args.older_than is not None else None
    cleanup = clean(
        cloudfront,
        managed,
        run_id=args.run_id,
        older_than=older,
        now=datetime.now(UTC),
        concurrency=_concurrency(args.max_concurrency),
        dry_run=args.dry_run,
        stop=stop,
    )
    _report(cleanup.done, cleanup.kept, json_output=args.json)
    return 1 if cleanup.failed else 0


def _report(done: Sequence[Cleaned], kept: Sequence[tuple[str, str]], *, json_output: bool) -> None:
    from publisher.shell.cleanup import Deleted

    if json_output:
        shown = {
            "deleted": [c.name for c in done if c.status == Deleted.DELETED],
            "would_delete": [c.name for c in done if c.status == Deleted.WOULD_DELETE],
            "failed": [
                {"name": c.name, "status": c.status.value, "message": c.message}
                for c in done
                if c.status.failed
            ],
            "kept": [{"name": n, "why": why} for n, why in kept],
        }
        sys.stdout.write(json.dumps(shown, indent=2) + "\n")
    for c in done:
        _say(f"{c.name}: {c.status.value}" + (f": {c.message}" if c.message else ""))
    for name, why in kept:
        _say(f"{name}: kept, {why}")
    if not done:
        _say("no throwaway preview function to delete")


def _concurrency(value: int) -> int:
    if not 1 <= value <= 64:
        raise InputError([_problem(f"--max-concurrency must be 1 to 64 (got {value})")])
    return value


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'' if n == 1 else 's'}"


def _problem(message: str) -> Problem:
    return Problem("command line", None, "", message, False)


def _say(line: str) -> None:
    sys.stderr.write(escape_controls(line) + "\n")
    sys.stderr.flush()
