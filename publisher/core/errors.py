"""The few exceptions that cross module boundaries, each with the exit code it ends a run with."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located precisely enough to fix without searching. `file` is a
    file's path, or, with `in_file` False, the inputs a setting came from ("command line", "action inputs")."""

    file: str
    line: int | None
    field: str
    message: str
    in_file: bool = True
    column: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        where += f":{self.column}" if self.line and self.column else ""
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class PublisherError(Exception):
    exit_code = 1


class InputError(PublisherError):
    """Bad manifest or inputs: found before any AWS call; nothing was touched."""

    exit_code = 2

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class QuotaError(PublisherError):
    """The run would create past one of the account's quotas: refused before any write."""

    exit_code = 2


class AwsError(PublisherError):
    """An AWS call failed in a way the caller may handle: code is the service's error code."""

    def __init__(self, operation: str, code: str, message: str, status: int = 0) -> None:
        self.operation, self.code, self.message, self.status = operation, code, message, status
        super().__init__(f"{operation}: {code}: {message}")

    @property
    def unanswered(self) -> bool:
        """No answer after the retries (status 0: a dropped connection, a timeout) or a server error:
        a write may have taken effect all the same."""
        return self.status == 0 or self.status >= 500


class NotFound(AwsError):
    pass


class PreconditionFailed(AwsError):
    """412: the ETag the write rested on is no longer current."""


class AlreadyExists(AwsError):
    """409 on create: the function exists, perhaps created by this very call before its answer was lost."""


class StoreConflict(AwsError):
    """409 ConflictException from the KeyValueStore data API: the store's ETag moved (a stale If-Match)."""


class SetupError(PublisherError):
    """The run's environment cannot work (credentials, profile, config file, endpoint): the user fixes it."""

    exit_code = 2
