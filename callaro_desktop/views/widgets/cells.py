"""Table cells that a narrow column cuts short: a shorter form first, the whole text on hover.

A model offers a cell's short form through `SHORT_ROLE` (a date without its time, "Operator"
for "Tenant Operator"). `ShortFormDelegate` draws it where the whole text does not fit its
column, before anything is cut with "…": "28 Nov 2026" says more than "28 Nov 2026, 1…".
Every cell drawn shorter than it is, either way, shows its whole text as a tooltip, unless the
model gives that cell a tooltip of its own (which says more). Screen readers and copies read
the model's text, always whole.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QToolTip,
    QWidget,
)

SHORT_ROLE = int(Qt.ItemDataRole.UserRole) + 42

_DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)

Index = QModelIndex | QPersistentModelIndex


class CellDelegate(QStyledItemDelegate):
    """Qt's own painting, and the whole text as a tooltip where the cell is cut short.

    Only `helpEvent` is Python's: the paint stays Qt's, so a table of these costs nothing
    more to draw than one of Qt's delegates. Subclasses that draw differently say how much
    of a cell they cut (`cut`) and what the whole is (`whole_text`)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._margin: int | None = None

    def text_margin(self, option: QStyleOptionViewItem) -> int:
        """The margin the style leaves on each side of a cell's text."""
        if self._margin is None:
            widget = option.widget
            style = widget.style() if widget is not None else QApplication.style()
            metric = QStyle.PixelMetric.PM_FocusFrameHMargin
            self._margin = style.pixelMetric(metric, option, widget) + 1
        return self._margin

    def text_room(self, option: QStyleOptionViewItem) -> int:
        """The width a cell's text has."""
        return option.rect.width() - 2 * self.text_margin(option)

    def whole_text(self, index: Index) -> str:
        return str(index.data(_DISPLAY) or "")

    def cut(self, option: QStyleOptionViewItem, index: Index) -> bool:
        """Whether the cell, drawn in `option.rect`, shows less than its whole text."""
        text = self.whole_text(index)
        return option.fontMetrics.horizontalAdvance(text) > self.text_room(option)

    def helpEvent(
        self,
        event: QHelpEvent,
        view: QAbstractItemView,
        option: QStyleOptionViewItem,
        index: Index,
    ) -> bool:
        if (
            event.type() == QEvent.Type.ToolTip
            and index.isValid()
            and not index.data(_TOOLTIP)
            and self.cut(option, index)
        ):
            QToolTip.showText(event.globalPos(), self.whole_text(index), view, option.rect)
            return True
        return super().helpEvent(event, view, option, index)


class ShortFormDelegate(CellDelegate):
    """For a column whose cells have a short form. Where one visible cell's whole text does not
    fit the column, every visible cell shows its short form: the column reads alike, not
    "08 Jul 2025, 15:14" above "30 Sep 2026"."""

    def __init__(self, view: QTableView) -> None:
        super().__init__(view)
        self._view = view
        # (column, width) -> whether the column shows short forms, for the rows on screen:
        # forgotten when other rows come into view or the rows change. (Asked for each cell
        # painted, the answer must cost a lookup, not a look at the rows.)
        self._short: dict[tuple[int, int], bool] = {}
        model = view.model()
        scroll = view.verticalScrollBar()
        for signal in (
            model.modelReset,
            model.layoutChanged,
            model.rowsInserted,
            model.rowsRemoved,
            model.dataChanged,
            scroll.valueChanged,
            scroll.rangeChanged,
        ):
            signal.connect(lambda *_: self._short.clear())

    def short_column(self, option: QStyleOptionViewItem, column: int) -> bool:
        """Whether `column`, `option.rect` wide, shows its cells' short forms."""
        key = (column, option.rect.width())
        short = self._short.get(key)
        if short is None:
            view = self._view
            model = view.model()
            top = max(view.rowAt(0), 0)
            bottom = view.rowAt(view.viewport().height() - 1)
            if bottom < 0:
                bottom = model.rowCount() - 1
            room = self.text_room(option)
            metrics = option.fontMetrics
            short = any(
                metrics.horizontalAdvance(str(model.index(row, column).data(_DISPLAY) or "")) > room
                for row in range(top, bottom + 1)
            )
            if len(self._short) > 64:  # widths dragged through
                self._short.clear()
            self._short[key] = short
        return short

    def initStyleOption(self, option: QStyleOptionViewItem, index: Index) -> None:
        super().initStyleOption(option, index)
        # No width: Qt is asking for the cell's size (a column fitted to its contents), which
        # is the whole text's.
        if option.rect.width() <= 0 or not self.short_column(option, index.column()):
            return
        short = index.data(SHORT_ROLE)
        if short:
            option.text = str(short)

    def cut(self, option: QStyleOptionViewItem, index: Index) -> bool:
        if self.short_column(option, index.column()):
            return str(index.data(SHORT_ROLE) or "") != self.whole_text(index)
        return super().cut(option, index)
