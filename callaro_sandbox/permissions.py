"""Who may do what (contract section 9), and which capability every /api/v1 route needs.

``ROUTE_CAPABILITIES`` is the single table the role-matrix test is generated from: every route
the app serves under /api/v1 must have an entry, and each route's ``tenant_ctx(capability)``
dependency must agree with it. A new route therefore fails the test until it is added here.
"""

from __future__ import annotations

import re
from typing import Final

TENANT_ADMIN: Final = "tenant_admin"
TENANT_OPERATOR: Final = "tenant_operator"
TENANT_VIEWER: Final = "tenant_viewer"
ROLES: Final = (TENANT_ADMIN, TENANT_OPERATOR, TENANT_VIEWER)
DEFAULT_ROLE: Final = TENANT_OPERATOR

PLATFORM_SUPPORT: Final = "platform_support"
PARTNER_ADMIN: Final = "partner_admin"
PLATFORM_ROLES: Final = (PLATFORM_SUPPORT, PARTNER_ADMIN)

# Markers for routes that need no tenant capability.
PUBLIC: Final = "public"  # no credentials at all (login, refresh, logout)
CALLER: Final = "caller"  # a signed-in user (JWT), no tenant needed (me, tenants)

CAPABILITIES: Final = (
    "profile",
    "onboarding:read",
    "onboarding:dismiss",
    "users",
    "billing",
    "api_keys",
    "phone_numbers:read",
    "phone_numbers:write",
    "telephony:read",
    "telephony:write",
)

ROLE_CAPABILITIES: Final[dict[str, frozenset[str]]] = {
    TENANT_ADMIN: frozenset(CAPABILITIES),
    TENANT_OPERATOR: frozenset(
        {
            "profile",
            "onboarding:read",
            "phone_numbers:read",
            "phone_numbers:write",
            "telephony:read",
        }
    ),
    TENANT_VIEWER: frozenset({"profile", "onboarding:read", "phone_numbers:read"}),
}

# The rank used when a membership and support access both apply: the higher grant wins.
ROLE_RANK: Final[dict[str, int]] = {TENANT_VIEWER: 1, TENANT_OPERATOR: 2, TENANT_ADMIN: 3}

# Tenant API keys (X-Api-Key) act through scopes rather than roles. A capability missing here is
# JWT-only (users, keys, onboarding: things only a person does).
CAPABILITY_SCOPES: Final[dict[str, frozenset[str]]] = {
    "phone_numbers:read": frozenset({"phone_numbers:read", "phone_numbers:write"}),
    "phone_numbers:write": frozenset({"phone_numbers:write"}),
    "billing": frozenset({"billing:tenant:read"}),
}


def role_allows(role: str, capability: str) -> bool:
    return capability in ROLE_CAPABILITIES.get(role, frozenset())


_PARAM = re.compile(r"\{[^}]*\}")


def normalize_path(path: str) -> str:
    """``/api/v1/users/{user_id}`` -> ``/api/v1/users/{}`` so parameter names may differ."""
    return _PARAM.sub("{}", path)


_ROUTES: dict[tuple[str, str], str] = {
    # 2. Session
    ("POST", "/api/v1/auth/login"): PUBLIC,
    ("POST", "/api/v1/auth/refresh"): PUBLIC,
    ("POST", "/api/v1/auth/logout"): PUBLIC,
    # 3. Me and tenants
    ("GET", "/api/v1/me"): CALLER,
    ("PATCH", "/api/v1/me"): CALLER,
    ("POST", "/api/v1/me/password"): CALLER,
    ("GET", "/api/v1/tenants"): CALLER,
    # 4. Getting started
    ("GET", "/api/v1/onboarding/checklist"): "onboarding:read",
    ("POST", "/api/v1/onboarding/checklist/dismiss"): "onboarding:dismiss",
    # 5. Users and invitations
    ("GET", "/api/v1/users"): "users",
    ("GET", "/api/v1/users/{}"): "users",
    ("PATCH", "/api/v1/users/{}"): "users",
    ("DELETE", "/api/v1/users/{}"): "users",
    ("GET", "/api/v1/invitations"): "users",
    ("POST", "/api/v1/invitations"): "users",
    ("POST", "/api/v1/invitations/{}/resend"): "users",
    ("DELETE", "/api/v1/invitations/{}"): "users",
    # 6. Billing, usage, invoices
    ("GET", "/api/v1/billing/overview"): "billing",
    ("POST", "/api/v1/billing/recharges"): "billing",
    ("GET", "/api/v1/billing/recharges"): "billing",
    ("GET", "/api/v1/billing/recharges/{}"): "billing",
    ("GET", "/api/v1/billing/entity"): "billing",
    ("PATCH", "/api/v1/billing/entity"): "billing",
    ("GET", "/api/v1/usage/events"): "billing",
    ("GET", "/api/v1/usage/summary"): "billing",
    ("GET", "/api/v1/invoices"): "billing",
    ("GET", "/api/v1/invoices/{}"): "billing",
    ("GET", "/api/v1/invoices/{}/pdf"): "billing",
    # 7. API keys
    ("GET", "/api/v1/api_keys/scopes"): "api_keys",
    ("GET", "/api/v1/api_keys"): "api_keys",
    ("POST", "/api/v1/api_keys"): "api_keys",
    ("GET", "/api/v1/api_keys/{}"): "api_keys",
    ("PATCH", "/api/v1/api_keys/{}"): "api_keys",
    ("DELETE", "/api/v1/api_keys/{}"): "api_keys",
    # 8. Phone numbers and agents
    ("GET", "/api/v1/phone_numbers"): "phone_numbers:read",
    ("GET", "/api/v1/phone_numbers/available"): "phone_numbers:read",
    ("GET", "/api/v1/phone_numbers/pricing"): "phone_numbers:read",
    ("POST", "/api/v1/phone_numbers/purchase"): "phone_numbers:write",
    ("POST", "/api/v1/phone_numbers/import_owned"): "phone_numbers:write",
    ("POST", "/api/v1/phone_numbers/sync"): "phone_numbers:write",
    ("GET", "/api/v1/phone_numbers/{}"): "phone_numbers:read",
    ("PATCH", "/api/v1/phone_numbers/{}"): "phone_numbers:write",
    ("DELETE", "/api/v1/phone_numbers/{}"): "phone_numbers:write",
    ("POST", "/api/v1/phone_numbers/{}/activate"): "phone_numbers:write",
    ("POST", "/api/v1/phone_numbers/{}/resync"): "phone_numbers:write",
    ("GET", "/api/v1/agents"): "phone_numbers:read",
    # 8. Telephony connections
    ("GET", "/api/v1/telephony_connections"): "telephony:read",
    ("POST", "/api/v1/telephony_connections"): "telephony:write",
    ("GET", "/api/v1/telephony_connections/{}"): "telephony:read",
    ("PATCH", "/api/v1/telephony_connections/{}"): "telephony:write",
    ("DELETE", "/api/v1/telephony_connections/{}"): "telephony:write",
    ("POST", "/api/v1/telephony_connections/{}/test"): "telephony:write",
}

ROUTE_CAPABILITIES: Final[dict[tuple[str, str], str]] = {
    (method, normalize_path(path)): cap for (method, path), cap in _ROUTES.items()
}


def route_capability(method: str, path: str) -> str | None:
    """The table's entry for ``method path`` (any parameter names), or None if missing."""
    return ROUTE_CAPABILITIES.get((method.upper(), normalize_path(path)))
