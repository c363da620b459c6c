"""An in-memory CloudFront behind the port (core/port.py), for fast unit tests of the shell.

It keeps both stages with an ETag each and answers 412 and 409 as the service does. A test can run
code just before an operation (a second writer), lose an answer after the write took effect, and choose
whether a publish renews DEVELOPMENT's ETag (undocumented: both are tested). The HTTP tests against
the emulator prove the real wire behaves like this.
"""

from __future__ import annotations

import copy
import itertools
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from publisher.core.errors import AlreadyExists, AwsError, NotFound, PreconditionFailed
from publisher.core.model import Distribution, DistributionConfig, FunctionConfig, Stage, StageState
from publisher.core.modes import Kind
from publisher.core.port import FunctionSummary, TestRun
from publisher.shell.function_rows import ROWS, WRITES

ARN = "arn:aws:cloudfront::123456789012:function/"
CONNECTION_ARN = "arn:aws:cloudfront::123456789012:connection-function/"
_etags = itertools.count(1)


def new_etag() -> str:
    return f"E{next(_etags)}"


@dataclass
class FakeCloudFront:
    functions: dict[str, dict[Stage, StageState]] = field(default_factory=dict)
    publish_renews_development_etag: bool = True
    calls: Counter[str] = field(default_factory=Counter)
    before: dict[str, Callable[[FakeCloudFront], None]] = field(default_factory=dict)
    lose_answer: set[str] = field(default_factory=set)  # the write takes effect, the answer is lost
    stores: dict[str, str] = field(default_factory=dict)
    test_output: Callable[[bytes], TestRun] = lambda code: TestRun("", {"request": {}}, (), 5)
    configs: dict[str, DistributionConfig] = field(default_factory=dict)  # distribution Id -> config
    # connection functions, by Id (their address), and the name of each Id
    connection_functions: dict[str, dict[Stage, StageState]] = field(default_factory=dict)
    connection_names: dict[str, str] = field(default_factory=dict)
    distributions: list[Distribution] = field(default_factory=list)  # what ListDistributions answers
    tags: dict[str, dict[str, str]] = field(default_factory=dict)  # by ARN
    tagging_renews_etag: bool = False  # TagResource/UntagResource give DEVELOPMENT a new ETag

    # --- seeding, as another client would --------------------------------------------------------

    def put(
        self, name: str, code: bytes, config: FunctionConfig | None = None, *, publish: bool = False
    ) -> None:
        stage = StageState(new_etag(), code, config or FunctionConfig("c", "cloudfront-js-2.0"), ARN + name)
        self.functions.setdefault(name, {})[Stage.DEVELOPMENT] = stage
        if publish:
            self.functions[name][Stage.LIVE] = replace(stage, etag=new_etag())

    def put_connection(
        self, name: str, code: bytes, config: FunctionConfig | None = None, *, publish: bool = False
    ) -> str:
        """A connection function as another client made it; returns its Id."""
        cid = f"C{next(_etags)}"
        self.connection_names[cid] = name
        stage = StageState(
            new_etag(), code, config or FunctionConfig("c", "cloudfront-js-2.0"), CONNECTION_ARN + cid
        )
        self.connection_functions[cid] = {Stage.DEVELOPMENT: stage}
        if publish:
            self.connection_functions[cid][Stage.LIVE] = replace(stage, etag=new_etag())
        return cid

    def stage(self, name: str, stage: Stage, kind: Kind = Kind.FUNCTION) -> StageState | None:
        return self._table(kind).get(name, {}).get(stage)

    @property
    def writes(self) -> int:
        return sum(n for op, n in self.calls.items() if op in WRITES)

    # --- the port ---------------------------------------------------------------------------------

    def list_tags(self, arn: str) -> dict[str, str]:
        self._enter("ListTagsForResource")
        return dict(self.tags.get(arn, {}))

    def tag_resource(self, arn: str, tags: Mapping[str, str]) -> None:
        self._enter("TagResource")
        self.tags.setdefault(arn, {}).update(tags)
        self._renew_for_tags(arn)
        self._answer("TagResource", "")

    def untag_resource(self, arn: str, keys: Sequence[str]) -> None:
        self._enter("UntagResource")
        held = self.tags.setdefault(arn, {})
        for key in keys:
            held.pop(key, None)
        self._renew_for_tags(arn)
        self._answer("UntagResource", "")

    def _renew_for_tags(self, arn: str) -> None:
        for stages in (*self.functions.values(), *self.connection_functions.values()):
            dev = stages.get(Stage.DEVELOPMENT)
            if dev is not None and dev.arn == arn and self.tagging_renews_etag:
                stages[Stage.DEVELOPMENT] = replace(dev, etag=new_etag())

    def list_functions(self, stage: Stage, *, kind: Kind = Kind.FUNCTION) -> list[FunctionSummary]:
        self._enter(ROWS[kind].list)
        return [self._summary(kind, a, s[stage]) for a, s in self._table(kind).items() if stage in s]

    def get_function(
        self, name: str, stage: Stage, *, kind: Kind = Kind.FUNCTION
    ) -> tuple[bytes, str] | None:
        self._enter(ROWS[kind].get)
        found = self.stage(name, stage, kind)
        return (found.code, found.etag) if found else None

    def describe_function(
        self, name: str, stage: Stage, *, kind: Kind = Kind.FUNCTION
    ) -> FunctionSummary | None:
        self._enter(ROWS[kind].describe)
        found = self.stage(name, stage, kind)
        return self._summary(kind, name, found, found.etag) if found else None

    def create_function(
        self,
        name: str,
        code: bytes,
        config: FunctionConfig,
        *,
        kind: Kind = Kind.FUNCTION,
        tags: Mapping[str, str] | None = None,
    ) -> FunctionSummary:
        operation = ROWS[kind].create
        self._enter(operation)
        taken = self.functions if kind is Kind.FUNCTION else self.connection_names.values()
        if name in taken:
            raise AlreadyExists(operation, "FunctionAlreadyExists", name, 409)
        address = name if kind is Kind.FUNCTION else f"C{next(_etags)}"
        arn = (ARN if kind is Kind.FUNCTION else CONNECTION_ARN) + address
        state = StageState(new_etag(), code, config, arn)
        self._table(kind)[address] = {Stage.DEVELOPMENT: state}
        if kind is not Kind.FUNCTION:
            self.connection_names[address] = name
        self.tags[arn] = dict(tags or {})
        self._answer(operation, state.etag)
        return self._summary(kind, address, state, state.etag)

    def update_function(
        self, name: str, code: bytes, config: FunctionConfig, if_match: str, *, kind: Kind = Kind.FUNCTION
    ) -> str | None:
        operation = ROWS[kind].update
        self._enter(operation)
        dev = self._development(name, if_match, operation, kind)
        self._table(kind)[name][Stage.DEVELOPMENT] = replace(dev, etag=new_etag(), code=code, config=config)
        return self._answer(operation, self._table(kind)[name][Stage.DEVELOPMENT].etag)

    def publish_function(self, name: str, if_match: str, *, kind: Kind = Kind.FUNCTION) -> str:
        operation = ROWS[kind].publish
        self._enter(operation)
        dev = self._development(name, if_match, operation, kind)
        self._table(kind)[name][Stage.LIVE] = replace(dev, etag=new_etag())
        if self.publish_renews_development_etag:
            self._table(kind)[name][Stage.DEVELOPMENT] = replace(dev, etag=new_etag())
        return self._answer(operation, "UNASSOCIATED")

    def test_function(
        self, name: str, stage: Stage, if_match: str, event: bytes, *, kind: Kind = Kind.FUNCTION
    ) -> TestRun:
        self._enter(ROWS[kind].test)
        found = self.stage(name, stage, kind)
        if found is None:
            raise NotFound(ROWS[kind].test, "NoSuchFunctionExists", name, 404)
        return self.test_output(found.code)

    def delete_function(self, name: str, if_match: str, *, kind: Kind = Kind.FUNCTION) -> None:
        self._enter(ROWS[kind].delete)
        self._development(name, if_match, ROWS[kind].delete, kind)
        del self._table(kind)[name]

    def list_key_value_stores(self) -> dict[str, str]:
        self._enter("ListKeyValueStores")
        return dict(self.stores)

    def list_key_value_store_entries(self) -> dict[str, tuple[str, str]]:
        return {name: (arn, "") for name, arn in self.list_key_value_stores().items()}

    def list_distributions(self, tenant_only: bool = False) -> Iterator[Distribution]:
        self._enter("ListDistributionsByConnectionMode" if tenant_only else "ListDistributions")
        return iter(() if tenant_only else self.distributions)

    def get_distribution(self, dist_id: str) -> tuple[str, str]:
        self._enter("GetDistribution")
        return "Deployed", "D1"

    def get_distribution_config(self, dist_id: str) -> DistributionConfig:
        self._enter("GetDistributionConfig")
        if dist_id not in self.configs:
            raise NotFound("GetDistributionConfig", "NoSuchDistribution", dist_id, 404)
        read = self.configs[dist_id]
        return replace(read, config=copy.deepcopy(dict(read.config)))

    def list_distributions_by_connection_function(self, function_id: str) -> list[str]:
        self._enter("ListDistributionsByConnectionFunction")
        return [
            i
            for i, read in self.configs.items()
            if (read.config.get("ConnectionFunctionAssociation") or {}).get("Id") == function_id
        ]

    def update_distribution(self, dist_id: str, config: Mapping[str, Any], if_match: str) -> str:
        self._enter("UpdateDistribution")
        held = self.configs[dist_id]
        if held.etag != if_match:
            raise PreconditionFailed(
                "UpdateDistribution", "PreconditionFailed", f"{if_match} is not {held.etag}", 412
            )
        self.configs[dist_id] = DistributionConfig(dist_id, new_etag(), copy.deepcopy(dict(config)))
        return self._answer("UpdateDistribution", self.configs[dist_id].etag)

    # --- behaviour --------------------------------------------------------------------------------

    def _enter(self, operation: str) -> None:
        self.calls[operation] += 1
        hook = self.before.pop(operation, None)
        if hook:
            hook(self)

    def _table(self, kind: Kind) -> dict[str, dict[Stage, StageState]]:
        return self.functions if kind is Kind.FUNCTION else self.connection_functions

    def _summary(self, kind: Kind, address: str, stage: StageState, etag: str = "") -> FunctionSummary:
        if kind is Kind.FUNCTION:
            return FunctionSummary(address, stage.config, stage.arn, "UNASSOCIATED", etag)
        name = self.connection_names[address]
        return FunctionSummary(name, stage.config, stage.arn, "UNASSOCIATED", etag, id=address)

    def _development(
        self, name: str, if_match: str, operation: str, kind: Kind = Kind.FUNCTION
    ) -> StageState:
        dev = self.stage(name, Stage.DEVELOPMENT, kind)
        if dev is None:
            raise NotFound(operation, "NoSuchFunctionExists", name, 404)
        if dev.etag != if_match:
            raise PreconditionFailed(operation, "PreconditionFailed", f"{if_match} is not {dev.etag}", 412)
        return dev

    def _answer(self, operation: str, value: str) -> str:
        if operation in self.lose_answer:
            self.lose_answer.discard(operation)
            raise AwsError(operation, "ReadTimeoutError", "no answer", 0)
        return value
