"""Pieces every dialog uses: awaiting a dialog, field error labels, busy submit."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QDialog, QLabel, QWidget

from callaro_desktop.services.tasks import background


class _WholeLines(QObject):
    """Keeps a window no shorter than its wrapped lines need at its width.

    A window's layout gives it a minimum height from its lines' one-line heights: a window
    made narrow, or a dialog that only just fits, then drew the lines of its hints and
    notes into each other. Its minimum height now follows its width (and so a window made
    narrower grows taller), as a wrapping text's must.
    """

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Resize, QEvent.Type.LayoutRequest) and isinstance(
            watched, QWidget
        ):
            layout = watched.layout()
            if layout is not None and layout.hasHeightForWidth():
                need = max(
                    layout.totalHeightForWidth(watched.width()),
                    layout.totalMinimumSize().height(),
                )
                if watched.minimumHeight() != need:
                    watched.setMinimumHeight(need)
        return False


def keep_wrapped_lines_whole(window: QWidget) -> None:
    """See _WholeLines; once per window."""
    if window.findChild(_WholeLines) is None:
        window.installEventFilter(_WholeLines(window))


async def run_dialog(dialog: QDialog) -> int:
    """Show `dialog` window-modally with open() and await its result.

    QDialog.exec would start a nested event loop inside the running qasync loop;
    open() plus a future keeps one loop and lets other tasks carry on.
    """
    future: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    def done(result: int) -> None:
        if not future.done():
            future.set_result(result)

    dialog.finished.connect(done)
    keep_wrapped_lines_whole(dialog)
    dialog.open()
    try:
        return await future
    finally:
        dialog.finished.disconnect(done)


def while_open(dialog: QDialog, work: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
    """Run `work` (what the dialog loads for itself) only as long as `dialog` is open.

    Closed before it is done, the dialog is deleted, and work that carried on found its
    widgets gone ("Internal C++ object already deleted", logged as a failure): Esc on a
    number while its agents loaded, or on Add phone number while its connections did."""
    task = background(work)
    dialog.finished.connect(lambda _result: task.cancel())
    return task


class FieldError(QLabel):
    """The red line under a field that explains what is wrong with it."""

    def __init__(self, buddy: QWidget | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("fieldError", True)
        self.setWordWrap(True)
        self.hide()
        self._buddy = buddy
        if buddy is not None:
            self.setAccessibleName(buddy.accessibleName() + " error")

    def set_error(self, text: str | None) -> None:
        self.setText(text or "")
        self.setVisible(bool(text))
        if self._buddy is not None:
            self._buddy.setAccessibleDescription(text or "")
