"""Phone numbers against the real sandbox: the list, buying, adding, editing, releasing, roles.

The sandbox is shared by the whole session, so each test brings its own numbers (random
ones from a block no seed uses) and reads its expectations from the API.
"""

from __future__ import annotations

import asyncio
import logging
import random
from typing import Any, TypeVar

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QStyleOptionViewItem, QWidget

from callaro_desktop.api.client import OwnedNumber
from callaro_desktop.api.errors import Forbidden, NotFound
from callaro_desktop.api.models import PhoneNumber, PhoneNumberStatus
from callaro_desktop.services.formatting import format_money
from callaro_desktop.views.dialogs.add_number import AddNumberDialog, times
from callaro_desktop.views.dialogs.confirm import ConfirmDialog
from callaro_desktop.views.dialogs.number_detail import NumberDetailDialog
from callaro_desktop.views.pages.phone_numbers import PhoneNumbersPage
from callaro_desktop.views.shell.palette_entries import palette_entries
from callaro_desktop.views.widgets.badges import BADGES_ROLE, PILL_ROLE, Tone

from .conftest import ADMIN, OPERATOR, SUPPORT, VIEWER, sign_in, wait_for
from .table_cells import tab_leaves

W = TypeVar("W", bound=QWidget)
PURCHASE_ROUTE = "/api/v1/phone_numbers/purchase"


def _visible(window: QWidget, cls: type[W]) -> W | None:
    shown = [w for w in window.findChildren(cls) if w.isVisible()]
    return shown[-1] if shown else None


def _fresh_numbers(count: int) -> list[str]:
    # +91 80 69x: outside every sandbox pool and seed block, random so reruns never collide.
    rng = random.Random()
    return [f"+918069{rng.randrange(10**7):07d}" for _ in range(count)]


async def _open_page(controller: Any) -> PhoneNumbersPage:
    window = controller.window
    window.navigate("phone_numbers")
    page = window.pages["phone_numbers"]
    assert isinstance(page, PhoneNumbersPage)
    await wait_for(lambda: page.states.state == "ready", what="numbers listed")
    return page


async def _all_numbers(controller: Any) -> list[PhoneNumber]:
    scope = controller.session.scope()
    return [n async for n in scope.phone_numbers.list(per_page=200)]


async def _confirm(window: QWidget, typed: str | None = None) -> ConfirmDialog:
    dialog: ConfirmDialog = await wait_for(lambda: _visible(window, ConfirmDialog), what="confirm")
    if typed is not None:
        dialog.typed.setText(typed)
    return dialog


async def test_list_uses_the_contract_labels_badges_and_filters(make_app, sandbox) -> None:
    controller = await make_app()
    await sign_in(controller, sandbox, ADMIN)
    page = await _open_page(controller)
    assert page.title_label.text() == "Phone numbers"
    assert page.search.placeholderText() == "Search numbers…"
    model = page.model
    headers = [model.headerData(i, Qt.Orientation.Horizontal) for i in range(model.columnCount())]
    assert headers == ["Number", "Status", "Inbound Agent", "Provider", "Name", "Created"]
    assert page.add_button.isVisible() and page.add_button.text() == "&Add number"

    rows = model.rows
    expected = await _all_numbers(controller)
    assert model.total == len(expected)
    managed = next(i for i, n in enumerate(rows) if n.platform_managed)
    owned = next(i for i, n in enumerate(rows) if not n.platform_managed)
    assert model.index(managed, 0).data(BADGES_ROLE) == [("Twilio", Tone.ACCENT)]
    assert model.index(owned, 0).data(BADGES_ROLE) == []
    font = model.index(owned, 0).data(Qt.ItemDataRole.FontRole)
    assert font.fixedPitch() and font.styleHint() == QFont.StyleHint.Monospace
    assert model.index(owned, 0).data() == rows[owned].e164
    unassigned = next(i for i, n in enumerate(rows) if n.inbound_agent is None)
    assert model.index(unassigned, 2).data() == "Unassigned"
    number = rows[managed]
    assert number.telephony_connection is not None
    assert model.index(managed, 3).data() == f"{number.telephony_connection.name} · Twilio"
    active = next(i for i, n in enumerate(rows) if n.status == PhoneNumberStatus.ACTIVE)
    assert model.index(active, 1).data() == "Active"
    assert model.index(active, 1).data(PILL_ROLE) == Tone.SUCCESS

    # The status filter is sent to the server; a filter with no hits keeps the table.
    page.status_filter.setCurrentIndex(page.status_filter.findData("pending"))
    pending = [n for n in expected if n.status == PhoneNumberStatus.PENDING]
    await wait_for(
        lambda: model.total == len(pending) and not page.session.tasks.running(),
        what="pending only",
        extra=lambda: model.total,
    )
    assert {n.status for n in model.rows} <= {PhoneNumberStatus.PENDING}
    assert page.states.state == "ready"

    # A header click sorts on the server.
    page.status_filter.setCurrentIndex(0)
    page.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
    await wait_for(lambda: page.sort == "e164" and not page.session.tasks.running())
    await wait_for(lambda: model.total == len(expected))
    shown = [n.e164 for n in model.rows]
    assert shown == sorted(shown)


