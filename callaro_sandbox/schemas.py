"""OpenAPI shapes of the envelopes; routes use them as ``response_model`` for documentation.

Handlers return ready ``JSONResponse`` objects (``ok``/``paged``), so FastAPI does not
re-validate them; the schemas exist so ``/openapi.json`` tells clients (and schemathesis) what
comes back.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class ErrorEnvelope(BaseModel):
    error: str
    error_code: str
    details: dict[str, Any] = Field(default_factory=dict)
    errors: dict[str, list[str]] = Field(default_factory=dict)
    request_id: str | None = None


class Money(BaseModel):
    amount_minor: int
    currency: str = "INR"


class Envelope(BaseModel, Generic[T]):
    data: T
    message: str | None = None
    meta: dict[str, Any] = Field(default_factory=dict)
    request_id: str | None = None


class PageMeta(BaseModel):
    model_config = ConfigDict(extra="allow")

    count: int
    page: int
    per_page: int
    pages: int


class PageEnvelope(BaseModel, Generic[T]):
    data: list[T]
    message: str | None = None
    meta: PageMeta
    request_id: str | None = None


_ERROR_TEXT = {
    400: "Bad request (e.g. TENANT_REQUIRED)",
    401: "Not authenticated (UNAUTHORIZED, TOKEN_EXPIRED, JWT_REQUIRED)",
    403: "Not allowed (FORBIDDEN)",
    404: "Not found (*_NOT_FOUND)",
    409: "Conflict (CONFLICT)",
    422: "Invalid input (VALIDATION_ERROR) with field errors",
    429: "Rate limited (RATE_LIMITED), see Retry-After",
}

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorEnvelope, "description": text} for status, text in _ERROR_TEXT.items()
}
