"""Connectivity → Phone numbers: every number of the workspace, where its calls go, and how it
got here.

The list pages from the server like Users (a tenant can hold thousands), filtered by
status and sorted by the column header on the server. Writers (Capability
PHONE_NUMBERS_WRITE) get "Add number" and "Sync all"; everyone can open a number, and
its dialog decides what the role may change.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QFont, QFontDatabase, QFontMetrics, QKeySequence, QShortcut
from PySide6.QtWidgets import QComboBox, QLabel, QPushButton, QWidget

from callaro_desktop.api.models import PhoneNumber, PhoneNumberStatus, Provider
from callaro_desktop.api.pages import Pager
from callaro_desktop.i18n import tr
from callaro_desktop.services.permissions import Capability
from callaro_desktop.services.tasks import background
from callaro_desktop.views.pages.list_page import ListPage, when_column
from callaro_desktop.views.widgets.badges import (
    BADGES_ROLE,
    PILL_ROLE,
    BadgeDelegate,
    Tone,
    pill_size,
    small_font,
)
from callaro_desktop.views.widgets.column_fit import restoring
from callaro_desktop.views.widgets.lazy_table import Column

if TYPE_CHECKING:
    from callaro_desktop.api.client import TenantClient
    from callaro_desktop.services.session import Session

PROVIDER_LABELS = {
    Provider.TWILIO: "Twilio",
    Provider.EXOTEL: "Exotel",
    Provider.MCUBE: "mCube",
    Provider.SIP: "SIP",
}

STATUS_TONES = {
    PhoneNumberStatus.ACTIVE: Tone.SUCCESS,
    PhoneNumberStatus.PENDING: Tone.WARNING,
    PhoneNumberStatus.INACTIVE: Tone.NEUTRAL,
}


def provider_label(provider: Provider) -> str:
    return PROVIDER_LABELS.get(provider, provider.value)


def status_label(status: PhoneNumberStatus) -> str:
    labels = {
        PhoneNumberStatus.ACTIVE: tr("Active"),
        PhoneNumberStatus.INACTIVE: tr("Inactive"),
        PhoneNumberStatus.PENDING: tr("Pending"),
    }
    return labels.get(status, tr("Unknown"))


def status_tone(status: PhoneNumberStatus) -> Tone:
    return STATUS_TONES.get(status, Tone.NEUTRAL)


def connection_text(number: PhoneNumber) -> str:
    """'Twilio production · Twilio': the connection's name, then its provider."""
    c = number.telephony_connection
    return f"{c.name} · {provider_label(c.provider)}" if c else "—"


def agent_text(number: PhoneNumber) -> str:
    return number.inbound_agent.name if number.inbound_agent else tr("Unassigned")


def number_badges(number: PhoneNumber) -> list[tuple[str, Tone]]:
    # "Twilio" marks the numbers Callaro bought and manages; owned numbers carry none.
    return [(tr("Twilio"), Tone.ACCENT)] if number.platform_managed else []


def monospace(base: QFont | None = None) -> QFont:
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    # Where the platform names no fixed font, the hint still picks a monospaced one.
    font.setStyleHint(QFont.StyleHint.Monospace)
    font.setFixedPitch(True)
    if base is not None and base.pointSizeF() > 0:
        font.setPointSizeF(base.pointSizeF())
    return font


