"""Usage against the real sandbox: range and category filters drive the totals, the chart and
the event log alike; the numbers add up; the chart speaks (tooltips, keys, a table); CSV
export writes the filtered range, and a failed export offers a Retry with the request id.
"""

from __future__ import annotations

import asyncio
import csv
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from PySide6.QtCore import QDate, QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget

from callaro_desktop.api.models import Money, UsageSummary
from callaro_desktop.views.pages.usage import Query, UsagePage, preset_range
from callaro_desktop.views.widgets.usage_chart import nice_ceiling

from .conftest import ADMIN, sign_in, wait_for
from .table_cells import hovered_tip, is_cut

W = TypeVar("W", bound=QWidget)


def _visible(window: QWidget, cls: type[W]) -> W | None:
    shown = [w for w in window.findChildren(cls) if w.isVisible()]
    return shown[-1] if shown else None


def _inr(minor: int) -> str:
    return Money(amount_minor=minor).format()


async def _as_admin(make_app: Any, sandbox: Any) -> tuple[Any, UsagePage]:
    controller = await make_app()
    await sign_in(controller, sandbox, ADMIN)
    return controller, await _open(controller)


async def _open(controller: Any) -> UsagePage:
    controller.window.navigate("usage")
    page = controller.window.pages["usage"]
    assert isinstance(page, UsagePage)
    await _settled(page)
    return page


async def _settled(page: UsagePage, query: Query | None = None) -> None:
    def done() -> bool:
        ready = page.states.state == "ready" and page.data is not None
        ready = ready and not page.session.tasks.running() and not page.model.is_loading
        return ready and (query is None or page.data.query == query)  # type: ignore[union-attr]

    await wait_for(done, timeout=20, what="usage loaded", extra=lambda: page.states.state)


async def _expected(controller: Any, query: Query) -> tuple[UsageSummary, int]:
    scope = controller.session.scope()
    summary = await scope.usage.summary(
        date_from=query.start, date_to=query.end, group_by=query.group_by
    )
    first = await scope.usage.events(
        date_from=query.start, date_to=query.end, category=query.category, per_page=1
    ).fetch_page(1)
    return summary, first.total or 0


def _category_total(summary: UsageSummary, category: str | None) -> tuple[int, int]:
    keys = [category] if category else list(summary.totals.by_category)
    cost = sum(summary.totals.by_category[k].charged_cost.amount_minor for k in keys)
    events = sum(summary.totals.by_category[k].events or 0 for k in keys)
    return cost, events


async def _check_against_api(controller: Any, page: UsagePage) -> None:
    query = page.query()
    summary, count = await _expected(controller, query)
    cost, events = _category_total(summary, query.category)
    bars = page.panel.chart.bars
    # Totals add up: the big number, the chips, the chart's bars and the table's last row.
    assert page.total.text() == _inr(cost)
    assert sum(bar.total for bar in bars) == cost
    chips = [c for c in page.chips.values() if not c.isHidden()]
    assert (
        sum(int(c.cost.text().strip("₹").replace(",", "").replace(".", "")) for c in chips) == cost
    )
    assert page.total_detail.text() == f"{events:,} events"
    model = page.panel.model
    assert model.rowCount() == len(bars) + 1
    last = model.index(model.rowCount() - 1, model.columnCount() - 1)
    assert model.data(last) == _inr(cost)
    # The event log is the same range and category, read lazily.
    assert page.model.total == count
    assert page.count_label.text() == f"{count:,} in total"
    assert len(page.model.rows) <= 200  # a page or two, never the whole range
    if query.category:
        assert {s.key for s in page.panel.chart.series} == {query.category}
        assert {e.category.value for e in page.model.rows} <= {query.category}
    for event in page.model.rows:
        assert query.start <= event.occurred_at.date() <= query.end


async def test_filters_change_totals_chart_and_table_alike(make_app, sandbox) -> None:
    controller, page = await _as_admin(make_app, sandbox)
    today = page.today()
    assert page.range.currentData() == "this_month"
    assert page.query().start == today.replace(day=1) and page.query().end == today
    await _check_against_api(controller, page)

    page.range.setCurrentIndex(page.range.findData("last_month"))
    start, end = preset_range("last_month", today)
    await _settled(page, Query(start, end, None))
    assert end.day >= 28 and start.day == 1
    await _check_against_api(controller, page)
    last_month_total = page.total.text()

    page.category.setCurrentIndex(page.category.findData("call"))
    await _settled(page, Query(start, end, "call"))
    await _check_against_api(controller, page)
    assert page.total.text() != last_month_total
    assert page.chips["kb_import"].isHidden() and not page.chips["call"].isHidden()

    # Typing a date makes the range custom; a "from" after "to" drags "to" along.
    page.date_from.setDate(QDate(end.year, end.month, end.day).addDays(-6))
    custom = Query(end - timedelta(days=6), end, "call")
    await _settled(page, custom)
    assert page.range.currentData() == "custom"
    await _check_against_api(controller, page)
    page.date_from.setDate(QDate(end.year, end.month, end.day).addDays(3))
    assert page.query().end == end + timedelta(days=3)


