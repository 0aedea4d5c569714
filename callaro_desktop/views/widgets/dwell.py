"""A choice the user rests on: reported once the highlight has stayed on it for a moment.

The workspace switcher and the palette send a workspace's requests ahead while it is
highlighted (Session.anticipate). Key repeat (~30 ms a step) and typing (~100–200 ms between
keys) move the highlight on sooner than a hand about to press Enter or click rests on one,
so most of what the user passes over on the way is never asked for.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

#: How long the highlight must stay on one choice before it counts as the one in mind.
DWELL_MS = 100


class Dwell(QObject):
    """`consider(value)` on every move of the highlight; `settled(value)` once it rests."""

    settled = Signal(object)

    def __init__(self, parent: QObject | None = None, ms: int = DWELL_MS) -> None:
        super().__init__(parent)
        self._value: object | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(ms)
        self._timer.timeout.connect(self._fire)

    def consider(self, value: object | None) -> None:
        """The highlight moved to `value` (None: to nothing worth reporting)."""
        if value is None:
            self.cancel()
            return
        if value == self._value and self._timer.isActive():
            return  # (the same choice again: its moment keeps running)
        self._value = value
        self._timer.start()

    def cancel(self) -> None:
        self._value = None
        self._timer.stop()

    def _fire(self) -> None:
        value, self._value = self._value, None
        if value is not None:
            self.settled.emit(value)
