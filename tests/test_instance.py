"""instance.py in one process: the running console's side on this thread, a second start's
on another (tests/reliability/test_second_start.py runs two real processes)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from callaro_desktop import instance, paths

OTHER_SERVER = "https://staging.callaro.test"


def test_a_console_busy_for_a_moment_is_asked_once(
    qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The running console's GUI thread is busy (a long layout, a slow disk) when a second
    start asks it to open a window for another server. The start used to give up on that
    question after 2 s and send it again; the console, free again, read both and opened two
    windows for the server."""
    monkeypatch.setenv(paths.HOME_ENV, str(tmp_path))
    lock = instance.claim(demo=False)
    assert lock is not None
    asked: list[str | None] = []
    handed: list[instance.Lock | bool] = []
    try:
        lock.listen(asked.append)
        second = threading.Thread(
            target=lambda: handed.append(instance.take_or_hand_over(False, OTHER_SERVER))
        )
        second.start()
        time.sleep(2.5)  # busy: no events handled
        deadline = time.monotonic() + 10
        while second.is_alive() and time.monotonic() < deadline:
            qapp.processEvents()
            second.join(0.01)
        for _ in range(20):  # anything still queued for the console is read now
            qapp.processEvents()
            time.sleep(0.01)
    finally:
        lock.release()
    assert handed == [True]
    assert asked == [OTHER_SERVER]


def test_a_console_that_never_answers_is_given_up_on(
    qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Asked but frozen: the start says so once its wait is over, and asked only once."""
    monkeypatch.setenv(paths.HOME_ENV, str(tmp_path))
    lock = instance.claim(demo=False)
    assert lock is not None
    asked: list[str | None] = []
    try:
        lock.listen(asked.append)
        started = time.monotonic()
        assert instance.take_or_hand_over(False, OTHER_SERVER, wait_ms=700) is False
        took = time.monotonic() - started
        for _ in range(20):
            qapp.processEvents()
            time.sleep(0.01)
    finally:
        lock.release()
    assert took < 5, "it waited past its own wait"
    assert asked == [OTHER_SERVER]
