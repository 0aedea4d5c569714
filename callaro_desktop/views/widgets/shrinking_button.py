"""A toolbar button whose name is cut short (…) rather than pushed off the toolbar.

A toolbar that runs out of room moves whole buttons into its » overflow: with a long
workspace or account name in a narrow window, the workspace chip and the account menu went
there, and the user no longer saw which workspace they were acting on. This button asks for
the room of its whole text but accepts less, down to a few characters of its name, and cuts
the name to the width it gets; the rest of its text (a role, the arrow) is never cut, and
the whole text is on hover.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QSizePolicy, QToolButton, QWidget

from callaro_desktop.views.widgets.literal import literal

ARROW = "  ▾"


class ShrinkingToolButton(QToolButton):
    #: Characters of the name kept, at the least, when the toolbar is short of room.
    MIN_NAME_CHARACTERS = 8

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._name = ""
        self._rest = ""
        self._tip = ""
        # The toolbar's layout asks both size hints many times a switch, each hint measures
        # two or three texts, and every measure is a trip into Qt: kept per font.
        self._widths: dict[str, int] = {}
        # (A tool button's is Fixed: its whole size hint, or the toolbar's overflow.)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def set_name(self, name: str, detail: str = "", *, arrow: bool = True, tip: str = "") -> None:
        """Show `name` (cut short when need be), then `detail` and the menu arrow (never
        cut); `tip` is the tooltip, under the whole text when the name is cut."""
        self._name = name
        self._rest = literal(detail) + (ARROW if arrow else "")
        self._tip = tip
        self._fit_text()
        self.updateGeometry()

    def is_name_cut(self) -> bool:
        """Whether the name is shown cut short (…) for want of room."""
        return self.text() != self._full()

    def _full(self) -> str:
        return literal(self._name) + self._rest

    def _text_width(self, text: str) -> int:
        width = self._widths.get(text)
        if width is None:
            if len(self._widths) > 64:  # names of workspaces come and go: keep it small
                self._widths.clear()
            width = self.fontMetrics().size(Qt.TextFlag.TextShowMnemonic, text).width()
            self._widths[text] = width
        return width

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._widths.clear()
        super().changeEvent(event)

    def _width_for(self, text: str) -> int:
        # A tool button's size hint is the style's room around the text it shows plus that
        # text: the same room around another text.
        return super().sizeHint().width() - self._text_width(self.text()) + self._text_width(text)

    def sizeHint(self) -> QSize:
        return QSize(self._width_for(self._full()), super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:
        shortest = literal(self._name[: self.MIN_NAME_CHARACTERS]) + "…" + self._rest
        hint = self.sizeHint()
        return QSize(min(hint.width(), self._width_for(shortest)), hint.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_text()

    def _fit_text(self) -> None:
        full = self._full()
        room = self.width() - (self._width_for(full) - self._text_width(full))
        shown = full
        # (Hidden or not: a toolbar lays its buttons out before the window is first shown,
        # and the size it gives then is the size they are shown at.)
        if self._text_width(full) > room:
            name = self.fontMetrics().elidedText(
                self._name, Qt.TextElideMode.ElideRight, max(0, room - self._text_width(self._rest))
            )
            shown = literal(name) + self._rest
        if shown != self.text():
            self.setText(shown)
        if shown == full:
            self.setToolTip(self._tip)
        else:
            whole = (self._name + self._rest.removesuffix(ARROW)).replace("&&", "&")
            self.setToolTip(f"{whole}\n{self._tip}" if self._tip else whole)
