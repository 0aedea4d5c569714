"""My Profile: email, display name, roles and workspaces, timezone, password.

Display name and timezone are edited in place and saved together with one PATCH (only
the fields that changed: sending the timezone also completes the "Set your timezone"
step, so it is never sent as a by-product of a name change). Until saved the page
reports unsaved changes, so the shell asks (save, discard or stay) before leaving, switching
workspace or account, signing out or closing the window, and a reload or another window's
edit never overwrites what the user is typing.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from callaro_desktop.api.client import UNSET
from callaro_desktop.api.errors import ApiError
from callaro_desktop.api.models import Me, PlatformRole
from callaro_desktop.i18n import tr
from callaro_desktop.services.formatting import zone, zone_offset
from callaro_desktop.services.tasks import background
from callaro_desktop.views.dialogs.change_password import ChangePasswordDialog
from callaro_desktop.views.dialogs.common import FieldError, run_dialog
from callaro_desktop.views.pages.base import Page
from callaro_desktop.views.widgets.cards import Card
from callaro_desktop.views.widgets.elided_label import ElidedLabel
from callaro_desktop.views.widgets.scroll import scroll_area
from callaro_desktop.views.widgets.timezone_picker import TimezonePicker

if TYPE_CHECKING:
    from callaro_desktop.api.client import TenantClient
    from callaro_desktop.services.session import Session

# Below this width the two columns stack, so the timezone list keeps a usable width.
TWO_COLUMNS_MIN_WIDTH = 740
DISPLAY_NAME_MAX = 100

_PLATFORM_ROLES = {
    PlatformRole.PLATFORM_SUPPORT: "Platform support",
    PlatformRole.PARTNER_ADMIN: "Partner admin",
}


class ProfilePage(Page):
    page_id = "profile"

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self._me: Me | None = None
        self._saving = False
        self._save_task: asyncio.Task[None] | None = None
        self._focus_timezone_when_ready = False

        # -- header actions: save / discard ------------------------------------------------
        self.unsaved_label = QLabel(tr("Unsaved changes"))
        self.unsaved_label.setProperty("muted", True)
        self.unsaved_label.hide()
        self.discard_button = QPushButton(tr("&Discard changes"))
        self.discard_button.setAccessibleName(tr("Discard changes"))
        self.discard_button.clicked.connect(self.discard_changes)
        self.save_button = QPushButton(tr("&Save changes"))
        self.save_button.setAccessibleName(tr("Save changes"))
        self.save_button.setToolTip(tr("Save display name and timezone (Ctrl+S)"))
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        self.actions_bar.addWidget(self.unsaved_label)
        self.actions_bar.addWidget(self.discard_button)
        self.actions_bar.addWidget(self.save_button)
        save_shortcut = QShortcut(QKeySequence.StandardKey.Save, self)
        save_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        save_shortcut.activated.connect(self.save)

        # -- account ---------------------------------------------------------------------
        account = Card(tr("Account"))
        form = QGridLayout()
        form.setHorizontalSpacing(18)
        form.setVerticalSpacing(8)
        form.setColumnStretch(1, 1)
        self.email = ElidedLabel()
        self.email.setAccessibleName(tr("Email"))
        self.email.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.display_name = QLineEdit()
        self.display_name.setMaxLength(DISPLAY_NAME_MAX)
        self.display_name.setAccessibleName(tr("Display name"))
        self.display_name.setPlaceholderText(tr("Not set"))
        self.display_name.textChanged.connect(self._update_dirty)
        self.display_name.returnPressed.connect(self.save)
        self.display_name_error = FieldError(self.display_name)
        name_hint = QLabel(tr("Shown to your teammates and in the toolbar. Leave blank to clear."))
        name_hint.setProperty("muted", True)
        name_hint.setWordWrap(True)
        name_box = QWidget()
        name_lay = QVBoxLayout(name_box)
        name_lay.setContentsMargins(0, 0, 0, 0)
        name_lay.setSpacing(3)
        name_lay.addWidget(self.display_name)
        name_lay.addWidget(self.display_name_error)
        name_lay.addWidget(name_hint)
        self.roles = QLabel()
        self.roles.setAccessibleName(tr("Roles"))
        self.roles.setWordWrap(True)
        email_label = QLabel(tr("Email"))
        name_label = QLabel(tr("Display &name"))
        name_label.setBuddy(self.display_name)
        # (A grid, not a QFormLayout: that one gave this card less height than its wrapped
        # lines need once the roles or the hint wrapped, and squeezed them into each other.)
        # The label level with the line edit's text, as beside a one-line field.
        name_label.setMinimumHeight(self.display_name.sizeHint().height())
        for row, (label, field) in enumerate(
            ((email_label, self.email), (name_label, name_box), (QLabel(tr("Roles")), self.roles))
        ):
            form.addWidget(label, row, 0, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            form.addWidget(field, row, 1)
        account.layout_.addLayout(form)

        # -- password --------------------------------------------------------------------
        security = Card(tr("Password"))
        security_text = QLabel(
            tr(
                "Use at least 12 characters. Changing your password signs out your other "
                "sessions; this one stays signed in."
            )
        )
        security_text.setWordWrap(True)
        security_text.setProperty("muted", True)
        self.change_password_button = QPushButton(tr("&Change password…"))
        self.change_password_button.setAccessibleName(tr("Change password"))
        self.change_password_button.clicked.connect(lambda: background(self.open_change_password()))
        security.layout_.addWidget(security_text)
        security.layout_.addWidget(self.change_password_button, 0, Qt.AlignmentFlag.AlignLeft)

        # -- workspaces ------------------------------------------------------------------
        workspaces = Card(tr("Workspaces"))
        self.memberships_note = QLabel()
        self.memberships_note.setProperty("muted", True)
        self.memberships_note.setWordWrap(True)
        self.memberships = QTableWidget(0, 2)
        self.memberships.setAccessibleName(tr("Workspace memberships"))
        self.memberships.setHorizontalHeaderLabels([tr("Workspace"), tr("Role")])
        header = self.memberships.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setHighlightSections(False)
        self.memberships.verticalHeader().hide()
        self.memberships.setTabKeyNavigation(False)  # Tab leaves it, not cell to cell
        self.memberships.verticalHeader().setDefaultSectionSize(28)
        self.memberships.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.memberships.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.memberships.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.memberships.setShowGrid(False)
        self.memberships.setFrameShape(QFrame.Shape.NoFrame)
        # The card's colour shows through (only the header keeps its own): an unfilled viewport
        # rather than a style sheet, which would send the table's painting through Qt's
        # style-sheet machinery.
        self.memberships.viewport().setAutoFillBackground(False)
        workspaces.layout_.addWidget(self.memberships_note)
        workspaces.layout_.addWidget(self.memberships)

        # -- timezone ----------------------------------------------------------------------
        timezone = Card(tr("Timezone"))
        tz_text = QLabel(tr("Every date and time in the console is shown in this timezone."))
        tz_text.setWordWrap(True)
        tz_text.setProperty("muted", True)
        self.timezone_summary = QLabel()
        self.timezone_summary.setObjectName("TimezoneSummary")
        self.timezone_summary.setWordWrap(True)
        self.timezone_summary.setAccessibleName(tr("Selected timezone"))
        summary_font = QFont(self.timezone_summary.font())
        summary_font.setBold(True)
        self.timezone_summary.setFont(summary_font)
        self.timezone_preview = QLabel()
        self.timezone_preview.setProperty("muted", True)
        self.timezone_preview.setAccessibleName(tr("Time in the selected timezone"))
        self.picker = TimezonePicker()
        self.picker.setMinimumHeight(300)
        self.picker.zone_changed.connect(self._on_zone_changed)
        self.timezone_error = FieldError(self.picker)
        timezone.layout_.addWidget(tz_text)
        timezone.layout_.addWidget(self.timezone_summary)
        timezone.layout_.addWidget(self.timezone_preview)
        timezone.layout_.addWidget(self.timezone_error)
        timezone.layout_.addWidget(self.picker, 1)
        timezone.layout_.setAlignment(Qt.AlignmentFlag(0))

        # -- layout ------------------------------------------------------------------------
        self._cards = (account, timezone, security, workspaces)
        self._grid = QGridLayout()
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(14)
        self._wide: bool | None = None
        self._arrange(wide=True)
        content = QWidget()
        content.setLayout(self._grid)
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.addWidget(scroll_area(content))

        # The two saved fields first, then the password, then the workspace list.
        self.setTabOrder(self.display_name, self.picker)
        self.setTabOrder(self.picker.use_local, self.change_password_button)
        self.setTabOrder(self.change_password_button, self.memberships)

        session.me_changed.connect(self._on_me_changed)
        session.tenant_changed.connect(self._on_tenant_changed)
        self._update_dirty()

    @classmethod
    def title(cls) -> str:
        return tr("My Profile")

    @classmethod
    def subtitle(cls) -> str:
        return tr("Manage your account settings and password.")

    # -- Page -----------------------------------------------------------------------------

    async def fetch(self, scope: TenantClient) -> Me:
        return await self.session.refresh_me()

    def present(self, data: Me) -> None:
        self._show_me(data)
        if self._focus_timezone_when_ready:
            # After this call the base class shows the ready layer; focus once it has.
            QTimer.singleShot(0, self._focus_timezone)

    def has_unsaved_changes(self) -> bool:
        return self._me is not None and bool(self._changes())

    def open_primary_action(self) -> None:
        """Sent here by "Set your timezone": put the cursor in the timezone search."""
        if self.states.state == "ready":
            self._focus_timezone()
        else:
            # Still loading: the search is on a hidden layer and cannot take focus yet.
            self._focus_timezone_when_ready = True

    def _focus_timezone(self) -> None:
        self._focus_timezone_when_ready = False
        self.picker.search.setFocus(Qt.FocusReason.OtherFocusReason)
        self.picker.search.selectAll()

    # -- drawing ----------------------------------------------------------------------------

    def _show_me(self, me: Me) -> None:
        old = self._me
        # A field the user has edited keeps their text; the rest follow the server.
        name_edited = old is not None and self.display_name.text().strip() != (
            old.display_name or ""
        )
        zone_edited = old is not None and self.picker.zone() != old.timezone
        self._me = me
        self.email.setText(me.email)
        if not name_edited:
            self.display_name.setText(me.display_name or "")
        if not zone_edited:
            self.picker.set_zone(me.timezone)
        self._show_roles(me)
        self._show_memberships(me)
        self._update_dirty()

    def _show_roles(self, me: Me) -> None:
        tenant = self.session.tenant
        parts = []
        if tenant is not None:
            parts.append(tr("{0} in {1}").format(tr(tenant.role_label), tenant.name))
        if me.platform_role in _PLATFORM_ROLES:
            parts.append(tr(_PLATFORM_ROLES[me.platform_role]))
        self.roles.setText("\n".join(parts) if parts else "—")

    def _show_memberships(self, me: Me) -> None:
        rows = me.memberships
        current = self.session.tenant_id
        self.memberships.setRowCount(len(rows))
        for i, m in enumerate(rows):
            name = QTableWidgetItem(m.tenant_name)
            role = QTableWidgetItem(tr(m.role.label))
            if m.tenant_id == current:
                name.setText(tr("{0}  (current)").format(m.tenant_name))
                bold = QFont(self.memberships.font())
                bold.setBold(True)
                name.setFont(bold)
                role.setFont(bold)
            self.memberships.setItem(i, 0, name)
            self.memberships.setItem(i, 1, role)
        if not rows and me.platform_role == PlatformRole.PLATFORM_SUPPORT:
            note = tr("You are not a member of any workspace; you enter them as platform support.")
        elif not rows:
            note = tr("You are not a member of any workspace yet.")
        else:
            note = tr("You belong to {0} workspaces. Switch with Ctrl+T.").format(len(rows))
            if len(rows) == 1:
                note = tr("You belong to one workspace.")
        self.memberships_note.setText(note)
        self.memberships.setVisible(bool(rows))
        shown = min(len(rows), 8)
        header = self.memberships.horizontalHeader().sizeHint().height()
        self.memberships.setFixedHeight(header + shown * 28 + 4)

    def _show_timezone(self) -> None:
        chosen = self.picker.zone() or (self._me.timezone if self._me else "UTC")
        saved = self._me is not None and chosen == self._me.timezone
        summary = f"{chosen}  ·  {zone_offset(chosen)}"
        if not saved:
            summary += "  " + tr("(not saved yet)")
        self.timezone_summary.setText(summary)
        now = datetime.now(UTC).astimezone(zone(chosen))
        self.timezone_preview.setText(
            tr("It is {0} there now.").format(now.strftime("%H:%M, %a %d %b %Y"))
        )

    # -- editing ----------------------------------------------------------------------------

    def _changes(self) -> dict[str, str | None]:
        if self._me is None:
            return {}
        changes: dict[str, str | None] = {}
        name = self.display_name.text().strip()
        if name != (self._me.display_name or ""):
            changes["display_name"] = name or None
        chosen = self.picker.zone()
        if chosen and chosen != self._me.timezone:
            changes["timezone"] = chosen
        return changes

    def _update_dirty(self) -> None:
        dirty = bool(self._changes())
        # What is being saved cannot change under the request.
        self.display_name.setReadOnly(self._saving)
        self.picker.setEnabled(not self._saving)
        self.unsaved_label.setVisible(dirty and not self._saving)
        self.save_button.setEnabled(dirty and not self._saving)
        self.discard_button.setEnabled(dirty and not self._saving)
        if self._saving:
            self.unsaved_label.setText(tr("Saving…"))
            self.unsaved_label.show()
        else:
            self.unsaved_label.setText(tr("Unsaved changes"))
        self._show_timezone()

    def _on_zone_changed(self, _name: str) -> None:
        self.timezone_error.set_error(None)
        self._update_dirty()

    def discard_changes(self) -> None:
        if self._me is None:
            return
        self.display_name.setText(self._me.display_name or "")
        self.picker.set_zone(self._me.timezone)
        self.display_name_error.set_error(None)
        self.timezone_error.set_error(None)
        self._update_dirty()

    def unsaved_edits(self) -> dict[str, str]:
        return {field: value or "" for field, value in self._changes().items()}

    def restore_edits(self, edits: dict[str, str]) -> None:
        if "display_name" in edits:
            self.display_name.setText(edits["display_name"])
        if edits.get("timezone"):
            self.picker.set_zone(edits["timezone"])
        self._update_dirty()

    def save(self) -> None:
        if not self._saving and self._changes():
            background(self.save_changes())

    async def save_changes(self) -> bool:
        # One save at a time: a second caller (Save pressed, then the window closed and its
        # question answered Save) waits for the request in flight instead of sending another.
        if self._save_task is None or self._save_task.done():
            changes = self._changes()
            if not changes:
                return True
            self._save_task = background(self._save(changes))
        # Shielded: a caller given up on (its window closing) does not cancel the save.
        await asyncio.shield(self._save_task)
        return not self.has_unsaved_changes()

    async def _save(self, changes: dict[str, str | None]) -> None:
        self._saving = True
        self.display_name_error.set_error(None)
        self.timezone_error.set_error(None)
        self._update_dirty()
        name = changes.get("display_name", UNSET)
        new_zone = changes.get("timezone")
        try:
            me = await self.session.call(
                lambda: self.session.update_me(display_name=name, timezone=new_zone or UNSET)
            )
        except ApiError as exc:
            self._show_save_error(exc)
            return
        finally:
            self._saving = False
            self._update_dirty()
        # The server's answer is the new baseline; what it did not change stays edited.
        self._me = me
        self.display_name.setText(me.display_name or "")
        self.picker.set_zone(me.timezone)
        self._update_dirty()
        if new_zone:
            self.session.messages.info(
                tr("Profile saved. Dates and times are now shown in {0}.").format(me.timezone)
            )
        else:
            self.session.messages.info(tr("Profile saved."))

    def _show_save_error(self, exc: ApiError) -> None:
        placed = False
        for field, messages in exc.errors.items():
            target = {"display_name": self.display_name_error, "timezone": self.timezone_error}
            if field in target and messages:
                target[field].set_error(messages[0])
                placed = True
        if not placed:
            self.session.messages.error(
                tr("Your profile was not saved: {0}").format(exc.user_message(reference=False)),
                exc.request_id,
            )

    # -- password ---------------------------------------------------------------------------

    async def open_change_password(self) -> None:
        dialog = ChangePasswordDialog(self.session, self)
        try:
            if await run_dialog(dialog) == ChangePasswordDialog.DialogCode.Accepted:
                self.session.messages.info(
                    tr(
                        "Your password was changed. Other sessions were signed out; "
                        "you stay signed in here."
                    )
                )
        finally:
            dialog.deleteLater()

    # -- reacting -----------------------------------------------------------------------------

    def _on_me_changed(self, me: object) -> None:
        if isinstance(me, Me) and self._me is not None:
            self._show_me(me)

    def _on_tenant_changed(self, _tenant: object) -> None:
        if self._me is not None:
            self._show_roles(self._me)
            self._show_memberships(self._me)

    def _arrange(self, *, wide: bool) -> None:
        """Two columns with the timezone list on the right, or one column when narrow."""
        if wide == self._wide:
            return
        self._wide = wide
        account, timezone, security, workspaces = self._cards
        for card in self._cards:
            self._grid.removeWidget(card)  # (its layout item deleted: see DashboardPage)
        if wide:
            self._grid.addWidget(account, 0, 0)
            self._grid.addWidget(security, 1, 0)
            self._grid.addWidget(workspaces, 2, 0)
            self._grid.addWidget(timezone, 0, 1, 4, 1)
            self._grid.setColumnStretch(1, 1)
            self._grid.setRowStretch(3, 1)
            self._grid.setRowStretch(4, 0)
        else:
            # The timezone comes second: it is what people open this page for.
            for row, card in enumerate((account, timezone, security, workspaces)):
                self._grid.addWidget(card, row, 0)
            self._grid.setColumnStretch(1, 0)
            self._grid.setRowStretch(3, 0)
            self._grid.setRowStretch(4, 1)
        self._grid.setColumnStretch(0, 1)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._arrange(wide=event.size().width() >= TWO_COLUMNS_MIN_WIDTH)
