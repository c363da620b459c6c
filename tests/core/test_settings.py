"""Each setting is declared once, in Settings: the command line's flags and the Action's inputs are
derived from it, and action.yml is held to it here."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from publisher import cli
from publisher.action import INPUTS, settings_from_inputs
from publisher.core.errors import InputError
from publisher.core.settings import Settings

ROOT = Path(__file__).parents[2]


def action_inputs() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))["inputs"])


def as_input(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value in (None, ()):
        return ""
    return str(value.value if hasattr(value, "value") else value).removesuffix(".0")


def test_action_yml_lists_exactly_the_declared_inputs_with_their_defaults() -> None:
    declared = {s.input: name for name, s in Settings.surfaces().items() if s.input}
    inputs = action_inputs()
    assert set(inputs) == {*declared, "github-token"} == set(INPUTS)
    for flag, name in declared.items():
        default = Settings.model_fields[name].default
        assert str(inputs[flag].get("default", "")) == as_input(default), flag


def test_every_flag_is_declared_once_and_takes_the_declared_default() -> None:
    settings = cli.settings_from_argv(["publish"])
    for name, surface in Settings.surfaces().items():
        if name in ("run_id", "mode"):
            continue
        assert getattr(settings, name) == Settings.model_fields[name].default, name
        if surface.flag:
            assert surface.flag in cli.parser().format_help()


@pytest.mark.parametrize(
    ("argv", "environ"),
    [
        (["plan", "--watch-minutes", "5"], {"INPUT_MODE": "plan", "INPUT_WATCH-MINUTES": "5"}),
        (["sync", "--watch-minutes", "1"], {"INPUT_MODE": "sync", "INPUT_WATCH-MINUTES": "1"}),
    ],
)
def test_watch_minutes_outside_a_publish_is_refused_not_ignored(
    argv: list[str], environ: dict[str, str]
) -> None:
    builds: list[Callable[[], Settings]] = [
        lambda: cli.settings_from_argv(argv),
        lambda: settings_from_inputs(environ),
    ]
    for build in builds:
        with pytest.raises(InputError) as refused:
            build()
        (problem,) = refused.value.problems
        assert problem.field == "watch-minutes" and "publishes nothing to watch" in problem.message


def test_the_entry_points_read_the_validated_settings() -> None:
    settings = cli.settings_from_argv(["plan", "--json", "--summary", "s.md", "--wait"])
    assert (settings.json_output, settings.summary_file, settings.wait_for_deployment) == (True, "s.md", True)
    action = settings_from_inputs({"INPUT_MODE": "plan", "INPUT_COMMENT-ON-PR": "true"})
    assert action.comment_on_pr is True


def test_a_zero_given_on_the_command_line_is_not_taken_for_a_flag_left_out() -> None:
    with pytest.raises(InputError) as refused:
        cli.settings_from_argv(["publish", "--max-concurrency", "0"])
    assert refused.value.problems[0].field == "max-concurrency"
    assert cli.settings_from_argv(["publish", "--watch-minutes", "0"]).watch_minutes == 0