async def test_a_year_stays_responsive_and_goes_by_month_past_two_years(make_app, sandbox) -> None:
    controller, page = await _as_admin(make_app, sandbox)
    page.range.setCurrentIndex(page.range.findData("last_12_months"))
    start, end = preset_range("last_12_months", page.today())
    await _settled(page, Query(start, end, None))
    await _check_against_api(controller, page)
    assert len(page.panel.chart.bars) == 365
    assert page.model.total > len(page.model.rows)  # the rest loads as the table scrolls
    loaded = len(page.model.rows)
    page.table.scrollToBottom()
    await wait_for(lambda: len(page.model.rows) > loaded, what="next page on scroll")
    # Month start marks, not 365 crowded dates.
    labels = [bar.label for bar in page.panel.chart.bars if bar.label]
    assert 11 <= len(labels) <= 13

    page.set_range(date(2024, 1, 1), end)
    await _settled(page, Query(date(2024, 1, 1), end, None))
    assert page.data is not None and page.data.query.group_by == "month"
    assert "per month" in page.chart_title.text()
    assert page.panel.chart.bars[0].title == "January 2024"
    await _check_against_api(controller, page)


async def test_the_chart_has_tooltips_keys_a_description_and_a_table(make_app, sandbox) -> None:
    _controller, page = await _as_admin(make_app, sandbox)
    chart = page.panel.chart
    summary = page.data.summary  # type: ignore[union-attr]
    busiest = max(range(len(chart.bars)), key=lambda i: chart.bars[i].total)
    bar = chart.bars[busiest]
    tip = chart.tooltip_text(busiest)
    assert bar.title in tip and _inr(bar.total) in tip and "Calls" in tip
    centre = chart.bar_rect(busiest).center().toPoint()
    assert chart.bar_at(centre) == busiest
    assert chart.bar_at(QPoint(-5, 5)) == -1

    description = chart.accessibleDescription()
    assert "Charged cost by day" in description and page.total.text() in description
    chart.setFocus()
    QTest.keyClick(chart, Qt.Key.Key_Home)
    assert chart.current == 0
    QTest.keyClick(chart, Qt.Key.Key_Right)
    assert chart.current == 1 and chart.bars[1].title in chart.accessibleDescription()
    QTest.keyClick(chart, Qt.Key.Key_End)
    assert chart.current == len(chart.bars) - 1

    QTest.mouseClick(page.panel.table_button, Qt.MouseButton.LeftButton)
    assert page.panel.showing_table and page.panel.table.isVisible()
    model = page.panel.model
    day = summary.series[0].date
    assert model.data(model.index(0, 0)) == day.strftime("%a %d %b %Y")
    assert model.headerData(1, Qt.Orientation.Horizontal) == "Calls"
    QTest.mouseClick(page.panel.chart_button, Qt.MouseButton.LeftButton)
    assert not page.panel.showing_table and chart.isVisible()


async def _export_through_dialog(controller: Any, page: UsagePage, folder: Path) -> Path:
    """Save under the suggested name, in `folder`; returns the path the export will write."""
    QTest.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    picker: QFileDialog = await wait_for(
        lambda: _visible(controller.window, QFileDialog), what="save dialog"
    )
    name = Path(picker.selectedFiles()[0]).name
    q = page.query()
    assert name == f"usage-acme-health-{q.start}-to-{q.end}-file-extraction.csv"
    picker.setDirectory(str(folder))
    picker.selectFile(name)
    picker.accept()
    return folder / name


