"""KeyValueStores as a second kind of resource: the keys a data file asks for, the keys AWS holds, and the
pure diff between them (puts and deletes). No I/O.

A store declared with `data` is owned by its file: keys the file does not hold are deleted. The size
limits are CloudFront's, checked before any call:

- Key 512 bytes, value 1,024 bytes, a store 5 MB in all: Developer Guide, "Quotas" (section on
  KeyValueStore, https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html)
  and "File format for key-value pairs" (kvs-with-functions-create-s3-kvp.html: "Key size - 512
  characters", "Value size - 1024 characters", no duplicate keys). Sizes are counted in UTF-8 bytes,
  which is never fewer than characters, so a file within these limits is within CloudFront's.
- UpdateKeys: at most 50 keys (puts and deletes together) and 3 MB a request, the service quota met
  by other tools (terraform-provider-aws issues #42789 and #46220: ServiceQuotaExceededException past
  50 keys); the API reference (API_kvs_UpdateKeys) calls each request all-or-nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from publisher.core.errors import Problem

KEY_LIMIT = 512  # bytes
VALUE_LIMIT = 1_024  # bytes
STORE_LIMIT = 5 * 1024 * 1024  # bytes, keys and values together
BATCH_KEYS = 50  # puts and deletes in one UpdateKeys
BATCH_BYTES = 3 * 1024 * 1024


@dataclass(frozen=True)
class StoreSpec:
    """What the manifest asks for one store; `data` None leaves its keys as AWS holds them."""

    name: str
    comment: str = ""
    data_path: str | None = None
    data: Mapping[str, str] | None = None
    sensitive: bool = False
    lines: dict[str, int] = field(default_factory=dict, compare=False, hash=False)
    restore: Changes | None = None  # a rollback: put the saved keys back, delete the ones the run added
    restored_from: str = ""  # the `<store>.KVS.<etag>.json` a rollback restores
    arn: str = ""  # known for a rollback, whose functions name their store by ARN
    tags: Mapping[str, str | None] | None = field(default=None, compare=False, hash=False)  # core/tags.py
    tags_after: Mapping[str, str | None] | None = field(
        default=None, compare=False, hash=False
    )  # a rollback's

    def line(self, key: str = "name") -> int | None:
        return self.lines.get(key) or self.lines.get("name")


@dataclass(frozen=True)
class StoreState:
    """A store as read: its ARN and status from CloudFront, its ETag and keys from the data API."""

    name: str
    arn: str
    etag: str
    keys: Mapping[str, str]
    status: str = "READY"


@dataclass(frozen=True)
class Changes:
    """Puts (added or changed) and deletes: what UpdateKeys is asked to do, as a value."""

    puts: Mapping[str, str] = field(default_factory=dict)
    deletes: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.puts or self.deletes)

    def touched(self) -> set[str]:
        return set(self.puts) | set(self.deletes)

    def target(self, key: str) -> str | None:
        """The value this change leaves under `key`; None for a delete."""
        return self.puts.get(key)


def wanted_keys(spec: StoreSpec, held: Mapping[str, str]) -> Mapping[str, str] | None:
    """What the store should hold, given what it holds: its data file's keys (the file owns the store);
    for a rollback, what it holds with the saved keys put back and the keys the run added removed;
    None when the manifest gives no data (its keys are left as they are)."""
    if spec.restore is not None:
        kept = {k: v for k, v in held.items() if k not in spec.restore.deletes}
        return {**kept, **spec.restore.puts}
    return spec.data


def diff(wanted: Mapping[str, str], held: Mapping[str, str]) -> Changes:
    puts = {k: v for k, v in sorted(wanted.items()) if held.get(k) != v}
    deletes = tuple(sorted(k for k in held if k not in wanted))
    return Changes(puts, deletes)


class Verdict(StrEnum):
    GO_ON = "go on"
    CONFLICT = "conflict"


@dataclass(frozen=True)
class StoreRecheck:
    verdict: Verdict
    changes: Changes = field(default_factory=Changes)
    message: str = ""
    theirs: tuple[str, ...] = ()  # keys this run never meant to touch that someone else changed: kept


def recheck_store(planned: Changes, seen: Mapping[str, str], fresh: Mapping[str, str]) -> StoreRecheck:
    """After a 409 (the store's ETag moved), `plan.recheck`'s rule key by key: a key this run meant to
    change may be written only while it holds what the run saw there or what the run put there; any
    other value is someone else's change, a conflict. Keys the run never meant to touch are theirs to
    change: they are kept as they are now, and named. What is left to write is what the plan asked for
    and the store does not hold yet; never more."""
    ours = planned.touched()
    moved = sorted(k for k in ours if fresh.get(k) not in (seen.get(k), planned.target(k)))
    if moved:
        shown = ", ".join(f"`{k}`" for k in moved[:5]) + (" …" if len(moved) > 5 else "")
        return StoreRecheck(Verdict.CONFLICT, message=f"someone else changed {shown} during this run")
    theirs = tuple(sorted(k for k in set(seen) | set(fresh) if k not in ours and seen.get(k) != fresh.get(k)))
    left = Changes(
        {k: v for k, v in planned.puts.items() if fresh.get(k) != v},
        tuple(k for k in planned.deletes if k in fresh),
    )
    return StoreRecheck(Verdict.GO_ON, left, theirs=theirs)


def batches(changes: Changes) -> list[Changes]:
    """UpdateKeys requests within BATCH_KEYS keys and BATCH_BYTES bytes each, deletes first."""
    items: list[tuple[str, str | None]] = [(k, None) for k in changes.deletes]
    items += list(changes.puts.items())
    out: list[Changes] = []
    puts: dict[str, str] = {}
    deletes: list[str] = []
    size = 0
    for key, value in items:
        weight = len(key.encode()) + len((value or "").encode())
        if puts.keys() | set(deletes) and (
            len(puts) + len(deletes) >= BATCH_KEYS or size + weight > BATCH_BYTES
        ):
            out.append(Changes(puts, tuple(deletes)))
            puts, deletes, size = {}, [], 0
        if value is None:
            deletes.append(key)
        else:
            puts[key] = value
        size += weight
    if puts or deletes:
        out.append(Changes(puts, tuple(deletes)))
    return out


def shown(value: str | None, sensitive: bool) -> str | None:
    """A value as reports show it: itself, or for a sensitive store a short hash that says only whether it changed."""
    if value is None or not sensitive:
        return value
    return "sha256:" + hashlib.sha256(value.encode()).hexdigest()[:12]


def size_of(data: Mapping[str, str]) -> int:
    return sum(len(k.encode()) + len(v.encode()) for k, v in data.items())


def entry_problems(key: object, value: object) -> list[str]:
    """One entry of a data file: a key and a value, both strings within CloudFront's limits."""
    if not isinstance(key, str) or not key:
        return ["`key` must be a non-empty string"]
    if not isinstance(value, str):
        return [f"`{key[:40]}`: `value` must be a string"]
    found = []
    if len(key.encode()) > KEY_LIMIT:
        found.append(f"key `{key[:40]}…` is {len(key.encode()):,} bytes; the limit is {KEY_LIMIT}")
    if len(value.encode()) > VALUE_LIMIT:
        found.append(
            f"the value of `{key[:40]}` is {len(value.encode()):,} bytes; the limit is {VALUE_LIMIT:,}"
        )
    return found


def parse_data(data: bytes, shown: str) -> tuple[dict[str, str] | None, list[Problem]]:
    """A data file in CloudFront's import format, `{"data": [{"key": "k", "value": "v"}]}`, as JSON or YAML:
    every problem located by line, values never quoted (a sensitive store's file is read the same way)."""
    from publisher.core.document import MAX_BYTES, load_document, load_json

    if not data.strip():
        return None, [Problem(shown, 1, "", "the file is empty")]
    large = len(data) > MAX_BYTES
    if large and not shown.lower().endswith(".json"):  # YAML is read node by node, to keep every line
        return None, [
            Problem(
                shown,
                None,
                "",
                f"the file is {len(data):,} bytes; a YAML data file may hold {MAX_BYTES:,}: "
                "write a larger store's data as JSON (a `.json` file), which may hold a full store",
            )
        ]
    doc, problems = load_json(data, shown) if large else load_document(data, shown)
    if doc is None:
        return None, problems
    entries = doc.value.get("data") if isinstance(doc.value, dict) else None
    if not isinstance(entries, list) or set(doc.value) != {"data"}:
        return None, [Problem(shown, doc.line(()), "", 'expected `{"data": [{"key": ..., "value": ...}]}`')]
    found: dict[str, str] = {}
    first: dict[str, int | None] = {}
    problems = []
    for i, entry in enumerate(entries):
        line = doc.line(("data", i))
        if not isinstance(entry, dict) or set(entry) != {"key", "value"}:
            problems.append(Problem(shown, line, f"data.{i}", "expected a mapping of `key` and `value`"))
            continue
        key, value = entry["key"], entry["value"]
        problems += [Problem(shown, line, f"data.{i}", m) for m in entry_problems(key, value)]
        if isinstance(key, str) and key in first:
            at = f" (first at line {first[key]})" if first[key] else ""
            problems.append(Problem(shown, line, f"data.{i}", f"key `{key[:40]}` is listed twice{at}"))
        elif isinstance(key, str) and isinstance(value, str):
            found[key], first[key] = value, line
    total = size_of(found)
    if total > STORE_LIMIT:
        problems.append(
            Problem(
                shown,
                None,
                "data",
                f"the keys and values are {total:,} bytes; a store holds at most {STORE_LIMIT:,}",
            )
        )
    return (None if problems else found), problems
