"""A searchable list of every IANA timezone, each with its UTC offset right now.

Knows nothing of the app: it offers zones, remembers the chosen one and says when the
user picks another. The offset is today's (so it follows daylight saving), which is what
people compare when they look for "their" zone.

The tz database (~600 files) is read once per process, on a thread of its own: on the GUI
thread the first picker took 150 ms on a cold disk, a frozen window the first time My Profile
opened. The picker shows the chosen zone's summary at once and fills its list when the read
is done. That thread's work is Python, which holds the interpreter lock against the GUI
thread, so it does as little as it can (see `zone_candidates` and `_read_database`).
"""

from __future__ import annotations

import io
import logging
import os
import struct
import threading
import zoneinfo
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from importlib import resources
from typing import ClassVar

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    QSortFilterProxyModel,
    Qt,
    QTimeZone,
    Signal,
    SignalInstance,
)
from PySide6.QtGui import QKeyEvent, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from callaro_desktop.i18n import tr
from callaro_desktop.services.formatting import cached_zone, offset_label, zone_offset

logger = logging.getLogger(__name__)

Index = QModelIndex | QPersistentModelIndex
NAME_ROLE = Qt.ItemDataRole.UserRole + 1
OFFSET_ROLE = Qt.ItemDataRole.UserRole + 2

# Files in the tz database that are not zones a person lives in.
_NOT_ZONES = frozenset({"localtime", "posixrules", "Factory"})
# Folders beside the zones holding copies of them under other rules (as `zoneinfo` skips them).
_NOT_ZONE_FOLDERS = ("right", "posix")


@dataclass(frozen=True)
class Zone:
    name: str  # the IANA name, exactly as the server stores it
    offset: str  # "UTC+05:30" at the time the list was built
    search_key: str

    @property
    def display(self) -> str:
        return self.name.replace("_", " ")


def zone_candidates() -> set[str]:
    """Every name that may be a zone: the `tzdata` package's list (where it is installed, as on
    Windows) and every file under the system's tz folders. More than the zones: the catalogue
    keeps the names that parse, as it parses each zone anyway.

    Not `zoneinfo.available_timezones()`, which opens every file to check its first bytes:
    with the parse after it, each file was opened twice. Ad hoc, warm disk: 13 ms of the
    thread's Python for the names, now 2 ms."""
    names: set[str] = set()
    with suppress(ImportError, OSError):  # no tzdata package: the system's files only
        names.update(resources.files("tzdata").joinpath("zones").read_text().split())
    for root in zoneinfo.TZPATH:
        for folder, subfolders, files in os.walk(root):
            if folder == root:
                subfolders[:] = [s for s in subfolders if s not in _NOT_ZONE_FOLDERS]
            where = os.path.relpath(folder, root).replace(os.sep, "/")
            names.update(f if where == "." else f"{where}/{f}" for f in files)
    return names - _NOT_ZONES


def build_zones(catalogue: Mapping[str, tzinfo], at: datetime | None = None) -> list[Zone]:
    moment = at or datetime.now(UTC)
    zones = []
    for name, tz in catalogue.items():
        offset = offset_label(moment.astimezone(tz).utcoffset())
        # "+5:30" and "utc+05:30" both find Asia/Kolkata; spaces stand for underscores.
        short = offset.replace("+0", "+").replace("-0", "-")
        key = " ".join((name.replace("_", " "), name, offset, short)).lower()
        zones.append(Zone(name, offset, key))
    return zones


def system_timezone() -> str | None:
    """This computer's IANA zone, or None when the OS does not name one we know."""
    return known_zone(bytes(QTimeZone.systemTimeZoneId().data()).decode("ascii", "replace"))


