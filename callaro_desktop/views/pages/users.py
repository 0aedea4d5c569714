"""Admin → Users: the people of the current tenant, and the invitations on their way.

Two tabs. "Users" is a lazy, server-side list (search, role and status filters, sort
by any column header) that stays smooth at a hundred thousand rows: no widget per
row, a page of 200 at a time as the view nears the end. "Pending invitations" is the
same over the invitations route. Both first pages are fetched by the page's own load,
so they are cancelled and tenant-checked together.

Every action names the person and the workspace; the server's refusals are shown in
words (the last-admin rule above all), and a refresh keeps the selected person
selected and the view where it was, as long as that person is still in the list.
"""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QItemSelectionModel, QPoint, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QProgressBar,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from callaro_desktop.api.errors import ApiError
from callaro_desktop.api.models import Invitation, InvitationStatus, Role, User, UserStatus
from callaro_desktop.api.pages import Page as ApiPage
from callaro_desktop.api.pages import Pager
from callaro_desktop.i18n import tr
from callaro_desktop.services.export import CsvColumn, export_csv
from callaro_desktop.services.formatting import zone
from callaro_desktop.services.tasks import background
from callaro_desktop.views.dialogs.bulk_invite import BulkInviteDialog
from callaro_desktop.views.dialogs.common import run_dialog
from callaro_desktop.views.dialogs.confirm import confirm
from callaro_desktop.views.dialogs.form import FormDialog
from callaro_desktop.views.dialogs.invite_user import ROLES, InviteUserDialog
from callaro_desktop.views.dialogs.user_actions import (
    Change,
    ChangeRoleDialog,
    failure_message,
    person,
    short_name,
)
from callaro_desktop.views.pages.list_page import (
    SEARCH_DEBOUNCE_MS,
    ListPage,
    draw_cells,
    pill_columns,
    report_more_failures,
    reset_columns_action,
    restore_columns,
    style_list_table,
    when_column,
)
from callaro_desktop.views.widgets.badges import PILL_ROLE, Tone
from callaro_desktop.views.widgets.cells import SHORT_ROLE
from callaro_desktop.views.widgets.column_fit import ColumnFitter, restoring
from callaro_desktop.views.widgets.lazy_table import Column, LazyTableModel
from callaro_desktop.views.widgets.search_field import SearchField

if TYPE_CHECKING:
    from callaro_desktop.api.client import TenantClient
    from callaro_desktop.services.session import Session

PER_PAGE = 200  # the contract's maximum: fewest round trips while scrolling
# After a refresh, pages are read again up to where the user had scrolled, but no
# further than this: past it the view starts at the top rather than wait.
RESTORE_LIMIT = 2000

FirstPage = tuple[Pager[Any], ApiPage[Any], int]
UsersData = tuple[Pager[User] | None, ApiPage[User], int]


def _iso(value: datetime | None, tz: str) -> str:
    """Dates in exports: ISO 8601 with the profile timezone's offset, for spreadsheets."""
    return value.astimezone(zone(tz)).isoformat(timespec="seconds") if value else ""


def _status_text(user: User) -> str:
    if user.status is UserStatus.ACTIVE:
        return tr("Active")
    if user.status is UserStatus.DEACTIVATED:
        return tr("Deactivated")
    return tr("Unknown")


def _role_short(item: User | Invitation) -> str:
    """The role without "Tenant": what a Role column too narrow for the whole shows."""
    return {
        Role.TENANT_ADMIN: tr("Admin"),
        Role.TENANT_OPERATOR: tr("Operator"),
        Role.TENANT_VIEWER: tr("Viewer"),
    }.get(item.role, tr(item.role.label))


def _role_column() -> Column[Any]:
    """Role, for a person or an invitation alike (sorted by the server's `role`)."""
    return Column(
        tr("Role"),
        lambda item: tr(item.role.label),
        "role",
        extra_roles={SHORT_ROLE: _role_short},
    )


def _status_tone(user: User) -> Tone:
    return Tone.SUCCESS if user.status is UserStatus.ACTIVE else Tone.NEUTRAL


# As on Phone numbers: what waits for someone is amber, what is done green, what ended grey.
_INVITATION_TONES = {
    InvitationStatus.PENDING: Tone.WARNING,
    InvitationStatus.ACCEPTED: Tone.SUCCESS,
}


def _invitation_status_text(inv: Invitation) -> str:
    return {
        InvitationStatus.PENDING: tr("Pending"),
        InvitationStatus.ACCEPTED: tr("Accepted"),
        InvitationStatus.REVOKED: tr("Revoked"),
        InvitationStatus.EXPIRED: tr("Expired"),
    }.get(inv.status, tr("Unknown"))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "workspace"


def _action(parent: QWidget, text: str, name: str, shortcut: str | None = None) -> QAction:
    action = QAction(text, parent)
    action.setObjectName(name)
    if shortcut:
        action.setShortcut(QKeySequence(shortcut))
        # Only while the table has focus: Delete in the search box must stay Delete.
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
    return action


def _button(text: str, accessible: str, action: QAction | None = None) -> QPushButton:
    button = QPushButton(text)
    button.setAccessibleName(accessible)
    if action is not None:
        button.clicked.connect(action.trigger)
    return button


