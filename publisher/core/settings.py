"""Settings of one run, from the command line or the Action's inputs, validated before anything else."""

from __future__ import annotations

import re
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from publisher.core.errors import InputError, Problem
from publisher.core.manifest import NAME_PATTERN
from publisher.core.plan import Mode

NAME = re.compile(NAME_PATTERN)


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    mode: Mode = Mode.PUBLISH
    manifest: str = Field("cloudfront-functions.yml", min_length=1)
    functions: tuple[str, ...] = ()
    endpoint_url: str | None = None
    backup_dir: str = Field("cloudfront-backups", min_length=1)
    max_concurrency: int = Field(16, ge=1, le=64)
    summary_template: str | None = None
    wait_for_deployment: bool = False
    comment_on_pr: bool = False  # the Action only: the plan as a pull-request comment
    wait_timeout_minutes: float = Field(20, gt=0, le=360)
    rollback_from: str | None = None  # a folder of LIVE backups: the desired state of `rollback` (and `plan`)
    watch_minutes: float = Field(0, ge=0, le=360)  # the guard of a publish: 0 is off
    max_error_rate: float = Field(1, ge=0, le=100)  # percent of invocations
    run_id: str = "local"  # names preview functions: a pull request number or a commit
    json_output: bool = False
    summary_file: str | None = None
    source: str = "command line"  # where these came from, for the problems found in them

    @field_validator("functions")
    @classmethod
    def _names(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        bad = [n for n in names if not NAME.match(n)]
        if bad:
            raise ValueError(f"not function names: {', '.join(bad)}")
        return names


def split_names(text: str) -> tuple[str, ...]:
    """A comma- or newline-separated list, as people write it in YAML."""
    return tuple(dict.fromkeys(n.strip() for n in re.split(r"[,\n]", text) if n.strip()))


def settings_from(values: Mapping[str, object], source: str) -> Settings:
    """Validate values keyed by input name (kebab-case); each problem names the input."""
    try:
        fields = {k.replace("-", "_"): v for k, v in values.items() if v != ""}
        return Settings.model_validate({**fields, "source": source})
    except ValidationError as err:
        problems = [
            Problem(source, None, ".".join(str(p) for p in e["loc"]).replace("_", "-"), _message(e), False)
            for e in err.errors()
        ]
        raise InputError(problems) from None


def _message(e: object) -> str:
    assert isinstance(e, dict)
    if e["type"] == "enum":
        return f"must be one of {', '.join(m.value for m in Mode)} (got {e['input']!r})"
    if e["type"] == "extra_forbidden":
        return "unknown setting"
    return f"{e['msg']} (got {e['input']!r})"
