"""What AWS holds, as plain values: the two stages of a function and the distributions that run it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from publisher.core.limits import STORE_RUNTIME
from publisher.core.modes import Kind, Ref
from publisher.core.stores import StoreState


class Stage(StrEnum):
    DEVELOPMENT = "DEVELOPMENT"
    LIVE = "LIVE"


@dataclass(frozen=True)
class FunctionConfig:
    """FunctionConfig as UpdateFunction replaces it: all of it, every time."""

    comment: str
    runtime: str
    key_value_store_arns: tuple[str, ...] = ()

    def describe(self) -> str:
        stores = ", ".join(self.key_value_store_arns) or "none"
        return f"runtime: {self.runtime}\ncomment: {self.comment}\nkey-value-store: {stores}\n"


def store_problem(runtime: str | None, has_store: bool) -> str | None:
    """The one rule tying a KeyValueStore to a runtime, for the manifest and the plan alike."""
    if has_store and runtime is not None and runtime != STORE_RUNTIME:
        return f"a KeyValueStore needs runtime {STORE_RUNTIME}"
    return None


@dataclass(frozen=True)
class StageState:
    """One stage of one function as read from AWS; the ETag is the version the reads rest on."""

    etag: str
    code: bytes
    config: FunctionConfig
    arn: str = ""
    status: str = ""

    @property
    def content(self) -> Content:
        return Content(self.code, self.config)


@dataclass(frozen=True)
class Content:
    """What a stage holds, whatever its ETag: two stages are "the same" when these are equal."""

    code: bytes
    config: FunctionConfig

    def held_by(self, stage: StageState | None) -> bool:
        return stage is not None and stage.content == self


@dataclass(frozen=True)
class FunctionState:
    """Both stages; a missing DEVELOPMENT means no such function, a missing LIVE never published."""

    name: str
    development: StageState | None
    live: StageState | None
    id: str = ""  # a connection function's Id, from the listing: its writes are addressed by it


@dataclass(frozen=True)
class Behaviour:
    """A cache behaviour running a function: path None is the default behaviour."""

    path_pattern: str | None
    event_type: str
    function_arn: str


@dataclass(frozen=True)
class Distribution:
    id: str
    domain: str
    status: str
    enabled: bool
    aliases: tuple[str, ...] = ()
    behaviours: tuple[Behaviour, ...] = ()
    etag: str = ""
    connection_function: str = ""  # the Id in its ConnectionFunctionAssociation (viewer mTLS), if any


@dataclass(frozen=True)
class Listed:
    """A function of the account as the listings show it: enough for its loose ends and the quotas."""

    name: str
    arn: str
    comment: str
    store_arns: tuple[str, ...] = ()
    published: bool = False
    kind: Kind = Kind.FUNCTION  # connection functions are listed only when the manifest has some


@dataclass(frozen=True)
class DistributionConfig:
    """A distribution's whole config as GetDistributionConfig answered it, under its ETag: what an
    UpdateDistribution sends back, changed only where the plan says."""

    id: str
    etag: str
    config: Mapping[str, Any]


@dataclass(frozen=True)
class Observed:
    """Everything one run read from AWS before deciding, every kind in the same pass."""

    functions: dict[str, FunctionState]
    key_value_stores: dict[str, str] = field(default_factory=dict)  # name -> ARN, every store listed
    other_functions: tuple[str, ...] = ()  # in the account, not in the manifest
    stores: dict[str, StoreState | None] = field(default_factory=dict)  # the manifest's; None: not there
    store_errors: dict[str, str] = field(default_factory=dict)  # a manifest store that could not be read
    account: tuple[Listed, ...] = ()  # every function of the account as listed, both stages merged
    # read only when a function lists `associations:`: the scan, and the configs of the distributions
    # they name or where such a function runs now
    distributions: tuple[Distribution, ...] = ()
    distribution_configs: dict[str, DistributionConfig] = field(default_factory=dict)
    # the manifest's connection functions by name: a viewer function may share a name with one
    connection_functions: dict[str, FunctionState] = field(default_factory=dict)
    # every connection function of the account as listed: Id -> name (a distribution names it by Id)
    connection_names: dict[str, str] = field(default_factory=dict)
    # the distributions each manifest connection function with `distributions:` runs on now
    connection_distributions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # read only for a resource whose entry (or `defaults`) names tags, and that exists (core/tags.py)
    tags: dict[Ref, dict[str, str]] = field(default_factory=dict)

    def function(self, kind: Kind, name: str) -> FunctionState | None:
        """One function of the manifest as read, by its kind and name."""
        found = self.connection_functions if kind is Kind.CONNECTION_FUNCTION else self.functions
        return found.get(name)