async def test_export_writes_every_event_of_the_filtered_range(make_app, sandbox, tmp_path) -> None:
    controller, page = await _as_admin(make_app, sandbox)
    page.category.setCurrentIndex(page.category.findData("file_extraction"))
    page.range.setCurrentIndex(page.range.findData("last_12_months"))
    start, end = preset_range("last_12_months", page.today())
    await _settled(page, Query(start, end, "file_extraction"))
    messages: list[Any] = []
    controller.session.messages.posted.connect(messages.append)
    target = await _export_through_dialog(controller, page, tmp_path)
    await wait_for(
        lambda: target.exists() and not page.transfer.busy,
        what="exported",
        extra=lambda: (
            page.transfer.label.text(),
            page.transfer.isVisible(),
            list(tmp_path.iterdir()),
        ),
    )
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == page.model.total
    assert {r["Category"] for r in rows} == {"File extraction"}
    cost, _events = _category_total(page.data.summary, "file_extraction")  # type: ignore[union-attr]
    assert sum(round(float(r["Charged before GST (INR)"]) * 100) for r in rows) == cost
    assert any(f"{len(rows):,} usage events" in m.text for m in messages)
    assert not list(tmp_path.glob("*.part"))


async def test_a_failed_export_shows_the_request_id_and_retries(
    make_app, sandbox, tmp_path, faults
) -> None:
    controller, page = await _as_admin(make_app, sandbox)
    target = tmp_path / "usage.csv"
    faults([{"route": "/api/v1/usage/events", "status": 500, "count": 1}])
    page.start_export(controller.session.tenant_id, page.query(), target)
    bar = page.transfer
    await wait_for(lambda: bar.retry_button.isVisible(), what="export failure")
    assert "request id req_" in bar.label.text() and bar.request_id
    assert not target.exists() and not list(tmp_path.iterdir())
    QTest.mouseClick(bar.retry_button, Qt.MouseButton.LeftButton)
    await wait_for(lambda: target.exists() and bar.isHidden(), what="exported on retry")
    with target.open(encoding="utf-8-sig") as handle:
        assert sum(1 for _ in handle) == page.model.total + 1


@pytest.mark.parametrize(
    ("preset", "today", "expected"),
    [
        ("this_month", date(2026, 3, 15), (date(2026, 3, 1), date(2026, 3, 15))),
        ("last_month", date(2026, 3, 15), (date(2026, 2, 1), date(2026, 2, 28))),
        ("last_month", date(2026, 1, 5), (date(2025, 12, 1), date(2025, 12, 31))),
        ("last_30_days", date(2026, 3, 15), (date(2026, 2, 14), date(2026, 3, 15))),
        ("last_12_months", date(2026, 3, 15), (date(2025, 3, 16), date(2026, 3, 15))),
    ],
)
def test_presets(preset: str, today: date, expected: tuple[date, date]) -> None:
    assert preset_range(preset, today) == expected


@pytest.mark.parametrize(
    ("peak", "top", "step"),
    [
        (0, 4, 1),
        (1, 4, 1),
        (7_99, 8_00, 2_00),
        (61_234, 80_000, 20_000),
        (1_00_001, 1_20_000, 30_000),
    ],
)
def test_axis_tops_are_round(peak: int, top: int, step: int) -> None:
    assert nice_ceiling(peak) == (top, step)
    assert top >= peak


def test_axis_steps_never_go_below_the_minimum() -> None:
    # In whole rupees (100 paise) a tiny day must not print "₹0" on every grid line.
    assert nice_ceiling(0, min_step=100) == (400, 100)
    assert nice_ceiling(150, min_step=100) == (400, 100)
    assert nice_ceiling(7_99, min_step=100) == (8_00, 2_00)


async def test_tab_walks_filters_export_chart_then_log(make_app, sandbox) -> None:
    controller, page = await _as_admin(make_app, sandbox)
    controller.window.activateWindow()
    await wait_for(controller.window.isActiveWindow, what="window active")
    page.range.setFocus()
    await wait_for(page.range.hasFocus, what="range focused")
    expected = [page.date_from, page.date_to, page.category, page.export_button, page.panel.chart]

    def focused(widget: QWidget) -> bool:
        # A date edit hands focus to its inner line edit.
        now = QApplication.focusWidget()
        return now is widget or (now is not None and widget.isAncestorOf(now))

    for widget in expected:
        # Tab first walks a date edit's day, month and year, then leaves it.
        for _ in range(4):
            QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
            if focused(widget):
                break
        assert focused(widget), widget.accessibleName()
        assert widget.accessibleName()


