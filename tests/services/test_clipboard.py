"""SecretClipboard: the copied key leaves the clipboard after the timeout, and nothing else does."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator

import pytest
from pydantic import SecretStr
from PySide6.QtGui import QClipboard, QGuiApplication
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from callaro_desktop.services.clipboard import (
    CLEAR_AFTER_S,
    SecretClipboard,
    secret_mime_data,
)

SECRET = SecretStr("sk_live_" + "0123456789abcdef" * 2 + "01234567")


class FakeClock:
    """Stands in for the timer: time moves only when a test says so."""

    def __init__(self) -> None:
        self.now = 0.0
        self.pending: list[FakeClock.Handle] = []

    class Handle:
        def __init__(self, due: float, callback: Callable[[], None]) -> None:
            self.due = due
            self.callback = callback
            self.cancelled = False

        def cancel(self) -> None:
            self.cancelled = True

    def schedule(self, delay_s: float, callback: Callable[[], None]) -> FakeClock.Handle:
        handle = FakeClock.Handle(self.now + delay_s, callback)
        self.pending.append(handle)
        return handle

    def advance(self, seconds: float) -> None:
        self.now += seconds
        for handle in [h for h in self.pending if h.due <= self.now]:
            self.pending.remove(handle)
            if not handle.cancelled:
                handle.callback()

    @property
    def live(self) -> list[FakeClock.Handle]:
        return [h for h in self.pending if not h.cancelled]


@pytest.fixture
def board(qapp: QApplication) -> Iterator[QClipboard]:
    clipboard = QGuiApplication.clipboard()
    clipboard.clear()
    yield clipboard
    clipboard.clear()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def guard(board: QClipboard, clock: FakeClock) -> SecretClipboard:
    return SecretClipboard(schedule=clock.schedule, clipboard=board)


def test_the_key_is_cleared_after_the_timeout_and_not_before(
    guard: SecretClipboard, board: QClipboard, clock: FakeClock
) -> None:
    cleared: list[bool] = []
    guard.cleared.connect(lambda: cleared.append(True))
    guard.copy(SECRET)
    assert board.text() == SECRET.get_secret_value()
    assert guard.holds_secret()
    assert [h.due for h in clock.live] == [CLEAR_AFTER_S]

    clock.advance(CLEAR_AFTER_S - 1)
    assert board.text() == SECRET.get_secret_value()
    clock.advance(1)
    assert board.text() == ""
    assert cleared == [True]
    assert not guard.holds_secret()


def test_something_copied_since_is_left_alone(
    guard: SecretClipboard, board: QClipboard, clock: FakeClock
) -> None:
    guard.copy(SECRET)
    board.setText("the user's own text")
    clock.advance(CLEAR_AFTER_S)
    assert board.text() == "the user's own text"


def test_copying_again_restarts_the_minute(
    guard: SecretClipboard, board: QClipboard, clock: FakeClock
) -> None:
    guard.copy(SECRET)
    clock.advance(40)
    guard.copy(SECRET)
    clock.advance(30)  # 70 s after the first copy, 30 s after the second
    assert board.text() == SECRET.get_secret_value()
    clock.advance(30)
    assert board.text() == ""
    assert clock.live == []


def test_clear_now_takes_only_our_value(
    guard: SecretClipboard, board: QClipboard, clock: FakeClock
) -> None:
    guard.copy(SECRET)
    assert guard.clear_now() is True
    assert board.text() == ""
    assert clock.live == []
    board.setText("other")
    assert guard.clear_now() is False
    assert board.text() == "other"


def test_the_guard_does_not_keep_the_secret(guard: SecretClipboard) -> None:
    guard.copy(SECRET)
    value = SECRET.get_secret_value()
    for held in vars(guard).values():
        if isinstance(held, str):
            assert value not in held
        elif isinstance(held, bytes):
            assert value.encode() not in held


def test_clipboard_managers_are_told_it_is_a_password(qapp: QApplication) -> None:
    mime = secret_mime_data("sk_live_whatever_secret")
    assert mime.text() == "sk_live_whatever_secret"
    formats = mime.formats()
    if sys.platform == "win32":
        assert any("CanIncludeInClipboardHistory" in f for f in formats)
    elif sys.platform == "darwin":
        assert "application/x-nspasteboard-concealed-type" in formats
    else:
        assert "x-kde-passwordManagerHint" in formats
        assert bytes(mime.data("x-kde-passwordManagerHint").data()) == b"secret"


def test_the_real_timer_fires(board: QClipboard, qtbot: QtBot) -> None:
    guard = SecretClipboard(clear_after_s=0.05, clipboard=board)
    with qtbot.waitSignal(guard.cleared, timeout=5000):
        guard.copy(SECRET)
    assert board.text() == ""
