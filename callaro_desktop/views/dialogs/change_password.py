"""Change password: current, new and confirm, with the rule checked as the user types.

The contract's only strength rule is length (at least 12 characters); the dialog shows
it live, together with "different from the current one" and "both entries match",
so a submit that the server would refuse rarely leaves the machine. What the server
still refuses (a wrong current password) lands under its field. The passwords live
only in the line edits: they are never part of a payload kept for retries, never
logged, and the dialog is deleted when it closes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import SecretStr
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QCheckBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from callaro_desktop.api.errors import SessionExpired
from callaro_desktop.i18n import tr
from callaro_desktop.views.dialogs.form import FormDialog

if TYPE_CHECKING:
    from callaro_desktop.services.session import Session

MIN_PASSWORD = 12  # contract section 3
MAX_PASSWORD = 256  # the longest the server accepts


def _password_field(name: str) -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setMaxLength(MAX_PASSWORD)
    field.setAccessibleName(name)
    return field


class _Rule(QLabel):
    """One line of the live checklist: neutral until there is something to judge."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.met: bool | None = None

    def show_state(self, text: str, met: bool | None) -> None:
        self.met = met
        mark = "○" if met is None else ("✓" if met else "✗")
        self.setText(f"{mark}  {text}")
        self.setAccessibleName(
            f"{text}: {tr('yes') if met else tr('no') if met is False else tr('not checked yet')}"
        )
        self.setProperty("muted", met is None)
        self.setProperty("state", None if met is None else ("ok" if met else "bad"))
        self.style().unpolish(self)
        self.style().polish(self)


class ChangePasswordDialog(FormDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(
            session,
            tr("Change password"),
            tr("Change password"),
            intro=tr(
                "Changing your password signs out your other sessions. This one stays signed in."
            ),
            parent=parent,
        )
        self.setObjectName("ChangePasswordDialog")
        self.current = _password_field(tr("Current password"))
        self.new = _password_field(tr("New password"))
        self.confirm = _password_field(tr("Confirm new password"))

        self.add_field("current_password", tr("C&urrent password"), self.current)
        self.add_field("new_password", tr("&New password"), self.new)
        rules = QWidget()
        rules.setAccessibleName(tr("Password rules"))
        rules_lay = QVBoxLayout(rules)
        rules_lay.setContentsMargins(0, 0, 0, 4)
        rules_lay.setSpacing(2)
        self.length_rule = _Rule()
        self.differs_rule = _Rule()
        rules_lay.addWidget(self.length_rule)
        rules_lay.addWidget(self.differs_rule)
        self.form.addRow("", rules)
        self.add_field("confirm", tr("C&onfirm new password"), self.confirm)
        self.match_rule = _Rule()
        self.form.addRow("", self.match_rule)

        self.show_passwords = QCheckBox(tr("&Show passwords"))
        self.show_passwords.setAccessibleName(tr("Show passwords"))
        self.show_passwords.toggled.connect(self._on_show)
        self.form.addRow("", self.show_passwords)

        for field in (self.current, self.new, self.confirm):
            field.textChanged.connect(self._update_rules)
        self.setTabOrder(self.current, self.new)
        self.setTabOrder(self.new, self.confirm)
        self.setTabOrder(self.confirm, self.show_passwords)
        self.current.setFocus()
        self._update_rules()

    # -- live rules ---------------------------------------------------------------------

    def _update_rules(self) -> None:
        current, new, confirm = self.current.text(), self.new.text(), self.confirm.text()
        missing = MIN_PASSWORD - len(new)
        if missing > 0 and new:
            length_text = tr("At least {0} characters ({1} more to go)").format(
                MIN_PASSWORD, missing
            )
        else:
            length_text = tr("At least {0} characters").format(MIN_PASSWORD)
        self.length_rule.show_state(length_text, None if not new else missing <= 0)
        self.differs_rule.show_state(
            tr("Different from your current password"),
            None if not new or not current else new != current,
        )
        self.match_rule.show_state(
            tr("Both entries match"), None if not confirm else confirm == new
        )

    def _on_show(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        for field in (self.current, self.new, self.confirm):
            field.setEchoMode(mode)

    # -- FormDialog -----------------------------------------------------------------------

    def show_errors(self, errors: dict[str, str]) -> None:
        super().show_errors(errors)
        # Error lines add rows; grow so the rules under the fields never overlap.
        QTimer.singleShot(0, self._fit_height)

    def _fit_height(self) -> None:
        wanted = self.sizeHint().height()
        if self.height() < wanted:
            self.resize(self.width(), wanted)

    def validate(self) -> dict[str, str]:
        problems: dict[str, str] = {}
        current, new, confirm = self.current.text(), self.new.text(), self.confirm.text()
        if not current:
            problems["current_password"] = tr("Enter your current password.")
        if len(new) < MIN_PASSWORD:
            problems["new_password"] = tr("Use at least {0} characters.").format(MIN_PASSWORD)
        elif new == current:
            problems["new_password"] = tr("Choose a password you are not using now.")
        if confirm != new:
            problems["confirm"] = tr("This does not match the new password.")
        return problems

    async def perform(self, idempotency_key: str) -> None:
        client = self.session.client
        if client is None:
            raise SessionExpired()
        await client.me.change_password(SecretStr(self.current.text()), SecretStr(self.new.text()))

    def busy_text(self) -> str:
        return tr("Changing password…")
