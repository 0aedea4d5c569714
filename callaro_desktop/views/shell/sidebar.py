"""The sidebar: groups of pages, hidden per role, driven by keyboard or mouse.

A page the mouse rests on is reported (`considering`): the window sends that page's load
ahead, so the click that usually follows finds its data on the way.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QEvent, QModelIndex, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QAbstractItemView, QTreeWidget, QTreeWidgetItem, QWidget

from callaro_desktop.i18n import tr
from callaro_desktop.views.shell.nav import NAV, NavItem, group_title
from callaro_desktop.views.widgets.dwell import Dwell

PAGE_ROLE = Qt.ItemDataRole.UserRole + 1
_UPWARD = {
    QAbstractItemView.CursorAction.MoveUp,
    QAbstractItemView.CursorAction.MovePageUp,
    QAbstractItemView.CursorAction.MoveHome,
    QAbstractItemView.CursorAction.MovePrevious,
}


class Sidebar(QTreeWidget):
    page_selected = Signal(str)
    #: The mouse rests on this page's row: likely the next page opened.
    considering = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Sidebar")
        self.setAccessibleName(tr("Navigation"))
        self.setHeaderHidden(True)
        self.setRootIsDecorated(False)
        self.setIndentation(0)
        self.setItemsExpandable(False)
        self.setUniformRowHeights(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumWidth(190)
        self.setMaximumWidth(280)
        self._items: dict[str, QTreeWidgetItem] = {}
        self._groups: dict[str, QTreeWidgetItem] = {}
        self._build(NAV)
        self.currentItemChanged.connect(self._on_current_changed)
        self._dwell = Dwell(self)
        self._dwell.settled.connect(lambda page_id: self.considering.emit(str(page_id)))
        self.setMouseTracking(True)  # (itemEntered: the mouse resting on a page)
        self.itemEntered.connect(lambda item, _col: self._dwell.consider(item.data(0, PAGE_ROLE)))

    def leaveEvent(self, event: QEvent) -> None:
        self._dwell.cancel()
        super().leaveEvent(event)

    def _build(self, nav: Iterable[NavItem]) -> None:
        bold = QFont(self.font())
        bold.setBold(True)
        bold.setPointSizeF(bold.pointSizeF() * 0.9)
        for item in nav:
            if item.group is None:
                parent = self.invisibleRootItem()
            else:
                if item.group not in self._groups:
                    header = QTreeWidgetItem(self, [group_title(item.group).upper()])
                    # Enabled (a disabled parent greys its children) but not selectable;
                    # moveCursor below steps over it.
                    header.setFlags(Qt.ItemFlag.ItemIsEnabled)
                    header.setFont(0, bold)
                    header.setData(0, Qt.ItemDataRole.AccessibleTextRole, group_title(item.group))
                    self._groups[item.group] = header
                parent = self._groups[item.group]
            row = QTreeWidgetItem(parent, [item.title])
            row.setData(0, PAGE_ROLE, item.page_id)
            row.setData(0, Qt.ItemDataRole.AccessibleTextRole, item.title)
            self._items[item.page_id] = row
        self.expandAll()

    def moveCursor(
        self, action: QAbstractItemView.CursorAction, modifiers: Qt.KeyboardModifier
    ) -> QModelIndex:
        index = super().moveCursor(action, modifiers)
        seen = 0
        # Step over group headers (and hidden rows) in the direction of travel.
        while index.isValid() and index.data(PAGE_ROLE) is None and seen < 50:
            seen += 1
            step = self.indexAbove(index) if action in _UPWARD else self.indexBelow(index)
            if not step.isValid():
                return self.currentIndex()
            index = step
        return index

    def apply_visibility(self, shown: set[str]) -> None:
        """Show the pages `shown` (those the role may open) and hide the rest, with any
        group left empty."""
        for item in NAV:
            self._items[item.page_id].setHidden(item.page_id not in shown)
        for group, header in self._groups.items():
            header.setHidden(not any(i.group == group and i.page_id in shown for i in NAV))

    def select_page(self, page_id: str) -> None:
        row = self._items.get(page_id)
        if row is not None and self.currentItem() is not row:
            self.blockSignals(True)
            self.setCurrentItem(row)
            self.blockSignals(False)

    def visible_pages(self) -> list[str]:
        return [i.page_id for i in NAV if not self._items[i.page_id].isHidden()]

    def _on_current_changed(self, current: QTreeWidgetItem | None, _prev: object) -> None:
        if current is None:
            return
        page_id = current.data(0, PAGE_ROLE)
        if isinstance(page_id, str):
            self.page_selected.emit(page_id)