async def test_purchase_shows_prices_confirms_the_total_and_buys_exactly_once(
    make_app, sandbox, faults
) -> None:
    controller = await make_app()
    await sign_in(controller, sandbox, ADMIN)
    window, session = controller.window, controller.session
    page = await _open_page(controller)
    before = {n.e164 for n in await _all_numbers(controller)}
    pricing = await session.scope().phone_numbers.pricing("IN")

    page.open_primary_action()
    dialog: AddNumberDialog = await wait_for(
        lambda: _visible(window, AddNumberDialog), what="add dialog"
    )
    assert dialog.windowTitle() == "Add phone number"
    await wait_for(lambda: dialog.pricing is not None, what="prices")
    # An active Twilio connection exists in Acme, so buying is offered and chosen.
    assert dialog.purchase_radio.isEnabled() and dialog.purchase_radio.isChecked()
    assert dialog.focusWidget() is dialog.purchase_radio  # the keyboard where the choice is
    assert dialog.purchase_radio.text().replace("&", "") == "Purchase from Twilio"
    assert dialog.manual_radio.text().replace("&", "") == "Add manually"
    assert format_money(pricing.monthly_price) in dialog.prices_label.text()
    assert dialog.available_table.rowCount() == len(dialog.available) > 0
    assert dialog.available_table.item(0, 0).text() == dialog.available[0].e164
    assert dialog.available_table.item(0, 2).text() == format_money(pricing.monthly_price)
    assert await tab_leaves(dialog.available_table)  # on to Quantity, not cell to cell
    dialog.quantity.setValue(2)
    monthly = format_money(times(pricing.monthly_price, 2))
    assert monthly in dialog.total_label.text()

    # Every attempt fails (the transport retries, then gives up): the dialog says so.
    faults([{"route": PURCHASE_ROUTE, "status": 503, "count": 3}])
    QTest.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    question = await _confirm(window)
    assert monthly in question.findChild(QLabel).text()
    question.accept()
    await wait_for(lambda: dialog.general_error.isVisible(), timeout=30, what="503 shown")
    assert "request id" in dialog.general_error.text()
    key = dialog.idempotency_key
    assert dialog.quantity.value() == 2 and dialog.isVisible()

    # The retry is the same intent: no second question, the same key. Its answer is lost
    # on the way back after the server bought; the transport's retry gets the first result.
    faults([{"route": PURCHASE_ROUTE, "body": "truncate", "count": 1}])
    QTest.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    detail: NumberDetailDialog = await wait_for(
        lambda: _visible(window, NumberDetailDialog), timeout=30, what="the new number"
    )
    assert dialog.idempotency_key == key
    assert detail.added_header.isVisible() and detail.added_header.text() == "Number added"
    after = {n.e164 for n in await _all_numbers(controller)}
    bought = after - before
    assert len(bought) == 2, bought
    assert detail.number.e164 in bought and detail.number.platform_managed
    detail.reject()


