"""The command line: argv → Settings; prints the console report, or the result with --json."""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TextIO

from publisher.core.outcome import Outcome
from publisher.core.plan import Mode
from publisher.core.report import CHANGES, coloured, console, escape_controls, exit_status, progress_line
from publisher.core.result import Result
from publisher.core.settings import Settings, settings_from, split_names
from publisher.version import __version__
from publisher.wiring import Finished, Seams, execute

DESCRIPTION = "Check, sync, test and publish CloudFront Functions from a manifest, guarded by ETags."


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="cloudfront-publish", description=DESCRIPTION)
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    p.add_argument(
        "mode",
        choices=[m.value for m in Mode],
        help="check: validate the manifest, code and events with no AWS call; test: check, then run "
        "every test case locally in njs, with no AWS call; plan: show what would "
        "change; preview: test changed code in throwaway functions; sync: create and update "
        "DEVELOPMENT; publish: sync, test, then publish what changed; rollback: restore LIVE from a "
        "backup folder (--from)",
    )
    p.add_argument("--manifest", default="cloudfront-functions.yml", help="the manifest (YAML or JSON)")
    p.add_argument("--functions", default="", help="only these manifest functions (comma-separated)")
    p.add_argument("--json", action="store_true", help="print the result as JSON on stdout")
    p.add_argument(
        "--detailed-exitcode",
        action="store_true",
        help=f"exit {CHANGES} instead of 0 when the run succeeded and something changed (plan, preview: "
        "would change); 0 then means nothing to do. 1 (failed) and 2 (bad input) are unchanged",
    )
    p.add_argument("--endpoint-url", help="CloudFront endpoint (AWS_ENDPOINT_URL works too)")
    p.add_argument(
        "--backup-dir", default="cloudfront-backups", help="where LIVE code is saved before a publish"
    )
    p.add_argument("--max-concurrency", type=int, default=16, help="AWS calls in flight at once")
    p.add_argument(
        "--wait", action="store_true", help="after publishing, wait until the distributions are deployed"
    )
    p.add_argument("--wait-timeout-minutes", type=float, default=20)
    p.add_argument(
        "--from", dest="rollback_from", metavar="PATH", help="rollback: the backup folder a publish wrote"
    )
    p.add_argument("--dry-run", action="store_true", help="plan only: show what would change, write nothing")
    p.add_argument(
        "--watch-minutes",
        type=float,
        default=0,
        help="publish: watch the published functions' errors at the edge this long, then roll back "
        "any over --max-error-rate (implies --wait; 0: off)",
    )
    p.add_argument("--max-error-rate", type=float, default=1, help="percent of invocations (default 1)")
    p.add_argument("--summary", metavar="PATH", help="also write the Markdown job summary to PATH")
    p.add_argument(
        "--summary-template", metavar="PATH", help="a Jinja template replacing the built-in summary"
    )
    return p


def settings_from_argv(argv: Sequence[str]) -> Settings:
    return settings_from_args(parser().parse_args(argv))


def settings_from_args(args: argparse.Namespace) -> Settings:
    return settings_from(
        {
            "mode": Mode.PLAN.value if args.dry_run else args.mode,
            "rollback-from": args.rollback_from or "",
            "watch-minutes": args.watch_minutes,
            "max-error-rate": args.max_error_rate,
            "manifest": args.manifest,
            "functions": split_names(args.functions),
            "endpoint-url": args.endpoint_url or "",
            "backup-dir": args.backup_dir,
            "max-concurrency": args.max_concurrency,
            "wait-for-deployment": args.wait,
            "wait-timeout-minutes": args.wait_timeout_minutes,
            "json-output": args.json,
            "summary-file": args.summary or "",
            "summary-template": args.summary_template or "",
            "run-id": f"local-{secrets.token_hex(3)}",  # preview names unique to this run
        },
        "command line",
    )


def use_colour(stream: TextIO, environ: Mapping[str, str]) -> bool:
    """Colour only for a person: the stream is a terminal, NO_COLOR (any value) is not set, TERM is not dumb."""
    return stream.isatty() and not environ.get("NO_COLOR") and environ.get("TERM") != "dumb"


def _write(stream: TextIO, line: str) -> None:
    text = escape_controls(line)  # first: outside text can bring no escape codes of its own
    stream.write((coloured(text) if use_colour(stream, os.environ) else text) + "\n")


def _say(line: str) -> None:
    _write(sys.stderr, line)  # stderr, so that --json output stays parseable


class _Progress:
    """A line on stderr as each function's writes end, counted."""

    def __init__(self) -> None:
        self.done = 0

    def __call__(self, name: str, outcome: Outcome) -> None:
        self.done += 1
        _say(progress_line(name, outcome, self.done))


def main(argv: Sequence[str], *, keep_handlers: bool = False) -> int:
    from publisher.shell.engine import cancel_on_signals

    args = parser().parse_args(argv)  # --help and argparse's own errors (exit 2) come first
    seams = Seams(environ={}, confined=False, say=_say, progress=_Progress())
    with cancel_on_signals(seams.stop, _say, restore=not keep_handlers):
        mode = Mode.PLAN.value if args.dry_run else args.mode
        finished = execute(lambda: settings_from_args(args), seams, requested_mode=mode)
    _print(finished.result, json_output=args.json)
    if args.summary:
        _write_summary(finished, args.summary)
    return exit_status(finished.result, detailed=args.detailed_exitcode)


def _print(result: Result, *, json_output: bool) -> None:
    if json_output:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
        return
    stream = sys.stderr if result.fatal else sys.stdout
    for line in console(result, diffs=result.mode == Mode.PLAN.value):
        _write(stream, line)


def _write_summary(finished: Finished, path: str) -> None:
    try:
        Path(path).write_text(finished.summary, encoding="utf-8")
    except OSError as err:
        _say(f"error: the summary could not be written to {path}: {err.strerror}")
