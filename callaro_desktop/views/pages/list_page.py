"""A sidebar page whose body is one server-side list: search, lazy table, count.

Search is debounced and sent to the server; rows arrive a page at a time as the
user scrolls (LazyTableModel). The first page is fetched by the page's own load, so
it is cancelled and tenant-checked like every other load; later pages are fetched
by the model, whose fetch refuses to run for a tenant that is no longer current.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime
from itertools import pairwise
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from PySide6.QtCore import QByteArray, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from callaro_desktop.api.pages import Page as ApiPage
from callaro_desktop.api.pages import Pager
from callaro_desktop.i18n import tr
from callaro_desktop.services.formatting import format_date, format_datetime
from callaro_desktop.settings import tenant_key
from callaro_desktop.views.pages.base import Page
from callaro_desktop.views.widgets.badges import PILL_ROLE, BadgeDelegate
from callaro_desktop.views.widgets.cells import SHORT_ROLE, CellDelegate, ShortFormDelegate
from callaro_desktop.views.widgets.column_fit import ColumnFitter, restore_layout
from callaro_desktop.views.widgets.lazy_table import Column, LazyTableModel
from callaro_desktop.views.widgets.search_field import SearchField

if TYPE_CHECKING:
    from callaro_desktop.api.client import TenantClient
    from callaro_desktop.services.messages import MessageBridge
    from callaro_desktop.services.session import Session

T = TypeVar("T")
SEARCH_DEBOUNCE_MS = 300
KEEP_COLUMNS_MS = 400  # after the last resize of a column drag


def _widgets_of(layout: QLayout) -> list[QWidget]:
    """The widgets of `layout` that Tab stops at, in the layout's order."""
    found = []
    for i in range(layout.count()):
        item = layout.itemAt(i)
        widget = item.widget() if item is not None else None
        if widget is not None and widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            found.append(widget)
    return found


def style_list_table(table: QTableView) -> None:
    """How every list's table behaves: whole rows picked one at a time, columns the user
    can resize, and Tab leaving the table for the page's buttons (rows are picked, never
    edited; with Qt's default Tab walked from cell to cell and a keyboard never got out)."""
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.setShowGrid(False)
    table.setWordWrap(False)
    table.setTabKeyNavigation(False)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(30)
    header = table.horizontalHeader()
    header.setStretchLastSection(True)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setDefaultSectionSize(170)
    header.setHighlightSections(False)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)


def draw_cells(table: QTableView, model: LazyTableModel[Any]) -> None:
    """How a list's cells are drawn. A pill for every column whose cells say their tone
    (PILL_ROLE): the statuses of every list look alike. A column too narrow for its cells
    draws their short form where they have one (SHORT_ROLE), and every cell cut short shows
    its whole text on hover. The text stays the cell's, for export and screen readers."""
    table.setItemDelegate(CellDelegate(table))
    for section in range(model.columnCount()):
        roles = model.column(section).extra_roles
        if PILL_ROLE in roles:
            table.setItemDelegateForColumn(section, BadgeDelegate(table, pill=True))
        elif SHORT_ROLE in roles:
            table.setItemDelegateForColumn(section, ShortFormDelegate(table))


def when_column(
    title: str,
    when: Callable[[T], datetime | None],
    tz: Callable[[], str],
    sort_key: str | None = None,
    *,
    never: str | None = None,
) -> Column[T]:
    """A date and time in the profile's timezone (`tz`, read at draw time); in a column too
    narrow for it, the date alone. `never`: what a missing one reads (else "—")."""

    def short(row: T) -> str:
        value = when(row)
        return (
            format_datetime(None, None, never=never) if value is None else format_date(value, tz())
        )

    return Column(
        title,
        lambda row: format_datetime(when(row), tz(), never=never),
        sort_key,
        extra_roles={SHORT_ROLE: short},
    )


def pill_columns(model: LazyTableModel[Any]) -> list[int]:
    """The columns whose cells are pills (they keep their room in a narrow table)."""
    return [c for c in range(model.columnCount()) if PILL_ROLE in model.column(c).extra_roles]


