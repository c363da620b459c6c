"""Fixtures for the reliability tests: an emulator started with a stated seed, a workspace, fake AWS."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator import Emulator, start
from tests.reliability.harness import fake_aws

SEED = 20261125  # every emulator here draws its ETags and random faults from this seed


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "soak: hundreds of runs under random faults (minutes, not seconds)")


@pytest.fixture
def emu(monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    fake_aws(monkeypatch)
    server = start(seed=SEED)
    yield server
    server.stop()


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path
