"""The action's image, run exactly as GitHub's runner runs a Docker container action.

The runner mounts the workspace and a file-commands folder, sets --workdir, passes each input as
INPUT_<NAME> (hyphens kept) and points GITHUB_OUTPUT / GITHUB_STEP_SUMMARY into the mounted folder.
Here the AWS side is the project's emulator on 127.0.0.1, reached with --network host.
"""

from __future__ import annotations

import importlib
import json
import re
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.container.conftest import Podman

pytestmark = pytest.mark.container

WORKSPACE = "/github/workspace"
FILE_COMMANDS = "/github/file_commands"

OLD_CODE = b"function handler(event) { return event.request; }\n"
NEW_CODE = (
    b"function handler(event) {\n"
    b"  var request = event.request;\n"
    b"  request.headers['x-published'] = { value: 'by-the-action' };\n"
    b"  return request;\n"
    b"}\n"
)
FRESH_CODE = b"function handler(event) {\n  return event.request;\n}\n// a new function\n"
MANIFEST = """\
defaults:
  runtime: cloudfront-js-2.0
  comment: managed by cloudfront-publish
functions:
  - name: add-header
    code: functions/add-header.js
  - name: brand-new
    code: functions/brand-new.js
"""


# --- the runner's GITHUB_OUTPUT format ---------------------------------------------------------


def parse_github_output(text: str) -> dict[str, str]:
    """`name=value` records, and `name<<DELIMITER` ... `DELIMITER` records for multi-line values."""
    outputs: dict[str, str] = {}
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line:
            continue
        heredoc = re.fullmatch(r"([A-Za-z0-9_-]+)<<(.+)", line)
        if heredoc and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = heredoc.groups()
            body: list[str] = []
            while i < len(lines) and lines[i] != delimiter:
                body.append(lines[i])
                i += 1
            assert i < len(lines), f"output {name!r}: closing delimiter {delimiter!r} not found"
            i += 1  # the closing delimiter
            outputs[name] = "\n".join(body)
            continue
        name, sep, value = line.partition("=")
        assert sep, f"not an output record: {line!r}"
        outputs[name] = value
    return outputs


def test_the_output_parser_reads_both_record_forms() -> None:
    text = "a=1\nb<<ghadelimiter_x\nline 1\nline=2\nghadelimiter_x\nc=x=y\n"
    assert parse_github_output(text) == {"a": "1", "b": "line 1\nline=2", "c": "x=y"}


# --- running the image as the runner does ------------------------------------------------------


@dataclass
class Run:
    code: int
    log: str  # stdout then stderr: the runner reads commands from both
    outputs: dict[str, str]
    summary: str


def run_as_runner(
    podman: Podman, workspace: Path, file_commands: Path, inputs: Mapping[str, str], env: Mapping[str, str]
) -> Run:
    guid = uuid.uuid4()
    output_file = file_commands / f"set_output_{guid}"
    summary_file = file_commands / f"step_summary_{guid}"
    output_file.write_text("")  # the runner creates both before the step runs
    summary_file.write_text("")
    args = [
        "run",
        "--rm",
        "--network",
        "host",
        "--workdir",
        WORKSPACE,
        "-v",
        f"{workspace}:{WORKSPACE}",
        "-v",
        f"{file_commands}:{FILE_COMMANDS}",
        "-e",
        "GITHUB_ACTIONS=true",
        "-e",
        f"GITHUB_WORKSPACE={WORKSPACE}",
        "-e",
        f"GITHUB_OUTPUT={FILE_COMMANDS}/{output_file.name}",
        "-e",
        f"GITHUB_STEP_SUMMARY={FILE_COMMANDS}/{summary_file.name}",
    ]
    for name, value in inputs.items():
        args += ["-e", f"INPUT_{name.replace(' ', '_').upper()}={value}"]  # hyphens kept, as the runner does
    for name, value in env.items():
        args += ["-e", f"{name}={value}"]
    done = podman.run(*args, podman.image)
    return Run(
        done.returncode,
        done.stdout + done.stderr,
        parse_github_output(output_file.read_text()),
        summary_file.read_text(),
    )


@pytest.fixture
def emulator() -> Iterator[Any]:
    # The project's emulator: start() -> an object with .url, seed_function, seed_distribution,
    # counts() and stop(). Looked up at run time so that this module type-checks on its own.
    emu = importlib.import_module("emulator").start()
    try:
        yield emu
    finally:
        emu.stop()


@pytest.fixture
def dirs(tmp_path: Path) -> tuple[Path, Path]:
    workspace, file_commands = tmp_path / "workspace", tmp_path / "file_commands"
    (workspace / "functions").mkdir(parents=True)
    file_commands.mkdir()
    (workspace / "cloudfront-functions.yml").write_text(MANIFEST)
    (workspace / "functions" / "add-header.js").write_bytes(NEW_CODE)
    (workspace / "functions" / "brand-new.js").write_bytes(FRESH_CODE)
    return workspace, file_commands


