"""Copying a secret to the clipboard, and taking it back a minute later.

A copied API key must not outlive the paste it was copied for. `SecretClipboard.copy()`
puts the value on the clipboard and, after `clear_after_s`, clears the clipboard, but
only if it still holds that value: whatever the user copied since is theirs and stays.

While it waits the guard keeps a keyed digest of the value, never the value itself, so
the secret is not held in memory for that minute just to be compared. The clipboard
entry carries the hints password managers use, so clipboard-history tools (Klipper,
Windows clipboard history and cloud sync, macOS pasteboard managers) leave it out of
the history they write to disk.

The timer is injected (`schedule`) so tests can move a fake clock instead of waiting.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import hmac
import secrets
import sys
from collections.abc import Callable
from typing import Protocol

from pydantic import SecretStr
from PySide6.QtCore import QByteArray, QCoreApplication, QMimeData, QObject, QTimer, Signal
from PySide6.QtGui import QClipboard, QGuiApplication

CLEAR_AFTER_S = 60.0


class Cancellable(Protocol):
    def cancel(self) -> None: ...


Schedule = Callable[[float, Callable[[], None]], Cancellable]


class _QtTimer:
    """A cancellable single shot on the GUI thread's event loop."""

    def __init__(self, delay_s: float, callback: Callable[[], None]) -> None:
        self._timer = QTimer()
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(callback)
        self._timer.start(max(0, round(delay_s * 1000)))

    def cancel(self) -> None:
        self._timer.stop()


def qt_schedule(delay_s: float, callback: Callable[[], None]) -> Cancellable:
    return _QtTimer(delay_s, callback)


# Formats that tell clipboard managers "this is a password, do not keep it".
_DWORD_ZERO = b"\x00\x00\x00\x00"
_WINDOWS_HINTS = {
    # Qt maps application/x-qt-windows-mime;value="Name" to the registered format "Name".
    'application/x-qt-windows-mime;value="ExcludeClipboardContentFromMonitorProcessing"': (
        _DWORD_ZERO
    ),
    'application/x-qt-windows-mime;value="CanIncludeInClipboardHistory"': _DWORD_ZERO,
    'application/x-qt-windows-mime;value="CanUploadToCloudClipboard"': _DWORD_ZERO,
}


def secret_mime_data(value: str) -> QMimeData:
    mime = QMimeData()
    mime.setText(value)
    if sys.platform == "win32":
        for fmt, data in _WINDOWS_HINTS.items():
            mime.setData(fmt, QByteArray(data))
    elif sys.platform == "darwin":
        mime.setData("application/x-nspasteboard-concealed-type", QByteArray(b"secret"))
    else:
        mime.setData("x-kde-passwordManagerHint", QByteArray(b"secret"))
    return mime


class SecretClipboard(QObject):
    copied = Signal()
    cleared = Signal()  # the guard took the secret back off the clipboard

    def __init__(
        self,
        *,
        clear_after_s: float = CLEAR_AFTER_S,
        schedule: Schedule = qt_schedule,
        clipboard: QClipboard | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.clear_after_s = clear_after_s
        self._schedule = schedule
        self._clipboard = clipboard
        # A per-process key: the digest cannot be checked against a guessed key elsewhere.
        self._salt = secrets.token_bytes(32)
        self._digest: bytes | None = None
        self._pending: Cancellable | None = None

    def _board(self) -> QClipboard:
        return self._clipboard if self._clipboard is not None else QGuiApplication.clipboard()

    def _digest_of(self, text: str) -> bytes:
        return hmac.new(self._salt, text.encode("utf-8"), hashlib.sha256).digest()

    def copy(self, secret: SecretStr) -> None:
        """Put `secret` on the clipboard and schedule its removal."""
        value = secret.get_secret_value()
        mime = secret_mime_data(value)
        self._board().setMimeData(mime, QClipboard.Mode.Clipboard)
        _clear_before_python_exits(self._board(), mime)
        self._digest = self._digest_of(value)
        if self._pending is not None:
            self._pending.cancel()
        self._pending = self._schedule(self.clear_after_s, self._expire)
        self.copied.emit()

    def holds_secret(self) -> bool:
        """True while the clipboard still holds the value copied last."""
        if self._digest is None:
            return False
        current = self._board().text(QClipboard.Mode.Clipboard)
        return hmac.compare_digest(self._digest_of(current), self._digest)

    def clear_now(self) -> bool:
        """Clear the clipboard if it still holds our secret; True if it did."""
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        ours = self.holds_secret()
        self._digest = None
        if ours:
            self._board().clear(QClipboard.Mode.Clipboard)
            self.cleared.emit()
        return ours

    def _expire(self) -> None:
        self._pending = None
        self.clear_now()


_shared: SecretClipboard | None = None
_exit_hook_installed = False
_last_mime: list[tuple[QClipboard, QMimeData]] = []


def _clear_before_python_exits(board: QClipboard, mime: QMimeData) -> None:
    """Take our secret (and its QMimeData) off the clipboard while Python still runs.

    The mime data we hand the clipboard is a Python-wrapped object that Qt owns; Qt
    frees it in a C++ static destructor after Python has finalised, and freeing its
    wrapper then crashes the process. Quitting normally (aboutToQuit) is not the only
    way out — a test run or a signal ends without it — so an atexit hook does it too.
    """
    global _exit_hook_installed
    _last_mime[:] = [(board, mime)]
    if _exit_hook_installed:
        return
    _exit_hook_installed = True

    def clear() -> None:
        if _shared is not None:
            _shared.clear_now()
        if QCoreApplication.instance() is None or not _last_mime:
            return
        board, mime = _last_mime[0]
        # Only our own mime object is a problem (text copied later replaced and freed it);
        # anything else the user copied stays on the clipboard.
        with contextlib.suppress(RuntimeError):
            if board.mimeData(QClipboard.Mode.Clipboard) is mime:
                board.clear(QClipboard.Mode.Clipboard)
        _last_mime.clear()

    atexit.register(clear)


def secret_clipboard() -> SecretClipboard:
    """The app-wide guard; it outlives pages and dialogs, and clears at quit."""
    global _shared
    if _shared is None:
        app = QCoreApplication.instance()
        _shared = SecretClipboard(parent=app)
        if app is not None:
            app.aboutToQuit.connect(_shared.clear_now)
    return _shared
