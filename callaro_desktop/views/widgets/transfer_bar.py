"""A download or export in progress, shown in a page's header: what, how far, Cancel.

The job runs as a background task the bar owns. Cancel stops it (the job cleans up its
partial file); a failure stays on the bar with the request id and a Retry that runs the
same job again, so nothing modal interrupts the page and nothing fails silently.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from callaro_desktop.api.errors import ApiError, with_request_id
from callaro_desktop.i18n import tr
from callaro_desktop.services.tasks import background

Progress = Callable[[int, int | None], None]
Job = Callable[[Progress], Awaitable[str]]


class TransferBar(QWidget):
    succeeded = Signal(str)  # the job's own "done" sentence

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.label.setProperty("muted", True)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(160)
        self.bar.setTextVisible(False)
        self.bar.setAccessibleName(tr("Progress"))
        self.cancel_button = QPushButton(tr("Cancel"))
        self.cancel_button.setAccessibleName(tr("Cancel transfer"))
        self.cancel_button.clicked.connect(self.cancel)
        self.retry_button = QPushButton(tr("Retry"))
        self.retry_button.setAccessibleName(tr("Retry transfer"))
        self.retry_button.clicked.connect(self.retry)
        self.copy_button = QPushButton(tr("Copy request id"))
        self.copy_button.setAccessibleName(tr("Copy request id"))
        self.copy_button.clicked.connect(self._copy_request_id)
        self.dismiss_button = QPushButton(tr("Dismiss"))
        self.dismiss_button.setAccessibleName(tr("Dismiss transfer error"))
        self.dismiss_button.clicked.connect(self.hide)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        row.addWidget(self.label, 1)
        for widget in (
            self.bar,
            self.cancel_button,
            self.retry_button,
            self.copy_button,
            self.dismiss_button,
        ):
            row.addWidget(widget)
        self.task: asyncio.Task[None] | None = None
        self.request_id: str | None = None
        self._job: tuple[str, Job] | None = None
        self.hide()

    @property
    def busy(self) -> bool:
        return self.task is not None and not self.task.done()

    def run(self, text: str, job: Job) -> asyncio.Task[None]:
        """Start `job(progress)`; `text` says what is happening ("Downloading CAL-1…")."""
        self.cancel()
        self._job = (text, job)
        self.task = background(self._run(text, job))
        return self.task

    def retry(self) -> None:
        if self._job is not None:
            self.run(*self._job)

    def cancel(self) -> None:
        if self.task is not None and not self.task.done():
            self.task.cancel()

    def set_progress(self, done: int, total: int | None) -> None:
        if total:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
        else:
            self.bar.setRange(0, 0)

    async def _run(self, text: str, job: Job) -> None:
        self._show_busy(text)
        try:
            done = await job(self.set_progress)
        except asyncio.CancelledError:
            self.hide()
            raise
        except ApiError as exc:
            self._show_failure(
                tr("{0} failed: {1}").format(text, exc.user_message(reference=False)),
                exc.request_id,
            )
            return
        except OSError as exc:
            self._show_failure(tr("{0} failed: {1}").format(text, exc.strerror or str(exc)), None)
            return
        self.hide()
        self.succeeded.emit(done)

    def _show_busy(self, text: str) -> None:
        self.label.setText(text)
        self.label.setProperty("fieldError", False)
        self._repolish()
        self.bar.setRange(0, 0)
        self.bar.show()
        self.cancel_button.show()
        for widget in (self.retry_button, self.copy_button, self.dismiss_button):
            widget.hide()
        self.show()

    def _show_failure(self, text: str, request_id: str | None) -> None:
        self.request_id = request_id
        self.label.setText(with_request_id(text, request_id, tr("{0} (request id {1})")))
        self.label.setProperty("fieldError", True)
        self._repolish()
        self.bar.hide()
        self.cancel_button.hide()
        self.retry_button.show()
        self.copy_button.setVisible(bool(request_id))
        self.dismiss_button.show()
        self.show()
        self.retry_button.setFocus()

    def _repolish(self) -> None:
        self.label.style().unpolish(self.label)
        self.label.style().polish(self.label)

    def _copy_request_id(self) -> None:
        if self.request_id:
            QGuiApplication.clipboard().setText(self.request_id)
