"""A stacked bar chart painted with QPainter, and the same numbers as a table.

Qt Charts is deprecated and the Addons are not shipped, and a few dozen rectangles do not
need them. The chart knows nothing of the app: it is given series (name and a colour slot),
bars (a label and one integer per series, e.g. paise) and two formatters. Colours come from
the palette and theme tokens at paint time, so the chart follows a light/dark switch.

Every number the chart draws is reachable without a mouse: a tooltip per bar, arrow keys
that walk the bars (the current bar's numbers become the accessible description), and
`ChartTableModel` for the same data as rows, which `ChartPanel` toggles to.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFocusEvent,
    QFont,
    QFontMetrics,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QStackedWidget,
    QTableView,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from callaro_desktop.i18n import tr
from callaro_desktop.views import theme

Format = Callable[[int], str]
Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    slot: int  # which series colour; fixed per key so a filtered chart keeps its colours


@dataclass(frozen=True)
class Bar:
    label: str  # short, under the axis ("27 Nov")
    title: str  # long, in the tooltip and table ("Fri 27 Nov 2026")
    values: tuple[int, ...]  # one per series, same order

    @property
    def total(self) -> int:
        return sum(self.values)


def series_colour(slot: int, palette: QPalette) -> QColor:
    """Series colours from the palette and theme tokens, distinct in light and dark."""
    tokens = theme.tokens()
    colours = [
        palette.color(QPalette.ColorRole.Highlight),
        QColor(tokens.success),
        QColor(tokens.warning),
        QColor(tokens.danger),
    ]
    return colours[slot % len(colours)]


def nice_ceiling(value: int, steps: int = 4, min_step: int = 1) -> tuple[int, int]:
    """(top, step): a round axis top >= value in `steps` round steps (1, 2, 2.5, 3 ... x 10^k)."""
    if value <= 0:
        return steps * min_step, min_step
    raw = max(value / steps, min_step)
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 3, 4, 5, 6, 8, 10):
        step = factor * magnitude
        if step >= raw:
            step_int = max(min_step, math.ceil(step))
            return step_int * steps, step_int
    raise AssertionError("unreachable")  # pragma: no cover - factor 10 always fits


class Swatch(QWidget):
    """A small rounded square in a series colour, for legends beside the chart."""

    def __init__(self, slot: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.slot = slot
        self.setFixedSize(12, 12)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(series_colour(self.slot, self.palette()))
        painter.drawRoundedRect(QRectF(self.rect()), 3, 3)


class StackedBarChart(QWidget):
    current_changed = Signal(int)

    def __init__(
        self,
        format_value: Format,
        format_axis: Format | None = None,
        parent: QWidget | None = None,
        *,
        min_step: int = 1,
    ) -> None:
        super().__init__(parent)
        self.format_value = format_value
        self.format_axis = format_axis or format_value
        self.min_step = min_step  # e.g. 100 paise, so axis labels in whole rupees never repeat
        self.series: list[Series] = []
        self.bars: list[Bar] = []
        self.summary = ""
        self.empty_text = tr("Nothing to show for this range")
        self.current = -1  # keyboard cursor, -1 for none
        self.hovered = -1
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumHeight(150)
        self.setAccessibleName(tr("Chart"))

    # -- data -------------------------------------------------------------------------

    def set_data(self, series: Sequence[Series], bars: Sequence[Bar], summary: str) -> None:
        self.series = list(series)
        self.bars = list(bars)
        self.summary = summary
        self.current = min(self.current, len(self.bars) - 1)
        self.hovered = -1
        self._describe()
        self.update()

    def tooltip_text(self, index: int) -> str:
        bar = self.bars[index]
        lines = [f"<b>{bar.title}</b>"]
        for series, value in zip(self.series, bar.values, strict=True):
            colour = series_colour(series.slot, self.palette()).name()
            lines.append(
                f"<span style='color:{colour}'>■</span> {series.label}: {self.format_value(value)}"
            )
        if len(self.series) > 1:
            lines.append(tr("Total: {0}").format(self.format_value(bar.total)))
        return "<br>".join(lines)

    def plain_text(self, index: int) -> str:
        bar = self.bars[index]
        parts = [
            f"{s.label} {self.format_value(v)}"
            for s, v in zip(self.series, bar.values, strict=True)
        ]
        return tr("{0}: {1}; total {2}").format(
            bar.title, ", ".join(parts), self.format_value(bar.total)
        )

    def _describe(self) -> None:
        text = self.summary
        if 0 <= self.current < len(self.bars):
            text = f"{text} {tr('Selected')}: {self.plain_text(self.current)}"
        self.setAccessibleDescription(text.strip())

    # -- geometry ---------------------------------------------------------------------

    def sizeHint(self) -> QSize:
        return QSize(640, 240)

    def _axis_top(self) -> tuple[int, int]:
        return nice_ceiling(max((b.total for b in self.bars), default=0), min_step=self.min_step)

    def _plot_rect(self) -> QRectF:
        metrics = QFontMetrics(self.font())
        top, step = self._axis_top()
        widest = max(
            metrics.horizontalAdvance(self.format_axis(v)) for v in range(0, top + 1, step)
        )
        left = widest + 12
        return QRectF(left, 8, max(1.0, self.width() - left - 8), max(1.0, self.height() - 36))

    def _slot_width(self, plot: QRectF) -> float:
        return plot.width() / max(1, len(self.bars))

    def bar_at(self, pos: QPoint) -> int:
        plot = self._plot_rect()
        if not self.bars or not (plot.left() <= pos.x() < plot.right()):
            return -1
        if not (0 <= pos.y() <= plot.bottom()):
            return -1
        index = int((pos.x() - plot.left()) / self._slot_width(plot))
        return index if 0 <= index < len(self.bars) else -1

    def bar_rect(self, index: int) -> QRectF:
        plot = self._plot_rect()
        width = self._slot_width(plot)
        return QRectF(plot.left() + index * width, plot.top(), width, plot.height())

    # -- painting ---------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        palette = self.palette()
        tokens = theme.tokens()
        muted = QColor(tokens.muted_text)
        grid = QColor(tokens.border)
        plot = self._plot_rect()
        top, step = self._axis_top()
        metrics = QFontMetrics(self.font())

        empty = not self.bars or all(b.total == 0 for b in self.bars)
        # Grid lines and value labels; with nothing to show, only the baseline.
        painter.setPen(QPen(grid, 1))
        for value in range(0, 1 if empty else top + 1, step):
            y = plot.bottom() - plot.height() * value / top
            painter.setPen(QPen(grid, 1))
            painter.drawLine(int(plot.left()), int(y), int(plot.right()), int(y))
            painter.setPen(muted)
            label = self.format_axis(value)
            painter.drawText(
                QRectF(0, y - metrics.height() / 2, plot.left() - 8, metrics.height()),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                label,
            )

        if empty:
            painter.setPen(muted)
            painter.drawText(plot, int(Qt.AlignmentFlag.AlignCenter), self.empty_text)
            self._paint_x_labels(painter, plot, metrics, muted)
            return

        width = self._slot_width(plot)
        gap = width * 0.22 if width >= 6 else 0.0
        highlight = QColor(palette.color(QPalette.ColorRole.Highlight))
        highlight.setAlpha(40)
        for index, bar in enumerate(self.bars):
            x = plot.left() + index * width
            if index in (self.hovered, self.current):
                painter.fillRect(QRectF(x, plot.top(), width, plot.height()), highlight)
            bottom = plot.bottom()
            for series, value in zip(self.series, bar.values, strict=True):
                if value <= 0:
                    continue
                height = plot.height() * value / top
                painter.fillRect(
                    QRectF(x + gap / 2, bottom - height, max(1.0, width - gap), height),
                    series_colour(series.slot, palette),
                )
                bottom -= height

        if self.hasFocus() and 0 <= self.current < len(self.bars):
            pen = QPen(palette.color(QPalette.ColorRole.Highlight), 1, Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.drawRect(self.bar_rect(self.current).adjusted(0, 0, -1, -1))
        self._paint_x_labels(painter, plot, metrics, muted)

    def _paint_x_labels(
        self, painter: QPainter, plot: QRectF, metrics: QFontMetrics, colour: QColor
    ) -> None:
        if not self.bars:
            return
        width = self._slot_width(plot)
        widest = max(metrics.horizontalAdvance(b.label) for b in self.bars) + 12
        # Evenly spaced when every bar has a label; bars with an empty label are never marked.
        every = max(1, math.ceil(widest / width)) if all(b.label for b in self.bars) else 1
        painter.setPen(colour)
        last_right = -math.inf
        for index in range(0, len(self.bars), every):
            text = self.bars[index].label
            if not text:
                continue
            centre = plot.left() + (index + 0.5) * width
            box = metrics.horizontalAdvance(text) + 12
            # Kept inside the widget: the last label would otherwise hang off the right edge.
            left = max(0.0, min(centre - box / 2, self.width() - box))
            if left < last_right:
                continue
            last_right = left + box
            painter.drawText(
                QRectF(left, plot.bottom() + 4, box, metrics.height() + 4),
                int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop),
                text,
            )

    # -- interaction ------------------------------------------------------------------

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            index = self.bar_at(event.pos())
            if index >= 0:
                QToolTip.showText(
                    event.globalPos(), self.tooltip_text(index), self, self.bar_rect(index).toRect()
                )
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        if event.type() == QEvent.Type.PaletteChange:
            self.update()
        return super().event(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        index = self.bar_at(event.position().toPoint())
        if index != self.hovered:
            self.hovered = index
            self.update()
        super().mouseMoveEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        self.hovered = -1
        self.update()
        super().leaveEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        index = self.bar_at(event.position().toPoint())
        if index >= 0:
            self.set_current(index)
        super().mousePressEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self.bars:
            super().keyPressEvent(event)
            return
        key = event.key()
        moves = {
            Qt.Key.Key_Left: self.current - 1,
            Qt.Key.Key_Right: self.current + 1,
            Qt.Key.Key_Home: 0,
            Qt.Key.Key_End: len(self.bars) - 1,
        }
        if key not in moves:
            super().keyPressEvent(event)
            return
        target = moves[Qt.Key(key)]
        if self.current < 0:
            target = 0 if key != Qt.Key.Key_End else len(self.bars) - 1
        self.set_current(max(0, min(len(self.bars) - 1, target)))
        rect = self.bar_rect(self.current)
        QToolTip.showText(
            self.mapToGlobal(rect.center().toPoint()),
            self.tooltip_text(self.current),
            self,
            rect.toRect(),
        )

    def set_current(self, index: int) -> None:
        if index != self.current:
            self.current = index
            self._describe()
            self.current_changed.emit(index)
            self.update()

    def focusInEvent(self, event: QFocusEvent) -> None:
        self.update()
        super().focusInEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self.update()
        super().focusOutEvent(event)


class ChartTableModel(QAbstractTableModel):
    """The chart's numbers as rows (one per bar) and a last row of totals."""

    def __init__(self, format_value: Format, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.format_value = format_value
        self.first_column = tr("Date")
        self.series: list[Series] = []
        self.bars: list[Bar] = []

    def set_data(self, series: Sequence[Series], bars: Sequence[Bar], first_column: str) -> None:
        self.beginResetModel()
        self.series = list(series)
        self.bars = list(bars)
        self.first_column = first_column
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or not self.bars else len(self.bars) + 1

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.series) + 2

    def _values(self, row: int) -> tuple[str, tuple[int, ...]]:
        if row < len(self.bars):
            return self.bars[row].title, self.bars[row].values
        sums = tuple(sum(b.values[i] for b in self.bars) for i in range(len(self.series)))
        return tr("Total"), sums

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        title, values = self._values(index.row())
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return title
            if column <= len(values):
                return self.format_value(values[column - 1])
            return self.format_value(sum(values))
        if role == Qt.ItemDataRole.TextAlignmentRole and column > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and index.row() == len(self.bars):
            font = QFont()
            font.setBold(True)
            return font
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if section == 0:
            return self.first_column
        if section <= len(self.series):
            return self.series[section - 1].label
        return tr("Total")


