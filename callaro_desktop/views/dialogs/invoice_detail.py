"""One invoice as issued: parties, lines, the GST heads, and its PDF.

The tax lines are shown exactly as the server issued them (CGST + SGST, CGST + UTGST, or
IGST, depending on the place of supply), never recomputed here. "Download PDF…" asks where
to save and streams the file to `name.part`, renamed when whole; "Open" downloads to the
cache and hands the file to the system's PDF viewer. Both report on the same transfer bar,
with progress, Cancel, and a Retry showing the request id when something fails.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from callaro_desktop.api.errors import ApiError
from callaro_desktop.api.models import BillTo, Invoice, InvoiceDetail, InvoiceStatus, Money, Seller
from callaro_desktop.i18n import tr
from callaro_desktop.services import downloads, gstin
from callaro_desktop.services.formatting import format_date, format_money
from callaro_desktop.services.tasks import background
from callaro_desktop.views.dialogs.files import choose_save_path
from callaro_desktop.views.widgets.badges import Pill, Tone
from callaro_desktop.views.widgets.states import StateStack
from callaro_desktop.views.widgets.transfer_bar import Progress, TransferBar

if TYPE_CHECKING:
    from callaro_desktop.services.session import Session

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
CACHE_FOLDER = "invoices"


def status_text(status: InvoiceStatus) -> str:
    return {
        InvoiceStatus.PAID: tr("Paid"),
        InvoiceStatus.OPEN: tr("Open"),
        InvoiceStatus.VOID: tr("Void"),
    }.get(status, tr("Unknown"))


def status_tone(status: InvoiceStatus) -> Tone:
    return {
        InvoiceStatus.PAID: Tone.SUCCESS,
        InvoiceStatus.OPEN: Tone.WARNING,
        InvoiceStatus.VOID: Tone.NEUTRAL,
    }.get(status, Tone.NEUTRAL)


def period_text(invoice: Invoice) -> str:
    """'Oct 2026' for a calendar month, '14 Mar 2026' for a day, else the two dates."""
    start, end = invoice.period_start, invoice.period_end
    if start is None or end is None:
        return "—"
    if start == end:
        return f"{start:%d %b %Y}"
    whole_month = start.day == 1 and (end + timedelta(days=1)).day == 1
    if whole_month and (start.year, start.month) == (end.year, end.month):
        return f"{start:%b %Y}"
    return f"{start:%d %b %Y} – {end:%d %b %Y}"


def period_long(invoice: Invoice) -> str:
    start, end = invoice.period_start, invoice.period_end
    if start is None or end is None:
        return "—"
    return f"{start:%d %b %Y} – {end:%d %b %Y}"


def rate_text(rate: float) -> str:
    return f"{rate * 100:g}%"


def quantity_text(quantity: float) -> str:
    return f"{quantity:,.0f}" if float(quantity).is_integer() else f"{quantity:,.2f}"


def gstin_text(number: str | None) -> str:
    if not number:
        return tr("Unregistered")
    state = gstin.state_name(number)
    return f"{number} ({state})" if state else number


class InvoicePdf:
    """Download PDF… and Open for invoices of one session, reported on a TransferBar."""

    def __init__(self, session: Session, parent: QWidget, bar: TransferBar) -> None:
        self.session = session
        self.parent = parent
        self.bar = bar

    async def _download(
        self, tenant_id: int, invoice: Invoice, target: Path, progress: Progress
    ) -> Path:
        scope = self.session.scope(tenant_id)

        async def fetch(sink: downloads.Sink, report: downloads.Progress | None) -> int:
            return await scope.invoices.download_pdf(invoice.id, sink, report)

        return await self.session.call(lambda: downloads.download_to(target, fetch, progress))

    async def save_as(self, tenant_id: int, invoice: Invoice) -> None:
        target = await choose_save_path(
            self.parent,
            tr("Save invoice {0}").format(invoice.number),
            downloads.safe_file_name(invoice.number, ".pdf"),
            tr("PDF files (*.pdf)"),
            "pdf",
        )
        if target is not None:
            self.start_save(tenant_id, invoice, target)

    def start_save(self, tenant_id: int, invoice: Invoice, target: Path) -> None:
        async def job(progress: Progress) -> str:
            saved = await self._download(tenant_id, invoice, target, progress)
            return tr("Saved invoice {0} as {1}.").format(invoice.number, saved)

        self.bar.run(tr("Downloading {0}…").format(invoice.number), job)

    def open(self, tenant_id: int, invoice: Invoice) -> None:
        async def job(progress: Progress) -> str:
            target = downloads.cache_file(
                CACHE_FOLDER, downloads.safe_file_name(invoice.number, ".pdf")
            )
            saved = await self._download(tenant_id, invoice, target, progress)
            if not downloads.open_file(saved):
                return tr("No PDF viewer could open {0}; the file is at {1}.").format(
                    invoice.number, saved
                )
            return tr("Opened invoice {0}.").format(invoice.number)

        self.bar.run(tr("Opening {0}…").format(invoice.number), job)


def _section_title(text: str) -> QLabel:
    label = QLabel(text)
    label.setProperty("muted", True)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


def _selectable(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class PartyBox(QFrame):
    """Bill To or Seller: name, address, email, GSTIN."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        self.setAccessibleName(title)
        self.name = _selectable()
        font = self.name.font()
        font.setBold(True)
        self.name.setFont(font)
        self.address = _selectable()
        self.address.setProperty("muted", True)
        self.email = _selectable()
        self.gstin = _selectable()
        self.gstin.setAccessibleName(tr("{0} GSTIN").format(title))
        lay = QVBoxLayout(self)
        lay.setContentsMargins(14, 10, 14, 10)
        lay.setSpacing(3)
        lay.addWidget(_section_title(title))
        for label in (self.name, self.address, self.email, self.gstin):
            lay.addWidget(label)
        lay.addStretch(1)

    def show_party(self, party: BillTo | Seller | None) -> None:
        name = party.name if party else None
        address = getattr(party, "address", None)
        email = getattr(party, "email", None)
        number = party.gstin if party else None
        self.name.setText(name or "—")
        self.address.setText(address or "")
        self.address.setVisible(bool(address))
        self.email.setText(email or "")
        self.email.setVisible(bool(email))
        self.gstin.setText(tr("GSTIN: {0}").format(gstin_text(number)))


