"""The tenant switcher in the toolbar: current workspace, role, and a searchable popup.

Support staff may enter hundreds of tenants, so the popup filters as you type (by
name or id), lists favourites and recent ones first, and is driven entirely from
the keyboard: type, arrow down, Enter; Ctrl+D toggles a favourite; Esc closes.

A workspace the highlight (or the mouse) rests on is reported (`considering`): the window
sends that workspace's requests ahead, so the switch that usually follows finds them in.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QColor, QHideEvent, QIcon, QKeyEvent, QPainter, QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QVBoxLayout,
    QWidget,
)

from callaro_desktop.i18n import tr
from callaro_desktop.services.session import TenantRef
from callaro_desktop.views.widgets.dwell import Dwell
from callaro_desktop.views.widgets.placement import show_on_screen
from callaro_desktop.views.widgets.shrinking_button import ShrinkingToolButton

TENANT_ROLE = Qt.ItemDataRole.UserRole + 2


def tenant_colour(tenant_id: int) -> QColor:
    """A stable colour per tenant, so the chip is recognisable before the name is read."""
    hue = (tenant_id * 47) % 360
    return QColor.fromHsl(hue, 150, 120)


@functools.lru_cache(maxsize=256)  # (painted on every switch otherwise)
def chip_icon(tenant_id: int, size: int = 12) -> QIcon:
    pm = QPixmap(size * 2, size * 2)
    pm.setDevicePixelRatio(2.0)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setBrush(tenant_colour(tenant_id))
    p.setPen(Qt.PenStyle.NoPen)
    p.drawRoundedRect(1, 1, size - 2, size - 2, 3, 3)
    p.end()
    return QIcon(pm)


class TenantPopup(QFrame):
    chosen = Signal(int)
    favourite_toggled = Signal(int, bool)
    open_in_new_window = Signal(int)
    #: The highlight or the mouse rests on this workspace: likely the next one chosen.
    considering = Signal(int)
    #: Closed without choosing one.
    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setObjectName("TenantPopup")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName(tr("Choose a workspace"))
        self.search = QLineEdit()
        self.search.setPlaceholderText(tr("Search workspaces…"))
        self.search.setAccessibleName(tr("Search workspaces"))
        self.search.setClearButtonEnabled(True)
        self.list = QListWidget()
        self.list.setAccessibleName(tr("Workspaces"))
        self.list.setUniformItemSizes(True)
        self.list.setIconSize(QSize(12, 12))
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.count_label = QLabel()
        self.count_label.setProperty("muted", True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 8)
        lay.addWidget(self.search)
        lay.addWidget(self.list, 1)
        lay.addWidget(self.count_label)
        self.resize(360, 440)
        self.search.textChanged.connect(self._rebuild)
        self.search.installEventFilter(self)
        self.list.installEventFilter(self)
        self.list.itemActivated.connect(self._activate)
        self.list.itemClicked.connect(self._activate)
        self.list.customContextMenuRequested.connect(self._context_menu)
        self._dwell = Dwell(self)
        self._dwell.settled.connect(lambda tenant_id: self.considering.emit(int(tenant_id)))
        self.list.currentItemChanged.connect(lambda item, _old: self._consider(item))
        self.list.setMouseTracking(True)  # (itemEntered: the mouse resting on a workspace)
        self.list.itemEntered.connect(self._consider)
        self._chose = False
        self._tenants: Sequence[TenantRef] = []
        self._favourites: set[int] = set()
        self._recent: list[int] = []
        self._current: int | None = None

    def populate(
        self,
        tenants: Sequence[TenantRef],
        *,
        current: int | None,
        favourites: Sequence[int],
        recent: Sequence[int],
    ) -> None:
        self._tenants = tenants
        self._current = current
        self._favourites = set(favourites)
        self._recent = list(recent)
        self._chose = False
        self.search.clear()
        self._rebuild()

    def _consider(self, item: QListWidgetItem | None) -> None:
        tenant_id = item.data(TENANT_ROLE) if item is not None else None
        self._dwell.consider(None if tenant_id is None else int(tenant_id))

    def hideEvent(self, event: QHideEvent) -> None:
        self._dwell.cancel()
        if not self._chose:
            self.dismissed.emit()
        super().hideEvent(event)

    def _rebuild(self) -> None:
        query = self.search.text().strip().casefold()

        def matches(t: TenantRef) -> bool:
            return not query or query in t.name.casefold() or query == str(t.id)

        by_id = {t.id: t for t in self._tenants}
        favourites = [by_id[i] for i in sorted(self._favourites) if i in by_id]
        favourites.sort(key=lambda t: t.name.casefold())
        recent = [by_id[i] for i in self._recent if i in by_id and i not in self._favourites]
        shown = {t.id for t in favourites} | {t.id for t in recent}
        rest = sorted(
            (t for t in self._tenants if t.id not in shown), key=lambda t: t.name.casefold()
        )
        self.list.clear()
        total = 0
        for title, group in (
            (tr("Favourites"), favourites),
            (tr("Recent"), recent[:8]),
            (tr("All workspaces"), rest),
        ):
            matching = [t for t in group if matches(t)]
            if not matching:
                continue
            header = QListWidgetItem(title.upper())
            header.setFlags(Qt.ItemFlag.NoItemFlags)
            self.list.addItem(header)
            for t in matching:
                star = "★ " if t.id in self._favourites else ""
                label = f"{star}{t.name}"
                if t.role_label:
                    label += f"  ·  {t.role_label}"
                item = QListWidgetItem(chip_icon(t.id), label)
                item.setData(TENANT_ROLE, t.id)
                item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{t.name}, {t.role_label}")
                if t.id == self._current:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.list.addItem(item)
                total += 1
        self.count_label.setText(
            tr("{0} of {1} workspaces").format(total, len(self._tenants))
            if query
            else tr("{0} workspaces").format(len(self._tenants))
        )
        self._select_first()

    def _select_first(self) -> None:
        for row in range(self.list.count()):
            if self.list.item(row).data(TENANT_ROLE) is not None:
                self.list.setCurrentRow(row)
                return

    def _activate(self, item: QListWidgetItem) -> None:
        tenant_id = item.data(TENANT_ROLE)
        if tenant_id is not None:
            self._chose = True
            self.hide()
            self.chosen.emit(int(tenant_id))

    def _toggle_favourite(self, item: QListWidgetItem | None) -> None:
        if item is None or item.data(TENANT_ROLE) is None:
            return
        tenant_id = int(item.data(TENANT_ROLE))
        favourite = tenant_id not in self._favourites
        if favourite:
            self._favourites.add(tenant_id)
        else:
            self._favourites.discard(tenant_id)
        self.favourite_toggled.emit(tenant_id, favourite)
        self._rebuild()

    def _context_menu(self, pos: object) -> None:
        item = self.list.itemAt(self.list.viewport().mapFromGlobal(self.cursor().pos()))
        item = item or self.list.currentItem()
        if item is None or item.data(TENANT_ROLE) is None:
            return
        menu = QMenu(self)
        is_fav = int(item.data(TENANT_ROLE)) in self._favourites
        action = menu.addAction(tr("Remove from favourites") if is_fav else tr("Add to favourites"))
        action.setShortcut("Ctrl+D")
        action.triggered.connect(lambda: self._toggle_favourite(item))
        tenant_id = int(item.data(TENANT_ROLE))
        window_action = menu.addAction(tr("Open in new window"))
        window_action.setShortcut("Ctrl+Return")
        window_action.triggered.connect(lambda: self._open_in_window(tenant_id))
        menu.popup(self.cursor().pos())

    def _open_in_window(self, tenant_id: int) -> None:
        self._chose = True  # (the new window's first load may take what was sent ahead)
        self.hide()
        self.open_in_new_window.emit(tenant_id)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if watched is self.search and key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                self.list.setFocus()
                self._move(1 if key == Qt.Key.Key_Down else -1)
                return True
            current = self.list.currentItem()
            if (
                key in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and current is not None
                and current.data(TENANT_ROLE) is not None
                and event.modifiers() & Qt.KeyboardModifier.ControlModifier
            ):
                self._open_in_window(int(current.data(TENANT_ROLE)))
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.list.currentItem():
                self._activate(self.list.currentItem())
                return True
            if key == Qt.Key.Key_D and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                self._toggle_favourite(self.list.currentItem())
                return True
            if watched is self.list and key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                self._move(1 if key == Qt.Key.Key_Down else -1)
                return True
            if watched is self.list and event.text() and event.text().isprintable():
                self.search.setFocus()
                self.search.insert(event.text())
                return True
        return super().eventFilter(watched, event)

    def _move(self, step: int) -> None:
        row = self.list.currentRow()
        n = self.list.count()
        for _ in range(n):
            row = max(0, min(n - 1, row + step))
            if self.list.item(row).data(TENANT_ROLE) is not None:
                self.list.setCurrentRow(row)
                return
            if row in (0, n - 1):
                return


class TenantSwitcher(ShrinkingToolButton):
    """The toolbar button; opens the popup and reports the choice."""

    tenant_chosen = Signal(int)
    favourite_toggled = Signal(int, bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("TenantSwitcher")
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.setAccessibleName(tr("Workspace switcher"))
        self.popup = TenantPopup(self)
        self.popup.chosen.connect(self.tenant_chosen)
        self.popup.favourite_toggled.connect(self.favourite_toggled)
        self.clicked.connect(self.open_popup)
        self._source: Callable[[], tuple[Sequence[TenantRef], int | None, list[int], list[int]]]
        self._source = lambda: ([], None, [], [])
        self.show_tenant(None)

    def set_source(
        self,
        source: Callable[[], tuple[Sequence[TenantRef], int | None, list[int], list[int]]],
    ) -> None:
        self._source = source

    def show_tenant(self, tenant: TenantRef | None) -> None:
        # In a narrow window the name is cut short (…); the role and the arrow are not.
        tip = tr("Switch workspace (Ctrl+T)")
        if tenant is None:
            self.setIcon(QIcon())
            self.set_name(tr("No workspace"), arrow=False, tip=tip)
            return
        self.setIcon(chip_icon(tenant.id))
        self.setAccessibleDescription(
            tr("Current workspace {0}, role {1}").format(tenant.name, tenant.role_label)
        )
        role = f"  ·  {tenant.role_label}" if tenant.role_label else ""
        self.set_name(tenant.name, role, tip=tip)

    def open_popup(self) -> None:
        tenants, current, favourites, recent = self._source()
        self.popup.populate(tenants, current=current, favourites=favourites, recent=recent)
        show_on_screen(self.popup, self.mapToGlobal(self.rect().bottomLeft()))
        self.popup.search.setFocus()
