"""`import` against an endpoint that stops answering one call: a GetFunction or a ListKeys held
forever ends the run on its own, with one line and exit 1, and not one file written (the reads all
finish before the first write). The real command line in-process, its read timeout cut short so the
hang costs a second, not the 30 s the default timeout and retries allow."""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest

from emulator import Emulator
from publisher.__main__ import main
from tests.e2e.conftest import handler
from tests.e2e.test_stores import loopback
from tests.reliability.harness import short_read_timeout

__all__ = ["loopback"]  # the fixture that lets the data API's host name resolve here


@pytest.mark.usefixtures("loopback")
@pytest.mark.parametrize("operation", ["GetFunction", "ListKeys", "ListTagsForResource"])
def test_a_call_that_never_answers_ends_the_import_with_one_line_and_no_file(
    emu: Emulator, aws: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, operation: str
) -> None:
    flags = aws.create_key_value_store(Name="flags")["KeyValueStore"]["ARN"]
    emu.seed_kvs_data(flags, {"greeting": "hello"})
    arn = emu.seed_function("reader", handler(), comment="reads flags", kvs_arn=flags, publish=True)
    aws.tag_resource(Resource=arn, Tags={"Items": [{"Key": "team", "Value": "web"}]})
    emu.seed_function("other", handler(), publish=True)
    short_read_timeout(monkeypatch, 0.5)
    emu.timeout_seconds = 2.0  # held past the client's read timeout, then dropped
    emu.inject(operation, "timeout", times=20)  # every attempt
    out = tmp_path / "adopted"
    stdout, stderr = io.StringIO(), io.StringIO()
    with redirect_stdout(stdout), redirect_stderr(stderr):
        code = main(["import", "--out", str(out), "--endpoint-url", emu.url])
    assert code == 1, stderr.getvalue()
    lines = stderr.getvalue().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    assert operation in lines[0] and "Traceback" not in lines[0]
    assert not out.exists() or not any(out.rglob("*")), sorted(out.rglob("*"))


def test_a_file_the_disk_refuses_ends_the_import_saying_which_files_are_complete(
    emu: Emulator, aws: Any, tmp_path: Path, loopback: None
) -> None:
    flags = aws.create_key_value_store(Name="flags")["KeyValueStore"]["ARN"]
    emu.seed_kvs_data(flags, {"greeting": "hello"})
    emu.seed_function("reader", handler(), kvs_arn=flags, publish=True)
    out = tmp_path / "adopted"
    out.mkdir()
    (out / "functions").write_text("not a folder")  # the code file cannot be written; the data file can
    stderr = io.StringIO()
    with redirect_stdout(io.StringIO()), redirect_stderr(stderr):
        code = main(["import", "--out", str(out), "--endpoint-url", emu.url, "--force"])
    assert code == 1
    (line,) = stderr.getvalue().splitlines()
    assert line.startswith(f"error: could not write {out / 'functions' / 'reader.js'}"), line
    assert f"no manifest was written; files complete before it: {out / 'kvs' / 'flags.json'}" in line
    assert not (out / "cloudfront-functions.yml").exists()
