"""A dialog that submits a form to the server without ever losing what was typed.

Subclasses add fields and implement `perform(idempotency_key)`. The base class:
- checks fields locally first (`validate`) and shows each message under its field;
- runs the submit as a task (the window stays alive), disabling the buttons meanwhile;
- sends one Idempotency-Key per intent: a retry of the same values reuses it, so a
  create that timed out but did happen on the server is not done twice; changed
  values are a new intent and get a new key;
- puts the server's field errors (`errors: {"email": [...]}`, also dotted paths like
  `numbers.2.e164`) under the matching fields, and anything else, with the request
  id, in one line above the buttons; the dialog stays open with everything typed.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from callaro_desktop.api.errors import ApiError
from callaro_desktop.i18n import tr
from callaro_desktop.services.tasks import background
from callaro_desktop.views.dialogs.common import (
    FieldError,
    asked_to_close,
    close_when_allowed,
    run_dialog,
)
from callaro_desktop.views.dialogs.confirm import confirm
from callaro_desktop.views.widgets.edits import EDITS_FORM
from callaro_desktop.views.widgets.focus import focus_through

if TYPE_CHECKING:
    import asyncio

    from callaro_desktop.services.session import Session


class RetryButton(QPushButton):
    """Retry beside a field whose choices could not be loaded (add_field's `beside`).

    Hidden until a load fails. The keyboard that pressed it is never dropped: hidden while
    the load runs, it gives the focus back to itself if the load fails again, or to the
    field once the choices are in."""

    def __init__(self, name: str) -> None:
        super().__init__(tr("Retry"))
        self.setAccessibleName(name)
        self.hide()

    def loading(self) -> bool:
        """A load starts: hidden. Whether it was this button that started it."""
        pressed = self.hasFocus()
        self.hide()
        return pressed

    def failed(self, pressed: bool) -> None:
        self.show()
        if pressed:
            self.setFocus()

    def loaded(self, pressed: bool, field: QWidget) -> None:
        if pressed:
            field.setFocus()


# What a user does to step a spin box (typing in it is its line edit's textEdited).
_STEPS = frozenset({QEvent.Type.KeyPress, QEvent.Type.Wheel, QEvent.Type.MouseButtonPress})


class TypedWatch(QObject):
    """Whether the user has typed or picked anything in a dialog since it opened.

    Only their own edits count: a field the dialog fills (an edit's current values, choices
    once loaded) does not. Watched from the dialog's first show, over every field it has.
    """

    _WATCHED = "callaroTypedWatch"

    def __init__(self, dialog: QDialog) -> None:
        super().__init__(dialog)
        self.dialog = dialog
        self.touched = False
        self._stepping: QAbstractSpinBox | None = None
        dialog.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.dialog:
            if event.type() == QEvent.Type.Show:
                self.watch()
        elif isinstance(watched, QAbstractSpinBox) and event.type() in _STEPS:
            # The arrow keys, the wheel and the step buttons change a spin box with no
            # signal of the user's own (its valueChanged is also the dialog's own setValue):
            # a change while one of them is handled is the user's.
            self._stepping = watched
            QTimer.singleShot(0, self, self._stepped)
        return False

    def watch(self) -> None:
        """Listen to every field of the dialog not listened to yet (its fields can change)."""
        for field in self.dialog.findChildren(QWidget):
            if field.property(self._WATCHED):
                continue
            # Signals that only the user's own edits send (a spin box types in its line edit;
            # an editable combo box in its own).
            if isinstance(field, QLineEdit):
                field.textEdited.connect(self._touch)
            elif isinstance(field, QComboBox):
                field.activated.connect(self._touch)
            elif isinstance(field, (QCheckBox, QRadioButton)):
                field.clicked.connect(self._touch)
            elif isinstance(field, QPlainTextEdit):
                field.textChanged.connect(self._touch)  # (its text is only ever typed)
            elif isinstance(field, QListWidget):
                # Ticked or moved (a connection's codecs): filled before the dialog shows.
                field.itemChanged.connect(self._touch)
                field.model().rowsInserted.connect(self._touch)
            elif isinstance(field, QAbstractSpinBox):
                field.installEventFilter(self)
                changed = (
                    field.dateTimeChanged
                    if isinstance(field, QDateTimeEdit)
                    else getattr(field, "valueChanged", None)  # (QSpinBox, QDoubleSpinBox)
                )
                if changed is not None:
                    changed.connect(lambda *_a, f=field: self._touch_if(f is self._stepping))
            elif isinstance(field, QAbstractButton) and field.property(EDITS_FORM):
                field.clicked.connect(self._touch)  # (widgets/edits.py)
            else:
                continue
            field.setProperty(self._WATCHED, True)

    def _touch(self, *_args: object) -> None:
        self.touched = True

    def _touch_if(self, changed: bool) -> None:
        self.touched = self.touched or changed

    def _stepped(self) -> None:
        self._stepping = None


class FormDialog(QDialog):
    def __init__(
        self,
        session: Session,
        title: str,
        submit_label: str,
        *,
        intro: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.setMinimumWidth(460)
        self.intro = QLabel(intro or "", self)  # (a child before setVisible: see pages.base)
        self.intro.setWordWrap(True)
        self.intro.setVisible(bool(intro))
        self.form = QFormLayout()
        self.general_error = QLabel()
        self.general_error.setProperty("fieldError", True)
        self.general_error.setWordWrap(True)
        self.general_error.setAccessibleName(tr("Error"))
        self.general_error.hide()
        self.status = QLabel()
        self.status.setProperty("muted", True)
        self.buttons = QDialogButtonBox()
        self.submit_button = QPushButton(submit_label)
        self.submit_button.setAccessibleName(submit_label)
        self.submit_button.setDefault(True)
        self.buttons.addButton(self.submit_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setAccessibleName(tr("Cancel"))
        self.buttons.accepted.connect(self.start_submit)
        self.buttons.rejected.connect(self.cancel)
        self.layout_ = QVBoxLayout(self)
        self.layout_.addWidget(self.intro)
        self.layout_.addLayout(self.form)
        self.layout_.addWidget(self.general_error)
        self.layout_.addWidget(self.status)
        self.layout_.addWidget(self.buttons)
        self.fields: dict[str, tuple[QWidget, FieldError, tuple[str, ...]]] = {}
        self.result_value: Any = None
        self._task: asyncio.Task[None] | None = None
        self._last_payload: Any = None
        self._key: str | None = None
        self.typed = TypedWatch(self)

    # -- building -------------------------------------------------------------------------

    def add_field(
        self,
        name: str,
        label: str,
        widget: QWidget,
        *,
        api_names: Sequence[str] = (),
        help_text: str | None = None,
        beside: QWidget | None = None,
    ) -> FieldError:
        """Add a row; `api_names` are the server's names for it when they differ. `beside`
        sits to the right of the field (a Retry for what the field lists)."""
        if not widget.accessibleName():
            widget.setAccessibleName(label.replace("&", ""))
        error = FieldError(widget)
        shown = widget
        if beside is not None:
            shown = QWidget()
            row = QHBoxLayout(shown)
            row.setContentsMargins(0, 0, 0, 0)
            row.addWidget(widget, 1)
            row.addWidget(beside)
            focus_through(shown, widget)  # (the label's Alt key reaches the field)
        self.form.addRow(label, shown)
        if help_text:
            hint = QLabel(help_text)
            hint.setProperty("muted", True)
            hint.setWordWrap(True)
            self.form.addRow("", hint)
        self.form.addRow("", error)
        self.fields[name] = (widget, error, (name, *api_names))
        return error

    # -- what subclasses provide -------------------------------------------------------

    def validate(self) -> dict[str, str]:
        """Local checks: {field name: message}. Empty means the form may be sent."""
        return {}

    def payload(self) -> Any:
        """The values being sent; the same payload again is the same intent (same key)."""
        return None

    async def perform(self, idempotency_key: str) -> Any:
        raise NotImplementedError

    def busy_text(self) -> str:
        return tr("Saving…")

    # -- submitting -----------------------------------------------------------------------

    @property
    def idempotency_key(self) -> str | None:
        return self._key

    def clear_errors(self) -> None:
        for _widget, error, _names in self.fields.values():
            error.set_error(None)
        self.general_error.hide()

    def show_errors(self, errors: dict[str, str]) -> None:
        for name, message in errors.items():
            if name in self.fields:
                self.fields[name][1].set_error(message)
            else:
                self.general_error.setText(message)
                self.general_error.show()
        first = next((n for n in self.fields if n in errors), None)
        if first is not None:
            self.fields[first][0].setFocus()

    def start_submit(self) -> None:
        if self._task is not None and not self._task.done():
            return
        self.clear_errors()
        problems = self.validate()
        if problems:
            self.show_errors(problems)
            return
        payload = self.payload()
        if self._key is None or payload != self._last_payload:
            self._key = str(uuid.uuid4())
            self._last_payload = payload
        self._task = background(self._run(self._key))

    async def _run(self, key: str) -> None:
        self._set_busy(True)
        try:
            result = await self.session.call(lambda: self.perform(key))
        except ApiError as exc:
            self.show_api_error(exc)
            return
        finally:
            self._set_busy(False)
        self.result_value = result
        self.accept()

    def show_api_error(self, exc: ApiError) -> None:
        placed: dict[str, str] = {}
        leftovers: list[str] = []
        for api_field, messages in exc.errors.items():
            target = self._field_for(api_field)
            text = messages[0] if messages else exc.message
            if target is not None and target not in placed:
                placed[target] = text
            else:
                leftovers.append(f"{api_field}: {text}")
        self.show_errors(placed)
        if not placed or leftovers:
            summary = exc.user_message()
            if leftovers:
                summary = f"{summary}\n" + "\n".join(leftovers)
            self.general_error.setText(summary)
            self.general_error.show()

    def _field_for(self, api_field: str) -> str | None:
        head = api_field.split(".")[0]
        for name, (_w, _e, names) in self.fields.items():
            if api_field in names or head in names:
                return name
        return None

    def _set_busy(self, busy: bool) -> None:
        self.status.setText(self.busy_text() if busy else "")
        self.submit_button.setEnabled(not busy)
        for widget, _error, _names in self.fields.values():
            widget.setEnabled(not busy)

    def reject(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
        super().reject()

    # -- closing without sending --------------------------------------------------------

    def holds_work(self) -> bool:
        return self.typed.touched

    def close_unasked(self) -> None:
        self.reject()

    def cancel(self) -> None:
        """The user closes the dialog without sending it (Cancel, Esc, the title bar's
        close): once they have typed or picked something, asked first, so a stray Esc
        never throws a filled form away. (`reject` closes without asking.)"""
        close_when_allowed(self)

    async def may_close(self) -> bool:
        """Whether the dialog may close unsent: nothing typed, or the user chose to discard
        it. False while the question is already being asked (that answer decides)."""
        return await asked_to_close(
            self,
            lambda: confirm(
                self,
                tr("Discard changes?"),
                tr("Close {0} and discard what you entered?").format(self.windowTitle()),
                tr("Discard"),
                stay=tr("Keep editing"),
            ),
        )

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and not event.modifiers():
            self.cancel()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.typed.touched:
            event.ignore()
            self.cancel()
            return
        super().closeEvent(event)


async def run_form(dialog: FormDialog) -> Any:
    """Open `dialog`, await it, and return what its submit produced (None if cancelled).

    The dialog is deleted afterwards; read anything else you need from it before.
    """
    try:
        accepted = await run_dialog(dialog) == QDialog.DialogCode.Accepted
        return dialog.result_value if accepted else None
    finally:
        dialog.deleteLater()
