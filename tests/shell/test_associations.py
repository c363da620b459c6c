"""The distribution writer against the in-memory CloudFront: one write on the ETag read, and the
replan after a 412."""

from __future__ import annotations

import copy
from pathlib import Path

from publisher.core.associations import DistributionPlan, plan_associations
from publisher.core.errors import AwsError
from publisher.core.model import DistributionConfig
from publisher.core.modes import Action
from publisher.core.outcome import Halt
from publisher.shell.associations import DistributionWriter
from publisher.shell.files import BackupFolder
from tests.core.test_associations import REQ, behaviour, config, fn, seen
from tests.fake_cloudfront import ARN, FakeCloudFront


def setup(tmp: Path) -> tuple[FakeCloudFront, DistributionWriter]:
    cf = FakeCloudFront()
    cf.configs["E1"] = DistributionConfig("E1", "D1", config(behaviour(), behaviour(path="/api/*")))
    writer = DistributionWriter(cf, BackupFolder(tmp / "b", "b"), {"a": ARN + "a", "b": ARN + "b"})
    return cf, writer


def planned(cf: FakeCloudFront) -> DistributionPlan:
    specs = [fn("a", ("E1", "default", REQ)), fn("b", ("E1", "/api/*", REQ))]
    observed = seen(E1=dict(cf.configs["E1"].config))
    observed.distribution_configs["E1"] = cf.get_distribution_config("E1")
    return plan_associations(specs, observed).distributions[0]


def test_two_functions_one_write_everything_else_as_read(tmp_path: Path) -> None:
    cf, writer = setup(tmp_path)
    before = copy.deepcopy(dict(cf.configs["E1"].config))
    outcome = writer.apply(planned(cf))
    assert outcome.stop is None and outcome.done == (Action.ATTACH,)
    assert cf.calls["UpdateDistribution"] == 1
    after = dict(cf.configs["E1"].config)
    assert after["DefaultCacheBehavior"]["FunctionAssociations"]["Items"] == [
        {"FunctionARN": ARN + "a", "EventType": REQ}
    ]
    for c in (after, before):
        c["DefaultCacheBehavior"].pop("FunctionAssociations")
        c["CacheBehaviors"]["Items"][0].pop("FunctionAssociations")
    assert after == before
    assert outcome.backup.startswith("b/E1.ASSOCIATIONS.D1")


def test_a_412_is_decided_again_on_the_fresh_config(tmp_path: Path) -> None:
    cf, writer = setup(tmp_path)
    dp = planned(cf)

    def someone(fake: FakeCloudFront) -> None:
        theirs = copy.deepcopy(dict(fake.configs["E1"].config))
        theirs["Comment"] = "theirs"
        theirs["DefaultCacheBehavior"]["FunctionAssociations"] = {
            "Quantity": 1,
            "Items": [{"FunctionARN": ARN + "x", "EventType": REQ}],
        }
        fake.configs["E1"] = DistributionConfig("E1", "D2", theirs)

    cf.before["UpdateDistribution"] = someone
    outcome = writer.apply(dp)
    assert outcome.stop is not None and outcome.stop.halt is Halt.CONFLICT
    assert outcome.conflicts == (
        "default viewer-request: this run would put a where it read nothing; someone else put x there",
    )
    after = cf.configs["E1"].config
    assert after["Comment"] == "theirs"
    assert after["DefaultCacheBehavior"]["FunctionAssociations"]["Items"][0]["FunctionARN"] == ARN + "x"
    assert after["CacheBehaviors"]["Items"][0]["FunctionAssociations"]["Items"] == [
        {"FunctionARN": ARN + "b", "EventType": REQ}
    ]
    assert cf.calls["UpdateDistribution"] == 2 and cf.calls["GetDistributionConfig"] == 2


def test_a_lost_answer_is_read_again_and_found_carried_out(tmp_path: Path) -> None:
    cf, writer = setup(tmp_path)
    cf.lose_answer.add("UpdateDistribution")
    outcome = writer.apply(planned(cf))
    assert outcome.stop is None and outcome.reconciled == (Action.ATTACH,)
    assert cf.calls["UpdateDistribution"] == 1 and cf.calls["GetDistributionConfig"] == 2


def test_a_lost_answer_that_cannot_be_read_again_may_have_taken_effect(tmp_path: Path) -> None:
    cf, writer = setup(tmp_path)
    dp = planned(cf)
    cf.lose_answer.add("UpdateDistribution")

    def unreadable(fake: FakeCloudFront) -> None:
        raise AwsError("GetDistributionConfig", "ServiceUnavailable", "down", 503)

    cf.before["GetDistributionConfig"] = unreadable
    outcome = writer.apply(dp)
    assert outcome.stop is not None and outcome.stop.unanswered == "UpdateDistribution"


def test_a_lost_answer_after_a_cancel_is_not_read_again(tmp_path: Path) -> None:
    cf, writer = setup(tmp_path)
    dp = planned(cf)
    cf.before["UpdateDistribution"] = lambda fake: writer.stop.set()
    cf.lose_answer.add("UpdateDistribution")
    outcome = writer.apply(dp)
    assert outcome.stop is not None and outcome.stop.unanswered == "UpdateDistribution"
    assert cf.calls["GetDistributionConfig"] == 1  # the plan's alone
