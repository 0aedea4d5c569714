"""Confirmation for destructive actions, naming the object acted on.

`confirm()` asks yes/no with the object's name in the text. With `type_to_confirm`
the action button stays disabled until the user has typed that exact text (used
for irreversible actions: revoking an API key, releasing a number).
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from callaro_desktop.i18n import tr
from callaro_desktop.views.dialogs.common import run_dialog


class ConfirmDialog(QDialog):
    def __init__(
        self,
        title: str,
        text: str,
        action: str,
        *,
        type_to_confirm: str | None = None,
        destructive: bool = True,
        stay: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.setMinimumWidth(440)
        self._expected = type_to_confirm
        body = QLabel(text)
        body.setWordWrap(True)
        body.setAccessibleName(text)
        lay = QVBoxLayout(self)
        lay.addWidget(body)
        self.typed = QLineEdit()
        self.typed.setAccessibleName(tr("Type to confirm"))
        if type_to_confirm is not None:
            # Escaped: the name is user data and may contain < or &.
            hint = QLabel(tr("Type <b>{0}</b> to confirm.").format(html.escape(type_to_confirm)))
            hint.setTextFormat(Qt.TextFormat.RichText)
            lay.addWidget(hint)
            lay.addWidget(self.typed)
            self.typed.textChanged.connect(self._update)
        else:
            self.typed.hide()
        self.buttons = QDialogButtonBox()
        self.action_button = QPushButton(action)
        self.action_button.setAccessibleName(action)
        if destructive:
            self.action_button.setProperty("destructive", True)
        self.buttons.addButton(self.action_button, QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        if stay is not None:  # what Cancel means here, when "Cancel" would be unclear
            cancel.setText(stay)
        cancel.setAccessibleName(stay or tr("Cancel"))
        # Cancel is the default: Enter must never destroy something by accident.
        cancel.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self._update()
        if type_to_confirm is not None:
            self.typed.setFocus()
        else:
            cancel.setFocus()

    def _update(self) -> None:
        ok = self._expected is None or self.typed.text().strip() == self._expected
        self.action_button.setEnabled(ok)

    def accept(self) -> None:
        if self.action_button.isEnabled():
            super().accept()


async def confirm(
    parent: QWidget | None,
    title: str,
    text: str,
    action: str,
    *,
    type_to_confirm: str | None = None,
    destructive: bool = True,
    stay: str | None = None,
) -> bool:
    dialog = ConfirmDialog(
        title,
        text,
        action,
        type_to_confirm=type_to_confirm,
        destructive=destructive,
        stay=stay,
        parent=parent,
    )
    try:
        return await run_dialog(dialog) == QDialog.DialogCode.Accepted
    finally:
        dialog.deleteLater()
