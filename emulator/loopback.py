"""`python -m emulator.loopback ARGS`: the real command line, with `<account id>.127.0.0.1` resolved to
127.0.0.1 for this process only.

botocore sends the KeyValueStore data API to `<account id>.<endpoint host>` (the service's endpoint
rules), also for an endpoint URL such as the emulator's, and no resolver knows that name. The demo
and the tests that run whole processes start the command line this way; nothing else is changed:
the client, the signer and the endpoint rules run as they do against AWS.
"""

from __future__ import annotations

import runpy
import socket
import sys
from typing import Any

_resolve = socket.getaddrinfo


def _loopback(host: Any, *args: Any, **kwargs: Any) -> Any:
    if isinstance(host, str) and host.endswith(".127.0.0.1"):
        host = "127.0.0.1"
    return _resolve(host, *args, **kwargs)


def main() -> None:
    socket.getaddrinfo = _loopback
    sys.argv = ["cloudfront-publish", *sys.argv[1:]]
    runpy.run_module("publisher", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
