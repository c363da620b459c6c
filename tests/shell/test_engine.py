"""A whole run against the in-memory CloudFront: the steps in order, cut to the mode, in milliseconds."""

from __future__ import annotations

from pathlib import Path

import pytest

from publisher.core.model import FunctionConfig, Stage
from publisher.core.modes import Mode
from publisher.core.result import Result, Status
from publisher.core.settings import Settings
from publisher.core.stores import StoreSpec
from publisher.shell import engine
from publisher.shell.files import BackupFolder
from publisher.shell.observe import read_stage
from publisher.shell.stores import StorePorts
from tests.factories import fn, manifest, store
from tests.fake_cloudfront import FakeCloudFront
from tests.fake_stores import ARN as STORE_ARN
from tests.fake_stores import FakeStores

CONFIG = FunctionConfig("c", "cloudfront-js-2.0")


def run(cf: FakeCloudFront, tmp: Path, mode: Mode, *specs: object) -> Result:
    settings = Settings.model_validate({"mode": mode, "max_concurrency": 4})
    hooks = engine.Hooks()
    return engine.run(settings, manifest(*specs), cf, BackupFolder(tmp / "b", "b"), hooks)  # type: ignore[arg-type]


@pytest.fixture
def cf() -> FakeCloudFront:
    fake = FakeCloudFront()
    fake.put("same", b"v1", CONFIG, publish=True)
    fake.put("changed", b"v1", CONFIG, publish=True)
    return fake


@pytest.mark.parametrize(("mode", "writes"), [(Mode.PLAN, 0), (Mode.SYNC, 1), (Mode.PUBLISH, 2)])
def test_a_run_writes_only_what_its_mode_carries(
    cf: FakeCloudFront, tmp_path: Path, mode: Mode, writes: int
) -> None:
    result = run(
        cf, tmp_path, mode, fn("same", code=b"v1", comment="c"), fn("changed", code=b"v2", comment="c")
    )
    assert cf.writes == writes
    assert {f.name: f.status for f in result.functions}["same"] is Status.UNCHANGED


def test_a_rerun_after_a_publish_makes_no_write(cf: FakeCloudFront, tmp_path: Path) -> None:
    specs = (fn("same", code=b"v1", comment="c"), fn("changed", code=b"v2", comment="c"))
    assert run(cf, tmp_path, Mode.PUBLISH, *specs).published == ["changed"]
    cf.calls.clear()
    again = run(cf, tmp_path, Mode.PUBLISH, *specs)
    assert cf.writes == 0 and again.changed == []
    assert cf.calls["DescribeFunction"] == 0  # the pre-write checks cost nothing when nothing is written


def test_a_stage_read_retries_until_code_and_config_share_an_etag() -> None:
    cf = FakeCloudFront()
    cf.put("a", b"v1", CONFIG)
    cf.before["DescribeFunction"] = lambda c: c.put("a", b"v2", CONFIG)  # changes between get and describe
    state = read_stage(cf, "a", Stage.DEVELOPMENT)
    assert state is not None and state.code == b"v2"
    assert cf.calls["GetFunction"] == 2


def run_with_stores(cf: FakeCloudFront, kvs: FakeStores, tmp: Path, *stores: StoreSpec) -> Result:
    settings = Settings.model_validate({"mode": Mode.PUBLISH, "max_concurrency": 4})
    backups = BackupFolder(tmp / "b", "b")
    ports = StorePorts(kvs.control, kvs.data, backups, sleep=lambda s: None)
    spec = fn("f", code=b"v2", key_value_store="cfg")
    return engine.run(settings, manifest(spec, stores=stores), cf, backups, engine.Hooks(), stores=ports)


def test_a_store_this_run_creates_is_written_before_its_function_names_it(tmp_path: Path) -> None:
    cf, kvs = FakeCloudFront(), FakeStores(ready_after=1)
    result = run_with_stores(cf, kvs, tmp_path, store("cfg", {"a": "1"}))
    assert [(r.name, r.status) for r in result.resources] == [
        ("cfg", Status.CREATED),
        ("f", Status.PUBLISHED),
    ]
    live = cf.stage("f", Stage.LIVE)
    assert live is not None and live.config.key_value_store_arns == (STORE_ARN + "cfg",)
    assert kvs.keys("cfg") == {"a": "1"}


def test_a_store_refused_by_aws_holds_its_functions_back_and_is_no_conflict(tmp_path: Path) -> None:
    cf, kvs = FakeCloudFront(), FakeStores()
    kvs.put("cfg", {"a": "0"})
    cf.stores = {"cfg": STORE_ARN + "cfg"}
    kvs.data.refuse("UpdateKeys")
    result = run_with_stores(cf, kvs, tmp_path, store("cfg", {"a": "1"}))
    assert [(r.name, r.status) for r in result.resources] == [("cfg", Status.FAILED), ("f", Status.BLOCKED)]
    assert "AccessDenied" in result.functions[0].error and "Someone else" not in result.functions[0].next_step
    assert cf.writes == 0 and result.exit_code == 1
