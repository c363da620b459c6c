"""A store's writes against the in-memory store ports: the create and its wait, UpdateKeys in batches on
the ETag each answered, every 409 path through `recheck_store`, a refusal part-way, the backup first,
a cancel, and a store that never gets READY. Each failure is data in the Outcome."""

from __future__ import annotations

import threading
from pathlib import Path

from publisher.core.modes import Action, Mode
from publisher.core.outcome import Halt, Outcome
from publisher.core.store_plan import StorePlan, plan_store
from publisher.core.stores import StoreSpec, StoreState
from publisher.shell.files import BackupFolder
from publisher.shell.stores import POLL, READY_TIMEOUT, StoreBackups, StorePorts, apply_store, observe_store
from tests.factories import store
from tests.fake_stores import ARN, PROVISIONING, FakeStores

OLD = {f"k{i:03}": "0" for i in range(120)}
NEW = {f"k{i:03}": "1" for i in range(120)}


class NoDisk:
    def save_store(
        self, name: str, state: StoreState, replaced: dict[str, str], added: list[str], sensitive: bool
    ) -> str:
        raise OSError(28, "No space left on device")


def ports(
    fake: FakeStores,
    tmp: Path,
    stop: threading.Event | None = None,
    backups: StoreBackups | None = None,
    sleeps: list[float] | None = None,
) -> StorePorts:
    return StorePorts(
        fake.control,
        fake.data,
        backups or BackupFolder(tmp / "b", "b"),
        stop or threading.Event(),
        sleep=(sleeps if sleeps is not None else []).append,
    )


def plan_of(fake: FakeStores, spec: StoreSpec, at: StorePorts, mode: Mode = Mode.PUBLISH) -> StorePlan:
    plan = plan_store(spec, observe_store(spec, at), mode.carried)
    fake.control.calls.clear()
    fake.data.calls.clear()
    return plan


def carry(fake: FakeStores, spec: StoreSpec, tmp: Path, **kw: object) -> Outcome:
    at = ports(fake, tmp, **kw)  # type: ignore[arg-type]
    return apply_store(plan_of(fake, spec, at), at)


def sizes(fake: FakeStores) -> list[int]:
    return [len(puts) + len(deletes) for puts, deletes in fake.data.written]


def test_a_new_store_is_created_waited_for_and_written_in_batches(tmp_path: Path) -> None:
    fake = FakeStores(ready_after=2)
    out = carry(fake, store("cfg", NEW), tmp_path)
    assert out.stop is None and out.done == (Action.CREATE, Action.UPDATE_KEYS)
    assert fake.control.calls["DescribeKeyValueStore"] == 2  # PROVISIONING, then READY
    assert sizes(fake) == [50, 50, 20]  # each on the ETag the last answered, or the fake says 409
    assert fake.keys("cfg") == NEW
    assert (out.arn, out.etag) == (ARN + "cfg", fake.stores["cfg"].etag)


def test_sync_creates_and_writes_plan_writes_nothing(tmp_path: Path) -> None:
    fake = FakeStores()
    at = ports(fake, tmp_path)
    assert apply_store(plan_of(fake, store("cfg", {"a": "1"}), at, Mode.PLAN), at) == Outcome()
    assert fake.stores == {}
    out = apply_store(plan_of(fake, store("cfg", {"a": "1"}), at, Mode.SYNC), at)
    assert out.done == (Action.CREATE, Action.UPDATE_KEYS) and fake.keys("cfg") == {"a": "1"}
    assert apply_store(plan_of(fake, store("cfg", {"a": "2"}), at, Mode.PREVIEW), at) == Outcome()
    assert fake.keys("cfg") == {"a": "1"} and len(fake.data.written) == 1


def test_a_409_over_someone_elses_keys_keeps_them_and_writes_only_the_plans(tmp_path: Path) -> None:
    fake = FakeStores()
    fake.put("cfg", {"a": "0", "b": "0"})

    def other_writer(f: FakeStores) -> None:
        f.write("cfg", {"b": "theirs", "z": "new"})

    fake.data.before["UpdateKeys"] = other_writer
    out = carry(fake, store("cfg", {"a": "1", "b": "0"}), tmp_path)
    assert out.stop is None and out.done == (Action.UPDATE_KEYS,)
    assert out.theirs == ("b", "z")
    assert fake.data.written == [({"a": "1"}, ())]  # z is not in the file, yet not deleted: it is theirs
    assert fake.keys("cfg") == {"a": "1", "b": "theirs", "z": "new"}


def test_a_409_over_a_key_this_run_writes_is_a_conflict_and_writes_nothing_more(tmp_path: Path) -> None:
    fake = FakeStores()
    fake.put("cfg", OLD)
    fake.data.before["UpdateKeys"] = lambda f: f.write("cfg", {"k007": "theirs"})
    out = carry(fake, store("cfg", NEW), tmp_path)
    assert out.stop is not None and out.stop.halt is Halt.CONFLICT
    assert "`k007`" in out.stop.message and "not published" in out.stop.message
    assert out.done == () and fake.data.written == []
    assert fake.keys("cfg")["k007"] == "theirs"
    assert out.etag == fake.stores["cfg"].etag  # the store as it was left, for the report


