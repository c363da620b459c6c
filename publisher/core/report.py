"""Result → the console report: a line per function with what happened and why, then the distributions.

Text from outside (names, AWS messages, test names, diffs) is shown with its control characters
escaped, so it can neither move the cursor nor recolour a terminal."""

from __future__ import annotations

import re

from publisher.core.association_report import association_lines, association_totals
from publisher.core.modes import Mode
from publisher.core.outcome import Outcome
from publisher.core.result import FunctionResult, Result, Status
from publisher.core.store_report import store_lines

CHANGES = 3  # --detailed-exitcode: the run succeeded and something changed (or, planning, would)

SYMBOL = {
    Status.CREATED: "+",
    Status.UPDATED: "~",
    Status.PUBLISHED: "↑",
    Status.UNCHANGED: "=",
    Status.BLOCKED: "⊘",
    Status.CONFLICT: "✗",
    Status.FAILED: "!",
    Status.CHECKED: "✓",
    Status.ROLLED_BACK: "↩",
    Status.DELETED: "-",
}
PLANNED_SYMBOL = {"create": "+", "update": "~", "publish": "↑", "delete": "-", "tag": "~", "untag": "~"}

WHOLE_DISTRIBUTION = "every connection (viewer mTLS)"  # a connection function: no cache behaviour


def console(result: Result, *, diffs: bool = False) -> list[str]:
    if result.fatal:
        return [f"error: {p}" for p in result.fatal.problems] or [f"error: {result.fatal.message}"]
    width = max((len(f.label) for f in result.functions), default=0)
    lines = [line for f in result.functions for line in function_lines(f, width, diffs=diffs)]
    return store_lines(result) + lines + association_lines(result) + footer(result)


def footer(result: Result) -> list[str]:
    """Everything after the functions: totals, distributions, backups, drift, warnings."""
    lines = [totals(result)]
    lines += distributions(result)
    lines += guard_lines(result)
    if result.backup_dir:
        lines.append(f"LIVE code replaced by this run was saved under {result.backup_dir}/")
    if result.other_functions:
        lines.append(f"In the account but not in the manifest: {', '.join(result.other_functions)}")
    lines += account_lines(result)
    lines += [f"warning: {w}" for w in result.warnings]
    return lines


def account_lines(result: Result) -> list[str]:
    """The account's counts against its quotas, and its loose ends, when it has any."""
    a = result.account
    if a is None or not (a.unattached_functions or a.unused_stores or a.throwaways):
        return []
    lines = [
        f"Account, as read before this run: {a.functions.count} of {a.functions.quota} functions, "
        f"{a.stores.count} of {a.stores.quota} KeyValueStores"
    ]
    for names, what in (
        (a.unattached_functions, "not in the manifest and run by no distribution"),
        (a.unused_stores, "KeyValueStores no function reads"),
        (a.throwaways, "preview copies left behind (`cleanup` deletes them)"),
    ):
        if names:
            lines.append(f"  {len(names)} {what}: {', '.join(names)}")
    return lines


def headline(f: FunctionResult) -> str:
    what = ", ".join(f.actions) if f.status is Status.PLANNED else f.status.value
    symbol = PLANNED_SYMBOL[f.actions[0]] if f.status is Status.PLANNED else SYMBOL[f.status]
    return f"{symbol} {what}"


def function_lines(f: FunctionResult, width: int = 0, *, diffs: bool = False) -> list[str]:
    lines = [f"{headline(f):<18} {f.label:<{width}}  {f.reason}"]
    if f.error and f.error != f.reason:
        lines.append(f"    error: {f.error}")
    for t in f.tests:
        where = f"in {t.engine}, not CloudFront" if t.engine else f"utilization {t.utilization}"
        lines.append(f"    test {'pass' if t.passed else 'FAIL'}: {t.name} ({where})")
        if not t.passed and t.engine:  # TestFunction's reasons are in the result; a local run shows its own
            lines += [f"      {line}" for line in (t.error, *t.mismatch.splitlines()) if line]
    if f.next_step:
        lines.append(f"    next: {f.next_step}")
    if diffs:
        lines += [f"    {line}" for d in (f.repo_diff, f.live_diff) for line in d.splitlines()]
    return lines


def totals(result: Result) -> str:
    """One line counting every resource: functions, then KeyValueStores when the manifest has any."""
    fs = result.functions
    if result.mode is Mode.CHECK:
        return f"Checked: {len(fs)} functions, with no call to AWS."
    if result.mode is Mode.TEST:
        cases = [t for f in fs for t in f.tests]
        passed = sum(t.passed for t in cases)
        return f"Tested locally: {passed} of {len(cases)} cases passed in {len(fs)} functions, with no call to AWS."
    stores = _store_totals(result) + association_totals(result)
    if result.mode is None or result.mode.planning:
        counts = [
            sum(a in f.actions for f in fs if f.status is Status.PLANNED)
            for a in ("create", "update", "publish")
        ]
        unchanged = sum(f.status is Status.UNCHANGED for f in fs)
        failed = len(result.failed)
        tags = sum(bool({"tag", "untag"} & set(f.actions)) for f in fs if f.status is Status.PLANNED)
        return (
            f"Plan: {counts[0]} to create, {counts[1]} to update, {counts[2]} to publish, {unchanged} unchanged"
            + (f", {tags} to tag" if tags else "")
            + (f", {failed} failed" if failed else "")
            + stores
            + "."
        )
    parts = [f"{sum(f.status is s for f in fs)} {s.value}" for s in Status if any(f.status is s for f in fs)]
    if not parts and not stores:
        return "Done: nothing to do."
    return f"Done: {', '.join(parts) or 'no function written'}{stores}."