class ChartPanel(QWidget):
    """The chart, or the same numbers as a table, with a Chart/Table toggle."""

    def __init__(
        self,
        format_value: Format,
        format_axis: Format | None = None,
        parent: QWidget | None = None,
        *,
        min_step: int = 1,
    ) -> None:
        super().__init__(parent)
        self.chart = StackedBarChart(format_value, format_axis, min_step=min_step)
        self.model = ChartTableModel(format_value, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName(tr("Chart data table"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(26)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setHighlightSections(False)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.chart)
        self.stack.addWidget(self.table)

        self.chart_button = QPushButton(tr("&Chart"))
        self.chart_button.setAccessibleName(tr("Show as chart"))
        self.table_button = QPushButton(tr("Ta&ble"))
        self.table_button.setAccessibleName(tr("Show as table"))
        self.toggle = QButtonGroup(self)
        self.toggle.setExclusive(True)
        for index, button in enumerate((self.chart_button, self.table_button)):
            button.setCheckable(True)
            button.setAutoDefault(False)
            self.toggle.addButton(button, index)
        self.chart_button.setChecked(True)
        self.toggle.idToggled.connect(self._on_toggled)
        self.switch = QWidget()
        row = QHBoxLayout(self.switch)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.chart_button)
        row.addWidget(self.table_button)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.stack, 1)

    def set_data(
        self, series: Sequence[Series], bars: Sequence[Bar], summary: str, first_column: str
    ) -> None:
        self.chart.set_data(series, bars, summary)
        self.model.set_data(series, bars, first_column)

    def show_table(self, table: bool) -> None:
        (self.table_button if table else self.chart_button).setChecked(True)

    @property
    def showing_table(self) -> bool:
        return self.stack.currentWidget() is self.table

    def _on_toggled(self, button_id: int, checked: bool) -> None:
        if checked:
            self.stack.setCurrentIndex(button_id)