def report_more_failures(model: LazyTableModel[Any], messages: MessageBridge, text: str) -> None:
    """Say in the message bar when `model`'s next page fails (`text` with "{0}" for why, the
    request id, and Retry to ask for it again); the message goes when the list is loaded
    afresh (a search, a filter, another workspace), its Retry then being moot."""
    from callaro_desktop.api.errors import ApiError

    def failed(exc: object) -> None:
        if isinstance(exc, ApiError):
            messages.error(text.format(exc.message), exc.request_id, retry=model.retry_more)

    model.load_failed.connect(failed)
    model.modelReset.connect(lambda: messages.withdraw(model.retry_more))


def reset_columns_action(
    header: QHeaderView, reset: Callable[[], None], fitter: ColumnFitter
) -> QAction:
    """The "Reset column widths" item of `header`'s right-click menu, running `reset`:
    offered only while the columns are the user's (`fitter` says when they change hands)."""
    action = QAction(tr("Reset column widths"), header)
    action.triggered.connect(reset)
    action.setEnabled(False)  # (the page's own until the user changes one)
    fitter.owned_changed.connect(lambda owned: action.setEnabled(not owned))
    header.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
    header.addAction(action)
    return action


def restore_columns(header: QHeaderView, layout: QByteArray) -> None:
    """Put a table's columns back to `layout` (widths, order), keeping the sort it shows."""
    sorted_by = header.sortIndicatorSection(), header.sortIndicatorOrder()
    restore_layout(header, layout)
    show_sort(header, *sorted_by)


