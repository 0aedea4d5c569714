"""Billing → Invoices."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

from callaro_desktop.api.models import Invoice
from callaro_desktop.api.pages import Pager
from callaro_desktop.i18n import tr
from callaro_desktop.services.formatting import format_date, format_money
from callaro_desktop.views.pages.list_page import ListPage
from callaro_desktop.views.widgets.lazy_table import Column

if TYPE_CHECKING:
    from callaro_desktop.api.client import TenantClient

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class InvoicesPage(ListPage[Invoice]):
    page_id = "invoices"

    @classmethod
    def title(cls) -> str:
        return tr("Invoices")

    def columns(self) -> Sequence[Column[Invoice]]:
        tz = self.session_timezone
        return [
            Column(tr("Number"), lambda i: i.number, "number"),
            Column(tr("Issued"), lambda i: format_date(i.issued_at, tz()), "issued_at"),
            Column(
                tr("Period"),
                lambda i: (
                    f"{i.period_start:%d %b %Y} – {i.period_end:%d %b %Y}"
                    if i.period_start and i.period_end
                    else "—"
                ),
            ),
            Column(tr("Subtotal"), lambda i: format_money(i.subtotal), align=RIGHT),
            Column(tr("Tax"), lambda i: format_money(i.tax), align=RIGHT),
            Column(tr("Total"), lambda i: format_money(i.total), "total", align=RIGHT),
            Column(tr("Status"), lambda i: tr(i.status.value.capitalize()), "status"),
        ]

    def pager(self, scope: TenantClient, search: str | None) -> Pager[Invoice]:
        return scope.invoices.list(per_page=100)

    def empty_title(self) -> str:
        return tr("No invoices yet")
