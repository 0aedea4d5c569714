"""Connectivity → Phone numbers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from callaro_desktop.api.models import PhoneNumber
from callaro_desktop.api.pages import Pager
from callaro_desktop.i18n import tr
from callaro_desktop.services.formatting import format_datetime
from callaro_desktop.views.pages.list_page import ListPage
from callaro_desktop.views.widgets.lazy_table import Column

if TYPE_CHECKING:
    from callaro_desktop.api.client import TenantClient


def _provider(n: PhoneNumber) -> str:
    c = n.telephony_connection
    text = f"{c.name} ({c.provider.value.capitalize()})" if c else "—"
    return f"{text}  ·  Twilio" if n.platform_managed else text


class PhoneNumbersPage(ListPage[PhoneNumber]):
    page_id = "phone_numbers"
    search_placeholder = tr("Search numbers...")

    @classmethod
    def title(cls) -> str:
        return tr("Phone numbers")

    def columns(self) -> Sequence[Column[PhoneNumber]]:
        return [
            Column(tr("Number"), lambda n: n.e164, "e164"),
            Column(tr("Status"), lambda n: tr(n.status.value.capitalize()), "status"),
            Column(
                tr("Inbound Agent"),
                lambda n: n.inbound_agent.name if n.inbound_agent else tr("Unassigned"),
            ),
            Column(tr("Provider"), _provider),
            Column(tr("Name"), lambda n: n.label or "—", "label"),
            Column(
                tr("Created"),
                lambda n: format_datetime(n.created_at, self.session.timezone),
                "created_at",
            ),
        ]

    def pager(self, scope: TenantClient, search: str | None) -> Pager[PhoneNumber]:
        return scope.phone_numbers.list(search=search, per_page=100)

    def empty_title(self) -> str:
        return tr("No phone numbers yet")
