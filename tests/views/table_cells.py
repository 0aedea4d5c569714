"""What a table's cell shows, what hovering it says, where Tab goes: as the user meets them."""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QStyleOptionViewItem, QTableView, QToolTip

from callaro_desktop.views.widgets.cells import CellDelegate


def _cell(table: QTableView, row: int, column: int) -> tuple[CellDelegate, QStyleOptionViewItem]:
    """The cell's delegate, and the option it is drawn with as the table lays it out now."""
    index = table.model().index(row, column)
    delegate = table.itemDelegateForIndex(index)
    assert isinstance(delegate, CellDelegate)
    option = QStyleOptionViewItem()
    option.initFrom(table.viewport())
    option.rect = table.visualRect(index)
    option.widget = table
    delegate.initStyleOption(option, index)
    return delegate, option


def shown_text(table: QTableView, row: int, column: int) -> str:
    """The text the delegate draws in the cell, as the table lays it out now."""
    return _cell(table, row, column)[1].text


def is_cut(table: QTableView, row: int, column: int) -> bool:
    """Whether the cell shows less than its whole (text cut short, a pill or badge left out)."""
    delegate, option = _cell(table, row, column)
    return delegate.cut(option, table.model().index(row, column))


def hovered_tip(table: QTableView, row: int, column: int) -> str:
    """Hover the cell as the mouse does; the tooltip it shows, "" if none."""
    QToolTip.hideText()  # (it fades out: wait, or it would be read as this cell's)
    QApplication.processEvents()
    deadline = time.monotonic() + 5
    while QToolTip.isVisible() and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.01)
    centre = table.visualRect(table.model().index(row, column)).center()
    viewport = table.viewport()
    event = QHelpEvent(QEvent.Type.ToolTip, centre, viewport.mapToGlobal(centre))
    QApplication.sendEvent(viewport, event)
    return QToolTip.text() if QToolTip.isVisible() else ""


async def tab_leaves(table: QTableView) -> bool:
    """Focus `table` (on its first cell) and press Tab: whether focus left it, no cell walked."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from .conftest import wait_for

    table.window().activateWindow()
    table.setFocus()
    await wait_for(table.hasFocus, what="the table focused")
    if table.model().rowCount():
        table.setCurrentIndex(table.model().index(0, 0))
    QTest.keyClick(table, Qt.Key.Key_Tab)
    return QApplication.focusWidget() is not table and table.currentIndex().column() <= 0
