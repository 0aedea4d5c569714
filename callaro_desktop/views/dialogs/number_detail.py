"""One phone number: what it is, where its calls go, and what can be done with it.

Writers change the label and the inbound agent (Save sends only what changed), activate a
pending number, resync it or every number with the providers, and release it. Release is
irreversible, so its confirmation names the number and the workspace and wants the number
typed. Readers see the same facts with nothing to press; the server refuses them anyway.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from callaro_desktop.api.client import UNSET
from callaro_desktop.api.errors import ApiError
from callaro_desktop.api.models import Agent, PhoneNumber, PhoneNumberStatus
from callaro_desktop.i18n import tr
from callaro_desktop.services.e164 import MAX_LABEL
from callaro_desktop.services.formatting import format_datetime, format_money
from callaro_desktop.services.permissions import Capability
from callaro_desktop.services.tasks import background
from callaro_desktop.views.dialogs.common import run_dialog, while_open
from callaro_desktop.views.dialogs.confirm import confirm
from callaro_desktop.views.dialogs.form import FormDialog, RetryButton
from callaro_desktop.views.pages.phone_numbers import (
    agent_text,
    connection_text,
    monospace,
    status_label,
    status_tone,
)
from callaro_desktop.views.widgets.badges import Pill, Tone

if TYPE_CHECKING:
    from callaro_desktop.api.client import TenantClient
    from callaro_desktop.services.session import Session


async def sync_all(session: Session, tenant_id: int | None = None) -> bool:
    """Ask the providers for every number's state; report in the message bar."""
    scope = session.scope(tenant_id)
    try:
        await session.call(scope.phone_numbers.sync)
    except ApiError as exc:
        session.messages.error(
            tr("Numbers could not be synced: {0}").format(exc.message), exc.request_id
        )
        return False
    session.messages.info(tr("All numbers were synced with their providers."))
    return True


