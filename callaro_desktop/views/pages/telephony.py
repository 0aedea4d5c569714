"""Connectivity → Telephony: the provider connections phone numbers run on.

Admins create, edit, test and delete connections; Operators may look but not touch
(the role matrix, section 9). A test shows its result and latency in a notice above the
list; a delete the server refuses because numbers still use the connection says how
many, in words, in the same place.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from callaro_desktop.api.errors import ApiError, Conflict
from callaro_desktop.api.models import TelephonyConnection
from callaro_desktop.i18n import tr
from callaro_desktop.services.permissions import Capability
from callaro_desktop.services.tasks import background
from callaro_desktop.views.dialogs.confirm import confirm
from callaro_desktop.views.pages.list_page import ListPage, when_column
from callaro_desktop.views.pages.phone_numbers import provider_label
from callaro_desktop.views.widgets.badges import PILL_ROLE, Pill, Tone
from callaro_desktop.views.widgets.lazy_table import Column

if TYPE_CHECKING:
    from callaro_desktop.api.client import TenantClient
    from callaro_desktop.services.session import Session

_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def number_in_words(n: int) -> str:
    """'twelve', 'forty-eight'; past ninety-nine the digits read better than the words."""
    if 0 <= n < 20:
        return _ONES[n]
    if 20 <= n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")
    return f"{n:,}"


def numbers_in_words(n: int) -> str:
    """'one phone number', 'twelve phone numbers'."""
    noun = tr("phone number") if n == 1 else tr("phone numbers")
    return f"{number_in_words(n)} {noun}"


class Notice(QFrame):
    """A dismissible line above the list: a test's result, a refused delete."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        self.pill = Pill()
        self.title = QLabel()
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.request_id = QLabel()
        self.request_id.setObjectName("RequestId")
        self.request_id.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.dismiss = QPushButton(tr("Dismiss"))
        self.dismiss.setAccessibleName(tr("Dismiss notice"))
        self.dismiss.clicked.connect(self.hide)
        words = QVBoxLayout()
        words.setSpacing(2)
        words.addWidget(self.title)
        words.addWidget(self.text)
        words.addWidget(self.request_id)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(14, 10, 10, 10)
        lay.addWidget(self.pill, 0, Qt.AlignmentFlag.AlignTop)
        lay.addSpacing(6)
        lay.addLayout(words, 1)
        lay.addWidget(self.dismiss, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_notice(
        self,
        badge: str,
        tone: Tone,
        title: str,
        text: str = "",
        request_id: str | None = None,
    ) -> None:
        self.pill.set(badge, tone)
        self.title.setText(title)
        self.text.setText(text)
        self.text.setVisible(bool(text))
        self.request_id.setText(tr("Request id: {0}").format(request_id) if request_id else "")
        self.request_id.setVisible(bool(request_id))
        self.dismiss.setVisible(tone != Tone.NEUTRAL)
        self.setAccessibleName(f"{badge}: {title}")
        self.setAccessibleDescription(text)
        self.show()


class TelephonyPage(ListPage[TelephonyConnection]):
    page_id = "telephony"

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.table.horizontalHeader().resizeSection(0, 240)
        self.table.horizontalHeader().resizeSection(2, 110)  # Status: its pills, whole
        self.table.activated.connect(self._on_activated)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_controls())
        self.model.modelReset.connect(self._update_controls)

        self.new_button = QPushButton(tr("&New connection"))
        self.new_button.setAccessibleName(tr("New connection"))
        self.new_button.setToolTip(tr("Connect a Twilio, Exotel or mCube account or a SIP trunk"))
        self.new_button.setProperty("primary", True)  # the page's main action, as on the others
        self.new_button.clicked.connect(self.open_primary_action)
        self.actions_bar.addWidget(self.new_button)
        shortcut = QShortcut(QKeySequence.StandardKey.New, self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.open_primary_action)
        self.states.empty_action_triggered.connect(self.open_primary_action)

        self.open_button = QPushButton(tr("&Edit…"))
        self.open_button.clicked.connect(lambda: self._on_selected(self.edit))
        self.test_button = QPushButton(tr("&Test connection"))
        self.test_button.setAccessibleName(tr("Test connection"))
        self.test_button.clicked.connect(lambda: self._on_selected(self.test))
        self.delete_button = QPushButton(tr("&Delete…"))
        self.delete_button.setAccessibleName(tr("Delete connection"))
        self.delete_button.setProperty("destructive", True)
        self.delete_button.clicked.connect(lambda: self._on_selected(self.delete))
        for button in (self.open_button, self.test_button, self.delete_button):
            self.filters.addWidget(button)

        self.notice = Notice()
        body = self.body.layout()
        if isinstance(body, QVBoxLayout):
            body.insertWidget(1, self.notice)
        self.session.tenant_changed.connect(lambda _t: self._on_tenant_changed())
        self._update_controls()

    @classmethod
    def title(cls) -> str:
        return tr("Telephony")

    @classmethod
    def subtitle(cls) -> str:
        return tr("Connections to telephony providers that your phone numbers use.")

    def columns(self) -> Sequence[Column[TelephonyConnection]]:
        tz = self.session_timezone
        centred = Qt.AlignmentFlag.AlignCenter
        return [
            Column(tr("Name"), lambda c: c.name),
            Column(tr("Provider"), lambda c: provider_label(c.provider)),
            Column(
                tr("Status"),
                lambda c: tr("Active") if c.active else tr("Inactive"),
                extra_roles={PILL_ROLE: lambda c: Tone.SUCCESS if c.active else Tone.NEUTRAL},
            ),
            Column(
                tr("Numbers using it"),
                lambda c: "—" if c.numbers_count is None else f"{c.numbers_count:,}",
                align=centred,
            ),
            when_column(tr("Created"), lambda c: c.created_at, tz),
        ]

    async def load_all(self, scope: TenantClient) -> list[TelephonyConnection]:
        return await scope.telephony_connections.list()

    def empty_title(self) -> str:
        return tr("No telephony connections yet")

    def empty_text(self) -> str:
        return tr(
            "Connect a Twilio, Exotel or mCube account, or a SIP trunk, before adding numbers."
        )

    def show_empty_state(self, data: Any) -> None:
        writer = self.session.can(Capability.TELEPHONY_WRITE)
        action = tr("New connection") if writer else None
        self.states.show_empty(self.empty_title(), self.empty_text(), action)

    def activate(self) -> None:
        self._update_controls()
        super().activate()

    # -- actions ----------------------------------------------------------------------------

    def open_primary_action(self) -> None:
        if self.session.can(Capability.TELEPHONY_WRITE):
            background(self.edit(None))

    async def edit(self, connection: TelephonyConnection | None) -> TelephonyConnection | None:
        from callaro_desktop.views.dialogs.telephony_connection import ConnectionDialog

        dialog = ConnectionDialog(self.session, connection, parent=self)
        saved = await dialog.run()
        if saved is None:
            return None
        verb = tr("Saved") if connection is not None else tr("Created")
        self.session.messages.info(tr("{0} “{1}”.").format(verb, saved.name))
        self.reload()
        return saved

    async def test(self, connection: TelephonyConnection) -> None:
        api = self.session.scope().telephony_connections
        self.test_button.setEnabled(False)
        self.notice.show_notice(
            tr("Testing"), Tone.NEUTRAL, tr("Testing “{0}”…").format(connection.name)
        )
        try:
            result = await self.session.call(lambda: api.test(connection.id))
        except ApiError as exc:
            self.notice.show_notice(
                tr("Error"),
                Tone.DANGER,
                tr("“{0}” could not be tested").format(connection.name),
                exc.message,
                exc.request_id,
            )
            return
        finally:
            self._update_controls()
        if result.latency_ms is None:
            latency = tr("the provider was not reached")
        else:
            latency = tr("{0} ms").format(f"{round(result.latency_ms):,}")
        if result.ok:
            badge, tone = tr("Passed"), Tone.SUCCESS
            title = tr("“{0}” works — {1}").format(connection.name, latency)
        else:
            badge, tone = tr("Failed"), Tone.DANGER
            title = tr("“{0}” failed — {1}").format(connection.name, latency)
        self.notice.show_notice(badge, tone, title, result.detail or "")

    async def delete(self, connection: TelephonyConnection) -> bool:
        tenant = self.session.tenant.name if self.session.tenant else ""
        agreed = await confirm(
            self,
            tr("Delete telephony connection"),
            tr(
                "Delete the connection “{0}” ({1}) from {2}? Its stored credentials are "
                "erased and it cannot be undone."
            ).format(connection.name, provider_label(connection.provider), tenant),
            tr("&Delete connection"),
        )
        if not agreed:
            return False
        api = self.session.scope().telephony_connections
        try:
            await self.session.call(lambda: api.delete(connection.id))
        except Conflict as exc:
            count = exc.details.get("numbers_count")
            if isinstance(count, int) and count > 0:
                uses = tr("still uses it") if count == 1 else tr("still use it")
                text = tr("{0} {1}. Release them, or move them to another connection, first.")
                text = text.format(numbers_in_words(count).capitalize(), uses)
            else:
                text = exc.message
            self.notice.show_notice(
                tr("Not deleted"),
                Tone.DANGER,
                tr("“{0}” is still in use").format(connection.name),
                text,
                exc.request_id,
            )
            return False
        except ApiError as exc:
            self.notice.show_notice(
                tr("Not deleted"),
                Tone.DANGER,
                tr("“{0}” could not be deleted").format(connection.name),
                exc.message,
                exc.request_id,
            )
            return False
        self.notice.hide()
        self.session.messages.info(tr("Deleted “{0}”.").format(connection.name))
        self.reload()
        return True

    # -- internals --------------------------------------------------------------------------

    def _on_tenant_changed(self) -> None:
        self.notice.hide()
        self._update_controls()

    def _update_controls(self) -> None:
        writer = self.session.can(Capability.TELEPHONY_WRITE)
        selected = self.selected() is not None
        self.new_button.setVisible(writer)
        self.test_button.setVisible(writer)
        self.delete_button.setVisible(writer)
        self.open_button.setText(tr("&Edit…") if writer else tr("&View…"))
        self.open_button.setAccessibleName(
            tr("Edit connection") if writer else tr("View connection")
        )
        for button in (self.open_button, self.test_button, self.delete_button):
            button.setEnabled(selected)

    def _on_activated(self, index: QModelIndex) -> None:
        connection = self.model.row_at(index.row())
        if connection is not None:
            background(self.edit(connection))

    def _on_selected(
        self, action: Callable[[TelephonyConnection], Coroutine[Any, Any, object]]
    ) -> None:
        connection = self.selected()
        if connection is not None:
            background(action(connection))
