"""One line of the users' data that is cut short (…) rather than widening its page.

A name or an email can be long with nowhere to wrap (a person with no display name shows as
their email): a plain label asks for its whole width, and a card or a form holding it then
reached past the right edge of a narrow window, cut off there. This label accepts less room
and draws its text cut short to it; the whole text stays its text (for screen readers, copy
and tests) and shows on hover.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QHelpEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QToolTip, QWidget

#: Characters it keeps, at the least, before the "…".
MIN_CHARACTERS = 6


class ElidedLabel(QLabel):
    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        shortest = self.fontMetrics().horizontalAdvance(self.text()[:MIN_CHARACTERS] + "…")
        margins = self.contentsMargins()
        width = shortest + margins.left() + margins.right() + 2 * max(self.margin(), 0)
        return QSize(min(hint.width(), width), hint.height())

    def is_cut(self) -> bool:
        """Whether the text is drawn cut short for want of room."""
        return self.fontMetrics().horizontalAdvance(self.text()) > self.contentsRect().width()

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self.is_cut():
            super().paintEvent(event)
            return
        rect = self.contentsRect()
        metrics = self.fontMetrics()
        shown = metrics.elidedText(self.text(), Qt.TextElideMode.ElideRight, rect.width())
        painter = QPainter(self)
        self.style().drawItemText(
            painter,
            rect,
            int(self.alignment()),
            self.palette(),
            self.isEnabled(),
            shown,
            self.foregroundRole(),
        )

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and self.is_cut() and isinstance(event, QHelpEvent):
            tip = self.toolTip()
            whole = self.text() if not tip or tip == self.text() else f"{self.text()}\n{tip}"
            QToolTip.showText(event.globalPos(), whole, self)
            return True
        return super().event(event)
