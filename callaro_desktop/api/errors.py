"""The one exception tree every API failure is turned into.

Pages catch `ApiError` and show `user_message()`, so each class exists because some caller
reacts to it differently (re-login, retry later, highlight fields, pick a tenant...).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def with_request_id(
    text: str, request_id: str | None, pattern: str = "{0} (request id {1})"
) -> str:
    """`text` with the request id support asks for, inside its last sentence: "Not saved:
    the server failed (request id req_1)." rather than "... failed. (request id req_1)".
    Views pass `pattern` through their translator."""
    if not request_id:
        return text
    stripped = text.rstrip()
    end = "." if stripped.endswith(".") else ""
    return pattern.format(stripped.removesuffix("."), request_id) + end


class ApiError(Exception):
    """A request that did not produce the data asked for."""

    default_message = "The request failed."

    def __init__(
        self,
        message: str | None = None,
        *,
        status: int | None = None,
        code: str = "",
        errors: Mapping[str, list[str]] | None = None,
        details: Mapping[str, Any] | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.status = status
        self.code = code
        self.errors: dict[str, list[str]] = dict(errors or {})
        self.details: dict[str, Any] = dict(details or {})
        self.request_id = request_id
        self.retry_after = retry_after
        super().__init__(self.message)

    def user_message(self, *, reference: bool = True) -> str:
        """One sentence for an error state or a message box, ending with the request id that
        support asks for; `reference=False` leaves the id out, for a place that shows it on
        a line of its own or beside a Copy button (it would be there twice)."""
        text = self.message.strip().rstrip(".")
        if self.errors and isinstance(self, ValidationFailed):
            field, messages = next(iter(self.errors.items()))
            if messages:
                text = f"{text}: {field} {messages[0]}".rstrip(".")
        return with_request_id(f"{text}.", self.request_id if reference else None)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status!r}, code={self.code!r}, "
            f"message={self.message!r}, request_id={self.request_id!r})"
        )


class ConnectionFailed(ApiError):
    default_message = (
        "Could not reach the Callaro server. Check the network and the server address."
    )


class TlsError(ConnectionFailed):
    default_message = "The server's security certificate could not be verified."


class RequestTimeout(ApiError):
    default_message = "The server took too long to answer."


class BadResponse(ApiError):
    """The body is not a Callaro answer: a proxy's HTML page, an empty or cut-off body."""

    default_message = "The server sent a response the console could not read."


class Unauthorized(ApiError):
    default_message = "You are not signed in, or your sign-in is no longer valid."


class TokenExpired(Unauthorized):
    default_message = "Your session token has expired."


class SessionExpired(Unauthorized):
    """The refresh token was refused: the user has to enter the password again."""

    default_message = "Your session has ended. Please sign in again."


class Forbidden(ApiError):
    default_message = "Your role does not allow this action."


class NotFound(ApiError):
    default_message = "The item no longer exists."


class Conflict(ApiError):
    default_message = "This conflicts with the current state of the item."


class ValidationFailed(ApiError):
    default_message = "Some values were not accepted."


class RateLimited(ApiError):
    default_message = "Too many requests. Please wait a moment and try again."


class TenantRequired(ApiError):
    default_message = "Choose a workspace first."


class ServerError(ApiError):
    default_message = "The Callaro server had a problem."


_BY_CODE: dict[str, type[ApiError]] = {
    "UNAUTHORIZED": Unauthorized,
    "JWT_REQUIRED": Unauthorized,
    "TOKEN_EXPIRED": TokenExpired,
    "FORBIDDEN": Forbidden,
    "CONFLICT": Conflict,
    "VALIDATION_ERROR": ValidationFailed,
    "RATE_LIMITED": RateLimited,
    "TENANT_REQUIRED": TenantRequired,
    "INTERNAL_ERROR": ServerError,
}

_BY_STATUS: dict[int, type[ApiError]] = {
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    408: RequestTimeout,
    409: Conflict,
    422: ValidationFailed,
    429: RateLimited,
}


def error_class(status: int | None, code: str) -> type[ApiError]:
    """The class for a status and error_code; codes we do not know fall back to the status."""
    if code in _BY_CODE:
        return _BY_CODE[code]
    if code.endswith("_NOT_FOUND"):
        return NotFound
    if status is None:
        return ApiError
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    return ServerError if status >= 500 else ApiError


def _field_errors(raw: object) -> dict[str, list[str]]:
    # Servers disagree on `errors` shapes ({"f": "msg"}, {"f": ["a", "b"]}); keep only text.
    if not isinstance(raw, Mapping):
        return {}
    result: dict[str, list[str]] = {}
    for field, value in raw.items():
        values = value if isinstance(value, list) else [value]
        messages = [v for v in values if isinstance(v, str)]
        if messages:
            result[str(field)] = messages
    return result


def from_error_body(
    status: int,
    body: Mapping[str, Any],
    *,
    request_id: str | None,
    retry_after: float | None,
) -> ApiError:
    """Build the error for a JSON object body of a failed response (tolerant of odd types)."""
    code = body.get("error_code")
    code = code if isinstance(code, str) else ""
    message = body.get("error")
    if not isinstance(message, str):
        # FastAPI's own {"detail": "..."} when a route is missing on a self-hosted server.
        detail = body.get("detail")
        message = detail if isinstance(detail, str) else None
    details = body.get("details")
    body_request_id = body.get("request_id")
    cls = error_class(status, code)
    return cls(
        message,
        status=status,
        code=code,
        errors=_field_errors(body.get("errors")),
        details=details if isinstance(details, Mapping) else None,
        request_id=body_request_id if isinstance(body_request_id, str) else request_id,
        retry_after=retry_after,
    )
