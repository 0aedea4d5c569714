"""Admin → API keys: the keys a tenant's own systems use (X-Api-Key: sk_...).

The list is short and the server sends it whole, so the status filter and the search
work on the rows already loaded. Every action is a flow of dialogs run as a task
(create → the secret once; rotate → the secret once → revoke the old key or keep
both; revoke → type the name). A new key's secret passes through the flow in one
local variable, straight into the secret dialog, and is gone when that closes: the
page itself only ever holds keys without their secret.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Awaitable, Callable, Collection, Coroutine, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, Qt
from PySide6.QtGui import (
    QAction,
    QFontMetrics,
    QKeyEvent,
    QKeySequence,
    QShortcut,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPushButton,
    QWidget,
)

from callaro_desktop.api.errors import ApiError, NotFound
from callaro_desktop.api.models import OPT_IN_SCOPES, ApiKey, ApiKeyCreated, Scope
from callaro_desktop.api.pages import Page as ApiPage
from callaro_desktop.i18n import tr
from callaro_desktop.services.clipboard import secret_clipboard
from callaro_desktop.services.tasks import background
from callaro_desktop.settings import save as save_settings
from callaro_desktop.settings import tenant_key
from callaro_desktop.views.dialogs.api_key_create import ApiKeyCreateDialog
from callaro_desktop.views.dialogs.api_key_edit import ApiKeyEditDialog
from callaro_desktop.views.dialogs.api_key_secret import ApiKeySecretDialog
from callaro_desktop.views.dialogs.common import run_dialog
from callaro_desktop.views.dialogs.confirm import ConfirmDialog, confirm
from callaro_desktop.views.dialogs.form import run_form
from callaro_desktop.views.pages.list_page import ListPage, when_column
from callaro_desktop.views.pages.phone_numbers import monospace
from callaro_desktop.views.widgets.badges import PILL_ROLE, Tone, pill_font, pill_size
from callaro_desktop.views.widgets.lazy_table import Column
from callaro_desktop.views.widgets.search_field import SearchField

if TYPE_CHECKING:
    from callaro_desktop.api.client import TenantClient
    from callaro_desktop.services.session import Session, TenantRef

T = TypeVar("T")


# Name, Scopes, Created, Created by, Last used (which also takes what is left): the page's
# share of the room once Prefix and Status have theirs (both measured, both kept whole: a
# prefix cut short names no key). All seven fit a first window (1280 px, a vertical scroll bar
# shown); in a narrower one names and scopes are cut short, with a tooltip.
SHARED_WIDTHS = {0: 170, 2: 170, 4: 135, 5: 115, 6: 135}
PREFIX_COLUMN, STATUS_COLUMN = 1, 3
PREFIX_SAMPLE = "sk_live_WW00"  # a prefix is "sk_live_" and four more (the contract's example)
CELL_SLACK = 8  # px each side of a measured cell: the style's margin and a little air


class KeyStatus(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"
    REPLACED = "replaced"  # rotated, still working: to revoke once nothing uses it
    REPLACED_DISABLED = "replaced_disabled"


# The Status column's pill for each, as every list's statuses are drawn. A replaced key says
# so whether or not it is disabled (the tooltip tells which): either way it is to be revoked,
# and a longer pill would take its width from every row's name.
_STATUSES: dict[KeyStatus, tuple[str, Tone]] = {
    KeyStatus.ACTIVE: (tr("Active"), Tone.SUCCESS),
    KeyStatus.DISABLED: (tr("Disabled"), Tone.NEUTRAL),
    KeyStatus.REPLACED: (tr("Replaced"), Tone.WARNING),
    KeyStatus.REPLACED_DISABLED: (tr("Replaced"), Tone.WARNING),
}


class StatusFilter(StrEnum):
    ALL = "all"
    ACTIVE = "active"
    DISABLED = "disabled"


def scopes_summary(scopes: Sequence[str], defaults: Collection[str]) -> str:
    """A few words for the Scopes column; the full list is in the tooltip."""
    have = set(scopes)
    default_set = set(defaults)
    if default_set and have == default_set:
        return tr("Default set ({0})").format(len(scopes))
    if default_set and default_set < have:
        extra = [s for s in scopes if s not in default_set]
        return tr("Default set + {0}").format(", ".join(extra))
    if len(scopes) <= 2:
        return ", ".join(scopes) or "—"
    return tr("{0}, {1} and {2} more").format(scopes[0], scopes[1], len(scopes) - 2)


def scopes_tooltip(scopes: Sequence[str]) -> str:
    return "\n".join(f"{s}  {tr('(opt-in)')}" if s in OPT_IN_SCOPES else s for s in scopes)


class ApiKeysPage(ListPage[ApiKey]):
    page_id = "api_keys"
    firm_columns = (PREFIX_COLUMN,)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        self._keys: list[ApiKey] = []
        self._catalogues: dict[int, list[Scope]] = {}
        # (tenant, old key id) -> Idempotency-Key of a rotation whose create has not
        # been confirmed yet: trying that rotation again must not make a second key.
        self._rotations: dict[tuple[int, int], str] = {}
        self._select_after: int | None = None
        self._flow: asyncio.Task[None] | None = None
        super().__init__(session, parent)
        self.clipboard = secret_clipboard()
        self._build_actions()
        self._build_filters()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())
        self.table.selectionModel().selectionChanged.connect(self._update_actions)
        self.table.installEventFilter(self)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.table.addActions(list(self.row_actions))
        self.states.empty_action_triggered.connect(self.open_primary_action)
        self.session.tenant_changed.connect(self._forget_keys)
        header = self.table.horizontalHeader()
        for column, width in SHARED_WIDTHS.items():
            header.resizeSection(column, width)
        slack = 2 * CELL_SLACK
        prefix = QFontMetrics(self._mono).horizontalAdvance(f"{PREFIX_SAMPLE}…")
        header.resizeSection(PREFIX_COLUMN, prefix + slack)
        bold = pill_font(self.table.font())
        pills = [pill_size(text, bold).width() for text, _tone in _STATUSES.values()]
        header.resizeSection(STATUS_COLUMN, max(pills) + slack)
        self._update_actions()

    # -- building -----------------------------------------------------------------------

    def _button(self, text: str, name: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(name)
        button.clicked.connect(slot)
        return button

    def _action(self, text: str, slot: Callable[[], None]) -> QAction:
        action = QAction(text, self.table)
        action.triggered.connect(slot)
        return action

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Enter edits and Delete revokes the selected row, only while the table has the
        # keyboard: Delete in the search box must stay Delete.
        if (
            watched is self.table
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.modifiers()
            in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)
        ):
            handler = {
                Qt.Key.Key_Return: self.edit_selected,
                Qt.Key.Key_Enter: self.edit_selected,
                Qt.Key.Key_Delete: self.revoke_selected,
            }.get(Qt.Key(event.key()))
            if handler is not None:
                handler()
                return True
        return super().eventFilter(watched, event)

    def _build_actions(self) -> None:
        self.create_button = self._button(
            tr("&Create key…"), tr("Create API key"), self.open_primary_action
        )
        self.create_button.setToolTip(tr("Create a new API key (Ctrl+N)"))
        self.create_button.setProperty("primary", True)
        new = QShortcut(QKeySequence(QKeySequence.StandardKey.New), self)
        new.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        new.activated.connect(self.open_primary_action)
        self.edit_button = self._button(tr("&Edit…"), tr("Edit API key"), self.edit_selected)
        self.edit_button.setToolTip(tr("Rename, enable or disable, change scopes (Enter)"))
        self.toggle_button = self._button(
            tr("Disa&ble"), tr("Disable API key"), self.toggle_selected
        )
        self.rotate_button = self._button(
            tr("Ro&tate…"), tr("Rotate API key"), self.rotate_selected
        )
        self.rotate_button.setToolTip(
            tr("Create a replacement with the same name and scopes, then retire this one")
        )
        self.revoke_button = self._button(
            tr("&Revoke…"), tr("Revoke API key"), self.revoke_selected
        )
        self.revoke_button.setToolTip(tr("Revoke this key for good (Delete)"))
        self.revoke_button.setProperty("destructive", True)
        self.row_buttons = (
            self.edit_button,
            self.toggle_button,
            self.rotate_button,
            self.revoke_button,
        )
        for button in self.row_buttons:
            self.actions_bar.addWidget(button)
        self.actions_bar.addSpacing(12)
        self.actions_bar.addWidget(self.create_button)

        self.edit_action = self._action(tr("Edit…\tEnter"), self.edit_selected)
        self.toggle_action = self._action(tr("Disable"), self.toggle_selected)
        self.rotate_action = self._action(tr("Rotate…"), self.rotate_selected)
        self.revoke_action = self._action(tr("Revoke…\tDel"), self.revoke_selected)
        self.row_actions = (
            self.edit_action,
            self.toggle_action,
            self.rotate_action,
            self.revoke_action,
        )

    def _build_filters(self) -> None:
        self.key_search = SearchField(
            tr("Search keys…"), tr("Search keys by name or prefix"), widest=280
        )
        self.key_search.textChanged.connect(lambda _t: self._apply_filter())
        self.status_filter = QComboBox()
        self.status_filter.setAccessibleName(tr("Show keys"))
        for text, value in (
            (tr("All keys"), StatusFilter.ALL),
            (tr("Active"), StatusFilter.ACTIVE),
            (tr("Disabled"), StatusFilter.DISABLED),
        ):
            self.status_filter.addItem(text, value.value)
        self.status_filter.currentIndexChanged.connect(lambda _i: self._apply_filter())
        show = QLabel(tr("&Show"))
        show.setBuddy(self.status_filter)
        self.filters.addWidget(self.key_search)
        self.filters.addSpacing(8)
        self.filters.addWidget(show)
        self.filters.addWidget(self.status_filter)

    # -- ListPage -------------------------------------------------------------------------

    @classmethod
    def title(cls) -> str:
        return tr("API keys")

    @classmethod
    def subtitle(cls) -> str:
        return tr("Keys your own systems use to call the Callaro Public API.")

    def columns(self) -> Sequence[Column[ApiKey]]:
        tz = self.session_timezone
        mono = self._mono = monospace(self.font())
        return [
            Column(tr("Name"), lambda k: k.name),
            Column(
                tr("Prefix"),
                lambda k: f"{k.prefix}…",
                extra_roles={Qt.ItemDataRole.FontRole: lambda _k: mono},
            ),
            Column(
                tr("Scopes"),
                lambda k: scopes_summary(k.scopes, self.default_scopes()),
                tooltip=lambda k: scopes_tooltip(k.scopes),
            ),
            Column(
                tr("Status"),
                self.status_text,
                tooltip=self._status_tooltip,
                extra_roles={PILL_ROLE: lambda k: _STATUSES[self.status(k)][1]},
            ),
            when_column(tr("Created"), lambda k: k.created_at, tz),
            Column(tr("Created by"), lambda k: k.created_by.label if k.created_by else "—"),
            when_column(tr("Last used"), lambda k: k.last_used_at, tz, never=tr("never")),
        ]

    async def load_all(self, scope: TenantClient) -> list[ApiKey]:
        keys, catalogue = await asyncio.gather(scope.api_keys.list(), scope.api_keys.scopes())
        # Keyed by tenant, so an answer for a tenant the user has left harms nothing.
        self._catalogues[scope.tenant_id] = catalogue
        return keys

    def present(self, data: tuple[Any, ApiPage[ApiKey], int]) -> None:
        _pager, first, tenant_id = data
        self._keys = list(first.items)
        replaced = self.replaced_ids(tenant_id)
        if not replaced <= {k.id for k in self._keys}:  # revoked elsewhere since
            self._set_replaced(tenant_id, replaced & {k.id for k in self._keys})
        self._apply_filter()

    def empty_title(self) -> str:
        return tr("No API keys yet")

    def empty_text(self) -> str:
        return tr(
            "Create a key for each system that calls the Callaro Public API, "
            "with only the scopes it needs."
        )

    def show_empty_state(self, data: Any) -> None:
        self.states.show_empty(self.empty_title(), self.empty_text(), tr("Create key…"))

    # -- what the rows say ---------------------------------------------------------------

    def default_scopes(self) -> list[str]:
        catalogue = self._catalogues.get(self.tenant_id or -1, [])
        return [s.name for s in catalogue if s.default and s.name not in OPT_IN_SCOPES]

    def replaced_ids(self, tenant_id: int | None) -> set[int]:
        """Rotated keys the user kept; remembered in settings so the label survives a restart."""
        table = self.session.settings.replaced_api_keys
        return set(table.get(tenant_key(self.session.account, tenant_id), []))

    def _set_replaced(self, tenant_id: int, ids: set[int]) -> None:
        settings = self.session.settings
        table = dict(settings.replaced_api_keys)
        key = tenant_key(self.session.account, tenant_id)
        if ids:
            table[key] = sorted(ids)
        else:
            table.pop(key, None)
        settings.replaced_api_keys = table
        # A failed write only loses the label after a restart; the key itself is unharmed.
        with contextlib.suppress(OSError):
            save_settings(settings)

    def is_replaced(self, key: ApiKey) -> bool:
        return key.id in self.replaced_ids(self.tenant_id)

    def status(self, key: ApiKey) -> KeyStatus:
        if self.is_replaced(key):
            return KeyStatus.REPLACED if key.active else KeyStatus.REPLACED_DISABLED
        return KeyStatus.ACTIVE if key.active else KeyStatus.DISABLED

    def status_text(self, key: ApiKey) -> str:
        return _STATUSES[self.status(key)][0]

    def _status_tooltip(self, key: ApiKey) -> str:
        status = self.status(key)
        if status is KeyStatus.REPLACED:
            return tr(
                "This key was rotated and still works. Revoke it once every system uses"
                " the replacement."
            )
        if status is KeyStatus.REPLACED_DISABLED:
            return tr(
                "This key was rotated and is disabled. Revoke it once every system uses"
                " the replacement."
            )
        return ""

    # -- filtering and selection ---------------------------------------------------------

    def _matches(self, key: ApiKey) -> bool:
        wanted = StatusFilter(self.status_filter.currentData())
        if wanted is StatusFilter.ACTIVE and not key.active:
            return False
        if wanted is StatusFilter.DISABLED and key.active:
            return False
        text = self.key_search.text().strip().casefold()
        return not text or text in key.name.casefold() or text in key.prefix.casefold()

    def _apply_filter(self) -> None:
        keep = self._select_after if self._select_after is not None else self.selected_id()
        self._select_after = None
        shown = [k for k in self._keys if self._matches(k)]
        self.model.reset(None, ApiPage(items=shown, total=len(shown), page=1, pages=1))
        active = sum(1 for k in self._keys if k.active)
        if len(shown) == len(self._keys):
            self.count_label.setText(
                tr("{0} keys: {1} active, {2} disabled").format(
                    len(self._keys), active, len(self._keys) - active
                )
            )
        else:
            self.count_label.setText(tr("{0} of {1} keys").format(len(shown), len(self._keys)))
        if keep is not None:
            self.select_key(keep)
        self._update_actions()

    def selected_id(self) -> int | None:
        key = self.selected()
        return key.id if key is not None else None

    def select_key(self, key_id: int) -> bool:
        """Select and show the row of `key_id`; False when it is not in the list shown."""
        for row, key in enumerate(self.model.rows):
            if key.id == key_id:
                index = self.model.index(row, 0)
                self.table.selectionModel().select(
                    index,
                    QItemSelectionModel.SelectionFlag.ClearAndSelect
                    | QItemSelectionModel.SelectionFlag.Rows,
                )
                self.table.setCurrentIndex(index)
                self.table.scrollTo(index)
                return True
        return False

    def _update_actions(self, *_args: object) -> None:
        key = self.selected()
        has = key is not None
        for button in self.row_buttons:
            button.setEnabled(has)
            # With no keys at all there is nothing to act on: only Create is offered.
            button.setVisible(bool(self._keys))
        for action in self.row_actions:
            action.setEnabled(has)
        disable = key is None or key.active
        self.toggle_button.setText(tr("Disa&ble") if disable else tr("Ena&ble"))
        self.toggle_button.setAccessibleName(
            tr("Disable API key") if disable else tr("Enable API key")
        )
        self.toggle_action.setText(tr("Disable") if disable else tr("Enable"))

    def _forget_keys(self, _tenant: object) -> None:
        self._keys = []
        self._select_after = None
        self._update_actions()

    def _reload_selecting(self, key_id: int | None) -> None:
        self._select_after = key_id
        self.reload()

    # -- entry points ---------------------------------------------------------------------

    def open_primary_action(self) -> None:
        """Create key… (the shell's and the command palette's primary action)."""
        self._start(self._create_flow())

    def edit_selected(self) -> None:
        self._on_selected(self._edit_flow)

    def toggle_selected(self) -> None:
        self._on_selected(self._toggle_flow)

    def rotate_selected(self) -> None:
        self._on_selected(self._rotate_flow)

    def revoke_selected(self) -> None:
        self._on_selected(self._revoke_flow)

    def _on_selected(self, flow: Callable[[ApiKey], Coroutine[Any, Any, None]]) -> None:
        key = self.selected()
        if key is not None:
            self._start(flow(key))

    def _start(self, flow: Coroutine[Any, Any, None]) -> None:
        # One flow at a time: a second click while a dialog is up must not open another.
        # With a dialog up the page takes no clicks, so this is the flow's server call
        # (a revoke after "Revoke the old key now", say): say so rather than do nothing.
        if self._flow is not None and not self._flow.done():
            flow.close()
            self.session.messages.info(
                tr(
                    "The last API key action is still waiting for the server. "
                    "Try again when it is done."
                )
            )
            return
        if self.session.tenant is None:
            flow.close()
            return
        self._flow = background(flow)

    # -- flows ----------------------------------------------------------------------------

    def _tenant(self) -> TenantRef:
        tenant = self.session.tenant
        assert tenant is not None  # _start refuses to run without one
        return tenant

    async def _create_flow(self) -> None:
        tenant = self._tenant()
        catalogue = await self._catalogue(tenant.id)
        if catalogue is None:
            return
        dialog = ApiKeyCreateDialog(
            self.session,
            tenant.id,
            tenant.name,
            catalogue,
            existing_names=[k.name for k in self._keys],
            parent=self,
        )
        created = await run_form(dialog)
        # From here the secret lives in one place only, the secret dialog.
        dialog.result_value = None
        if not isinstance(created, ApiKeyCreated):
            return
        secret_dialog = self._secret_dialog(created, tenant, None)
        del created
        key = secret_dialog.key
        self._reload_selecting(key.id)
        await self._run_secret_dialog(secret_dialog)
        self.session.messages.info(tr("API key “{0}” created.").format(key.name))

    async def _rotate_flow(self, old: ApiKey) -> None:
        tenant = self._tenant()
        agreed = await confirm(
            self,
            tr("Rotate API key"),
            tr(
                "Create a replacement for “{0}” ({1}…) in {2}? The new key gets the same "
                "name and scopes, and its secret is shown once. The old key keeps working "
                "until you revoke it."
            ).format(old.name, old.prefix, tenant.name),
            tr("Create replacement"),
            destructive=False,
        )
        if not agreed:
            return
        intent = self._rotations.setdefault((tenant.id, old.id), str(uuid.uuid4()))
        api = self.session.scope(tenant.id).api_keys
        created = await self._attempt(
            tr("The replacement key could not be created"),
            lambda: api.create(old.name, old.scopes, idempotency_key=intent),
        )
        if created is None:
            return
        self._rotations.pop((tenant.id, old.id), None)
        secret_dialog = self._secret_dialog(created, tenant, old)
        del created
        new = secret_dialog.key
        self._set_replaced(tenant.id, self.replaced_ids(tenant.id) | {old.id})
        self._reload_selecting(new.id)
        await self._run_secret_dialog(secret_dialog)

        ask = ConfirmDialog(
            tr("Revoke the old key?"),
            tr(
                "The replacement “{0}” ({1}…) is ready. Systems may still use the old key "
                "({2}…) in {3}. Revoke it now if nothing uses it any more, or keep both and "
                "revoke the old one once every system has the new key. Its row is marked "
                "until then."
            ).format(new.name, new.prefix, old.prefix, tenant.name),
            tr("Revoke the old key now"),
            type_to_confirm=old.name,
            parent=self,
        )
        keep = ask.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        keep.setText(tr("&Keep both"))
        keep.setAccessibleName(tr("Keep both keys"))
        try:
            revoke_now = await run_dialog(ask) == ConfirmDialog.DialogCode.Accepted
        finally:
            ask.deleteLater()
        if revoke_now and await self._revoke(tenant, old):
            self.session.messages.info(
                tr("Rotated “{0}”: the old key {1}… is revoked.").format(old.name, old.prefix)
            )
        else:
            self.session.messages.info(
                tr(
                    "Rotated “{0}”. Revoke the old key {1}… once your systems use the new one."
                ).format(old.name, old.prefix)
            )
        self._reload_selecting(new.id)

    async def _revoke_flow(self, key: ApiKey) -> None:
        tenant = self._tenant()
        agreed = await confirm(
            self,
            tr("Revoke API key"),
            tr(
                "Revoke the API key “{0}” ({1}…) in {2}? Every request made with it is refused "
                "from now on. This cannot be undone."
            ).format(key.name, key.prefix, tenant.name),
            tr("Revoke key"),
            type_to_confirm=key.name,
        )
        if agreed and await self._revoke(tenant, key):
            self.session.messages.info(
                tr("API key “{0}” ({1}…) revoked.").format(key.name, key.prefix)
            )
            self._reload_selecting(None)

    async def _toggle_flow(self, key: ApiKey) -> None:
        tenant = self._tenant()
        if key.active:
            agreed = await confirm(
                self,
                tr("Disable API key"),
                tr(
                    "Disable “{0}” ({1}…) in {2}? Requests made with it are refused until "
                    "you enable it again."
                ).format(key.name, key.prefix, tenant.name),
                tr("Disable key"),
            )
            if not agreed:
                return
        api = self.session.scope(tenant.id).api_keys
        updated = await self._attempt(
            tr("The key could not be changed"),
            lambda: api.update(key.id, active=not key.active),
        )
        if updated is not None:
            text = tr("“{0}” enabled.") if updated.active else tr("“{0}” disabled.")
            self.session.messages.info(text.format(updated.name))
            self._reload_selecting(updated.id)

    async def _edit_flow(self, key: ApiKey) -> None:
        tenant = self._tenant()
        catalogue = await self._catalogue(tenant.id)
        if catalogue is None:
            return
        dialog = ApiKeyEditDialog(self.session, tenant.id, key, catalogue, parent=self)
        updated = await run_form(dialog)
        if isinstance(updated, ApiKey):
            if updated != key:
                self.session.messages.info(tr("API key “{0}” saved.").format(updated.name))
            self._reload_selecting(updated.id)

    # -- pieces of flows ------------------------------------------------------------------

    def _secret_dialog(
        self, created: ApiKeyCreated, tenant: TenantRef, replaces: ApiKey | None
    ) -> ApiKeySecretDialog:
        return ApiKeySecretDialog(
            created,
            tenant_name=tenant.name,
            clipboard=self.clipboard,
            replaces=replaces,
            parent=self,
        )

    async def _run_secret_dialog(self, dialog: ApiKeySecretDialog) -> None:
        try:
            await run_dialog(dialog)
        finally:
            dialog.deleteLater()

    async def _catalogue(self, tenant_id: int) -> list[Scope] | None:
        if tenant_id not in self._catalogues:
            api = self.session.scope(tenant_id).api_keys
            loaded = await self._attempt(tr("The scopes could not be loaded"), api.scopes)
            if loaded is None:
                return None
            self._catalogues[tenant_id] = loaded
        return self._catalogues[tenant_id]

    async def _revoke(self, tenant: TenantRef, key: ApiKey) -> bool:
        api = self.session.scope(tenant.id).api_keys

        async def revoke() -> bool:
            try:
                await api.revoke(key.id)
            except NotFound:
                # Someone else revoked it first: the outcome the user wanted.
                self.session.messages.info(
                    tr("“{0}” ({1}…) was already revoked.").format(key.name, key.prefix)
                )
            return True

        done = await self._attempt(tr("“{0}” could not be revoked").format(key.name), revoke)
        if done:
            self._set_replaced(tenant.id, self.replaced_ids(tenant.id) - {key.id})
        return bool(done)

    async def _attempt(self, failure: str, factory: Callable[[], Awaitable[T]]) -> T | None:
        """Run a server call; on failure say why (with the request id) and offer Retry."""
        while True:
            try:
                return await self.session.call(factory)
            except NotFound as exc:
                self.session.messages.warning(
                    tr("{0}: it no longer exists.").format(failure), exc.request_id
                )
                self.reload()
                return None
            except ApiError as exc:
                if not await self._offer_retry(failure, exc):
                    return None

    async def _offer_retry(self, failure: str, exc: ApiError) -> bool:
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            failure,
            f"{failure}.\n\n{exc.user_message()}",
            QMessageBox.StandardButton.Retry | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setDefaultButton(QMessageBox.StandardButton.Retry)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        try:
            return await run_dialog(box) == QMessageBox.StandardButton.Retry
        finally:
            box.deleteLater()