async def test_manual_add_checks_each_line_and_places_server_errors(make_app, sandbox) -> None:
    controller = await make_app()
    await sign_in(controller, sandbox, OPERATOR)
    window = controller.window
    page = await _open_page(controller)
    assert page.add_button.isVisible()  # Operators can write numbers [DOC]
    taken = (await _all_numbers(controller))[0].e164
    first, second = _fresh_numbers(2)

    page.open_primary_action()
    dialog: AddNumberDialog = await wait_for(lambda: _visible(window, AddNumberDialog))
    await wait_for(lambda: dialog.connections is not None, what="connections")
    dialog.manual_radio.setChecked(True)
    for line in (f"{first}, Sales", "+91 80", first):
        if dialog.numbers_edit.toPlainText():
            QTest.keyClick(dialog.numbers_edit, Qt.Key.Key_Return)
        QTest.keyClicks(dialog.numbers_edit, line)
    error = dialog.fields["numbers"][1]
    assert "Line 2" in error.text() and "too short" in error.text()
    assert "Line 3" in error.text() and "repeats line 1" in error.text()
    dialog.start_submit()
    assert dialog.isVisible() and dialog.idempotency_key is None  # nothing was sent

    # Good shape, but the second number already belongs to someone: the server says which.
    dialog.numbers_edit.setPlainText(f"{first}, Sales\n\n{taken}, Support")
    assert not error.isVisible()
    dialog.start_submit()
    await wait_for(lambda: error.isVisible(), what="server error on its line")
    assert "Line 3" in error.text() and "already on Callaro" in error.text()
    assert dialog.numbers_edit.toPlainText().startswith(first)

    dialog.numbers_edit.setPlainText(f"{first}, Sales\n{second.replace('+91', '+91 ')}")
    dialog.start_submit()
    detail: NumberDetailDialog = await wait_for(lambda: _visible(window, NumberDetailDialog))
    assert detail.added_header.isVisible()
    assert detail.number.e164 == first and detail.number.label == "Sales"
    assert second in detail.added_note.text()
    detail.reject()
    await wait_for(lambda: any(n.e164 == first for n in page.model.rows), what="row listed")


async def test_label_agent_activate_and_release_that_needs_the_typed_number(
    make_app, sandbox
) -> None:
    controller = await make_app()
    await sign_in(controller, sandbox, ADMIN)
    window, session = controller.window, controller.session
    scope = session.scope()
    page = await _open_page(controller)
    connection = next(
        c for c in await scope.telephony_connections.list() if c.active and c.provider == "sip"
    )
    (e164,) = _fresh_numbers(1)
    (number,) = await scope.phone_numbers.import_owned([OwnedNumber(e164=e164)], connection.id)
    agents = [a for a in await scope.agents.list() if a.active]

    from callaro_desktop.services.tasks import background

    background(page.open_number(number))
    detail: NumberDetailDialog = await wait_for(lambda: _visible(window, NumberDetailDialog))
    await wait_for(lambda: detail.agent_combo.count() == len(agents) + 1, what="agents")
    assert detail.agent_combo.itemText(0) == "Unassigned"
    assert detail.activate_button.isVisible()  # an imported number waits for activation
    detail.activate_button.click()
    await wait_for(lambda: detail.number.status == PhoneNumberStatus.ACTIVE, what="activated")
    assert not detail.activate_button.isVisible()
    assert detail.status_pill.text() == "Active"

    detail.label_edit.setText("Night line")
    agent = agents[-1]
    detail.agent_combo.setCurrentIndex(detail.agent_combo.findData(agent.id))
    QTest.mouseClick(detail.submit_button, Qt.MouseButton.LeftButton)
    await wait_for(lambda: _visible(window, NumberDetailDialog) is None, what="saved")
    saved = await scope.phone_numbers.get(number.id)
    assert saved.label == "Night line"
    assert saved.inbound_agent is not None and saved.inbound_agent.id == agent.id

    background(page.open_number(saved))
    detail = await wait_for(lambda: _visible(window, NumberDetailDialog))
    released: list[PhoneNumber] = []
    detail.number_released.connect(released.append)
    detail.release_button.click()
    question = await _confirm(window)
    body = question.findChild(QLabel).text()
    assert e164 in body and "irreversible" in body and "Acme Health" in body
    assert not question.action_button.isEnabled()
    question.typed.setText(e164[:-1])
    assert not question.action_button.isEnabled()
    question.typed.setText(e164)
    assert question.action_button.isEnabled()
    question.action_button.click()
    await wait_for(lambda: released, what="released")
    await wait_for(lambda: _visible(window, NumberDetailDialog) is None, what="closed")
    with pytest.raises(NotFound):
        await scope.phone_numbers.get(number.id)
    assert all(n.id != number.id for n in page.model.rows)


