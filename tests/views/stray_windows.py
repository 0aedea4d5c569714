"""Catches the console making a widget visible before it has a parent.

Such a widget is a window of its own: the desktop shows it (a small frameless window, a
taskbar entry) until it is put in its place, and its paint requests then bypass the main
window's. Each page's subtitle did that once, the lists' search boxes, a dialog's intro and
a pill built with its text. Only the console's own calls count: a test may show a widget
alone on purpose. Seen as the Show event such a window gets, which Qt sends from inside the
call that made it visible, so the Python frame below the filter's is that call's.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication, QDialog, QMainWindow, QMenu, QWidget

_MEANT_AS_WINDOWS = (QDialog, QMainWindow, QMenu)
_WINDOW_KINDS = {
    Qt.WindowType.Dialog,
    Qt.WindowType.Sheet,
    Qt.WindowType.Drawer,
    Qt.WindowType.Popup,
    Qt.WindowType.Tool,
    Qt.WindowType.ToolTip,
    Qt.WindowType.SplashScreen,
}


class _ShownAlone(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.Show
            and isinstance(watched, QWidget)
            and watched.parentWidget() is None
            and not isinstance(watched, _MEANT_AS_WINDOWS)
            and watched.windowType() not in _WINDOW_KINDS
        ):
            caller = sys._getframe(1)
            where = caller.f_code.co_filename
            if "callaro_desktop" in where:
                short = where[where.index("callaro_desktop") :]
                self.found.append(f"{type(watched).__name__} at {short}:{caller.f_lineno}")
        return False


@contextmanager
def stray_windows(app: QApplication) -> Iterator[list[str]]:
    """While open, every widget the console made visible without a parent, as
    "Class at file:line" of the call."""
    watch = _ShownAlone()
    app.installEventFilter(watch)
    try:
        yield watch.found
    finally:
        app.removeEventFilter(watch)
