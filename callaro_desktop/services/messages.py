"""One bridge for user-facing messages.

Services and pages report info, warnings and errors here instead of opening message
boxes; the shell's message bar listens and shows them without blocking anyone.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal


class Level(enum.Enum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True)
class Message:
    level: Level
    text: str
    request_id: str | None = None
    #: What the message's Retry does (what failed, asked for again); None: no Retry.
    retry: Callable[[], None] | None = None


class MessageBridge(QObject):
    posted = Signal(object)  # Message
    withdrawn = Signal(object)  # the retry of a message that no longer applies

    def info(self, text: str) -> None:
        self.posted.emit(Message(Level.INFO, text))

    def warning(self, text: str, request_id: str | None = None) -> None:
        self.posted.emit(Message(Level.WARNING, text, request_id))

    def error(
        self,
        text: str,
        request_id: str | None = None,
        *,
        retry: Callable[[], None] | None = None,
    ) -> None:
        self.posted.emit(Message(Level.ERROR, text, request_id, retry))

    def withdraw(self, retry: Callable[[], None]) -> None:
        """The message whose Retry is `retry` no longer applies: what it would ask for again
        is gone (the list it was for was loaded afresh, or is another workspace's now)."""
        self.withdrawn.emit(retry)
