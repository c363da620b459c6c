"""The applier against the in-memory CloudFront: every 412/409 path, the torn read, the backup that
holds what a publish replaced, and a publish that did not happen leaving no backup."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from publisher.core.errors import AwsError, PreconditionFailed
from publisher.core.model import FunctionConfig, FunctionState, Observed, Stage
from publisher.core.modes import Action, Kind, Mode, Ref
from publisher.core.outcome import Halt, Outcome
from publisher.core.plan import FunctionPlan, make_plan
from publisher.shell.apply import Applier
from publisher.shell.files import BackupFolder
from publisher.shell.observe import read_function
from tests.factories import fn, manifest
from tests.fake_cloudfront import FakeCloudFront, new_etag

OLD = FunctionConfig("old", "cloudfront-js-2.0")
NEW = FunctionConfig("new", "cloudfront-js-1.0")


def plan_of(cf: FakeCloudFront, *specs: object, mode: Mode = Mode.PUBLISH) -> tuple[FunctionPlan, ...]:
    observed = Observed({n: read_function(cf, n) for n in cf.functions})
    cf.calls.clear()
    return make_plan(manifest(*specs), observed, mode).functions  # type: ignore[arg-type]


def apply(cf: FakeCloudFront, fp: FunctionPlan, tmp: Path, stop: threading.Event | None = None) -> Outcome:
    applier = Applier(cf, BackupFolder(tmp / "backups", "backups"), stop=stop or threading.Event())
    return applier.apply(fp)


def saved(tmp: Path) -> list[bytes]:
    return (
        sorted(p.read_bytes() for p in (tmp / "backups").glob("*.js")) if (tmp / "backups").exists() else []
    )


def test_a_torn_read_of_a_bare_name_publishes_nothing(tmp_path: Path) -> None:
    """Config read before a change, code and ETag after: the plan never saw what DEVELOPMENT holds."""
    cf = FakeCloudFront()
    cf.put("a", b"v1", OLD, publish=True)
    cf.put("a", b"v1", NEW)  # someone changed runtime and comment...
    dev = cf.stage("a", Stage.DEVELOPMENT)
    live = cf.stage("a", Stage.LIVE)
    assert dev is not None and live is not None
    torn = FunctionState("a", dev.__class__(dev.etag, dev.code, OLD, dev.arn), live)  # ...after the list
    (fp,) = make_plan(manifest(fn("a", code=None)), Observed({"a": torn}), Mode.PUBLISH).functions
    assert fp.actions == ()  # the torn view shows nothing to publish: the run must not act on NEW either
    cf.put("a", b"v2", NEW)
    dev = cf.stage("a", Stage.DEVELOPMENT)
    assert dev is not None
    torn = FunctionState("a", dev.__class__(dev.etag, b"v2", OLD, dev.arn), live)
    (fp,) = make_plan(manifest(fn("a", code=None)), Observed({"a": torn}), Mode.PUBLISH).functions
    assert fp.carried == (Action.PUBLISH,)
    outcome = apply(cf, fp, tmp_path)
    assert outcome.stop is not None and outcome.stop.halt is Halt.CONFLICT
    assert cf.writes == 0 and cf.stage("a", Stage.LIVE) == live


def test_a_torn_read_of_managed_code_updates_nothing(tmp_path: Path) -> None:
    cf = FakeCloudFront()
    cf.put("a", b"v1", OLD)
    dev = cf.stage("a", Stage.DEVELOPMENT)
    assert dev is not None
    cf.put("a", b"v1", NEW)  # changed between the list (OLD) and the get (new ETag)
    fresh = cf.stage("a", Stage.DEVELOPMENT)
    assert fresh is not None
    torn = FunctionState("a", dev.__class__(fresh.etag, b"v1", OLD, dev.arn), None)
    (fp,) = make_plan(manifest(fn("a", code=b"v2")), Observed({"a": torn}), Mode.PUBLISH).functions
    outcome = apply(cf, fp, tmp_path)
    assert outcome.stop is not None and outcome.stop.halt is Halt.CONFLICT
    assert cf.writes == 0 and cf.stage("a", Stage.DEVELOPMENT) == fresh


def test_a_second_writer_before_the_update_is_not_clobbered(tmp_path: Path) -> None:
    cf = FakeCloudFront()
    cf.put("a", b"v1", OLD, publish=True)
    (fp,) = plan_of(cf, fn("a", code=b"v2"))
    cf.before["DescribeFunction"] = lambda c: c.put("a", b"theirs", OLD)
    outcome = apply(cf, fp, tmp_path)
    assert outcome.stop is not None and outcome.stop.halt is Halt.CONFLICT
    assert "DEVELOPMENT changed after it was read" in outcome.stop.message
    dev = cf.stage("a", Stage.DEVELOPMENT)
    assert dev is not None and dev.code == b"theirs" and cf.writes == 0


@pytest.mark.parametrize("operation", ["UpdateFunction", "PublishFunction", "CreateFunction"])
def test_a_lost_answer_is_reconciled_by_reading_again(tmp_path: Path, operation: str) -> None:
    cf = FakeCloudFront()
    if operation != "CreateFunction":
        cf.put("a", b"v1", OLD, publish=True)
    (fp,) = plan_of(cf, fn("a", code=b"v2"))
    cf.lose_answer.add(operation)
    first = apply(cf, fp, tmp_path)
    assert first.stop is not None and first.stop.unanswered == operation  # it may have taken effect
    (fp,) = plan_of(cf, fn("a", code=b"v2"))
    apply(cf, fp, tmp_path)
    live = cf.stage("a", Stage.LIVE)
    assert live is not None and live.code == b"v2"


def test_a_412_whose_write_went_through_is_reconciled(tmp_path: Path) -> None:
    """A retried update whose first attempt took effect comes back 412: DEVELOPMENT holds our code."""
    cf = FakeCloudFront()
    cf.put("a", b"v1", OLD, publish=True)
    (fp,) = plan_of(cf, fn("a", code=b"v2"))
    config = fp.target.config if fp.target else OLD
    cf.before["UpdateFunction"] = lambda c: c.put("a", b"v2", config)  # "our" first attempt
    outcome = apply(cf, fp, tmp_path)
    assert outcome.stop is None and Action.UPDATE in outcome.reconciled
    assert outcome.done == (Action.UPDATE, Action.PUBLISH)


@pytest.mark.parametrize("renews", [True, False], ids=["publish-renews-dev-etag", "publish-keeps-dev-etag"])
def test_the_backup_holds_the_live_copy_the_publish_replaced(tmp_path: Path, renews: bool) -> None:
    """Someone publishes DEVELOPMENT's staged code during the run: that, not the LIVE the plan saw, is
    what this run's publish replaces, so that is what the backup must hold."""
    cf = FakeCloudFront(publish_renews_development_etag=renews)
    cf.put("a", b"live-at-start", OLD, publish=True)
    cf.put("a", b"staged", OLD)
    (fp,) = plan_of(cf, fn("a", code=b"repo"))

    def someone_publishes(c: FakeCloudFront) -> None:
        dev = c.stage("a", Stage.DEVELOPMENT)
        assert dev is not None
        c.publish_function("a", dev.etag)

    cf.before["DescribeFunction"] = someone_publishes
    outcome = apply(cf, fp, tmp_path)
    assert outcome.stop is None, outcome.stop
    assert outcome.done == (Action.UPDATE, Action.PUBLISH)
    assert saved(tmp_path) == [b"staged"]
    assert outcome.live_moved  # and the result says it was not the LIVE the plan saw


