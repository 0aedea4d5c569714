"""What each role may open, mirroring the matrix in callaro-api.md section 9.

The server enforces every rule; the console only hides what the server would refuse,
so a Viewer never sees a page that can only show "forbidden".
"""

from __future__ import annotations

from enum import StrEnum


class Capability(StrEnum):
    PROFILE = "profile"
    ONBOARDING_READ = "onboarding:read"
    ONBOARDING_DISMISS = "onboarding:dismiss"
    USERS = "users"
    BILLING = "billing"
    API_KEYS = "api_keys"
    PHONE_NUMBERS_READ = "phone_numbers:read"
    PHONE_NUMBERS_WRITE = "phone_numbers:write"
    TELEPHONY_READ = "telephony:read"
    TELEPHONY_WRITE = "telephony:write"


ADMIN = "tenant_admin"
OPERATOR = "tenant_operator"
VIEWER = "tenant_viewer"

_EVERYONE = {ADMIN, OPERATOR, VIEWER}

MATRIX: dict[Capability, frozenset[str]] = {
    Capability.PROFILE: frozenset(_EVERYONE),
    Capability.ONBOARDING_READ: frozenset(_EVERYONE),
    Capability.ONBOARDING_DISMISS: frozenset({ADMIN}),
    Capability.USERS: frozenset({ADMIN}),
    Capability.BILLING: frozenset({ADMIN}),
    Capability.API_KEYS: frozenset({ADMIN}),
    Capability.PHONE_NUMBERS_READ: frozenset(_EVERYONE),
    Capability.PHONE_NUMBERS_WRITE: frozenset({ADMIN, OPERATOR}),
    Capability.TELEPHONY_READ: frozenset({ADMIN, OPERATOR}),
    Capability.TELEPHONY_WRITE: frozenset({ADMIN}),
}


def can(role: str | None, capability: Capability) -> bool:
    return role is not None and role in MATRIX[capability]


ROLE_LABELS = {
    ADMIN: "Tenant Admin",
    OPERATOR: "Tenant Operator",
    VIEWER: "Tenant Viewer",
}
