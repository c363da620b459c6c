"""The tag writes in the engine, against the fake: after the code's writes, never in their place, a
refusal reported as what it is, with what took effect before it."""

from __future__ import annotations

from pathlib import Path

from publisher.core.errors import AwsError
from publisher.core.manifest import FunctionSpec
from publisher.core.model import FunctionConfig, Stage
from publisher.core.modes import Mode
from publisher.core.result import Result, Status
from publisher.core.settings import Settings
from publisher.shell import engine
from publisher.shell.files import BackupFolder
from tests.factories import fn, manifest
from tests.fake_cloudfront import ARN, FakeCloudFront

CONFIG = FunctionConfig("c", "cloudfront-js-2.0")


def publish(cf: FakeCloudFront, tmp: Path, *specs: FunctionSpec) -> Result:
    settings = Settings.model_validate({"mode": Mode.PUBLISH, "max_concurrency": 4})
    return engine.run(settings, manifest(*specs), cf, BackupFolder(tmp / "b", "b"), engine.Hooks())


def refuse(cf: FakeCloudFront) -> None:
    raise AwsError("TagResource", "AccessDenied", "not allowed", 403)


def test_a_refused_tag_write_after_a_publish_says_the_publish_took_effect(tmp_path: Path) -> None:
    cf = FakeCloudFront(tagging_renews_etag=True)
    cf.put("a", b"v1", CONFIG, publish=True)
    cf.tags[ARN + "a"] = {"team": "web"}
    cf.before["TagResource"] = refuse
    result = publish(cf, tmp_path, fn("a", code=b"v2", comment="c", tags={"team": "platform"}))
    (a,) = result.functions
    assert (a.status, a.done) == (Status.FAILED, ["update", "publish"])
    assert "AccessDenied" in a.error and "update, publish took effect before the failure" in a.next_step
    live = cf.stage("a", Stage.LIVE)
    assert live is not None and live.code == b"v2" and cf.tags[ARN + "a"] == {"team": "web"}


def test_a_tags_only_change_writes_nothing_but_tags(tmp_path: Path) -> None:
    cf = FakeCloudFront()
    cf.put("a", b"v1", CONFIG, publish=True)
    spec = fn("a", code=b"v1", comment="c", tags={"team": "web"})
    result = publish(cf, tmp_path, spec)
    assert [(f.status, f.done) for f in result.functions] == [(Status.UPDATED, ["tag"])]
    assert cf.writes == 0 and cf.calls["TagResource"] == 1
