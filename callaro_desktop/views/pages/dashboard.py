"""Dashboard, the landing page: a card per question an admin opens the console with.

Each card asks the server on its own, as its own task keyed by (card, tenant): it shows
its own loading line, its own error with the request id and a Retry, and a slow or
failing card never holds up or blanks the others. Cards appear only for roles that
may see what they show (the capability matrix), so a Viewer sees no wallet at all
rather than a "forbidden" card. The page looks again each time it becomes visible.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, ClassVar, cast

from PySide6.QtCore import QMargins, Qt, Signal
from PySide6.QtGui import QFont, QResizeEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from callaro_desktop.api.errors import ApiError
from callaro_desktop.api.models import (
    BillingOverview,
    Checklist,
    Me,
    Money,
    PhoneNumber,
    TelephonyConnection,
)
from callaro_desktop.api.pages import Page as ApiPage
from callaro_desktop.i18n import tr
from callaro_desktop.services.formatting import format_money, zone_offset
from callaro_desktop.services.permissions import Capability, can
from callaro_desktop.views.pages.base import Page
from callaro_desktop.views.pages.getting_started import (
    make_progress_bar,
    next_step_text,
    open_page,
    progress_text,
    show_progress,
)
from callaro_desktop.views.widgets.elided_label import ElidedLabel
from callaro_desktop.views.widgets.scroll import scroll_area

if TYPE_CHECKING:
    from callaro_desktop.api.client import TenantClient
    from callaro_desktop.services.session import Session

CARD_MIN_WIDTH = 300
_NO_ANSWER = object()
_PROVIDERS = {"twilio": "Twilio", "exotel": "Exotel", "mcube": "mCube", "sip": "SIP"}


class DashboardCard(QFrame):
    """A card with its own loading, error and ready states."""

    key: ClassVar[str] = ""
    capability: ClassVar[Capability] = Capability.PROFILE
    retry_requested = Signal()
    open_requested = Signal(str)  # a page id
    wanted_changed = Signal()

    def __init__(self, session: Session, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName("Card")
        self.setAccessibleName(title)
        self.wanted = True  # False when the data says the card has nothing to show
        self.title = QLabel(title)
        self.title.setProperty("muted", True)
        title_font = QFont(self.title.font())
        title_font.setBold(True)
        self.title.setFont(title_font)

        self.stack = QStackedWidget()
        loading = QWidget()
        loading_lay = QVBoxLayout(loading)
        loading_lay.setContentsMargins(0, 6, 0, 0)
        busy = QProgressBar()
        busy.setRange(0, 0)
        busy.setTextVisible(False)
        busy.setFixedHeight(6)
        busy.setAccessibleName(tr("Loading {0}").format(title))
        loading_text = QLabel(tr("Loading…"))
        loading_text.setProperty("muted", True)
        loading_lay.addWidget(busy)
        loading_lay.addWidget(loading_text)
        loading_lay.addStretch(1)
        self._loading = loading

        error = QWidget()
        error_lay = QVBoxLayout(error)
        error_lay.setContentsMargins(0, 0, 0, 0)
        error_lay.setSpacing(4)
        self.error_text = QLabel()
        self.error_text.setProperty("fieldError", True)
        self.error_text.setWordWrap(True)
        self.error_text.setAccessibleName(tr("{0}: error").format(title))
        self.request_id = QLabel()
        self.request_id.setObjectName("RequestId")
        self.request_id.setWordWrap(True)
        self.request_id.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.request_id.setAccessibleName(tr("Request id"))
        self.retry_button = QPushButton(tr("Retry"))
        self.retry_button.setAccessibleName(tr("Retry {0}").format(title))
        self.retry_button.clicked.connect(self.retry_requested)
        error_lay.addWidget(self.error_text)
        error_lay.addWidget(self.request_id)
        error_lay.addWidget(self.retry_button, 0, Qt.AlignmentFlag.AlignLeft)
        error_lay.addStretch(1)
        self._error = error

        self.content = QWidget()
        self.content_layout = QVBoxLayout(self.content)
        self.content_layout.setContentsMargins(0, 0, 0, 0)
        self.content_layout.setSpacing(4)
        self.content_layout.setAlignment(Qt.AlignmentFlag.AlignTop)
        for page in (self._loading, self._error, self.content):
            self.stack.addWidget(page)

        self.links = QHBoxLayout()
        self.links.setContentsMargins(0, 0, 0, 0)
        self.links.setSpacing(6)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(18, 14, 18, 14)
        lay.setSpacing(6)
        lay.addWidget(self.title)
        lay.addWidget(self.stack, 1)
        lay.addLayout(self.links)
        self.show_loading()

    # -- what each card provides --------------------------------------------------------

    @classmethod
    def request(cls, scope: TenantClient) -> Coroutine[Any, Any, Any] | None:
        """The card's request, needing no card: a warm start sends it before the page exists
        (DashboardPage.warm). None for a card that asks nothing of the server."""
        return None

    async def fetch(self, scope: TenantClient) -> Any:
        request = self.request(scope)
        return None if request is None else await request

    def present(self, data: Any) -> None:
        raise NotImplementedError

    # -- building blocks ----------------------------------------------------------------

    def big_value(self, *, cut_short: bool = False) -> QLabel:
        # A person's name or email may be cut short (…) rather than widen the card; a figure
        # never is (a cut amount would read as another amount).
        label = ElidedLabel("—") if cut_short else QLabel("—")
        font = QFont(label.font())
        font.setPointSizeF(font.pointSizeF() * 1.7)
        font.setBold(True)
        label.setFont(font)
        label.setAccessibleName(self.accessibleName())
        self.content_layout.addWidget(label)
        return label

    def muted_line(self) -> QLabel:
        label = QLabel()
        label.setProperty("muted", True)
        label.setWordWrap(True)
        self.content_layout.addWidget(label)
        return label

    def add_link(self, text: str, page_id: str, name: str) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(name)
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        button.clicked.connect(lambda: self.open_requested.emit(page_id))
        self.links.addWidget(button)
        self.links.addStretch(1)
        return button

    # -- states --------------------------------------------------------------------------

    @property
    def state(self) -> str:
        current = self.stack.currentWidget()
        if current is self._loading:
            return "loading"
        return "error" if current is self._error else "ready"

    def show_loading(self) -> None:
        self.stack.setCurrentWidget(self._loading)

    def show_error(self, message: str, request_id: str | None) -> None:
        self.error_text.setText(message)
        self.request_id.setText(tr("Request id: {0}").format(request_id) if request_id else "")
        self.request_id.setVisible(bool(request_id))
        self.stack.setCurrentWidget(self._error)

    def show_ready(self) -> None:
        self.stack.setCurrentWidget(self.content)

    def set_wanted(self, wanted: bool) -> None:
        if wanted != self.wanted:
            self.wanted = wanted
            self.wanted_changed.emit()


class ChecklistCard(DashboardCard):
    key = "checklist"
    capability = Capability.ONBOARDING_READ

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, tr("Getting started"), parent)
        self.value = self.big_value()
        self.value.setAccessibleName(tr("Checklist progress"))
        self.progress = make_progress_bar(tr("Checklist progress"))
        self.content_layout.addWidget(self.progress)
        self.next = self.muted_line()
        self.view_checklist = self.add_link(
            tr("View &checklist"), "getting_started", tr("View checklist")
        )

    @classmethod
    def request(cls, scope: TenantClient) -> Coroutine[Any, Any, Checklist]:
        return scope.onboarding.checklist()

    def present(self, data: Checklist) -> None:
        # A dismissed checklist stays on its own page but leaves the Dashboard.
        self.set_wanted(not data.dismissed and bool(data.steps))
        self.value.setText(progress_text(data))
        show_progress(self.progress, data)
        self.next.setText(next_step_text(data))


class WalletCard(DashboardCard):
    key = "wallet"
    capability = Capability.BILLING

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, tr("Wallet balance"), parent)
        self.value = self.big_value()
        self.usable = self.muted_line()
        self.plan = self.muted_line()
        self.add_link(tr("Open &Billing"), "billing", tr("Open Billing"))

    @classmethod
    def request(cls, scope: TenantClient) -> Coroutine[Any, Any, BillingOverview]:
        return scope.billing.overview()

    def present(self, data: BillingOverview) -> None:
        self.value.setText(format_money(data.balance))
        self.usable.setText(
            tr("Usable credit {0} (excluding {1}% GST)").format(
                format_money(data.usable_credit), f"{data.gst_rate * 100:g}"
            )
        )
        self.plan.setText(tr("Plan: {0}").format(data.plan.name) if data.plan else "")
        self.plan.setVisible(data.plan is not None)


def month_total(data: BillingOverview) -> Money:
    parts = [m for m in (data.month.voice, data.month.knowledge_base, data.month.analysis) if m]
    currency = parts[0].currency if parts else data.balance.currency
    return Money(amount_minor=sum(m.amount_minor for m in parts), currency=currency)


class SpendCard(DashboardCard):
    key = "spend"
    capability = Capability.BILLING

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, tr("This month's spend"), parent)
        self.value = self.big_value()
        breakdown = QFormLayout()
        breakdown.setContentsMargins(0, 2, 0, 2)
        breakdown.setHorizontalSpacing(16)
        breakdown.setVerticalSpacing(1)
        self.parts: dict[str, QLabel] = {}
        for key, label in (
            ("voice", tr("Voice")),
            ("knowledge_base", tr("Knowledge base")),
            ("analysis", tr("Analysis")),
        ):
            name, amount = QLabel(label), QLabel()
            name.setProperty("muted", True)
            amount.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            amount.setAccessibleName(label)
            breakdown.addRow(name, amount)
            self.parts[key] = amount
        self.content_layout.addLayout(breakdown)
        self.pulses = self.muted_line()
        self.view_usage = self.add_link(tr("View &usage"), "usage", tr("View usage"))

    @classmethod
    def request(cls, scope: TenantClient) -> Coroutine[Any, Any, BillingOverview]:
        return scope.billing.overview()

    def present(self, data: BillingOverview) -> None:
        m = data.month
        self.value.setText(format_money(month_total(data)))
        self.parts["voice"].setText(format_money(m.voice))
        self.parts["knowledge_base"].setText(format_money(m.knowledge_base))
        self.parts["analysis"].setText(format_money(m.analysis))
        self.pulses.setText(tr("{0} pulses · amounts before GST").format(f"{data.pulses:,}"))


class NumbersCard(DashboardCard):
    key = "numbers"
    capability = Capability.PHONE_NUMBERS_READ

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, tr("Numbers in use"), parent)
        self.value = self.big_value()
        self.detail = self.muted_line()
        self.add_link(tr("View phone &numbers"), "phone_numbers", tr("View phone numbers"))

    @classmethod
    def request(cls, scope: TenantClient) -> Coroutine[Any, Any, ApiPage[PhoneNumber]]:
        # One page of 200 gives the count and, for most tenants, every number's status.
        return scope.phone_numbers.list(per_page=200).fetch_page(1)

    def present(self, data: ApiPage[PhoneNumber]) -> None:
        total = data.total if data.total is not None else len(data.items)
        self.value.setText(f"{total:,}")
        if total == 0:
            self.detail.setText(tr("No numbers yet. Purchase one or add one you own."))
        elif len(data.items) >= total:
            counts = Counter(n.status.value for n in data.items)
            parts = [tr("{0} active").format(counts.get("active", 0))]
            if counts.get("pending"):
                parts.append(tr("{0} pending").format(counts["pending"]))
            if counts.get("inactive"):
                parts.append(tr("{0} inactive").format(counts["inactive"]))
            self.detail.setText("  ·  ".join(parts))
        else:
            self.detail.setText(tr("Across every connection"))


async def _team_counts(scope: TenantClient) -> tuple[int, int]:
    users, invitations = await asyncio.gather(
        scope.users.list(per_page=1).fetch_page(1),
        scope.invitations.list(status="pending", per_page=1).fetch_page(1),
    )
    return users.total or len(users.items), invitations.total or len(invitations.items)


class TeamCard(DashboardCard):
    key = "team"
    capability = Capability.USERS

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, tr("Team"), parent)
        self.value = self.big_value()
        self.detail = self.muted_line()
        self.add_link(tr("Open U&sers"), "users", tr("Open Users"))

    @classmethod
    def request(cls, scope: TenantClient) -> Coroutine[Any, Any, tuple[int, int]]:
        return _team_counts(scope)

    def present(self, data: tuple[int, int]) -> None:
        members, pending = data
        self.value.setText(tr("{0} members").format(f"{members:,}"))
        if pending == 1:
            self.detail.setText(tr("1 invitation waiting for an answer"))
        elif pending:
            self.detail.setText(tr("{0} invitations waiting for an answer").format(pending))
        else:
            self.detail.setText(tr("No invitations waiting"))


class TelephonyCard(DashboardCard):
    key = "telephony"
    capability = Capability.TELEPHONY_READ

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, tr("Telephony connections"), parent)
        self.value = self.big_value()
        self.detail = self.muted_line()
        self.add_link(tr("Open &Telephony"), "telephony", tr("Open Telephony"))

    @classmethod
    def request(cls, scope: TenantClient) -> Coroutine[Any, Any, list[TelephonyConnection]]:
        return scope.telephony_connections.list()

    def present(self, data: list[TelephonyConnection]) -> None:
        self.value.setText(f"{len(data):,}")
        if not data:
            self.detail.setText(tr("None yet. Connect Twilio, Exotel, mCube or a SIP trunk."))
            return
        active = sum(1 for c in data if c.active)
        providers = sorted({_PROVIDERS.get(c.provider.value, c.provider.value) for c in data})
        self.detail.setText(tr("{0} active  ·  {1}").format(active, ", ".join(providers)))


class AccountCard(DashboardCard):
    """Who is signed in, with which role here, and the timezone dates are shown in."""

    key = "account"
    capability = Capability.PROFILE

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, tr("Signed in as"), parent)
        self.value = self.big_value(cut_short=True)
        self.role = self.muted_line()
        self.timezone = self.muted_line()
        self.add_link(tr("Open My &Profile"), "profile", tr("Open My Profile"))
        session.me_changed.connect(self._on_me_changed)

    async def fetch(self, scope: TenantClient) -> Me | None:
        # /me is already known to the session; nothing to ask the server.
        return self.session.me

    def present(self, data: Me | None) -> None:
        tenant = self.session.tenant
        self.value.setText((data.display_name or data.email) if data else "—")
        self.value.setToolTip(data.email if data else "")
        if tenant is not None:
            self.role.setText(tr("{0} in {1}").format(tr(tenant.role_label), tenant.name))
        zone = self.session.timezone
        self.timezone.setText(tr("Dates and times in {0} ({1})").format(zone, zone_offset(zone)))

    def _on_me_changed(self, me: object) -> None:
        if isinstance(me, Me) and self.state == "ready":
            self.present(me)


CARD_TYPES: tuple[type[DashboardCard], ...] = (
    ChecklistCard,
    WalletCard,
    SpendCard,
    NumbersCard,
    TeamCard,
    TelephonyCard,
    AccountCard,
)


class DashboardPage(Page):
    page_id = "dashboard"

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        content = QWidget()
        self.cards: dict[str, DashboardCard] = {}
        for card_type in CARD_TYPES:
            # Parented from the start: a card the role never shows must not become a window.
            # (Each card names its own title, so its constructor takes the session and parent.)
            make = cast("Callable[[Session, QWidget], DashboardCard]", card_type)
            card = make(session, content)
            card.hide()
            card.retry_requested.connect(lambda c=card: self._start(c, reload=True))
            card.open_requested.connect(lambda page_id: open_page(self, page_id))
            card.wanted_changed.connect(self._layout_cards)
            self.cards[card.key] = card
        self._grid = QGridLayout()
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(14)
        self._columns = 0
        lay = QVBoxLayout(content)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(self._grid)
        lay.addStretch(1)
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.addWidget(scroll_area(content))

    @classmethod
    def title(cls) -> str:
        return tr("Dashboard")

    @classmethod
    def subtitle(cls) -> str:
        return tr("Your workspace at a glance.")

    # -- Page: every card loads itself, so the page is ready at once ---------------------

    def activate(self) -> None:
        # Balances and progress move; coming back to the Dashboard looks again.
        self.reload()

    def loads_when_shown(self) -> bool:
        return not self.retired

    def reload(self) -> None:
        tenant = self.session.tenant
        if tenant is None or self.retired:
            return
        fresh = self._loaded_for != tenant.id
        self._loaded_for = tenant.id
        self.subtitle_label.setText(tr("{0} at a glance.").format(tenant.name))
        if fresh:
            for card in self.cards.values():
                card.wanted = True
                card.show_loading()
        self._layout_cards()
        self.states.show_ready()
        for card in self.visible_cards():
            self._start(card, reload=fresh)

    def visible_cards(self) -> list[DashboardCard]:
        return [c for c in self.cards.values() if self.session.can(c.capability)]

    @classmethod
    def warm(
        cls, session: Session, account_key: str, scope: TenantClient, tenant_id: int, role: str
    ) -> None:
        """Send the requests of the cards `role` sees for `tenant_id` now, before the page or
        even the signed-in session exists: a silent sign-in calls this while the profile and
        the workspace list are on their way, so the cards' answers come with them instead of
        one round trip later. `role` is the one remembered from last time (nothing is asked
        that it may not see); the first load of each card for that account and tenant takes
        its answer, and Session.drop_prefetched cancels what no card took (the role changed,
        another workspace was chosen)."""
        for card_type in CARD_TYPES:
            if not can(role, card_type.capability):
                continue
            request = card_type.request(scope)
            if request is not None:
                session.prefetch(cls._card_key(card_type.key, account_key, tenant_id), request)

    @classmethod
    def _card_key(cls, card: str, account_key: str, tenant_id: int) -> tuple[str, str, int]:
        return (f"{cls.page_id}/{card}", account_key, tenant_id)

    def _start(self, card: DashboardCard, *, reload: bool) -> None:
        tenant_id = self.session.tenant_id
        if tenant_id is None:
            return
        if reload or card.state == "error":
            card.show_loading()
        early = self.session.take_prefetched(
            self._card_key(card.key, self.session.account, tenant_id)
        )
        self.session.tasks.run(
            (f"{self.page_id}/{card.key}", tenant_id), self._load_card(card, tenant_id, early)
        )

    async def _load_card(
        self, card: DashboardCard, tenant_id: int, early: asyncio.Future[Any] | None = None
    ) -> None:
        try:
            data = await self._early_answer(early)
            if data is _NO_ANSWER:
                data = await self.session.call(
                    lambda: card.fetch(self.session.scope(tenant_id)),
                    load=(f"{self.page_id}/{card.key}", tenant_id),
                )
        except asyncio.CancelledError:
            raise
        except ApiError as exc:
            if self.session.tenant_id == tenant_id:
                # The request id has its own selectable line, so the text leaves it out.
                text = tr("Could not load: {0}").format(exc.message.strip().rstrip("."))
                card.show_error(f"{text}.", exc.request_id)
            return
        if self.session.tenant_id != tenant_id:
            return
        card.present(data)
        card.show_ready()

    async def _early_answer(self, early: asyncio.Future[Any] | None) -> Any:
        if early is None:
            return _NO_ANSWER
        try:
            return self.session.filtered(await early)
        except ApiError:
            # A warm start's guess that failed (say the role changed and the server refused):
            # the card asks again the ordinary way, with re-authentication and its own error.
            return _NO_ANSWER

    # -- layout -----------------------------------------------------------------------------

    def _layout_cards(self) -> None:
        # removeWidget deletes each card's layout item. Taken with takeAt, the first item lived
        # on (PySide leaves it to the caller) and stayed the card's: Qt tells only that one
        # when the card's height changes, so the grid went on with the height the card had
        # when laid out again, and cut off what it showed later (an error's last lines).
        for card in self.cards.values():
            self._grid.removeWidget(card)
        shown = [c for c in self.visible_cards() if c.wanted]
        columns = self._column_count()
        self._columns = columns
        for i, card in enumerate(shown):
            self._grid.addWidget(card, i // columns, i % columns)
        for card in self.cards.values():
            card.setVisible(card in shown)
        for col in range(4):
            self._grid.setColumnStretch(col, 1 if col < columns else 0)

    def _column_count(self) -> int:
        # From the page's own width (the body's is not yet updated when a page shown for the
        # first time gets its resize event: a wide window kept two columns).
        outer = self.layout()
        margins = outer.contentsMargins() if outer is not None else QMargins()
        width = self.width() - margins.left() - margins.right()
        return max(1, min(3, width // CARD_MIN_WIDTH))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._column_count() != self._columns:
            self._layout_cards()