def test_a_cancelled_publish_leaves_no_backup(tmp_path: Path) -> None:
    cf = FakeCloudFront()
    cf.put("a", b"v1", OLD, publish=True)
    (fp,) = plan_of(cf, fn("a", code=b"v2"))
    stop = threading.Event()
    cf.before["UpdateFunction"] = lambda c: stop.set()
    outcome = apply(cf, fp, tmp_path, stop)
    assert outcome.stop is not None and outcome.stop.halt is Halt.CANCELLED
    assert outcome.done == (Action.UPDATE,) and outcome.backup == "" and saved(tmp_path) == []


def test_a_refused_publish_leaves_no_backup(tmp_path: Path) -> None:
    cf = FakeCloudFront()
    cf.put("a", b"v1", OLD, publish=True)
    (fp,) = plan_of(cf, fn("a", code=b"v2"))

    def refuse(c: FakeCloudFront) -> None:
        raise AwsError("PublishFunction", "InvalidArgument", "refused", 400)

    cf.before["PublishFunction"] = refuse
    outcome = apply(cf, fp, tmp_path)
    assert outcome.stop is not None and outcome.stop.halt is Halt.FAILED
    assert outcome.backup == "" and saved(tmp_path) == []


def test_an_unanswered_publish_keeps_its_backup(tmp_path: Path) -> None:
    cf = FakeCloudFront()
    cf.put("a", b"v1", OLD, publish=True)
    (fp,) = plan_of(cf, fn("a", code=b"v2"))
    cf.lose_answer.add("PublishFunction")
    outcome = apply(cf, fp, tmp_path)
    assert outcome.backup and saved(tmp_path) == [b"v1"]


