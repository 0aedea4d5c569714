"""HTTP client for the Callaro API. No Qt may be imported anywhere in this package.

Services build one `CallaroClient` per signed-in account and call
`client.tenant(tenant_id).<family>.<method>()`; every failure is an `ApiError`.
"""

import importlib.util
import sys

# httpx imports its command-line client whenever click, rich and pygments happen to be
# installed (they often are, for other tools): ~70 ms of start-up for code the console never
# runs. A None entry makes that one import fail, and httpx then defines its stub instead.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]

# httpcore asks for sniffio on every request (which async library is running?), several
# times; where sniffio is not installed (anyio 4 no longer needs it) each ask searched the
# whole sys.path again: ~60 failed imports before the first page's data, ~0.2 ms a request.
# A None entry makes them fail at once; where it is installed, nothing changes.
if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
    sys.modules["sniffio"] = None  # type: ignore[assignment]

from callaro_desktop.api.client import (  # noqa: E402
    UNSET,
    CallaroClient,
    OwnedNumber,
    TenantClient,
)
from callaro_desktop.api.errors import (  # noqa: E402
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
from callaro_desktop.api.models import Money, TokenPair  # noqa: E402
from callaro_desktop.api.pages import Page, Pager  # noqa: E402
from callaro_desktop.api.transport import DEFAULT_BASE_URL, Envelope, Transport  # noqa: E402

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
