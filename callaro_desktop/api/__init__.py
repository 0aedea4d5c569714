"""HTTP client for the Callaro API. No Qt may be imported anywhere in this package.

Services build one `CallaroClient` per signed-in account and call
`client.tenant(tenant_id).<family>.<method>()`; every failure is an `ApiError`.
"""

from callaro_desktop.api.client import UNSET, CallaroClient, OwnedNumber, TenantClient
from callaro_desktop.api.errors import (
    ApiError,
    BadResponse,
    Conflict,
    ConnectionFailed,
    Forbidden,
    NotFound,
    RateLimited,
    RequestTimeout,
    ServerError,
    SessionExpired,
    TenantRequired,
    TlsError,
    TokenExpired,
    Unauthorized,
    ValidationFailed,
)
from callaro_desktop.api.models import Money, TokenPair
from callaro_desktop.api.pages import Page, Pager
from callaro_desktop.api.transport import DEFAULT_BASE_URL, Envelope, Transport

__all__ = [
    "DEFAULT_BASE_URL",
    "UNSET",
    "ApiError",
    "BadResponse",
    "CallaroClient",
    "Conflict",
    "ConnectionFailed",
    "Envelope",
    "Forbidden",
    "Money",
    "NotFound",
    "OwnedNumber",
    "Page",
    "Pager",
    "RateLimited",
    "RequestTimeout",
    "ServerError",
    "SessionExpired",
    "TenantClient",
    "TenantRequired",
    "TlsError",
    "TokenExpired",
    "TokenPair",
    "Transport",
    "Unauthorized",
    "ValidationFailed",
]
