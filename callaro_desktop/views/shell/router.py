"""Navigation with back/forward history, like a browser's.

The router only knows page ids; the main window decides how an id becomes a widget
and whether the current role may see it.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class Router(QObject):
    navigated = Signal(str)
    history_changed = Signal(bool, bool)  # can go back, can go forward

    def __init__(self, parent: QObject | None = None, limit: int = 100) -> None:
        super().__init__(parent)
        self._back: list[str] = []
        self._forward: list[str] = []
        self._current: str | None = None
        self._limit = limit

    @property
    def current(self) -> str | None:
        return self._current

    def go(self, page_id: str) -> None:
        if page_id == self._current:
            return
        if self._current is not None:
            self._back.append(self._current)
            del self._back[: -self._limit]
        self._forward.clear()
        self._set(page_id)

    def replace(self, page_id: str) -> None:
        """Show `page_id` without adding a history entry (e.g. a forced fallback)."""
        self._set(page_id)

    def back(self) -> bool:
        if not self._back:
            return False
        if self._current is not None:
            self._forward.append(self._current)
        self._set(self._back.pop())
        return True

    def forward(self) -> bool:
        if not self._forward:
            return False
        if self._current is not None:
            self._back.append(self._current)
        self._set(self._forward.pop())
        return True

    def forget(self, allowed: set[str]) -> None:
        """Drop history entries the current role may no longer open."""
        self._back = [p for p in self._back if p in allowed]
        self._forward = [p for p in self._forward if p in allowed]
        self.history_changed.emit(bool(self._back), bool(self._forward))

    def reset(self) -> None:
        self._back.clear()
        self._forward.clear()
        self._current = None
        self.history_changed.emit(False, False)

    def _set(self, page_id: str) -> None:
        self._current = page_id
        self.history_changed.emit(bool(self._back), bool(self._forward))
        self.navigated.emit(page_id)
