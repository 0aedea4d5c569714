"""Add phone number: buy one from Twilio, or bring numbers the workspace already owns.

"Purchase from Twilio" is offered only when the workspace has an active Twilio connection.
It shows the country's prices and the numbers available now before anything is bought,
and asks once more with the monthly total. The purchase is idempotent: a retry of the same
choice (after a timeout, a 503, a lost answer) reuses its Idempotency-Key, so it can never
buy twice. "Add manually" takes one number or a pasted list, checks every line as it is
typed, and puts the server's per-number errors back on the lines they belong to.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QShowEvent, QTextCharFormat, QTextCursor, QTextFormat
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QRadioButton,
    QSizePolicy,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from callaro_desktop.api.client import OwnedNumber
from callaro_desktop.api.errors import ApiError
from callaro_desktop.api.models import (
    AvailableNumber,
    Money,
    PhoneNumber,
    Pricing,
    Provider,
    TelephonyConnection,
)
from callaro_desktop.i18n import tr
from callaro_desktop.services.e164 import MAX_LABEL, Entry, Problem, parse_lines
from callaro_desktop.services.formatting import format_money
from callaro_desktop.services.tasks import background
from callaro_desktop.views import theme
from callaro_desktop.views.dialogs.common import run_dialog, while_open
from callaro_desktop.views.dialogs.confirm import confirm
from callaro_desktop.views.dialogs.form import FormDialog, RetryButton
from callaro_desktop.views.dialogs.form_sections import FormSections
from callaro_desktop.views.pages.phone_numbers import monospace, provider_label

if TYPE_CHECKING:
    import asyncio

    from callaro_desktop.api.client import TenantClient
    from callaro_desktop.services.session import Session

PURCHASE = "purchase"
MANUAL = "manual"
# Where Callaro sells numbers; the server has the last word (an unknown one is a 422 at the
# country field).
COUNTRIES = (
    ("IN", "India"),
    ("US", "United States"),
    ("GB", "United Kingdom"),
    ("AU", "Australia"),
    ("SG", "Singapore"),
)
MAX_PURCHASE = 50
MAX_MANUAL = 100
SHOWN_PROBLEMS = 5


def problem_text(entry: Entry) -> str:
    texts = {
        Problem.EMPTY: tr("enter a number"),
        Problem.NO_PLUS: tr("start with + and the country code, e.g. +91"),
        Problem.BAD_CHARACTER: tr("use only digits after the +"),
        Problem.LEADING_ZERO: tr("a country code never starts with 0"),
        Problem.TOO_SHORT: tr("too short for an E.164 number"),
        Problem.TOO_LONG: tr("too long: E.164 numbers have at most 15 digits"),
        Problem.LABEL_TOO_LONG: tr("the label is longer than {0} characters").format(MAX_LABEL),
        Problem.DUPLICATE: tr("repeats line {0}").format(entry.duplicate_of),
    }
    return texts.get(entry.problem, "") if entry.problem else ""


def times(price: Money | None, quantity: int) -> Money | None:
    if price is None:
        return None
    return Money(amount_minor=price.amount_minor * quantity, currency=price.currency)


class AddNumberDialog(FormDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, tr("Add phone number"), tr("&Purchase…"), parent=parent)
        self.setObjectName("AddNumberDialog")
        self.setMinimumWidth(600)
        self.tenant_id = session.tenant_id
        self.tenant_name = session.tenant.name if session.tenant else ""
        self.connections: list[TelephonyConnection] | None = None
        self.pricing: Pricing | None = None
        self.available: list[AvailableNumber] = []
        self.entries: list[Entry] = []
        self._confirmed: Any = None
        self._confirming = False
        self._prices_task: asyncio.Task[None] | None = None
        self.sections = FormSections(self)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        self._build_source()
        self.connection_combo = QComboBox()
        self.connection_combo.setAccessibleName(tr("Connection"))
        self.connection_combo.setMinimumWidth(280)
        self.retry_connections = RetryButton(tr("Retry loading connections"))
        self.retry_connections.clicked.connect(lambda: while_open(self, self.load_connections()))
        self.add_field(
            "telephony_connection_id",
            tr("C&onnection"),
            self.connection_combo,
            beside=self.retry_connections,
        )
        self.connection_hint = QLabel()
        self.connection_hint.setProperty("muted", True)
        self.connection_hint.setWordWrap(True)
        self.form.addRow("", self.connection_hint)

        self._build_purchase()
        self._build_manual()
        self.source_group.idToggled.connect(self._on_source_toggled)
        self.manual_radio.setChecked(True)
        self._on_source_changed()
        self._set_loading_connections()
        # The first choice has the keyboard: left to Qt it went to Cancel, the first button
        # not disabled while the connections load, and Enter closed the dialog.
        self.manual_radio.setFocus()

    # -- building -------------------------------------------------------------------------

    def _build_source(self) -> None:
        self.purchase_radio = QRadioButton(tr("Purchase from &Twilio"))
        self.purchase_radio.setAccessibleName(tr("Purchase from Twilio"))
        self.manual_radio = QRadioButton(tr("Add &manually"))
        self.manual_radio.setAccessibleName(tr("Add manually"))
        self.source_group = QButtonGroup(self)
        self.source_group.addButton(self.purchase_radio, 0)
        self.source_group.addButton(self.manual_radio, 1)
        self.purchase_note = QLabel()
        self.purchase_note.setProperty("muted", True)
        self.purchase_note.setWordWrap(True)
        self.purchase_note.hide()
        box = QWidget()
        lay = QVBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        radios = QHBoxLayout()
        radios.addWidget(self.purchase_radio)
        radios.addSpacing(16)
        radios.addWidget(self.manual_radio)
        radios.addStretch(1)
        lay.addLayout(radios)
        lay.addWidget(self.purchase_note)
        box.setAccessibleName(tr("Source"))
        self.form.addRow(tr("Source"), box)

    def _build_purchase(self) -> None:
        with self.sections.section(PURCHASE):
            self.country_combo = QComboBox()
            for code, name in COUNTRIES:
                self.country_combo.addItem(tr(name), code)
            self.country_combo.currentIndexChanged.connect(lambda _i: self._load_prices())
            self.retry_prices = RetryButton(tr("Retry loading prices and numbers"))
            self.retry_prices.clicked.connect(self._load_prices)
            self.add_field("country", tr("Co&untry"), self.country_combo, beside=self.retry_prices)
            self.prices_label = QLabel()
            self.prices_label.setWordWrap(True)
            self.prices_label.setAccessibleName(tr("Prices"))
            self.form.addRow(tr("Prices"), self.prices_label)
            self.available_caption = QLabel()
            self.available_caption.setProperty("muted", True)
            self.available_table = QTableWidget(0, 3)
            self.available_table.setObjectName("AvailableNumbers")
            self.available_table.setAccessibleName(tr("Available numbers"))
            self.available_table.setHorizontalHeaderLabels(
                [tr("Number"), tr("Location"), tr("Monthly")]
            )
            self.available_table.verticalHeader().hide()
            self.available_table.setTabKeyNavigation(False)  # Tab on to Quantity, not cell to cell
            self.available_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            self.available_table.setSelectionBehavior(
                QAbstractItemView.SelectionBehavior.SelectRows
            )
            self.available_table.setShowGrid(False)
            self.available_table.setAlternatingRowColors(True)
            self.available_table.setFixedHeight(170)
            self.available_table.verticalHeader().setDefaultSectionSize(26)
            header = self.available_table.horizontalHeader()
            header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
            header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
            header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
            available = QWidget()
            available.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
            lay = QVBoxLayout(available)
            lay.setContentsMargins(0, 0, 0, 0)
            lay.setSpacing(2)
            lay.addWidget(self.available_table)
            lay.addWidget(self.available_caption)
            self.form.addRow(tr("Available"), available)
            self.quantity = QSpinBox()
            self.quantity.setRange(1, MAX_PURCHASE)
            self.quantity.setFixedWidth(110)
            self.quantity.setAccessibleName(tr("Quantity"))
            self.quantity.valueChanged.connect(lambda _v: self._show_total())
            self.add_field("quantity", tr("&Quantity"), self.quantity)
            self.total_label = QLabel()
            self.total_label.setWordWrap(True)
            self.total_label.setAccessibleName(tr("Monthly total"))
            font = self.total_label.font()
            font.setBold(True)
            self.total_label.setFont(font)
            self.form.addRow(tr("Monthly total"), self.total_label)

    def _build_manual(self) -> None:
        with self.sections.section(MANUAL):
            self.numbers_edit = QPlainTextEdit()
            self.numbers_edit.setObjectName("ManualNumbers")
            self.numbers_edit.setAccessibleName(tr("Numbers"))
            self.numbers_edit.setTabChangesFocus(True)
            self.numbers_edit.setFont(monospace(self.font()))
            self.numbers_edit.setPlaceholderText("+91 80 4712 3456, Sales\n+1 415 555 0123")
            self.numbers_edit.setMinimumHeight(110)
            self.numbers_edit.setMaximumHeight(180)
            self.numbers_edit.textChanged.connect(self._check_numbers)
            self.add_field(
                "numbers",
                tr("&Numbers"),
                self.numbers_edit,
                help_text=tr(
                    "One number per line in E.164 form (+ and the country code). To name a "
                    "number, put a label after a comma: +91 80 4712 3456, Sales"
                ),
            )
            self.numbers_summary = QLabel()
            self.numbers_summary.setProperty("muted", True)
            self.numbers_summary.setAccessibleName(tr("Numbers ready"))
            self.form.addRow("", self.numbers_summary)

    # -- running --------------------------------------------------------------------------

    async def run(self) -> list[PhoneNumber] | None:
        try:
            await run_dialog(self)
            result = self.result_value
            return list(result) if result else None
        finally:
            if self._prices_task is not None:
                self._prices_task.cancel()
            self.deleteLater()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.connections is None and not self.retry_connections.isVisible():
            while_open(self, self.load_connections())

    def _scope(self) -> TenantClient:
        return self.session.scope(self.tenant_id)

    def source(self) -> str:
        return PURCHASE if self.purchase_radio.isChecked() else MANUAL

    def twilio_connections(self) -> list[TelephonyConnection]:
        return [c for c in self.connections or [] if c.active and c.provider == Provider.TWILIO]

    def usable_connections(self) -> list[TelephonyConnection]:
        if self.source() == PURCHASE:
            return self.twilio_connections()
        return [c for c in self.connections or [] if c.active]

    # -- connections ------------------------------------------------------------------------

    def _set_loading_connections(self) -> None:
        self.connection_combo.clear()
        self.connection_combo.setEnabled(False)
        self.connection_hint.setText(tr("Loading connections…"))
        self.purchase_radio.setEnabled(False)
        self.submit_button.setEnabled(False)

    async def load_connections(self) -> None:
        retrying = self.retry_connections.loading()
        self._set_loading_connections()
        try:
            connections = await self.session.call(self._scope().telephony_connections.list)
        except ApiError as exc:
            self.connection_hint.setText(
                tr("Connections could not be loaded: {0}").format(exc.user_message())
            )
            self.retry_connections.failed(retrying)
            return
        self.connections = connections
        can_buy = bool(self.twilio_connections())
        self.purchase_radio.setEnabled(can_buy)
        self.purchase_note.setVisible(not can_buy)
        self.purchase_note.setText(
            tr(
                "Purchasing needs an active Twilio connection. An admin can add one under "
                "Connectivity → Telephony."
            )
        )
        if can_buy:
            self.purchase_radio.setChecked(True)
            if self.focusWidget() is self.manual_radio:
                self.purchase_radio.setFocus()  # (the choice made for the user, with the focus)
        self._on_source_changed()
        self.retry_connections.loaded(retrying, self.connection_combo)

    def _fill_connections(self) -> None:
        previous = self.connection_combo.currentData()
        self.connection_combo.clear()
        for c in self.usable_connections():
            self.connection_combo.addItem(f"{c.name} · {provider_label(c.provider)}", c.id)
        index = self.connection_combo.findData(previous)
        self.connection_combo.setCurrentIndex(index if index >= 0 else 0)
        has_any = self.connection_combo.count() > 0
        self.connection_combo.setEnabled(has_any)
        if self.connections is None:
            return
        if has_any:
            self.connection_hint.setText(
                tr("Numbers are bought through this Twilio account.")
                if self.source() == PURCHASE
                else tr("The provider connection these numbers already run on.")
            )
        else:
            self.connection_hint.setText(
                tr(
                    "This workspace has no active telephony connection. An admin can add one "
                    "under Connectivity → Telephony."
                )
            )

    # -- switching source -------------------------------------------------------------------

    def _on_source_toggled(self, _id: int, checked: bool) -> None:
        if checked:
            self._on_source_changed()

    def _on_source_changed(self) -> None:
        source = self.source()
        self.clear_errors()
        self.sections.show(source)
        self._fill_connections()
        self.submit_button.setText(tr("&Purchase…") if source == PURCHASE else tr("&Add numbers"))
        self.submit_button.setAccessibleName(self.submit_button.text().replace("&", ""))
        if source == PURCHASE and self.pricing is None:
            self._load_prices()
        if source == MANUAL:
            self._check_numbers()
        self._update_submit()
        # The sections differ in height; fit the window to the one shown once it is laid out.
        QTimer.singleShot(0, self.adjustSize)

    def _update_submit(self) -> None:
        ready = self.connections is not None and self.connection_combo.count() > 0
        if self.source() == PURCHASE:
            ready = ready and self.pricing is not None
        self.submit_button.setEnabled(ready)

    # -- purchase ---------------------------------------------------------------------------

    def country(self) -> str:
        return str(self.country_combo.currentData())

    def _load_prices(self) -> None:
        if self._prices_task is not None and not self._prices_task.done():
            self._prices_task.cancel()
        self._prices_task = while_open(self, self.load_prices(self.country()))

    async def load_prices(self, country: str) -> None:
        retrying = self.retry_prices.loading()
        self.pricing = None
        self.available = []
        self.prices_label.setText(tr("Loading prices…"))
        self.available_table.setRowCount(0)
        self.available_caption.setText("")
        self._show_total()
        self._update_submit()
        self.sections.field(PURCHASE, "country")[1].set_error(None)
        numbers = self._scope().phone_numbers
        try:
            pricing = await self.session.call(lambda: numbers.pricing(country))
            available = await self.session.call(lambda: numbers.available(country))
        except ApiError as exc:
            self.prices_label.setText("—")
            self.sections.field(PURCHASE, "country")[1].set_error(exc.user_message())
            self.retry_prices.failed(retrying)
            return
        if country != self.country():
            return
        self.pricing = pricing
        self.available = available
        self._show_prices()
        self.retry_prices.loaded(retrying, self.country_combo)

    def _show_prices(self) -> None:
        pricing = self.pricing
        if pricing is None:
            return
        parts = [tr("{0} a month per number").format(format_money(pricing.monthly_price))]
        if pricing.setup_price is not None and pricing.setup_price.amount_minor:
            parts.append(tr("{0} one-time setup").format(format_money(pricing.setup_price)))
        if pricing.per_minute is not None:
            parts.append(tr("{0} a minute").format(format_money(pricing.per_minute)))
        self.prices_label.setText(" · ".join(parts) + "\n" + tr("Prices are before GST."))
        table = self.available_table
        table.setRowCount(len(self.available))
        mono = monospace(self.font())
        for row, number in enumerate(self.available):
            place = ", ".join(p for p in (number.locality, number.region) if p)
            price = number.monthly_price or pricing.monthly_price
            cells = (number.e164, place or "—", format_money(price))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 0:
                    item.setFont(mono)
                if column == 2:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                table.setItem(row, column, item)
        name = self.country_combo.currentText()
        if self.available:
            self.available_caption.setText(
                tr("Available now in {0}; Twilio assigns the numbers when you buy.").format(name)
            )
        else:
            self.available_caption.setText(tr("No numbers are available in {0} now.").format(name))
        self._show_total()
        self._update_submit()

    def monthly_total(self) -> Money | None:
        return times(self.pricing.monthly_price if self.pricing else None, self.quantity.value())

    def setup_total(self) -> Money | None:
        return times(self.pricing.setup_price if self.pricing else None, self.quantity.value())

    def _show_total(self) -> None:
        total = self.monthly_total()
        if total is None:
            self.total_label.setText("—")
            return
        text = tr("{0} a month").format(format_money(total))
        setup = self.setup_total()
        if setup is not None and setup.amount_minor:
            text += " " + tr("(plus {0} setup)").format(format_money(setup))
        self.total_label.setText(text + ", " + tr("before GST"))

    # -- manual -----------------------------------------------------------------------------

    def _check_numbers(self) -> None:
        self.entries = parse_lines(self.numbers_edit.toPlainText())
        bad = [e for e in self.entries if not e.ok]
        good = len(self.entries) - len(bad)
        self._mark_lines({e.line for e in bad})
        self.sections.field(MANUAL, "numbers")[1].set_error(
            self._problems_text(bad) if bad else None
        )
        if not self.entries:
            self.numbers_summary.setText("")
        elif good == 1:
            self.numbers_summary.setText(tr("1 number ready to add."))
        else:
            self.numbers_summary.setText(tr("{0} numbers ready to add.").format(good))

    @staticmethod
    def _problems_text(bad: Sequence[Entry], messages: dict[int, str] | None = None) -> str:
        lines = [
            tr("Line {0}: {1} — {2}").format(
                e.line, e.raw.strip(), (messages or {}).get(e.line) or problem_text(e)
            )
            for e in bad[:SHOWN_PROBLEMS]
        ]
        if len(bad) > SHOWN_PROBLEMS:
            lines.append(tr("…and {0} more lines to fix.").format(len(bad) - SHOWN_PROBLEMS))
        return "\n".join(lines)

    def _mark_lines(self, lines: set[int]) -> None:
        marks: list[QTextEdit.ExtraSelection] = []
        document = self.numbers_edit.document()
        for line in sorted(lines):
            block = document.findBlockByNumber(line - 1)
            if not block.isValid():
                continue
            selection = QTextEdit.ExtraSelection()
            fmt = QTextCharFormat()
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
            fmt.setUnderlineColor(QColor(theme.tokens().danger))
            fmt.setProperty(QTextFormat.Property.FullWidthSelection, False)
            selection.format = fmt
            cursor = QTextCursor(block)
            cursor.movePosition(
                QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor
            )
            selection.cursor = cursor
            marks.append(selection)
        self.numbers_edit.setExtraSelections(marks)

    # -- FormDialog -----------------------------------------------------------------------

    def validate(self) -> dict[str, str]:
        problems: dict[str, str] = {}
        if self.connection_combo.currentData() is None:
            problems["telephony_connection_id"] = tr("Choose a connection.")
        if self.source() == PURCHASE:
            if self.pricing is None:
                problems["country"] = tr("Wait for the prices of this country to load.")
            return problems
        self._check_numbers()
        bad = [e for e in self.entries if not e.ok]
        if not self.entries:
            problems["numbers"] = tr("Enter at least one number.")
        elif bad:
            problems["numbers"] = self._problems_text(bad)
        elif len(self.entries) > MAX_MANUAL:
            problems["numbers"] = tr("Add at most {0} numbers at a time.").format(MAX_MANUAL)
        return problems

    def payload(self) -> Any:
        connection = self.connection_combo.currentData()
        if self.source() == PURCHASE:
            return (PURCHASE, self.country(), self.quantity.value(), connection)
        numbers = tuple((e.e164, e.label) for e in self.entries)
        return (MANUAL, numbers, connection)

    def start_submit(self) -> None:
        if self._confirming:
            return
        if self.source() == PURCHASE:
            self.clear_errors()
            problems = self.validate()
            if problems:
                self.show_errors(problems)
                return
            # A retry of a purchase already agreed to is the same intent: no second question.
            if self.payload() != self._confirmed:
                background(self._confirm_purchase())
                return
        super().start_submit()

    async def _confirm_purchase(self) -> None:
        self._confirming = True
        payload = self.payload()
        quantity = self.quantity.value()
        pricing = self.pricing
        try:
            each = format_money(pricing.monthly_price if pricing else None)
            text = (
                tr("Buy {0} in {1} through “{2}” for {3}?").format(
                    tr("1 phone number")
                    if quantity == 1
                    else tr("{0} phone numbers").format(quantity),
                    self.country_combo.currentText(),
                    self.connection_combo.currentText(),
                    self.tenant_name,
                )
                + "\n\n"
                + tr("Monthly total: {0} ({1} each)").format(
                    format_money(self.monthly_total()), each
                )
            )
            setup = self.setup_total()
            if setup is not None and setup.amount_minor:
                text += "\n" + tr("One-time setup: {0}").format(format_money(setup))
            text += "\n" + tr("Prices are before GST and are billed to this workspace.")
            agreed = await confirm(
                self, tr("Confirm purchase"), text, tr("&Buy numbers"), destructive=False
            )
        finally:
            self._confirming = False
        if agreed and payload == self.payload():
            self._confirmed = payload
            super().start_submit()

    async def perform(self, idempotency_key: str) -> list[PhoneNumber]:
        numbers = self._scope().phone_numbers
        connection = int(self.connection_combo.currentData())
        if self.source() == PURCHASE:
            return await numbers.purchase(
                self.country(),
                self.quantity.value(),
                connection,
                idempotency_key=idempotency_key,
            )
        owned = [OwnedNumber(e164=e.e164, label=e.label) for e in self.entries]
        return await numbers.import_owned(owned, connection, idempotency_key=idempotency_key)

    def busy_text(self) -> str:
        return tr("Buying…") if self.source() == PURCHASE else tr("Adding…")

    def show_api_error(self, exc: ApiError) -> None:
        super().show_api_error(exc)
        # numbers.3.e164 names the fourth number sent; say which line of the editor it is.
        messages: dict[int, str] = {}
        for key, texts in exc.errors.items():
            parts = key.split(".")
            if parts[0] == "numbers" and len(parts) > 1 and parts[1].isdigit():
                index = int(parts[1])
                if index < len(self.entries) and texts:
                    messages[self.entries[index].line] = texts[0]
        if messages and self.source() == MANUAL:
            bad = [e for e in self.entries if e.line in messages]
            self.fields["numbers"][1].set_error(self._problems_text(bad, messages))
            self._mark_lines(set(messages))

    def _set_busy(self, busy: bool) -> None:
        super()._set_busy(busy)
        self.purchase_radio.setEnabled(not busy and bool(self.twilio_connections()))
        self.manual_radio.setEnabled(not busy)
        if not busy:
            self._update_submit()
