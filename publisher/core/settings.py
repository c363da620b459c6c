"""Settings of one run, from the command line or the Action's inputs, validated before anything else."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from publisher.core.errors import InputError, Problem
from publisher.core.limits import NAME_PATTERN
from publisher.core.modes import Mode

NAME = re.compile(NAME_PATTERN)


@dataclass(frozen=True)
class Surface:
    """Where a setting is exposed: its command-line flag and its Action input (None: not there)."""

    flag: str | None = None
    input: str | None = None
    metavar: str | None = None


def setting(
    default: Any, help: str, *, flag: str | None = None, input: str | None = None, **rules: Any
) -> Any:
    """A setting declared once: its default, its help, its validation, and where it is exposed. The
    command line's flags, the Action's inputs and the test that holds action.yml to them read this."""
    surface = Surface(flag, input, rules.pop("metavar", None))
    return Field(default, description=help, json_schema_extra={"surface": surface.__dict__}, **rules)


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    mode: Mode = setting(Mode.PUBLISH, "what to do", input="mode")
    manifest: str = setting(
        "cloudfront-functions.yml",
        "the manifest (YAML or JSON)",
        flag="--manifest",
        input="manifest",
        min_length=1,
    )
    functions: tuple[str, ...] = setting(
        (), "only these functions of the manifest (comma-separated)", flag="--functions", input="functions"
    )
    endpoint_url: str | None = setting(
        None, "CloudFront endpoint (AWS_ENDPOINT_URL works too)", flag="--endpoint-url"
    )
    backup_dir: str = setting(
        "cloudfront-backups",
        "where what a run replaces is saved before it does",
        flag="--backup-dir",
        input="backup-dir",
        min_length=1,
    )
    max_concurrency: int = setting(
        16, "AWS calls in flight at once", flag="--max-concurrency", input="max-concurrency", ge=1, le=64
    )
    summary_template: str | None = setting(
        None,
        "a Jinja template replacing the built-in summary",
        flag="--summary-template",
        input="summary-template",
        metavar="PATH",
    )
    wait_for_deployment: bool = setting(
        False,
        "after publishing, wait until the distributions are deployed",
        flag="--wait",
        input="wait-for-deployment",
    )
    comment_on_pr: bool = setting(
        False, "put the plan in one comment on the pull request", input="comment-on-pr"
    )
    wait_timeout_minutes: float = setting(
        20,
        "how long to wait for the distributions, in minutes",
        flag="--wait-timeout-minutes",
        input="wait-timeout-minutes",
        gt=0,
        le=360,
    )
    rollback_from: str | None = setting(
        None,
        "rollback: the backup folder a publish wrote",
        flag="--from",
        input="rollback-from",
        metavar="PATH",
    )
    watch_minutes: float = setting(
        0,
        "publish: watch the published functions' errors at the edge this long, then roll back any over "
        "--max-error-rate (implies --wait; 0: off)",
        flag="--watch-minutes",
        input="watch-minutes",
        ge=0,
        le=360,
    )
    max_error_rate: float = setting(
        1,
        "the guard's limit, in percent of invocations",
        flag="--max-error-rate",
        input="max-error-rate",
        ge=0,
        le=100,
    )
    older_than_hours: float | None = setting(
        None,
        "cleanup (the Action): also delete every throwaway preview function older than this many hours",
        input="older-than-hours",
        ge=0,
        le=24 * 365,
    )
    run_id: str = setting("local", "names preview functions: a pull request number or a commit")
    json_output: bool = setting(False, "print the result as JSON on stdout", flag="--json")
    summary_file: str | None = setting(
        None, "also write the Markdown job summary to PATH", flag="--summary", metavar="PATH"
    )
    source: str = "command line"  # where these came from, for the problems found in them

    @field_validator("functions")
    @classmethod
    def _names(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        bad = [n for n in names if not NAME.match(n)]
        if bad:
            raise ValueError(f"not function names: {', '.join(bad)}")
        return names

    @model_validator(mode="after")
    def _applies(self) -> Settings:
        if self.watch_minutes and not self.mode.guarded:
            raise ValueError(f"watch-minutes guards a publish; `{self.mode}` publishes nothing to watch")
        return self

    @classmethod
    def surfaces(cls) -> dict[str, Surface]:
        """Each setting's flag and input, by field name."""
        found = {}
        for name, info in cls.model_fields.items():
            extra = info.json_schema_extra
            if isinstance(extra, dict) and isinstance(extra.get("surface"), dict):
                found[name] = Surface(**extra["surface"])  # type: ignore[arg-type]
        return found

    @classmethod
    def inputs(cls) -> tuple[str, ...]:
        return tuple(s.input for s in cls.surfaces().values() if s.input)


def split_names(text: str) -> tuple[str, ...]:
    """A comma- or newline-separated list, as people write it in YAML."""
    return tuple(dict.fromkeys(n.strip() for n in re.split(r"[,\n]", text) if n.strip()))


def settings_from(values: Mapping[str, object], source: str) -> Settings:
    """Validate values keyed by input name (kebab-case); each problem names the input."""
    try:
        fields = {k.replace("-", "_"): v for k, v in values.items() if v != ""}
        return Settings.model_validate({**fields, "source": source})
    except ValidationError as err:
        problems = [Problem(source, None, _field(e["loc"], values), _message(e), False) for e in err.errors()]
        raise InputError(problems) from None


def _field(loc: tuple[int | str, ...], values: Mapping[str, object]) -> str:
    """The setting a problem lies in, as the user named it; a rule over several names the mode's."""
    if not loc:
        return "watch-minutes" if "watch-minutes" in values or "watch_minutes" in values else "mode"
    return ".".join(str(p) for p in loc).replace("_", "-")


def _message(e: object) -> str:
    assert isinstance(e, dict)
    if e["type"] == "enum":
        return f"must be one of {', '.join(m.value for m in Mode)} (got {e['input']!r})"
    if e["type"] == "extra_forbidden":
        return "unknown setting"
    if not e["loc"]:
        return str(e["msg"]).removeprefix("Value error, ")
    return f"{e['msg']} (got {e['input']!r})"