def _style_table(table: QTableView) -> None:
    style_list_table(table)
    table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)  # the row's actions


async def _form_result(dialog: FormDialog) -> Any:
    """Run a form dialog; what its submit returned, or None when cancelled."""
    try:
        accepted = await run_dialog(dialog) == QDialog.DialogCode.Accepted
        return dialog.result_value if accepted else None
    finally:
        dialog.deleteLater()


def _row_menu(
    table: QTableView,
    name: str,
    actions: Sequence[QAction | None],
    pos: QPoint | None,
    sorting: ServerSort,
) -> None:
    """The row's actions (None: a separator) and "Sort by", at the mouse, or under the
    current row when asked from the keyboard (Menu key, Shift+F10)."""
    menu = QMenu(table)
    menu.setAccessibleName(name)
    for action in actions:
        if action is None:
            menu.addSeparator()
        else:
            menu.addAction(action)
    if actions:
        menu.addSeparator()
    sorting.add_menu(menu)
    menu.aboutToHide.connect(menu.deleteLater)
    current = table.currentIndex()
    rect = table.visualRect(current) if current.isValid() else None
    if pos is None or (rect is not None and not rect.contains(pos)):
        pos = rect.bottomLeft() if rect is not None else QPoint(8, 8)
    menu.popup(table.viewport().mapToGlobal(pos))


class ServerSort:
    """Header clicks become the server's `sort=field` / `sort=-field`, then a reload.

    A click on a column the server cannot sort puts the indicator back where it was,
    so the arrow always tells the truth about the order shown.
    """

    def __init__(
        self,
        table: QTableView,
        model: LazyTableModel[Any],
        section: int,
        order: Qt.SortOrder,
        reload: Callable[[], None],
    ) -> None:
        self._model = model
        self._reload = reload
        self._header = table.horizontalHeader()
        self._header.setSectionsClickable(True)
        self._header.setSortIndicatorShown(True)
        self._header.setSortIndicator(section, order)
        self._shown = (section, order)
        self._header.sortIndicatorChanged.connect(self._changed)

    @property
    def value(self) -> str:
        # Read from the header, which a restored column layout may have changed (its sort
        # signal is ignored then: restore_layout).
        header = self._header
        key = self._key(header.sortIndicatorSection(), header.sortIndicatorOrder())
        return key if key is not None else self._key(*self._shown) or ""

    def _key(self, section: int, order: Qt.SortOrder) -> str | None:
        key = self._model.column(section).sort_key
        if key is None:
            return None
        return key if order == Qt.SortOrder.AscendingOrder else f"-{key}"

    def add_menu(self, menu: QMenu) -> None:
        """ "Sort by" with every sortable column both ways: the keyboard's way to sort."""
        sub = menu.addMenu(tr("&Sort by"))
        current = self._header.sortIndicatorSection(), self._header.sortIndicatorOrder()
        for section in range(self._model.columnCount()):
            column = self._model.column(section)
            if column.sort_key is None:
                continue
            for order, text in (
                (Qt.SortOrder.AscendingOrder, tr("{0}, ascending")),
                (Qt.SortOrder.DescendingOrder, tr("{0}, descending")),
            ):
                action = sub.addAction(text.format(column.title))
                action.setCheckable(True)
                action.setChecked((section, order) == current)
                action.triggered.connect(
                    lambda _c=False, s=section, o=order: self._header.setSortIndicator(s, o)
                )

    def _changed(self, section: int, order: Qt.SortOrder) -> None:
        if restoring(self._header):
            return
        key = self._key(section, order)
        if key is None:
            blocked = self._header.blockSignals(True)
            self._header.setSortIndicator(*self._shown)
            self._header.blockSignals(blocked)
            return
        self._shown = (section, order)
        self._reload()


