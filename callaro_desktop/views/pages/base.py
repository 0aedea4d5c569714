"""What every sidebar page shares: a header, four states, and a load that can't leak.

A page splits its work in two. `fetch(scope)` only talks to the server (through the
session's tenant-scoped client) and returns data; `present(data)` only draws. The base
class runs `fetch` as a named task keyed by (page, tenant), so leaving the page or
switching tenant cancels it, and calls `present` only if the tenant the data belongs
to is still the current one. A page therefore cannot draw another tenant's rows, by
construction rather than by care.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from callaro_desktop.api.errors import ApiError
from callaro_desktop.i18n import tr
from callaro_desktop.views.widgets.states import StateStack

if TYPE_CHECKING:
    from callaro_desktop.api.client import TenantClient
    from callaro_desktop.services.session import Session

log = logging.getLogger(__name__)


class PageHeader(QWidget):
    """The page's title and subtitle, with its actions at the right, level with the subtitle;
    when there is no room for both (a narrow window, many actions) the actions go on a row
    of their own under the titles, rather than squeezing the subtitle into a column of words.
    Either way the header asks for no more width than its widest part."""

    def __init__(self, title: QLabel, subtitle: QLabel, actions: QHBoxLayout) -> None:
        super().__init__()
        self._title, self._subtitle, self._actions = title, subtitle, actions
        self._titles = QVBoxLayout()
        self._titles.setSpacing(2)
        self._titles.addWidget(title)
        self._titles.addWidget(subtitle)
        self._box = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self._box.setContentsMargins(0, 0, 0, 0)
        self._box.addLayout(self._titles, 1)
        self._box.addLayout(actions)
        self._box.setAlignment(actions, Qt.AlignmentFlag.AlignBottom)

    def stacked_at(self, width: int) -> bool:
        """Whether the actions go under the titles at this width: when beside them they
        would leave the subtitle more than two lines."""
        actions = self._actions.sizeHint().width()
        if actions == 0:
            return False
        titles = self._title.sizeHint().width()
        if self._subtitle.isVisibleTo(self):
            line = self._subtitle.fontMetrics().horizontalAdvance(self._subtitle.text())
            titles = max(titles, line // 2 + 24)
        return width < titles + self._box.spacing() + actions

    def _arrange(self, width: int) -> None:
        stacked = self.stacked_at(width)
        direction = (
            QBoxLayout.Direction.TopToBottom if stacked else QBoxLayout.Direction.LeftToRight
        )
        if self._box.direction() != direction:
            self._box.setDirection(direction)
            align = Qt.AlignmentFlag.AlignRight if stacked else Qt.AlignmentFlag.AlignBottom
            self._box.setAlignment(self._actions, align)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._arrange(event.size().width())
        super().resizeEvent(event)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        actions = self._actions.sizeHint()
        if self.stacked_at(width):
            return self._titles_height(width) + self._box.spacing() + actions.height()
        beside = width - actions.width() - self._box.spacing()
        return max(self._titles_height(beside), actions.height())

    def _titles_height(self, width: int) -> int:
        titles = self._titles
        return (
            titles.heightForWidth(width)
            if titles.hasHeightForWidth()
            else titles.sizeHint().height()
        )

    def minimumSizeHint(self) -> QSize:
        # The stacked arrangement's: the parent may make the header that narrow.
        wide = max(self._titles.minimumSize().width(), self._actions.minimumSize().width())
        return QSize(wide, super().minimumSizeHint().height())


class Page(QWidget):
    page_id: ClassVar[str] = ""
    user_columns_changed = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName(f"Page_{self.page_id}")
        #: The check items that show or hide the list's columns (View → Columns), if any.
        self.column_actions: list[QAction] = []

        # Built inside the page: a widget without a parent that is made visible is a window of
        # its own, and the desktop showed a small one for each page built (setVisible below).
        self.title_label = QLabel(self.title(), self)
        self.title_label.setObjectName("PageTitle")
        self.title_label.setAccessibleName(self.title())
        self.subtitle_label = QLabel(self.subtitle(), self)
        self.subtitle_label.setObjectName("PageSubtitle")
        self.subtitle_label.setVisible(bool(self.subtitle()))
        self.subtitle_label.setWordWrap(True)

        self.actions_bar = QHBoxLayout()
        self.actions_bar.setSpacing(8)
        self.header = PageHeader(self.title_label, self.subtitle_label, self.actions_bar)

        self.body = QWidget()
        self.body.setObjectName("PageBody")
        self.states = StateStack(self.body)
        self.states.retry_requested.connect(self.reload)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(28, 22, 28, 18)
        outer.setSpacing(14)
        outer.addWidget(self.header)
        outer.addWidget(self.states, 1)

        self._loaded_for: int | None = None

    # -- what subclasses provide -------------------------------------------------------

    @classmethod
    def title(cls) -> str:
        raise NotImplementedError

    @classmethod
    def subtitle(cls) -> str:
        return ""

    async def fetch(self, scope: TenantClient) -> Any:
        """Ask the server for what the page shows. No widget access here."""
        raise NotImplementedError

    def present(self, data: Any) -> None:
        """Draw `data`; runs only when it belongs to the current tenant."""
        raise NotImplementedError

    def is_empty(self, data: Any) -> bool:
        return False

    def show_empty_state(self, data: Any) -> None:
        self.states.show_empty(tr("Nothing here yet"))

    def has_unsaved_changes(self) -> bool:
        return False

    async def save_changes(self) -> bool:
        """Save the unsaved edits, for a user about to leave the page: True once nothing is
        left unsaved. A page with edits overrides it; a failed save shows why on the page
        and returns False, so the user stays with what they typed."""
        return not self.has_unsaved_changes()

    def discard_changes(self) -> None:
        """Put the page back as it was saved: the user chose to leave without their edits.
        No-op by default."""

    def unsaved_edits(self) -> dict[str, str]:
        """The unsaved edits, as text by field: kept when the console quits with no user to
        ask, and given back to `restore_edits` when the page next loads. None by default."""
        return {}

    def restore_edits(self, edits: dict[str, str]) -> None:
        """Show edits kept from when the console last quit, unsaved. No-op by default."""

    def _edits_key(self) -> str | None:
        account = self.session.current_account
        return None if account is None else f"{account.key}#{self.page_id}"

    def keep_unsaved_edits(self) -> bool:
        """The console quits with no user to ask (a signal, the session ending): keep this
        page's unsaved edits in the settings for the next time it loads. Whether it did."""
        key = self._edits_key()
        if key is None or not self.has_unsaved_changes():
            return False
        try:
            self.session.settings.remember_unsaved(key, self.unsaved_edits())
        except ValueError:  # (refused: it looks like a secret, and secrets are not settings)
            log.info("unsaved edits on %s not kept: they look like a secret", self.page_id)
            return False
        return True

    def _give_back_kept_edits(self) -> None:
        key = self._edits_key()
        kept = self.session.settings.unsaved_edits.get(key or "")
        if key is None or not kept:
            return
        self.session.settings.remember_unsaved(key, None)
        self.session.save_settings()  # (given back once: a Discard now must not bring them back)
        self.restore_edits(kept)
        self.session.messages.info(
            tr(
                "Your unsaved changes on {0} from when the console last quit are back: save or "
                "discard them."
            ).format(self.title())
        )

    def reveal(self, item_id: int, query: str) -> None:
        """Show and select one item (a find-across-workspaces result). No-op by default;
        list pages search for `query` and select the row whose id is `item_id`."""

    #: Whether the page shows a list whose columns `reset_columns` can put back.
    has_columns: ClassVar[bool] = False

    def reset_columns(self) -> None:
        """Put the list's columns back as the page laid them out. No-op by default."""

    def user_columns(self) -> bool:
        """Whether the list's columns are as the user changed them (a reset would put the
        page's back); `user_columns_changed` says when this may have changed."""
        return False

    def keep_view(self) -> None:
        """Keep what the user has set up here (a list's columns just dragged) now: the window
        is closing. No-op by default."""

    def open_primary_action(self) -> None:
        """Start the page's main task (e.g. Users opens its invite dialog).

        Other pages send the user here to get something done (the Getting started
        checklist's "Go" buttons): they navigate with MainWindow.navigate(page_id) and
        then call this. Pages with one obvious action override it; the default does
        nothing, so landing on the page is the whole effect.
        """

    # -- what the shell and the page call ------------------------------------------------

    def session_timezone(self) -> str:
        """Read at draw time, so a timezone changed on My Profile applies everywhere."""
        return self.session.timezone

    @property
    def tenant_id(self) -> int | None:
        return self.session.tenant_id

    def retire(self) -> None:
        """The window dropped this page (another account): it must not load again."""
        self._retired = True
        self.session.tasks.cancel((self.page_id, self.session.tenant_id))

    @property
    def retired(self) -> bool:
        return getattr(self, "_retired", False)

    def loads_when_shown(self) -> bool:
        """Whether showing the page now sends its load: the window sends it ahead while the
        pointer rests on the page in the sidebar (Session.anticipate)."""
        tenant_id = self.session.tenant_id
        return not self.retired and (self._loaded_for != tenant_id or self.states.state == "error")

    def activate(self) -> None:
        """The page became visible; load unless it already shows this tenant's data."""
        if self.retired:
            return
        tenant_id = self.session.tenant_id
        if self._loaded_for != tenant_id or self.states.state == "error":
            if self.states.state == "loading" and self._loading_for(tenant_id):
                return  # still on its way: coming back must not cancel and resend it
            self.reload()

    def _loading_for(self, tenant_id: int | None) -> bool:
        return (self.page_id, tenant_id) in self.session.tasks.running()

    def reload(self) -> None:
        tenant_id = self.session.tenant_id
        if tenant_id is None or self.retired:
            return
        if self._loaded_for != tenant_id:
            # The old tenant's data leaves the screen now: if this load is cancelled by a
            # switch straight back, activate() must load again rather than keep "Loading…".
            self._loaded_for = None
            self.states.show_loading()
        self.session.tasks.run((self.page_id, tenant_id), self._load(tenant_id))

    async def _load(self, tenant_id: int) -> None:
        try:
            data = await self.session.call(
                lambda: self.fetch(self.session.scope(tenant_id)), load=(self.page_id, tenant_id)
            )
        except asyncio.CancelledError:
            raise
        except ApiError as exc:
            if self.session.tenant_id == tenant_id:
                self._loaded_for = None
                self.states.show_error(exc.user_message(reference=False), exc.request_id)
            return
        if self.session.tenant_id != tenant_id:
            log.debug("dropped %s data for tenant %s", self.page_id, tenant_id)
            return
        self._loaded_for = tenant_id
        self.present(data)
        self._give_back_kept_edits()
        if self.is_empty(data):
            self.show_empty_state(data)
        else:
            self.states.show_ready()
