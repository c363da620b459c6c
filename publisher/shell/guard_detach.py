"""The guard's undo of what a run attached: the functions that failed at the edge come off the cache
behaviours this run put them on, and what ran there before goes back, from this run's own backups of
the associations it replaced.

The rules are `rollback`'s (core/association_rollback.py): each distribution is read again, a slot is
set back only while it holds what this run put there, one write per distribution with If-Match, and a
slot someone else changed since is a conflict, left as it is.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable
from dataclasses import replace

from publisher.core.association_rollback import restore_plans
from publisher.core.associations import DistributionPlan
from publisher.core.distribution_config import CONNECTION_EVENT
from publisher.core.errors import AwsError
from publisher.core.manifest import AssociationRestore
from publisher.core.modes import Action, Kind, Mode
from publisher.core.outcome import Outcome, distribution_result
from publisher.core.port import CloudFront
from publisher.core.result import DistributionResult, Result, Status
from publisher.shell.apply import Backups
from publisher.shell.associations import DistributionWriter
from publisher.shell.backups import read_association_backup


def detach_failing(
    result: Result, failing: Collection[str], cloudfront: CloudFront, backups: Backups, stop: threading.Event
) -> dict[str, DistributionResult | None]:
    """Each distribution where this run attached one of `failing`, by Id: what setting it back came to
    (None: its slots held what they held before already)."""
    mine = [
        a
        for a in result.associations
        if any(
            c.function in failing and c.action == Action.ATTACH.value and c.kind is Kind.FUNCTION
            for c in a.changes
        )
    ]
    ended: dict[str, DistributionResult | None] = {}
    restores: list[AssociationRestore] = []
    for a in mine:
        found = read_association_backup(backups.file(a.backup), a.backup, "") if a.backup else None
        if not isinstance(found, AssociationRestore):
            why = found.message if found else "this run saved no backup of it"
            ended[a.name] = _failed(a.name, f"its backup could not be read: {why}")
            continue
        ended[a.name] = None
        viewer = tuple(s for s in found.slots if s[2] in failing and s[1] != CONNECTION_EVENT)
        restores.append(replace(found, slots=viewer))
    writer = DistributionWriter(cloudfront, backups.for_rollback(), {}, stop)
    for dp in _plans(restores, cloudfront, ended):
        outcome = Outcome() if dp.error else writer.apply(dp)
        ended[dp.name] = distribution_result(dp, Mode.ROLLBACK, outcome)
    return ended


def _plans(
    restores: Iterable[AssociationRestore],
    cloudfront: CloudFront,
    ended: dict[str, DistributionResult | None],
) -> tuple[DistributionPlan, ...]:
    """The restores planned on a fresh read of each distribution; one that cannot be read is failed."""
    configs = {}
    for r in restores:
        try:
            configs[r.distribution] = cloudfront.get_distribution_config(r.distribution)
        except AwsError as err:
            ended[r.distribution] = _failed(r.distribution, str(err))
    readable = [r for r in restores if r.distribution in configs]
    return restore_plans(readable, configs, Mode.ROLLBACK.carried)


def _failed(distribution: str, why: str) -> DistributionResult:
    return DistributionResult(name=distribution, status=Status.FAILED, actions=[], error=why)
