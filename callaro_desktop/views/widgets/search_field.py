"""A list's search box: a clear button, and room for its whole placeholder.

A line edit asks for the width of 17 x's whatever it says, so "Search invitations…" was cut
short at the start of its row; this one asks for its placeholder's width (up to its maximum)
when that is wider. A narrow window may still give it less.
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QLineEdit, QStyle, QWidget

#: What QLineEdit's own size hint makes room for, in characters of "x".
_HINTED_CHARACTERS = 17


class SearchField(QLineEdit):
    def __init__(
        self,
        placeholder: str,
        accessible_name: str,
        *,
        widest: int = 320,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setPlaceholderText(placeholder)
        self.setAccessibleName(accessible_name)
        self.setClearButtonEnabled(True)
        self.setMaximumWidth(widest)

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        metrics = self.fontMetrics()
        # The frame and margins around the text (what the hint adds to its x's), and the
        # clear button's room at the right, which Qt keeps even while the button is hidden
        # but leaves out of the hint: an icon, 6 px around it, and a margin.
        chrome = hint.width() - metrics.horizontalAdvance("x") * _HINTED_CHARACTERS
        if self.isClearButtonEnabled():
            style = self.style()
            icon = style.pixelMetric(QStyle.PixelMetric.PM_LineEditIconSize, None, self)
            chrome += (
                icon + 6 + style.pixelMetric(QStyle.PixelMetric.PM_LineEditIconMargin, None, self)
            )
        wanted = chrome + metrics.horizontalAdvance(self.placeholderText()) + 2
        return QSize(max(hint.width(), min(wanted, self.maximumWidth())), hint.height())
