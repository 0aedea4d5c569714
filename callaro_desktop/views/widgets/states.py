"""The four states every page has: loading, empty, error, ready.

Knows nothing of the app: the error state shows whatever message and request id it
is given and emits `retry_requested`; the owner decides what a retry means.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from callaro_desktop.i18n import tr


def _centered(*widgets: QWidget) -> QWidget:
    box = QWidget()
    lay = QVBoxLayout(box)
    lay.addStretch(2)
    for w in widgets:
        if isinstance(w, QLabel) and w.wordWrap():
            # A wrapped label placed with an alignment is given the height of its text laid
            # out at the full width (a Qt layout quirk), so its second line was cut off. In a
            # row between two small stretches it takes the width, up to its maximum (what
            # it leaves goes to the stretches, so it stays centred), and is as tall as its
            # lines at that width; it centres its own lines.
            w.setAlignment(Qt.AlignmentFlag.AlignCenter)
            row = QHBoxLayout()
            row.addStretch(1)
            row.addWidget(w, 1000)
            row.addStretch(1)
            lay.addLayout(row)
        else:
            lay.addWidget(w, 0, Qt.AlignmentFlag.AlignHCenter)
    lay.addStretch(3)
    return box


class StateStack(QStackedWidget):
    retry_requested = Signal()
    empty_action_triggered = Signal()

    def __init__(self, content: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("StateStack")

        busy = QProgressBar()
        busy.setRange(0, 0)
        busy.setFixedWidth(220)
        busy.setTextVisible(False)
        busy.setAccessibleName(tr("Loading"))
        self._loading_label = QLabel(tr("Loading…"))
        self._loading_label.setProperty("muted", True)
        self._loading = _centered(busy, self._loading_label)

        self._empty_title = QLabel()
        self._empty_title.setObjectName("StateTitle")
        self._empty_text = QLabel()
        self._empty_text.setWordWrap(True)
        self._empty_text.setProperty("muted", True)
        self._empty_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty_action = QPushButton()
        self._empty_action.clicked.connect(self.empty_action_triggered)
        self._empty = _centered(self._empty_title, self._empty_text, self._empty_action)

        self._error_title = QLabel(tr("This page could not be loaded"))
        self._error_title.setObjectName("StateTitle")
        self.error_text = QLabel()
        self.error_text.setWordWrap(True)
        self.error_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.error_text.setMaximumWidth(520)
        self.error_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.request_id_label = QLabel()
        self.request_id_label.setObjectName("RequestId")
        self.request_id_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.request_id_label.setAccessibleName(tr("Request id"))
        self.retry_button = QPushButton(tr("&Retry"))
        self.retry_button.setAccessibleName(tr("Retry loading this page"))
        self.retry_button.setDefault(True)
        self.retry_button.clicked.connect(self.retry_requested)
        self._copy_button = QPushButton(tr("Copy request id"))
        self._copy_button.setAccessibleName(tr("Copy request id"))
        self._copy_button.clicked.connect(self._copy_request_id)
        buttons = QWidget()
        row = QHBoxLayout(buttons)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.retry_button)
        row.addWidget(self._copy_button)
        self._error = _centered(self._error_title, self.error_text, self.request_id_label, buttons)
        self._request_id: str | None = None

        self.content = content
        for w in (self._loading, self._empty, self._error, content):
            self.addWidget(w)

    # The state currently shown, for tests and for accessibility announcements.
    @property
    def state(self) -> str:
        current = self.currentWidget()
        if current is self._loading:
            return "loading"
        if current is self._empty:
            return "empty"
        if current is self._error:
            return "error"
        return "ready"

    def show_loading(self, text: str | None = None) -> None:
        self._loading_label.setText(text or tr("Loading…"))
        self.setCurrentWidget(self._loading)

    def show_empty(self, title: str, text: str = "", action: str | None = None) -> None:
        self._empty_title.setText(title)
        self._empty_text.setText(text)
        self._empty_text.setVisible(bool(text))
        self._empty_action.setVisible(action is not None)
        if action is not None:
            self._empty_action.setText(action)
            self._empty_action.setAccessibleName(action)
        self.setCurrentWidget(self._empty)

    def show_error(self, message: str, request_id: str | None = None) -> None:
        self.error_text.setText(message)
        self._request_id = request_id
        label = tr("Request id: {0}").format(request_id) if request_id else ""
        self.request_id_label.setText(label)
        self.request_id_label.setVisible(bool(request_id))
        self._copy_button.setVisible(bool(request_id))
        self.setCurrentWidget(self._error)
        self.retry_button.setFocus()

    def show_ready(self) -> None:
        self.setCurrentWidget(self.content)

    def _copy_request_id(self) -> None:
        if self._request_id:
            QGuiApplication.clipboard().setText(self._request_id)
