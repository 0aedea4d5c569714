"""The sidebar's pages, grouped as in the Callaro web app.

Each entry names the capability that opens it (the role matrix in
services/permissions.py) and where its widget class lives, imported only when the
page is first shown so start-up does not pay for pages nobody opens.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from callaro_desktop.i18n import tr
from callaro_desktop.services.permissions import Capability

if TYPE_CHECKING:
    from callaro_desktop.views.pages.base import Page


@dataclass(frozen=True)
class NavItem:
    page_id: str
    label: str  # untranslated source text; shown through tr()
    group: str | None
    capability: Capability
    module: str
    cls: str

    @property
    def title(self) -> str:
        return tr(self.label, "Nav")

    def load_class(self) -> type[Page]:
        module = importlib.import_module(f"callaro_desktop.views.pages.{self.module}")
        page_cls: type[Page] = getattr(module, self.cls)
        return page_cls


NAV: tuple[NavItem, ...] = (
    NavItem("dashboard", "Dashboard", None, Capability.PROFILE, "dashboard", "DashboardPage"),
    NavItem(
        "getting_started",
        "Getting started",
        None,
        Capability.ONBOARDING_READ,
        "getting_started",
        "GettingStartedPage",
    ),
    NavItem("profile", "My Profile", "Admin", Capability.PROFILE, "profile", "ProfilePage"),
    NavItem("users", "Users", "Admin", Capability.USERS, "users", "UsersPage"),
    NavItem("api_keys", "API keys", "Admin", Capability.API_KEYS, "api_keys", "ApiKeysPage"),
    NavItem("billing", "Billing", "Billing", Capability.BILLING, "billing", "BillingPage"),
    NavItem("usage", "Usage", "Billing", Capability.BILLING, "usage", "UsagePage"),
    NavItem("invoices", "Invoices", "Billing", Capability.BILLING, "invoices", "InvoicesPage"),
    NavItem(
        "phone_numbers",
        "Phone numbers",
        "Connectivity",
        Capability.PHONE_NUMBERS_READ,
        "phone_numbers",
        "PhoneNumbersPage",
    ),
    NavItem(
        "telephony",
        "Telephony",
        "Connectivity",
        Capability.TELEPHONY_READ,
        "telephony",
        "TelephonyPage",
    ),
)

BY_ID = {item.page_id: item for item in NAV}
FALLBACK_PAGE = "profile"
# Where a workspace opens when no page was remembered for it; every role may see it.
LANDING_PAGE = "dashboard"


def group_title(group: str) -> str:
    return tr(group, "Nav")
