"""Small building blocks for summary pages: a card with a caption and a big value."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget


class StatCard(QFrame):
    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        self.caption = QLabel(caption)
        self.caption.setProperty("muted", True)
        self.value = QLabel("—")
        font = self.value.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.value.setFont(font)
        self.detail = QLabel()
        self.detail.setProperty("muted", True)
        self.detail.setWordWrap(True)
        self.detail.hide()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 14, 16, 14)
        lay.addWidget(self.caption)
        lay.addWidget(self.value)
        lay.addWidget(self.detail)
        self.setAccessibleName(caption)

    def set(self, value: str, detail: str | None = None) -> None:
        self.value.setText(value)
        self.detail.setText(detail or "")
        self.detail.setVisible(bool(detail))
        self.setAccessibleDescription(f"{value} {detail or ''}".strip())


class Card(QFrame):
    """A titled panel; put anything in `.layout_`."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        self.title = QLabel(title)
        self.title.setObjectName("StateTitle")
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(18, 16, 18, 16)
        self.layout_.addWidget(self.title)
        self.layout_.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.setAccessibleName(title)