async def test_viewer_sees_no_write_controls_and_the_server_refuses_anyway(
    make_app, sandbox
) -> None:
    controller = await make_app()
    await sign_in(controller, sandbox, VIEWER)
    window = controller.window
    page = await _open_page(controller)
    assert not page.add_button.isVisible() and not page.sync_button.isVisible()
    page.open_primary_action()
    await asyncio.sleep(0.05)  # (a dialog would be open by now)
    assert _visible(window, AddNumberDialog) is None

    number = page.model.rows[0]
    from callaro_desktop.services.tasks import background

    background(page.open_number(number))
    detail: NumberDetailDialog = await wait_for(lambda: _visible(window, NumberDetailDialog))
    assert not detail.submit_button.isVisible()
    assert not detail.actions_row.isVisible()
    assert detail.label_edit.isReadOnly() and not detail.agent_combo.isEnabled()
    assert detail.cancel_button.text().replace("&", "") == "Close"
    detail.reject()

    numbers = controller.session.scope().phone_numbers
    with pytest.raises(Forbidden):
        await numbers.update(number.id, label="not allowed")
    with pytest.raises(Forbidden):
        await numbers.release(number.id)
    with pytest.raises(Forbidden):
        await numbers.import_owned([OwnedNumber(e164=_fresh_numbers(1)[0])], 1)
    assert (await numbers.get(number.id)).label == number.label


async def test_every_column_fits_at_the_default_window_size(make_app, sandbox) -> None:
    controller = await make_app()
    controller.window.resize(1280, 800)
    await sign_in(controller, sandbox, ADMIN)
    page = await _open_page(controller)
    await wait_for(lambda: page.model.rowCount() > 0, what="rows")
    table, header, model = page.table, page.table.horizontalHeader(), page.model
    await wait_for(lambda: header.length() <= table.viewport().width(), what="columns fitting")
    assert not table.horizontalScrollBar().isVisible()
    rows = range(model.rowCount())
    assert any(model.index(r, 0).data(BADGES_ROLE) for r in rows)  # some carry a badge
    # Every number, with its badge, fits its column whole.
    option = QStyleOptionViewItem()
    option.font = table.font()
    delegate = table.itemDelegateForColumn(0)
    assert delegate is not None
    widest = max(delegate.sizeHint(option, model.index(r, 0)).width() for r in rows)
    assert widest <= header.sectionSize(0)
    # And so does the last column's date and time (Created), with the cell's margins.
    last = model.columnCount() - 1
    metrics = table.fontMetrics()
    dates = max(metrics.horizontalAdvance(str(model.index(r, last).data())) for r in rows)
    assert dates + 8 <= header.sectionSize(last)


