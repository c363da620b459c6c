"""Read and write the function associations of distributions: one GetDistributionConfig and one
UpdateDistribution per distribution, however many functions change on it.

The configs are read after the scan, only when a function of the manifest lists `associations:`: those
of the distributions it names, and of those where such a function runs now. The write sends back the
config as read with only the planned behaviours' FunctionAssociations changed, on the ETag of that read.
On 412 the distribution is read again and `replan` (core/associations.py) decides again: someone
else's change elsewhere in the config is kept (the fresh config is the base), a change to the same
slot is a conflict, and nothing is written there.

A connection function's distributions are read the same way; those where it runs now come from
ListDistributionsByConnectionFunction (no scan needed), and its association is written by its Id.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from typing import Protocol

from publisher.core.associations import DistributionPlan, replan
from publisher.core.distribution_config import SlotChange, function_name, rewritten
from publisher.core.errors import AwsError, PreconditionFailed, PublisherError
from publisher.core.manifest import Manifest
from publisher.core.model import Distribution, DistributionConfig, Stage
from publisher.core.modes import Action, Kind, Ref
from publisher.core.outcome import Halt, Outcome, Stop
from publisher.core.port import CloudFront

ATTEMPTS = 3  # rounds of "412, read again, decide again" before giving up


def to_read(
    manifest: Manifest, scanned: tuple[Distribution, ...], running: Collection[str] = ()
) -> list[str]:
    """The distributions whose configs the association plan needs, in the scan's order; `running`:
    those where a managed connection function runs now, as ListDistributionsByConnectionFunction said."""
    managed = {f.name for f in manifest.functions if f.associations is not None and f.kind is Kind.FUNCTION}
    named = {a.distribution for f in manifest.functions for a in f.associations or ()}
    named |= {r.distribution for r in manifest.restored_associations}
    seen = {d.id for d in scanned}
    return [
        d.id
        for d in scanned
        if d.id in named
        or d.id in running
        or named & set(d.aliases)
        or any(function_name(b.function_arn) in managed for b in d.behaviours)
    ] + sorted(set(running) - seen)


class AssociationBackups(Protocol):
    def save_associations(self, read: DistributionConfig, changes: tuple[SlotChange, ...]) -> str: ...


@dataclass
class DistributionWriter:
    cloudfront: CloudFront
    backups: AssociationBackups
    arns: Mapping[str, str]  # function name -> ARN, as observed; a function created by this run is described
    stop: threading.Event = field(default_factory=threading.Event)
    created: dict[str, str] = field(
        default_factory=dict
    )  # connection functions created by this run: name -> Id

    def apply(self, dp: DistributionPlan, note: str = "") -> Outcome:
        """One distribution's write; its failure is data in the Outcome, never an exception."""
        try:
            outcome = self._write(dp)
        except AwsError as err:
            unanswered = (
                "UpdateDistribution" if err.unanswered and err.operation == "UpdateDistribution" else ""
            )
            outcome = Outcome(stop=Stop(Halt.FAILED, str(err), unanswered))
        except PublisherError as err:
            outcome = Outcome(stop=Stop(Halt.FAILED, str(err)))
        except OSError as err:  # no write without its backup
            outcome = Outcome(stop=Stop(Halt.FAILED, f"the associations' backup could not be written: {err}"))
        return replace(outcome, note=note) if note else outcome

    def _write(self, dp: DistributionPlan) -> Outcome:
        conflicts: tuple[str, ...] = dp.theirs
        reconciled: tuple[SlotChange, ...] = ()
        backup = ""  # the last saved: each attempt saves what it is about to replace, under its ETag
        for _ in range(ATTEMPTS):
            if not dp.changes:  # nothing left to write: done already (a lost answer), or theirs
                return self._ended(dp, (), reconciled, conflicts, dp.read.etag, backup)
            if self.stop.is_set():
                return Outcome(
                    stop=Stop(Halt.CANCELLED, "cancelled before UpdateDistribution; nothing written")
                )
            addresses = {ref: self._address(ref, dp) for ref in dp.attaching}
            backup = self.backups.save_associations(dp.read, dp.changes)
            config = rewritten(dp.read.config, dp.changes, addresses)
            try:
                etag = self.cloudfront.update_distribution(dp.read.id, config, dp.read.etag)
            except PreconditionFailed:
                again = replan(dp, self.cloudfront.get_distribution_config(dp.read.id))
            except AwsError as err:  # no answer: read what took effect, unless the run was cancelled
                if not err.unanswered or self.stop.is_set():
                    raise
                again = replan(dp, self._read_after(err, dp.read.id))
            else:
                return self._ended(dp, dp.changes, reconciled, conflicts, etag, backup)
            conflicts += again.conflicts
            reconciled += again.done
            dp = again.plan
        message = (
            f"the distribution was not written in {ATTEMPTS} attempts (412, or no answer and not applied)"
        )
        return Outcome(backup=backup, stop=Stop(Halt.FAILED, message), conflicts=conflicts)

    def _ended(  # noqa: PLR0917 - what the write came to, handed on
        self,
        dp: DistributionPlan,
        written: tuple[SlotChange, ...],
        reconciled: tuple[SlotChange, ...],
        conflicts: tuple[str, ...],
        etag: str | None,
        backup: str,
    ) -> Outcome:
        slots = (*written, *reconciled)
        done = tuple(
            a for a in (Action.DETACH, Action.ATTACH) if any(a is r for c in slots for r, _ in c.rows())
        )
        stop = None
        if conflicts:
            stop = Stop(Halt.CONFLICT, "someone else changed " + "; ".join(conflicts))
        return Outcome(
            done=done,
            reconciled=done if reconciled and not written else (),
            etag=etag,
            backup=backup,
            stop=stop,
            slots=slots,
            conflicts=conflicts,
        )

    def _read_after(self, unanswered: AwsError, dist_id: str) -> DistributionConfig:
        """The distribution after a write that got no answer; if it cannot be read either, the write's
        own error stands (it may have taken effect)."""
        try:
            return self.cloudfront.get_distribution_config(dist_id)
        except AwsError:
            raise unanswered from None

    def _address(self, ref: Ref, dp: DistributionPlan) -> str:
        """What the config names the function by: a viewer function's ARN, a connection function's Id."""
        if ref.kind is Kind.FUNCTION:
            return self._arn(ref.name, dp.arns)
        known = dp.ids.get(ref.name) or self.created.get(ref.name)
        if known:
            return known
        listed = self.cloudfront.list_functions(Stage.LIVE, kind=ref.kind)  # created by this run
        found = next((s.id for s in listed if s.name == ref.name and s.id), "")
        if not found:
            row = "ListConnectionFunctions"
            raise AwsError(row, "EntityNotFound", f"{ref} has no LIVE stage to attach", 404)
        self.created[ref.name] = found
        return found

    def _arn(self, name: str, dp_arns: Mapping[str, str]) -> str:
        known = self.arns.get(name) or dp_arns.get(name)
        if known:
            return known
        live = self.cloudfront.describe_function(name, Stage.LIVE)  # created by this run
        if live is None or not live.arn:
            raise AwsError(
                "DescribeFunction", "NoSuchFunctionExists", f"{name} has no LIVE stage to attach", 404
            )
        return live.arn
