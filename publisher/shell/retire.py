"""Delete a retired function: its LIVE saved first, then DeleteFunction (DeleteConnectionFunction, by
its Id, for a connection function) on the DEVELOPMENT ETag the plan read. Runs only once the distribution writes detached it (core/order.py `deletable`); a 412 means
someone changed it since, and it is kept."""

from __future__ import annotations

from publisher.core.errors import AwsError, PreconditionFailed, PublisherError
from publisher.core.model import Stage
from publisher.core.modes import Action
from publisher.core.outcome import Halt, Outcome, Stop
from publisher.core.plan import FunctionPlan
from publisher.core.port import CloudFront
from publisher.shell.apply import Backups
from publisher.shell.function_rows import ROWS
from publisher.shell.observe import read_stage


def delete_retired(fp: FunctionPlan, cloudfront: CloudFront, backups: Backups) -> Outcome:
    write = fp.write(Action.DELETE)
    assert write is not None and write.if_match is not None, "only a planned delete is carried out"
    backup = ""
    try:
        live = read_stage(cloudfront, fp.address, Stage.LIVE, fp.kind)
        backup = backups.save_retired(fp.name, live, fp.kind) if live is not None else ""
        cloudfront.delete_function(fp.address, write.if_match, kind=fp.kind)
    except PreconditionFailed:
        message = f"DEVELOPMENT changed after it was read (ETag {write.if_match}); not deleted"
        step = "Someone else changed it during the run: review their change, then re-run to delete it."
        return Outcome(backup=backup, stop=Stop(Halt.CONFLICT, message, next_step=step))
    except AwsError as err:
        delete = ROWS[fp.kind].delete
        unanswered = delete if err.unanswered and err.operation == delete else ""
        return Outcome(backup=backup, stop=Stop(Halt.FAILED, str(err), unanswered))
    except PublisherError as err:
        return Outcome(backup=backup, stop=Stop(Halt.FAILED, str(err)))
    except OSError as err:  # no delete without the backup of its LIVE
        return Outcome(stop=Stop(Halt.FAILED, f"the LIVE backup could not be written: {err}"))
    return Outcome(done=(Action.DELETE,), backup=backup)