async def test_reset_column_widths_puts_the_layout_back_and_keeps_the_sort(
    make_app, sandbox
) -> None:
    controller = await make_app()
    window = controller.window
    await sign_in(controller, sandbox, ADMIN)

    def offered() -> bool:
        return "Reset column widths" in {e.title for e in palette_entries(window)}

    assert not window.reset_columns_action.isEnabled()  # the Dashboard has no list
    assert not offered()
    window.resize(1600, 900)  # room for the page's widths: none shared out
    page = await _open_page(controller)
    header = page.table.horizontalHeader()
    assert page.reset_columns_action in header.actions()  # the header's context menu
    # The columns are the page's: nothing to reset, in the menu, the palette or the header.
    assert not window.reset_columns_action.isEnabled() and not offered()
    assert not page.reset_columns_action.isEnabled()
    laid_out = [header.sectionSize(c) for c in range(header.count())]
    # Sorted by a column of the user's choosing: Qt announces the default layout's sort
    # when it is restored, and the page took that for a click (rows loaded again).
    header.setSortIndicator(4, Qt.SortOrder.AscendingOrder)  # Name
    await wait_for(lambda: page.sort == "label" and not controller.session.tasks.running())
    sorted_by = header.sortIndicatorSection(), header.sortIndicatorOrder()

    header.resizeSection(0, 420)
    assert window.reset_columns_action.isEnabled() and offered()
    assert page.reset_columns_action.isEnabled()
    header.resizeSection(4, 40)
    header.moveSection(2, 4)
    page.reload()  # the dragged layout is kept with the workspace, as a user's would be
    await wait_for(lambda: page.states.state == "ready", what="reloaded")
    key = page._state_key
    assert key is not None
    assert controller.session.settings.view_state[key]["header"]
    loads = controller.session.tasks.running()

    window.reset_columns_action.trigger()
    assert [header.sectionSize(c) for c in range(header.count())] == laid_out
    assert [header.visualIndex(c) for c in range(header.count())] == list(range(header.count()))
    assert not window.reset_columns_action.isEnabled() and not offered()
    assert not page.reset_columns_action.isEnabled()
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == sorted_by
    assert controller.session.tasks.running() == loads  # nothing loaded again
    assert page.sort == "label"
    # Remembered as reset: the workspace comes back with the page's own layout, which is
    # not kept (a later version's widths will show there), while the sort is.
    remembered = controller.session.settings.view_state[key]
    assert "header" not in remembered
    assert (
        remembered["sort"] == f"{sorted_by[0]},{int(sorted_by[1] == Qt.SortOrder.DescendingOrder)}"
    )


async def test_a_workspace_keeps_its_sort_and_only_the_columns_the_user_changed(
    make_app, sandbox
) -> None:
    """Columns as the page lays them out are not kept with a workspace: kept, the widths of
    the version that first opened it stayed for good (API keys' Last used sat off a first
    window's edge in every workspace visited before its widths were fixed)."""
    controller = await make_app()
    window = controller.window
    await sign_in(controller, sandbox, SUPPORT)  # many workspaces
    window.resize(1600, 900)  # room for the page's widths: none shared out
    page = await _open_page(controller)
    header = page.table.horizontalHeader()
    laid_out = [header.sectionSize(c) for c in range(header.count() - 1)]
    key = page._state_key
    assert key is not None
    settings = controller.session.settings

    def kept() -> dict[str, str]:
        return settings.view_state.get(key, {})

    header.setSortIndicator(5, Qt.SortOrder.AscendingOrder)  # sorted by Created, oldest first
    await wait_for(lambda: kept().get("sort") == "5,0", what="sort kept")
    assert "header" not in kept()

    # Widths kept from an earlier version, with no sort of their own: the sort stays, the
    # widths are the page's again.
    header.resizeSection(0, 333)
    header.setSortIndicator(1, Qt.SortOrder.DescendingOrder)
    old = bytes(header.saveState().toBase64().data()).decode("ascii")
    header.setSortIndicator(5, Qt.SortOrder.AscendingOrder)
    page.reset_columns()
    page.restore_view_state({"search": "", "filters": "", "header": old})
    assert [header.sectionSize(c) for c in range(header.count() - 1)] == laid_out
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (
        1,
        Qt.SortOrder.DescendingOrder,
    )

    # Widths the user changes are kept, and come back with the workspace.
    header.resizeSection(0, 333)
    page.reload()
    await wait_for(lambda: "header" in kept(), what="dragged widths kept")
    other = next(t.id for t in controller.session.tenants if t.id != controller.session.tenant_id)
    here = controller.session.tenant_id
    assert here is not None
    window.request_tenant_switch(other)
    await wait_for(lambda: page.states.state in ("ready", "empty"), what="other workspace")
    assert header.sectionSize(0) == laid_out[0]  # that workspace: the page's own
    assert not window.reset_columns_action.isEnabled()  # (so nothing to reset there)
    # ... and its own sort, shown and asked for (the page once kept asking for the sort of
    # the workspace before, under the header's Created ↓).
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (
        5,
        Qt.SortOrder.DescendingOrder,
    )
    assert page.sort == "-created_at"
    created = [n.created_at for n in page.model.rows]
    assert len(created) > 1 and created == sorted(created, reverse=True)
    window.request_tenant_switch(here)
    await wait_for(lambda: header.sectionSize(0) == 333, what="dragged width back")
    assert window.reset_columns_action.isEnabled()
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (
        1,
        Qt.SortOrder.DescendingOrder,
    )