class NumberDetailDialog(FormDialog):
    number_changed = Signal(object)  # PhoneNumber, after a save, activate or resync
    number_released = Signal(object)  # PhoneNumber, after a release
    all_synced = Signal()

    def __init__(
        self,
        session: Session,
        number: PhoneNumber,
        *,
        added: Sequence[PhoneNumber] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            session, tr("Phone number {0}").format(number.e164), tr("&Save"), parent=parent
        )
        self.setObjectName("NumberDetailDialog")
        self.setMinimumWidth(560)
        self.number = number
        self.released = False
        self.writer = session.can(Capability.PHONE_NUMBERS_WRITE)
        # Pinned at opening: every call goes to the workspace the number belongs to.
        self.tenant_id = session.tenant_id
        self.tenant_name = session.tenant.name if session.tenant else ""
        self.agents: list[Agent] = []
        self._busy = False

        self.layout_.insertWidget(0, self._build_header(added))
        self._build_facts()

        self.label_edit = QLineEdit(number.label or "")
        self.label_edit.setMaxLength(MAX_LABEL)
        self.label_edit.setPlaceholderText(tr("e.g. Sales, Main line"))
        self.label_edit.setAccessibleName(tr("Label"))
        self.add_field("label", tr("&Label"), self.label_edit)
        self.agent_combo = QComboBox()
        self.agent_combo.setAccessibleName(tr("Inbound agent"))
        self.agent_combo.setMinimumWidth(260)
        self._fill_agents([], loaded=False)
        self.retry_agents = RetryButton(tr("Retry loading agents"))
        self.retry_agents.clicked.connect(lambda: while_open(self, self.load_agents()))
        self.add_field(
            "inbound_agent",
            tr("Inbound &agent"),
            self.agent_combo,
            api_names=("inbound_agent_id",),
            help_text=tr("Answers the calls to this number. Only active agents are listed."),
            beside=self.retry_agents,
        )

        self.activate_button = QPushButton(tr("A&ctivate"))
        self.activate_button.setAccessibleName(tr("Activate this number"))
        self.activate_button.clicked.connect(lambda: background(self.activate()))
        self.resync_button = QPushButton(tr("&Resync"))
        self.resync_button.setAccessibleName(tr("Resync this number with its provider"))
        self.resync_button.clicked.connect(lambda: background(self.resync()))
        self.sync_all_button = QPushButton(tr("S&ync all"))
        self.sync_all_button.setAccessibleName(tr("Sync all numbers with their providers"))
        self.sync_all_button.clicked.connect(lambda: background(self.sync_all()))
        self.release_button = QPushButton(tr("R&elease…"))
        self.release_button.setAccessibleName(tr("Release this number"))
        self.release_button.setProperty("destructive", True)
        self.release_button.clicked.connect(lambda: background(self.release()))
        actions = QHBoxLayout()
        actions.addWidget(self.activate_button)
        actions.addWidget(self.resync_button)
        actions.addWidget(self.sync_all_button)
        actions.addStretch(1)
        actions.addWidget(self.release_button)
        self.actions_row = QWidget()
        self.actions_row.setLayout(actions)
        actions.setContentsMargins(0, 6, 0, 0)
        self.layout_.insertWidget(self.layout_.indexOf(self.general_error), self.actions_row)

        if not self.writer:
            # Readers get the label and the agent as facts, not as controls they cannot use.
            for widget in (self.label_edit, self.agent_combo):
                self._hide_field_rows(widget)
            self.label_edit.setReadOnly(True)
            self.agent_combo.setEnabled(False)
            self.actions_row.hide()
            self.submit_button.hide()
            self.buttons.removeButton(self.cancel_button)
            self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
            self.cancel_button.setAccessibleName(tr("Close"))
        self._show_number(number)
        if self.writer:
            self.label_edit.setFocus()
        else:
            self.cancel_button.setFocus()

    # -- building -------------------------------------------------------------------------

    def _build_header(self, added: Sequence[PhoneNumber]) -> QWidget:
        box = QWidget()
        lay = QVBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 6)
        lay.setSpacing(4)
        # (Children at once: they are made visible or not below, before they are laid out.)
        self.added_header = QLabel(tr("Number added"), self)
        self.added_header.setObjectName("StateTitle")
        self.added_header.setAccessibleName(tr("Number added"))
        self.added_note = QLabel(self)
        self.added_note.setWordWrap(True)
        self.added_note.setProperty("muted", True)
        if added:
            others = [n.e164 for n in added[1:]]
            note = tr("{0} is now in {1}.").format(added[0].e164, self.tenant_name)
            if others:
                note += " " + tr("Also added: {0}.").format(", ".join(others))
            self.added_note.setText(note)
        self.added_header.setVisible(bool(added))
        self.added_note.setVisible(bool(added))
        lay.addWidget(self.added_header)
        lay.addWidget(self.added_note)

        row = QHBoxLayout()
        self.number_label = QLabel()
        font = monospace(self.font())
        font.setPointSizeF(max(font.pointSizeF(), 9) * 1.5)
        font.setBold(True)
        self.number_label.setFont(font)
        self.number_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.number_label.setAccessibleName(tr("Number"))
        self.status_pill = Pill()
        self.twilio_pill = Pill(tr("Twilio"), Tone.ACCENT)
        self.twilio_pill.setToolTip(tr("Bought through Callaro and managed by Twilio"))
        row.addWidget(self.number_label)
        row.addSpacing(6)
        row.addWidget(self.status_pill, 0, Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(self.twilio_pill, 0, Qt.AlignmentFlag.AlignVCenter)
        row.addStretch(1)
        lay.addLayout(row)
        rule = QFrame()
        rule.setFrameShape(QFrame.Shape.HLine)
        rule.setFrameShadow(QFrame.Shadow.Plain)
        rule.setEnabled(False)
        lay.addWidget(rule)
        return box

    def _build_facts(self) -> None:
        self.facts: dict[str, QLabel] = {}
        for key, caption in (
            ("provider", tr("Provider")),
            ("label", tr("Name")),
            ("agent", tr("Inbound Agent")),
            ("created", tr("Created")),
            ("synced", tr("Last synced")),
            ("price", tr("Monthly price")),
        ):
            value = QLabel()
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setAccessibleName(caption)
            self.form.addRow(caption, value)
            self.facts[key] = value

    def _show_number(self, number: PhoneNumber) -> None:
        self.number = number
        tz = self.session.timezone
        self.number_label.setText(number.e164)
        self.status_pill.set(status_label(number.status), status_tone(number.status))
        self.twilio_pill.setVisible(number.platform_managed)
        self.facts["provider"].setText(connection_text(number))
        self.facts["agent"].setText(agent_text(number))
        self.facts["label"].setText(number.label or "—")
        self.facts["created"].setText(format_datetime(number.created_at, tz))
        self.facts["synced"].setText(format_datetime(number.last_synced_at, tz, never=tr("never")))
        price = number.monthly_price
        self.facts["price"].setText(
            tr("{0} a month, before GST").format(format_money(price)) if price else "—"
        )
        self.form.setRowVisible(self.facts["price"], price is not None)
        # Writers edit these two below; readers see them as facts.
        self.form.setRowVisible(self.facts["agent"], not self.writer)
        self.form.setRowVisible(self.facts["label"], not self.writer)
        self.activate_button.setVisible(number.status != PhoneNumberStatus.ACTIVE)

    def _hide_field_rows(self, widget: QWidget) -> None:
        """Hide a field added with add_field, with its hint and error rows."""
        error = next(e for w, e, _n in self.fields.values() if w is widget)
        rows = [
            r
            for r in range(self.form.rowCount())
            if (item := self.form.itemAt(r, QFormLayout.ItemRole.FieldRole)) is not None
            and item.widget() in (widget, error)
        ]
        for index in range(min(rows), max(rows) + 1):
            self.form.setRowVisible(index, False)

    def _fill_agents(self, agents: list[Agent], *, loaded: bool = True) -> None:
        current = self.number.inbound_agent
        combo = self.agent_combo
        combo.clear()
        combo.addItem(tr("Unassigned"), None)
        for agent in sorted(agents, key=lambda a: a.name.casefold()):
            if agent.active:
                combo.addItem(agent.name, agent.id)
        if current is not None and combo.findData(current.id) < 0:
            # Keep an agent that is no longer listed selectable, so Save never drops it silently.
            name = tr("{0} (not active)").format(current.name) if loaded else current.name
            combo.addItem(name, current.id)
        combo.setCurrentIndex(max(combo.findData(current.id if current else None), 0))

    # -- running ------------------------------------------------------------------------------

    async def run(self) -> Any:
        try:
            return await run_dialog(self)
        finally:
            self.deleteLater()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.writer and not self.agents:
            while_open(self, self.load_agents())

    def _scope(self) -> TenantClient:
        return self.session.scope(self.tenant_id)

    async def load_agents(self) -> None:
        error = self.fields["inbound_agent"][1]
        retrying = self.retry_agents.loading()
        error.set_error(None)
        self.agent_combo.setEnabled(False)
        self.agent_combo.setToolTip(tr("Loading agents…"))
        try:
            agents = await self.session.call(self._scope().agents.list)
        except ApiError as exc:
            self._agents_loaded()
            error.set_error(tr("Agents could not be loaded: {0}").format(exc.user_message()))
            self.retry_agents.failed(retrying)
            return
        # (Not in a `finally`: cancelled, the dialog is closed and its widgets may be gone.)
        self._agents_loaded()
        self.agents = agents
        self._fill_agents(agents)
        self.retry_agents.loaded(retrying, self.agent_combo)

    def _agents_loaded(self) -> None:
        self.agent_combo.setEnabled(self.writer)
        self.agent_combo.setToolTip("")

    # -- saving -----------------------------------------------------------------------------

    def _changes(self) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        label = self.label_edit.text().strip() or None
        if label != (self.number.label or None):
            changes["label"] = label
        agent_id = self.agent_combo.currentData()
        current = self.number.inbound_agent.id if self.number.inbound_agent else None
        if agent_id != current:
            changes["inbound_agent_id"] = agent_id
        return changes

    def has_changes(self) -> bool:
        return bool(self._changes())

    def payload(self) -> Any:
        return tuple(sorted(self._changes().items()))

    async def perform(self, idempotency_key: str) -> PhoneNumber:
        changes = self._changes()
        if not changes:
            return self.number
        updated = await self._scope().phone_numbers.update(
            self.number.id,
            label=changes.get("label", UNSET),
            inbound_agent_id=changes.get("inbound_agent_id", UNSET),
        )
        self._show_number(updated)
        self.number_changed.emit(updated)
        return updated

    # -- actions --------------------------------------------------------------------------

    def _set_actions_busy(self, busy: bool, text: str = "") -> None:
        self._busy = busy
        self.status.setText(text if busy else "")
        for button in (
            self.activate_button,
            self.resync_button,
            self.sync_all_button,
            self.release_button,
            self.submit_button,
        ):
            button.setEnabled(not busy)

    async def _action(self, busy_text: str, call: Callable[[], Awaitable[Any]]) -> bool:
        if self._busy:
            return False
        self.clear_errors()
        self._set_actions_busy(True, busy_text)
        try:
            await self.session.call(call)
        except ApiError as exc:
            self.general_error.setText(exc.user_message())
            self.general_error.show()
            return False
        finally:
            self._set_actions_busy(False)
        return True

    async def _refresh(self) -> None:
        number_id = self.number.id
        fresh = await self._scope().phone_numbers.get(number_id)
        self._show_number(fresh)
        self.number_changed.emit(fresh)

    async def _act_and_refresh(
        self, busy: str, done: str, call: Callable[[], Awaitable[Any]]
    ) -> bool:
        async def both() -> None:
            await call()
            await self._refresh()

        if not await self._action(busy, both):
            return False
        self.status.setText(done)
        return True

    async def activate(self) -> None:
        numbers, number_id = self._scope().phone_numbers, self.number.id
        await self._act_and_refresh(
            tr("Activating…"), tr("The number is active."), lambda: numbers.activate(number_id)
        )

    async def resync(self) -> None:
        numbers, number_id = self._scope().phone_numbers, self.number.id
        await self._act_and_refresh(
            tr("Resyncing with the provider…"),
            tr("Resynced with the provider."),
            lambda: numbers.resync(number_id),
        )

    async def sync_all(self) -> None:
        numbers = self._scope().phone_numbers
        if await self._act_and_refresh(
            tr("Syncing every number…"),
            tr("Every number was synced with its provider."),
            numbers.sync,
        ):
            self.all_synced.emit()

    async def release(self) -> None:
        number = self.number
        text = tr(
            "Release {0} from {1}?\n\nThe number goes back to the provider and stops taking "
            "calls at once. This is irreversible: you may never get the same number again."
        ).format(number.e164, self.tenant_name)
        agreed = await confirm(
            self,
            tr("Release phone number"),
            text,
            tr("&Release number"),
            type_to_confirm=number.e164,
        )
        if not agreed:
            return
        numbers = self._scope().phone_numbers
        if not await self._action(tr("Releasing…"), lambda: numbers.release(number.id)):
            return
        self.released = True
        self.number_released.emit(number)
        self.session.messages.info(tr("Released {0}.").format(number.e164))
        self.accept()
