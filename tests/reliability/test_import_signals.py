"""A cancelled `import`, as its own process: a SIGTERM while a read is held at the emulator ends it at
once with nothing written; a SIGTERM while its files are being written lets every file be written,
the manifest last, so no code file is left without the manifest that names it. Exit 1 both ways."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import BinaryIO

import pytest

from emulator import Emulator
from tests.e2e.conftest import handler
from tests.reliability.test_signals import wait_for

FAKE = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}


class Import:
    """`cloudfront-publish import` as a process, its stderr read line by line as it comes."""

    def __init__(self, emu: Emulator, out: Path, *args: str) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_"))} | FAKE
        argv = [sys.executable, "-m", "publisher", "import", "--out", str(out), "--endpoint-url", emu.url]
        self.proc = subprocess.Popen([*argv, *args], env=env, stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        self._reader = threading.Thread(target=lambda: self.lines.extend(self.proc.stderr or []), daemon=True)
        self._reader.start()

    def signal_and_wait_for_its_line(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        wait_for(lambda: any("received signal 15:" in line for line in self.lines))

    def ended(self, timeout: float) -> int:
        code = self.proc.wait(timeout=timeout)
        self._reader.join(timeout=10)
        return code


def test_a_sigterm_during_the_reads_ends_the_import_at_once_with_nothing_written(
    emu: Emulator, tmp_path: Path
) -> None:
    emu.seed_function("reader", handler(), publish=True)
    held, release = threading.Event(), threading.Event()

    def hold(_: Emulator) -> None:
        held.set()
        release.wait(30)

    emu.before("GetFunction", hold)
    out = tmp_path / "adopted"
    run = Import(emu, out)
    try:
        wait_for(lambda: held.is_set() or run.proc.poll() is not None)
        assert held.is_set(), run.lines
        run.signal_and_wait_for_its_line()
        code = run.ended(timeout=10)  # while the read is still held: the import does not wait for it
    finally:
        release.set()
    assert code == 1, run.lines
    assert run.lines[-1] == "error: the import was cancelled while reading; nothing was written\n", run.lines
    assert not any("Traceback" in line for line in run.lines)
    assert not out.exists() or not any(out.rglob("*")), sorted(out.rglob("*"))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs a FIFO to hold a write")
def test_a_sigterm_while_the_files_are_written_lets_every_file_be_written_manifest_last(
    emu: Emulator, tmp_path: Path
) -> None:
    emu.seed_function("first", handler("/*first*/ return event.request;"), publish=True)
    emu.seed_function("second", handler("/*second*/ return event.request;"), publish=True)
    out = tmp_path / "adopted"
    (out / "functions").mkdir(parents=True)
    fifo = out / "functions" / "second.js"
    os.mkfifo(fifo)  # the import's write of this file waits until someone reads it: held mid-write
    run = Import(emu, out, "--force")
    try:
        # the code files go in name order, the manifest last: once `first` is there, the writes are on
        wait_for(lambda: run.proc.poll() is not None or (out / "functions" / "first.js").exists())
        assert run.proc.poll() is None, run.lines
        run.signal_and_wait_for_its_line()
        assert not (out / "cloudfront-functions.yml").exists()
    finally:
        fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # never blocks, whatever the import did
        with os.fdopen(fd, "rb") as held:
            written = _drain(held, run.proc)
    code = run.ended(timeout=30)
    assert code == 1, run.lines
    assert written == handler("/*second*/ return event.request;")
    assert (out / "functions" / "first.js").read_bytes() == handler("/*first*/ return event.request;")
    manifest = (out / "cloudfront-functions.yml").read_text()
    assert 'name: "first"' in manifest and 'name: "second"' in manifest
    assert run.lines[-1] == "import: cancelled while writing; every file was written, the manifest last\n"


def _drain(fifo: BinaryIO, proc: subprocess.Popen[str]) -> bytes:
    """What the import writes into the FIFO, until it closes its end (or ends)."""
    got = b""
    while True:
        try:
            chunk = fifo.read()
        except BlockingIOError:
            chunk = None
        if chunk:
            got += chunk
        elif (chunk == b"" and got) or proc.poll() is not None:  # the writer closed its end, or ended
            return got
        time.sleep(0.01)