class PhoneNumbersPage(ListPage[PhoneNumber]):
    page_id = "phone_numbers"
    search_placeholder = tr("Search numbers…")
    firm_columns = (0,)  # the number and its badge, whole

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        # Only the badge columns are painted in Python; the rest keep Qt's own painting.
        self.table.setItemDelegateForColumn(0, BadgeDelegate(self.table, font=self._mono))
        header = self.table.horizontalHeader()
        # The longest number E.164 allows and its badge, so that at the default window size
        # every column fits (a wider Number column clipped Created behind a scroll bar).
        longest = QFontMetrics(self._mono).horizontalAdvance("+" + "0" * 15)
        badge = pill_size(tr("Twilio"), small_font(self.table.font()), small=True).width()
        header.resizeSection(0, longest + badge + 30)
        header.resizeSection(1, 110)
        header.resizeSection(3, 190)
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(5, Qt.SortOrder.DescendingOrder)
        header.sortIndicatorChanged.connect(self._on_sort)
        self.table.activated.connect(self._on_activated)

        status_label_ = QLabel(tr("&Status:"))
        self.status_filter = QComboBox()
        self.status_filter.setAccessibleName(tr("Status filter"))
        self.status_filter.addItem(tr("All statuses"), None)
        for status in (
            PhoneNumberStatus.ACTIVE,
            PhoneNumberStatus.PENDING,
            PhoneNumberStatus.INACTIVE,
        ):
            self.status_filter.addItem(status_label(status), status.value)
        status_label_.setBuddy(self.status_filter)
        self.status_filter.currentIndexChanged.connect(lambda _i: self.reload())
        self.filters.addSpacing(8)
        self.filters.addWidget(status_label_)
        self.filters.addWidget(self.status_filter)

        self.sync_button = QPushButton(tr("S&ync all"))
        self.sync_button.setAccessibleName(tr("Sync all numbers with their providers"))
        self.sync_button.setToolTip(tr("Ask every provider for the numbers' current state"))
        self.sync_button.clicked.connect(lambda: background(self.sync_all()))
        self.add_button = QPushButton(tr("&Add number"))
        self.add_button.setAccessibleName(tr("Add number"))
        self.add_button.setProperty("primary", True)
        self.add_button.setToolTip(tr("Buy a number from Twilio or add numbers you own (Ctrl+N)"))
        self.add_button.clicked.connect(self.open_primary_action)
        self.actions_bar.addWidget(self.sync_button)
        self.actions_bar.addWidget(self.add_button)
        shortcut = QShortcut(QKeySequence.StandardKey.New, self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.open_primary_action)
        self.states.empty_action_triggered.connect(self.open_primary_action)
        self.session.tenant_changed.connect(lambda _t: self._update_controls())
        self._update_controls()

    @classmethod
    def title(cls) -> str:
        return tr("Phone numbers")

    @classmethod
    def subtitle(cls) -> str:
        return tr("The numbers your agents answer and call from, and where their calls go.")

    def columns(self) -> Sequence[Column[PhoneNumber]]:
        tz = self.session_timezone
        mono = self._mono = monospace(self.font())
        return [
            Column(
                tr("Number"),
                lambda n: n.e164,
                "e164",
                extra_roles={
                    int(Qt.ItemDataRole.FontRole): lambda _n: mono,
                    BADGES_ROLE: number_badges,
                    int(Qt.ItemDataRole.AccessibleTextRole): lambda n: (
                        f"{n.e164}, {tr('managed by Twilio')}" if n.platform_managed else n.e164
                    ),
                },
            ),
            Column(
                tr("Status"),
                lambda n: status_label(n.status),
                "status",
                extra_roles={PILL_ROLE: lambda n: status_tone(n.status)},
            ),
            Column(tr("Inbound Agent"), agent_text, "inbound_agent"),
            Column(tr("Provider"), connection_text, "provider"),
            Column(tr("Name"), lambda n: n.label or "—", "label"),
            when_column(tr("Created"), lambda n: n.created_at, tz, "created_at"),
        ]

    def pager(self, scope: TenantClient, search: str | None) -> Pager[PhoneNumber]:
        return scope.phone_numbers.list(
            search=search, status=self.status_filter.currentData(), sort=self.sort, per_page=100
        )

    def empty_title(self) -> str:
        return tr("No phone numbers yet")

    def empty_text(self) -> str:
        if self.session.can(Capability.PHONE_NUMBERS_WRITE):
            return tr("Buy a number from Twilio or add numbers you already own.")
        return tr("Someone who can manage numbers in this workspace can add them.")

    def is_empty(self, data: Any) -> bool:
        # A filter with no hits is not an empty workspace: keep the table and its filters.
        return super().is_empty(data) and self.status_filter.currentData() is None

    def show_empty_state(self, data: Any) -> None:
        action = tr("Add number") if self.session.can(Capability.PHONE_NUMBERS_WRITE) else None
        self.states.show_empty(self.empty_title(), self.empty_text(), action)

    def activate(self) -> None:
        self._update_controls()
        super().activate()

    # -- actions ----------------------------------------------------------------------------

    def open_primary_action(self) -> None:
        if self.session.can(Capability.PHONE_NUMBERS_WRITE):
            background(self.add_number())

    async def add_number(self) -> None:
        from callaro_desktop.views.dialogs.add_number import AddNumberDialog

        dialog = AddNumberDialog(self.session, parent=self)
        added = await dialog.run()
        if not added:
            return
        self.reload()
        await self.open_number(added[0], added=added)

    async def open_number(self, number: PhoneNumber, *, added: Sequence[PhoneNumber] = ()) -> None:
        from callaro_desktop.views.dialogs.number_detail import NumberDetailDialog

        dialog = NumberDetailDialog(self.session, number, added=added, parent=self)
        dialog.number_changed.connect(self._replace)
        dialog.number_released.connect(self._remove)
        dialog.all_synced.connect(self.reload)
        await dialog.run()

    async def sync_all(self) -> None:
        from callaro_desktop.views.dialogs.number_detail import sync_all

        self.sync_button.setEnabled(False)
        try:
            await sync_all(self.session)
        finally:
            self._update_controls()
        self.reload()

    # -- internals --------------------------------------------------------------------------

    def _update_controls(self) -> None:
        writer = self.session.can(Capability.PHONE_NUMBERS_WRITE)
        self.add_button.setVisible(writer)
        self.sync_button.setVisible(writer)
        self.sync_button.setEnabled(True)

    def _on_sort(self, section: int, order: Qt.SortOrder) -> None:
        if restoring(self.table.horizontalHeader()):
            return
        if self.model.column(section).sort_key is not None:
            self.reload()

    @property
    def sort(self) -> str | None:
        """The order asked of the server: the one the header shows, which a workspace's
        remembered view puts there quietly (show_sort, restore_layout)."""
        header = self.table.horizontalHeader()
        section = header.sortIndicatorSection()
        key = self.model.column(section).sort_key if 0 <= section < header.count() else None
        if key is None:
            return None
        return key if header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder else f"-{key}"

    def _on_activated(self, index: QModelIndex) -> None:
        number = self.model.row_at(index.row())
        if number is not None:
            background(self.open_number(number))

    def _row_of(self, number_id: int) -> int | None:
        return next((i for i, n in enumerate(self.model.rows) if n.id == number_id), None)

    def _replace(self, number: PhoneNumber) -> None:
        row = self._row_of(number.id)
        if row is not None:
            self.model.replace_row(row, number)

    def _remove(self, number: PhoneNumber) -> None:
        row = self._row_of(number.id)
        if row is not None:
            self.model.remove_row(row)
            self._show_count(self.model.total)


__all__ = [
    "PhoneNumbersPage",
    "agent_text",
    "connection_text",
    "monospace",
    "number_badges",
    "provider_label",
    "status_label",
    "status_tone",
]