def test_two_409s_after_a_batch_name_only_the_keys_someone_else_changed(tmp_path: Path) -> None:
    """The second re-read finds the first batch's keys changed too: by this run, not someone else."""
    fake = FakeStores()
    fake.put("cfg", {**OLD, "x": "0", "y": "0"})
    fake.data.before_nth("UpdateKeys", 2, lambda f: f.write("cfg", {"x": "theirs"}))
    fake.data.before_nth("UpdateKeys", 3, lambda f: f.write("cfg", {"y": "theirs"}))
    out = carry(fake, store("cfg", {**NEW, "x": "0", "y": "0"}), tmp_path)
    assert out.stop is None and out.theirs == ("x", "y")
    assert sum(sizes(fake)) == 120 and fake.keys("cfg") == {**NEW, "x": "theirs", "y": "theirs"}


def test_a_key_this_run_wrote_then_someone_changed_is_a_conflict_at_the_next_409(tmp_path: Path) -> None:
    fake = FakeStores()
    fake.put("cfg", {**OLD, "x": "0"})
    fake.data.before_nth("UpdateKeys", 2, lambda f: f.write("cfg", {"x": "theirs"}))
    fake.data.before_nth("UpdateKeys", 3, lambda f: f.write("cfg", {"k000": "theirs"}))
    out = carry(fake, store("cfg", {**NEW, "x": "0"}), tmp_path)
    assert out.stop is not None and out.stop.halt is Halt.CONFLICT and "`k000`" in out.stop.message
    assert fake.keys("cfg")["k000"] == "theirs"


def test_a_refusal_on_the_third_batch_reports_what_took_effect_and_keeps_the_backup(tmp_path: Path) -> None:
    fake = FakeStores()
    fake.put("cfg", OLD)
    fake.data.refuse("UpdateKeys", nth=3)
    out = carry(fake, store("cfg", NEW), tmp_path)
    assert out.stop is not None and out.stop.halt is Halt.FAILED and "AccessDenied" in out.stop.message
    assert out.stop.unanswered == ""  # refused: nothing of the third batch took effect
    assert out.done == (Action.UPDATE_KEYS,) and out.partial == "100 of 120 key changes"
    assert out.backup and (tmp_path / out.backup).is_file()
    assert sum(v == "1" for v in fake.keys("cfg").values()) == 100


def test_a_lost_answer_may_have_taken_effect(tmp_path: Path) -> None:
    fake = FakeStores()
    fake.put("cfg", {"a": "0"})
    fake.data.lose_answer.add("UpdateKeys")
    out = carry(fake, store("cfg", {"a": "1"}), tmp_path)
    assert out.stop is not None and out.stop.unanswered == "UpdateKeys"
    assert fake.keys("cfg") == {"a": "1"}  # it did


def test_a_create_whose_answer_was_lost_may_have_taken_effect(tmp_path: Path) -> None:
    fake = FakeStores()
    fake.control.lose_answer.add("CreateKeyValueStore")
    out = carry(fake, store("cfg", {"a": "1"}), tmp_path)
    assert out.stop is not None and out.stop.unanswered == "CreateKeyValueStore"
    assert out.done == () and "cfg" in fake.stores  # it did; the re-run finds it and writes its keys


def test_no_key_changes_without_a_backup(tmp_path: Path) -> None:
    fake = FakeStores()
    fake.put("cfg", {"a": "0"})
    out = carry(fake, store("cfg", {"a": "1"}), tmp_path, backups=NoDisk())
    assert out.stop is not None and out.stop.halt is Halt.FAILED
    assert "backup could not be written" in out.stop.message
    assert fake.data.calls["UpdateKeys"] == 0 and fake.keys("cfg") == {"a": "0"}


def test_a_cancel_between_batches_starts_no_new_one(tmp_path: Path) -> None:
    fake, stop = FakeStores(), threading.Event()
    fake.put("cfg", OLD)
    fake.data.before["UpdateKeys"] = lambda f: stop.set()  # the signal comes during the first batch
    out = carry(fake, store("cfg", NEW), tmp_path, stop=stop)
    assert sizes(fake) == [50]
    assert out.stop is not None and out.stop.halt is Halt.CANCELLED
    assert out.stop.unanswered == ""  # every batch sent was answered
    assert out.done == (Action.UPDATE_KEYS,) and out.partial == "50 of 120 key changes"


def test_a_cancel_before_the_create_creates_nothing(tmp_path: Path) -> None:
    fake, stop = FakeStores(), threading.Event()
    stop.set()
    out = carry(fake, store("cfg", NEW), tmp_path, stop=stop)
    assert out.stop is not None and out.stop.halt is Halt.CANCELLED and out.stop.unanswered == ""
    assert fake.stores == {} and out.done == ()


def test_a_store_that_never_gets_ready_fails_after_its_create(tmp_path: Path) -> None:
    fake, sleeps = FakeStores(ready_after=10_000), list[float]()
    out = carry(fake, store("cfg", NEW), tmp_path, sleeps=sleeps)
    assert out.stop is not None and out.stop.halt is Halt.FAILED and PROVISIONING in out.stop.message
    assert out.stop.unanswered == ""  # the create was answered; only the wait ran out
    assert out.done == (Action.CREATE,) and fake.data.calls["UpdateKeys"] == 0
    assert fake.control.calls["DescribeKeyValueStore"] == READY_TIMEOUT / POLL  # one a poll, no more
    assert sum(sleeps) == READY_TIMEOUT
