"""The command line: argv → Settings; prints the console report, or the result with --json."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from publisher.core.plan import Mode
from publisher.core.report import console
from publisher.core.settings import Settings, settings_from, split_names
from publisher.shell.github import Log

DESCRIPTION = "Sync, test and publish CloudFront Functions from a manifest, guarded by ETags."


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="cloudfront-publish", description=DESCRIPTION)
    p.add_argument(
        "mode",
        choices=[m.value for m in Mode],
        help="plan: show what would change; preview: test changed code in throwaway functions; "
        "sync: create and update DEVELOPMENT; publish: sync, test, then publish what changed",
    )
    p.add_argument("--manifest", default="cloudfront-functions.yml", help="the manifest (YAML or JSON)")
    p.add_argument("--functions", default="", help="only these manifest functions (comma-separated)")
    p.add_argument("--json", action="store_true", help="print the result as JSON on stdout")
    p.add_argument("--endpoint-url", help="CloudFront endpoint (AWS_ENDPOINT_URL works too)")
    p.add_argument(
        "--backup-dir", default="cloudfront-backups", help="where LIVE code is saved before a publish"
    )
    p.add_argument("--max-concurrency", type=int, default=16, help="AWS calls in flight at once")
    p.add_argument(
        "--wait", action="store_true", help="after publishing, wait until the distributions are deployed"
    )
    p.add_argument("--wait-timeout-minutes", type=float, default=20)
    p.add_argument("--summary", metavar="PATH", help="also write the Markdown job summary to PATH")
    p.add_argument(
        "--summary-template", metavar="PATH", help="a Jinja template replacing the built-in summary"
    )
    return p


def settings_from_argv(argv: Sequence[str]) -> Settings:
    args = parser().parse_args(argv)
    return settings_from(
        {
            "mode": args.mode,
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
        },
        "command line",
    )


def _say(line: str) -> None:
    sys.stderr.write(line + "\n")  # progress goes to stderr, so --json output stays parseable


def main(argv: Sequence[str]) -> int:
    from publisher.action import read_template, summary
    from publisher.shell.aws import CloudFront
    from publisher.shell.engine import Hooks, cancel_on_signals, load, run
    from publisher.shell.files import Workspace
    from publisher.shell.testing import Tester

    settings = settings_from_argv(argv)
    workspace = Workspace(Path.cwd())
    manifest = load(settings, workspace)
    template = read_template(settings)
    cloudfront = CloudFront(settings.endpoint_url, settings.max_concurrency)
    hooks = Hooks(tester=Tester(cloudfront, settings.max_concurrency), say=_say)
    with cancel_on_signals(hooks.stop, _say):
        result = run(settings, cloudfront, workspace, manifest, hooks)
    if settings.json_output:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
    else:
        log = Log(commands=False)  # AWS messages and names pass through it: no line can act as a command
        for line in console(result):
            log.line(line)
    if settings.summary_file:
        Path(settings.summary_file).write_text(summary(result, template, os.environ), encoding="utf-8")
    return result.exit_code
