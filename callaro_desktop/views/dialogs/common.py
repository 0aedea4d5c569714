"""Pieces every dialog uses: awaiting a dialog, field error labels, busy submit."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Protocol, runtime_checkable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QDialog, QLabel, QWidget

from callaro_desktop.services.tasks import background


@runtime_checkable
class HoldsWork(Protocol):
    """A dialog the user may have put work into: a form typed in, a file of invitations
    checked or being sent. The console asks before it closes one for them (quitting, even
    from another window; signing out; the computer's session ending)."""

    def holds_work(self) -> bool:
        """Whether closing it now would lose something of the user's."""
        ...

    async def may_close(self) -> bool:
        """Ask, if it holds work, whether it may close (and stop what it was doing): True
        to go on and close it, False to stay."""
        ...

    def close_unasked(self) -> None:
        """Close it now (once `may_close` said so, or when nothing is held)."""
        ...

    def raise_(self) -> None:
        """(QWidget's: in front of its window, to be asked about.)"""
        ...


# Dialogs whose close question is open: a second ask (Esc again, a quit from another
# window) waits on that answer instead of stacking a second question.
_ASKING: weakref.WeakSet[HoldsWork] = weakref.WeakSet()


async def asked_to_close(dialog: HoldsWork, question: Callable[[], Awaitable[bool]]) -> bool:
    """`may_close`: True when `dialog` holds nothing of the user's; else it is raised and
    `question` asked, and False while its question is already open (that answer decides)."""
    if not dialog.holds_work():
        return True
    if dialog in _ASKING:
        return False
    dialog.raise_()
    _ASKING.add(dialog)
    try:
        return await question()
    finally:
        _ASKING.discard(dialog)


def asking_to_close(dialog: HoldsWork) -> bool:
    """Whether `dialog`'s close question (asked_to_close) is open."""
    return dialog in _ASKING


def close_when_allowed(dialog: HoldsWork, close: Callable[[], object] | None = None) -> None:
    """Esc, Cancel, Close, the title bar's close: `close` (the dialog's `close_unasked` by
    default) at once when it holds nothing of the user's, else once `may_close` says so."""
    close = close or dialog.close_unasked
    if not dialog.holds_work():
        close()
        return

    async def ask() -> None:
        if await dialog.may_close():
            close()

    background(ask())


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
