"""Recharge: choose the credits, see what it costs with GST, pay in the browser, wait.

Two dialogs, one flow. `RechargeDialog` takes "Credits to add" (before GST) and shows the
subtotal, GST and total before anything is sent; its submit creates the recharge with one
Idempotency-Key per intent (FormDialog), so a retry after a lost answer never creates a
second one. `RechargeWaitDialog` then opens the checkout page in the system browser and
polls the recharge until it is paid or failed, or the user stops waiting. Stopping loses
nothing: the page remembers the pending recharge and checks it again on the next visit.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from callaro_desktop.api.errors import ApiError, with_request_id
from callaro_desktop.api.models import Money, Recharge, RechargeStatus
from callaro_desktop.i18n import tr
from callaro_desktop.services import downloads
from callaro_desktop.services.formatting import zone
from callaro_desktop.services.tasks import background
from callaro_desktop.views.dialogs.form import FormDialog
from callaro_desktop.views.widgets.edits import edits_form

if TYPE_CHECKING:
    from callaro_desktop.services.session import Session

# The server's limits (contract: credits in paise, ₹100 to ₹10,00,000 per recharge).
MIN_CREDITS_MINOR = 100_00
MAX_CREDITS_MINOR = 10_00_000_00
PRESETS_RUPEES = (1_000, 5_000, 10_000, 50_000)
POLL_INTERVAL_S = 2.0
MAX_POLL_INTERVAL_S = 15.0

_AMOUNT = re.compile(r"^(\d+)(?:\.(\d{1,2}))?$")


def parse_rupees(text: str) -> int | None:
    """'1,00,000' or '₹ 5000.5' -> paise; None when it is not an amount."""
    compact = re.sub(r"[\s,₹]", "", text)
    if compact.lower().startswith("rs."):
        compact = compact[3:]
    match = _AMOUNT.match(compact)
    if match is None:
        return None
    rupees, paise = match.group(1), (match.group(2) or "").ljust(2, "0")
    return int(rupees) * 100 + int(paise)


def rate_basis_points(gst_rate: float) -> int:
    return round(gst_rate * 10_000)


def gst_on(amount_minor: int, gst_rate: float) -> int:
    """GST on a before-GST amount, rounded half up to the paisa, as GST invoices round."""
    quotient, remainder = divmod(amount_minor * rate_basis_points(gst_rate), 10_000)
    return quotient + (1 if remainder * 2 >= 10_000 else 0)


def inr(amount_minor: int) -> str:
    return Money(amount_minor=amount_minor).format()


def percent(rate: float) -> str:
    return f"{rate * 100:g}%"


class AmountSummary(QFrame):
    """Subtotal, GST and total, aligned as on an invoice."""

    def __init__(self, gst_rate: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        self.gst_rate = gst_rate
        self.subtotal = QLabel("—")
        self.gst = QLabel("—")
        self.total = QLabel("—")
        font = self.total.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.25)
        self.total.setFont(font)
        form = QFormLayout(self)
        form.setContentsMargins(16, 12, 16, 12)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.total_caption = total_caption = QLabel(tr("Total to pay"))
        total_caption.setFont(font)
        for value in (self.subtotal, self.gst, self.total):
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.subtotal.setAccessibleName(tr("Subtotal"))
        self.gst.setAccessibleName(tr("GST"))
        self.total.setAccessibleName(tr("Total to pay"))
        form.addRow(tr("Subtotal (credits)"), self.subtotal)
        form.addRow(tr("GST @ {0}").format(percent(gst_rate)), self.gst)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Plain)
        form.addRow(line)
        form.addRow(total_caption, self.total)

    def show_amounts(self, subtotal: int | None, gst: int | None = None) -> None:
        if subtotal is None:
            for label in (self.subtotal, self.gst, self.total):
                label.setText("—")
            return
        tax = gst if gst is not None else gst_on(subtotal, self.gst_rate)
        self.subtotal.setText(inr(subtotal))
        self.gst.setText(inr(tax))
        self.total.setText(inr(subtotal + tax))


class RechargeDialog(FormDialog):
    """'Credits to add' (before GST) -> subtotal, GST, total -> create the recharge."""

    def __init__(
        self,
        session: Session,
        tenant_id: int,
        gst_rate: float,
        *,
        credits_minor: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            session,
            tr("Recharge wallet"),
            tr("Continue to &payment"),
            intro=tr(
                "Credits are priced before GST. You pay the credits plus {0} GST, and your "
                "usable credit rises by exactly the credits you add."
            ).format(percent(gst_rate)),
            parent=parent,
        )
        self.setObjectName("RechargeDialog")
        self.tenant_id = tenant_id
        self.gst_rate = gst_rate
        self.amount = QLineEdit()
        self.amount.setObjectName("CreditsToAdd")
        self.amount.setPlaceholderText(tr("e.g. 5,000"))
        self.amount.setAccessibleName(tr("Credits to add"))
        self.amount.setMaxLength(20)
        self.amount.textChanged.connect(self._update_summary)
        self.add_field(
            "credits",
            tr("C&redits to add (₹)"),
            self.amount,
            help_text=tr("Before GST; from {0} to {1} per recharge.").format(
                inr(MIN_CREDITS_MINOR), inr(MAX_CREDITS_MINOR)
            ),
        )
        presets = QWidget()
        row = QHBoxLayout(presets)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        self.preset_buttons: list[QPushButton] = []
        for rupees in PRESETS_RUPEES:
            text = inr(rupees * 100).removesuffix(".00")
            button = QPushButton(text)
            button.setAutoDefault(False)
            button.setAccessibleName(tr("Add {0}").format(text))
            button.clicked.connect(lambda _c=False, r=rupees: self.amount.setText(f"{r:,}"))
            edits_form(button)
            row.addWidget(button)
            self.preset_buttons.append(button)
        row.addStretch(1)
        self.form.addRow("", presets)
        self.summary = AmountSummary(gst_rate)
        self.layout_.insertWidget(self.layout_.indexOf(self.general_error), self.summary)
        if credits_minor is not None:
            self.amount.setText(f"{credits_minor / 100:,.2f}".removesuffix(".00"))
        self._update_summary()
        self.amount.setFocus()

    def credits_minor(self) -> int | None:
        return parse_rupees(self.amount.text())

    def _update_summary(self) -> None:
        amount = self.credits_minor()
        in_range = amount is not None and MIN_CREDITS_MINOR <= amount <= MAX_CREDITS_MINOR
        self.summary.show_amounts(amount if in_range else None)
        total = self.summary.total.text()
        self.submit_button.setText(
            tr("&Pay {0}…").format(total) if in_range else tr("Continue to &payment")
        )

    def validate(self) -> dict[str, str]:
        amount = self.credits_minor()
        if amount is None:
            return {"credits": tr("Enter the credits to add in rupees, e.g. 5,000.")}
        if not MIN_CREDITS_MINOR <= amount <= MAX_CREDITS_MINOR:
            return {
                "credits": tr("A recharge is between {0} and {1}.").format(
                    inr(MIN_CREDITS_MINOR), inr(MAX_CREDITS_MINOR)
                )
            }
        return {}

    def payload(self) -> int | None:
        return self.credits_minor()

    def busy_text(self) -> str:
        return tr("Creating the recharge…")

    async def perform(self, idempotency_key: str) -> Recharge:
        amount = self.credits_minor()
        assert amount is not None  # validate() ran first
        return await self.session.scope(self.tenant_id).billing.create_recharge(
            Money(amount_minor=amount), idempotency_key=idempotency_key
        )


class RechargeWaitDialog(QDialog):
    """Opens the checkout page and waits for the recharge to be paid or to fail."""

    settled = Signal(object)  # the final Recharge (paid, failed or another end state)
    TRY_AGAIN = 2  # done() code: the user wants a new recharge after a failure

    def __init__(
        self,
        session: Session,
        tenant_id: int,
        recharge: Recharge,
        gst_rate: float,
        *,
        open_checkout: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("RechargeWaitDialog")
        self.session = session
        self.tenant_id = tenant_id
        self.recharge = recharge
        self.setWindowTitle(tr("Waiting for payment"))
        self.setAccessibleName(tr("Waiting for payment"))
        self.setMinimumWidth(460)

        self.heading = QLabel()
        self.heading.setObjectName("StateTitle")
        self.heading.setWordWrap(True)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.summary = AmountSummary(gst_rate)
        self.summary.show_amounts(recharge.subtotal.amount_minor, recharge.gst.amount_minor)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setAccessibleName(tr("Waiting for the payment"))
        self.status = QLabel()
        self.status.setProperty("muted", True)
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status.setAccessibleName(tr("Payment status"))

        self.buttons = QDialogButtonBox()
        # (A child at once: made visible or not before the button box takes it.)
        self.reopen_button = QPushButton(tr("&Open payment page again"), self)
        self.reopen_button.setAccessibleName(tr("Open payment page again"))
        self.reopen_button.setAutoDefault(False)
        self.reopen_button.clicked.connect(self.open_checkout)
        self.reopen_button.setVisible(bool(recharge.checkout_url))
        self.check_button = QPushButton(tr("&Check now"))
        self.check_button.setAccessibleName(tr("Check the payment now"))
        self.check_button.setAutoDefault(False)
        self.check_button.clicked.connect(self.check_now)
        self.try_again_button = QPushButton(tr("&Try again…"))
        self.try_again_button.setAccessibleName(tr("Try the recharge again"))
        self.try_again_button.clicked.connect(lambda: self.done(self.TRY_AGAIN))
        self.close_button = QPushButton(tr("&Stop waiting"))
        self.close_button.setAccessibleName(tr("Stop waiting"))
        self.close_button.clicked.connect(self.reject)
        self.buttons.addButton(self.reopen_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.check_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.try_again_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.close_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.try_again_button.hide()  # after addButton, which shows what it adds

        lay = QVBoxLayout(self)
        lay.setSpacing(10)
        lay.addWidget(self.heading)
        lay.addWidget(self.text)
        lay.addWidget(self.summary)
        lay.addWidget(self.busy)
        lay.addWidget(self.status)
        lay.addWidget(self.buttons)

        self._poll: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._show_pending()
        if open_checkout:
            self.open_checkout()
        self._poll = background(self._poll_until_settled())

    # -- states -----------------------------------------------------------------------

    def _show_pending(self) -> None:
        total = self.recharge.total.format()
        self.heading.setText(tr("Complete the payment in your browser"))
        self.text.setText(
            tr(
                "Pay {0} on the checkout page that opened in your browser. This window "
                "updates by itself when the payment goes through. If you stop waiting, "
                "Billing checks this recharge again the next time you open it."
            ).format(total)
        )
        self.status.setText(tr("Waiting for the payment…"))

    def _show_settled(self, recharge: Recharge) -> None:
        self.busy.hide()
        self.reopen_button.hide()
        self.check_button.hide()
        self.close_button.setText(tr("&Close"))
        self.close_button.setAccessibleName(tr("Close"))
        self.close_button.setDefault(True)
        if recharge.status is RechargeStatus.PAID:
            self.summary.total_caption.setText(tr("Total paid"))
            self.heading.setText(tr("Payment received"))
            self.text.setText(
                tr("{0} of credit was added to your wallet (you paid {1} with GST).").format(
                    recharge.subtotal.format(), recharge.total.format()
                )
            )
            self.status.setText("")
        else:
            self.heading.setText(tr("The payment did not go through"))
            self.text.setText(
                tr("Recharge #{0} failed, so nothing was added to your wallet.").format(recharge.id)
            )
            self.status.setText(tr("You can try again with the same or another amount."))
            self.try_again_button.show()
        self.heading.setAccessibleName(self.heading.text())
        self.close_button.setFocus()
        self.adjustSize()

    # -- actions ----------------------------------------------------------------------

    def open_checkout(self) -> None:
        url = self.recharge.checkout_url
        if url and not downloads.open_url(url):
            self.status.setText(
                tr("The browser could not be opened. Open this address yourself: {0}").format(url)
            )

    def check_now(self) -> None:
        self._wake.set()

    @property
    def is_waiting(self) -> bool:
        return self._poll is not None and not self._poll.done()

    async def _poll_until_settled(self) -> None:
        delay = POLL_INTERVAL_S
        scope = self.session.scope(self.tenant_id)
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)
            self._wake.clear()
            try:
                recharge = await self.session.call(lambda: scope.billing.recharge(self.recharge.id))
            except ApiError as exc:
                delay = min(delay * 2, MAX_POLL_INTERVAL_S)
                # (The id inside the sentence about the failure, once.)
                failure = with_request_id(
                    exc.user_message(reference=False),
                    exc.request_id,
                    tr("{0} (request id {1})"),
                )
                self.status.setText(
                    tr("Could not check the payment: {0} Trying again in {1} s.").format(
                        failure, f"{delay:g}"
                    )
                )
                continue
            delay = POLL_INTERVAL_S
            self.recharge = recharge
            if recharge.status is not RechargeStatus.PENDING:
                self._show_settled(recharge)
                self.settled.emit(recharge)
                return
            self.status.setText(
                tr("Still waiting for the payment (checked at {0}).").format(
                    datetime.now(zone(self.session.timezone)).strftime("%H:%M:%S")
                )
            )

    def done(self, result: int) -> None:
        if self._poll is not None and not self._poll.done():
            self._poll.cancel()
        super().done(result)
