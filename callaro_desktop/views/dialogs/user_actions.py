"""What an admin can do to one member: change the role, and the words around it.

Every text names the person and the workspace, because an admin who looks after
several workspaces must never wonder which one a confirmation is about. The
server's last-admin refusal (422) is explained rather than quoted.
"""

from __future__ import annotations

import html
from enum import Enum
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QWidget

from callaro_desktop.api.errors import ApiError, ValidationFailed, with_request_id
from callaro_desktop.api.models import Role, User
from callaro_desktop.i18n import tr
from callaro_desktop.views.dialogs.form import FormDialog
from callaro_desktop.views.dialogs.invite_user import RoleCombo, role_help

if TYPE_CHECKING:
    from callaro_desktop.services.session import Session


class Change(Enum):
    DEMOTE = "demote"
    DEACTIVATE = "deactivate"
    REMOVE = "remove"


def person(user: User) -> str:
    """ "Asha Admin (asha@acme.test)", or the email alone when there is no name."""
    if user.display_name:
        return tr("{0} ({1})").format(user.display_name, user.email)
    return user.email


def short_name(user: User) -> str:
    return user.display_name or user.email


def is_last_admin(exc: ApiError) -> bool:
    if not isinstance(exc, ValidationFailed):
        return False
    return exc.details.get("reason") == "last_admin" or "last active tenant admin" in (
        exc.message.lower()
    )


def last_admin_message(user: User, tenant: str, change: Change, *, is_self: bool = False) -> str:
    if is_self:
        what = {
            Change.DEMOTE: tr("you can't take another role"),
            Change.DEACTIVATE: tr("you can't be deactivated"),
            Change.REMOVE: tr("you can't leave it"),
        }[change]
        who = tr("You are the only active Tenant Admin of {0}, so {1}").format(tenant, what)
    else:
        what = {
            Change.DEMOTE: tr("they can't take another role"),
            Change.DEACTIVATE: tr("they can't be deactivated"),
            Change.REMOVE: tr("they can't be removed"),
        }[change]
        who = tr("{0} is the only active Tenant Admin of {1}, so {2}").format(
            short_name(user), tenant, what
        )
    return who + tr(
        ": a workspace always needs someone who can manage its users, billing and API keys. "
        "Make someone else a Tenant Admin first, then try again."
    )


def failure_message(
    exc: ApiError, user: User, tenant: str, change: Change, *, is_self: bool = False
) -> str:
    """In words; the request id travels separately (the message bar shows and copies it)."""
    if is_last_admin(exc):
        return last_admin_message(user, tenant, change, is_self=is_self)
    return exc.user_message(reference=False)


class ChangeRoleDialog(FormDialog):
    def __init__(
        self, session: Session, user: User, tenant: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            session,
            tr("Change role"),
            tr("Change role"),
            intro=tr("Change the role of <b>{0}</b> in <b>{1}</b>.").format(
                html.escape(person(user)), html.escape(tenant)
            ),
            parent=parent,
        )
        self.setObjectName("ChangeRoleDialog")
        self.user = user
        self.tenant = tenant
        self.tenant_id = session.tenant_id
        self.is_self = session.me is not None and session.me.id == user.id
        self.role = RoleCombo(user.role if user.role is not Role.UNKNOWN else Role.TENANT_OPERATOR)
        self.role.setAccessibleName(tr("New role"))
        self.add_field("role", tr("New &role"), self.role)
        self.hint = QLabel()
        self.hint.setProperty("muted", True)
        self.hint.setWordWrap(True)
        self.form.insertRow(self.form.rowCount() - 1, "", self.hint)
        self.self_warning = QLabel(
            tr(
                "This is you. Without the Tenant Admin role you can no longer manage users, "
                "billing or API keys in {0}."
            ).format(tenant)
        )
        self.self_warning.setProperty("fieldError", True)
        self.self_warning.setWordWrap(True)
        self.layout_.insertWidget(self.layout_.indexOf(self.general_error), self.self_warning)
        self._refused: Role | None = None
        self.role.currentIndexChanged.connect(lambda _i: self._update())
        self._update()
        self.role.setFocus()

    def _update(self) -> None:
        role = self.role.role()
        self.hint.setText(role_help(role))
        # After a last-admin refusal for this role, the refusal says it all.
        warn = self.is_self and role is not Role.TENANT_ADMIN and role is not self._refused
        if warn != self.self_warning.isVisibleTo(self):
            self.self_warning.setVisible(warn)
            # Wrapped labels do not grow a shown dialog by themselves.
            QTimer.singleShot(0, self.adjustSize)
        self.submit_button.setEnabled(role is not self.user.role)

    def validate(self) -> dict[str, str]:
        if self.role.role() is self.user.role:
            return {"role": tr("{0} already has this role.").format(short_name(self.user))}
        return {}

    def payload(self) -> str:
        return self.role.role().value

    async def perform(self, idempotency_key: str) -> User:
        scope = self.session.scope(self.tenant_id)
        return await scope.users.update(self.user.id, role=self.role.role())

    def show_api_error(self, exc: ApiError) -> None:
        if is_last_admin(exc):
            text = last_admin_message(self.user, self.tenant, Change.DEMOTE, is_self=self.is_self)
            text = with_request_id(text, exc.request_id, tr("{0} (request id {1})"))
            self._refused = self.role.role()
            self.show_errors({"role": text})
        else:
            super().show_api_error(exc)
        QTimer.singleShot(0, self.adjustSize)

    def _set_busy(self, busy: bool) -> None:
        super()._set_busy(busy)
        if not busy:
            self._update()