async def test_columns_can_be_hidden_and_each_workspace_keeps_its_choice(make_app, sandbox) -> None:
    """In a narrow window a column the user never reads takes room from those they do: any
    column but the number can be hidden (the header's right-click menu, View → Columns), the
    others share its room, and the choice comes back with the workspace."""
    controller = await make_app()
    window = controller.window
    await sign_in(controller, sandbox, SUPPORT)  # many workspaces
    window.resize(1100, 760)
    page = await _open_page(controller)
    table, header = page.table, page.table.horizontalHeader()
    await wait_for(lambda: header.length() <= table.viewport().width(), what="columns shared")
    choices = page.column_actions
    assert [a.text() for a in choices] == ["Status", "Inbound Agent", "Provider", "Name", "Created"]
    assert all(a.isChecked() for a in choices)
    assert all(a in header.actions() for a in choices)  # the header's right-click menu
    window.columns_menu.aboutToShow.emit()  # View → Columns: the keyboard's way there
    assert window.columns_menu.actions() == choices
    assert window.columns_menu.menuAction().isEnabled()
    provider = header.sectionSize(3)

    choices[1].trigger()  # Inbound Agent
    assert header.isSectionHidden(2) and not choices[1].isChecked()
    await wait_for(lambda: header.sectionSize(3) > provider, what="its room shared out")
    assert header.length() <= table.viewport().width()
    # A choice of columns, not a drag: they are still the page's, fitted, nothing to reset.
    assert page.columns_fit.owned and not window.reset_columns_action.isEnabled()
    key = page._state_key
    assert key is not None
    settings = controller.session.settings
    assert settings.view_state[key]["hidden"] == "2"
    assert "header" not in settings.view_state[key]

    here = controller.session.tenant_id
    other = next(t.id for t in controller.session.tenants if t.id != here)
    assert here is not None
    window.request_tenant_switch(other)
    await wait_for(lambda: page.states.state in ("ready", "empty"), what="other workspace")
    assert not header.isSectionHidden(2) and choices[1].isChecked()  # that one: all shown
    window.request_tenant_switch(here)
    await wait_for(lambda: header.isSectionHidden(2), what="the choice back")
    assert not choices[1].isChecked()

    # Reset column widths puts widths back, not the columns the user chose to see (here
    # while the workspace's rows are still on their way).
    header.resizeSection(3, 90)
    assert window.reset_columns_action.isEnabled()
    window.reset_columns_action.trigger()
    assert header.isSectionHidden(2) and header.sectionSize(3) != 90
    await wait_for(lambda: page.states.state == "ready", what="rows back")
    assert page.columns_fit.owned  # the page's again, and hiding one was no drag of theirs
    choices[1].trigger()
    assert not header.isSectionHidden(2) and choices[1].isChecked()
    assert "hidden" not in settings.view_state[key]
    assert header.length() <= table.viewport().width()  # shared again among all


