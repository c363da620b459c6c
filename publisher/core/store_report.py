"""Result → console lines for KeyValueStores: one line per store, then a line per key it adds, changes or
deletes (a sensitive store's values as hashes, already so in the Result)."""

from __future__ import annotations

from publisher.core.result import Result, Status, StoreResult

SYMBOL = {
    Status.CREATED: "+",
    Status.UPDATED: "~",
    Status.UNCHANGED: "=",
    Status.PLANNED: "~",
    Status.CONFLICT: "✗",
    Status.FAILED: "!",
    Status.BLOCKED: "⊘",
    Status.ROLLED_BACK: "↩",  # a distribution the guard set back
}
PLANNED_SYMBOL = {"create": "+", "update-keys": "~"}  # as a planned function's: the first write's


def store_lines(result: Result) -> list[str]:
    return [line for s in result.stores for line in _store(s)]


def _store(s: StoreResult) -> list[str]:
    planned = s.status is Status.PLANNED
    what = ", ".join(s.actions) if planned else s.status.value
    symbol = PLANNED_SYMBOL.get(s.actions[0], "~") if planned and s.actions else SYMBOL.get(s.status, "?")
    lines = [f"{symbol} {what:<16} store {s.name}  {s.reason}"]
    if s.error:
        lines.append(f"    error: {s.error}")
    lines += [f"    + {k.key} = {k.new}" for k in s.added]
    lines += [f"    ~ {k.key} = {k.old} → {k.new}" for k in s.changed]
    lines += [f"    - {k.key} (was {k.old})" for k in s.deleted]
    if s.next_step:
        lines.append(f"    next: {s.next_step}")
    return lines
