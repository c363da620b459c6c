"""The command line: argv → Settings; prints the console report, or the result with --json."""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NoReturn, TextIO

from publisher.core.modes import Mode
from publisher.core.outcome import Outcome
from publisher.core.report import CHANGES, coloured, console, escape_controls, exit_status, progress_line
from publisher.core.result import Fatal, Result
from publisher.core.settings import Settings, settings_from, split_names
from publisher.version import __version__
from publisher.wiring import Finished, Seams, execute

DESCRIPTION = (
    "Check, sync, test and publish CloudFront Functions from a manifest, guarded by ETags. "
    "Also `import` (an account into a manifest) and `cleanup` (preview leftovers): see their --help."
)


class _Parser(argparse.ArgumentParser):
    """argparse's own parser, remembering what it refused so that --json can say it too."""

    refused = ""

    def error(self, message: str) -> NoReturn:
        self.refused = message
        super().error(message)


def parser() -> argparse.ArgumentParser:
    """The flags come from `Settings`, where each is declared once with its default and help; here are
    only what the command line adds: the mode as a word, --dry-run and --detailed-exitcode."""
    p = _Parser(prog="cloudfront-publish", description=DESCRIPTION)
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
    for name, surface in Settings.surfaces().items():
        if surface.flag is None:
            continue
        info = Settings.model_fields[name]
        if info.annotation is bool:
            p.add_argument(surface.flag, dest=name, action="store_true", help=info.description)
            continue
        default = info.default if info.default not in (None, ()) else None
        shown = f" (default {default})" if default is not None else ""
        p.add_argument(
            surface.flag,
            dest=name,
            metavar=surface.metavar,
            type=_TYPES.get(info.annotation, str),
            help=f"{info.description}{shown}",
        )
    p.add_argument("--dry-run", action="store_true", help="plan only: show what would change, write nothing")
    p.add_argument(
        "--detailed-exitcode",
        action="store_true",
        help=f"exit {CHANGES} instead of 0 when the run succeeded and something changed (plan, preview: "
        "would change); 0 then means nothing to do. 1 (failed) and 2 (bad input) are unchanged",
    )
    return p


_TYPES: dict[object, type] = {int: int, float: float}


def settings_from_argv(argv: Sequence[str]) -> Settings:
    return settings_from_args(parser().parse_args(argv))


def settings_from_args(args: argparse.Namespace) -> Settings:
    """Only what was given: a flag left out takes the default declared in Settings."""
    values: dict[str, object] = {
        name.replace("_", "-"): getattr(args, name)
        for name, surface in Settings.surfaces().items()
        if surface.flag is not None and getattr(args, name) is not None and getattr(args, name) is not False
    }
    if "functions" in values:
        values["functions"] = split_names(str(values["functions"]))
    values["mode"] = Mode.PLAN.value if args.dry_run else args.mode
    values["run-id"] = f"local-{secrets.token_hex(3)}"  # preview names unique to this run
    return settings_from(values, "command line")


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
    if list(argv[:1]) in (["import"], ["cleanup"]):  # their own short paths: publisher/commands.py
        from publisher import commands

        return commands.main(argv, keep_handlers=keep_handlers)
    from publisher.shell.engine import cancel_on_signals

    args = _parse(argv)  # --help and argparse's own errors (exit 2) come first
    seams = Seams(environ={}, confined=False, say=_say, progress=_Progress())
    with cancel_on_signals(seams.stop, _say, restore=not keep_handlers):
        mode = Mode.PLAN.value if args.dry_run else args.mode
        finished = execute(lambda: settings_from_args(args), seams, requested_mode=mode)
    settings = finished.settings
    _print(finished.result, json_output=settings.json_output if settings else args.json_output)
    summary = settings.summary_file if settings else args.summary_file
    if summary:
        _write_summary(finished, summary)
    return exit_status(finished.result, detailed=args.detailed_exitcode)


def _parse(argv: Sequence[str]) -> argparse.Namespace:
    """The arguments; a refusal exits 2 as argparse does, and with --json (or its abbreviation) also
    prints a result whose `fatal` says why, so a script reads JSON whatever went wrong."""
    p = parser()
    try:
        return p.parse_args(argv)
    except SystemExit:
        refused = getattr(p, "refused", "")
        if refused and any(len(a) > 2 and "--json".startswith(a) for a in argv):
            mode = next((m for m in Mode if m.value in argv), None)
            problem = f"command line: {refused}"
            fatal = Fatal(exit_code=2, message="input refused", problems=[problem])
            _print(Result(mode=mode, fatal=fatal), json_output=True)
        raise


def _print(result: Result, *, json_output: bool) -> None:
    if json_output:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
        return
    stream = sys.stderr if result.fatal else sys.stdout
    for line in console(result, diffs=result.mode is Mode.PLAN):
        _write(stream, line)


def _write_summary(finished: Finished, path: str) -> None:
    try:
        Path(path).write_text(finished.summary, encoding="utf-8")
    except OSError as err:
        _say(f"error: the summary could not be written to {path}: {err.strerror}")
