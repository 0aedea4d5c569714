"""A row of widgets that wraps onto more rows when the width runs out.

A box layout asks for the width of all its widgets side by side: a page with one long row of
filters or totals cannot be narrower than that row, and so neither can the window (a problem
for anyone who tiles windows). A flow keeps the row while it fits, and wraps it when it does
not; each item keeps its own size, and items that belong together (a label and its field)
go in one small widget so they never part.
"""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QSizePolicy, QWidget


class FlowLayout(QLayout):
    """Left to right, wrapping; each row's items centred on the row's height."""

    def __init__(self, parent: QWidget | None = None, *, spacing: int = 12, row_gap: int = 6):
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self._row_gap = row_gap
        self.setContentsMargins(0, 0, 0, 0)

    # -- QLayout's interface ---------------------------------------------------------------

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._place(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        height = self._place(rect, move=True)
        holder = self.parentWidget()
        if holder is not None and holder.minimumHeight() != height:
            # Box layouts and splitters give a widget its minimum, not its height for a width:
            # the rows it wraps to must be part of that minimum, or they are cut off when the
            # window is short as well as narrow.
            holder.setMinimumHeight(height)

    def sizeHint(self) -> QSize:
        """Everything on one row."""
        shown = self._shown()
        width = sum(i.sizeHint().width() for i in shown) + self._spacing * max(len(shown) - 1, 0)
        height = max((i.sizeHint().height() for i in shown), default=0)
        return QSize(width, height).grownBy(self.contentsMargins())

    def minimumSize(self) -> QSize:
        """One item a row: as narrow as the widest item."""
        size = QSize()
        for item in self._shown():
            size = size.expandedTo(item.minimumSize())
        return size.grownBy(self.contentsMargins())

    # -- placing ---------------------------------------------------------------------------

    def _shown(self) -> list[QLayoutItem]:
        return [i for i in self._items if not i.isEmpty()]  # (a hidden widget's item is empty)

    def _place(self, rect: QRect, *, move: bool) -> int:
        """Lay the items out in `rect` (or only measure); returns the height they take."""
        margins: QMargins = self.contentsMargins()
        area = rect.marginsRemoved(margins)
        rows: list[list[tuple[QLayoutItem, QSize]]] = [[]]
        used = 0
        for item in self._shown():
            size = item.sizeHint().boundedTo(QSize(area.width(), item.sizeHint().height()))
            size = size.expandedTo(item.minimumSize())
            step = size.width() + (self._spacing if rows[-1] else 0)
            if rows[-1] and used + step > area.width():
                rows.append([])
                used, step = 0, size.width()
            rows[-1].append((item, size))
            used += step
        y = area.top()
        for row in rows:
            height = max((size.height() for _item, size in row), default=0)
            x = area.left()
            for item, size in row:
                if move:
                    top = y + (height - size.height()) // 2
                    item.setGeometry(QRect(QPoint(x, top), size))
                x += size.width() + self._spacing
            y += height + self._row_gap
        taken = y - area.top() - (self._row_gap if rows[0] else 0)
        return max(taken, 0) + margins.top() + margins.bottom()


def flow_widget(*parts: QWidget, spacing: int = 12, row_gap: int = 6) -> QWidget:
    """A widget holding `parts` in a FlowLayout, sized to wrap inside any box layout."""
    holder = QWidget()
    flow = FlowLayout(holder, spacing=spacing, row_gap=row_gap)
    for part in parts:
        flow.addWidget(part)
    policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
    policy.setHeightForWidth(True)
    holder.setSizePolicy(policy)
    return holder
