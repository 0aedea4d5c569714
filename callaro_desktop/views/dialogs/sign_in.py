"""Sign-in and re-authentication dialogs.

Each failure lands where the user can fix it: a wrong password under the password,
an unreachable or non-Callaro server under the server address. Nothing typed is
cleared by a failure, and the submit runs as a task so the window stays alive while
the server thinks.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from callaro_desktop.api.errors import (
    ApiError,
    BadResponse,
    ConnectionFailed,
    NotFound,
    RateLimited,
    RequestTimeout,
    TlsError,
    Unauthorized,
    ValidationFailed,
)
from callaro_desktop.i18n import tr
from callaro_desktop.services.tasks import background
from callaro_desktop.views.dialogs.common import FieldError


class SubmitFn(Protocol):
    def __call__(
        self, server: str, email: str, password: str, *, keep: bool
    ) -> Awaitable[None]: ...


def explain_sign_in_error(exc: ApiError) -> tuple[str, str]:
    """(field, sentence) for a failed sign-in: which field is at fault and why."""
    if isinstance(exc, TlsError):
        return "server", tr(
            "The server's security certificate could not be verified. Check the address, "
            "or ask your administrator whether a proxy intercepts HTTPS."
        )
    if isinstance(exc, ConnectionFailed | RequestTimeout):
        return "server", tr(
            "Could not reach this server. Check the address and your network connection."
        )
    if isinstance(exc, BadResponse | NotFound):
        return "server", tr(
            "This address answered, but it is not a Callaro server. Check the address."
        )
    if isinstance(exc, RateLimited):
        return "password", tr("Too many sign-in attempts. Wait a minute and try again.")
    if isinstance(exc, Unauthorized):
        return "password", tr("The email or password is not correct.")
    if isinstance(exc, ValidationFailed) and exc.errors:
        field = "email" if "email" in exc.errors else "password"
        return field, exc.errors.get(field, [exc.message])[0]
    return "server", exc.user_message()


class SignInDialog(QDialog):
    def __init__(
        self,
        submit: SubmitFn,
        *,
        servers: Sequence[str],
        server: str,
        email: str,
        keychain_available: bool,
        keychain_note: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Sign in to Callaro"))
        self.setAccessibleName(tr("Sign in"))
        self.setMinimumWidth(440)
        self._submit = submit
        self._task: asyncio.Task[None] | None = None

        heading = QLabel(tr("Sign in to Callaro"))
        heading.setObjectName("StateTitle")
        self.server = QComboBox()
        self.server.setEditable(True)
        self.server.setAccessibleName(tr("Server address"))
        self.server.addItems(list(dict.fromkeys([server, *servers])))
        self.server.setCurrentText(server)
        self.server_error = FieldError(self.server)
        self.email = QLineEdit(email)
        self.email.setAccessibleName(tr("Email"))
        self.email.setPlaceholderText(tr("you@company.com"))
        self.email_error = FieldError(self.email)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName(tr("Password"))
        self.password_error = FieldError(self.password)
        # (Children at once: made visible or not before they are laid out.)
        self.keep = QCheckBox(tr("&Keep me signed in"), self)
        self.keep.setAccessibleName(tr("Keep me signed in"))
        self.keep.setChecked(keychain_available)
        self.keep.setVisible(keychain_available)
        self.storage_note = QLabel(keychain_note, self)
        self.storage_note.setWordWrap(True)
        self.storage_note.setProperty("muted", True)
        self.storage_note.setVisible(not keychain_available and bool(keychain_note))

        form = QFormLayout()
        form.addRow(tr("&Server"), self.server)
        form.addRow("", self.server_error)
        form.addRow(tr("&Email"), self.email)
        form.addRow("", self.email_error)
        form.addRow(tr("&Password"), self.password)
        form.addRow("", self.password_error)
        self.buttons = QDialogButtonBox()
        self.sign_in_button = QPushButton(tr("Sign in"))
        self.sign_in_button.setDefault(True)
        self.sign_in_button.setAccessibleName(tr("Sign in"))
        self.buttons.addButton(self.sign_in_button, QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAccessibleName(tr("Cancel"))
        self.buttons.accepted.connect(self.start_submit)
        self.buttons.rejected.connect(self.reject)
        self.status = QLabel()
        self.status.setProperty("muted", True)

        lay = QVBoxLayout(self)
        lay.addWidget(heading)
        lay.addLayout(form)
        lay.addWidget(self.keep)
        lay.addWidget(self.storage_note)
        lay.addWidget(self.status)
        lay.addWidget(self.buttons)
        (self.password if email else self.email).setFocus()

    def start_submit(self) -> None:
        if self._task is not None and not self._task.done():
            return
        if not self._check_fields():
            return
        self._task = background(self._run())

    def _check_fields(self) -> bool:
        for err in (self.server_error, self.email_error, self.password_error):
            err.set_error(None)
        ok = True
        server = self.server.currentText().strip()
        if not server.startswith(("https://", "http://")):
            self.server_error.set_error(tr("Enter an address starting with https://"))
            ok = False
        if "@" not in self.email.text():
            self.email_error.set_error(tr("Enter the email address you were invited with."))
            ok = False
        if not self.password.text():
            self.password_error.set_error(tr("Enter your password."))
            ok = False
        return ok

    async def _run(self) -> None:
        self._set_busy(True)
        try:
            await self._submit(
                self.server.currentText().strip(),
                self.email.text().strip(),
                self.password.text(),
                keep=not self.keep.isHidden() and self.keep.isChecked(),
            )
        except ApiError as exc:
            self.show_error(exc)
            return
        finally:
            self._set_busy(False)
        self.password.clear()
        self.accept()

    def show_error(self, exc: ApiError) -> None:
        field, text = explain_sign_in_error(exc)
        target = {"server": self.server_error, "email": self.email_error}.get(
            field, self.password_error
        )
        target.set_error(text)
        widget = {"server": self.server, "email": self.email}.get(field, self.password)
        widget.setFocus()

    def _set_busy(self, busy: bool) -> None:
        self.status.setText(tr("Signing in…") if busy else "")
        for w in (self.server, self.email, self.password, self.sign_in_button, self.keep):
            w.setEnabled(not busy)

    def reject(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
        super().reject()


class ReauthDialog(QDialog):
    """Asks for the password again over the current page; nothing behind it is lost."""

    def __init__(
        self,
        submit: Callable[[str], Awaitable[None]],
        *,
        email: str,
        server: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Sign in again"))
        self.setAccessibleName(tr("Sign in again"))
        self.setMinimumWidth(420)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self._submit = submit
        self._task: asyncio.Task[None] | None = None
        text = QLabel(
            tr(
                "Your session on {0} has ended. Enter the password for {1} to carry on; "
                "nothing you have typed is lost."
            ).format(server, email)
        )
        text.setWordWrap(True)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName(tr("Password"))
        self.password_error = FieldError(self.password)
        form = QFormLayout()
        form.addRow(tr("&Password"), self.password)
        form.addRow("", self.password_error)
        self.buttons = QDialogButtonBox()
        self.continue_button = QPushButton(tr("Continue"))
        self.continue_button.setDefault(True)
        self.buttons.addButton(self.continue_button, QDialogButtonBox.ButtonRole.AcceptRole)
        sign_out = self.buttons.addButton(tr("Sign out"), QDialogButtonBox.ButtonRole.RejectRole)
        sign_out.setAccessibleName(tr("Sign out"))
        self.buttons.accepted.connect(self.start_submit)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(text)
        lay.addLayout(form)
        lay.addWidget(self.buttons)
        self.password.setFocus()

    def start_submit(self) -> None:
        if self._task is not None and not self._task.done():
            return
        if not self.password.text():
            self.password_error.set_error(tr("Enter your password."))
            return
        self._task = background(self._run())

    async def _run(self) -> None:
        self.continue_button.setEnabled(False)
        try:
            await self._submit(self.password.text())
        except ApiError as exc:
            self.password_error.set_error(explain_sign_in_error(exc)[1])
            self.password.selectAll()
            self.password.setFocus()
            return
        finally:
            self.continue_button.setEnabled(True)
        self.password.clear()
        self.accept()
