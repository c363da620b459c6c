"""Seed the emulator as a real account might look, then run the real command line against it.

python scripts/demo.py [EXAMPLES]    # the examples folder (default: the repository's examples/);
                                     # its backups and job summary are written beside it
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import boto3

from emulator import Emulator, start

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
OLD_HEADERS = b"function handler(event) { return event.response; }\n"
STEPS = (
    ("plan: what would change, nothing written", ["plan"]),
    ("publish: sync, test, publish what changed", ["publish", "--summary", "../.demo/summary.md"]),
    ("publish again: nothing left to do", ["publish"]),
)


def seed(emu: Emulator) -> None:
    """security-headers LIVE in an older version, run by two distributions; the KeyValueStores ab-route
    and mtls-gate read."""
    client = boto3.client("cloudfront", endpoint_url=emu.url, region_name="us-east-1")
    client.create_key_value_store(Name="ab-settings", Comment="A/B split")
    revoked = client.create_key_value_store(Name="revoked-serials", Comment="revoked client certificates")
    emu.seed_kvs_data(revoked["KeyValueStore"]["ARN"], {"0A1B2C": "revoked 2026-01-05"})  # mtls-gate's
    emu.seed_function(
        "security-headers", OLD_HEADERS, comment="HSTS and friends on every response", publish=True
    )
    summary = client.describe_function(Name="security-headers", Stage="LIVE")["FunctionSummary"]
    arn = summary["FunctionMetadata"]["FunctionARN"]
    emu.seed_distribution(
        domain="d111111abcdef8.cloudfront.net",
        aliases=("www.example.com",),
        default_function_arns=[(arn, "viewer-response")],
    )
    emu.seed_distribution(
        domain="d222222abcdef8.cloudfront.net",
        aliases=("static.example.com",),
        behaviours=[("/assets/*", [(arn, "viewer-response")])],
    )
    emu.seed_distribution(  # mtls-gate's: viewer mTLS with a trust store, no connection function yet
        domain="d333333abcdef8.cloudfront.net", aliases=("mtls.example.com",), viewer_mtls="required"
    )


def main(argv: list[str]) -> int:
    examples = Path(argv[0]).resolve() if argv else EXAMPLES
    os.environ.update({"AWS_ACCESS_KEY_ID": "demo", "AWS_SECRET_ACCESS_KEY": "demo"})
    (examples.parent / ".demo").mkdir(exist_ok=True)
    emu = start()
    try:
        seed(emu)
        for title, args in STEPS:
            print(f"\n$ cloudfront-publish {' '.join(args)}    # {title}", flush=True)
            # emulator.loopback: the store data API's host, <account>.127.0.0.1, resolves to the emulator
            command = [sys.executable, "-m", "emulator.loopback", *args, "--endpoint-url", emu.url]
            code = subprocess.call(command, cwd=examples)
            if code != 0:
                return code
        print(f"\nThe job summary of the publish is in {examples.parent / '.demo' / 'summary.md'}")
        return 0
    finally:
        emu.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
