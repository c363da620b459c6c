"""How a process loads the SDK (shell/aws.py `load_sdk`). Each case is a fresh interpreter: in this
one botocore is loaded already, and `load_sdk` then rightly changes nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import sys
from publisher.shell.aws import load_sdk
load_sdk(sigv4a={sigv4a})
import botocore.compat
loaded = "awscrt" in sys.modules
import awscrt.auth  # still importable afterwards: only botocore's own look at it was turned away
print(botocore.compat.HAS_CRT, loaded)
"""


def probe(sigv4a: bool) -> str:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE.format(sigv4a=sigv4a)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return proc.stdout.strip()


@pytest.mark.parametrize(("sigv4a", "expected"), [(False, "False False"), (True, "True True")])
def test_the_crt_is_loaded_only_for_a_run_that_signs_with_sigv4a(sigv4a: bool, expected: str) -> None:
    assert probe(sigv4a) == expected
