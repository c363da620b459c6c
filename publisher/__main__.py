"""Entry point: the Action when run by the runner with no arguments, else the command line.

Exit codes come from the Result alone (2 bad input or set-up, nothing touched; 1 a failure at the
service; 0 done). A run cancelled while a call hung leaves that call's thread behind: the process
ends without waiting for it.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if os.environ.get("GITHUB_ACTIONS") == "true" and not argv:
        from publisher import action

        return action.main(os.environ)
    from publisher import cli

    return cli.main(argv)


def entry() -> None:
    """The console script: run, then exit even if a call left behind by a cancel still hangs."""
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    if any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not threading.main_thread()):
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    entry()
