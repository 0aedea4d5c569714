"""Billing: the wallet, what it can still pay for (the GST Breakdown), this month, the plan,
who invoices are made out to, and "Recharge…".

Wallet semantics are the server's: the balance is money paid in, GST included; every charge
is priced before GST and also uses up its GST, so the usable credit is balance / (1 + rate)
and the GST component is the rest. A recharge of N credits costs N + GST and raises the
usable credit by exactly N. The GST Breakdown says this in words and as a split bar.

A recharge sent to checkout is remembered (settings, per account and workspace) until it is
seen paid or failed, and checked on every visit: closing the waiting dialog, or the whole
console, never loses a payment.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QMargins, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPaintEvent, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from callaro_desktop.api.errors import ApiError, NotFound
from callaro_desktop.api.models import BillingEntity, BillingOverview, Money, Recharge
from callaro_desktop.api.models import RechargeStatus as Status
from callaro_desktop.i18n import tr
from callaro_desktop.services import gstin
from callaro_desktop.services.formatting import format_money
from callaro_desktop.services.tasks import background
from callaro_desktop.settings import save as save_settings
from callaro_desktop.settings import tenant_key
from callaro_desktop.views import theme
from callaro_desktop.views.dialogs.billing_entity import BillingEntityDialog
from callaro_desktop.views.dialogs.common import run_dialog
from callaro_desktop.views.dialogs.confirm import confirm
from callaro_desktop.views.dialogs.form import run_form
from callaro_desktop.views.dialogs.recharge import RechargeDialog, RechargeWaitDialog, percent
from callaro_desktop.views.pages.base import Page
from callaro_desktop.views.widgets.cards import Card, StatCard
from callaro_desktop.views.widgets.scroll import scroll_area

if TYPE_CHECKING:
    from callaro_desktop.api.client import TenantClient
    from callaro_desktop.services.session import Session

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
WIDE_LAYOUT_PX = 900
STATS_SPACING = 14


@dataclass(frozen=True)
class BillingData:
    overview: BillingOverview
    entity: BillingEntity


def _month_total(overview: BillingOverview) -> Money:
    month = overview.month
    parts = (month.voice, month.knowledge_base, month.analysis)
    return Money(amount_minor=sum(p.amount_minor for p in parts if p is not None))


class SplitBar(QWidget):
    """One bar, two shares: usable credit and the GST set aside, in palette colours."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.share: float | None = None  # of the first part; None: nothing to split
        self.setFixedHeight(12)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_share(self, share: float | None) -> None:
        self.share = None if share is None else max(0.0, min(1.0, share))
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(200, 12)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect())
        clip = QPainterPath()
        clip.addRoundedRect(rect, 6, 6)
        painter.setClipPath(clip)
        if self.share is None:
            painter.fillRect(rect, QColor(theme.tokens().border))
            return
        painter.fillRect(rect, QColor(theme.tokens().warning))
        first = QRectF(rect.left(), rect.top(), rect.width() * self.share, rect.height())
        painter.fillRect(first, self.palette().color(QPalette.ColorRole.Highlight))


def _value_label(name: str, *, bold: bool = False) -> QLabel:
    label = QLabel("—")
    label.setAlignment(RIGHT)
    label.setAccessibleName(name)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if bold:
        font = label.font()
        font.setBold(True)
        label.setFont(font)
    return label


def _caption(text: str, *, bold: bool = False) -> QLabel:
    label = QLabel(text)
    if bold:
        font = label.font()
        font.setBold(True)
        label.setFont(font)
    return label


