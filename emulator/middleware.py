"""The WSGI layer in front of moto's app: count, delay, throttle, fail, then let CloudFront answer.

Order per request: count it (every request, faulted or not), add the latency, apply the rate limit,
then an injected or random fault, then the `before` hook, then the handler.
"""

from __future__ import annotations

import io
import json
import re
import socket
import struct
import threading
from collections.abc import Callable, Iterable
from typing import Any, NoReturn

from emulator.errors import error_body
from emulator.faults import Controls
from emulator.operations import Operation, identify

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WsgiApp = Callable[[Environ, StartResponse], Iterable[bytes]]

_ERRORS = {
    "throttle": (400, "Throttling", "Rate exceeded", True),
    "500": (500, "InternalError", "We encountered an internal error. Please try again.", False),
    "503": (503, "ServiceUnavailable", "Service Unavailable. Please try again later.", False),
    "denied": (403, "AccessDenied", "User is not authorized to perform this action.", True),
}
# The same faults in the other APIs' protocols (status, code), so that their clients parse them and
# botocore retries a throttle. CloudWatch, as botocore calls it, speaks JSON 1.0 and is "query
# compatible": the code comes from the x-amzn-query-error header (its query API's code, Throttling).
# The KeyValueStore data API is REST-JSON: the code is x-amzn-ErrorType; its model declares no
# throttling error, so a throttle is the 429 ThrottlingException of AWS's REST-JSON services.
_JSON_ERRORS = {
    "throttle": (400, "Throttling"),
    "500": (500, "InternalFailure"),
    "503": (503, "ServiceUnavailable"),
    "denied": (400, "AccessDenied"),
}
_REST_JSON_ERRORS = {
    "throttle": (429, "ThrottlingException"),
    "500": (500, "InternalServerException"),
    "503": (503, "ServiceUnavailableException"),
    "denied": (403, "AccessDeniedException"),
}
_STATUS_TEXT = {
    400: "Bad Request",
    403: "Forbidden",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class FaultMiddleware:
    def __init__(self, app: WsgiApp, controls: Controls, stopping: threading.Event) -> None:
        self.app = app
        self.controls = controls
        self.stopping = stopping  # wakes sleeping requests when the emulator stops

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        operation = identify(
            environ["REQUEST_METHOD"],
            environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""),
            environ.get("HTTP_X_AMZ_TARGET", ""),
        )
        self.controls.count(operation.name, operation.write)
        self.stopping.wait(self.controls.latency)
        if self.controls.throttled():
            return _error(start_response, "throttle", environ)
        fault = self.controls.take_fault(operation.name, _function_name(operation, environ))
        if fault is None:
            return self._handle(operation, environ, start_response)
        return self._fail(fault, operation, environ, start_response)

    def _handle(
        self, operation: Operation, environ: Environ, start_response: StartResponse
    ) -> Iterable[bytes]:
        hook = self.controls.take_hook(operation.name)
        if hook is not None:
            hook()  # outside every lock: the hook may call the emulator over HTTP
        return self.app(environ, start_response)

    def _fail(
        self, fault: str, operation: Operation, environ: Environ, start_response: StartResponse
    ) -> Iterable[bytes]:
        if fault in _ERRORS:
            return _error(start_response, fault, environ)
        if fault == "timeout":
            self.stopping.wait(self.controls.timeout_seconds)
        elif fault == "lost-response":
            self._apply_and_forget(operation, environ)
            answer = self.controls.lost_response_answer()
            if answer != "reset":
                return _error(start_response, answer, environ)
        _reset(environ)

    def _apply_and_forget(self, operation: Operation, environ: Environ) -> None:
        """The write takes effect; its answer never reaches the client."""
        body = self._handle(operation, environ, lambda *_: None)
        b"".join(body)
        close = getattr(body, "close", None)
        if close is not None:
            close()


def _error(start_response: StartResponse, fault: str, environ: Environ) -> list[bytes]:
    """The fault in the protocol of the API asked: CloudFront's XML, CloudWatch's JSON 1.0 (named by
    its X-Amz-Target header) or the KeyValueStore data API's REST-JSON (its paths)."""
    status, code, message, sender = _ERRORS[fault]
    if environ.get("HTTP_X_AMZ_TARGET"):
        status, code = _JSON_ERRORS[fault]
        body = json.dumps({"__type": code, "message": message}).encode()
        kind = "Sender" if sender else "Receiver"
        headers = [("Content-Type", "application/x-amz-json-1.0"), ("x-amzn-query-error", f"{code};{kind}")]
    elif environ.get("PATH_INFO", "").startswith("/key-value-stores/"):
        status, code = _REST_JSON_ERRORS[fault]
        body = json.dumps({"message": message}).encode()
        headers = [("Content-Type", "application/json"), ("x-amzn-ErrorType", code)]
    else:
        body = error_body(code, message, sender)
        headers = [("Content-Type", "text/xml")]
    start_response(f"{status} {_STATUS_TEXT[status]}", [*headers, ("Content-Length", str(len(body)))])
    return [body]


def _reset(environ: Environ) -> NoReturn:
    """Drop the connection without an answer; a zero linger makes the close a TCP reset."""
    sock = environ.get("werkzeug.socket")
    if isinstance(sock, socket.socket):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.shutdown(socket.SHUT_RDWR)  # else the server would wait for the next request on it
    raise ConnectionResetError("fault injected: connection reset")  # the server drops it silently


def _function_name(operation: Operation, environ: Environ) -> str | None:
    """The function a request addresses: in the path, or in CreateFunction's body."""
    if "Function" not in operation.name:
        return None
    if "Name" in operation.params:
        return operation.params["Name"]
    if operation.name != "CreateFunction":
        return None
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(body)  # put it back for the handler
    found = re.search(rb"<Name>([^<]*)</Name>", body)
    return found.group(1).decode() if found else None
