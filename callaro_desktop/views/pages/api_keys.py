"""Admin → API keys: the keys a tenant's own systems use (X-Api-Key: sk_...)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from callaro_desktop.api.models import ApiKey
from callaro_desktop.i18n import tr
from callaro_desktop.services.formatting import format_datetime
from callaro_desktop.views.pages.list_page import ListPage
from callaro_desktop.views.widgets.lazy_table import Column

if TYPE_CHECKING:
    from callaro_desktop.api.client import TenantClient


def _scopes_short(key: ApiKey) -> str:
    if len(key.scopes) <= 2:
        return ", ".join(key.scopes)
    return tr("{0}, {1} and {2} more").format(key.scopes[0], key.scopes[1], len(key.scopes) - 2)


class ApiKeysPage(ListPage[ApiKey]):
    page_id = "api_keys"

    @classmethod
    def title(cls) -> str:
        return tr("API keys")

    @classmethod
    def subtitle(cls) -> str:
        return tr("Keys your own systems use to call the Callaro Public API.")

    def columns(self) -> Sequence[Column[ApiKey]]:
        tz = self.session_timezone
        return [
            Column(tr("Name"), lambda k: k.name),
            Column(tr("Prefix"), lambda k: k.prefix),
            Column(tr("Scopes"), _scopes_short, tooltip=lambda k: "\n".join(k.scopes)),
            Column(tr("Status"), lambda k: tr("Active") if k.active else tr("Disabled")),
            Column(tr("Created"), lambda k: format_datetime(k.created_at, tz())),
            Column(tr("Created by"), lambda k: k.created_by.label if k.created_by else "—"),
            Column(
                tr("Last used"), lambda k: format_datetime(k.last_used_at, tz(), never=tr("never"))
            ),
        ]

    async def load_all(self, scope: TenantClient) -> list[ApiKey]:
        return await scope.api_keys.list()

    def empty_title(self) -> str:
        return tr("No API keys yet")
