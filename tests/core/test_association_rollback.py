"""A rollback of associations, with values alone: the backup read back, and a row per outcome."""

from __future__ import annotations

import json

import pytest

from publisher.core.association_rollback import parse_association_backup, restore_plans
from publisher.core.distribution_config import CONNECTION_EVENT
from publisher.core.errors import Problem
from publisher.core.manifest import AssociationRestore
from publisher.core.model import DistributionConfig
from publisher.core.modes import Action, Mode
from tests.core.test_associations import ACCOUNT, REQ, behaviour, config

SAVED = {
    "Kind": "distribution",
    "Id": "E1",
    "ETag": "D7",
    "Behaviours": [
        {
            "PathPattern": "default",
            "FunctionAssociations": {
                "Quantity": 1,
                "Items": [{"FunctionARN": ACCOUNT + "old", "EventType": REQ}],
            },
        }
    ],
    "Changes": [{"PathPattern": "default", "EventType": REQ, "Before": "old", "After": "a"}],
}


def test_a_backup_reads_back_as_the_slots_to_undo() -> None:
    got = parse_association_backup(json.dumps(SAVED), "b/E1.ASSOCIATIONS.D7.json", "stamp")
    assert got == AssociationRestore(
        "E1", "D7", ((None, REQ, "a", "old"),), shown="b/E1.ASSOCIATIONS.D7.json", stamp="stamp"
    )
    assert isinstance(got, AssociationRestore) and got.arns == {"old": ACCOUNT + "old"}


@pytest.mark.parametrize("broken", [{**SAVED, "Kind": "function"}, {**SAVED, "Changes": "x"}, {"Id": "E1"}])
def test_anything_else_is_refused(broken: dict[str, object]) -> None:
    assert isinstance(parse_association_backup(json.dumps(broken), "f.json", ""), Problem)


RESTORE = AssociationRestore("E1", "D7", ((None, REQ, "a", "old"),), {"old": ACCOUNT + "old"}, "f.json")


@pytest.mark.parametrize(
    ("holder", "changes", "error"),
    [
        ("a", [(None, REQ, "a", "old")], None),  # as the run left it: put back
        ("old", [], None),  # already back: no plan
        (
            "x",
            [],
            "someone else changed default viewer-request: this run would put old where it read a; someone else put x there",
        ),
    ],
)
def test_a_row_per_outcome(holder: str, changes: list[tuple[object, ...]], error: str | None) -> None:
    read = DistributionConfig("E1", "D9", config(behaviour((holder, REQ))))
    plans = restore_plans([RESTORE], {"E1": read}, Mode.ROLLBACK.carried)
    if not changes and not error:
        assert plans == ()
        return
    (dp,) = plans
    assert [(c.path, c.event, c.old, c.new) for c in dp.changes] == changes
    assert dp.error == error and dp.read.etag == "D9"
    assert dp.carried == ((Action.DETACH, Action.ATTACH) if changes else ())


def test_a_distribution_gone_is_a_failure_not_a_create() -> None:
    (dp,) = restore_plans([RESTORE], {}, Mode.ROLLBACK.carried)
    assert dp.error == "no longer in the account; a rollback does not create a distribution"


def test_a_connection_function_made_again_is_addressed_by_the_id_it_gets_not_the_one_saved() -> None:
    """The saved Id still reads the slot (what the retire found there); the write must ask for the new one."""
    restore = AssociationRestore(
        "E1", "D7", ((None, CONNECTION_EVENT, None, "gate"),), {}, "f.json", ids={"gate": "cf-old"}
    )
    read = DistributionConfig("E1", "D9", config(behaviour()))
    (kept,) = restore_plans([restore], {"E1": read}, Mode.ROLLBACK.carried)
    (made,) = restore_plans([restore], {"E1": read}, Mode.ROLLBACK.carried, made_again={"gate"})
    assert kept.ids == {"gate": "cf-old"} and made.ids == {}
    assert made.names == {"cf-old": "gate"}  # a slot still holding the old Id reads as the function's
    assert [(c.event, c.old, c.new) for c in made.changes] == [(CONNECTION_EVENT, None, "gate")]


def test_a_connection_function_is_not_put_back_where_viewer_mtls_is_gone() -> None:
    """CloudFront would refuse the write; the plan says so first, and writes nothing there."""
    restore = AssociationRestore("E1", "D7", ((None, CONNECTION_EVENT, None, "gate"),), {}, "f.json")
    mtls = {"ViewerMtlsConfig": {"Mode": "required", "TrustStoreConfig": {"TrustStoreId": "ts-1"}}}
    with_mtls = DistributionConfig("E1", "D9", {**config(behaviour()), **mtls})
    (fine,) = restore_plans([restore], {"E1": with_mtls}, Mode.ROLLBACK.carried, {"cf-1": "gate"})
    assert fine.error is None and fine.carried == (Action.ATTACH,)
    gone = DistributionConfig("E1", "D9", config(behaviour()))
    (refused,) = restore_plans([restore], {"E1": gone}, Mode.ROLLBACK.carried, {"cf-1": "gate"})
    assert refused.error and "no viewer mTLS" in refused.error and refused.carried == ()
    detach = AssociationRestore("E1", "D7", ((None, CONNECTION_EVENT, "gate", None),), {}, "f.json")
    held = DistributionConfig(
        "E1", "D9", {**config(behaviour()), "ConnectionFunctionAssociation": {"Id": "cf-1"}}
    )
    (taken_off,) = restore_plans([detach], {"E1": held}, Mode.ROLLBACK.carried, {"cf-1": "gate"})
    assert taken_off.error is None  # taking one off needs no mTLS