def show_sort(header: QHeaderView, section: int, order: Qt.SortOrder) -> None:
    """Show the sort `section`, `order` quietly: told, a page's sorting would load its rows
    again (the caller loads, or has the rows already)."""
    if (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (section, order):
        return
    blocked = header.blockSignals(True)
    header.setSortIndicator(section, order)
    header.blockSignals(blocked)


def _sort_text(header: QHeaderView) -> str:
    order = 1 if header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder else 0
    return f"{header.sortIndicatorSection()},{order}"


def _sort_from(text: str) -> tuple[int, Qt.SortOrder] | None:
    section, _, order = text.partition(",")
    if not section.lstrip("-").isdigit() or order not in ("0", "1"):
        return None
    descending = Qt.SortOrder.DescendingOrder
    return int(section), descending if order == "1" else Qt.SortOrder.AscendingOrder


class ListPage(Page, Generic[T]):
    search_placeholder: str | None = None  # None: the list has no search
    has_columns = True
    #: Columns that keep the page's width when the columns share a narrow table (the
    #: statuses' pills always do): what identifies a row, amounts (never cut short).
    firm_columns: tuple[int, ...] = ()
    #: The last column's share of a narrow table (wider, it takes what is left); None: the
    #: header's default.
    last_column_width: int | None = None
    #: Where the last column does not stretch: the column that takes what is left of a wide
    #: table (in a narrow one it shares like the others).
    filler_column: int | None = None

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.model: LazyTableModel[T] = LazyTableModel(self.columns(), self)
        self.table = QTableView()
        self.table.setObjectName(f"{self.page_id}_table")
        self.table.setAccessibleName(tr("{0} table").format(self.title()))
        self.table.setModel(self.model)
        style_list_table(self.table)
        header = self.table.horizontalHeader()

        placeholder = self.search_placeholder or ""
        self.search = SearchField(placeholder, placeholder.rstrip("…"), parent=self)
        self.search.setVisible(self.search_placeholder is not None)  # (a child: see Page)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.reload)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.count_label = QLabel()
        self.count_label.setProperty("muted", True)
        self.count_label.setAccessibleName(tr("Row count"))
        self.model.first_page_loaded.connect(self._show_count)
        self._reveal_id: int | None = None
        self.model.first_page_loaded.connect(self._apply_reveal)
        # The (account, tenant, page) whose view the widgets show, and the layout a tenant
        # with nothing remembered starts from.
        self._state_key: str | None = None
        self._tab_chained = False  # (on first showing: a subclass adds its controls after)
        self._default_header: QByteArray | None = None
        self._default_sort: tuple[int, Qt.SortOrder] | None = None
        report_more_failures(self.model, session.messages, tr("More rows could not be loaded: {0}"))
        # The page's columns fit the table's width until the user changes one; changed,
        # they are kept with the workspace once the drag has ended (a drag is many resizes).
        self.columns_fit = ColumnFitter(self.table)
        # The widths dragged can be put back: from the header's context menu, and from the
        # View menu for the keyboard (MainWindow).
        self.reset_columns_action = reset_columns_action(
            header, self.reset_columns, self.columns_fit
        )
        self._keep_columns = QTimer(self)
        self._keep_columns.setSingleShot(True)
        self._keep_columns.setInterval(KEEP_COLUMNS_MS)
        self._keep_columns.timeout.connect(self._remember_view)
        self.columns_fit.taken.connect(self._keep_columns.start)
        self.columns_fit.owned_changed.connect(lambda _owned: self.user_columns_changed.emit())
        self.column_actions = self._column_choices(header)
        draw_cells(self.table, self.model)

        tools = QHBoxLayout()
        tools.addWidget(self.search)
        self.filters = QHBoxLayout()
        tools.addLayout(self.filters)
        tools.addStretch(1)
        # Level with the first row of the tools, also when the filters wrap onto more rows
        # (Usage in a narrow window): as tall as the search field, its text centred in it.
        self.count_label.setMinimumHeight(self.search.sizeHint().height())
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        tools.addWidget(self.count_label, 0, Qt.AlignmentFlag.AlignTop)
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.addLayout(tools)
        body.addWidget(self.table, 1)
        self.session.tenant_changed.connect(self._forget_rows)
        self.session.me_changed.connect(self._redraw_dates)

    # -- what subclasses provide --------------------------------------------------------

    def columns(self) -> Sequence[Column[T]]:
        raise NotImplementedError

    def pager(self, scope: TenantClient, search: str | None) -> Pager[T] | None:
        """The server-side list; None for routes that answer with the whole list at once."""
        return None

    async def load_all(self, scope: TenantClient) -> list[T]:
        """For routes without paging (API keys, telephony connections)."""
        raise NotImplementedError

    def empty_title(self) -> str:
        return tr("Nothing here yet")

    def empty_text(self) -> str:
        return ""

    # -- Page -----------------------------------------------------------------------------

    async def fetch(self, scope: TenantClient) -> tuple[Pager[T] | None, ApiPage[T], int]:
        pager = self.pager(scope, self.search.text().strip() or None)
        if pager is None:
            items = await self.load_all(scope)
            return None, ApiPage(items=items, total=len(items), page=1, pages=1), scope.tenant_id
        first = await pager.fetch_page(1)
        return pager, first, scope.tenant_id

    def present(self, data: tuple[Pager[T] | None, ApiPage[T], int]) -> None:
        pager, first, tenant_id = data
        if pager is None:
            self.model.reset(None, first)
            return

        async def more(number: int) -> ApiPage[T]:
            if self.session.tenant_id != tenant_id:
                raise asyncio.CancelledError
            return await self.session.call(lambda: pager.fetch_page(number))

        self.model.reset(more, first)

    def is_empty(self, data: tuple[Pager[T] | None, ApiPage[T], int]) -> bool:
        # A search with no hits is not an empty page: keep the table so the search stays.
        return not data[1].items and not self.search.text().strip()

    def show_empty_state(self, data: Any) -> None:
        self.states.show_empty(self.empty_title(), self.empty_text())

    def _show_count(self, total: int) -> None:
        if self.search.text().strip():
            self.count_label.setText(tr("{0} matching").format(f"{total:,}"))
        else:
            self.count_label.setText(tr("{0} in total").format(f"{total:,}"))

    def _redraw_dates(self, _me: object) -> None:
        # Columns read the timezone at draw time; a repaint is all a new one needs.
        self.model.refresh_display()

    def _forget_rows(self, _tenant: object) -> None:
        self.model.reset(None)
        self.count_label.clear()

    # -- per-tenant view memory -------------------------------------------------------------

    def _view_key(self) -> str | None:
        tid = self.session.tenant_id
        return (
            f"{tenant_key(self.session.account, tid)}#{self.page_id}" if tid is not None else None
        )

    def _filter_boxes(self) -> list[QComboBox]:
        boxes: list[QComboBox] = []
        for i in range(self.filters.count()):
            item = self.filters.itemAt(i)
            widget = item.widget() if item is not None else None
            if isinstance(widget, QComboBox):
                boxes.append(widget)
        return boxes

    def view_state(self) -> dict[str, str]:
        """Search, filters, sort, the columns hidden and, if the user changed them, the
        columns' widths and order: what comes back with the tenant.

        Columns as the page lays them out are not kept: kept, they would hold this version's
        widths for good, and a later version's better ones would never be seen there.
        """
        columns = self.table.horizontalHeader()
        state = {
            "search": self.search.text(),
            "filters": ",".join(str(b.currentIndex()) for b in self._filter_boxes()),
            "sort": _sort_text(columns),
        }
        if self._default_header is not None and not self.columns_fit.owned:
            state["header"] = bytes(columns.saveState().toBase64().data()).decode("ascii")
        hidden = self._hidden_columns()
        if hidden:
            state["hidden"] = ",".join(str(s) for s in sorted(hidden))
        return state

    def restore_view_state(self, state: dict[str, str] | None) -> None:
        """Put a tenant's view back (or the defaults) without loading: the caller loads
        (the filters' handlers may too, which the page's keyed task folds into one load)."""
        state = state or {}
        self.search.blockSignals(True)
        self.search.setText(state.get("search", ""))
        self.search.blockSignals(False)
        indexes = [int(x) for x in state.get("filters", "").split(",") if x.isdigit()]
        for i, box in enumerate(self._filter_boxes()):
            wanted = indexes[i] if i < len(indexes) else 0
            if 0 <= wanted < box.count() and box.currentIndex() != wanted:
                box.setCurrentIndex(wanted)
        header = state.get("header")
        columns = self.table.horizontalHeader()
        sort = _sort_from(state.get("sort", "")) or self._default_sort
        layout = QByteArray.fromBase64(header.encode("ascii")) if header else None
        if layout is not None and "sort" not in state:
            # Kept before sorts were kept apart (2026-11-28): every visited workspace held
            # the widths of its day, changed or not. Its sort stays; its columns are the
            # page's own again (a user who had dragged them drags them once more).
            restore_layout(columns, layout)
            sort = columns.sortIndicatorSection(), columns.sortIndicatorOrder()
            layout = None
            self.columns_fit.release()  # (so that the page's own are put back below)
        if layout is not None:
            # A layout of the user's: restored only if it is not the one shown (restoring
            # re-lays out every section, ~0.3 ms of a switch; comparing costs microseconds).
            if layout != columns.saveState():
                restore_layout(columns, layout)
            self.columns_fit.release()
        elif self._default_header is not None and not self.columns_fit.owned:
            # (Owned, they are the page's already, fitted to the table as it is.)
            restore_layout(columns, self._default_header)
            self.columns_fit.own()
        self._show_columns({int(s) for s in state.get("hidden", "").split(",") if s.isdigit()})
        if sort is not None and 0 <= sort[0] < columns.count():
            show_sort(columns, *sort)

    def _firm(self) -> list[int]:
        return [*pill_columns(self.model), *self.firm_columns]

    def reset_columns(self) -> None:
        """The columns as the page first laid them out (widths, order); the rows and their
        sort order stay as they are."""
        if self._default_header is not None:
            hidden = self._hidden_columns()  # (a choice of columns, not of widths: kept)
            restore_columns(self.table.horizontalHeader(), self._default_header)
            self._show_columns(hidden)
            self.columns_fit.own()
            self._remember_view()

    def user_columns(self) -> bool:
        return self._default_header is not None and not self.columns_fit.owned

    def _column_choices(self, header: QHeaderView) -> list[QAction]:
        """A check item per column but the first (it names the row): the columns shown, in
        the header's right-click menu above Reset column widths, and in View → Columns."""
        actions = []
        for section in range(1, self.model.columnCount()):
            action = QAction(self.model.column(section).title, header)
            action.setCheckable(True)
            action.setChecked(True)
            action.toggled.connect(lambda shown, s=section: self._choose_column(s, shown))
            actions.append(action)
        separator = QAction(header)
        separator.setSeparator(True)
        header.insertActions(self.reset_columns_action, [*actions, separator])
        return actions

    def _choose_column(self, section: int, shown: bool) -> None:
        self.columns_fit.show_section(section, shown)
        self._remember_view()

    def _hidden_columns(self) -> set[int]:
        header = self.table.horizontalHeader()
        return {s for s in range(1, header.count()) if header.isSectionHidden(s)}

    def _show_columns(self, hidden: set[int]) -> None:
        """Show every column but `hidden`, their check items to match, quietly."""
        if hidden == self._hidden_columns():
            return  # (the usual switch: the items already match the header)
        for section, action in enumerate(self.column_actions, start=1):
            self.columns_fit.show_section(section, section not in hidden)
            blocked = action.blockSignals(True)
            action.setChecked(section not in hidden)
            action.blockSignals(blocked)

    def keep_view(self) -> None:
        if self._keep_columns.isActive():
            self._keep_columns.stop()
            self._remember_view()

    def _remember_view(self) -> None:
        key = self._state_key
        if key is None:
            return
        settings = self.session.settings
        state = self.view_state()
        if settings.view_state.get(key) == state:
            # Unchanged (the usual case on a reload or a tenant switch): writing settings.json
            # (validated, fsync'd) three times per switch was most of the switch's own cost.
            return
        settings.remember_view(key, state)
        self.session.save_settings()

    def tab_chain(self) -> list[QWidget]:
        """The page's controls as Tab visits them, in reading order: the header's buttons,
        the search and the filters' row, then the list. (Left to Qt, the order they were
        made in: a subclass's buttons and filters came after the list, or before its title.)"""
        chain = [*_widgets_of(self.actions_bar)]
        if self.search_placeholder is not None:
            chain.append(self.search)
        return [*chain, *_widgets_of(self.filters), self.table]

    def activate(self) -> None:
        if not self._tab_chained:
            self._tab_chained = True
            for first, second in pairwise(self.tab_chain()):
                QWidget.setTabOrder(first, second)
        key = self._view_key()
        if key != self._state_key and not self.retired:
            if self._default_header is None:
                columns = self.table.horizontalHeader()
                self._default_header = columns.saveState()
                self.columns_fit.lay_out(self._firm(), self.last_column_width, self.filler_column)
                self._default_sort = columns.sortIndicatorSection(), columns.sortIndicatorOrder()
            self._remember_view()
            self._state_key = key
            self.restore_view_state(self.session.settings.view_state.get(key or ""))
        super().activate()

    def reload(self) -> None:
        super().reload()
        if self._state_key is not None and self._state_key == self._view_key():
            self._remember_view()

    def reveal(self, item_id: int, query: str) -> None:
        """Search for `query` and select the row with id `item_id` once it arrives."""
        self._reveal_id = item_id
        if not self.search.isHidden():
            self.search.blockSignals(True)
            self.search.setText(query)
            self.search.blockSignals(False)
        self.reload()

    def _apply_reveal(self, _total: int = 0) -> None:
        wanted = self._reveal_id
        if wanted is None:
            return
        for row, item in enumerate(self.model.rows):
            if getattr(item, "id", None) == wanted:
                self._reveal_id = None
                self.table.selectRow(row)
                self.table.scrollTo(self.model.index(row, 0))
                self.table.setFocus()
                return

    def selected(self) -> T | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None