def aws_env(emu: Any) -> dict[str, str]:
    return {"AWS_ENDPOINT_URL": emu.url, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


def cloudfront(emu: Any) -> Any:
    import boto3

    return boto3.client(
        "cloudfront",
        endpoint_url=emu.url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def write_calls(counts: Mapping[str, int]) -> dict[str, int]:
    return {op: n for op, n in counts.items() if n and not op.startswith(("Get", "List", "Describe"))}


# --- the tests ---------------------------------------------------------------------------------


def test_help_runs_in_the_image(podman: Podman) -> None:
    done = podman.run("run", "--rm", podman.image, "--help", timeout=120)
    assert done.returncode == 0, done.stderr
    assert "usage" in done.stdout.lower()


def test_the_image_carries_njs_for_mode_test(podman: Podman) -> None:
    done = podman.run("run", "--rm", "--entrypoint", "njs", podman.image, "-v", timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().startswith("0."), done.stdout


def test_the_image_is_built_as_the_runner_needs(podman: Podman) -> None:
    done = podman.run("image", "inspect", podman.image, timeout=60)
    assert done.returncode == 0, done.stderr
    config = json.loads(done.stdout)[0]["Config"]
    assert config["Entrypoint"] == ["/opt/venv/bin/python", "-m", "publisher"]
    assert config.get("User", "") in ("", "root", "0"), "the runner's mounts are writable by root only"
    env = dict(item.split("=", 1) for item in config.get("Env", []))
    assert env.get("PYTHONDONTWRITEBYTECODE") == "1"
    assert env.get("PYTHONUNBUFFERED") == "1"
    # No pip or setuptools left in the venv, and no build tools in the final stage.
    probe = podman.run(
        "run",
        "--rm",
        "--entrypoint",
        "/opt/venv/bin/python",
        podman.image,
        "-c",
        "import importlib.util as u, shutil; "
        "print([m for m in ('pip', 'setuptools') if u.find_spec(m)], shutil.which('gcc'))",
        timeout=120,
    )
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.strip() == "[] None"


def test_publish_as_the_runner_runs_it(podman: Podman, emulator: Any, dirs: tuple[Path, Path]) -> None:
    workspace, file_commands = dirs
    emulator.seed_function("add-header", OLD_CODE, runtime="cloudfront-js-2.0", comment="old", publish=True)
    cf = cloudfront(emulator)
    arn = cf.describe_function(Name="add-header", Stage="LIVE")["FunctionSummary"]["FunctionMetadata"][
        "FunctionARN"
    ]
    emulator.seed_distribution(default_function_arns=[(arn, "viewer-request")])
    dist_ids = [d["Id"] for d in cf.list_distributions()["DistributionList"].get("Items", [])]
    assert len(dist_ids) == 1

    run = run_as_runner(
        podman,
        workspace,
        file_commands,
        {"manifest": "cloudfront-functions.yml", "mode": "publish", "max-concurrency": "4"},
        aws_env(emulator),
    )

    assert run.code == 0, run.log
    # Both functions are LIVE with the manifest's code.
    for name, code in (("add-header", NEW_CODE), ("brand-new", FRESH_CODE)):
        live = cf.get_function(Name=name, Stage="LIVE")["FunctionCode"].read()
        assert live == code, f"{name}: LIVE holds {live!r}"
    # Every documented output is there and well-formed.
    out = run.outputs
    for name in ("changed", "published", "distributions", "has-changes", "result", "backup-dir"):
        assert name in out, f"output {name!r} missing; got {sorted(out)}\n{run.log}"
    assert sorted(json.loads(out["changed"])) == ["add-header", "brand-new"]
    assert sorted(json.loads(out["published"])) == ["add-header", "brand-new"]
    assert out["has-changes"] == "true"
    assert isinstance(json.loads(out["result"]), dict)
    assert json.loads(out["distributions"]) == dist_ids
    assert out["backup-dir"]
    # The LIVE code that was overwritten is saved in the workspace.
    backup = workspace / Path(out["backup-dir"]).as_posix().removeprefix(WORKSPACE).lstrip("/")
    saved = [p.read_bytes() for p in backup.rglob("*") if p.is_file()] if backup.is_dir() else []
    assert OLD_CODE in saved, f"no backup of add-header's old LIVE code under {out['backup-dir']}"
    # The job summary names the distribution that now runs the published code.
    assert dist_ids[0] in run.summary, run.summary[:2000]


def test_a_bad_input_exits_2_before_any_aws_write(
    podman: Podman, emulator: Any, dirs: tuple[Path, Path]
) -> None:
    workspace, file_commands = dirs
    before = write_calls(emulator.counts())

    run = run_as_runner(
        podman,
        workspace,
        file_commands,
        {"manifest": "cloudfront-functions.yml", "mode": "bogus", "max-concurrency": "4"},
        aws_env(emulator),
    )

    assert run.code == 2, run.log
    errors = [line for line in run.log.splitlines() if re.match(r"::error( [^:]*)?::", line)]
    assert any("mode" in line for line in errors), f"no ::error:: naming the input `mode`:\n{run.log}"
    assert write_calls(emulator.counts()) == before
