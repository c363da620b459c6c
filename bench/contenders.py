"""The four ways a scenario is run, each as a whole process (or a loop of them) from a clean start."""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


@dataclass(frozen=True)
class Contender:
    key: str
    title: str
    writes: bool  # whether the job includes the writes (plan's does not)

    def argv(self, endpoint: str, workspace: Path) -> list[str]:
        listing = str(workspace / "functions.tsv")
        if self.key in ("publish", "plan"):
            return [sys.executable, "-m", "publisher", self.key, "--endpoint-url", endpoint]
        if self.key == "boto3":
            return [sys.executable, "-m", "bench.boto3_loop", endpoint, listing]
        return ["bash", str(HERE / "peers.sh"), endpoint, listing]


PUBLISH = Contender("publish", "cloudfront-publish publish", writes=True)
PLAN = Contender("plan", "cloudfront-publish plan", writes=False)
BOTO3 = Contender("boto3", "sequential boto3 loop", writes=True)
CLI = Contender("cli", "AWS CLI loop (the peers)", writes=True)
ALL = (PUBLISH, PLAN, BOTO3, CLI)


def environment(workspace: Path) -> dict[str, str]:
    """Fake credentials, no shared config files, nothing from a real AWS or GitHub set-up."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "GITHUB_", "INPUT_"))}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed package has its bytecode compiled
    venv_bin = str(Path(sys.executable).parent)
    nowhere = str(workspace / "no-such-file")
    env.update(
        {
            "PATH": f"{venv_bin}{os.pathsep}{env.get('PATH', '')}",
            "PYTHONPATH": str(ROOT),
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_CONFIG_FILE": nowhere,
            "AWS_SHARED_CREDENTIALS_FILE": nowhere,
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_PAGER": "",
            "AWS_CLI": shutil.which("aws", path=venv_bin) or "aws",
        }
    )
    return env