async def test_columns_share_a_narrow_window_until_the_user_changes_one(make_app, sandbox) -> None:
    """Laid out for a first window, the columns scrolled sideways in a narrower one (a window
    tiled beside another): while they are the page's, they share the width there is."""
    controller = await make_app()
    window = controller.window
    window.resize(1600, 900)
    await sign_in(controller, sandbox, ADMIN)
    page = await _open_page(controller)
    table, header = page.table, page.table.horizontalHeader()
    await wait_for(lambda: page.model.rowCount() > 0, what="rows")
    wide = [header.sectionSize(c) for c in range(header.count() - 1)]
    titles = [str(page.model.column(c).title) for c in range(header.count())]

    def fits() -> bool:
        return header.length() <= table.viewport().width()

    window.resize(1000, 700)
    await wait_for(fits, what="columns sharing the narrow table")
    assert not table.horizontalScrollBar().isVisible()
    narrow = [header.sectionSize(c) for c in range(header.count() - 1)]
    # The number with its badge and the status's pill stay whole; the others give up room.
    assert narrow[:2] == wide[:2]
    assert narrow[0] >= table.sizeHintForColumn(0) and narrow[1] >= table.sizeHintForColumn(1)
    assert all(narrow[c] < wide[c] for c in range(2, len(wide)))
    metrics = header.fontMetrics()
    for c, title in enumerate(titles):
        assert header.sectionSize(c) >= metrics.horizontalAdvance(title)  # titles stay read
    assert page.columns_fit.owned and "header" not in page.view_state()  # still the page's

    window.resize(1600, 900)
    await wait_for(lambda: [header.sectionSize(c) for c in range(header.count() - 1)] == wide)

    # A column the user drags makes them the user's: kept, and left alone at any width.
    window.resize(1000, 700)
    await wait_for(fits, what="shared again")
    header.resizeSection(0, 250)
    assert not page.columns_fit.owned
    key = page._state_key
    assert key is not None
    views = controller.session.settings

    def kept() -> str:
        return views.view_state.get(key, {}).get("header", "")

    await wait_for(kept, what="dragged columns kept with the workspace")
    first = kept()
    header.resizeSection(0, 260)  # the drag goes on: its end is what is kept
    await wait_for(lambda: kept() != first, what="the drag's end kept")
    window.resize(1400, 800)
    await wait_for(lambda: table.viewport().width() > 1000, what="wider")
    window.resize(1000, 700)
    await wait_for(lambda: table.viewport().width() < 800, what="narrower")
    assert header.sectionSize(0) == 260

    # Reset gives them back to the page: they share the width again.
    window.reset_columns_action.trigger()
    assert page.columns_fit.owned
    await wait_for(fits, what="shared after reset")
    assert header.sectionSize(0) == narrow[0]


async def test_columns_dragged_just_before_quitting_are_kept(make_app, sandbox) -> None:
    controller = await make_app()
    await sign_in(controller, sandbox, ADMIN)
    page = await _open_page(controller)
    header = page.table.horizontalHeader()
    key = page._state_key
    assert key is not None
    header.resizeSection(0, 277)  # and Quit at once, before the drag's pause is over
    dragged = bytes(header.saveState().toBase64().data()).decode("ascii")
    controller.window.close()
    assert controller.session.settings.view_state[key]["header"] == dragged


async def test_closing_a_dialog_while_it_loads_leaves_nothing_running(
    make_app, sandbox, faults, caplog
) -> None:
    """Esc on a number while its agents load, or on Add phone number while its connections
    do: the load stopped with the dialog. It went on, found the dialog's widgets deleted,
    and failed ("Internal C++ object already deleted", logged as an error)."""
    controller = await make_app()
    await sign_in(controller, sandbox, ADMIN)
    window = controller.window
    page = await _open_page(controller)
    faults(
        [
            {"route": "/api/v1/agents", "latency_ms": 400},
            {"route": "/api/v1/telephony_connections", "latency_ms": 400},
        ]
    )
    page.table.setFocus()
    page.table.selectRow(0)
    QTest.keyClick(page.table, Qt.Key.Key_Return)
    detail: NumberDetailDialog = await wait_for(lambda: _visible(window, NumberDetailDialog))
    assert not detail.agent_combo.isEnabled()  # its agents on their way
    detail.reject()
    page.open_primary_action()
    add: AddNumberDialog = await wait_for(lambda: _visible(window, AddNumberDialog))
    assert add.connections is None  # its connections on their way
    add.reject()
    await asyncio.sleep(0.8)  # both answers in, and then some
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not failures, [r.getMessage() for r in failures]