class InvitationsPanel(QWidget):
    """The "Pending invitations" tab: its own lazy list, Resend and Revoke."""

    def __init__(self, page: UsersPage) -> None:
        super().__init__()
        self.page = page
        self.session = page.session
        self.model: LazyTableModel[Invitation] = LazyTableModel(self._columns(), self)
        self.table = QTableView()
        self.table.setObjectName("invitations_table")
        self.table.setAccessibleName(tr("Pending invitations table"))
        self.table.setModel(self.model)
        _style_table(self.table)
        self.sorting = ServerSort(
            self.table, self.model, 4, Qt.SortOrder.DescendingOrder, self.reload
        )
        header = self.table.horizontalHeader()
        for section, width in ((0, 260), (1, 140), (2, 100), (3, 170), (4, 160)):
            header.resizeSection(section, width)
        self._laid_out = header.saveState()
        self.columns_fit = ColumnFitter(self.table)
        self.columns_fit.lay_out(pill_columns(self.model))
        self.columns_fit.own()
        self.reset_columns_action = reset_columns_action(
            header, self.reset_columns, self.columns_fit
        )
        self.columns_fit.owned_changed.connect(lambda _owned: page.user_columns_changed.emit())
        draw_cells(self.table, self.model)

        self.status = QComboBox()
        self.status.setAccessibleName(tr("Show invitations"))
        for text, value in (
            (tr("Pending"), InvitationStatus.PENDING.value),
            (tr("Expired"), InvitationStatus.EXPIRED.value),
            (tr("Accepted"), InvitationStatus.ACCEPTED.value),
            (tr("Revoked"), InvitationStatus.REVOKED.value),
            (tr("All invitations"), None),
        ):
            self.status.addItem(text, value)
        self.status.currentIndexChanged.connect(lambda _i: self.reload())
        self.search = SearchField(tr("Search invitations…"), tr("Search invitations"))
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.reload)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.count_label = QLabel()
        self.count_label.setProperty("muted", True)
        self.count_label.setAccessibleName(tr("Invitation count"))
        self.error_label = QLabel()
        self.error_label.setProperty("fieldError", True)
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.hide()
        self.retry_button = _button(tr("Retry"), tr("Retry loading invitations"))
        self.retry_button.clicked.connect(self.reload)
        self.retry_button.hide()

        self.resend_action = _action(self, tr("Re&send invitation"), "resend_invitation")
        self.resend_action.triggered.connect(self._resend_selected)
        self.revoke_action = _action(self, tr("Revo&ke invitation…"), "revoke_invitation", "Del")
        self.revoke_action.triggered.connect(self._revoke_selected)
        for action in (self.resend_action, self.revoke_action):
            self.table.addAction(action)
        self.resend_button = _button(tr("Re&send"), tr("Resend invitation"), self.resend_action)
        self.revoke_button = _button(tr("Revo&ke…"), tr("Revoke invitation"), self.revoke_action)
        self.revoke_button.setProperty("destructive", True)
        self.table.customContextMenuRequested.connect(self._menu)
        QShortcut(
            QKeySequence("Shift+F10"),
            self.table,
            lambda: self._menu(None),
            context=Qt.ShortcutContext.WidgetShortcut,
        )
        self.table.selectionModel().selectionChanged.connect(lambda *_: self.update_actions())
        self.model.modelReset.connect(self.update_actions)
        self.model.first_page_loaded.connect(self._show_count)
        report_more_failures(
            self.model, self.session.messages, tr("More invitations could not be loaded: {0}")
        )

        tools = QHBoxLayout()
        tools.addWidget(self.search)
        tools.addWidget(self.status)
        tools.addStretch(1)
        tools.addWidget(self.count_label)
        errors = QHBoxLayout()
        errors.addWidget(self.error_label, 1)
        errors.addWidget(self.retry_button)
        actions = QHBoxLayout()
        actions.addStretch(1)
        actions.addWidget(self.resend_button)
        actions.addWidget(self.revoke_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 10, 0, 0)
        lay.addLayout(tools)
        lay.addLayout(errors)
        lay.addWidget(self.table, 1)
        lay.addLayout(actions)
        self.update_actions()

    def _columns(self) -> Sequence[Column[Invitation]]:
        tz = self.page.session_timezone
        return [
            Column(tr("Email"), lambda i: i.email, "email"),
            _role_column(),
            Column(
                tr("Status"),
                _invitation_status_text,
                "status",
                extra_roles={PILL_ROLE: lambda i: _INVITATION_TONES.get(i.status, Tone.NEUTRAL)},
            ),
            Column(tr("Invited by"), lambda i: i.invited_by.label if i.invited_by else "—"),
            when_column(tr("Sent"), lambda i: i.created_at, tz, "created_at"),
            when_column(tr("Expires"), lambda i: i.expires_at, tz, "expires_at"),
        ]

    # -- loading ---------------------------------------------------------------------------

    def pager(self, scope: TenantClient) -> Pager[Invitation]:
        return scope.invitations.list(
            status=self.status.currentData() or None,
            search=self.search.text().strip() or None,
            sort=self.sorting.value,
            per_page=PER_PAGE,
        )

    async def fetch(self, scope: TenantClient) -> FirstPage:
        pager = self.pager(scope)
        return pager, await pager.fetch_page(1), scope.tenant_id

    def present(self, data: FirstPage | BaseException) -> None:
        if isinstance(data, ApiError):
            self.model.reset(None)
            self.count_label.clear()
            self.error_label.setText(
                tr("Invitations could not be loaded: {0}").format(data.user_message())
            )
            self.error_label.show()
            self.retry_button.show()
            self.page.update_tab_titles()
            return
        assert not isinstance(data, BaseException)
        self.error_label.hide()
        self.retry_button.hide()
        self.page.reset_lazy(self.model, data)

    def reset_columns(self) -> None:
        restore_columns(self.table.horizontalHeader(), self._laid_out)
        self.columns_fit.own()

    def reload(self) -> None:
        tenant_id = self.session.tenant_id
        if tenant_id is None:
            return
        self.session.tasks.run(("users.invitations", tenant_id), self._load(tenant_id))

    async def _load(self, tenant_id: int) -> None:
        try:
            data: FirstPage | BaseException = await self.session.call(
                lambda: self.fetch(self.session.scope(tenant_id)),
                load=("users/invitations", tenant_id),
            )
        except ApiError as exc:
            data = exc
        if self.session.tenant_id == tenant_id:
            self.present(data)

    def _show_count(self, total: int) -> None:
        filtered = bool(self.search.text().strip())
        text = tr("{0} matching") if filtered else tr("{0} shown")
        self.count_label.setText(text.format(f"{total:,}"))
        self.page.update_tab_titles()

    def forget(self) -> None:
        self.model.reset(None)
        self.count_label.clear()

    # -- actions -----------------------------------------------------------------------------

    def selected(self) -> Invitation | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def update_actions(self) -> None:
        inv = self.selected()
        open_ = inv is not None and inv.status in (
            InvitationStatus.PENDING,
            InvitationStatus.EXPIRED,
        )
        for widget in (self.resend_action, self.revoke_action):
            widget.setEnabled(open_)
        self.resend_button.setEnabled(open_)
        self.revoke_button.setEnabled(open_)

    def _menu(self, pos: QPoint | None) -> None:
        actions: list[QAction | None] = []
        if self.selected() is not None:
            actions = [self.resend_action, self.revoke_action]
        _row_menu(self.table, tr("Invitation actions"), actions, pos, self.sorting)

    def _resend_selected(self) -> None:
        inv = self.selected()
        if inv is not None and self.resend_action.isEnabled():
            background(self.resend(inv))

    def _revoke_selected(self) -> None:
        inv = self.selected()
        if inv is not None and self.revoke_action.isEnabled():
            background(self.revoke(inv))

    async def resend(self, inv: Invitation) -> None:
        await self._act(
            lambda scope: scope.invitations.resend(inv.id),
            tr("The invitation to {0} could not be resent: {1}"),
            inv,
            tr("The invitation to {0} was sent again; it is valid for another 7 days.").format(
                inv.email
            ),
        )

    async def revoke(self, inv: Invitation) -> None:
        tenant = self.page.tenant_context()[1]
        ok = await confirm(
            self,
            tr("Revoke invitation?"),
            tr(
                "Revoke the invitation for <b>{0}</b> to join <b>{1}</b>? The link in the "
                "email stops working. You can invite {0} again later."
            ).format(html.escape(inv.email), html.escape(tenant)),
            tr("Revoke invitation"),
        )
        if ok:
            await self._act(
                lambda scope: scope.invitations.revoke(inv.id),
                tr("The invitation to {0} could not be revoked: {1}"),
                inv,
                tr("The invitation for {0} to {1} was revoked.").format(inv.email, tenant),
            )

    async def _act(
        self,
        call: Callable[[TenantClient], Awaitable[object]],
        failed: str,
        inv: Invitation,
        done: str,
    ) -> None:
        tenant_id = self.session.tenant_id
        try:
            await self.session.call(lambda: call(self.session.scope(tenant_id)))
        except ApiError as exc:
            self.session.messages.error(
                failed.format(inv.email, exc.user_message(reference=False)), exc.request_id
            )
            return
        self.session.messages.info(done)
        if self.session.tenant_id == tenant_id:
            self.reload()