async def test_the_log_s_columns_stay_the_page_s_through_a_resized_window(
    make_app, sandbox
) -> None:
    """Description takes what the window leaves; Qt resizing it read as the user's drag, so
    the log's columns were kept with every workspace and Reset column widths was always
    offered. Only a column the user drags makes them theirs."""
    controller, page = await _as_admin(make_app, sandbox)
    window = controller.window
    for size in ((1400, 900), (1100, 760), (1500, 900)):
        window.resize(*size)
        await wait_for(lambda size=size: window.width() == size[0], what=f"{size}")
    header = page.table.horizontalHeader()
    assert page.columns_fit.owned and not window.reset_columns_action.isEnabled()
    assert "header" not in controller.session.settings.view_state[page._state_key]
    header.resizeSection(0, 200)  # When, dragged
    assert not page.columns_fit.owned and window.reset_columns_action.isEnabled()


async def test_the_log_shares_a_narrow_window_and_description_takes_what_a_wide_one_leaves(
    make_app, sandbox
) -> None:
    """At 1,000 px Description had what the others left over (~95 px: "Inbound call …") while
    Category kept 170 px for "Calls". The log now shares a narrow table like every list (the
    amount whole), and in a wide one Description takes what is left, to the table's edge."""
    controller, page = await _as_admin(make_app, sandbox)
    window, table = controller.window, page.table
    header = table.horizontalHeader()
    category, description, charged = 1, 2, 4
    assert page.model.rowCount() >= 3

    window.resize(1600, 900)
    await wait_for(lambda: table.viewport().width() > 1100, what="a wide window")
    await wait_for(lambda: header.length() == table.viewport().width(), what="filled")
    assert table.columnWidth(description) > max(
        table.columnWidth(c) for c in range(header.count()) if c != description
    )
    assert not is_cut(table, 0, description)

    window.resize(1000, 700)
    await wait_for(lambda: table.viewport().width() < 760, what="a narrow window")
    await wait_for(lambda: header.length() <= table.viewport().width(), what="shared")
    assert table.columnWidth(description) > table.columnWidth(category)
    rows = range(min(5, page.model.rowCount()))
    assert not [r for r in rows if is_cut(table, r, charged)]
    cut = next((r for r in rows if is_cut(table, r, description)), None)
    if cut is not None:
        assert hovered_tip(table, cut, description) == page.model.index(cut, description).data()
    assert page.columns_fit.owned  # all of it the page's doing, none the user's


async def test_a_page_of_the_log_that_failed_is_asked_for_again_from_its_message(
    make_app, sandbox, faults
) -> None:
    """Scrolling on, a page that failed said so with its request id and nothing more: the
    list stopped there for good (only reloading the page, back at the top, went on). The
    message offers Retry, which goes on from the same place; meanwhile scrolling asks for
    nothing (it would ask again and again all through an outage)."""
    controller, page = await _as_admin(make_app, sandbox)
    model, table = page.model, page.table
    await wait_for(lambda: 0 < model.rowCount() < model.total, what="a first page of several")
    first = [e.id for e in model.rows]
    faults([{"route": "/api/v1/usage/events*", "status": 500}])
    table.scrollToBottom()
    bar = controller.window.message_bar
    await wait_for(
        lambda: bar.isVisible() and "More rows could not be loaded" in bar.text.text(),
        timeout=30,
        what="the failure said",
    )
    assert "request id" in bar.text.text() and bar.retry_button.isVisible()
    assert not model.canFetchMore() and not model.is_loading
    table.scrollToTop()
    table.scrollToBottom()
    await asyncio.sleep(0.2)
    assert not model.is_loading  # nothing asked while it fails

    faults([])
    bar.retry_button.click()
    assert not bar.isVisible()
    await wait_for(lambda: model.rowCount() > len(first), timeout=20, what="the next page")
    assert [e.id for e in model.rows[: len(first)]] == first  # went on from where it was
    assert len({e.id for e in model.rows}) == model.rowCount()  # nothing twice


async def test_a_failed_pages_message_goes_when_the_list_is_loaded_afresh(
    make_app, sandbox, faults
) -> None:
    """Its Retry would ask for a page of a list that is no longer on screen (another range,
    another workspace): the message goes with it instead of offering a Retry that does
    nothing."""
    controller, page = await _as_admin(make_app, sandbox)
    model = page.model
    await wait_for(lambda: 0 < model.rowCount() < model.total, what="a first page of several")
    faults([{"route": "/api/v1/usage/events*", "status": 500}])
    page.table.scrollToBottom()
    bar = controller.window.message_bar
    await wait_for(lambda: bar.retry_button.isVisible(), timeout=30, what="the failure said")
    faults([])
    page.reload()
    await wait_for(lambda: not bar.isVisible(), what="the message gone")
    await _settled(page)
    assert model.canFetchMore()  # the new list goes on as it scrolls
