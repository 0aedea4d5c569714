"""A scroll area for pages whose content may outgrow the window."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QApplication, QFrame, QScrollArea, QWidget


class _FollowFocus(QObject):
    """Scrolls `area` to whichever of its content's widgets gets the keyboard focus."""

    def __init__(self, area: QScrollArea) -> None:
        super().__init__(area)
        self._area = area
        app = QApplication.instance()
        if isinstance(app, QApplication):
            # (A bound method of a child of the area: disconnected when the area goes.)
            app.focusChanged.connect(self.follow)

    def follow(self, _old: QWidget | None, now: QWidget | None) -> None:
        content = self._area.widget()
        if now is not None and content is not None and content.isAncestorOf(now):
            self._area.ensureWidgetVisible(now)


def scroll_area(content: QWidget) -> QScrollArea:
    """A frameless scroll area that shows the page's own background."""
    area = QScrollArea()
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidgetResizable(True)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(content)
    area.viewport().setAutoFillBackground(False)
    content.setAutoFillBackground(False)
    # Not a Tab stop of its own: it had no frame and no name, so Tab seemed to go nowhere.
    # Its content's controls are the stops, and it scrolls to each as it takes the focus
    # (Qt scrolls only for Tab pressed inside it, not for Shift+Tab from the toolbar into
    # its last control, nor a click or a shortcut).
    area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    _FollowFocus(area)
    return area
