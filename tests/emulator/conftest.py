"""Fixtures for the emulator's own tests: a fresh emulator per test, and boto3 talking to it over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from emulator import Emulator, start
from tests.emulator.helpers import client


@pytest.fixture
def emu() -> Iterator[Emulator]:
    server = start()
    yield server
    server.stop()


@pytest.fixture
def cf(emu: Emulator) -> Any:
    return client(emu.url)
