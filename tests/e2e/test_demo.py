"""The README's first command: the demo seeds the emulator, then plans, publishes and publishes again
over examples/, each a real process. Run here on a copy of the examples, so the repository stays clean."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_demo_plans_publishes_and_then_finds_nothing_to_do(tmp_path: Path) -> None:
    examples = tmp_path / "examples"
    shutil.copytree(ROOT / "examples", examples, ignore=shutil.ignore_patterns("cloudfront-backups"))
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "demo.py"), str(examples)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "Done: 4 published" in proc.stdout and "associations: 1 attached" in proc.stdout
    assert proc.stdout.rstrip().splitlines()[-1].endswith("summary.md")
    last = proc.stdout.split("$ cloudfront-publish publish    # publish again")[1]
    assert "no function reads" not in last  # revoked-serials: the connection function reads it
    assert "Done: 4 unchanged" in last and "published" not in last.split("Done:")[1].split("\n")[0]
    assert (tmp_path / ".demo" / "summary.md").is_file()
