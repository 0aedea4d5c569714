"""Billing → Usage: the event log of what was charged."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

from callaro_desktop.api.models import UsageEvent
from callaro_desktop.api.pages import Pager
from callaro_desktop.i18n import tr
from callaro_desktop.services.formatting import format_datetime, format_money
from callaro_desktop.views.pages.list_page import ListPage
from callaro_desktop.views.widgets.lazy_table import Column

if TYPE_CHECKING:
    from callaro_desktop.api.client import TenantClient

CATEGORY_LABELS = {
    "call": "Calls",
    "kb_import": "Knowledge-base imports",
    "file_extraction": "File extraction",
}


class UsagePage(ListPage[UsageEvent]):
    page_id = "usage"

    @classmethod
    def title(cls) -> str:
        return tr("Usage")

    def columns(self) -> Sequence[Column[UsageEvent]]:
        return [
            Column(
                tr("When"),
                lambda e: format_datetime(e.occurred_at, self.session.timezone),
                "occurred_at",
            ),
            Column(
                tr("Category"),
                lambda e: tr(CATEGORY_LABELS.get(e.category.value, e.category.value)),
            ),
            Column(tr("Description"), lambda e: e.description or "—"),
            Column(
                tr("Quantity"),
                lambda e: f"{e.quantity:g} {e.unit or ''}".strip(),
                align=Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            ),
            Column(
                tr("Charged (before GST)"),
                lambda e: format_money(e.charged_cost),
                align=Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            ),
        ]

    def pager(self, scope: TenantClient, search: str | None) -> Pager[UsageEvent]:
        return scope.usage.events(per_page=100)

    def empty_title(self) -> str:
        return tr("No usage yet")
