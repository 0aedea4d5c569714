""" "Invite User": the web app's dialog, word for word, with an idempotent submit.

The email is checked as it is typed (after a short pause, so half an address is not
called wrong); the server's 409 ("already a member", "already invited") and 422
land under the field. The dialog stays open with what was typed until it succeeds.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QWidget

from callaro_desktop.api.errors import (
    ApiError,
    ConnectionFailed,
    RateLimited,
    RequestTimeout,
    ServerError,
)
from callaro_desktop.api.models import Invitation, Role
from callaro_desktop.i18n import tr
from callaro_desktop.views.dialogs.form import FormDialog

if TYPE_CHECKING:
    from callaro_desktop.services.session import Session

# The server's own rule (one @, a dot in the domain, no spaces), so the console never
# refuses an address the server would take, nor sends one it would refuse.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
MAX_EMAIL = 254
TYPING_PAUSE_MS = 600

ROLES: tuple[Role, ...] = (Role.TENANT_ADMIN, Role.TENANT_OPERATOR, Role.TENANT_VIEWER)
DEFAULT_ROLE = Role.TENANT_OPERATOR


def role_text(role: Role) -> str:
    return tr(role.label)


def role_help(role: Role) -> str:
    """What the role may do, from the contract's permission matrix."""
    if role is Role.TENANT_ADMIN:
        return tr("Everything, including users, billing and API keys.")
    if role is Role.TENANT_OPERATOR:
        return tr("Phone numbers and telephony; not users, billing or API keys.")
    return tr("Can view phone numbers; cannot change anything.")


def email_problem(text: str) -> str | None:
    """Why `text` is not an address the server will accept, or None."""
    email = text.strip()
    if not email:
        return tr("Enter the email address of the person to invite.")
    if len(email) > MAX_EMAIL or not _EMAIL.match(email):
        return tr("Enter a valid email address, like name@example.com.")
    return None


class RoleCombo(QComboBox):
    """Tenant Admin, Tenant Operator (preselected), Tenant Viewer."""

    def __init__(self, current: Role = DEFAULT_ROLE, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Item data holds the plain value: Qt turns a str enum into a str anyway.
        for role in ROLES:
            self.addItem(role_text(role), role.value)
        self.set_role(current)

    def role(self) -> Role:
        value = self.currentData()
        return Role(value) if value in {r.value for r in ROLES} else DEFAULT_ROLE

    def set_role(self, role: Role) -> None:
        index = self.findData(role.value)
        self.setCurrentIndex(index if index >= 0 else self.findData(DEFAULT_ROLE.value))


class InviteUserDialog(FormDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(
            session,
            tr("Invite User"),
            tr("Invite User"),
            intro=tr("Send an invitation email to add a new user to this tenant."),
            parent=parent,
        )
        self.setObjectName("InviteUserDialog")
        self.setMinimumWidth(520)
        self.tenant_id = session.tenant_id
        tenant = session.tenant.name if session.tenant is not None else ""
        self.tenant_label = QLabel(tr("Workspace: <b>{0}</b>").format(html.escape(tenant)))
        self.tenant_label.setProperty("muted", True)
        self.tenant_label.setAccessibleName(tr("Workspace: {0}").format(tenant))
        self.layout_.insertWidget(1, self.tenant_label)

        self.email = QLineEdit()
        self.email.setPlaceholderText(tr("name@example.com"))
        self.email.setAccessibleName(tr("Email"))
        self.email.setMaxLength(MAX_EMAIL + 10)
        self.email_error = self.add_field("email", tr("&Email"), self.email)
        self.role = RoleCombo()
        self.role.setAccessibleName(tr("Role"))
        self.role_hint = QLabel(role_help(self.role.role()))
        self.role_hint.setProperty("muted", True)
        self.role_hint.setWordWrap(True)
        self.add_field("role", tr("&Role"), self.role)
        self.form.insertRow(self.form.rowCount() - 1, "", self.role_hint)
        self.role.currentIndexChanged.connect(
            lambda _i: self.role_hint.setText(role_help(self.role.role()))
        )

        # The address the server last refused: its answer stands until the address changes
        # (the check after a pause in typing, or leaving the field, wiped it a moment later).
        self._refused: str | None = None
        self._typing = QTimer(self)
        self._typing.setSingleShot(True)
        self._typing.setInterval(TYPING_PAUSE_MS)
        self._typing.timeout.connect(self.check_email)
        self.email.textChanged.connect(self._on_typed)
        self.email.editingFinished.connect(self.check_email)
        self.email.setFocus()

    def _on_typed(self, _text: str) -> None:
        # A fix clears the error at once; a new error waits for a pause in typing.
        if self.email_error.isVisible() and email_problem(self.email.text()) is None:
            self.email_error.set_error(None)
        self._typing.start()

    def check_email(self) -> None:
        text = self.email.text()
        if text == self._refused:
            return
        self.email_error.set_error(email_problem(text) if text.strip() else None)

    # -- FormDialog ---------------------------------------------------------------------

    def validate(self) -> dict[str, str]:
        self._typing.stop()  # (sending checks it now)
        problem = email_problem(self.email.text())
        return {"email": problem} if problem else {}

    def payload(self) -> tuple[str, str]:
        return self.email.text().strip().lower(), self.role.role().value

    async def perform(self, idempotency_key: str) -> Invitation:
        email, _role = self.payload()
        scope = self.session.scope(self.tenant_id)
        return await scope.invitations.create(
            email, self.role.role(), idempotency_key=idempotency_key
        )

    def busy_text(self) -> str:
        return tr("Sending the invitation…")

    def show_api_error(self, exc: ApiError) -> None:
        super().show_api_error(exc)
        self._refused = None if self.email_error.isHidden() else self.email.text()
        if isinstance(exc, ConnectionFailed | RequestTimeout | ServerError | RateLimited):
            # The worry after a failed send is a double invitation: say there won't be one.
            self.general_error.setText(
                self.general_error.text()
                + "\n"
                + tr(
                    "Press Invite User to try again; the person gets one invitation "
                    "however often you retry."
                )
            )
