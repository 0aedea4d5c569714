"""The one time a new API key's secret is on screen.

The secret arrives as a pydantic SecretStr and is unwrapped only at the two moments it
is needed: drawn when the user asks to reveal it, and put on the clipboard when they
ask to copy it (through SecretClipboard, which clears it again after a minute). It is
shown masked by default, so a screenshot or a shared screen shows the public prefix
only, and it sits in a label that cannot be selected, so it never reaches the X11
primary selection or a drag. When the dialog closes the label is emptied and every
reference to the secret is dropped; closing without having copied it asks first,
because the server will never show it again.
"""

from __future__ import annotations

import contextlib
import sys

from pydantic import SecretStr
from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QFontDatabase, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from callaro_desktop.api.models import ApiKey, ApiKeyCreated
from callaro_desktop.i18n import tr
from callaro_desktop.services.clipboard import SecretClipboard
from callaro_desktop.views import theme
from callaro_desktop.views.dialogs.common import (
    asked_to_close,
    asking_to_close,
    close_when_allowed,
    run_dialog,
)

MASK = "•"


def public_part(key: ApiKeyCreated) -> ApiKey:
    """The key without its secret: what the list and every later screen may hold."""
    return ApiKey.model_validate(key.model_dump(exclude={"secret"}))


def masked(prefix: str, length: int) -> str:
    return prefix + MASK * max(0, length - len(prefix))


