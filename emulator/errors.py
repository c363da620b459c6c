"""The errors the emulator answers, in CloudFront's XML error format.

Handlers raise these; moto's serializer writes the `<ErrorResponse>` body and takes the HTTP status
from the service model's error shape, so each code answers with the status botocore expects.
Faults answered before any handler runs (throttling, 5xx) use `error_body` instead.
"""

from __future__ import annotations

from uuid import uuid4

from moto.core.exceptions import ServiceException

XMLNS = "http://cloudfront.amazonaws.com/doc/2020-05-31/"


class ApiError(ServiceException):
    """A modelled CloudFront error; subclasses set `code` and a `message` template."""


class NoSuchFunctionExists(ApiError):
    code = "NoSuchFunctionExists"
    message = "The function {name} does not exist."


class FunctionAlreadyExists(ApiError):
    code = "FunctionAlreadyExists"
    message = "A function with the same name already exists in this AWS account: {name}."


class FunctionInUse(ApiError):
    code = "FunctionInUse"
    message = "Cannot delete function {name}, it is associated with one or more cache behaviors."


class FunctionSizeLimitExceeded(ApiError):
    code = "FunctionSizeLimitExceeded"
    message = "The function is too large: {size} bytes; the maximum is 10240 bytes."


class PreconditionFailed(ApiError):
    code = "PreconditionFailed"
    message = (
        "The request failed because it didn't meet the preconditions in one or more request-header fields."
    )


class InvalidIfMatchVersion(ApiError):
    code = "InvalidIfMatchVersion"
    message = "The If-Match version is missing or not valid for the resource."


class InvalidArgument(ApiError):
    code = "InvalidArgument"
    message = "{detail}"


class NoSuchResource(ApiError):  # TagResource, UntagResource, ListTagsForResource: an unknown ARN
    code = "NoSuchResource"
    message = "{detail}"


class InvalidTagging(ApiError):
    code = "InvalidTagging"
    message = "{detail}"


class UnmodelledError(ApiError):
    """An error the model does not declare; the handler writes it with `error_body` (moto's serializer
    would warn on every one)."""

    status = 400


class MalformedXML(UnmodelledError):
    """A value outside the model's own constraints (pattern, length, value set), answered as field
    reports show: "1 validation error detected: Value 'x' at 'name' failed to satisfy constraint: ..."."""

    code = "MalformedXML"
    message = "{detail}"


class InvalidFunctionAssociation(ApiError):
    code = "InvalidFunctionAssociation"
    message = "{detail}"


class InconsistentQuantities(ApiError):
    code = "InconsistentQuantities"
    message = "The value of Quantity and the size of Items don't match."


class DistributionNotDisabled(ApiError):
    code = "DistributionNotDisabled"
    message = "The distribution you are trying to delete has not been disabled."


class TestFunctionFailed(ApiError):
    code = "TestFunctionFailed"
    message = "The CloudFront function failed: {detail}"


class EntityNotFound(ApiError):  # a connection function's (its operations declare no NoSuchFunctionExists)
    code = "EntityNotFound"
    message = "{detail}"


class EntityAlreadyExists(ApiError):
    code = "EntityAlreadyExists"
    message = "{detail}"


class EntitySizeLimitExceeded(ApiError):
    code = "EntitySizeLimitExceeded"
    message = "{detail}"


class CannotDeleteEntityWhileInUse(ApiError):
    code = "CannotDeleteEntityWhileInUse"
    message = "{detail}"


def check_if_match(if_match: str | None, etag: str) -> None:
    """CloudFront's optimistic lock: a missing If-Match is a 400, a stale one a 412."""
    if not if_match:
        raise InvalidIfMatchVersion()
    if if_match != etag:
        raise PreconditionFailed()


def error_body(code: str, message: str, sender: bool = True) -> bytes:
    """An `<ErrorResponse>` for answers that never reach a handler (throttling, injected 5xx)."""
    kind = "Sender" if sender else "Receiver"
    return (
        f'<?xml version="1.0"?>\n<ErrorResponse xmlns="{XMLNS}"><Error><Type>{kind}</Type>'
        f"<Code>{code}</Code><Message>{message}</Message></Error>"
        f"<RequestId>{uuid4()}</RequestId></ErrorResponse>"
    ).encode()
