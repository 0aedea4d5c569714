"""Getting started: the onboarding checklist, "X of Y steps", a progress bar, "Go" buttons.

Steps complete on the server when it sees the thing done (an invitation exists, a key
exists...), so the page only has to look again: when it becomes visible, and every
minute while it is on screen (the timer stops when the page is hidden). Those quiet
checks keep what is drawn if they fail; only a first load shows the error state.

Each step's "Go" opens the page that completes it and, through the pages'
`open_primary_action()` convention, that page's dialog (Invite a teammate opens Users
and its invite dialog).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QHideEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from callaro_desktop.api.errors import ApiError
from callaro_desktop.api.models import Checklist, ChecklistStep
from callaro_desktop.i18n import tr
from callaro_desktop.services.formatting import format_datetime
from callaro_desktop.services.permissions import ROLE_LABELS, Capability
from callaro_desktop.services.tasks import background
from callaro_desktop.views import theme
from callaro_desktop.views.dialogs.confirm import confirm
from callaro_desktop.views.pages.base import Page
from callaro_desktop.views.widgets.cards import Card
from callaro_desktop.views.widgets.scroll import scroll_area

if TYPE_CHECKING:
    from callaro_desktop.api.client import TenantClient
    from callaro_desktop.services.session import Session

REFRESH_INTERVAL_MS = 60_000


# -- going to another page -------------------------------------------------------------------


@runtime_checkable
class Navigator(Protocol):
    """What a page needs of the main window to send the user elsewhere."""

    def navigate(self, page_id: str) -> None: ...
    def current_page(self) -> Page | None: ...


def open_page(widget: QWidget, page_id: str, *, primary_action: bool = False) -> bool:
    """Show `page_id` in `widget`'s window and optionally start its main task.

    False when the page did not open (hidden for this role, or the user kept unsaved
    edits on the current page).
    """
    window = widget.window()
    if not isinstance(window, Navigator):
        return False
    window.navigate(page_id)
    page = window.current_page()
    if page is None or page.page_id != page_id:
        return False
    if primary_action:
        page.open_primary_action()
    return True


@dataclass(frozen=True)
class StepTarget:
    page_id: str
    capability: Capability
    action: str  # what "Go" does, for its tooltip


def step_targets() -> dict[str, StepTarget]:
    return {
        "invite_teammate": StepTarget(
            "users", Capability.USERS, tr("Open Users and invite a teammate")
        ),
        "create_api_key": StepTarget(
            "api_keys", Capability.API_KEYS, tr("Open API keys and create a key")
        ),
        "add_phone_number": StepTarget(
            "phone_numbers", Capability.PHONE_NUMBERS_WRITE, tr("Open Phone numbers and add one")
        ),
        "set_timezone": StepTarget(
            "profile", Capability.PROFILE, tr("Open My Profile and choose your timezone")
        ),
    }


# -- words shared with the Dashboard card ------------------------------------------------------


def progress_text(data: Checklist) -> str:
    return tr("{0} of {1} steps").format(data.completed_count, data.total_count)


def required_left(data: Checklist) -> list[ChecklistStep]:
    return [s for s in data.steps if s.required and not s.completed]


def next_step_text(data: Checklist) -> str:
    left = required_left(data)
    if left:
        return tr("Next: {0}").format(left[0].title)
    open_steps = [s for s in data.steps if not s.completed]
    if open_steps:
        return tr("Required steps done. Optional: {0}").format(open_steps[0].title)
    return tr("Every step is done.")


def make_progress_bar(name: str) -> QProgressBar:
    bar = QProgressBar()
    bar.setTextVisible(False)
    bar.setFixedHeight(10)
    bar.setAccessibleName(name)
    return bar


def show_progress(bar: QProgressBar, data: Checklist) -> None:
    bar.setRange(0, max(1, data.total_count))
    bar.setValue(min(data.completed_count, max(1, data.total_count)))
    bar.setAccessibleDescription(progress_text(data))


# -- one step --------------------------------------------------------------------------------


class StepMark(QWidget):
    """A round marker: the step's number while open, a tick once done."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedSize(QSize(30, 30))
        self.number = 1
        self.done = False

    def set_state(self, number: int, done: bool) -> None:
        self.number, self.done = number, done
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        tokens = theme.tokens()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(1.5, 1.5, -1.5, -1.5)
        if self.done:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(tokens.success))
            painter.drawEllipse(rect)
            pen = QPen(self.palette().color(QPalette.ColorRole.HighlightedText), 2.4)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            painter.setPen(pen)
            w, h = rect.width(), rect.height()
            x, y = rect.x(), rect.y()
            painter.drawPolyline(
                [
                    QPointF(x + w * 0.28, y + h * 0.52),
                    QPointF(x + w * 0.44, y + h * 0.68),
                    QPointF(x + w * 0.72, y + h * 0.36),
                ]
            )
        else:
            painter.setPen(QPen(QColor(tokens.border), 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(rect)
            painter.setPen(QColor(tokens.muted_text))
            font = QFont(self.font())
            font.setBold(True)
            painter.setFont(font)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, str(self.number))
        painter.end()


class Separator(QWidget):
    """A hairline in the theme's border colour (QFrame.HLine paints in near-black)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedHeight(1)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(theme.tokens().border))
        painter.end()


class StepRow(QFrame):
    go_requested = Signal(str)  # the step's key

    def __init__(self, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.setObjectName(f"Step_{key}")
        self.mark = StepMark()
        self.title = QLabel()
        title_font = QFont(self.title.font())
        title_font.setBold(True)
        self.title.setFont(title_font)
        self.description = QLabel()
        self.description.setWordWrap(True)
        self.description.setProperty("muted", True)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.go_button = QPushButton(tr("Go"))
        self.go_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.go_button.setMinimumWidth(72)
        self.go_button.clicked.connect(lambda: self.go_requested.emit(self.key))

        texts = QVBoxLayout()
        texts.setSpacing(2)
        texts.addWidget(self.title)
        texts.addWidget(self.description)
        texts.addWidget(self.status)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 10, 0, 10)
        row.setSpacing(14)
        row.addWidget(self.mark, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(texts, 1)
        row.addWidget(self.go_button, 0, Qt.AlignmentFlag.AlignVCenter)

    def show_step(
        self,
        number: int,
        step: ChecklistStep,
        timezone: str,
        target: StepTarget | None,
        allowed: bool,
        role: str,
    ) -> None:
        self.mark.set_state(number, step.completed)
        self.title.setText(step.title)
        self.description.setText(step.description or "")
        self.description.setVisible(bool(step.description))
        need = tr("Required") if step.required else tr("Optional")
        if step.completed:
            when = format_datetime(step.completed_at, timezone) if step.completed_at else ""
            done = tr("Done on {0}").format(when) if when else tr("Done")
            self.status.setText(f"{need}  ·  {done}")
            self.status.setProperty("state", "ok")
            self.status.setProperty("muted", False)
        else:
            self.status.setText(f"{need}  ·  {tr('Not done yet')}")
            self.status.setProperty("state", None)
            self.status.setProperty("muted", True)
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        state = tr("done") if step.completed else tr("not done")
        self.setAccessibleName(f"{step.title}: {state}")
        self.setAccessibleDescription(f"{step.description or ''} {self.status.text()}".strip())
        self.go_button.setVisible(target is not None)
        self.go_button.setEnabled(target is not None and allowed)
        self.go_button.setAccessibleName(tr("Go: {0}").format(step.title))
        if target is not None and allowed:
            self.go_button.setToolTip(target.action)
        elif target is not None:
            self.go_button.setToolTip(
                tr("Your role ({0}) cannot do this; ask a Tenant Admin.").format(role)
            )


# -- the page --------------------------------------------------------------------------------


class GettingStartedPage(Page):
    page_id = "getting_started"

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self._data: Checklist | None = None
        self._rows: dict[str, StepRow] = {}
        self._dismissing = False

        self.dismiss_button = QPushButton(tr("&Dismiss checklist"))
        self.dismiss_button.setAccessibleName(tr("Dismiss checklist"))
        self.dismiss_button.setEnabled(False)
        self.dismiss_button.clicked.connect(lambda: background(self.dismiss()))
        self.actions_bar.addWidget(self.dismiss_button)

        progress = Card(tr("Progress"))
        progress.title.hide()
        self.progress_text = QLabel()
        self.progress_text.setObjectName("StateTitle")
        self.progress_text.setAccessibleName(tr("Checklist progress"))
        self.percent = QLabel()
        self.percent.setProperty("muted", True)
        top = QHBoxLayout()
        top.addWidget(self.progress_text)
        top.addStretch(1)
        top.addWidget(self.percent)
        self.progress = make_progress_bar(tr("Checklist progress"))
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName(tr("Checklist status"))
        self.dismiss_error = QLabel()
        self.dismiss_error.setProperty("fieldError", True)
        self.dismiss_error.setWordWrap(True)
        self.dismiss_error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.dismiss_error.setAccessibleName(tr("Dismiss error"))
        self.dismiss_error.hide()
        self.checked = QLabel()
        self.checked.setProperty("muted", True)
        self.checked.setWordWrap(True)
        progress.layout_.addLayout(top)
        progress.layout_.addWidget(self.progress)
        progress.layout_.addSpacing(4)
        progress.layout_.addWidget(self.summary)
        progress.layout_.addWidget(self.dismiss_error)
        progress.layout_.addWidget(self.checked)

        self.checklist = Card(tr("Checklist"))
        self.checklist.setAccessibleName(tr("View checklist"))
        self._steps = QVBoxLayout()
        self._steps.setSpacing(0)
        self.checklist.layout_.addLayout(self._steps)

        content = QWidget()
        lay = QVBoxLayout(content)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(14)
        lay.addWidget(progress)
        lay.addWidget(self.checklist)
        lay.addStretch(1)
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.addWidget(scroll_area(content))

        self.refresh_timer = QTimer(self)
        self.refresh_timer.setInterval(REFRESH_INTERVAL_MS)
        self.refresh_timer.timeout.connect(self.refresh)
        session.me_changed.connect(self._redraw)

    @classmethod
    def title(cls) -> str:
        return tr("Getting started")

    @classmethod
    def subtitle(cls) -> str:
        return tr("Steps complete by themselves when Callaro sees them done.")

    # -- Page -------------------------------------------------------------------------------

    async def fetch(self, scope: TenantClient) -> Checklist:
        return await scope.onboarding.checklist()

    def is_empty(self, data: Checklist) -> bool:
        return not data.steps

    def show_empty_state(self, data: Checklist) -> None:
        self.states.show_empty(
            tr("No checklist for this workspace"),
            tr("Callaro has no setup steps to suggest here."),
        )

    def loads_when_shown(self) -> bool:
        return not self.retired  # (activate looks again each time)

    def activate(self) -> None:
        # Becoming visible again is one of the moments a step may have completed.
        if self._shows_current_tenant():
            self.refresh()
        else:
            super().activate()

    def _shows_current_tenant(self) -> bool:
        return (
            self._data is not None
            and self._loaded_for is not None
            and self._loaded_for == self.session.tenant_id
            and self.states.state in ("ready", "empty")
        )

    def refresh(self) -> None:
        """Look again without disturbing the page; a failure keeps what is drawn."""
        tenant_id = self.session.tenant_id
        if tenant_id is None:
            return
        if not self._shows_current_tenant():
            # Another workspace's checklist must not stay on screen while this one loads.
            self.reload()
            return
        self.session.tasks.run((self.page_id, tenant_id), self._refresh(tenant_id))

    async def _refresh(self, tenant_id: int) -> None:
        try:
            data = await self.session.call(
                lambda: self.fetch(self.session.scope(tenant_id)), load=(self.page_id, tenant_id)
            )
        except asyncio.CancelledError:
            raise
        except ApiError as exc:
            if self.session.tenant_id == tenant_id:
                self.checked.setText(
                    tr("Could not check for changes: {0}").format(exc.user_message())
                )
            return
        if self.session.tenant_id == tenant_id:
            self.present(data)
            if self.is_empty(data):
                self.show_empty_state(data)
            else:
                self.states.show_ready()

    def present(self, data: Checklist) -> None:
        self._data = data
        self._draw(data)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh_timer.start()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self.refresh_timer.stop()

    # -- drawing ----------------------------------------------------------------------------

    def _redraw(self, _me: object) -> None:
        if self._data is not None:
            self._draw(self._data)

    def _draw(self, data: Checklist) -> None:
        self.progress_text.setText(progress_text(data))
        percent = round(100 * data.completed_count / data.total_count) if data.total_count else 0
        self.percent.setText(tr("{0}% complete").format(percent))
        show_progress(self.progress, data)
        self.summary.setText(self._summary(data))
        now = format_datetime(datetime.now(UTC), self.session_timezone())
        self.checked.setText(
            tr("Checked {0}. This page looks again every minute while it is open.").format(now)
        )
        self._draw_steps(data)
        self._update_dismiss(data)

    def _summary(self, data: Checklist) -> str:
        left = required_left(data)
        if data.dismissed:
            return tr(
                "Dismissed: the checklist no longer shows on the Dashboard. "
                "Steps still complete here."
            )
        if left:
            names = ", ".join(s.title for s in left)
            if len(left) == 1:
                return tr("1 required step left: {0}.").format(names)
            return tr("{0} required steps left: {1}.").format(len(left), names)
        if self.session.can(Capability.ONBOARDING_DISMISS):
            return tr("All required steps are done. You can dismiss the checklist.")
        return tr("All required steps are done.")

    def _draw_steps(self, data: Checklist) -> None:
        keys = [s.key for s in data.steps]
        if keys != list(self._rows):
            # Different steps: rebuild. The same steps update in place, so a periodic
            # refresh never steals keyboard focus from a "Go" button.
            while self._steps.count():
                item = self._steps.takeAt(0)
                widget = item.widget() if item is not None else None
                if widget is not None:
                    widget.deleteLater()
            self._rows = {}
            for i, key in enumerate(keys):
                if i:
                    self._steps.addWidget(Separator())
                row = StepRow(key)
                row.go_requested.connect(self.go)
                self._steps.addWidget(row)
                self._rows[key] = row
        targets = step_targets()
        role = ROLE_LABELS.get(self.session.role or "", self.session.role or "")
        for number, step in enumerate(data.steps, start=1):
            target = targets.get(step.key)
            allowed = target is not None and self.session.can(target.capability)
            self._rows[step.key].show_step(
                number, step, self.session_timezone(), target, allowed, tr(role)
            )

    def _update_dismiss(self, data: Checklist) -> None:
        may = self.session.can(Capability.ONBOARDING_DISMISS)
        enabled = may and data.dismissible and not data.dismissed and not self._dismissing
        self.dismiss_button.setEnabled(enabled)
        if data.dismissed:
            tip = tr("The checklist is already dismissed.")
        elif not may:
            tip = tr("Only a Tenant Admin can dismiss the checklist.")
        elif not data.dismissible:
            tip = tr("Finish the required steps first.")
        else:
            tip = tr("Hide the checklist from the Dashboard.")
        self.dismiss_button.setToolTip(tip)

    # -- actions ----------------------------------------------------------------------------

    def go(self, key: str) -> None:
        target = step_targets().get(key)
        if target is not None and self.session.can(target.capability):
            open_page(self, target.page_id, primary_action=True)

    async def dismiss(self) -> None:
        tenant = self.session.tenant
        if tenant is None or self._dismissing:
            return
        sure = await confirm(
            self,
            tr("Dismiss checklist"),
            tr(
                "Dismiss the Getting started checklist for {0}? It will no longer show on "
                "the Dashboard; this page keeps it."
            ).format(tenant.name),
            tr("Dismiss checklist"),
            destructive=False,
        )
        if not sure or self.session.tenant_id != tenant.id:
            return
        self._dismissing = True
        self.dismiss_button.setEnabled(False)
        self.dismiss_error.hide()
        try:
            await self.session.call(lambda: self.session.scope(tenant.id).onboarding.dismiss())
        except ApiError as exc:
            text = tr("The checklist was not dismissed: {0}").format(
                exc.user_message(reference=False)
            )
            if self.session.tenant_id == tenant.id:
                self.dismiss_error.setText(text)
                self.dismiss_error.show()
            self.session.messages.error(text, exc.request_id)
        else:
            self.session.messages.info(
                tr("Checklist dismissed for {0}. It no longer shows on the Dashboard.").format(
                    tenant.name
                )
            )
        finally:
            self._dismissing = False
        if self.session.tenant_id == tenant.id:
            self.refresh()