def _muted(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setProperty("muted", True)
    label.setWordWrap(True)
    return label


class BillingPage(Page):
    page_id = "billing"

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.data: BillingData | None = None

        self.recharge_button = QPushButton(tr("&Recharge…"))
        self.recharge_button.setObjectName("RechargeButton")
        self.recharge_button.setAccessibleName(tr("Recharge wallet"))
        self.recharge_button.setToolTip(tr("Add credits to the wallet (Alt+R)"))
        self.recharge_button.setProperty("primary", True)
        self.recharge_button.setEnabled(False)
        self.recharge_button.clicked.connect(lambda: self.start_recharge())
        self.actions_bar.addWidget(self.recharge_button)

        # -- pending recharge banner --
        self.pending_banner = QFrame()
        self.pending_banner.setObjectName("Card")
        self.pending_banner.setAccessibleName(tr("Recharge waiting for payment"))
        self.pending_text = QLabel()
        self.pending_text.setWordWrap(True)
        self.pending_continue = QPushButton(tr("&Continue payment…"))
        self.pending_continue.setAccessibleName(tr("Continue payment"))
        self.pending_continue.clicked.connect(self.continue_pending)
        self.pending_check = QPushButton(tr("Check &status"))
        self.pending_check.setAccessibleName(tr("Check payment status"))
        self.pending_check.clicked.connect(self.check_pending)
        self.pending_discard = QPushButton(tr("&Discard"))
        self.pending_discard.setAccessibleName(tr("Stop tracking this recharge"))
        self.pending_discard.setToolTip(
            tr("Stop checking this recharge. It is not paid unless you finish the checkout.")
        )
        self.pending_discard.clicked.connect(self.discard_pending)
        banner = QHBoxLayout(self.pending_banner)
        banner.setContentsMargins(16, 10, 12, 10)
        banner.addWidget(self.pending_text, 1)
        for button in (self.pending_continue, self.pending_check, self.pending_discard):
            banner.addWidget(button)
        self.pending_banner.hide()
        self.pending: Recharge | None = None

        # -- headline numbers --
        self.balance = StatCard(tr("Wallet balance"))
        self.usable = StatCard(tr("Usable credit"))
        self.month_spent = StatCard(tr("Spent this month"))
        self.plan = StatCard(tr("Plan"))

        # -- GST Breakdown --
        self.gst = Card(tr("GST Breakdown"))
        self.gst_balance = _value_label(tr("Wallet balance, including GST"))
        self.gst_rate = _value_label(tr("GST rate"))
        self.gst_component = _value_label(tr("GST component"))
        self.gst_usable = _value_label(tr("Usable credit"), bold=True)
        gst_form = QFormLayout()
        gst_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        gst_form.addRow(tr("Wallet balance (including GST)"), self.gst_balance)
        gst_form.addRow(tr("GST rate"), self.gst_rate)
        gst_form.addRow(tr("GST component"), self.gst_component)
        gst_form.addRow(_caption(tr("Usable credit"), bold=True), self.gst_usable)
        self.split = SplitBar()
        self.split.setAccessibleName(tr("Usable credit and GST shares of the balance"))
        legend = QHBoxLayout()
        self.split_usable = _muted()
        self.split_gst = _muted()
        self.split_usable.setWordWrap(False)
        self.split_gst.setWordWrap(False)
        self.split_gst.setAlignment(RIGHT)
        legend.addWidget(self.split_usable)
        legend.addStretch(1)
        legend.addWidget(self.split_gst)
        self.gst_note = _muted()
        self.gst.layout_.addLayout(gst_form)
        self.gst.layout_.addSpacing(4)
        self.gst.layout_.addWidget(self.split)
        self.gst.layout_.addLayout(legend)
        self.gst.layout_.addWidget(self.gst_note)

        # -- this month --
        self.month = Card(tr("This month"))
        self.voice = _value_label(tr("Voice"))
        self.kb = _value_label(tr("Knowledge base"))
        self.analysis = _value_label(tr("Analysis"))
        self.month_total = _value_label(tr("Total before GST"), bold=True)
        self.pulses = _value_label(tr("Pulses"))
        month_form = QFormLayout()
        month_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        month_form.addRow(tr("Voice"), self.voice)
        month_form.addRow(tr("Knowledge base"), self.kb)
        month_form.addRow(tr("Analysis"), self.analysis)
        month_form.addRow(_caption(tr("Total before GST"), bold=True), self.month_total)
        pulses_caption = QLabel(tr("Pulses"))
        pulses_caption.setToolTip(tr("Billed call minutes, 60 seconds each"))
        month_form.addRow(pulses_caption, self.pulses)
        self.usage_button = QPushButton(tr("View &usage"))
        self.usage_button.setAccessibleName(tr("View usage"))
        self.usage_button.clicked.connect(lambda: self._go("usage"))
        self.invoices_button = QPushButton(tr("&Invoices"))
        self.invoices_button.setAccessibleName(tr("View invoices"))
        self.invoices_button.clicked.connect(lambda: self._go("invoices"))
        links = QHBoxLayout()
        links.addWidget(self.usage_button)
        links.addWidget(self.invoices_button)
        links.addStretch(1)
        self.month.layout_.addLayout(month_form)
        self.month.layout_.addStretch(1)
        self.month.layout_.addLayout(links)

        # -- billing details --
        self.entity = Card(tr("Billing details"))
        self.entity_name = QLabel()
        self.entity_address = QLabel()
        self.entity_email = QLabel()
        self.entity_gstin = QLabel()
        entity_form = QFormLayout()
        for caption, label in (
            (tr("Legal name"), self.entity_name),
            (tr("Address"), self.entity_address),
            (tr("Email for invoices"), self.entity_email),
            (tr("GSTIN"), self.entity_gstin),
        ):
            label.setWordWrap(True)
            label.setAccessibleName(caption)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            entity_form.addRow(caption, label)
        self.edit_entity_button = QPushButton(tr("&Edit billing details…"))
        self.edit_entity_button.setAccessibleName(tr("Edit billing details"))
        self.edit_entity_button.clicked.connect(self.edit_entity)
        # Under the details, not beside them: beside, a long address or email left the card
        # wider than a narrow window (it scrolled sideways, the GST figures cut off).
        self.entity.layout_.addLayout(entity_form)
        self.entity.layout_.addSpacing(4)
        self.entity.layout_.addWidget(self.edit_entity_button, 0, Qt.AlignmentFlag.AlignLeft)

        # Box layouts whose direction flips with the width (resizeEvent): four headline
        # cards in a row or two by two, the two detail cards side by side or stacked.
        # (Or one above the other when even two side by side do not fit: a narrow window, a
        # large balance.)
        self.stats_row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.stats_row.setSpacing(STATS_SPACING)
        self._pairs = ((self.balance, self.usable), (self.month_spent, self.plan))
        self._halves: list[QBoxLayout] = []
        for pair in self._pairs:
            half = QBoxLayout(QBoxLayout.Direction.LeftToRight)
            half.setSpacing(STATS_SPACING)
            for card in pair:
                half.addWidget(card, 1)
            self.stats_row.addLayout(half, 1)
            self._halves.append(half)
        self.detail_row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.detail_row.setSpacing(14)
        self.detail_row.addWidget(self.gst, 1)
        self.detail_row.addWidget(self.month, 1)

        content = QWidget()
        content.setObjectName("BillingContent")
        lay = QVBoxLayout(content)
        lay.setContentsMargins(0, 0, 4, 0)
        lay.setSpacing(14)
        lay.addWidget(self.pending_banner)
        lay.addLayout(self.stats_row)
        lay.addLayout(self.detail_row)
        lay.addWidget(self.entity)
        lay.addStretch(1)
        outer = QVBoxLayout(self.body)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll_area(content))
        self.session.tenant_changed.connect(self._forget_tenant)

    @classmethod
    def title(cls) -> str:
        return tr("Billing")

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._arrange()

    def _arrange(self) -> None:
        """Lay the cards out for the page's width and what they hold."""
        across, down = QBoxLayout.Direction.LeftToRight, QBoxLayout.Direction.TopToBottom
        wide = self.width() >= WIDE_LAYOUT_PX
        # From the page's own width (the body's is not laid out yet on a first show), less
        # its margins, the scroll bar and the content's right margin.
        outer = self.layout()
        margins = outer.contentsMargins() if outer is not None else QMargins()
        bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        room = self.width() - margins.left() - margins.right() - bar - 4
        pair = max(
            sum(card.minimumSizeHint().width() for card in cards) + STATS_SPACING
            for cards in self._pairs
        )
        self.stats_row.setDirection(across if wide and 2 * pair + STATS_SPACING <= room else down)
        for half in self._halves:
            half.setDirection(across if pair <= room else down)
        self.detail_row.setDirection(across if wide else down)

    @classmethod
    def subtitle(cls) -> str:
        return tr("Your wallet, what it can still pay for, and this month's costs.")

    # -- loading ----------------------------------------------------------------------

    async def fetch(self, scope: TenantClient) -> BillingData:
        overview, entity = await asyncio.gather(scope.billing.overview(), scope.billing.entity())
        return BillingData(overview, entity)

    def present(self, data: BillingData) -> None:
        self.data = data
        o = data.overview
        rate = percent(o.gst_rate)
        balance = o.balance.amount_minor
        self.balance.set(format_money(o.balance), tr("including GST"))
        self.usable.set(
            format_money(o.usable_credit),
            tr("excluding GST") if balance > 0 else tr("empty: recharge to make calls"),
        )
        self.month_spent.set(format_money(_month_total(o)), tr("before GST"))
        self.plan.set(
            o.plan.name if o.plan else "—", tr("{0} pulses this month").format(f"{o.pulses:,}")
        )
        self.gst_balance.setText(format_money(o.balance))
        self.gst_rate.setText(rate)
        self.gst_component.setText(format_money(o.gst_component))
        self.gst_usable.setText(format_money(o.usable_credit))
        self.split.set_share(o.usable_credit.amount_minor / balance if balance > 0 else None)
        self.split_usable.setText(tr("Usable credit {0}").format(format_money(o.usable_credit)))
        self.split_gst.setText(tr("GST {0}").format(format_money(o.gst_component)))
        divisor = f"{1 + o.gst_rate:g}"
        self.gst_note.setText(
            tr(
                "Your wallet holds money including GST. Charges are priced before GST and each "
                "also uses {0} GST, so the credit you can spend is the balance ÷ {1}. "
                "Recharging {2} of credits costs {3} and raises usable credit by {2}."
            ).format(
                rate,
                divisor,
                Money(amount_minor=1_000_00).format(),
                Money(amount_minor=1_000_00 + round(1_000_00 * o.gst_rate)).format(),
            )
        )
        self.voice.setText(format_money(o.month.voice))
        self.kb.setText(format_money(o.month.knowledge_base))
        self.analysis.setText(format_money(o.month.analysis))
        self.month_total.setText(format_money(_month_total(o)))
        self.pulses.setText(f"{o.pulses:,}")
        self._present_entity(data.entity)
        self.recharge_button.setEnabled(True)
        self._arrange()  # (the figures decide whether two cards fit side by side)

    def _present_entity(self, entity: BillingEntity) -> None:
        not_set = tr("Not set")
        self.entity_name.setText(entity.legal_name or not_set)
        self.entity_address.setText(entity.address or not_set)
        self.entity_email.setText(entity.email or not_set)
        if entity.gstin:
            state = gstin.state_name(entity.gstin)
            text = f"{entity.gstin} · {state}" if state else entity.gstin
        else:
            text = tr("Not registered (invoices are issued without a buyer GSTIN)")
        self.entity_gstin.setText(text)
        if entity.legal_name:
            self.edit_entity_button.setText(tr("&Edit billing details…"))
        else:
            self.edit_entity_button.setText(tr("&Add billing details…"))

    def activate(self) -> None:
        super().activate()
        self.check_pending()

    def open_primary_action(self) -> None:
        self.start_recharge()

    def reload(self) -> None:
        super().reload()
        self.check_pending()

    def _forget_tenant(self, _tenant: object) -> None:
        self.data = None
        self.pending = None
        self.pending_banner.hide()
        self.recharge_button.setEnabled(False)

    def _go(self, page_id: str) -> None:
        navigate = getattr(self.window(), "navigate", None)
        if callable(navigate):
            navigate(page_id)

    # -- billing details --------------------------------------------------------------

    def edit_entity(self) -> None:
        if self.data is not None and self.tenant_id is not None:
            background(self._edit_entity(self.tenant_id, self.data.entity))

    async def _edit_entity(self, tenant_id: int, entity: BillingEntity) -> None:
        name = self.session.tenant.name if self.session.tenant else ""
        dialog = BillingEntityDialog(self.session, tenant_id, entity, tenant_name=name, parent=self)
        saved = await run_form(dialog)
        if isinstance(saved, BillingEntity) and self.tenant_id == tenant_id:
            if self.data is not None:
                self.data = BillingData(self.data.overview, saved)
            self._present_entity(saved)
            self.session.messages.info(tr("Billing details saved."))

    # -- recharges --------------------------------------------------------------------

    def _pending_key(self, tenant_id: int) -> str:
        return tenant_key(self.session.account, tenant_id)

    def pending_ids(self, tenant_id: int) -> list[int]:
        return list(self.session.settings.pending_recharges.get(self._pending_key(tenant_id), []))

    def _set_pending_ids(self, tenant_id: int, ids: list[int]) -> None:
        settings = self.session.settings
        table = dict(settings.pending_recharges)
        key = self._pending_key(tenant_id)
        if ids:
            table[key] = ids
        else:
            table.pop(key, None)
        settings.pending_recharges = table
        # On a failed write the ids stay in memory for this run; the next visit checks them.
        with contextlib.suppress(OSError):
            save_settings(settings)

    def remember_pending(self, tenant_id: int, recharge_id: int) -> None:
        ids = [i for i in self.pending_ids(tenant_id) if i != recharge_id]
        self._set_pending_ids(tenant_id, [*ids, recharge_id])

    def forget_pending(self, tenant_id: int, recharge_id: int) -> None:
        self._set_pending_ids(
            tenant_id, [i for i in self.pending_ids(tenant_id) if i != recharge_id]
        )

    def gst_rate_value(self) -> float:
        return self.data.overview.gst_rate if self.data is not None else 0.18

    def start_recharge(self, credits_minor: int | None = None) -> None:
        if self.tenant_id is not None and self.data is not None:
            background(self._recharge(self.tenant_id, credits_minor))

    async def _recharge(self, tenant_id: int, credits_minor: int | None) -> None:
        dialog = RechargeDialog(
            self.session,
            tenant_id,
            self.gst_rate_value(),
            credits_minor=credits_minor,
            parent=self,
        )
        if self.session.tenant is not None:
            dialog.setWindowTitle(tr("Recharge wallet — {0}").format(self.session.tenant.name))
        recharge = await run_form(dialog)
        if not isinstance(recharge, Recharge):
            return
        self.remember_pending(tenant_id, recharge.id)
        await self._wait(tenant_id, recharge, open_checkout=True)

    async def _wait(self, tenant_id: int, recharge: Recharge, *, open_checkout: bool) -> None:
        dialog = RechargeWaitDialog(
            self.session,
            tenant_id,
            recharge,
            self.gst_rate_value(),
            open_checkout=open_checkout,
            parent=self,
        )
        dialog.settled.connect(lambda r: self._settled(tenant_id, r))
        try:
            result = await run_dialog(dialog)
            last = dialog.recharge
        finally:
            dialog.deleteLater()
        if result == RechargeWaitDialog.TRY_AGAIN:
            self.start_recharge(last.subtotal.amount_minor)
        elif last.status is Status.PENDING and self.tenant_id == tenant_id:
            self._show_pending(last)

    def _settled(self, tenant_id: int, recharge: Recharge) -> None:
        self.forget_pending(tenant_id, recharge.id)
        if self.pending is not None and self.pending.id == recharge.id:
            self.pending = None
            self.pending_banner.hide()
        if recharge.status is Status.PAID:
            self.session.messages.info(
                tr("Recharge paid: {0} of credit added to the wallet.").format(
                    recharge.subtotal.format()
                )
            )
            if self.session.tenant_id == tenant_id:
                Page.reload(self)

    def check_pending(self) -> None:
        tenant_id = self.tenant_id
        if tenant_id is None:
            return
        ids = self.pending_ids(tenant_id)
        if not ids:
            self.pending = None
            self.pending_banner.hide()
            return
        self.session.tasks.run(("billing-pending", tenant_id), self._check(tenant_id, ids))

    async def _check(self, tenant_id: int, ids: list[int]) -> None:
        scope = self.session.scope(tenant_id)
        waiting: list[Recharge] = []
        problem: ApiError | None = None
        for recharge_id in ids:
            try:
                recharge = await self.session.call(
                    lambda rid=recharge_id: scope.billing.recharge(rid)  # type: ignore[misc]
                )
            except NotFound:
                self.forget_pending(tenant_id, recharge_id)
                continue
            except ApiError as exc:
                problem = exc
                continue
            if recharge.status is Status.PENDING:
                waiting.append(recharge)
            else:
                self._settled(tenant_id, recharge)
                if recharge.status is not Status.PAID:
                    self.session.messages.warning(
                        tr("Recharge #{0} of {1} failed; nothing was added to the wallet.").format(
                            recharge.id, recharge.total.format()
                        )
                    )
        if self.session.tenant_id != tenant_id:
            return
        if waiting:
            self._show_pending(waiting[-1], len(waiting))
        elif problem is not None:
            self.pending_text.setText(
                tr(
                    "A recharge is waiting for payment, but its status could not be checked: {0}"
                ).format(problem.user_message())
            )
            self.pending_banner.show()
        else:
            self.pending = None
            self.pending_banner.hide()

    def _show_pending(self, recharge: Recharge, count: int = 1) -> None:
        self.pending = recharge
        text = tr(
            "Recharge #{0} of {1} ({2} with GST) is waiting for payment. Finish the checkout "
            "in your browser; the credits are added as soon as it is paid."
        ).format(recharge.id, recharge.subtotal.format(), recharge.total.format())
        if count > 1:
            text += " " + tr("{0} more recharges are also waiting.").format(count - 1)
        self.pending_text.setText(text)
        self.pending_continue.setVisible(bool(recharge.checkout_url))
        self.pending_banner.show()

    def continue_pending(self) -> None:
        if self.pending is not None and self.tenant_id is not None:
            background(self._wait(self.tenant_id, self.pending, open_checkout=True))

    def discard_pending(self) -> None:
        if self.pending is not None and self.tenant_id is not None:
            background(self._discard(self.tenant_id, self.pending))

    async def _discard(self, tenant_id: int, recharge: Recharge) -> None:
        tenant = self.session.tenant.name if self.session.tenant else ""
        agreed = await confirm(
            self,
            tr("Stop tracking recharge #{0}?").format(recharge.id),
            tr(
                "Billing will stop checking recharge #{0} of {1} for {2}. If you still finish "
                "its checkout, the credits are added all the same."
            ).format(recharge.id, recharge.total.format(), tenant),
            tr("Stop tracking"),
            destructive=False,
        )
        if agreed:
            self.forget_pending(tenant_id, recharge.id)
            self.check_pending()
