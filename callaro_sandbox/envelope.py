"""The response envelope, the error envelope and the small value helpers every route shares.

Success: ``{"data", "message", "meta", "request_id"}``; errors: ``{"error", "error_code",
"details", "errors", "request_id"}`` (contract section 1). Handlers return :func:`ok` /
:func:`paged` or raise :class:`ApiFail`; everything else (validation errors, unknown routes,
crashes) is mapped to the same error envelope by the handlers installed in
:func:`install_error_handlers`.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

CURRENCY = "INR"


def _utc_now() -> datetime:
    return datetime.now(UTC)


_clock: Callable[[], datetime] = _utc_now


def now() -> datetime:
    """The sandbox's idea of "now" (UTC, aware). Tests move it with :func:`set_clock`."""
    return _clock()


def set_clock(clock: Callable[[], datetime] | None) -> None:
    """Replace the clock (``None`` restores the wall clock)."""
    global _clock
    _clock = clock or _utc_now


def iso(dt: datetime | None) -> str | None:
    """``2026-04-28T20:34:11Z``; naive datetimes are taken as UTC."""
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def now_iso() -> str:
    return iso(now()) or ""


def parse_iso(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def money(amount_minor: int) -> dict[str, Any]:
    return {"amount_minor": int(amount_minor), "currency": CURRENCY}


def ok(
    data: Any,
    *,
    meta: dict[str, Any] | None = None,
    message: str | None = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = {
        "data": data if _plain_json(data) else jsonable_encoder(data),
        "message": message,
        "meta": meta if meta is not None else {},
        "request_id": request_id_var.get(),
    }
    return JSONResponse(body, status_code=status, headers=headers)


_JSON_SCALARS = frozenset({str, int, float, bool, type(None)})


def _plain_json(value: Any) -> bool:
    """Whether ``value`` is only dicts with str keys, lists and JSON scalars, by exact type.

    ``jsonable_encoder`` would return an equal copy of such a value; skipping it matters for
    lists (200 users: ~6 ms of the encoder against ~0.3 ms for this check). Subclasses (enums,
    pydantic models, ...) are left to the encoder.
    """
    kind = type(value)
    if kind in _JSON_SCALARS:
        return True
    if kind is list:
        return all(_plain_json(item) for item in value)
    if kind is dict:
        return all(type(k) is str and _plain_json(v) for k, v in value.items())
    return False


def page_meta(*, total: int, page: int, per_page: int) -> dict[str, int]:
    return {
        "count": total,
        "page": page,
        "per_page": per_page,
        "pages": math.ceil(total / per_page) if per_page else 0,
    }


def paged(rows: list[Any], *, total: int, page: int, per_page: int) -> JSONResponse:
    return ok(rows, meta=page_meta(total=total, page=page, per_page=per_page))


class ApiFail(Exception):
    """Raise from a handler or dependency to answer with the error envelope."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        errors: dict[str, list[str]] | None = None,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors or {}
        self.details = details or {}
        self.headers = headers


def validation_fail(field: str, message: str) -> ApiFail:
    """A 422 with one field error, the commonest failure a handler raises by hand."""
    return ApiFail(422, "VALIDATION_ERROR", message, errors={field: [message]})


def not_found(what: str, code: str | None = None) -> ApiFail:
    code = code or f"{what.upper().replace(' ', '_')}_NOT_FOUND"
    return ApiFail(404, code, f"{what.capitalize()} not found")


def error_body(
    status: int,
    code: str,
    message: str,
    *,
    errors: dict[str, list[str]] | None = None,
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "error": message,
        "error_code": code,
        "details": details or {},
        "errors": errors or {},
        "request_id": request_id_var.get(),
    }


def error_response(
    status: int,
    code: str,
    message: str,
    *,
    errors: dict[str, list[str]] | None = None,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = error_body(status, code, message, errors=errors, details=details)
    return JSONResponse(jsonable_encoder(body), status_code=status, headers=headers)


STATUS_CODES: dict[int, str] = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "VALIDATION_ERROR",
    429: "RATE_LIMITED",
    500: "INTERNAL_ERROR",
    502: "BAD_GATEWAY",
    503: "SERVICE_UNAVAILABLE",
    504: "GATEWAY_TIMEOUT",
}


def code_for_status(status: int) -> str:
    if status in STATUS_CODES:
        return STATUS_CODES[status]
    return "INTERNAL_ERROR" if status >= 500 else "ERROR"


def _field_of(loc: tuple[Any, ...]) -> str:
    # ("body", "email") -> "email"; ("query", "per_page") -> "per_page";
    # ("body", "numbers", 0, "e164") -> "numbers.0.e164"; ("body",) -> "body".
    parts = [str(p) for p in loc]
    if len(parts) >= 2 and parts[0] in {"body", "query", "path", "header", "cookie"}:
        parts = parts[1:]
    return ".".join(parts) or "body"


def validation_errors(exc: RequestValidationError) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for err in exc.errors():
        field = _field_of(tuple(err.get("loc", ())))
        msg = str(err.get("msg", "invalid"))
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        errors.setdefault(field, []).append(msg)
    return errors


async def _api_fail_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiFail)
    return error_response(
        exc.status,
        exc.code,
        exc.message,
        errors=exc.errors,
        details=exc.details,
        headers=dict(exc.headers) if exc.headers else None,
    )


async def _validation_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = validation_errors(exc)
    fields = ", ".join(sorted(errors))
    return error_response(422, "VALIDATION_ERROR", f"Invalid request: {fields}", errors=errors)


async def _http_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    if status == 404:
        message = "Not found"
    else:
        try:
            message = str(exc.detail) if exc.detail else HTTPStatus(status).phrase
        except ValueError:
            message = "Error"
    headers = dict(exc.headers) if exc.headers else None
    return error_response(status, code_for_status(status), message, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiFail, _api_fail_handler)
    app.add_exception_handler(RequestValidationError, _validation_handler)
    app.add_exception_handler(StarletteHTTPException, _http_handler)
