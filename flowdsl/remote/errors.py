"""The remote layer's exception hierarchy. Every failure the CLI can meet is one of these,
printed as one line (``flowdsl: error: ...``) with the exit code named here; never a traceback.

    RemoteError                      exit 1   base class
    ├── ConfigError                  exit 2   no API key, unreadable key file, bad URL
    ├── FlowError                    exit 1   flow cannot be loaded or has error findings
    ├── TransportError               exit 1   network failure that outlived the retries
    │   ├── UnreachableError         exit 1   connection refused on this machine: not retried
    │   └── AmbiguousWriteError      exit 1   a create/trigger whose outcome is unknown
    ├── ApiError                     exit 1   the API answered with an error status
    │   ├── BadRequestError               400 / 422
    │   ├── AuthError                     401
    │   ├── ForbiddenError                403
    │   │   └── LockedError               403 on a locked workflow or version
    │   ├── NotFoundError                 404
    │   ├── ConflictError                 409
    │   ├── RateLimitedError              429 after the retries
    │   └── ServerError                   5xx after the retries
    ├── StalePlanError               exit 1   the remote moved since the plan was made
    └── SyncError                    exit 1   catalog sync could not complete
"""

from __future__ import annotations

EXIT_ERROR = 1
EXIT_USAGE = 2


class RemoteError(Exception):
    exit_code = EXIT_ERROR

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigError(RemoteError):
    exit_code = EXIT_USAGE


class FlowError(RemoteError):
    pass


class FlowFileError(FlowError):
    """The named flow file is missing or not a regular file: bad usage (exit 2)."""
    exit_code = EXIT_USAGE


class TransportError(RemoteError):
    pass


class UnreachableError(TransportError):
    """Nothing listens at a loopback address: said at once (no retries), and a command
    working through several flows stops instead of failing each one the same way."""


class WrongEndpointError(UnreachableError):
    """Something answers at the API URL, but not the each::workflows API: a 404 without the
    API's JSON error body (a proxy, a web server, a path missing /api/v1). Treating it as
    "workflow not found" would plan a create of every flow, so the command stops at once."""


class AmbiguousWriteError(TransportError):
    """A non-idempotent request (create, trigger) was sent but no answer came back: it may or
    may not have taken effect, so the caller must look before re-posting."""


class ApiError(RemoteError):
    status = 0

    def __init__(self, message: str, status: int | None = None, request_id: str | None = None) -> None:
        super().__init__(message)
        if status is not None:
            self.status = status
        self.request_id = request_id


class BadRequestError(ApiError):
    status = 400


class AuthError(ApiError):
    status = 401


class ForbiddenError(ApiError):
    status = 403


class LockedError(ForbiddenError):
    pass


class NotFoundError(ApiError):
    status = 404


class ConflictError(ApiError):
    status = 409


class RateLimitedError(ApiError):
    status = 429


class ServerError(ApiError):
    status = 500


class StalePlanError(RemoteError):
    pass


class SyncError(RemoteError):
    pass


def error_for_status(status: int, message: str, request_id: str | None = None) -> ApiError:
    cls: type[ApiError]
    if status in (400, 422):
        cls = BadRequestError
    elif status == 401:
        cls = AuthError
    elif status == 403:
        cls = LockedError if "lock" in message.lower() else ForbiddenError
    elif status == 404:
        cls = NotFoundError
    elif status == 409:
        cls = ConflictError
    elif status == 429:
        cls = RateLimitedError
    elif status >= 500:
        cls = ServerError
    else:
        cls = ApiError
    return cls(message, status, request_id)
