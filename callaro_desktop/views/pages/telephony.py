"""Connectivity → Telephony: the provider connections phone numbers run on."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from callaro_desktop.api.models import TelephonyConnection
from callaro_desktop.i18n import tr
from callaro_desktop.services.formatting import format_datetime
from callaro_desktop.views.pages.list_page import ListPage
from callaro_desktop.views.widgets.lazy_table import Column

if TYPE_CHECKING:
    from callaro_desktop.api.client import TenantClient

PROVIDER_LABELS = {"twilio": "Twilio", "exotel": "Exotel", "mcube": "mCube", "sip": "SIP"}


class TelephonyPage(ListPage[TelephonyConnection]):
    page_id = "telephony"

    @classmethod
    def title(cls) -> str:
        return tr("Telephony")

    @classmethod
    def subtitle(cls) -> str:
        return tr("Connections to telephony providers that your phone numbers use.")

    def columns(self) -> Sequence[Column[TelephonyConnection]]:
        return [
            Column(tr("Name"), lambda c: c.name),
            Column(
                tr("Provider"), lambda c: PROVIDER_LABELS.get(c.provider.value, c.provider.value)
            ),
            Column(tr("Status"), lambda c: tr("Active") if c.active else tr("Inactive")),
            Column(
                tr("Numbers using it"),
                lambda c: "—" if c.numbers_count is None else str(c.numbers_count),
            ),
            Column(tr("Created"), lambda c: format_datetime(c.created_at, self.session.timezone)),
        ]

    async def load_all(self, scope: TenantClient) -> list[TelephonyConnection]:
        return await scope.telephony_connections.list()

    def empty_title(self) -> str:
        return tr("No telephony connections yet")
