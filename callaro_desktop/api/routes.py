"""Every path of the Callaro contract, in one table.

A deployment whose paths differ needs an edit here and nowhere else; the contract test
compares `method_paths()` with the sandbox's OpenAPI.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote

HttpMethod = Literal["GET", "POST", "PATCH", "DELETE"]


@dataclass(frozen=True, slots=True)
class Route:
    method: HttpMethod
    path: str
    tenant_scoped: bool = True
    auth: bool = True
    # A create takes an Idempotency-Key, which is what makes a POST safe to retry.
    creates: bool = False
    # The only non-enveloped answer is the invoice PDF.
    raw: bool = False

    def url(self, **params: str | int) -> str:
        # Ids come from the server but may be strings: never let one add a path segment.
        return self.path.format(**{k: quote(str(v), safe="") for k, v in params.items()})


def _account(method: HttpMethod, path: str, *, auth: bool = True) -> Route:
    return Route(method, path, tenant_scoped=False, auth=auth)


class Routes:
    AUTH_LOGIN = _account("POST", "/api/v1/auth/login", auth=False)
    AUTH_REFRESH = _account("POST", "/api/v1/auth/refresh", auth=False)
    AUTH_LOGOUT = _account("POST", "/api/v1/auth/logout", auth=False)

    ME_GET = _account("GET", "/api/v1/me")
    ME_UPDATE = _account("PATCH", "/api/v1/me")
    ME_PASSWORD = _account("POST", "/api/v1/me/password")
    TENANTS_LIST = _account("GET", "/api/v1/tenants")

    ONBOARDING_CHECKLIST = Route("GET", "/api/v1/onboarding/checklist")
    ONBOARDING_DISMISS = Route("POST", "/api/v1/onboarding/checklist/dismiss")

    USERS_LIST = Route("GET", "/api/v1/users")
    USERS_UPDATE = Route("PATCH", "/api/v1/users/{id}")
    USERS_REMOVE = Route("DELETE", "/api/v1/users/{id}")

    INVITATIONS_LIST = Route("GET", "/api/v1/invitations")
    INVITATIONS_CREATE = Route("POST", "/api/v1/invitations", creates=True)
    INVITATIONS_RESEND = Route("POST", "/api/v1/invitations/{id}/resend")
    INVITATIONS_REVOKE = Route("DELETE", "/api/v1/invitations/{id}")

    BILLING_OVERVIEW = Route("GET", "/api/v1/billing/overview")
    RECHARGES_CREATE = Route("POST", "/api/v1/billing/recharges", creates=True)
    RECHARGES_GET = Route("GET", "/api/v1/billing/recharges/{id}")
    BILLING_ENTITY_GET = Route("GET", "/api/v1/billing/entity")
    BILLING_ENTITY_UPDATE = Route("PATCH", "/api/v1/billing/entity")

    USAGE_EVENTS = Route("GET", "/api/v1/usage/events")
    USAGE_SUMMARY = Route("GET", "/api/v1/usage/summary")

    INVOICES_LIST = Route("GET", "/api/v1/invoices")
    INVOICES_GET = Route("GET", "/api/v1/invoices/{id}")
    INVOICES_PDF = Route("GET", "/api/v1/invoices/{id}/pdf", raw=True)

    API_KEYS_CREATE = Route("POST", "/api/v1/api_keys", creates=True)
    API_KEYS_LIST = Route("GET", "/api/v1/api_keys")
    API_KEYS_UPDATE = Route("PATCH", "/api/v1/api_keys/{id}")
    API_KEYS_REVOKE = Route("DELETE", "/api/v1/api_keys/{id}")
    API_KEYS_SCOPES = Route("GET", "/api/v1/api_keys/scopes")

    PHONE_NUMBERS_LIST = Route("GET", "/api/v1/phone_numbers")
    PHONE_NUMBERS_AVAILABLE = Route("GET", "/api/v1/phone_numbers/available")
    PHONE_NUMBERS_PRICING = Route("GET", "/api/v1/phone_numbers/pricing")
    PHONE_NUMBERS_PURCHASE = Route("POST", "/api/v1/phone_numbers/purchase", creates=True)
    PHONE_NUMBERS_IMPORT = Route("POST", "/api/v1/phone_numbers/import_owned", creates=True)
    PHONE_NUMBERS_GET = Route("GET", "/api/v1/phone_numbers/{id}")
    PHONE_NUMBERS_UPDATE = Route("PATCH", "/api/v1/phone_numbers/{id}")
    PHONE_NUMBERS_ACTIVATE = Route("POST", "/api/v1/phone_numbers/{id}/activate")
    PHONE_NUMBERS_SYNC = Route("POST", "/api/v1/phone_numbers/sync")
    PHONE_NUMBERS_RESYNC = Route("POST", "/api/v1/phone_numbers/{id}/resync")
    PHONE_NUMBERS_RELEASE = Route("DELETE", "/api/v1/phone_numbers/{id}")

    AGENTS_LIST = Route("GET", "/api/v1/agents")

    CONNECTIONS_LIST = Route("GET", "/api/v1/telephony_connections")
    CONNECTIONS_CREATE = Route("POST", "/api/v1/telephony_connections", creates=True)
    CONNECTIONS_GET = Route("GET", "/api/v1/telephony_connections/{id}")
    CONNECTIONS_UPDATE = Route("PATCH", "/api/v1/telephony_connections/{id}")
    CONNECTIONS_DELETE = Route("DELETE", "/api/v1/telephony_connections/{id}")
    CONNECTIONS_TEST = Route("POST", "/api/v1/telephony_connections/{id}/test")


def all_routes() -> dict[str, Route]:
    """Every route by its table name, in table order."""
    return {name: value for name, value in vars(Routes).items() if isinstance(value, Route)}


def method_paths() -> set[tuple[str, str]]:
    """(method, path template) pairs, the shape an OpenAPI document lists."""
    return {(route.method, route.path) for route in all_routes().values()}
