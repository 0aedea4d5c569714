"""A non-modal strip above the page for info, warnings and errors.

Info fades by itself; warnings and errors stay until dismissed, and carry the
request id so a user can quote it to support.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget

from callaro_desktop.api.errors import with_request_id
from callaro_desktop.i18n import tr
from callaro_desktop.services.messages import Level, Message

INFO_TIMEOUT_MS = 6000


class MessageBar(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("MessageBar")
        self.setAccessibleName(tr("Messages"))
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._copy = QToolButton()
        self._copy.setText(tr("Copy request id"))
        self._copy.setAccessibleName(tr("Copy request id"))
        self._copy.clicked.connect(self._copy_request_id)
        self.retry_button = QToolButton()
        self.retry_button.setText(tr("Retry"))
        self.retry_button.setAccessibleName(tr("Retry what failed"))
        self.retry_button.clicked.connect(self._retry)
        self._close = QToolButton()
        self._close.setText("✕")
        self._close.setToolTip(tr("Dismiss"))
        self._close.setAccessibleName(tr("Dismiss message"))
        self._close.clicked.connect(self.hide)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 6, 6, 6)
        row.addWidget(self.text, 1)
        row.addWidget(self.retry_button)
        row.addWidget(self._copy)
        row.addWidget(self._close)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)
        self._request_id: str | None = None
        self.current: Message | None = None
        self.hide()

    def show_message(self, message: Message) -> None:
        self.current = message
        self._request_id = message.request_id
        text = message.text
        self.text.setText(with_request_id(text, message.request_id, tr("{0} (request id {1})")))
        self._copy.setVisible(bool(message.request_id))
        self.retry_button.setVisible(message.retry is not None)
        self.setProperty("level", message.level.value)
        self.style().unpolish(self)
        self.style().polish(self)
        self.show()
        if message.level is Level.INFO:
            self._timer.start(INFO_TIMEOUT_MS)
        else:
            self._timer.stop()

    def withdraw(self, retry: object) -> None:
        if self.current is not None and self.current.retry == retry:
            self.hide()

    def _retry(self) -> None:
        message = self.current
        self.hide()
        if message is not None and message.retry is not None:
            message.retry()

    def _copy_request_id(self) -> None:
        if self._request_id:
            QGuiApplication.clipboard().setText(self._request_id)
