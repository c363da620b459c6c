"""A sensitive store's values, from the outside: whole commands against the emulator with real boto3,
every channel a value could leave the run by read back and searched for it."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from emulator import Emulator
from tests.e2e.conftest import Run
from tests.e2e.test_stores import loopback, manifest

__all__ = ["loopback"]  # the fixture that resolves the data API's host, used here by name

# Values whose escaping in a logged body has fooled a pattern: a quote (escaped twice inside a bytes
# literal), a value that looks like JSON with its own "Value", a backslash, an apostrophe.
TRICKY = {
    "quoted": 'he said "SECRET-QUOTED-TAIL" then left',
    "json": '{"Value": "SECRET-JSON-INNER", "also": ["SECRET-JSON-LIST"]}',
    "backslash": 'C:\\path\\"SECRET-BACKSLASH-TAIL',
    "apostrophe": "it's SECRET-APOSTROPHE-TAIL",
}
MARKS = (
    "SECRET-QUOTED-TAIL",
    "SECRET-JSON-INNER",
    "SECRET-JSON-LIST",
    "SECRET-BACKSLASH-TAIL",
    "SECRET-APOSTROPHE-TAIL",
)


@pytest.fixture
def sdk_debug_log(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The SDK's debug log turned on, as a user may, written to a file."""
    path = tmp_path_factory.mktemp("logs") / "botocore.log"
    handler = logging.FileHandler(path)
    sdk = logging.getLogger("botocore")
    level = sdk.level
    sdk.addHandler(handler)
    sdk.setLevel(logging.DEBUG)
    try:
        yield path
    finally:
        sdk.removeHandler(handler)
        sdk.setLevel(level)
        handler.close()


def test_the_sdk_debug_log_shows_no_part_of_a_value_however_it_is_escaped(
    emu: Emulator, workspace: Path, cli: Callable[..., Run], sdk_debug_log: Path
) -> None:
    manifest(workspace, {"old": "nothing to hide yet"}, sensitive=True, tests=False)
    assert cli("publish").code == 0
    manifest(workspace, TRICKY, sensitive=True, tests=False)
    assert cli("publish").code == 0  # UpdateKeys carries the values
    manifest(workspace, {"old": "nothing to hide yet"}, sensitive=True, tests=False)
    assert cli("publish").code == 0  # ListKeys answers them
    text = sdk_debug_log.read_text()
    assert "UpdateKeys" in text and "ListKeys" in text  # the log did see the bodies
    leaks = [line[:300] for line in text.splitlines() if any(m in line for m in MARKS)]
    assert leaks == []