async def test_agents_that_could_not_be_loaded_can_be_asked_for_again(
    make_app, sandbox, faults
) -> None:
    """A number's agents that failed to load said so (with the request id) and offered
    nothing: the only way to try again was to close the number and open it again. Retry
    beside the list asks again, and the number's own agent is never lost meanwhile."""
    controller = await make_app()
    await sign_in(controller, sandbox, ADMIN)
    window = controller.window
    page = await _open_page(controller)
    row = next(r for r, n in enumerate(page.model.rows) if n.inbound_agent is not None)
    number = page.model.rows[row]
    faults([{"route": "/api/v1/agents", "status": 500}])
    page.table.setFocus()
    page.table.selectRow(row)
    QTest.keyClick(page.table, Qt.Key.Key_Return)
    detail: NumberDetailDialog = await wait_for(lambda: _visible(window, NumberDetailDialog))
    error = detail.fields["inbound_agent"][1]
    await wait_for(lambda: error.isVisible(), timeout=20, what="the agents' error")
    assert "Agents could not be loaded" in error.text() and "request id" in error.text()
    assert detail.retry_agents.isVisible() and detail.retry_agents.isEnabled()
    assert detail.agent_combo.currentData() == number.inbound_agent.id  # kept, not "Unassigned"
    assert not detail.has_changes()

    faults([])
    detail.retry_agents.setFocus()
    QTest.keyClick(detail.retry_agents, Qt.Key.Key_Space)
    scope = controller.session.scope()
    active = [a for a in await scope.agents.list() if a.active]
    await wait_for(
        lambda: detail.agent_combo.count() >= len(active) + 1, timeout=20, what="the agents"
    )
    assert not error.isVisible() and not detail.retry_agents.isVisible()
    assert detail.agent_combo.isEnabled() and detail.agent_combo.hasFocus()
    assert detail.agent_combo.currentData() == number.inbound_agent.id
    detail.activateWindow()
    detail.label_edit.setFocus()
    await wait_for(detail.label_edit.hasFocus, what="the label field focused")
    QTest.keyClick(detail.label_edit, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)
    # Its label's Alt key reaches the list, past the row it shares with Retry.
    await wait_for(detail.agent_combo.hasFocus, what="Alt+A on the agents")
    detail.reject()


async def test_prices_that_could_not_be_loaded_can_be_asked_for_again(
    make_app, sandbox, faults
) -> None:
    """Buying a number, prices that failed to load said so at the country and offered
    nothing: only choosing another country and back asked again. Retry beside it does."""
    controller = await make_app()
    await sign_in(controller, sandbox, ADMIN)
    window = controller.window
    page = await _open_page(controller)
    faults([{"route": "/api/v1/phone_numbers/pricing*", "status": 500}])
    page.open_primary_action()
    dialog: AddNumberDialog = await wait_for(lambda: _visible(window, AddNumberDialog))
    await wait_for(lambda: dialog.purchase_radio.isChecked(), timeout=20, what="buying offered")
    error = dialog.sections.field("purchase", "country")[1]
    await wait_for(lambda: error.isVisible(), timeout=30, what="the prices' error")
    assert "request id" in error.text()
    assert dialog.retry_prices.isVisible() and dialog.pricing is None
    assert not dialog.submit_button.isEnabled()

    faults([])
    dialog.retry_prices.click()
    await wait_for(lambda: dialog.pricing is not None, timeout=20, what="the prices")
    assert not error.isVisible() and not dialog.retry_prices.isVisible()
    assert dialog.available_table.rowCount() > 0
    dialog.reject()