class UsersPage(ListPage[User]):
    page_id = "users"
    search_placeholder = tr("Search users…")

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self._build_filters()
        self._build_sorting()
        self._build_actions()
        self.invitations = InvitationsPanel(self)
        self._build_tabs()
        self._build_header_buttons()
        self.table.selectionModel().selectionChanged.connect(lambda *_: self.update_actions())
        self.model.modelReset.connect(self.update_actions)
        self.model.rowsInserted.connect(lambda *_: self._show_no_rows())
        self._export_task: asyncio.Task[None] | None = None
        self._shown_query: tuple[object, ...] = ()
        self.update_actions()

    # -- building ----------------------------------------------------------------------------

    def _build_filters(self) -> None:
        self.role_filter = QComboBox()
        self.role_filter.setAccessibleName(tr("Filter by role"))
        self.role_filter.addItem(tr("All roles"), None)
        # Item data holds plain values: Qt turns str enums into str anyway.
        for role in ROLES:
            self.role_filter.addItem(tr(role.label), role.value)
        self.status_filter = QComboBox()
        self.status_filter.setAccessibleName(tr("Filter by status"))
        self.status_filter.addItem(tr("All statuses"), None)
        self.status_filter.addItem(tr("Active"), UserStatus.ACTIVE.value)
        self.status_filter.addItem(tr("Deactivated"), UserStatus.DEACTIVATED.value)
        for combo in (self.role_filter, self.status_filter):
            combo.currentIndexChanged.connect(lambda _i: self.reload())
            self.filters.addWidget(combo)
        QShortcut(
            QKeySequence(QKeySequence.StandardKey.Find),
            self,
            self._focus_search,
            context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )

    def _build_sorting(self) -> None:
        self.sorting = ServerSort(
            self.table, self.model, 1, Qt.SortOrder.AscendingOrder, self.reload
        )
        header = self.table.horizontalHeader()
        # Fits all six columns in a 1280 px window; dates need about 150 px, the status pill
        # "Deactivated" 115.
        for section, width in ((0, 160), (1, 240), (2, 130), (3, 115), (4, 150)):
            header.resizeSection(section, width)

    def _build_actions(self) -> None:
        _style_table(self.table)
        self.change_role_action = _action(self, tr("Change &role…"), "change_role", "F2")
        self.change_role_action.triggered.connect(self._change_role_selected)
        self.toggle_action = _action(self, tr("&Deactivate…"), "toggle_active")
        self.toggle_action.triggered.connect(self._toggle_selected)
        self.remove_action = _action(self, tr("Re&move from tenant…"), "remove_user", "Del")
        self.remove_action.triggered.connect(self._remove_selected)
        for action in (self.change_role_action, self.toggle_action, self.remove_action):
            self.table.addAction(action)
        self.table.customContextMenuRequested.connect(self._menu)
        self.table.activated.connect(lambda _i: self.change_role_action.trigger())
        QShortcut(
            QKeySequence("Shift+F10"),
            self.table,
            lambda: self._menu(None),
            context=Qt.ShortcutContext.WidgetShortcut,
        )
        self.change_role_button = _button(
            tr("Change &role…"), tr("Change role"), self.change_role_action
        )
        self.toggle_button = _button(tr("&Deactivate…"), tr("Deactivate"), self.toggle_action)
        self.remove_button = _button(
            tr("Re&move from tenant…"), tr("Remove from tenant"), self.remove_action
        )
        self.remove_button.setProperty("destructive", True)
        self.selection_label = QLabel()
        self.selection_label.setProperty("muted", True)
        self.selection_label.setWordWrap(True)  # (so a narrow window is not held wide by it)
        self.selection_label.setAccessibleName(tr("Selected user"))

        self.export_progress = QProgressBar()
        self.export_progress.setAccessibleName(tr("Export progress"))
        self.export_progress.setMaximumWidth(180)
        self.export_progress.setFormat("%p%")
        self.export_label = QLabel()
        self.export_label.setProperty("muted", True)
        self.export_cancel = _button(tr("Cancel e&xport"), tr("Cancel export"))
        self.export_cancel.clicked.connect(self.cancel_export)
        self.export_bar = QWidget()
        bar = QHBoxLayout(self.export_bar)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.export_label)
        bar.addWidget(self.export_progress)
        bar.addWidget(self.export_cancel)
        self.export_bar.hide()
        self.no_rows_label = QLabel(tr("No users match the search and filters."))
        self.no_rows_label.setProperty("muted", True)
        self.no_rows_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.no_rows_label.hide()

    def _build_tabs(self) -> None:
        # ListPage laid out [tools, table] in the body; they move into the first tab.
        body = self.body.layout()
        assert body is not None
        tools_item = body.takeAt(0)
        tools = tools_item.layout() if tools_item is not None else None
        assert tools is not None
        body.removeWidget(self.table)  # (its layout item deleted: see DashboardPage)
        tools.setParent(None)
        users_tab = QWidget()
        users_lay = QVBoxLayout(users_tab)
        users_lay.setContentsMargins(0, 10, 0, 0)
        users_lay.addLayout(tools)
        users_lay.addWidget(self.table, 1)
        # Said inside the empty table, where the eye already is.
        overlay = QVBoxLayout(self.table.viewport())
        overlay.addWidget(self.no_rows_label, 0, Qt.AlignmentFlag.AlignCenter)
        actions = QHBoxLayout()
        actions.addWidget(self.selection_label, 1)
        actions.addWidget(self.export_bar)
        actions.addWidget(self.change_role_button)
        actions.addWidget(self.toggle_button)
        actions.addWidget(self.remove_button)
        users_lay.addLayout(actions)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("users_tabs")
        self.tabs.setAccessibleName(tr("Users and invitations"))
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(users_tab, tr("&Users"))
        self.tabs.addTab(self.invitations, tr("&Pending invitations"))
        body.addWidget(self.tabs)

    def _build_header_buttons(self) -> None:
        self.export_button = _button(tr("E&xport CSV…"), tr("Export CSV"))
        self.export_button.clicked.connect(lambda: background(self.choose_export()))
        self.bulk_button = _button(tr("&Bulk invite…"), tr("Bulk invite"))
        self.bulk_button.clicked.connect(lambda: background(self.bulk_invite()))
        self.invite_button = _button(tr("&Invite User"), tr("Invite User"))
        self.invite_button.setProperty("primary", True)
        self.invite_button.setToolTip(tr("Send an invitation email (Ctrl+N)"))
        self.invite_button.clicked.connect(self.open_primary_action)
        QShortcut(
            QKeySequence(QKeySequence.StandardKey.New),
            self,
            self.open_primary_action,
            context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )
        self.bulk_button.setToolTip(tr("Invite many people from a CSV file of email, role"))
        self.export_button.setToolTip(
            tr("Save the users shown (search, filters and sort apply) as a CSV file")
        )
        self.change_role_button.setToolTip(tr("Change the selected person's role (F2)"))
        self.remove_button.setToolTip(tr("Remove the selected person from this workspace (Del)"))
        for button in (self.export_button, self.bulk_button, self.invite_button):
            self.actions_bar.addWidget(button)

    def tab_chain(self) -> list[QWidget]:
        # One chain through both tabs: Qt skips the hidden tab's widgets.
        inv = self.invitations
        chain: list[QWidget] = [
            self.export_button,
            self.bulk_button,
            self.invite_button,
            self.tabs,
            self.search,
            self.role_filter,
            self.status_filter,
            self.table,
            self.change_role_button,
            self.toggle_button,
            self.remove_button,
            self.export_cancel,
            inv.search,
            inv.status,
            inv.retry_button,
            inv.table,
            inv.resend_button,
            inv.revoke_button,
        ]
        return chain

    # -- ListPage ------------------------------------------------------------------------------

    @classmethod
    def title(cls) -> str:
        return tr("Users")

    @classmethod
    def subtitle(cls) -> str:
        return tr("Who can use this workspace, and with which role.")

    def columns(self) -> Sequence[Column[User]]:
        tz = self.session_timezone
        return [
            Column(tr("Name"), lambda u: u.display_name or "—", "display_name"),
            Column(tr("Email"), lambda u: u.email, "email"),
            _role_column(),
            Column(tr("Status"), _status_text, "status", extra_roles={PILL_ROLE: _status_tone}),
            when_column(
                tr("Last active"),
                lambda u: u.last_active_at,
                tz,
                "last_active_at",
                never=tr("never"),
            ),
            when_column(tr("Created"), lambda u: u.created_at, tz, "created_at"),
        ]

    def pager(self, scope: TenantClient, search: str | None) -> Pager[User]:
        return self.users_pager(scope, search)

    def users_pager(
        self, scope: TenantClient, search: str | None, per_page: int = PER_PAGE
    ) -> Pager[User]:
        role = self.role_filter.currentData()
        return scope.users.list(
            search=search,
            role=Role(role) if role else None,
            status=self.status_filter.currentData() or None,
            sort=self.sorting.value,
            per_page=per_page,
        )

    def reload(self) -> None:
        super().reload()
        # Its own task, keyed by tenant: a failure there must not hide the users.
        self.invitations.reload()

    def reset_columns(self) -> None:
        super().reset_columns()
        self.invitations.reset_columns()

    def user_columns(self) -> bool:
        return super().user_columns() or not self.invitations.columns_fit.owned

    def present(self, data: UsersData) -> None:
        # A refresh of the same query puts the view back where it was; a new search,
        # filter or sort starts at the top, keeping the selection only if it is there.
        # A row asked for by a find-across-workspaces reveal wins over both.
        query = self.query()
        same = query == self._shown_query
        self._shown_query = query
        revealing = getattr(self, "_reveal_id", None) is not None
        keep = None if revealing else self.selected()
        loaded = self.model.rowCount() if same else 0
        scroll = self.table.verticalScrollBar().value() if same and not revealing else 0
        super().present(data)
        self._show_no_rows()
        if keep is not None or scroll:
            self.session.tasks.run(
                ("users.restore", data[2]),
                self._restore_view(keep.id if keep else None, loaded, scroll),
            )

    def query(self) -> tuple[object, ...]:
        """What the table shows: tenant, search, filters and sort."""
        return (
            self.session.tenant_id,
            self.search.text().strip(),
            self.role_filter.currentData(),
            self.status_filter.currentData(),
            self.sorting.value,
        )

    def is_empty(self, data: UsersData) -> bool:
        # There is always someone (the admin looking at it), and the invitations tab
        # must stay reachable: never swap the body for an empty state.
        return False

    def reset_lazy(self, model: LazyTableModel[Any], data: FirstPage) -> None:
        """Show page 1 of `data` in `model`; later pages load for this tenant only."""
        pager, first, tenant_id = data

        async def more(number: int) -> ApiPage[Any]:
            if self.session.tenant_id != tenant_id:
                raise asyncio.CancelledError
            return await self.session.call(lambda: pager.fetch_page(number))

        model.reset(more, first)

    def _show_count(self, total: int) -> None:
        text = tr("{0} matching") if self.filtering() else tr("{0} in total")
        self.count_label.setText(text.format(f"{total:,}"))
        self.update_tab_titles()

    def _forget_rows(self, tenant: object) -> None:
        super()._forget_rows(tenant)
        if hasattr(self, "invitations"):
            self.invitations.forget()
            self.update_tab_titles()

    # -- shell hooks -------------------------------------------------------------------------

    def reveal(self, item_id: int, query: str) -> None:
        """Find-across-workspaces: show this person whatever the filters were."""
        self.tabs.setCurrentIndex(0)
        for combo in (self.role_filter, self.status_filter):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        super().reveal(item_id, query)

    def open_primary_action(self) -> None:
        """The page's main action (the shell's "New" shortcut): Invite User."""
        background(self.invite())

    def filtering(self) -> bool:
        return bool(
            self.search.text().strip()
            or self.role_filter.currentData() is not None
            or self.status_filter.currentData() is not None
        )

    def tenant_context(self) -> tuple[int | None, str]:
        tenant = self.session.tenant
        return (tenant.id, tenant.name) if tenant is not None else (None, "")

    def update_tab_titles(self) -> None:
        users = tr("&Users")
        if self.model.rowCount() or self.count_label.text():
            users = tr("&Users ({0})").format(f"{self.model.total:,}")
        invites = tr("&Pending invitations")
        pending_only = self.invitations.status.currentData() == InvitationStatus.PENDING.value
        if pending_only and self.invitations.count_label.text():
            invites = tr("&Pending invitations ({0})").format(f"{self.invitations.model.total:,}")
        self.tabs.setTabText(0, users)
        self.tabs.setTabText(1, invites)

    def _focus_search(self) -> None:
        if self.tabs.currentWidget() is self.invitations:
            self.invitations.search.setFocus()
            self.invitations.search.selectAll()
        else:
            self.search.setFocus()
            self.search.selectAll()

    def _show_no_rows(self) -> None:
        loading = self.model.is_loading
        self.no_rows_label.setVisible(
            not self.model.rowCount() and not loading and self.filtering()
        )

    # -- sorting and selection ---------------------------------------------------------------

    @property
    def sort(self) -> str:
        return self.sorting.value

    def row_of(self, user_id: int) -> int | None:
        return next((i for i, u in enumerate(self.model.rows) if u.id == user_id), None)

    def select_user(self, user_id: int) -> bool:
        row = self.row_of(user_id)
        if row is None:
            return False
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        return True

    async def _restore_view(self, user_id: int | None, loaded: int, scroll: int) -> None:
        """Read pages again up to where the user was, then reselect and rescroll."""
        target = min(loaded, RESTORE_LIMIT)
        while self.model.rowCount() < target:
            if user_id is not None and self.row_of(user_id) is not None and not scroll:
                break
            # The view may have asked for the next page itself; then wait for that one.
            if not self.model.is_loading:
                if not self.model.canFetchMore():
                    break
                self.model.fetchMore()
            idle = self.model.wait_idle()
            if idle is None:
                break
            await asyncio.wait([asyncio.ensure_future(idle)])
        if user_id is not None:
            self.select_user(user_id)
        self.table.verticalScrollBar().setValue(scroll)

    def update_actions(self) -> None:
        user = self.selected()
        has = user is not None
        for action in (self.change_role_action, self.toggle_action, self.remove_action):
            action.setEnabled(has)
        for button in (self.change_role_button, self.toggle_button, self.remove_button):
            button.setEnabled(has)
        deactivated = user is not None and user.status is UserStatus.DEACTIVATED
        text = tr("Re&activate") if deactivated else tr("&Deactivate…")
        self.toggle_action.setText(text)
        self.toggle_button.setText(text)
        self.toggle_button.setAccessibleName(text.replace("&", "").rstrip("…"))
        if user is None:
            self.selection_label.setText(tr("Select a person to change their role or access."))
        else:
            self.selection_label.setText(
                tr("{0} · {1} · {2}").format(
                    short_name(user), tr(user.role.label), _status_text(user)
                )
            )

    def _menu(self, pos: QPoint | None) -> None:
        actions: list[QAction | None] = []
        if self.selected() is not None:
            actions = [self.change_role_action, self.toggle_action, None, self.remove_action]
        _row_menu(self.table, tr("User actions"), actions, pos, self.sorting)

    # -- row actions ---------------------------------------------------------------------------

    def _change_role_selected(self) -> None:
        user = self.selected()
        if user is not None:
            background(self.change_role(user))

    def _toggle_selected(self) -> None:
        user = self.selected()
        if user is not None:
            background(self.set_active(user, user.status is UserStatus.DEACTIVATED))

    def _remove_selected(self) -> None:
        user = self.selected()
        if user is not None:
            background(self.remove(user))

    def _is_me(self, user: User) -> bool:
        return self.session.me is not None and self.session.me.id == user.id

    def _replace(self, user: User) -> None:
        row = self.row_of(user.id)
        if row is not None:
            self.model.replace_row(row, user)
        self.update_actions()

    async def change_role(self, user: User) -> None:
        tenant_id, tenant = self.tenant_context()
        updated = await _form_result(ChangeRoleDialog(self.session, user, tenant, parent=self))
        if not isinstance(updated, User):
            return
        if self.session.tenant_id == tenant_id:
            self._replace(updated)
        text = tr("{0} is now a {1} in {2}.").format(
            short_name(updated), tr(updated.role.label), tenant
        )
        if self._is_me(updated) and updated.role is not Role.TENANT_ADMIN:
            text += " " + tr("Sign in again to see the pages of your new role.")
        self.session.messages.info(text)

    async def _confirm(self, user: User, title: str, text: str, action: str) -> bool:
        if self._is_me(user):
            tenant = html.escape(self.tenant_context()[1])
            note = tr("<b>This is you:</b> you lose access to {0} at once.").format(tenant)
            text += "<br><br>" + note
        return await confirm(self, title, text, action)

    async def _member_call(
        self, user: User, change: Change, call: Callable[[TenantClient], Awaitable[object]]
    ) -> tuple[bool, object]:
        """Run a change to `user`; a refusal is said in words and gives (False, None)."""
        tenant_id, tenant = self.tenant_context()
        try:
            return True, await self.session.call(lambda: call(self.session.scope(tenant_id)))
        except ApiError as exc:
            text = failure_message(exc, user, tenant, change, is_self=self._is_me(user))
            self.session.messages.error(text, exc.request_id)
            return False, None

    async def set_active(self, user: User, active: bool) -> None:
        tenant_id, tenant = self.tenant_context()
        if not active:
            text = tr(
                "Deactivate <b>{0}</b> in <b>{1}</b>? They can no longer sign in to {1} or "
                "use it. Their other workspaces are not affected, and you can reactivate "
                "them at any time."
            ).format(html.escape(person(user)), html.escape(tenant))
            if not await self._confirm(user, tr("Deactivate user?"), text, tr("Deactivate")):
                return
        status = UserStatus.ACTIVE if active else UserStatus.DEACTIVATED
        ok, updated = await self._member_call(
            user, Change.DEACTIVATE, lambda scope: scope.users.update(user.id, status=status.value)
        )
        if not ok:
            return
        if self.session.tenant_id == tenant_id and isinstance(updated, User):
            self._replace(updated)
        done = tr("{0} was reactivated in {1}.") if active else tr("{0} was deactivated in {1}.")
        self.session.messages.info(done.format(short_name(user), tenant))

    async def remove(self, user: User) -> None:
        tenant_id, tenant = self.tenant_context()
        text = tr(
            "Remove <b>{0}</b> from <b>{1}</b>? They lose access to {1} at once. Their Callaro "
            "account and their other workspaces are not affected; to bring them back, invite "
            "them again."
        ).format(html.escape(person(user)), html.escape(tenant))
        if not await self._confirm(user, tr("Remove from tenant?"), text, tr("Remove from tenant")):
            return
        ok, _ = await self._member_call(
            user, Change.REMOVE, lambda scope: scope.users.remove(user.id)
        )
        if not ok:
            return
        if self.session.tenant_id == tenant_id:
            row = self.row_of(user.id)
            if row is not None:
                self.model.remove_row(row)
                self._show_count(self.model.total)
        self.session.messages.info(tr("{0} was removed from {1}.").format(short_name(user), tenant))

    # -- invitations -------------------------------------------------------------------------

    async def invite(self) -> None:
        if self.session.tenant_id is None:
            return
        dialog = InviteUserDialog(self.session, parent=self)
        tenant_id = dialog.tenant_id
        invitation = await _form_result(dialog)
        if not isinstance(invitation, Invitation):
            return
        tenant = self.tenant_context()[1]
        self.session.messages.info(
            tr(
                "Invitation sent to {0} to join {1} as {2}. It is listed under Pending invitations."
            ).format(invitation.email, tenant, tr(invitation.role.label))
        )
        if self.session.tenant_id == tenant_id:
            self.invitations.reload()

    async def bulk_invite(self) -> None:
        if self.session.tenant_id is None:
            return
        dialog = BulkInviteDialog(self.session, parent=self)
        tenant_id = dialog.tenant_id

        def sent(_count: int) -> None:
            if self.session.tenant_id == tenant_id:
                self.invitations.reload()

        dialog.invitations_sent.connect(sent)
        try:
            await run_dialog(dialog)
        finally:
            dialog.deleteLater()

    # -- export ----------------------------------------------------------------------------------

    def export_columns(self) -> list[CsvColumn[User]]:
        tz = self.session_timezone
        return [
            CsvColumn(tr("Name"), lambda u: u.display_name or ""),
            CsvColumn(tr("Email"), lambda u: u.email),
            CsvColumn(tr("Role"), lambda u: u.role.label),
            CsvColumn(tr("Status"), _status_text),
            CsvColumn(tr("Last active"), lambda u: _iso(u.last_active_at, tz())),
            CsvColumn(tr("Created"), lambda u: _iso(u.created_at, tz())),
        ]

    async def choose_export(self) -> None:
        if self._export_task is not None and not self._export_task.done():
            return
        tenant = self.tenant_context()[1]
        picker = QFileDialog(self, tr("Export users to CSV"))
        picker.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        picker.setDefaultSuffix("csv")
        picker.setNameFilters([tr("CSV files (*.csv)")])
        picker.selectFile(f"users-{_slug(tenant)}-{date.today():%Y-%m-%d}.csv")
        try:
            if await run_dialog(picker) == QDialog.DialogCode.Accepted and picker.selectedFiles():
                self.start_export(Path(picker.selectedFiles()[0]))
        finally:
            picker.deleteLater()

    def start_export(self, target: Path) -> asyncio.Task[None]:
        """Export what the table shows (search, filters, sort), every page of it."""
        self._export_task = background(self._export(target))
        return self._export_task

    def cancel_export(self) -> None:
        if self._export_task is not None and not self._export_task.done():
            self._export_task.cancel()

    async def _export(self, target: Path) -> None:
        tenant_id, tenant = self.tenant_context()
        scope = self.session.scope(tenant_id)
        pager = self.users_pager(scope, self.search.text().strip() or None)
        columns = self.export_columns()
        self.export_bar.show()
        self.export_button.setEnabled(False)
        self.export_progress.setRange(0, 0)
        self.export_label.setText(tr("Exporting users of {0}…").format(tenant))

        def progress(done: int, total: int | None) -> None:
            if total:
                self.export_progress.setRange(0, total)
                self.export_progress.setValue(done)
            self.export_label.setText(
                tr("Exporting {0} of {1}…").format(f"{done:,}", f"{total or done:,}")
            )

        try:
            count = await self.session.call(
                lambda: export_csv(pager, columns, target, progress=progress)
            )
        except asyncio.CancelledError:
            self.session.messages.info(tr("Export cancelled; no file was written."))
            raise
        except ApiError as exc:
            self.session.messages.error(
                tr("The export stopped and no file was written: {0}").format(
                    exc.user_message(reference=False)
                ),
                exc.request_id,
            )
            return
        except OSError as exc:
            self.session.messages.error(
                tr("The file could not be written: {0}").format(exc.strerror or str(exc))
            )
            return
        finally:
            self.export_bar.hide()
            self.export_button.setEnabled(True)
        self.session.messages.info(
            tr("Exported {0} users of {1} to {2}.").format(f"{count:,}", tenant, target)
        )
