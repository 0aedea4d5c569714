"""The command palette (Ctrl+K / Cmd+K): one fuzzy list of workspaces, pages and actions.

The window hands it entries each time it opens (so they reflect the current account,
role and pins); typing ranks them with services/fuzzy.py, Enter runs the highlighted
one, Esc closes. Each action shows its shortcut so the palette also teaches them.

An entry the highlight rests on gets its `ahead` called (a workspace sends its requests
ahead of the switch, Session.anticipate); closing without running one says `dismissed`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QHideEvent, QKeyEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLabel,
    QLineEdit,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from callaro_desktop.i18n import tr
from callaro_desktop.services.fuzzy import rank
from callaro_desktop.views import theme
from callaro_desktop.views.widgets.dwell import Dwell
from callaro_desktop.views.widgets.placement import show_on_screen

MAX_SHOWN = 60
PALETTE_WIDTH = 620
PALETTE_NARROWEST = 420
KIND_LABELS = {"tenant": "Workspace", "page": "Page", "action": "Action"}


@dataclass(frozen=True)
class PaletteEntry:
    kind: str  # "tenant" | "page" | "action"
    title: str
    run: Callable[[], object] = field(compare=False)
    detail: str = ""
    shortcut: str = ""
    # Recent workspaces and common actions float up for an empty or short query.
    boost: int = 0
    # Called when the highlight rests on the entry: what running it will need, asked now.
    ahead: Callable[[], object] | None = field(default=None, compare=False)

    @property
    def search_text(self) -> str:
        return f"{self.title} {self.detail}".strip()


class _Model(QAbstractListModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[PaletteEntry] = []

    def set_rows(self, rows: list[PaletteEntry]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if not index.isValid():
            return None
        entry = self.rows[index.row()]
        kind = tr(KIND_LABELS.get(entry.kind, entry.kind))
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{entry.title}  —  {entry.detail}" if entry.detail else entry.title
        if role == _RIGHT_ROLE:
            return f"{kind}" + (f"  ·  {entry.shortcut}" if entry.shortcut else "")
        if role == Qt.ItemDataRole.AccessibleTextRole:
            shortcut = tr(", shortcut {0}").format(entry.shortcut) if entry.shortcut else ""
            return f"{kind}: {entry.search_text}{shortcut}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return entry.detail or None
        return None


_RIGHT_ROLE = Qt.ItemDataRole.UserRole + 1


class _Delegate(QStyledItemDelegate):
    """Title on the left; kind and shortcut, muted, on the right."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        right = str(index.data(_RIGHT_ROLE) or "")
        opt.text = ""
        style = opt.widget.style() if opt.widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        rect = opt.rect.adjusted(10, 0, -10, 0)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        group = QPalette.ColorGroup.Normal
        text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.save()
        metrics = opt.fontMetrics
        right_width = metrics.horizontalAdvance(right) + 12
        painter.setPen(opt.palette.color(group, text_role))
        title = metrics.elidedText(
            str(index.data(Qt.ItemDataRole.DisplayRole) or ""),
            Qt.TextElideMode.ElideRight,
            rect.width() - right_width,
        )
        align = Qt.AlignmentFlag.AlignVCenter
        painter.drawText(rect, align | Qt.AlignmentFlag.AlignLeft, title)
        muted = opt.palette.color(
            group, text_role if selected else QPalette.ColorRole.PlaceholderText
        )
        painter.setPen(muted)
        painter.drawText(rect, align | Qt.AlignmentFlag.AlignRight, right)
        painter.restore()

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        size = super().sizeHint(option, index)
        return QSize(size.width(), max(size.height(), option.fontMetrics.height() + 14))


class CommandPalette(QDialog):
    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setObjectName("CommandPalette")
        self.setAccessibleName(tr("Command palette"))
        self.query = QLineEdit()
        self.query.setPlaceholderText(tr("Type a workspace, page or action…"))
        self.query.setAccessibleName(tr("Command palette search"))
        self.query.setClearButtonEnabled(True)
        self.model = _Model(self)
        self.list = QListView()
        self.list.setAccessibleName(tr("Matches"))
        self.list.setModel(self.model)
        self.list.setUniformItemSizes(True)
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list.setItemDelegate(_Delegate(self.list))
        self.hint = QLabel(tr("Enter to run · Esc to close · ↑↓ to choose"))
        self.hint.setProperty("muted", True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 10, 10, 8)
        lay.addWidget(self.query)
        lay.addWidget(self.list, 1)
        lay.addWidget(self.hint)
        self.resize(PALETTE_WIDTH, 420)
        self._entries: Sequence[PaletteEntry] = []
        self.query.textChanged.connect(self._refilter)
        self.query.installEventFilter(self)
        self.list.clicked.connect(lambda index: self._run(index.row()))
        self._dwell = Dwell(self)
        self._dwell.settled.connect(self._ahead)
        self.list.selectionModel().currentChanged.connect(
            lambda index, _old: self._dwell.consider(self._ahead_of(index.row()))
        )
        self.list.setMouseTracking(True)  # (entered: the mouse resting on an entry)
        self.list.entered.connect(lambda index: self._dwell.consider(self._ahead_of(index.row())))
        self._ran = False

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        painter = QPainter(self)
        painter.setPen(theme.popup_edge(self.palette().color(QPalette.ColorRole.Window)))
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        painter.end()

    def open_with(self, entries: Sequence[PaletteEntry]) -> None:
        self._entries = entries
        self._ran = False
        self.query.clear()
        self._refilter()
        parent = self.parentWidget()
        if parent is not None:
            # Within a narrow window's width (one snapped to half a screen), and on screen.
            self.resize(max(PALETTE_NARROWEST, min(PALETTE_WIDTH, parent.width() - 40)), 420)
            top = parent.mapToGlobal(parent.rect().topLeft())
            centred = top.x() + (parent.width() - self.width()) // 2
            show_on_screen(self, QPoint(centred, top.y() + 60))
        else:
            self.show()
        self.query.setFocus()

    def _refilter(self) -> None:
        text = self.query.text().strip()
        if not text:
            rows = sorted(self._entries, key=lambda e: -e.boost)[:MAX_SHOWN]
        else:
            matches = rank(
                text, self._entries, lambda e: e.search_text, boost=lambda e: e.boost // 4
            )
            rows = [m.item for m in matches[:MAX_SHOWN]]
        self.model.set_rows(rows)
        if rows:
            self.list.setCurrentIndex(self.model.index(0, 0))

    def _run(self, row: int) -> None:
        if 0 <= row < len(self.model.rows):
            entry = self.model.rows[row]
            self._ran = True
            self.hide()
            entry.run()

    def _ahead_of(self, row: int) -> PaletteEntry | None:
        if 0 <= row < len(self.model.rows) and self.model.rows[row].ahead is not None:
            return self.model.rows[row]
        return None

    @staticmethod
    def _ahead(entry: object) -> None:
        if isinstance(entry, PaletteEntry) and entry.ahead is not None:
            entry.ahead()

    def hideEvent(self, event: QHideEvent) -> None:
        self._dwell.cancel()
        if not self._ran:
            self.dismissed.emit()
        super().hideEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.query
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
        ):
            key = event.key()
            current = self.list.currentIndex().row()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                step = 1 if key == Qt.Key.Key_Down else -1
                row = max(0, min(len(self.model.rows) - 1, current + step))
                self.list.setCurrentIndex(self.model.index(row, 0))
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._run(current)
                return True
            if key == Qt.Key.Key_Escape:
                self.hide()
                return True
        return super().eventFilter(watched, event)
