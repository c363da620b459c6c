"""Entry point: the Action when run by the runner with no arguments, else the command line.

The one place errors become exit codes: 2 for bad input (nothing touched), 1 for a run that failed.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from publisher.core.errors import InputError, PublisherError


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if os.environ.get("GITHUB_ACTIONS") == "true" and not argv:
        from publisher import action

        return action.main(os.environ)
    from publisher import cli

    try:
        return cli.main(argv)
    except InputError as err:
        sys.stderr.write("".join(f"error: {_one_line(str(p))}\n" for p in err.problems))
        return err.exit_code
    except PublisherError as err:
        sys.stderr.write(f"error: {_one_line(str(err))}\n")
        return err.exit_code


def _one_line(text: str) -> str:
    """A message on one line of the terminal: a line break or an escape sequence from the input (a
    manifest key, a path, an AWS message) is shown as `\\r`, `\\x1b`, not obeyed."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


if __name__ == "__main__":
    sys.exit(main())
