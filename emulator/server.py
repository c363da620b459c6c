"""The emulator: moto's server app with the project's CloudFront handlers, behind the fault middleware.

moto's DomainDispatcherApplication still routes by service (so other AWS APIs answer as moto does);
for CloudFront it gets this emulator's own Flask app, whose one catch-all route hands every request to
`EmulatorResponse` bound to this emulator's state.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from flask import Flask
from moto.core.utils import convert_to_flask_response
from moto.moto_server.werkzeug_app import (
    BackendRequest,
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

from emulator import seeding
from emulator.faults import DEFAULT_RANDOM_FAULTS, Controls
from emulator.kvs import KvsRouter
from emulator.metrics import COUNTS, cloudwatch_app
from emulator.middleware import FaultMiddleware
from emulator.responses import EmulatorResponse
from emulator.state import State

HTTP_METHODS = ["GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS"]
# Seconds a change keeps a distribution InProgress: long enough that a client reading it right after
# a publish sees the redeploy, short enough for tests; AWS takes minutes. 0 deploys at once.
DEFAULT_DEPLOY_DELAY = 1.0


class QuietRequestHandler(MotoRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


def cloudfront_app(state: State) -> Flask:
    def dispatch(request: Any, full_url: str, headers: Any) -> Any:
        return EmulatorResponse(state)._dispatch(request, full_url, headers)

    app = Flask("emulator")
    app.request_class = BackendRequest
    view = convert_to_flask_response(dispatch)
    app.add_url_rule("/<path:path>", "cloudfront", view, methods=HTTP_METHODS, strict_slashes=False)
    return app


class Emulator:
    """A CloudFront control plane on a local port; see the package docstring for what it emulates."""

    def __init__(  # noqa: PLR0917 - the public API takes these positionally too
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        latency: float = 0.0,
        rate_limit: float | None = None,
        deploy_delay: float = DEFAULT_DEPLOY_DELAY,
        seed: int = 0,
        log_requests: bool = False,
        *,
        publish_renews_development_etag: bool = True,
        refuse_unchanged_publish: bool = False,
    ) -> None:
        self.state = State(seed, deploy_delay)
        self.publish_renews_development_etag = publish_renews_development_etag
        self.refuse_unchanged_publish = refuse_unchanged_publish
        self.controls = Controls(seed, latency, rate_limit)
        self._stopping = threading.Event()
        dispatcher = DomainDispatcherApplication(self._create_app)
        app = FaultMiddleware(KvsRouter(dispatcher, self.state), self.controls, self._stopping)
        handler = MotoRequestHandler if log_requests else QuietRequestHandler
        self._server = make_server(host, port, app, threaded=True, request_handler=handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="cloudfront-emulator", daemon=True
        )

    def _create_app(self, service: Any) -> Flask:
        if service == "cloudfront":
            return cloudfront_app(self.state)
        if service == "cloudwatch":
            return cloudwatch_app(self.state.cloudwatch)
        return create_backend_app(service)

    def start(self) -> Emulator:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    @property
    def url(self) -> str:
        return f"http://{self._server.host}:{self._server.port}"

    # Traffic

    def counts(self) -> dict[str, int]:
        """Requests received by operation name, faulted and throttled ones included."""
        return self.controls.counts()

    def writes(self) -> int:
        """Requests received for operations that change state (TestFunction is not one)."""
        return self.controls.writes()

    def reset_counts(self) -> None:
        self.controls.reset_counts()

    @property
    def latency(self) -> float:
        return self.controls.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        self.controls.latency = seconds

    @property
    def rate_limit(self) -> float | None:
        return self.controls.rate_limit

    @rate_limit.setter
    def rate_limit(self, per_second: float | None) -> None:
        self.controls.rate_limit = per_second

    @property
    def timeout_seconds(self) -> float:
        """How long the "timeout" fault holds a request before dropping it."""
        return self.controls.timeout_seconds

    @timeout_seconds.setter
    def timeout_seconds(self, seconds: float) -> None:
        self.controls.timeout_seconds = seconds

    @property
    def deploy_delay(self) -> float:
        """Seconds a distribution stays InProgress after a change, a function publish included."""
        return self.state.backend.deploy_delay

    @deploy_delay.setter
    def deploy_delay(self, seconds: float) -> None:
        with self.state.lock:
            self.state.backend.deploy_delay = seconds

    @property
    def publish_renews_development_etag(self) -> bool:
        """Whether PublishFunction gives DEVELOPMENT a new ETag too (True, the default) or keeps it."""
        return self.state.functions.publish_renews_development_etag

    @publish_renews_development_etag.setter
    def publish_renews_development_etag(self, renews: bool) -> None:
        with self.state.lock:
            self.state.functions.publish_renews_development_etag = renews

    @property
    def refuse_unchanged_publish(self) -> bool:
        """Whether PublishFunction answers 412 when DEVELOPMENT already equals LIVE (issue #49572)."""
        return self.state.functions.refuse_unchanged_publish

    @refuse_unchanged_publish.setter
    def refuse_unchanged_publish(self, refuses: bool) -> None:
        with self.state.lock:
            self.state.functions.refuse_unchanged_publish = refuses

    @property
    def tagging_renews_etag(self) -> bool:
        """Whether TagResource and UntagResource give a function's DEVELOPMENT a new ETag (off by
        default; the field report of Terraform AWS provider issue #49572 reads as if AWS does)."""
        return self.state.tagging_renews_etag

    @tagging_renews_etag.setter
    def tagging_renews_etag(self, renews: bool) -> None:
        with self.state.lock:
            self.state.tagging_renews_etag = renews

    def tags(self, arn: str) -> dict[str, str]:
        """The tags the resource `arn` holds now."""
        with self.state.lock:
            return dict(self.state.backend.tagger.get_tag_dict_for_resource(arn))

    def inject(self, operation: str, fault: str, times: int = 1, function: str | None = None) -> None:
        """Fail the next `times` requests of `operation` (for `function` only, if given).

        Faults: "throttle" (400 Throttling), "500", "503" (ServiceUnavailable), "reset" (the
        connection closes without an answer), "timeout" (held `timeout_seconds`, then dropped,
        not applied), "lost-response" (applied, then answered 500 or reset; which one comes from
        the seeded generator), so a retry meets a 412.
        """
        self.controls.inject(operation, fault, times, function)

    def fault_rate(self, rate: float, faults: Sequence[str] = DEFAULT_RANDOM_FAULTS) -> None:
        """Fail a `rate` fraction of all requests with faults drawn from the seeded generator."""
        self.controls.fault_rate(rate, faults)

    def before(self, operation: str, callback: Callable[[Emulator], object]) -> None:
        """Run `callback(emulator)` once, server-side, just before the next `operation` is handled.

        It runs outside the state lock, so it may seed or call the emulator over HTTP.
        """
        self.controls.before(operation, lambda: callback(self))

    # Edge traffic

    def record_function_metrics(  # noqa: PLR0917 - the public API
        self,
        function: str,
        invocations: int = 0,
        execution_errors: int = 0,
        validation_errors: int = 0,
        throttles: int = 0,
        compute_utilization: float | None = None,
        at: datetime | None = None,
    ) -> None:
        """Write the CloudWatch data points a minute of viewer traffic leaves for `function`.

        Namespace AWS/CloudFront, dimensions FunctionName and Region=Global, region us-east-1, at the
        start of the minute of `at` (now by default): FunctionInvocations, FunctionExecutionErrors,
        FunctionValidationErrors and FunctionThrottles (each written, zeros included; read them with
        Sum), and FunctionComputeUtilization if given (read it with Average). Calls for the same
        minute add up. Nothing checks that the function exists or is published, as CloudWatch does not.
        """
        counts = dict(zip(COUNTS, (invocations, execution_errors, validation_errors, throttles), strict=True))
        self.state.cloudwatch.record(function, counts, compute_utilization, at or datetime.now(UTC))

    # Direct inserts

    def seed_function(  # noqa: PLR0917 - the public API
        self,
        name: str,
        code: bytes,
        runtime: str = "cloudfront-js-2.0",
        comment: str = "",
        kvs_arn: str | None = None,
        publish: bool = False,
    ) -> str:
        """Create a function, or replace an existing one's DEVELOPMENT; answers its ARN."""
        return seeding.seed_function(
            self.state, name, code, runtime=runtime, comment=comment, kvs_arn=kvs_arn, publish=publish
        )

    def seed_distribution(  # noqa: PLR0917 - the public API
        self,
        id: str | None = None,
        domain: str | None = None,
        aliases: Sequence[str] = (),
        default_function_arns: seeding.Associations = (),
        behaviours: seeding.Behaviours = (),
        enabled: bool = True,
        connection_mode: str | None = None,
        viewer_mtls: str | None = None,
    ) -> str:
        """Insert a Deployed distribution as CreateDistribution would make it; answers its Id.
        `viewer_mtls` (required, optional or passthrough) gives it a ViewerMtlsConfig."""
        config = seeding.distribution_config(
            aliases, default_function_arns, behaviours, enabled, connection_mode, viewer_mtls=viewer_mtls
        )
        return seeding.seed_distribution(self.state, config, id, domain)

    def seed_kvs_data(self, arn: str, data: Mapping[str, str]) -> None:
        """The keys and values TestFunction reads through `cf.kvs()` for the store `arn`; the data API
        (kvs.py) serves the same keys, and a seed renews the store's ETag as a write would."""
        seeding.seed_kvs_data(self.state, arn, data)

    def kvs_keys(self, arn: str) -> dict[str, str]:
        """The keys the store `arn` holds now."""
        with self.state.lock:
            return dict(self.state.kvs_data.get(arn, {}))


def start(  # noqa: PLR0917 - the public API
    host: str = "127.0.0.1",
    port: int = 0,
    latency: float = 0.0,
    rate_limit: float | None = None,
    deploy_delay: float = DEFAULT_DEPLOY_DELAY,
    seed: int = 0,
    *,
    publish_renews_development_etag: bool = True,
    refuse_unchanged_publish: bool = False,
) -> Emulator:
    """Start an emulator on a background thread and return at once; `stop()` it when done."""
    return Emulator(
        host,
        port,
        latency,
        rate_limit,
        deploy_delay,
        seed,
        publish_renews_development_etag=publish_renews_development_etag,
        refuse_unchanged_publish=refuse_unchanged_publish,
    ).start()
