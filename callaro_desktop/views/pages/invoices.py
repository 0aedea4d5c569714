"""Billing → Invoices: every tax invoice, filterable by status, with its detail and PDF.

Enter (or a double-click) opens the detail; "Download PDF…" (Ctrl+S) saves the PDF where
the user chooses; "Open" (Ctrl+O) downloads it to the cache and opens the system viewer.
Downloads stream with progress and never leave half a file under the chosen name.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QComboBox, QLabel, QPushButton, QVBoxLayout, QWidget

from callaro_desktop.api.models import Invoice, InvoiceStatus
from callaro_desktop.api.pages import Pager
from callaro_desktop.i18n import tr
from callaro_desktop.services.formatting import format_date, format_money
from callaro_desktop.services.tasks import background
from callaro_desktop.views.dialogs.common import run_dialog
from callaro_desktop.views.dialogs.invoice_detail import (
    InvoiceDetailDialog,
    InvoicePdf,
    period_long,
    period_text,
    status_text,
    status_tone,
)
from callaro_desktop.views.pages.list_page import ListPage
from callaro_desktop.views.widgets.badges import PILL_ROLE
from callaro_desktop.views.widgets.lazy_table import Column
from callaro_desktop.views.widgets.transfer_bar import TransferBar

if TYPE_CHECKING:
    from callaro_desktop.api.client import TenantClient
    from callaro_desktop.services.session import Session

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
STATUSES = (InvoiceStatus.OPEN, InvoiceStatus.PAID, InvoiceStatus.VOID)


def _button(text: str, name: str, tip: str) -> QPushButton:
    button = QPushButton(text)
    button.setAccessibleName(name)
    button.setToolTip(tip)
    button.setEnabled(False)
    return button


class InvoicesPage(ListPage[Invoice]):
    page_id = "invoices"
    # The number and the amounts are never cut short; the status pills (Open, Paid, Void)
    # need little room.
    firm_columns = (0, 3, 4, 5)
    last_column_width = 90

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.status = QComboBox()
        self.status.setObjectName("InvoiceStatus")
        self.status.setAccessibleName(tr("Status"))
        self.status.addItem(tr("All statuses"), None)
        for status in STATUSES:
            self.status.addItem(status_text(status), status.value)
        status_label = QLabel(tr("S&tatus"))
        status_label.setBuddy(self.status)
        self.filters.addWidget(status_label)
        self.filters.addWidget(self.status)
        self.status.currentIndexChanged.connect(lambda _i: self.reload())

        self.transfer = TransferBar()
        self.transfer.succeeded.connect(self.session.messages.info)
        self.pdf = InvoicePdf(session, self, self.transfer)
        self.details_button = _button(
            tr("View detai&ls"), tr("View invoice details"), tr("Line items and tax (Enter)")
        )
        self.download_button = _button(
            tr("&Download PDF…"), tr("Download PDF"), tr("Save the PDF (Ctrl+S)")
        )
        self.open_button = _button(
            tr("&Open"), tr("Open PDF in the system viewer"), tr("Open the PDF (Ctrl+O)")
        )
        self.details_button.clicked.connect(self.show_details)
        self.download_button.clicked.connect(self.download_selected)
        self.open_button.clicked.connect(self.open_selected)
        # Its own row under the filters: a failure's text and request id need the width.
        body = self.body.layout()
        assert isinstance(body, QVBoxLayout)
        body.insertWidget(1, self.transfer)
        for button in (self.details_button, self.download_button, self.open_button):
            self.actions_bar.addWidget(button)
        for keys, slot in (
            (QKeySequence.StandardKey.Save, self.download_selected),
            (QKeySequence.StandardKey.Open, self.open_selected),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

        self.table.activated.connect(self._activated)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self.update_actions())
        self.model.modelReset.connect(self.update_actions)
        header = self.table.horizontalHeader()
        for column, width in enumerate((130, 90, 100, 100, 90, 105)):
            header.resizeSection(column, width)

    @classmethod
    def title(cls) -> str:
        return tr("Invoices")

    @classmethod
    def subtitle(cls) -> str:
        return tr("Tax invoices for your workspace, with their GST and PDFs.")

    def columns(self) -> Sequence[Column[Invoice]]:
        tz = self.session_timezone
        return [
            Column(tr("Number"), lambda i: i.number, "number"),
            Column(tr("Period"), period_text, "period_start", tooltip=period_long),
            Column(tr("Issued"), lambda i: format_date(i.issued_at, tz()), "issued_at"),
            Column(tr("Subtotal"), lambda i: format_money(i.subtotal), align=RIGHT),
            Column(tr("Tax"), lambda i: format_money(i.tax), align=RIGHT),
            Column(tr("Total"), lambda i: format_money(i.total), "total", align=RIGHT),
            Column(
                tr("Status"),
                lambda i: status_text(i.status),
                "status",
                extra_roles={PILL_ROLE: lambda i: status_tone(i.status)},
            ),
        ]

    def pager(self, scope: TenantClient, search: str | None) -> Pager[Invoice]:
        status = self.status.currentData()
        return scope.invoices.list(status=str(status) if status else None, per_page=100)

    def is_empty(self, data: Any) -> bool:
        # With a status filter on, "none" is an answer, not an empty page: keep the filter.
        return super().is_empty(data) and self.status.currentData() is None

    def empty_title(self) -> str:
        return tr("No invoices yet")

    def empty_text(self) -> str:
        return tr("Invoices are issued at the start of each month for the month before.")

    # -- actions ----------------------------------------------------------------------

    def update_actions(self) -> None:
        chosen = self.selected() is not None
        for button in (self.details_button, self.download_button, self.open_button):
            button.setEnabled(chosen)

    def _activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.show_details()

    def show_details(self) -> None:
        invoice = self.selected()
        if invoice is not None and self.tenant_id is not None:
            background(self._details(self.tenant_id, invoice))

    async def _details(self, tenant_id: int, invoice: Invoice) -> None:
        dialog = InvoiceDetailDialog(self.session, tenant_id, invoice, parent=self)
        try:
            await run_dialog(dialog)
        finally:
            dialog.deleteLater()

    def download_selected(self) -> None:
        invoice = self.selected()
        if invoice is not None and self.tenant_id is not None:
            background(self.pdf.save_as(self.tenant_id, invoice))

    def open_selected(self) -> None:
        invoice = self.selected()
        if invoice is not None and self.tenant_id is not None:
            self.pdf.open(self.tenant_id, invoice)
