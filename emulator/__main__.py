"""`python -m emulator`: run the emulator in the foreground (for the demo and the AWS CLI)."""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from emulator.server import DEFAULT_DEPLOY_DELAY, Emulator


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m emulator", description="A local CloudFront control plane."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every request")
    parser.add_argument(
        "--rate-limit", type=float, default=None, help="requests per second before Throttling"
    )
    parser.add_argument(
        "--deploy-delay",
        type=float,
        default=DEFAULT_DEPLOY_DELAY,
        help=f"seconds a distribution stays InProgress after a change (default {DEFAULT_DEPLOY_DELAY})",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--keep-development-etag-on-publish",
        action="store_true",
        help="PublishFunction leaves DEVELOPMENT's ETag as it was (default: a new one)",
    )
    parser.add_argument(
        "--refuse-unchanged-publish",
        action="store_true",
        help="PublishFunction answers 412 when DEVELOPMENT already equals LIVE",
    )
    parser.add_argument("--log-requests", action="store_true", help="print one line per request")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = _arguments(argv)
    emulator = Emulator(
        args.host,
        args.port,
        args.latency,
        args.rate_limit,
        args.deploy_delay,
        args.seed,
        args.log_requests,
        publish_renews_development_etag=not args.keep_development_etag_on_publish,
        refuse_unchanged_publish=args.refuse_unchanged_publish,
    ).start()
    print(emulator.url, flush=True)
    from emulator.runtime import engine

    print(f"TestFunction runs code in {engine()}", file=sys.stderr, flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    try:
        done.wait()
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()


if __name__ == "__main__":
    main()
