"""CloudFront over one boto3 client: the port's operations, typed. The only module that builds boto3
clients or reads error codes (`sdk_client` and `sdk_call` serve the KeyValueStore data API and
CloudWatch too); a broken set-up (profile, config file, endpoint) becomes one clear SetupError."""

from __future__ import annotations

import functools
import json
import os
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from publisher.core.errors import (
    AlreadyExists,
    AwsError,
    NotFound,
    PreconditionFailed,
    SetupError,
)
from publisher.core.model import Behaviour, Distribution, DistributionConfig, FunctionConfig, Stage
from publisher.core.modes import Kind
from publisher.core.port import FunctionSummary, TestRun
from publisher.shell import redact
from publisher.shell.function_rows import ROWS, FunctionRow

CONNECT_TIMEOUT = 5  # seconds; with READ_TIMEOUT and the attempts, what bounds a run against a dead endpoint
READ_TIMEOUT = 15  # CloudFront answers in a second or two; a read this long is a dead endpoint
ATTEMPTS = 10  # in all, the first included, for answers that ask for patience: throttling, 5xx
UNANSWERED_ATTEMPTS = 2  # for a request the endpoint took and never answered (a read or connect timeout)


F = TypeVar("F", bound=Callable[..., Any])


def _answers(method: F) -> F:
    """An answer without the fields CloudFront always sends came from something else at the endpoint."""

    @functools.wraps(method)
    def read(self: AwsCloudFront, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except (KeyError, TypeError, AttributeError, ValueError) as err:
            operation = "".join(w.capitalize() for w in method.__name__.split("_"))
            raise SetupError(
                f"{operation}: the endpoint {self._client.meta.endpoint_url} answered without CloudFront's "
                f"{err} field, so it is not CloudFront's API; check --endpoint-url or AWS_ENDPOINT_URL"
            ) from None

    return read  # type: ignore[return-value]


def sdk_client(service: str, endpoint_url: str | None, *, mode: str = "standard", pool: int = 10) -> Any:
    """A boto3 client in us-east-1 with bounded timeouts and attempts; a broken set-up is a SetupError."""
    try:
        import botocore.session
        from botocore.config import Config

        config = Config(
            region_name="us-east-1",  # CloudFront and its metrics are global, in us-east-1
            # total_max_attempts counts the first attempt, as AWS_MAX_ATTEMPTS does (botocore's
            # max_attempts counts retries only: AWS_MAX_ATTEMPTS=1 would make two)
            retries={"mode": mode, "total_max_attempts": _attempts()},
            max_pool_connections=pool,
            connect_timeout=CONNECT_TIMEOUT,
            read_timeout=READ_TIMEOUT,
        )
        # botocore's own client, as boto3 builds it, without boto3's layer (resources, the S3 transfer
        # manager), which none of these calls use and which costs a tenth of a second of start-up. A
        # session of its own, as boto3's: the environment and config files are read afresh each time.
        client = botocore.session.Session().create_client(service, endpoint_url=endpoint_url, config=config)
    except Exception as err:  # botocore's set-up errors share no base class worth naming
        raise SetupError(_setup_problem(err, endpoint_url)) from None
    service_event = client.meta.service_model.service_id.hyphenize()
    client.meta.events.register_first(f"needs-retry.{service_event}", _Unanswered())
    redact.install()  # the SDK's loggers exist now: none of them may show a token or a signature
    return client


def load_sdk(*, sigv4a: bool) -> None:
    """Load botocore for this process, with the AWS CRT only when a call needs SigV4A (the KeyValueStore
    data API). botocore imports the CRT whenever it is installed, and signs with it, at a cost of about
    a twentieth of a second of start-up; without it, botocore signs SigV4 itself. Once botocore is
    loaded (a second run in one process, a test), this changes nothing."""
    if sigv4a or "botocore" in sys.modules:
        return
    hidden = {name: sys.modules.get(name) for name in ("awscrt", "awscrt.auth")}
    for name in hidden:  # None in sys.modules: an import of it fails, so botocore goes without
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        import botocore.auth
        import botocore.session  # noqa: F401 - loaded here, while the CRT is hidden
    finally:
        for name, module in hidden.items():
            if module is None:
                del sys.modules[name]
            else:
                sys.modules[name] = module


class _Unanswered:
    """First in botocore's needs-retry chain: a request that met a timeout is retried while it has had
    fewer than UNANSWERED_ATTEMPTS, and not at all once one of this client's calls has given up on
    timeouts and no answer has come since; any other retry (throttling, 5xx) is left to botocore's
    policy. A dead endpoint then ends a run in about two reads (30 s), not ten (150 s): the run's
    first reads (the functions', in parallel) fail together, and it stops there, stores included.

    Returning False (rather than None) is botocore's way for a handler to say "no retry"
    (botocore.endpoint._needs_retry); None leaves the decision to the retry handler after it."""

    def __init__(self) -> None:
        self.given_up = False  # a call gave up on timeouts and nothing has answered since

    def __call__(self, attempts: int, caught_exception: Exception | None = None, **_: Any) -> bool | None:
        from botocore.exceptions import ConnectTimeoutError, ReadTimeoutError

        if not isinstance(caught_exception, ReadTimeoutError | ConnectTimeoutError):
            if caught_exception is None:
                self.given_up = False  # an answer came, even an error: the endpoint is alive
            return None
        if self.given_up or attempts >= min(UNANSWERED_ATTEMPTS, _attempts()):
            self.given_up = True
            return False
        return None


def sdk_call(client: Any, operation: str, kinds: dict[str, type[AwsError]], **params: Any) -> Any:
    """One call, named after the API's operation; a ClientError becomes the `kinds` of its error code."""
    from botocore.exceptions import BotoCoreError, ClientError, MissingDependencyException, NoCredentialsError
    from botocore.parsers import ResponseParserError

    try:
        return getattr(client, _snake(operation))(**params)
    except NoCredentialsError:
        raise SetupError(
            "no AWS credentials found: configure them (e.g. aws-actions/configure-aws-credentials); "
            "pull requests from forks get none: run `check` there, which needs no AWS"
        ) from None
    except MissingDependencyException:  # the KeyValueStore data API is signed with SigV4A
        raise SetupError(
            f"{operation} is signed with SigV4A, which needs the AWS CRT: install awscrt "
            "(pip install 'boto3[crt]')"
        ) from None
    except ClientError as err:
        error = err.response.get("Error", {})
        code, message = str(error.get("Code", "")), str(error.get("Message", ""))
        status = int(err.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
        raise kinds.get(code, AwsError)(operation, code, message, status) from None
    except ResponseParserError:
        raise SetupError(
            f"{operation}: the endpoint {client.meta.endpoint_url} answered with something that is not "
            "the AWS API; check --endpoint-url or AWS_ENDPOINT_URL"
        ) from None
    except BotoCoreError as err:  # no answer after the retries: connection, timeout, parameters
        raise AwsError(operation, type(err).__name__, str(err)) from None


ERRORS: dict[str, type[AwsError]] = {
    "NoSuchFunctionExists": NotFound,
    "EntityNotFound": NotFound,  # a connection function's (and a store's)
    "PreconditionFailed": PreconditionFailed,
    "FunctionAlreadyExists": AlreadyExists,
    "EntityAlreadyExists": AlreadyExists,  # CreateConnectionFunction's
}


class AwsCloudFront:
    """The port over boto3; every call names its Stage, since the default is undocumented."""

    def __init__(self, endpoint_url: str | None = None, max_concurrency: int = 16) -> None:
        # adaptive: standard retries plus a client-side rate that backs off on Throttling. Every call
        # goes to one control plane with one account-wide limit; under standard mode alone the
        # parallel reads ran out of retries against a limit of 10 requests a second (BENCHMARKS.md)
        self._client = sdk_client("cloudfront", endpoint_url, mode="adaptive", pool=max_concurrency + 4)
        self._slots = threading.BoundedSemaphore(max_concurrency)  # the bound on calls in flight, run-wide

    @_answers
    def list_functions(self, stage: Stage, *, kind: Kind = Kind.FUNCTION) -> list[FunctionSummary]:
        row, found, marker = ROWS[kind], [], ""
        while True:
            page = self._call(row.list, Stage=stage.value, MaxItems=row.max_items, **_marker(marker))
            found += [_summary(row, item) for item in _at(page, row.items, [])]
            marker = _at(page, row.next_marker, "")
            if not marker:
                return found

    @_answers
    def get_function(
        self, name: str, stage: Stage, *, kind: Kind = Kind.FUNCTION
    ) -> tuple[bytes, str] | None:
        row = ROWS[kind]
        try:
            out = self._call(row.get, **{row.read_key: name}, Stage=stage.value)
        except NotFound:
            return None
        return out[row.code].read(), out["ETag"]

    @_answers
    def describe_function(
        self, name: str, stage: Stage, *, kind: Kind = Kind.FUNCTION
    ) -> FunctionSummary | None:
        row = ROWS[kind]
        try:
            out = self._call(row.describe, **{row.read_key: name}, Stage=stage.value)
        except NotFound:
            return None
        return _summary(row, out[row.summary], out["ETag"])

    @_answers
    def create_function(
        self,
        name: str,
        code: bytes,
        config: FunctionConfig,
        *,
        kind: Kind = Kind.FUNCTION,
        tags: Mapping[str, str] | None = None,
    ) -> FunctionSummary:
        row = ROWS[kind]
        params = {row.code: code, row.config: _config(config), **_tags(tags)}
        out = self._call(row.create, Name=name, **params)
        return _summary(row, out[row.summary], str(out["ETag"]))

    @_answers
    def update_function(
        self, name: str, code: bytes, config: FunctionConfig, if_match: str, *, kind: Kind = Kind.FUNCTION
    ) -> str | None:
        row = ROWS[kind]
        params = {row.write_key: name, row.code: code, row.config: _config(config)}
        out = self._call(row.update, IfMatch=if_match, **params)
        # the model reads the ETag from a header spelled "ETtag"; the real header is the one to trust
        etag = out["ResponseMetadata"]["HTTPHeaders"].get("etag") or out.get("ETag")
        return str(etag) if etag else None

    @_answers
    def publish_function(self, name: str, if_match: str, *, kind: Kind = Kind.FUNCTION) -> str:
        row = ROWS[kind]
        out = self._call(row.publish, **{row.write_key: name}, IfMatch=if_match)
        return str(out[row.summary].get("Status", ""))

    @_answers
    def test_function(
        self, name: str, stage: Stage, if_match: str, event: bytes, *, kind: Kind = Kind.FUNCTION
    ) -> TestRun:
        row = ROWS[kind]
        params = {row.write_key: name, row.test_input: event}
        result = self._call(row.test, IfMatch=if_match, Stage=stage.value, **params)[row.test_result]
        return TestRun(
            error=result.get(row.test_error) or "",
            output=_output(result.get(row.test_output) or ""),
            logs=tuple(result.get(row.test_logs) or ()),
            utilization=int(result.get("ComputeUtilization") or 0),
        )

    def delete_function(self, name: str, if_match: str, *, kind: Kind = Kind.FUNCTION) -> None:
        row = ROWS[kind]
        self._call(row.delete, **{row.write_key: name}, IfMatch=if_match)

    def list_key_value_stores(self) -> dict[str, str]:
        return {name: arn for name, (arn, _) in self.list_key_value_store_entries().items()}

    @_answers
    def list_key_value_store_entries(self) -> dict[str, tuple[str, str]]:
        stores, marker = {}, ""
        while True:
            page = self._call("ListKeyValueStores", MaxItems="100", **_marker(marker))
            listing = page.get("KeyValueStoreList", {})
            stores.update({s["Name"]: (s["ARN"], s.get("Comment", "")) for s in listing.get("Items", [])})
            marker = listing.get("NextMarker", "")
            if not marker:
                return stores

    @_answers
    def describe_key_value_store(self, name: str) -> tuple[str, str] | None:
        """The store's ARN and Status (control plane), or None when the account has no such store."""
        try:
            out = self._call("DescribeKeyValueStore", Name=name)
        except NotFound:
            return None
        return str(out["KeyValueStore"]["ARN"]), str(out["KeyValueStore"].get("Status", ""))

    @_answers
    def create_key_value_store(
        self, name: str, comment: str, tags: Mapping[str, str] | None = None
    ) -> tuple[str, str]:
        out = self._call("CreateKeyValueStore", Name=name, Comment=comment, **_tags(tags))
        return str(out["KeyValueStore"]["ARN"]), str(out["KeyValueStore"].get("Status", ""))

    def list_distributions(self, tenant_only: bool = False) -> Iterator[Distribution]:
        """One pass over every page; tenant-only distributions come from their own listing."""
        # the same page size, typed differently: a string for one operation, an integer for the other
        op, extra = (
            ("ListDistributionsByConnectionMode", {"ConnectionMode": "tenant-only", "MaxItems": 100})
            if tenant_only
            else ("ListDistributions", {"MaxItems": "100"})
        )
        marker = ""
        while True:
            page = self._call(op, **extra, **_marker(marker))["DistributionList"]
            yield from (_distribution(d) for d in page.get("Items", []))
            marker = page.get("NextMarker", "") if page.get("IsTruncated") else ""
            if not marker:
                return

    @_answers
    def get_distribution(self, dist_id: str) -> tuple[str, str]:
        out = self._call("GetDistribution", Id=dist_id)
        return str(out["Distribution"]["Status"]), str(out["ETag"])

    @_answers
    def list_distributions_by_connection_function(self, function_id: str) -> list[str]:
        """The Ids of the distributions whose config names this connection function, every page."""
        found: list[str] = []
        marker = ""
        while True:
            params = {"ConnectionFunctionIdentifier": function_id, "MaxItems": 100, **_marker(marker)}
            page = self._call("ListDistributionsByConnectionFunction", **params)["DistributionList"]
            found += [str(d["Id"]) for d in page.get("Items", [])]
            marker = page.get("NextMarker", "") if page.get("IsTruncated") else ""
            if not marker:
                return found

    @_answers
    def get_distribution_config(self, dist_id: str) -> DistributionConfig:
        out = self._call("GetDistributionConfig", Id=dist_id)
        return DistributionConfig(dist_id, str(out["ETag"]), out["DistributionConfig"])

    @_answers
    def update_distribution(self, dist_id: str, config: Mapping[str, Any], if_match: str) -> str:
        """The whole config, as read but for what the plan changed; answers the new ETag."""
        out = self._call("UpdateDistribution", Id=dist_id, IfMatch=if_match, DistributionConfig=dict(config))
        return str(out["ETag"])

    @_answers
    def list_tags(self, arn: str) -> dict[str, str]:
        items = self._call("ListTagsForResource", Resource=arn)["Tags"].get("Items", [])
        return {str(t["Key"]): str(t.get("Value", "")) for t in items}

    def tag_resource(self, arn: str, tags: Mapping[str, str]) -> None:
        self._call("TagResource", Resource=arn, **_tags(tags))

    def untag_resource(self, arn: str, keys: Sequence[str]) -> None:
        self._call("UntagResource", Resource=arn, TagKeys={"Items": list(keys)})

    def _call(self, operation: str, **params: Any) -> Any:
        with self._slots:
            return sdk_call(self._client, operation, ERRORS, **params)


def _tags(tags: Mapping[str, str] | None) -> dict[str, Any]:
    """`Tags` as the model shapes it ({Items: [{Key, Value}]}); nothing at all for no tags."""
    if not tags:
        return {}
    return {"Tags": {"Items": [{"Key": k, "Value": v} for k, v in sorted(tags.items())]}}


def _attempts() -> int:
    """AWS_MAX_ATTEMPTS, as the standard chain reads it, else ours: both bound a run against a dead endpoint."""
    value = os.environ.get("AWS_MAX_ATTEMPTS", "")
    return int(value) if value.isdigit() and int(value) > 0 else ATTEMPTS


def _setup_problem(err: Exception, endpoint_url: str | None) -> str:
    if isinstance(err, ValueError) and endpoint_url:
        return f"the endpoint URL {endpoint_url!r} is not usable: {err}"
    return f"the AWS set-up is not usable: {err}"


def _summary(row: FunctionRow, item: dict[str, Any], etag: str = "") -> FunctionSummary:
    cfg = item[row.config]
    stores = cfg.get("KeyValueStoreAssociations", {}).get("Items", [])
    config = FunctionConfig(
        cfg.get("Comment", ""), cfg["Runtime"], tuple(s["KeyValueStoreARN"] for s in stores)
    )
    modified = _at(item, row.modified, None)
    return FunctionSummary(
        item["Name"],
        config,
        _at(item, row.arn, ""),
        item.get("Status", ""),
        etag,
        modified if isinstance(modified, datetime) else None,
        item.get("Id", ""),
    )


def _at(answer: dict[str, Any], path: tuple[str, ...], default: Any) -> Any:
    """The value at a row's path in an answer, or the default where a level is missing."""
    for key in path:
        if not isinstance(answer, dict) or key not in answer:
            return default
        answer = answer[key]
    return answer


def _output(text: str) -> dict[str, Any] | None:
    """A test's output: a viewer function's is JSON; a connection function's is read as JSON where it
    is an object, else kept whole under `output`."""
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return {"output": text}
    return value if isinstance(value, dict) else {"output": value}


def _config(config: FunctionConfig) -> dict[str, Any]:
    # always sent whole: UpdateFunction replaces the config, and a missing association is a dropped one
    stores = [{"KeyValueStoreARN": arn} for arn in config.key_value_store_arns]
    return {
        "Comment": config.comment,
        "Runtime": config.runtime,
        "KeyValueStoreAssociations": {"Quantity": len(stores), "Items": stores},
    }


def _distribution(d: dict[str, Any]) -> Distribution:
    behaviours = [(None, d.get("DefaultCacheBehavior", {}))]
    behaviours += [(b.get("PathPattern"), b) for b in d.get("CacheBehaviors", {}).get("Items", [])]
    return Distribution(
        id=d["Id"],
        domain=d.get("DomainName", ""),
        status=d.get("Status", ""),
        enabled=bool(d.get("Enabled")),
        aliases=tuple(d.get("Aliases", {}).get("Items", [])),
        etag=d.get("ETag", ""),
        connection_function=str((d.get("ConnectionFunctionAssociation") or {}).get("Id", "")),
        behaviours=tuple(
            Behaviour(path, a["EventType"], a["FunctionARN"])
            for path, b in behaviours
            for a in b.get("FunctionAssociations", {}).get("Items", [])
        ),
    )


def _marker(marker: str) -> dict[str, str]:
    return {"Marker": marker} if marker else {}


def _snake(operation: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in operation).lstrip("_")
