"""Getting started: the onboarding checklist, "X of Y steps" with a progress bar."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel, QProgressBar, QVBoxLayout, QWidget

from callaro_desktop.api.models import Checklist
from callaro_desktop.i18n import tr
from callaro_desktop.views.pages.base import Page
from callaro_desktop.views.widgets.cards import Card

if TYPE_CHECKING:
    from callaro_desktop.api.client import TenantClient
    from callaro_desktop.services.session import Session


class GettingStartedPage(Page):
    page_id = "getting_started"

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.progress_text = QLabel()
        self.progress_text.setObjectName("StateTitle")
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress.setAccessibleName(tr("Checklist progress"))
        self.checklist = Card(tr("View checklist"))
        self._steps = QVBoxLayout()
        self._steps.setSpacing(10)
        self.checklist.layout_.addLayout(self._steps)
        lay = QVBoxLayout(self.body)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.progress_text)
        lay.addWidget(self.progress)
        lay.addSpacing(8)
        lay.addWidget(self.checklist)
        lay.addStretch(1)

    @classmethod
    def title(cls) -> str:
        return tr("Getting started")

    @classmethod
    def subtitle(cls) -> str:
        return tr("Steps complete by themselves when Callaro sees them done.")

    async def fetch(self, scope: TenantClient) -> Checklist:
        return await scope.onboarding.checklist()

    def present(self, data: Checklist) -> None:
        self.progress_text.setText(
            tr("{0} of {1} steps").format(data.completed_count, data.total_count)
        )
        self.progress.setRange(0, max(1, data.total_count))
        self.progress.setValue(data.completed_count)
        self.progress.setAccessibleDescription(self.progress_text.text())
        while self._steps.count():
            item = self._steps.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for step in data.steps:
            mark = "✓" if step.completed else "○"
            required = "" if step.required else tr(" (optional)")
            label = QLabel(f"<b>{mark} {step.title}</b>{required}<br>{step.description or ''}")
            label.setWordWrap(True)
            label.setAccessibleName(
                f"{step.title}: {tr('done') if step.completed else tr('not done')}"
            )
            self._steps.addWidget(label)
