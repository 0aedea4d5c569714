"""A table model that loads pages from the server as the user scrolls.

It knows nothing of the app: it is given a `fetch(page_number)` coroutine factory and
a list of columns. Qt asks `canFetchMore` when the view nears the end of what is
loaded; `fetchMore` starts at most one page request at a time, and a `reset()` (new
search, sort or tenant) bumps a generation number so an answer to an old query is
dropped instead of being appended to the new one. No widget per row: a hundred
thousand rows cost a list of model objects and nothing else.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

log = logging.getLogger(__name__)

T = TypeVar("T")
Index = QModelIndex | QPersistentModelIndex


class PageLike(Protocol[T]):  # type: ignore[misc]
    @property
    def items(self) -> Sequence[T]: ...
    @property
    def total(self) -> int | None: ...
    @property
    def has_next(self) -> bool: ...


@dataclass(frozen=True)
class Column(Generic[T]):
    title: str
    display: Callable[[T], str]
    sort_key: str | None = None  # the server's sort field, None if not sortable
    tooltip: Callable[[T], str] | None = None
    align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
    extra_roles: dict[int, Callable[[T], Any]] = field(default_factory=dict)


FetchPage = Callable[[int], Awaitable[PageLike[T]]]

#: From this many rows on, each page's rows leave the cyclic collector's walk (see _append).
FREEZE_FROM_ROWS = 20_000

# Plain ints: data() runs for every role of every visible cell on each paint, and an
# enum attribute lookup and comparison there cost more than the answer itself.
_DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
_ALIGN = int(Qt.ItemDataRole.TextAlignmentRole.value)
_USER = int(Qt.ItemDataRole.UserRole.value)


class LazyTableModel(QAbstractTableModel, Generic[T]):
    load_failed = Signal(object)  # the exception, for the page's error state
    loading_changed = Signal(bool)
    first_page_loaded = Signal(int)  # total rows on the server

    def __init__(self, columns: Sequence[Column[T]], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        # The roles some column answers; Qt asks for about ten per cell, most of them unused.
        self._roles = frozenset(
            {_DISPLAY, _TOOLTIP, _ALIGN, _USER}.union(*(map(int, c.extra_roles) for c in columns))
        )
        self._aligns = [int(c.align.value) for c in self._columns]
        self._extras = [{int(k): f for k, f in c.extra_roles.items()} for c in self._columns]
        self._rows: list[T] = []
        self._total = 0
        self._next_page = 1
        self._fetch: FetchPage[T] | None = None
        self._generation = 0
        self._task: asyncio.Task[None] | None = None
        self._exhausted = True
        # A page that failed: no more are asked for (the view would ask again at once, and
        # again, all through an outage) until the user says Retry (retry_more).
        self._failed = False

    # -- data the view asks for -------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        role = int(role)
        if role not in self._roles:
            return None
        r = index.row()
        if r < 0 or r >= len(self._rows):
            return None
        if role == _ALIGN:
            return self._aligns[index.column()]
        row = self._rows[r]
        if role == _USER:
            return row
        col = self._columns[index.column()]
        if role == _DISPLAY:
            return col.display(row)
        if role == _TOOLTIP:
            return None if col.tooltip is None else col.tooltip(row)
        extra = self._extras[index.column()].get(role)
        return None if extra is None else extra(row)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._columns[section].title
        return None

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        if parent.isValid() or self._fetch is None:
            return False
        return (
            not self._exhausted and not self._failed and (self._task is None or self._task.done())
        )

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        self._start(self._generation)

    # -- what the owner drives ----------------------------------------------------

    def retry_more(self) -> None:
        """Ask again for the page that failed; the rows already here stay where they are."""
        if self._failed and self._fetch is not None:
            self._failed = False
            self._start(self._generation)

    @property
    def rows(self) -> list[T]:
        return self._rows

    @property
    def total(self) -> int:
        return self._total

    @property
    def is_loading(self) -> bool:
        return self._task is not None and not self._task.done()

    def column(self, section: int) -> Column[T]:
        return self._columns[section]

    def row_at(self, row: int) -> T | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def reset(self, fetch: FetchPage[T] | None, first: PageLike[T] | None = None) -> None:
        """Start over with a new query; whatever was in flight is cancelled and ignored.

        `first` is page 1 when the caller already has it (the page's own load fetched it).
        """
        self._generation += 1
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self._task = None
        self.beginResetModel()
        self._rows = []
        self._total = 0
        self._next_page = 1
        self._fetch = fetch
        self._exhausted = fetch is None
        self._failed = False
        self.endResetModel()
        if first is not None:
            self._append(first, 1)
        elif fetch is not None:
            self._start(self._generation)

    def replace_row(self, row: int, item: T) -> None:
        if 0 <= row < len(self._rows):
            self._rows[row] = item
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(self._columns) - 1))

    def refresh_display(self) -> None:
        """Redraw every loaded cell without refetching (e.g. dates after a timezone change)."""
        if self._rows and self._columns:
            last = self.index(len(self._rows) - 1, len(self._columns) - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    def remove_row(self, row: int) -> None:
        if 0 <= row < len(self._rows):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._rows[row]
            self._total = max(0, self._total - 1)
            self.endRemoveRows()

    def wait_idle(self) -> Awaitable[None] | None:
        return self._task

    # -- loading ------------------------------------------------------------------

    def _start(self, generation: int) -> None:
        self._task = asyncio.ensure_future(self._load(generation, self._next_page))
        self.loading_changed.emit(True)

    async def _load(self, generation: int, page_number: int) -> None:
        assert self._fetch is not None
        try:
            page = await self._fetch(page_number)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the page shows it; the model must stay usable
            if generation == self._generation:
                self._failed = True
                self.loading_changed.emit(False)
                self.load_failed.emit(exc)
            return
        if generation != self._generation:
            return
        self._append(page, page_number)
        self.loading_changed.emit(False)

    def _append(self, page: PageLike[T], page_number: int) -> None:
        items = list(page.items)
        if items:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(items) - 1)
            self._rows.extend(items)
            self.endInsertRows()
            if len(self._rows) >= FREEZE_FROM_ROWS:
                _out_of_the_collectors_walk()
        self._total = page.total if page.total is not None else len(self._rows)
        self._next_page = page_number + 1
        self._exhausted = not items or not page.has_next
        if page_number == 1:
            self.first_page_loaded.emit(self._total)


def _out_of_the_collectors_walk() -> None:
    """Freeze what is alive now, after collecting the young generations' garbage.

    A full collection walks every tracked object: with 100k rows (a model and its __dict__
    each) that held the GUI thread ~100 ms, four times in a scroll to the end. Rows hold no
    cycles, so refcounting still frees frozen rows when the table lets them go; the young
    collection first keeps this page's cyclic garbage (~30 objects a page) from being frozen
    with them.
    """
    gc.collect(1)
    gc.freeze()