class InvoiceDetailDialog(QDialog):
    LINE_COLUMNS = 6

    def __init__(
        self,
        session: Session,
        tenant_id: int,
        invoice: Invoice,
        *,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("InvoiceDetailDialog")
        self.session = session
        self.tenant_id = tenant_id
        self.invoice: Invoice = invoice
        self.detail: InvoiceDetail | None = None
        self.setWindowTitle(tr("Invoice {0}").format(invoice.number))
        self.setAccessibleName(tr("Invoice {0}").format(invoice.number))
        self.resize(820, 580)
        self.setMinimumSize(640, 480)

        self.number = QLabel(tr("Tax invoice {0}").format(invoice.number))
        self.number.setObjectName("StateTitle")
        self.number.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status = Pill(status_text(invoice.status), status_tone(invoice.status))
        self.meta = QLabel()
        self.meta.setProperty("muted", True)
        self.meta.setWordWrap(True)
        head = QHBoxLayout()
        head.addWidget(self.number)
        head.addWidget(self.status, 0, Qt.AlignmentFlag.AlignVCenter)
        head.addStretch(1)

        self.bill_to = PartyBox(tr("Bill To"))
        self.seller = PartyBox(tr("Seller"))
        parties = QHBoxLayout()
        parties.setSpacing(12)
        parties.addWidget(self.bill_to, 1)
        parties.addWidget(self.seller, 1)

        self.lines = QTableWidget(0, self.LINE_COLUMNS)
        self.lines.setObjectName("InvoiceLines")
        self.lines.setTabKeyNavigation(False)  # Tab leaves for the buttons, not cell to cell
        self.lines.setAccessibleName(tr("Line items"))
        self.lines.setHorizontalHeaderLabels(
            [
                tr("Description"),
                tr("Quantity"),
                tr("Unit price"),
                tr("Tax rate"),
                tr("Tax amount"),
                tr("Amount"),
            ]
        )
        self.lines.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.lines.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.lines.setAlternatingRowColors(True)
        self.lines.setShowGrid(False)
        self.lines.setWordWrap(False)
        self.lines.verticalHeader().hide()
        self.lines.verticalHeader().setDefaultSectionSize(28)
        header = self.lines.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setHighlightSections(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, self.LINE_COLUMNS):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
            item = self.lines.horizontalHeaderItem(column)
            if item is not None:
                item.setTextAlignment(RIGHT)

        self.totals = QGridLayout()
        self.totals.setHorizontalSpacing(24)
        self.totals.setVerticalSpacing(4)
        totals_box = QHBoxLayout()
        totals_box.addStretch(1)
        totals_box.addLayout(self.totals)
        self.reverse_charge = QLabel()
        self.reverse_charge.setObjectName("ReverseCharge")
        self.reverse_charge.setWordWrap(True)
        self.reverse_charge.setProperty("state", "bad")
        self.reverse_charge.hide()
        self.rounding_note = QLabel()
        self.rounding_note.setProperty("muted", True)
        self.rounding_note.setWordWrap(True)
        self.rounding_note.hide()

        content = QWidget()
        body = QVBoxLayout(content)
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(10)
        body.addLayout(head)
        body.addWidget(self.meta)
        body.addLayout(parties)
        body.addWidget(self.lines)
        body.addLayout(totals_box)
        body.addWidget(self.reverse_charge)
        body.addWidget(self.rounding_note)
        body.addStretch(1)
        self.states = StateStack(content)
        self.states.retry_requested.connect(self.load)

        self.transfer = TransferBar()
        self.transfer.succeeded.connect(self.session.messages.info)
        self.pdf = InvoicePdf(session, self, self.transfer)
        self.buttons = QDialogButtonBox()
        self.download_button = QPushButton(tr("&Download PDF…"))
        self.download_button.setAccessibleName(tr("Download PDF"))
        self.download_button.setAutoDefault(False)
        self.download_button.clicked.connect(
            lambda: background(self.pdf.save_as(self.tenant_id, self.invoice))
        )
        self.open_button = QPushButton(tr("&Open"))
        self.open_button.setAccessibleName(tr("Open PDF in the system viewer"))
        self.open_button.setAutoDefault(False)
        self.open_button.clicked.connect(lambda: self.pdf.open(self.tenant_id, self.invoice))
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.close_button.setAccessibleName(tr("Close"))
        self.buttons.addButton(self.download_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.transfer, 1)
        bottom.addWidget(self.buttons)

        lay = QVBoxLayout(self)
        lay.addWidget(self.states, 1)
        lay.addLayout(bottom)
        self.load()

    def load(self) -> None:
        self.states.show_loading(tr("Loading invoice…"))
        self.session.tasks.run(("invoice-detail", self.tenant_id), self._load())

    async def _load(self) -> None:
        scope = self.session.scope(self.tenant_id)
        try:
            detail = await self.session.call(lambda: scope.invoices.get(self.invoice.id))
        except ApiError as exc:
            self.states.show_error(exc.user_message(reference=False), exc.request_id)
            return
        self.show_detail(detail)
        self.states.show_ready()

    def show_detail(self, detail: InvoiceDetail) -> None:
        self.detail = detail
        self.invoice = detail
        tz = self.session.timezone
        self.status.set(status_text(detail.status), status_tone(detail.status))
        place = gstin.state_name((detail.bill_to.gstin if detail.bill_to else None) or "") or (
            gstin.state_name(detail.seller.gstin or "") if detail.seller else None
        )
        parts = [
            tr("Issued {0}").format(format_date(detail.issued_at, tz)),
            tr("Period {0}").format(period_long(detail)),
        ]
        if place:
            parts.append(tr("Place of supply {0}").format(place))
        self.meta.setText(" · ".join(parts))
        self.bill_to.show_party(detail.bill_to)
        self.seller.show_party(detail.seller)

        self.lines.setRowCount(len(detail.lines))
        for row, line in enumerate(detail.lines):
            cells = [
                line.description,
                quantity_text(line.quantity),
                line.unit_price.format(),
                rate_text(line.tax_rate),
                line.tax_amount.format(),
                line.amount.format(),
            ]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column:
                    item.setTextAlignment(RIGHT)
                self.lines.setItem(row, column, item)

        self._fit_lines()
        self._clear_totals()
        rows: list[tuple[str, str, bool]] = [(tr("Subtotal"), format_money(detail.subtotal), False)]
        for tax in detail.tax_lines:
            label = tr("{0} @ {1}").format(tax.label, rate_text(tax.rate))
            rows.append((label, tax.amount.format(), False))
        rows.append((tr("Total"), format_money(detail.total), True))
        for index, (caption, value, bold) in enumerate(rows):
            left, right = QLabel(caption), QLabel(value)
            right.setAlignment(RIGHT)
            right.setAccessibleName(caption)
            right.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            if bold:
                font = left.font()
                font.setBold(True)
                font.setPointSizeF(font.pointSizeF() * 1.15)
                left.setFont(font)
                right.setFont(font)
            self.totals.addWidget(left, index, 0)
            self.totals.addWidget(right, index, 1)

        self.reverse_charge.setVisible(detail.reverse_charge)
        self.reverse_charge.setText(
            tr(
                "Reverse charge applies: the GST on this invoice is payable by the recipient "
                "(you), not collected by {0}."
            ).format(detail.seller.name if detail.seller and detail.seller.name else tr("Callaro"))
        )
        line_tax = sum(line.tax_amount.amount_minor for line in detail.lines)
        differs = detail.lines and line_tax != detail.tax.amount_minor
        self.rounding_note.setVisible(bool(differs))
        self.rounding_note.setText(
            tr(
                "Tax per line ({0} in all) is for information; GST is assessed on the total "
                "taxable value, so the invoice's tax ({1}) can differ by a paisa."
            ).format(Money(amount_minor=line_tax).format(), detail.tax.format())
        )

    def _fit_lines(self) -> None:
        # As tall as its rows (up to a dozen), so the totals sit right under the lines
        # instead of at the bottom of an empty table.
        shown = min(self.lines.rowCount(), 12)
        rows = sum(self.lines.rowHeight(r) for r in range(shown))
        frame = 2 * self.lines.frameWidth()
        header = self.lines.horizontalHeader().sizeHint().height()
        self.lines.setMaximumHeight(header + rows + frame + 2)

    def _clear_totals(self) -> None:
        while self.totals.count():
            item = self.totals.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()

    def tax_lines_shown(self) -> list[tuple[str, str]]:
        """(caption, amount) pairs of the totals block, for tests and screen readers."""
        pairs: list[tuple[str, str]] = []
        for row in range(self.totals.rowCount()):
            left = self.totals.itemAtPosition(row, 0)
            right = self.totals.itemAtPosition(row, 1)
            if left is None or right is None:
                continue
            lw, rw = left.widget(), right.widget()
            if isinstance(lw, QLabel) and isinstance(rw, QLabel):
                pairs.append((lw.text(), rw.text()))
        return pairs

    def done(self, result: int) -> None:
        self.session.tasks.cancel(("invoice-detail", self.tenant_id))
        self.transfer.cancel()
        super().done(result)
