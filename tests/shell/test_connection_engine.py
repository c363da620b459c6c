"""A run with a viewer and a connection function of the same name, against the in-memory CloudFront:
each kind's operations, addressed by name or Id, outcomes and backups kept apart."""

from __future__ import annotations

from pathlib import Path

from publisher.core.model import Distribution, FunctionConfig, Stage, StageState
from publisher.core.modes import Kind, Mode
from publisher.core.report import distributions
from publisher.core.result import Result, Status
from publisher.core.settings import Settings
from publisher.shell import engine
from publisher.shell.files import BackupFolder
from tests.factories import fn, manifest
from tests.fake_cloudfront import FakeCloudFront

CONFIG = FunctionConfig("c", "cloudfront-js-2.0")
CONNECTION = Kind.CONNECTION_FUNCTION


def run(cf: FakeCloudFront, tmp: Path) -> Result:
    settings = Settings.model_validate({"mode": Mode.PUBLISH, "max_concurrency": 4})
    specs = (fn("gate", code=b"v2", comment="c"), fn("gate", code=b"c2", comment="c", kind=CONNECTION))
    return engine.run(settings, manifest(*specs), cf, BackupFolder(tmp / "b", "b"), engine.Hooks())


def test_both_kinds_of_one_name_are_published_each_through_its_operations(tmp_path: Path) -> None:
    cf = FakeCloudFront()
    cf.put("gate", b"v1", CONFIG, publish=True)
    cid = cf.put_connection("gate", b"c1", CONFIG, publish=True)
    result = run(cf, tmp_path)
    assert {(f.kind, f.status) for f in result.functions} == {
        (Kind.FUNCTION, Status.PUBLISHED),
        (CONNECTION, Status.PUBLISHED),
    }
    viewer = cf.stage("gate", Stage.LIVE)
    assert viewer is not None and viewer.code == b"v2"
    live = cf.stage(cid, Stage.LIVE, CONNECTION)
    assert live is not None and live.code == b"c2"
    assert (cf.calls["UpdateConnectionFunction"], cf.calls["PublishConnectionFunction"]) == (1, 1)
    assert (cf.calls["UpdateFunction"], cf.calls["PublishFunction"]) == (1, 1)
    backups = sorted(p.name for p in (tmp_path / "b").iterdir() if p.suffix == ".js")
    assert len(backups) == 2 and any(".CONNECTION-LIVE." in b for b in backups)


def test_a_second_writer_before_the_connection_update_stops_that_one_only(tmp_path: Path) -> None:
    cf = FakeCloudFront()
    cid = cf.put_connection("gate", b"c1", CONFIG, publish=True)

    def someone_else(fake: FakeCloudFront) -> None:
        fake.connection_functions[cid][Stage.DEVELOPMENT] = StageState("E99", b"theirs", CONFIG)

    cf.before["UpdateConnectionFunction"] = someone_else
    result = run(cf, tmp_path)
    statuses = {f.kind: f.status for f in result.functions}
    assert statuses == {Kind.FUNCTION: Status.PUBLISHED, CONNECTION: Status.CONFLICT}
    assert result.failed == ["connection-function gate"]
    assert cf.calls["PublishConnectionFunction"] == 0


def test_a_connection_function_created_by_this_run_is_then_written_by_its_new_id(tmp_path: Path) -> None:
    cf = FakeCloudFront()
    cf.put("gate", b"v2", CONFIG, publish=True)
    result = run(cf, tmp_path)
    (cid,) = cf.connection_functions
    assert cf.connection_names[cid] == "gate"
    live = cf.stage(cid, Stage.LIVE, CONNECTION)
    assert live is not None and live.code == b"c2"
    assert [f.status for f in result.functions] == [Status.UNCHANGED, Status.PUBLISHED]


def test_a_create_that_meets_an_existing_connection_function_reads_it_by_the_listings_id(
    tmp_path: Path,
) -> None:
    """Someone made it between the plan and the create: AlreadyExists, then the Id from the listing,
    a consistent read, and the planner's verdict: their function, not ours to overwrite."""
    cf = FakeCloudFront()
    cf.put("gate", b"v2", CONFIG, publish=True)

    def someone_creates_it(fake: FakeCloudFront) -> None:
        fake.put_connection("gate", b"theirs", CONFIG)

    cf.before["CreateConnectionFunction"] = someone_creates_it
    result = run(cf, tmp_path)
    connection = next(f for f in result.functions if f.kind is CONNECTION)
    assert connection.status is Status.CONFLICT
    assert "someone else created it" in connection.error
    assert cf.calls["ListConnectionFunctions"] == 3  # both stages to plan, then the Id after the 409
    assert cf.calls["GetConnectionFunction"] == 2  # each stage of theirs, read by that Id


def test_the_distributions_a_connection_function_decides_come_from_the_same_listing(tmp_path: Path) -> None:
    """The distribution summaries of the scan name their ConnectionFunctionAssociation's Id: the
    distributions that now serve new code, with no call of their own."""
    cf = FakeCloudFront()
    cid = cf.put_connection("gate", b"c1", CONFIG, publish=True)
    cf.put("gate", b"v2", CONFIG, publish=True)
    cf.distributions = [
        Distribution("D1", "d1.example.net", "Deployed", True, connection_function=cid),
        Distribution("D2", "d2.example.net", "Deployed", True),
    ]
    result = run(cf, tmp_path)
    assert result.serving_new_code == ["D1"]
    (report,) = result.distributions
    assert (report.id, report.functions, report.new_code) == ("D1", ["connection-function gate"], True)
    lines = distributions(result)
    assert "    connection-function gate: every connection (viewer mTLS)" in lines
