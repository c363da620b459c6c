"""The operations a run needs, named after the API: CloudFront's (functions, KeyValueStores' control
plane, distributions) and the KeyValueStore data API's. `shell/aws.py` and `shell/kvs.py` implement
them over boto3; tests/fake_cloudfront.py and tests/fake_stores.py implement them in memory. Every
call that reads a function names its Stage."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from publisher.core.model import Distribution, DistributionConfig, FunctionConfig, Stage, StageState
from publisher.core.modes import Kind

VIEWER = Kind.FUNCTION


@dataclass(frozen=True)
class FunctionSummary:
    """A stage as listed or described: everything but the code. The ETag only where described."""

    name: str
    config: FunctionConfig
    arn: str
    status: str
    etag: str = ""
    modified: datetime | None = None  # FunctionMetadata.LastModifiedTime, where the answer has it
    id: str = ""  # a connection function's Id, which its writes are addressed by; "" for a viewer function

    def with_code(self, code: bytes, etag: str) -> StageState:
        return StageState(etag=etag, code=code, config=self.config, arn=self.arn, status=self.status)


@dataclass(frozen=True)
class TestRun:
    """TestFunction's answer: a thrown error, the function's output, its log lines, its utilization."""

    error: str
    output: dict[str, Any] | None
    logs: tuple[str, ...]
    utilization: int


class CloudFront(Protocol):
    """Every function operation takes the kind, whose row (shell/aws.py) names the API's operation and
    fields. `name` is the function's address: its Name for a viewer function, its Id for a connection
    function (the listing gives it; a create answers it)."""

    def list_functions(self, stage: Stage, *, kind: Kind = VIEWER) -> list[FunctionSummary]: ...

    def get_function(self, name: str, stage: Stage, *, kind: Kind = VIEWER) -> tuple[bytes, str] | None: ...

    def describe_function(
        self, name: str, stage: Stage, *, kind: Kind = VIEWER
    ) -> FunctionSummary | None: ...

    def create_function(
        self,
        name: str,
        code: bytes,
        config: FunctionConfig,
        *,
        kind: Kind = VIEWER,
        tags: Mapping[str, str] | None = None,
    ) -> FunctionSummary: ...  # with the ETag (and a connection function's Id)

    def update_function(
        self, name: str, code: bytes, config: FunctionConfig, if_match: str, *, kind: Kind = VIEWER
    ) -> str | None: ...

    def publish_function(self, name: str, if_match: str, *, kind: Kind = VIEWER) -> str: ...

    def test_function(
        self, name: str, stage: Stage, if_match: str, event: bytes, *, kind: Kind = VIEWER
    ) -> TestRun: ...

    def delete_function(self, name: str, if_match: str, *, kind: Kind = VIEWER) -> None: ...

    def list_key_value_stores(self) -> dict[str, str]: ...

    def list_key_value_store_entries(self) -> dict[str, tuple[str, str]]: ...  # name -> (ARN, Comment)

    def list_distributions(self, tenant_only: bool = False) -> Iterator[Distribution]: ...

    def get_distribution(self, dist_id: str) -> tuple[str, str]: ...

    def get_distribution_config(self, dist_id: str) -> DistributionConfig: ...

    def list_distributions_by_connection_function(self, function_id: str) -> list[str]: ...  # their Ids

    def update_distribution(self, dist_id: str, config: Mapping[str, Any], if_match: str) -> str: ...

    # tags of a function, connection function or store, by ARN (core/tags.py)

    def list_tags(self, arn: str) -> dict[str, str]: ...

    def tag_resource(self, arn: str, tags: Mapping[str, str]) -> None: ...

    def untag_resource(self, arn: str, keys: Sequence[str]) -> None: ...


class StoreControl(Protocol):
    """A KeyValueStore in CloudFront's control plane: its ARN and Status (READY once usable)."""

    def describe_key_value_store(self, name: str) -> tuple[str, str] | None: ...

    def create_key_value_store(
        self, name: str, comment: str, tags: Mapping[str, str] | None = None
    ) -> tuple[str, str]: ...


class StoreData(Protocol):
    """A KeyValueStore's keys, through the data API (`cloudfront-keyvaluestore`), addressed by ARN."""

    def describe(self, arn: str) -> str: ...  # the store's ETag

    def list_keys(self, arn: str) -> dict[str, str]: ...

    def update_keys(
        self, arn: str, if_match: str, puts: Mapping[str, str], deletes: Sequence[str]
    ) -> str: ...