class ApiKeySecretDialog(QDialog):
    def __init__(
        self,
        created: ApiKeyCreated,
        *,
        tenant_name: str,
        clipboard: SecretClipboard,
        replaces: ApiKey | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.key = public_part(created)
        # Held in a list the dialog's destruction empties: if the window is torn down
        # without closing (a sign-out under it), the secret still does not outlive it.
        self._held: list[SecretStr] = [created.secret]
        self.destroyed.connect(self._held.clear)
        self._length = len(created.secret.get_secret_value())
        self._clipboard = clipboard
        self.copied = False

        title = tr("Replacement API key") if replaces is not None else tr("New API key")
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.setMinimumWidth(560)
        tokens = theme.tokens()

        heading = QLabel(tr("Copy your new API key now"))
        heading.setObjectName("StateTitle")
        warning = QLabel(
            tr(
                "This is the only time the key is shown. Store it where your systems read "
                "their secrets, such as a password manager or a secret store. "
                "<b>It will not be shown again.</b>"
            )
        )
        warning.setWordWrap(True)
        warning.setTextFormat(Qt.TextFormat.RichText)
        warning.setAccessibleName(tr("The key will not be shown again"))
        note = QFrame()
        note.setObjectName("SecretNote")
        note.setStyleSheet(
            f"QFrame#SecretNote {{ border: 1px solid {tokens.warning};"
            " border-radius: 8px; padding: 4px; }"
        )
        note_lay = QVBoxLayout(note)
        note_lay.setContentsMargins(10, 8, 10, 8)
        note_lay.addWidget(warning)

        details = QFormLayout()
        details.setHorizontalSpacing(14)
        details.addRow(tr("Name"), self._value(self.key.name, tr("Name")))
        details.addRow(tr("Workspace"), self._value(tenant_name, tr("Workspace")))
        scopes = self._value(
            tr("{0} scopes").format(len(self.key.scopes)) if self.key.scopes else "—",
            tr("Scopes"),
        )
        scopes.setToolTip("\n".join(self.key.scopes))
        details.addRow(tr("Scopes"), scopes)
        if replaces is not None:
            details.addRow(
                tr("Replaces"),
                self._value(
                    tr("{0} ({1}…), still active").format(replaces.name, replaces.prefix),
                    tr("Replaces"),
                ),
            )

        self.secret_label = QLabel()
        self.secret_label.setObjectName("SecretValue")
        self.secret_label.setAccessibleName(tr("API key"))
        # Not selectable: a selection would copy past the clipboard guard (and, on X11,
        # into the primary selection, which no one ever clears).
        self.secret_label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.secret_label.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.secret_label.setMinimumHeight(34)
        self.secret_label.setStyleSheet(
            f"QLabel#SecretValue {{ border: 1px solid {tokens.border}; border-radius: 6px;"
            f" padding: 4px 8px; background: {tokens.card_bg}; }}"
        )
        self.reveal_button = QPushButton(tr("&Reveal"))
        self.reveal_button.setCheckable(True)
        self.reveal_button.setAccessibleName(tr("Reveal the key"))
        self.reveal_button.toggled.connect(self._show_secret)
        self.copy_button = QPushButton(tr("&Copy"))
        self.copy_button.setAccessibleName(tr("Copy the key"))
        self.copy_button.setToolTip(
            tr("Copy to the clipboard (Ctrl+C). Cleared after {0} seconds.").format(
                round(clipboard.clear_after_s)
            )
        )
        self.copy_button.clicked.connect(self.copy)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Copy), self, self.copy)
        secret_row = QHBoxLayout()
        secret_row.addWidget(self.secret_label, 1)
        secret_row.addWidget(self.reveal_button)
        secret_row.addWidget(self.copy_button)

        self.status = QLabel()
        self.status.setProperty("muted", True)
        self.status.setWordWrap(True)
        self.status.setAccessibleName(tr("Copy status"))

        self.buttons = QDialogButtonBox()
        self.done_button = QPushButton(tr("I have &stored this key"))
        self.done_button.setAccessibleName(tr("I have stored this key"))
        self.buttons.addButton(self.done_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)

        lay = QVBoxLayout(self)
        lay.setSpacing(12)
        lay.addWidget(heading)
        lay.addWidget(note)
        lay.addLayout(details)
        lay.addLayout(secret_row)
        lay.addWidget(self.status)
        lay.addWidget(self.buttons)
        self._show_secret(False)
        self.copy_button.setDefault(True)
        self.copy_button.setFocus()

    def _value(self, text: str, name: str) -> QLabel:
        label = QLabel(text)
        label.setAccessibleName(name)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    # -- the secret ---------------------------------------------------------------------

    @property
    def holds_secret(self) -> bool:
        return bool(self._held)

    @property
    def _secret(self) -> SecretStr | None:
        return self._held[0] if self._held else None

    @property
    def asking(self) -> bool:
        """The "close without copying?" question is up."""
        return asking_to_close(self)

    def _show_secret(self, reveal: bool) -> None:
        if reveal and self._secret is not None:
            self.secret_label.setText(self._secret.get_secret_value())
            self.reveal_button.setText(tr("&Hide"))
            self.reveal_button.setAccessibleName(tr("Hide the key"))
        else:
            self.secret_label.setText(masked(self.key.prefix, self._length))
            self.reveal_button.setText(tr("&Reveal"))
            self.reveal_button.setAccessibleName(tr("Reveal the key"))

    def copy(self) -> None:
        if self._secret is None:
            return
        self._clipboard.copy(self._secret)
        self.copied = True
        self.status.setText(
            tr(
                "Copied. The clipboard is cleared in {0} seconds if it still holds this key."
            ).format(round(self._clipboard.clear_after_s))
        )
        # The obvious next step once the key is on the clipboard.
        self.done_button.setDefault(True)

    # -- closing ------------------------------------------------------------------------

    def accept(self) -> None:
        self._leave(QDialog.DialogCode.Accepted)

    def reject(self) -> None:
        self._leave(QDialog.DialogCode.Rejected)

    def closeEvent(self, event: QCloseEvent) -> None:
        event.ignore()
        self.reject()

    def _leave(self, result: QDialog.DialogCode) -> None:
        # (done() forgets the secret on the way out)
        close_when_allowed(self, lambda: self.done(result))

    # HoldsWork: a quit, a sign-out or the session ending from another window asks too.

    def holds_work(self) -> bool:
        """The secret is held and was never copied: closing now loses the key for good."""
        return self._secret is not None and not self.copied

    def close_unasked(self) -> None:
        self.done(QDialog.DialogCode.Rejected)

    async def may_close(self) -> bool:
        return await asked_to_close(self, self._close_without_copying)

    async def _close_without_copying(self) -> bool:
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            tr("Close without copying?"),
            tr(
                "You have not copied this key. Once this window closes it cannot be shown "
                "again, and you would have to create a new key."
            ),
            QMessageBox.StandardButton.NoButton,
            self,
        )
        leave = box.addButton(tr("Close &without copying"), QMessageBox.ButtonRole.AcceptRole)
        back = box.addButton(tr("&Go back"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(back)
        box.setEscapeButton(back)
        try:
            await run_dialog(box)
            return box.clickedButton() is leave
        finally:
            box.deleteLater()

    def _forget(self) -> None:
        """Empty the widget and drop the secret; nothing here can show it again."""
        self._held.clear()
        self.reveal_button.setChecked(False)
        self.secret_label.clear()
        self.reveal_button.setEnabled(False)
        self.copy_button.setEnabled(False)

    def done(self, result: int) -> None:
        # Any other path out (the parent closing, a sign-out) still drops the secret.
        self._forget()
        super().done(result)

    # -- keeping it off screen captures ---------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        _exclude_from_capture(self)


def _exclude_from_capture(widget: QWidget) -> None:
    """Ask Windows to leave this window out of screenshots and screen sharing."""
    if sys.platform == "win32":
        import ctypes

        wda_exclude_from_capture = 0x11
        with contextlib.suppress(AttributeError, OSError):
            ctypes.windll.user32.SetWindowDisplayAffinity(
                int(widget.winId()), wda_exclude_from_capture
            )
