"""Entry point: the Action when run by the runner with no arguments, else the command line.

Exit codes come from the Result alone (2 bad input or set-up, nothing touched; 1 a failure at the
service; 0 done; with the command line's --detailed-exitcode, 3 done with changes). A run cancelled while a call hung leaves that call's thread behind: the process
ends without waiting for it.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None, *, keep_handlers: bool = False) -> int:
    """`keep_handlers`: this is the process (not a test calling in), so a signal stays caught to the end."""
    argv = sys.argv[1:] if argv is None else argv
    from publisher.shell.github import is_actions

    if is_actions(os.environ, argv):
        from publisher import action

        return action.main(os.environ, keep_handlers=keep_handlers)
    from publisher import cli

    return cli.main(argv, keep_handlers=keep_handlers)


def entry() -> None:
    """The console script: run, then exit at once, even if a call left behind by a cancel still hangs."""
    from publisher.shell.engine import SIGNALLED

    code = main(keep_handlers=True)
    sys.stdout.flush()
    sys.stderr.flush()
    for sig in (signal.SIGTERM, signal.SIGINT):  # from here on, a signal ends the process at once, in 1
        signal.signal(sig, lambda signum, frame: os._exit(1))
    if SIGNALLED.is_set():  # cancelled, even after the report: never a success, never death by signal
        code = code if code in (1, 2) else 1  # 3 (--detailed-exitcode) is a success too
    # Ended here, not by the interpreter's teardown: that would wait for a call a cancel left behind,
    # and otherwise only frees memory (about 50 ms for the SDK's objects). Every file the run wrote
    # is closed by now, and both streams are flushed above.
    logging.shutdown()
    os._exit(code)


if __name__ == "__main__":
    entry()
