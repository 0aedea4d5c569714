"""Billing: wallet balance, usable credit and its GST Breakdown, this month's costs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFormLayout, QGridLayout, QLabel, QVBoxLayout, QWidget

from callaro_desktop.api.models import BillingOverview
from callaro_desktop.i18n import tr
from callaro_desktop.services.formatting import format_money
from callaro_desktop.views.pages.base import Page
from callaro_desktop.views.widgets.cards import Card, StatCard

if TYPE_CHECKING:
    from callaro_desktop.api.client import TenantClient
    from callaro_desktop.services.session import Session


class BillingPage(Page):
    page_id = "billing"

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.balance = StatCard(tr("Wallet balance"))
        self.usable = StatCard(tr("Usable credit (excluding GST)"))
        self.plan = StatCard(tr("Plan"))
        grid = QGridLayout()
        grid.setSpacing(14)
        grid.addWidget(self.balance, 0, 0)
        grid.addWidget(self.usable, 0, 1)
        grid.addWidget(self.plan, 0, 2)

        self.gst = Card(tr("GST Breakdown"))
        gst_form = QFormLayout()
        self.gst_rate = QLabel()
        self.gst_component = QLabel()
        self.gst_usable = QLabel()
        gst_form.addRow(tr("GST rate"), self.gst_rate)
        gst_form.addRow(tr("GST component"), self.gst_component)
        gst_form.addRow(tr("Usable credit"), self.gst_usable)
        self.gst.layout_.addLayout(gst_form)

        self.month = Card(tr("This month"))
        month_form = QFormLayout()
        self.voice = QLabel()
        self.kb = QLabel()
        self.analysis = QLabel()
        self.pulses = QLabel()
        month_form.addRow(tr("Voice"), self.voice)
        month_form.addRow(tr("Knowledge base"), self.kb)
        month_form.addRow(tr("Analysis"), self.analysis)
        month_form.addRow(tr("Pulses"), self.pulses)
        self.month.layout_.addLayout(month_form)
        grid.addWidget(self.gst, 1, 0, 1, 2)
        grid.addWidget(self.month, 1, 2)

        lay = QVBoxLayout(self.body)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(grid)
        lay.addStretch(1)

    @classmethod
    def title(cls) -> str:
        return tr("Billing")

    @classmethod
    def subtitle(cls) -> str:
        return tr("Your wallet, what it can still pay for, and this month's costs.")

    async def fetch(self, scope: TenantClient) -> BillingOverview:
        return await scope.billing.overview()

    def present(self, data: BillingOverview) -> None:
        self.balance.set(format_money(data.balance))
        self.usable.set(format_money(data.usable_credit), tr("after GST is set aside"))
        self.plan.set(data.plan.name if data.plan else "—")
        self.gst_rate.setText(f"{data.gst_rate * 100:g}%")
        self.gst_component.setText(format_money(data.gst_component))
        self.gst_usable.setText(format_money(data.usable_credit))
        self.voice.setText(format_money(data.month.voice))
        self.kb.setText(format_money(data.month.knowledge_base))
        self.analysis.setText(format_money(data.month.analysis))
        self.pulses.setText(f"{data.pulses:,}")
