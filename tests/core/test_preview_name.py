from __future__ import annotations

import re

import pytest

from publisher.shell.preview import preview_name


@pytest.mark.parametrize("function", ["a", "redirect-www", "x" * 64, "y" * 60])
@pytest.mark.parametrize("run_id", ["pr12", "0123abcd", "pr" + "9" * 40])
def test_preview_names_fit_the_service_pattern(function: str, run_id: str) -> None:
    name = preview_name(function, run_id)
    assert re.fullmatch(r"[a-zA-Z0-9_-]{1,64}", name)
    assert "-preview-" in name


def test_long_names_sharing_a_prefix_stay_apart() -> None:
    assert preview_name("a" * 60 + "one", "pr1") != preview_name("a" * 60 + "two", "pr1")


def test_a_preview_name_never_equals_the_shared_function() -> None:
    assert preview_name("fn", "pr1") != "fn"