def _store_totals(result: Result) -> str:
    if not result.stores:
        return ""
    counts: dict[str, int] = {}
    for s in result.stores:
        what = f"to {', '.join(s.actions)}" if s.status is Status.PLANNED else s.status.value
        counts[what] = counts.get(what, 0) + 1
    return "; KeyValueStores: " + ", ".join(f"{n} {what}" for what, n in counts.items())


def distributions(result: Result) -> list[str]:
    if not result.distributions:
        return []
    uses = {(f.label, u.distribution): u for f in result.functions for u in f.used_by}  # one pass
    lines = ["Distributions running these functions:"]
    for d in result.distributions:
        aliases = f" ({', '.join(d.aliases)})" if d.aliases else ""
        lines.append(f"  {d.id}  {d.domain}{aliases}  {d.status}{'' if d.enabled else ', disabled'}")
        for name in d.functions:
            if (use := uses.get((name, d.id))) is not None:
                where = ", ".join(f"{b.path_pattern or 'default'} ({b.event_type})" for b in use.behaviours)
                where = where or WHOLE_DISTRIBUTION
                lines.append(f"    {name}: {where}")
    return lines


def guard_lines(result: Result) -> list[str]:
    """The guard of a publish: per watched function its invocations, errors, rate and verdict."""
    guard = result.guard
    if guard is None:
        return []
    how = "cancelled" if guard.cancelled else f"{guard.watch_minutes:g} min"
    lines = [f"Watched at the edge ({how}, limit {guard.max_error_rate:g}% errors):"]
    for w in guard.functions:
        rate = "no rate" if w.error_rate is None else f"{w.error_rate:g}%"
        note = f"  ({w.note})" if w.note else ""
        lines.append(
            f"  {w.function}: {w.invocations} invocations, {w.errors} errors, {rate}: {w.verdict}{note}"
        )
    if guard.error:
        lines.append(f"  error: {guard.error}")
    return lines


def escape_controls(text: str) -> str:
    """A line for a terminal: a control character (ESC, CR, DEL, C1, bidi overrides) is shown as `\\x1b`."""
    return "".join(c if c.isprintable() or c == "\t" else repr(c)[1:-1] for c in text)


def exit_status(result: Result, *, detailed: bool = False) -> int:
    """0 done, 1 failed, 2 bad input; with `detailed`, a success that changed something is 3."""
    code = result.exit_code
    return CHANGES if detailed and code == 0 and result.has_changes else code


def progress_line(name: str, outcome: Outcome, done: int) -> str:
    """The `done`th function whose writes ended: `[2] redirect-www: update, publish`, or why it stopped."""
    what = ", ".join(outcome.done) or "nothing written"
    if outcome.stop:
        what = f"{what}; {outcome.stop.halt}: {outcome.stop.message}"
    return f"[{done}] {name}: {what}"


# Colours by what a line is; applied to lines already escaped (escape_controls), so that outside text
# can never bring escape codes of its own. Only ever asked for on a terminal, without NO_COLOR.
_RED, _GREEN, _YELLOW, _CYAN, _DIM = "31", "32", "33", "36", "2"
_HEADLINE = {
    SYMBOL[s]: c
    for s, c in [
        (Status.CREATED, _GREEN),
        (Status.UPDATED, _YELLOW),
        (Status.PUBLISHED, _GREEN),
        (Status.UNCHANGED, _DIM),
        (Status.BLOCKED, _RED),
        (Status.CONFLICT, _RED),
        (Status.FAILED, _RED),
        (Status.CHECKED, _GREEN),
    ]
}  # a planned write shares its symbol, and so its colour, with the status it leads to
_LINE_COLOUR = (
    (re.compile(r"^(error|warning):"), _RED),
    (re.compile(r"^ {4}(test FAIL|error:|next:)"), _RED),
    (re.compile(r"^ {4}@@"), _CYAN),
    (re.compile(r"^ {4}(\+\+\+|---) "), _DIM),
    (re.compile(r"^ {4}\+"), _GREEN),
    (re.compile(r"^ {4}-"), _RED),
    (re.compile(r"^(Plan|Done|Checked):"), "1"),
)


def coloured(line: str) -> str:
    """The console line with ANSI colours: a headline by its status, a diff by its +/-, errors red."""
    colour = _HEADLINE.get(line[:1]) if line[1:2] == " " else None
    for pattern, code in _LINE_COLOUR:
        if colour is None and pattern.match(line):
            colour = code
    return f"\x1b[{colour}m{line}\x1b[0m" if colour else line
