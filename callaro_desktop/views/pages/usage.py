"""Billing → Usage: what was charged, by day and category, for a chosen range.

A date range (presets or custom) and a category filter drive three views of the same
events: the totals, a stacked bar chart of charged cost per day (or the same numbers as a
table), and the event log, which loads a page at a time as it scrolls, so a year of a busy
tenant's events costs one page until someone scrolls. "Export CSV…" writes every event of
the filtered range. Costs are before GST; days are UTC calendar days, as the server bills.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from callaro_desktop.api.models import Money, UsageCategory, UsageEvent, UsageSummary
from callaro_desktop.api.pages import Page as ApiPage
from callaro_desktop.api.pages import Pager
from callaro_desktop.i18n import tr
from callaro_desktop.services.export import CsvColumn, export_csv
from callaro_desktop.services.formatting import format_money, zone
from callaro_desktop.services.tasks import background
from callaro_desktop.views.dialogs.files import choose_save_path
from callaro_desktop.views.pages.list_page import ListPage, when_column
from callaro_desktop.views.widgets.flow import flow_widget
from callaro_desktop.views.widgets.lazy_table import Column
from callaro_desktop.views.widgets.scroll import scroll_area
from callaro_desktop.views.widgets.transfer_bar import TransferBar
from callaro_desktop.views.widgets.usage_chart import Bar, ChartPanel, Series, Swatch

if TYPE_CHECKING:
    from callaro_desktop.api.client import TenantClient
    from callaro_desktop.services.session import Session

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter

# Category -> (label, colour slot). The slot stays with the category, so filtering to one
# category keeps its colour.
CATEGORIES: dict[str, tuple[str, int]] = {
    UsageCategory.CALL.value: ("Calls", 0),
    UsageCategory.KB_IMPORT.value: ("Knowledge-base imports", 1),
    UsageCategory.FILE_EXTRACTION.value: ("File extraction", 2),
}
PRESETS = ("this_month", "last_month", "last_30_days", "last_12_months", "custom")
# The server draws a daily series for at most this many days; longer ranges go by month.
MAX_DAILY_DAYS = 731
# Past this many days a daily chart marks month starts instead of days.
LONG_RANGE_DAYS = 92


def category_label(category: str) -> str:
    return tr(CATEGORIES[category][0]) if category in CATEGORIES else category


def preset_label(preset: str) -> str:
    return {
        "this_month": tr("This month"),
        "last_month": tr("Last month"),
        "last_30_days": tr("Last 30 days"),
        "last_12_months": tr("Last 12 months"),
        "custom": tr("Custom range"),
    }[preset]


def preset_range(preset: str, today: date) -> tuple[date, date]:
    """The inclusive days a preset covers, ending today (or last month's last day)."""
    if preset == "this_month":
        return today.replace(day=1), today
    if preset == "last_month":
        end = today.replace(day=1) - timedelta(days=1)
        return end.replace(day=1), end
    if preset == "last_12_months":
        return today - timedelta(days=364), today
    return today - timedelta(days=29), today


def whole_rupees(amount_minor: int) -> str:
    """Axis labels: ₹12,500 (whole rupees, Indian grouping)."""
    return Money(amount_minor=amount_minor - amount_minor % 100).format().removesuffix(".00")


def money(amount_minor: int) -> str:
    return Money(amount_minor=amount_minor).format()


def unit_text(unit: str | None, quantity: float) -> str:
    """The server's unit in words: 'min', '1 document', '12 documents', '93 pages'."""
    one = quantity == 1
    words = {
        "min": tr("min"),
        "document": tr("document") if one else tr("documents"),
        "page": tr("page") if one else tr("pages"),
    }
    return words.get(unit or "", unit or "")


def quantity_text(quantity: float, unit: str | None) -> str:
    amount = f"{quantity:,.0f}" if float(quantity).is_integer() else f"{quantity:,.2f}"
    return f"{amount} {unit_text(unit, quantity)}".strip()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "workspace"


@dataclass(frozen=True)
class Query:
    start: date
    end: date
    category: str | None

    @property
    def group_by(self) -> str:
        return "day" if (self.end - self.start).days + 1 <= MAX_DAILY_DAYS else "month"


@dataclass(frozen=True)
class UsageData:
    listing: tuple[Pager[UsageEvent] | None, ApiPage[UsageEvent], int]
    summary: UsageSummary
    query: Query


def _axis_label(day: date, index: int, query: Query) -> str:
    """Day marks for short ranges; for long ones only month starts, with the year in January."""
    if query.group_by == "month":
        return day.strftime("%b %Y" if day.month == 1 or index == 0 else "%b")
    if (query.end - query.start).days < LONG_RANGE_DAYS:
        return day.strftime("%d %b")
    if day.day != 1:
        return ""
    return day.strftime("%b %Y" if day.month == 1 else "%b")


@dataclass(frozen=True)
class ChartData:
    series: list[Series]
    bars: list[Bar]
    total_minor: int
    summary: str


def chart_data(summary: UsageSummary, query: Query) -> ChartData:
    """The summary's dense series as stacked bars, filtered to the chosen category."""
    keys = [query.category] if query.category else list(CATEGORIES)
    series = [Series(k, category_label(k), CATEGORIES[k][1]) for k in keys if k in CATEGORIES]
    by_date: dict[date, dict[str, int]] = {}
    for point in summary.series:
        slot = by_date.setdefault(point.date, {})
        key = point.category.value
        slot[key] = slot.get(key, 0) + point.charged_cost.amount_minor
    monthly = query.group_by == "month"
    days = sorted(by_date)
    bars = [
        Bar(
            label=_axis_label(day, index, query),
            title=day.strftime("%B %Y" if monthly else "%a %d %b %Y"),
            values=tuple(by_date[day].get(s.key, 0) for s in series),
        )
        for index, day in enumerate(days)
    ]
    total = sum(bar.total for bar in bars)
    unit = tr("month") if monthly else tr("day")
    text = tr("Charged cost by {0}, {1} to {2}: {3} before GST.").format(
        unit, query.start.strftime("%d %b %Y"), query.end.strftime("%d %b %Y"), money(total)
    )
    if total:
        peak = max(bars, key=lambda b: b.total)
        text += " " + tr("Highest: {0}, {1}.").format(peak.title, money(peak.total))
    return ChartData(series, bars, total, text)


class TotalChip(QWidget):
    """One category's total: colour, name, cost, and how much of what."""

    def __init__(self, category: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        label, slot = CATEGORIES[category]
        self.category = category
        self.name = QLabel(tr(label))
        self.name.setProperty("muted", True)
        self.cost = QLabel("—")
        font = self.cost.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.cost.setFont(font)
        self.detail = QLabel()
        self.detail.setProperty("muted", True)
        top = QHBoxLayout()
        top.setSpacing(6)
        top.addWidget(Swatch(slot), 0, Qt.AlignmentFlag.AlignVCenter)
        top.addWidget(self.name)
        top.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addLayout(top)
        lay.addWidget(self.cost)
        lay.addWidget(self.detail)
        self.setAccessibleName(tr(label))

    def show_total(self, cost_minor: int, quantity: float, unit: str | None, events: int) -> None:
        self.cost.setText(money(cost_minor))
        self.detail.setText(
            tr("{0} · {1} events").format(quantity_text(quantity, unit), f"{events:,}")
        )
        self.setAccessibleDescription(f"{self.cost.text()}, {self.detail.text()}")


class UsagePage(ListPage[UsageEvent]):
    page_id = "usage"
    firm_columns = (4,)  # the amount charged, never cut short
    filler_column = 2  # Description

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.data: UsageData | None = None

        # -- filters --
        self.range = QComboBox()
        self.range.setObjectName("UsageRange")
        self.range.setAccessibleName(tr("Date range"))
        for preset in PRESETS:
            self.range.addItem(preset_label(preset), preset)
        self.date_from = self._date_edit(tr("From date"))
        self.date_to = self._date_edit(tr("To date"))
        self.category = QComboBox()
        self.category.setObjectName("UsageCategory")
        self.category.setAccessibleName(tr("Category"))
        self.category.addItem(tr("All categories"), None)
        for key in CATEGORIES:
            self.category.addItem(category_label(key), key)
        range_label = QLabel(tr("&Range"))
        range_label.setBuddy(self.range)
        dash = QLabel("–")
        category_label_ = QLabel(tr("Ca&tegory"))
        category_label_.setBuddy(self.category)
        # Three groups that wrap as one when the page is narrow (a label keeps its field).
        self.filters.addWidget(
            flow_widget(
                _group(range_label, self.range),
                _group(self.date_from, dash, self.date_to),
                _group(category_label_, self.category),
            ),
            1,
        )
        self._apply_preset(reload=False)
        self.range.currentIndexChanged.connect(lambda _i: self._apply_preset())
        self.date_from.dateChanged.connect(self._dates_edited)
        self.date_to.dateChanged.connect(self._dates_edited)
        self.category.currentIndexChanged.connect(lambda _i: self.reload())

        # -- export --
        self.transfer = TransferBar()
        self.transfer.succeeded.connect(self.session.messages.info)
        self.export_button = QPushButton(tr("&Export CSV…"))
        self.export_button.setObjectName("ExportUsage")
        self.export_button.setAccessibleName(tr("Export CSV"))
        self.export_button.setToolTip(tr("Every event of the chosen range and category"))
        self.export_button.clicked.connect(self.export)
        self.actions_bar.addWidget(self.export_button)

        # -- totals and chart --
        self.chart_title = QLabel()
        self.chart_title.setProperty("muted", True)
        self.panel = ChartPanel(money, whole_rupees, min_step=100)
        self.panel.chart.setObjectName("UsageChart")
        self.panel.chart.setAccessibleName(tr("Usage chart"))
        self.panel.chart.empty_text = tr("No charges in this range")
        self.total = QLabel("—")
        self.total.setObjectName("UsageTotal")
        font = self.total.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.6)
        self.total.setFont(font)
        self.total.setAccessibleName(tr("Total charged"))
        self.total_detail = QLabel()
        self.total_detail.setProperty("muted", True)
        total_box = QVBoxLayout()
        total_box.setSpacing(2)
        total_caption = QLabel(tr("Total charged (before GST)"))
        total_caption.setProperty("muted", True)
        total_box.addWidget(total_caption)
        total_box.addWidget(self.total)
        total_box.addWidget(self.total_detail)
        self.chips = {key: TotalChip(key) for key in CATEGORIES}
        total_holder = QWidget()
        total_holder.setLayout(total_box)
        total_box.setContentsMargins(0, 0, 0, 0)
        totals = flow_widget(total_holder, *self.chips.values(), spacing=18, row_gap=10)
        self.chart_title.setWordWrap(True)
        footer = QHBoxLayout()
        footer.addWidget(self.chart_title, 1)
        footer.addWidget(self.panel.switch)
        self.chart_card = QFrame()
        self.chart_card.setObjectName("Card")
        self.chart_card.setAccessibleName(tr("Usage totals and chart"))
        card = QVBoxLayout(self.chart_card)
        card.setContentsMargins(18, 14, 18, 12)
        card.setSpacing(10)
        card.addWidget(totals)
        card.addWidget(self.panel, 1)
        card.addLayout(footer)

        # The chart above the event log, the split adjustable.
        body = self.body.layout()
        assert isinstance(body, QVBoxLayout)
        body.removeWidget(self.table)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.chart_card)
        self.splitter.addWidget(self.table)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        # In a window too short for the totals, the chart and some of the log, the two scroll
        # together rather than overlap; otherwise the scroll area is never seen.
        body.addWidget(scroll_area(self.splitter), 1)
        # Its own row under the filters: a failure's text and request id need the width.
        body.insertWidget(1, self.transfer)
        self.table.setMinimumHeight(100)
        header_view = self.table.horizontalHeader()
        # Description takes what is left of a wide table (filler_column); in a narrow one it
        # shares the room with When and Category, and the amount stays whole.
        header_view.setStretchLastSection(False)
        for column, width in enumerate((160, 170, 240, 110, 150)):
            header_view.resizeSection(column, width)

    def _date_edit(self, name: str) -> QDateEdit:
        edit = QDateEdit()
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("dd MMM yyyy")
        edit.setAccessibleName(name)
        edit.setMinimumDate(QDate(2000, 1, 1))
        return edit

    @classmethod
    def title(cls) -> str:
        return tr("Usage")

    @classmethod
    def subtitle(cls) -> str:
        return tr("What your workspace was charged, by day and category, before GST.")

    # -- filters ----------------------------------------------------------------------

    def today(self) -> date:
        return datetime.now(zone(self.session.timezone)).date()

    def _apply_preset(self, *, reload: bool = True) -> None:
        preset = self.range.currentData()
        if preset == "custom":
            return
        start, end = preset_range(str(preset), self.today())
        for edit, day in ((self.date_from, start), (self.date_to, end)):
            edit.blockSignals(True)
            edit.setDate(QDate(day.year, day.month, day.day))
            edit.blockSignals(False)
        if reload:
            self.reload()

    def reload(self) -> None:
        # A preset is relative to today: recompute it, so a console left open overnight
        # shows the new day on F5.
        self._apply_preset(reload=False)
        super().reload()

    def _dates_edited(self, _date: QDate) -> None:
        # Keep the range the right way round: moving one end past the other drags it along.
        if self.date_from.date() > self.date_to.date():
            sender = self.sender()
            other = self.date_to if sender is self.date_from else self.date_from
            other.blockSignals(True)
            other.setDate(sender.date() if isinstance(sender, QDateEdit) else _date)
            other.blockSignals(False)
        custom = self.range.findData("custom")
        if self.range.currentIndex() != custom:
            self.range.blockSignals(True)
            self.range.setCurrentIndex(custom)
            self.range.blockSignals(False)
        self._debounce.start()

    def set_range(self, start: date, end: date) -> None:
        """Choose a custom range (what typing both dates does)."""
        self.range.setCurrentIndex(self.range.findData("custom"))
        for edit, day in ((self.date_from, start), (self.date_to, end)):
            edit.blockSignals(True)
            edit.setDate(QDate(day.year, day.month, day.day))
            edit.blockSignals(False)
        self.reload()

    def query(self) -> Query:
        start = self.date_from.date().toPython()
        end = self.date_to.date().toPython()
        assert isinstance(start, date) and isinstance(end, date)
        category = self.category.currentData()
        return Query(start, end, str(category) if category else None)

    # -- the list ---------------------------------------------------------------------

    def tab_chain(self) -> list[QWidget]:
        # Filters, export, the chart and its toggle, then the log: the order they are read.
        return [
            self.range,
            self.date_from,
            self.date_to,
            self.category,
            self.export_button,
            self.panel.chart,
            self.panel.chart_button,
            self.panel.table_button,
            self.panel.table,
            self.table,
        ]

    def columns(self) -> Sequence[Column[UsageEvent]]:
        return [
            when_column(tr("When"), lambda e: e.occurred_at, self.session_timezone, "occurred_at"),
            Column(tr("Category"), lambda e: category_label(e.category.value)),
            Column(tr("Description"), lambda e: e.description or "—"),
            Column(tr("Quantity"), lambda e: quantity_text(e.quantity, e.unit), align=RIGHT),
            Column(tr("Charged (before GST)"), lambda e: format_money(e.charged_cost), align=RIGHT),
        ]

    def pager(self, scope: TenantClient, search: str | None) -> Pager[UsageEvent]:
        q = self.query()
        return scope.usage.events(
            date_from=q.start, date_to=q.end, category=q.category, per_page=100
        )

    def empty_title(self) -> str:
        return tr("No usage yet")

    # -- Page -------------------------------------------------------------------------

    async def fetch(self, scope: TenantClient) -> UsageData:  # type: ignore[override]
        query = self.query()
        listing, summary = await asyncio.gather(
            super().fetch(scope),
            scope.usage.summary(date_from=query.start, date_to=query.end, group_by=query.group_by),
        )
        return UsageData(listing, summary, query)

    def present(self, data: UsageData) -> None:  # type: ignore[override]
        super().present(data.listing)
        self.data = data
        self._present_summary(data.summary, data.query)

    def is_empty(self, data: Any) -> bool:
        # An empty range is not an empty page: the filters must stay to choose another.
        return False

    def _present_summary(self, summary: UsageSummary, query: Query) -> None:
        chart = chart_data(summary, query)
        monthly = query.group_by == "month"
        self.chart_title.setText(
            tr("Charged cost per month, before GST; months in UTC, as billed.")
            if monthly
            else tr("Charged cost per day, before GST; days in UTC, as billed.")
        )
        self.panel.set_data(
            chart.series, chart.bars, chart.summary, tr("Month") if monthly else tr("Date")
        )
        by_category = summary.totals.by_category
        events = 0
        for key, chip in self.chips.items():
            shown = query.category in (None, key)
            chip.setVisible(shown)
            total = by_category.get(key)
            if total is not None and shown:
                chip.show_total(
                    total.charged_cost.amount_minor, total.quantity, total.unit, total.events or 0
                )
                events += total.events or 0
        self.total.setText(money(chart.total_minor))
        self.total_detail.setText(tr("{0} events").format(f"{events:,}"))

    # -- export -----------------------------------------------------------------------

    def export_columns(self) -> list[CsvColumn[UsageEvent]]:
        tz = zone(self.session.timezone)
        return [
            CsvColumn(tr("Event id"), lambda e: e.id),
            CsvColumn(tr("When"), lambda e: e.occurred_at.astimezone(tz).isoformat()),
            CsvColumn(tr("Category"), lambda e: category_label(e.category.value)),
            CsvColumn(tr("Description"), lambda e: e.description or ""),
            CsvColumn(tr("Quantity"), lambda e: f"{e.quantity:g}"),
            CsvColumn(tr("Unit"), lambda e: e.unit or ""),
            CsvColumn(
                tr("Charged before GST (INR)"), lambda e: f"{e.charged_cost.amount_minor / 100:.2f}"
            ),
        ]

    def export(self) -> None:
        if self.tenant_id is not None and not self.transfer.busy:
            background(self._export(self.tenant_id))

    async def _export(self, tenant_id: int) -> None:
        query = self.query()
        tenant = self.session.tenant.name if self.session.tenant else ""
        suffix = f"-{query.category.replace('_', '-')}" if query.category else ""
        name = f"usage-{_slug(tenant)}-{query.start}-to-{query.end}{suffix}.csv"
        target = await choose_save_path(
            self, tr("Export usage to CSV"), name, tr("CSV files (*.csv)"), "csv"
        )
        if target is not None:
            self.start_export(tenant_id, query, target)

    def start_export(self, tenant_id: int, query: Query, target: Any) -> asyncio.Task[None]:
        scope = self.session.scope(tenant_id)
        columns = self.export_columns()

        async def job(progress: Any) -> str:
            def pager() -> Pager[UsageEvent]:
                return scope.usage.events(
                    date_from=query.start, date_to=query.end, category=query.category, per_page=200
                )

            count = await self.session.call(
                lambda: export_csv(pager(), columns, target, progress=progress)
            )
            return tr("Exported {0} usage events to {1}.").format(f"{count:,}", target.name)

        return self.transfer.run(tr("Exporting usage…"), job)


def _group(*parts: QWidget) -> QWidget:
    """Widgets that stay on one row together when the filters wrap."""
    holder = QWidget()
    row = QHBoxLayout(holder)
    row.setContentsMargins(0, 0, 0, 0)
    row.setSpacing(6)
    for part in parts:
        row.addWidget(part)
    return holder
