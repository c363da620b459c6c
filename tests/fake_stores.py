"""In-memory KeyValueStores behind the two store ports (core/port.py), for fast unit tests of the shell.

`FakeStores` is one account's stores; `.control` answers as CloudFront's control plane (a store's ARN
and Status, by name) and `.data` as the data API (its ETag and keys, by ARN). The data API answers 409
on a stale If-Match and renews the ETag on every write; a new store starts out not READY when asked to
and becomes READY after that many describes. On either port a test can run code just before an
operation (a second writer), lose an answer after the write took effect, and have the nth call of an
operation refused (AccessDenied, say). The HTTP tests against the emulator prove the wire behaves so.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from publisher.core.errors import AlreadyExists, AwsError, NotFound, StoreConflict
from publisher.core.port import StoreControl, StoreData
from publisher.core.stores import BATCH_KEYS

ARN = "arn:aws:cloudfront::123456789012:key-value-store/"
READY = "READY"
PROVISIONING = "PROVISIONING"
_etags = itertools.count(1)


def new_etag() -> str:
    return f"KV{next(_etags)}"


@dataclass
class Store:
    name: str
    arn: str
    etag: str
    keys: dict[str, str]
    comment: str = ""
    status: str = READY
    describes_to_ready: int = 0  # control-plane describes until a new store is READY


Hook = Callable[["FakeStores"], object]  # what it returns is ignored


@dataclass
class _Faults:
    """What a test may do to one port: a hook before an operation, a lost answer, a refusal."""

    world: FakeStores = field(repr=False)
    calls: Counter[str] = field(default_factory=Counter)
    before: dict[str, Hook] = field(default_factory=dict)  # run once, before the next such call
    lose_answer: set[str] = field(default_factory=set)  # the write takes effect, the answer is lost
    refusals: dict[str, tuple[int, AwsError]] = field(default_factory=dict)
    due: list[tuple[str, int, Hook]] = field(default_factory=list)  # hooks for a later call: before_nth

    def before_nth(self, operation: str, nth: int, hook: Hook) -> None:
        """`hook` runs just before the nth call of `operation` from now (`before` is the next one)."""
        self.due.append((operation, self.calls[operation] + nth, hook))

    def refuse(self, operation: str, *, nth: int = 1, code: str = "AccessDenied", status: int = 403) -> None:
        """The nth call of `operation` from now is refused with `code`, and nothing of it takes effect."""
        self.refusals[operation] = (self.calls[operation] + nth, AwsError(operation, code, "refused", status))

    def _enter(self, operation: str) -> None:
        self.calls[operation] += 1
        hook = self.before.pop(operation, None)
        if hook:
            hook(self.world)
        for due in [d for d in self.due if d[:2] == (operation, self.calls[operation])]:
            self.due.remove(due)
            due[2](self.world)
        refusal = self.refusals.get(operation)
        if refusal and refusal[0] == self.calls[operation]:
            del self.refusals[operation]
            raise refusal[1]

    def _answer(self, operation: str) -> None:
        if operation in self.lose_answer:
            self.lose_answer.discard(operation)
            raise AwsError(operation, "ReadTimeoutError", "no answer", 0)


@dataclass
class FakeStoreControl(_Faults):
    """CreateKeyValueStore and DescribeKeyValueStore of CloudFront's control plane, by name."""

    def describe_key_value_store(self, name: str) -> tuple[str, str] | None:
        self._enter("DescribeKeyValueStore")
        store = self.world.stores.get(name)
        if store is None:
            return None
        if store.status != READY:
            store.describes_to_ready -= 1
            if store.describes_to_ready <= 0:
                store.status = READY
        return store.arn, store.status

    def create_key_value_store(
        self, name: str, comment: str, tags: Mapping[str, str] | None = None
    ) -> tuple[str, str]:
        self._enter("CreateKeyValueStore")
        if name in self.world.stores:
            raise AlreadyExists("CreateKeyValueStore", "EntityAlreadyExists", name, 409)
        ready_after = self.world.ready_after
        store = self.world.put(name, {}, status=PROVISIONING if ready_after else READY)
        store.comment, store.describes_to_ready = comment, ready_after
        self._answer("CreateKeyValueStore")
        return store.arn, store.status


@dataclass
class FakeStoreData(_Faults):
    """DescribeKeyValueStore, ListKeys and UpdateKeys of the data API, by ARN."""

    written: list[tuple[dict[str, str], tuple[str, ...]]] = field(default_factory=list)  # each UpdateKeys

    def describe(self, arn: str) -> str:
        self._enter("DescribeKeyValueStore")
        return self._store(arn, "DescribeKeyValueStore").etag

    def list_keys(self, arn: str) -> dict[str, str]:
        self._enter("ListKeys")
        return dict(self._store(arn, "ListKeys").keys)

    def update_keys(self, arn: str, if_match: str, puts: Mapping[str, str], deletes: Sequence[str]) -> str:
        self._enter("UpdateKeys")
        store = self._store(arn, "UpdateKeys")
        if store.etag != if_match:
            raise StoreConflict("UpdateKeys", "ConflictException", f"{if_match} is not {store.etag}", 409)
        if len(puts) + len(deletes) > BATCH_KEYS:
            raise AwsError("UpdateKeys", "ServiceQuotaExceededException", "too many keys", 402)
        self.world.write(store.name, puts, deletes)
        self.written.append((dict(puts), tuple(deletes)))
        self._answer("UpdateKeys")
        return store.etag

    def _store(self, arn: str, operation: str) -> Store:
        found = next((s for s in self.world.stores.values() if s.arn == arn), None)
        if found is None:
            raise NotFound(operation, "ResourceNotFoundException", arn, 404)
        return found


@dataclass
class FakeStores:
    """One account's KeyValueStores, seen through both ports."""

    stores: dict[str, Store] = field(default_factory=dict)
    ready_after: int = 0  # describes a store this run creates takes to be READY; 0: READY at once
    control: FakeStoreControl = field(init=False)
    data: FakeStoreData = field(init=False)

    def __post_init__(self) -> None:
        self.control, self.data = FakeStoreControl(self), FakeStoreData(self)

    # --- seeding and changing, as another client would -------------------------------------------

    def put(self, name: str, keys: Mapping[str, str], *, status: str = READY) -> Store:
        store = Store(name, ARN + name, new_etag(), dict(keys), status=status)
        self.stores[name] = store
        return store

    def write(self, name: str, puts: Mapping[str, str], deletes: Sequence[str] = ()) -> str:
        """A write to the keys, by this run or someone else: the store gets a new ETag."""
        store = self.stores[name]
        for key in deletes:
            store.keys.pop(key, None)
        store.keys.update(puts)
        store.etag = new_etag()
        return store.etag

    def keys(self, name: str) -> dict[str, str]:
        return dict(self.stores[name].keys)

    @property
    def ports(self) -> tuple[StoreControl, StoreData]:
        """Both fakes as the ports they stand for: mypy holds them to the protocols."""
        return self.control, self.data