def test_a_publish_refused_as_unchanged_is_reconciled(tmp_path: Path) -> None:
    """A field report: PublishFunction answers 412 when DEVELOPMENT already equals LIVE."""
    cf = FakeCloudFront()
    cf.put("a", b"v1", OLD, publish=True)
    (fp,) = plan_of(cf, fn("a", code=b"v2"))

    def refuse(c: FakeCloudFront) -> None:
        dev = c.stage("a", Stage.DEVELOPMENT)
        assert dev is not None
        c.functions["a"][Stage.LIVE] = dev.__class__(new_etag(), dev.code, dev.config, dev.arn)
        raise PreconditionFailed("PublishFunction", "PreconditionFailed", "unchanged", 412)

    cf.before["PublishFunction"] = refuse
    outcome = apply(cf, fp, tmp_path)
    assert outcome.stop is None and Action.PUBLISH in outcome.reconciled


def test_preview_takes_over_its_own_leftover_and_deletes_it(tmp_path: Path) -> None:
    from publisher.core.throwaway import marked
    from publisher.shell.preview import preview, preview_name

    cf = FakeCloudFront()
    cf.put("a", b"v1", OLD, publish=True)
    cf.put(preview_name("a", "pr7"), b"left by a killed run", marked(OLD, "a", "pr7"))
    plan = make_plan(manifest(fn("a", code=b"v2")), Observed({"a": read_function(cf, "a")}), Mode.PREVIEW)
    tested: list[bytes] = []

    def run_tests(fp: FunctionPlan, etag: str, name: str | None = None) -> list:  # type: ignore[type-arg]
        found = cf.stage(name or fp.name, Stage.DEVELOPMENT)
        assert found is not None and found.etag == etag
        tested.append(found.code)
        return []

    outcomes = preview(plan, cf, run_tests, threading.Event(), "pr7")
    assert outcomes[Ref(Kind.FUNCTION, "a")].stop is None
    assert tested == [b"v2"] and set(cf.functions) == {"a"}


@pytest.mark.parametrize("publish", [True, False])
def test_preview_leaves_a_function_at_its_copys_name_that_is_not_its_leftover(
    tmp_path: Path, publish: bool
) -> None:
    from publisher.shell.preview import preview, preview_name

    cf = FakeCloudFront()
    cf.put("a", b"v1", OLD, publish=True)
    name = preview_name("a", "pr7")
    cf.put(name, b"theirs", OLD, publish=publish)
    plan = make_plan(manifest(fn("a", code=b"v2")), Observed({"a": read_function(cf, "a")}), Mode.PREVIEW)
    cf.calls.clear()
    outcomes = preview(plan, cf, lambda fp, etag, name=None: [], threading.Event(), "pr7")
    stop = outcomes[Ref(Kind.FUNCTION, "a")].stop
    assert stop is not None and stop.halt is Halt.FAILED and name in stop.message
    assert cf.calls["UpdateFunction"] == cf.calls["DeleteFunction"] == 0
    found = cf.stage(name, Stage.DEVELOPMENT)
    assert found is not None and found.code == b"theirs"
