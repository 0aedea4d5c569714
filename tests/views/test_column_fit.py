"""Columns share a narrow table while they are the page's, and are left alone once the
user's; a header's restore is nobody's click."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QHeaderView, QTableView
from pytestqt.qtbot import QtBot

from callaro_desktop.views.widgets.column_fit import ColumnFitter, restore_layout, restoring

TITLES = ["Name", "Status", "Agent", "Provider", "Created"]
WIDTHS = [220, 120, 170, 190, 170]  # the last is the header's default: it stretches


def _table(qtbot: QtBot) -> tuple[QTableView, QHeaderView, ColumnFitter, list[str]]:
    model = QStandardItemModel(12, len(TITLES))
    model.setHorizontalHeaderLabels(TITLES)
    for row in range(12):
        for column in range(len(TITLES)):
            model.setItem(row, column, QStandardItem(f"{TITLES[column]} of row {row}"))
    model.setItem(3, 1, QStandardItem("Deactivated, a long one"))
    table = QTableView()
    qtbot.addWidget(table)
    table.setModel(model)
    header = table.horizontalHeader()
    header.setStretchLastSection(True)
    header.setDefaultSectionSize(170)
    for column, width in enumerate(WIDTHS[:-1]):
        header.resizeSection(column, width)
    fitter = ColumnFitter(table)
    fitter.lay_out(firm=[1])  # the page's widths, as set above
    taken: list[str] = []
    fitter.taken.connect(lambda: taken.append("taken"))
    table.resize(1100, 400)
    table.show()
    qtbot.waitExposed(table)
    fitter.own()
    return table, header, fitter, taken


def _sizes(header: QHeaderView) -> list[int]:
    return [header.sectionSize(c) for c in range(header.count() - 1)]


def test_the_columns_share_a_narrow_table_in_the_pages_proportions(qtbot: QtBot) -> None:
    table, header, fitter, taken = _table(qtbot)
    assert _sizes(header) == WIDTHS[:-1]  # room for all: the page's own widths

    table.resize(560, 400)
    qtbot.waitUntil(lambda: header.length() <= table.viewport().width())
    narrow = _sizes(header)
    assert all(narrow[c] < WIDTHS[c] for c in (0, 2, 3))
    # In proportion (Name stays wider than Agent), no title cut, the firm column whole.
    assert narrow[0] > narrow[2]
    metrics = header.fontMetrics()
    for column, title in enumerate(TITLES):
        assert header.sectionSize(column) >= metrics.horizontalAdvance(title)
    assert narrow[1] == WIDTHS[1]  # the firm column keeps the page's width
    assert fitter.owned and not taken

    table.resize(1100, 400)
    qtbot.waitUntil(lambda: _sizes(header) == WIDTHS[:-1])


def test_a_column_the_user_drags_makes_them_theirs_until_given_back(qtbot: QtBot) -> None:
    table, header, fitter, taken = _table(qtbot)
    layout = header.saveState()
    table.resize(560, 400)
    qtbot.waitUntil(lambda: header.length() <= table.viewport().width())
    shared = _sizes(header)

    header.resizeSection(0, 160)  # as a drag does, a resize at a time
    header.resizeSection(0, 150)
    assert not fitter.owned and taken == ["taken", "taken"]
    table.resize(900, 400)
    qtbot.waitUntil(lambda: table.viewport().width() > 800)
    assert header.sectionSize(0) == 150  # the user's, at any width
    table.resize(560, 400)
    qtbot.waitUntil(lambda: table.viewport().width() < 600)
    assert header.sectionSize(0) == 150

    # Given back (Reset column widths): no drag, no click, and shared out again.
    sorted_by: list[tuple[int, Qt.SortOrder]] = []
    header.sortIndicatorChanged.connect(lambda s, o: sorted_by.append((s, o)))
    marked: list[bool] = []
    header.sortIndicatorChanged.connect(lambda _s, _o: marked.append(restoring(header)))
    restore_layout(header, layout)
    assert sorted_by and all(marked)  # Qt announces the sort; it is marked as a restore
    assert taken == ["taken", "taken"]  # and the restore's resizes are no user's either
    fitter.own()
    assert fitter.owned
    qtbot.waitUntil(lambda: _sizes(header) == shared)

    # Moving a column is the user's too.
    header.moveSection(2, 3)
    assert not fitter.owned and taken == ["taken", "taken", "taken"]


def test_hiding_a_column_is_no_drag_and_its_room_is_shared(qtbot: QtBot) -> None:
    table, header, fitter, taken = _table(qtbot)
    table.resize(560, 400)
    qtbot.waitUntil(lambda: header.length() <= table.viewport().width())
    agent = header.sectionSize(2)
    fitter.show_section(3, False)
    qtbot.wait(50)  # (Qt says a hidden section resized to nothing later, from the loop)
    assert header.isSectionHidden(3)
    assert fitter.owned and not taken  # still the page's: fitted
    assert header.sectionSize(2) > agent
    assert header.length() <= table.viewport().width()
    fitter.show_section(3, True)
    qtbot.wait(50)
    assert not header.isSectionHidden(3) and fitter.owned and not taken
    assert header.sectionSize(2) == agent
    # Out of sight (a workspace's view put back while its rows load) alike, the layout
    # restored first as a reset does.
    layout = header.saveState()
    table.hide()
    restore_layout(header, layout)
    fitter.show_section(3, False)
    fitter.own()
    table.show()
    qtbot.waitExposed(table)
    qtbot.wait(50)
    assert fitter.owned and not taken
    assert header.sectionSize(2) > agent


def test_a_filler_column_takes_what_a_wide_table_leaves_and_shares_a_narrow_one(
    qtbot: QtBot,
) -> None:
    """Where the last column does not stretch (Usage: the amount last, Description between),
    the filler takes the room left over; narrow, it shares like the rest."""
    table, header, fitter, _taken = _table(qtbot)
    header.setStretchLastSection(False)
    header.resizeSection(4, 170)
    fitter.lay_out(firm=[1], filler=2)  # Agent fills
    fitter.own()
    room = table.viewport().width()
    assert header.length() == room  # to the table's edge, nothing scrolls sideways
    assert header.sectionSize(2) == room - (220 + 120 + 190 + 170)
    assert [header.sectionSize(c) for c in (0, 1, 3, 4)] == [220, 120, 190, 170]

    table.resize(600, 400)
    qtbot.waitUntil(lambda: header.length() <= table.viewport().width())
    assert header.sectionSize(2) < 170 and header.sectionSize(1) == 120
    assert header.sectionSize(0) > header.sectionSize(2)  # in the page's proportions
    assert fitter.owned