def known_zone(name: str) -> str | None:
    """`name` when the tz database holds it as a zone people live in. One file is read, not
    the list of them all (see `ZoneCatalogue`)."""
    if not name or name in _NOT_ZONES:
        return None
    try:
        cached_zone(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return None
    return name


def _read_database() -> dict[str, tzinfo]:
    """Every zone by name, in order, parsed: `build_zones()` is left ~3 ms of work for the GUI
    thread. Runs on the catalogue's thread. A file that does not parse (zone.tab, leapseconds,
    tzdata.zi...) is not a zone."""
    zones: dict[str, tzinfo] = {}
    for name in sorted(zone_candidates()):
        try:
            zones[name] = _parse_zone(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError, struct.error):
            continue
    return zones


def _parse_zone(name: str) -> tzinfo:
    # Each file is read whole, then parsed from memory. `ZoneInfo(name)` reads it in ~30
    # small reads, and each read lets go of the interpreter lock and waits to have it back:
    # beside a busy GUI thread, 600 zones took ~165 ms of this thread's CPU and ~2.6 s (ad
    # hoc), read whole ~90 ms and ~0.8 s, and the GUI thread had the lock handed back and
    # forth fewer times. The system's folders first, as `ZoneInfo` looks.
    for root in zoneinfo.TZPATH:
        try:
            with open(os.path.join(root, name), "rb") as file:
                data = file.read()
        except OSError:  # not there, or a folder
            continue
        return zoneinfo.ZoneInfo.from_file(io.BytesIO(data), key=name)
    return cached_zone(name)  # the tzdata package's (Windows), or not a zone: it raises


@contextmanager
def _announced(done: SignalInstance, failure: str) -> Iterator[None]:
    try:
        yield
    except Exception:
        logger.exception(failure)
    finally:
        done.emit()


class ZoneCatalogue(QObject):
    """The tz database read once per process, off the GUI thread; `loaded` fires on the GUI
    thread when it is done (at once for whoever asks after that).

    This computer's zone is looked up first, on the same thread, and `local_found` fires as
    soon as it is known: "Use this computer's timezone" needs no list. Qt's lookup walks the
    whole zoneinfo folder the first time (~330 files and folders opened, seen under strace):
    5-9 ms of the GUI thread on a warm disk, and far more on a cold one."""

    loaded = Signal()
    local_found = Signal()
    _done = Signal()  # emitted by the worker, queued to this object's (the GUI) thread
    _local = Signal()  # likewise
    _instance: ClassVar[ZoneCatalogue | None] = None

    def __init__(self) -> None:
        super().__init__()
        self.ready = False
        self.zones: dict[str, tzinfo] = {}  # what was read; empty if the database was not
        self.local_known = False
        self.local_zone: str | None = None  # this computer's zone, once known (None: unnamed)
        self._thread: threading.Thread | None = None
        self._done.connect(self._on_done, Qt.ConnectionType.QueuedConnection)
        self._local.connect(self._on_local, Qt.ConnectionType.QueuedConnection)

    @classmethod
    def shared(cls) -> ZoneCatalogue:
        if cls._instance is None:
            cls._instance = cls()
        return cls._instance

    def start(self) -> None:
        if self.ready or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._read, name="tz-database", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        # A failed step leaves its empty answer (no zone; an empty list, which the picker
        # says), not a crash, and is announced all the same: nobody waits for ever.
        with _announced(self._local, "this computer's timezone could not be looked up"):
            self.local_zone = system_timezone()
        with _announced(self._done, "the timezone database could not be read"):
            self.zones = _read_database()

    def _on_local(self) -> None:
        self.local_known = True
        self.local_found.emit()

    def _on_done(self) -> None:
        self.ready = True
        self._thread = None
        self.loaded.emit()


class ZoneModel(QAbstractListModel):
    def __init__(self, zones: list[Zone], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.zones = zones
        self._rows = {z.name: i for i, z in enumerate(zones)}

    def set_zones(self, zones: list[Zone]) -> None:
        self.beginResetModel()
        self.zones = zones
        self._rows = {z.name: i for i, z in enumerate(zones)}
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.zones)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        zone = self.zones[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return zone.display
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{zone.display}, {zone.offset}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{zone.name} ({zone.offset})"
        if role == NAME_ROLE:
            return zone.name
        if role == OFFSET_ROLE:
            return zone.offset
        return None

    def row_of(self, name: str) -> int:
        return self._rows.get(name, -1)


class ZoneFilter(QSortFilterProxyModel):
    """Every word typed must appear in the zone's name or offset, in any order."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._words: list[str] = []

    def set_query(self, text: str) -> None:
        words = text.lower().replace("_", " ").split()
        # beginFilterChange() arrived in Qt 6.9; the project supports 6.7.
        if hasattr(self, "beginFilterChange"):
            self.beginFilterChange()
            self._words = words
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:  # pragma: no cover - Qt < 6.9
            self._words = words
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        assert isinstance(model, ZoneModel)
        key = model.zones[source_row].search_key
        return all(word in key for word in self._words)


class _ZoneDelegate(QStyledItemDelegate):
    """The name on the left, the offset right-aligned and muted, like a settings list."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        super().paint(painter, option, index)
        offset = index.data(OFFSET_ROLE)
        if not isinstance(offset, str):
            return
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        palette: QPalette = option.palette
        role = (
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.PlaceholderText
        )
        painter.save()
        painter.setPen(palette.color(role))
        rect = option.rect.adjusted(0, 0, -10, 0)
        painter.drawText(rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, offset)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        size = super().sizeHint(option, index)
        return QSize(size.width() + 90, max(size.height(), 26))


class TimezonePicker(QWidget):
    zone_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(tr("Timezone"))
        self._zone: str | None = None
        self._filled = False
        self.model = ZoneModel([], self)
        self.proxy = ZoneFilter(self)
        self.proxy.setSourceModel(self.model)

        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText(tr("Search timezones: city, region or offset (+05:30)"))
        self.search.setAccessibleName(tr("Search timezones"))
        self.search.textChanged.connect(self._on_search)
        self.search.installEventFilter(self)

        self.list = QListView()
        self.list.setObjectName("TimezoneList")
        self.list.setAccessibleName(tr("Timezones"))
        self.list.setModel(self.proxy)
        self.list.setItemDelegate(_ZoneDelegate(self.list))
        self.list.setUniformItemSizes(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setMinimumHeight(180)
        self.list.selectionModel().currentChanged.connect(self._on_current)

        self.count = QLabel()
        self.count.setProperty("muted", True)
        self.count.setAccessibleName(tr("Matching timezones"))

        self.use_local = QPushButton(tr("Use this computer's &timezone"))
        self.use_local.setAccessibleName(tr("Use this computer's timezone"))
        self.use_local.clicked.connect(self._use_local)

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.use_local)
        row.addStretch(1)
        row.addWidget(self.count)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(6)
        lay.addWidget(self.search)
        lay.addWidget(self.list, 1)
        lay.addLayout(row)
        self.setFocusProxy(self.search)
        self._update_count()
        catalogue = ZoneCatalogue.shared()
        if catalogue.local_known:
            self._show_local()
        else:
            self.use_local.setEnabled(False)
            self.use_local.setToolTip(tr("Looking up this computer's timezone…"))
            catalogue.local_found.connect(self._show_local)
        if catalogue.ready:
            self._fill()
        else:
            catalogue.loaded.connect(self._fill)
            catalogue.start()

    @property
    def local_zone(self) -> str | None:
        """This computer's zone: None while it is looked up, or when the OS names none."""
        return ZoneCatalogue.shared().local_zone

    def _show_local(self) -> None:
        local = self.local_zone
        self.use_local.setEnabled(local is not None)
        if local is not None:
            self.use_local.setToolTip(
                tr("This computer is set to {0} ({1}).").format(local, zone_offset(local))
            )
        else:
            self.use_local.setToolTip(tr("This computer does not report an IANA timezone."))

    def is_loaded(self) -> bool:
        """Whether the list holds the zones (they are read off the GUI thread)."""
        return self._filled

    def _fill(self) -> None:
        self.model.set_zones(build_zones(ZoneCatalogue.shared().zones))
        self._filled = True
        self._select(self._zone)
        self._update_count()

    # -- value ----------------------------------------------------------------------------

    def zone(self) -> str | None:
        return self._zone

    def set_zone(self, name: str | None) -> None:
        """Show `name` as chosen without announcing it (it comes from the server)."""
        self._zone = name
        self._select(name)

    # -- internals ------------------------------------------------------------------------

    def _select(self, name: str | None) -> None:
        row = self.model.row_of(name) if name else -1
        index = self.proxy.mapFromSource(self.model.index(row)) if row >= 0 else QModelIndex()
        selection = self.list.selectionModel()
        selection.blockSignals(True)
        if index.isValid():
            selection.setCurrentIndex(index, selection.SelectionFlag.ClearAndSelect)
            self.list.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
        else:
            selection.clearSelection()
        selection.blockSignals(False)
        self.list.viewport().update()

    def _choose(self, name: str) -> None:
        if name != self._zone:
            self._zone = name
            self.zone_changed.emit(name)

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        name = current.data(NAME_ROLE)
        if isinstance(name, str):
            self._choose(name)

    def _on_search(self, text: str) -> None:
        self.proxy.set_query(text)
        self._select(self._zone)
        self._update_count()

    def _update_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        # A screen reader on the empty list hears why it is empty.
        self.list.setAccessibleDescription("" if self._filled else tr("Loading timezones…"))
        if not self._filled:
            self.count.setText(tr("Loading timezones…"))
        elif not total:
            # The saved zone still stands and is still shown above; only the list is missing.
            self.count.setText(tr("This computer's timezone list could not be read"))
        elif shown == total:
            self.count.setText(tr("{0} timezones").format(total))
        else:
            self.count.setText(tr("{0} of {1} match").format(shown, total))

    def _use_local(self) -> None:
        if self.local_zone is None:
            return
        self.search.clear()
        self._choose(self.local_zone)
        self._select(self.local_zone)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Arrows and Enter in the search field move through and pick from the list, so
        # the keyboard never has to leave the field.
        if watched is self.search and isinstance(event, QKeyEvent):
            if event.type() == QEvent.Type.KeyPress and event.key() in (
                Qt.Key.Key_Down,
                Qt.Key.Key_Up,
                Qt.Key.Key_PageDown,
                Qt.Key.Key_PageUp,
            ):
                self._step(event.key())
                return True
            if event.type() == QEvent.Type.KeyPress and event.key() in (
                Qt.Key.Key_Return,
                Qt.Key.Key_Enter,
            ):
                if self.proxy.rowCount() and not self.list.selectionModel().hasSelection():
                    self.list.setCurrentIndex(self.proxy.index(0, 0))
                return True
        return super().eventFilter(watched, event)

    def _step(self, key: int) -> None:
        rows = self.proxy.rowCount()
        if not rows:
            return
        current = self.list.currentIndex()
        selected = self.list.selectionModel().hasSelection()
        row = current.row() if current.isValid() and selected else -1
        page = max(1, self.list.viewport().height() // max(1, self.list.sizeHintForRow(0)))
        step = {
            Qt.Key.Key_Down: 1,
            Qt.Key.Key_Up: -1,
            Qt.Key.Key_PageDown: page,
            Qt.Key.Key_PageUp: -page,
        }[Qt.Key(key)]
        target = min(rows - 1, max(0, row + step))
        self.list.setCurrentIndex(self.proxy.index(target, 0))
