"""Carry out the tag writes of the plan: TagResource and UntagResource, each resource's after its other
writes, the keys' previous values backed up first.

Tags come last. A function's publish rests on the ETag its own UpdateFunction answered; if AWS gives
DEVELOPMENT a new ETag when it is tagged (the field report of Terraform AWS provider issue #49572 reads
so, and the emulator can do either), a tag written before the publish would make that ETag stale and
the publish answer 412. Written after, no write of this run rests on an ETag the tags moved. A tag
change alone is no code change: that function is not updated, tested or published at all.

Tags have no ETag and TagResource no If-Match: it sets the keys it names and leaves every other key
as it is. Another writer's keys survive; on a key the manifest names, the later write wins. The backup
holds the values read while planning.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Protocol

from publisher.core.errors import AwsError, PublisherError
from publisher.core.modes import Action, Kind
from publisher.core.outcome import Halt, Outcome, Stop
from publisher.core.port import CloudFront
from publisher.core.tags import TagChange

WRITES = ("TagResource", "UntagResource")


class TagBackups(Protocol):
    def save_tags(self, kind: Kind, name: str, arn: str, change: TagChange) -> str: ...


def tag_resource(  # noqa: PLR0917 - one resource's values
    kind: Kind,
    name: str,
    arn: str,
    change: TagChange,
    carried: tuple[Action, ...],
    cloudfront: CloudFront,
    backups: TagBackups,
    stop: threading.Event,
) -> Outcome:
    """One resource's tag writes, as its plan carries them; a failure is data, never an exception."""
    done: list[Action] = []
    backup = ""
    try:
        if stop.is_set():
            return Outcome(stop=Stop(Halt.CANCELLED, "the run was cancelled before its tags were written"))
        backup = backups.save_tags(kind, name, arn, change)
        if Action.TAG in carried and change.sets:
            cloudfront.tag_resource(arn, change.sets)
            done.append(Action.TAG)
        if Action.UNTAG in carried and change.removes:
            cloudfront.untag_resource(arn, change.removes)
            done.append(Action.UNTAG)
    except AwsError as err:
        unanswered = err.operation if err.unanswered and err.operation in WRITES else ""
        return Outcome(tuple(done), backup=backup, stop=Stop(Halt.FAILED, str(err), unanswered))
    except PublisherError as err:
        return Outcome(tuple(done), backup=backup, stop=Stop(Halt.FAILED, str(err)))
    except OSError as err:  # no tag is changed without its backup
        return Outcome(stop=Stop(Halt.FAILED, f"the tags' backup could not be written: {err}"))
    return Outcome(tuple(done), backup=backup)


def with_tags(outcome: Outcome, tagged: Outcome) -> Outcome:
    """A resource's outcome once its tags were written: their writes added, their stop (if any) its own."""
    return replace(
        outcome,
        done=outcome.done + tagged.done,
        backup=outcome.backup or tagged.backup,
        stop=outcome.stop or tagged.stop,
    )
