"""What one window is looking at: an account, a tenant, and the window's own tasks.

Pages only ever talk to their window's Session. It forwards server work to the
bound Account (services/accounts.py) — whose `call()` is the one place that turns a
dead refresh token into a re-authentication prompt and knows whether the server is
reachable — and adds what belongs to a window: the current tenant, the tasks keyed by
(page, tenant) that a tenant switch cancels, and a message bar. Two windows may show
two tenants of one account, or two accounts, without sharing any of that.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Coroutine, Hashable
from dataclasses import replace
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QTimer, Signal

from callaro_desktop.api.client import UNSET, CallaroClient, TenantClient, _Unset
from callaro_desktop.api.errors import ApiError, SessionExpired
from callaro_desktop.api.models import Me
from callaro_desktop.api.transport import REQUESTS_START_TURNS, Call, recording
from callaro_desktop.secrets import TokenStore
from callaro_desktop.services.accounts import Account, AccountManager, TenantRef
from callaro_desktop.services.messages import MessageBridge
from callaro_desktop.services.permissions import ROLE_LABELS, Capability, can
from callaro_desktop.services.tasks import TaskManager
from callaro_desktop.settings import Settings, save_soon

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Page loads whose requests are kept to send ahead of a switch (Session.anticipate): support
#: staff visit hundreds of workspaces; the recent ones are the ones switched back to.
ASKED_KEPT = 512


class Session(QObject):
    signed_in = Signal()
    signed_out = Signal()
    account_changed = Signal()
    me_changed = Signal(object)  # Me
    tenants_changed = Signal()
    tenant_changed = Signal(object)  # TenantRef | None
    online_changed = Signal(bool)

    def __init__(
        self,
        settings: Settings,
        vault: TokenStore | None = None,
        *,
        manager: AccountManager | None = None,
        messages: MessageBridge | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        if manager is None:
            assert vault is not None, "a Session needs an AccountManager or a TokenStore"
            manager = AccountManager(settings, vault, parent=self)
        self.manager = manager
        self.settings = settings
        self.messages = messages or MessageBridge(self)
        self.tasks = TaskManager()
        self.current_account: Account | None = None
        self.tenant: TenantRef | None = None
        # Applied to every result of call() before any page sees it; presentation mode
        # sets it to swap real people, numbers and secrets for consistent fakes.
        self.result_filter: Callable[[Any], Any] | None = None
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(1000)
        self._save_timer.timeout.connect(self._persist_settings)
        # Answers asked for before anything could show them (a warm start), by key.
        self._prefetched: dict[Hashable, asyncio.Future[Any]] = {}
        # What each page's last load asked of each workspace, by (account, load, tenant), with
        # the role it was asked under: what to send ahead when the user is about to switch
        # there (anticipate).
        self._asked: OrderedDict[tuple[str, str, int], tuple[str | None, tuple[Call, ...]]]
        self._asked = OrderedDict()

    # -- what the bound account provides ------------------------------------------------

    @property
    def vault(self) -> TokenStore:
        return self.manager.vault

    @property
    def client(self) -> CallaroClient | None:
        a = self.current_account
        return a.client if a is not None and a.signed_in else None

    @property
    def me(self) -> Me | None:
        a = self.current_account
        me = a.me if a is not None else None
        if me is not None and self.result_filter is not None:
            filtered: Me = self.result_filter(me)
            return filtered
        return me

    @property
    def tenants(self) -> list[TenantRef]:
        return self.current_account.tenants if self.current_account else []

    @property
    def server(self) -> str:
        return self.current_account.server if self.current_account else self.settings.server_url

    @property
    def email(self) -> str:
        return self.current_account.email if self.current_account else ""

    @property
    def online(self) -> bool:
        return self.current_account.online if self.current_account else True

    @property
    def slow(self) -> bool:
        """Not online because the server answers too late (it was reached): a timeout."""
        return self.current_account.slow if self.current_account else False

    @property
    def keep_signed_in(self) -> bool:
        return self.current_account.keep_signed_in if self.current_account else False

    @property
    def storage_note(self) -> str:
        return self.current_account.storage_note if self.current_account else ""

    @property
    def recent_request_ids(self) -> deque[str]:
        if self.current_account is not None:
            return self.current_account.recent_request_ids
        return deque(maxlen=10)

    @property
    def account(self) -> str:
        """The account's settings key ("" when signed out)."""
        return self.current_account.key if self.current_account else ""

    @property
    def tenant_id(self) -> int | None:
        return self.tenant.id if self.tenant else None

    @property
    def role(self) -> str | None:
        return self.tenant.role if self.tenant else None

    @property
    def timezone(self) -> str:
        """The profile's timezone: every date in the console is shown in it."""
        me = self.current_account.me if self.current_account else None
        return me.timezone if me is not None else "UTC"

    def shown(self, value: Any) -> Any:
        """`value` as this window may show it (presentation mode swaps real people,
        numbers and secrets for fakes); strings, models and lists alike."""
        return self.result_filter(value) if self.result_filter is not None else value

    def can(self, capability: Capability) -> bool:
        return can(self.role, capability)

    def scope(self, tenant_id: int | None = None) -> TenantClient:
        client = self.client
        if client is None:
            raise SessionExpired("Not signed in.")
        tid = self.tenant_id if tenant_id is None else tenant_id
        if tid is None:
            raise ApiError("Choose a workspace first.")
        return client.tenant(tid)

    # -- binding to an account ----------------------------------------------------------

    def bind(self, account: Account | None, tenant_id: int | None = None) -> None:
        """Show `account` in this window, on `tenant_id` or the account's last tenant."""
        old = self.current_account
        if old is account:
            if tenant_id is not None:
                self.switch_tenant(tenant_id)
            return
        self.tasks.cancel_all()
        if old is not None:
            for signal, slot in self._links(old):
                signal.disconnect(slot)
        self.current_account = account
        self.tenant = None
        if account is None:
            self.account_changed.emit()
            self.tenant_changed.emit(None)
            self.signed_out.emit()
            return
        for signal, slot in self._links(account):
            signal.connect(slot)
        # No me_changed here: the window rebuilds its pages for the new account, and a
        # discarded page must not be prompted into loading anything.
        self.account_changed.emit()
        self.tenants_changed.emit()
        self.online_changed.emit(account.online)
        wanted = tenant_id or self.settings.last_tenant_by_account.get(account.key)
        if account.tenant(wanted) is None:
            wanted = account.tenants[0].id if account.tenants else None
        self.switch_tenant(wanted)
        self.signed_in.emit()

    def _links(self, account: Account) -> list[tuple[Any, Callable[..., None]]]:
        return [
            (account.me_changed, self._forward_me),
            (account.tenants_changed, self.tenants_changed.emit),
            (account.online_changed, self.online_changed.emit),
            (account.signed_out, self._on_account_signed_out),
            (account.badge_changed, self.account_changed.emit),
        ]

    def _forward_me(self, _me: object) -> None:
        self.me_changed.emit(self.me)

    def _on_account_signed_out(self, account: Account) -> None:
        if account is self.current_account:
            others = [a for a in self.manager.accounts if a is not account]
            self.bind(others[0] if others else None)

    # -- signing in and out ---------------------------------------------------------------

    async def sign_in(self, server: str, email: str, password: str, *, keep: bool) -> None:
        """Sign in with a password and show that account here. Raises ApiError."""
        account = await self.manager.sign_in(server, email, password, keep=keep)
        self.bind(account)

    async def resume(self, server: str, email: str) -> bool:
        """Sign in silently from a stored refresh token; False when there is none or it is dead."""
        account = await self.manager.resume(server, email)
        if account is None:
            return False
        self.bind(account)
        return True

    async def sign_out(self) -> None:
        """Sign the shown account out everywhere; the window moves to another account."""
        account = self.current_account
        self.tasks.cancel_all()
        if account is None:
            self.signed_out.emit()
            return
        await account.sign_out()

    async def close(self) -> None:
        self.drop_prefetched()
        if self._save_timer.isActive():
            self._save_timer.stop()
            self._persist_settings()
        await self.tasks.shutdown()

    # -- the profile ------------------------------------------------------------------

    async def refresh_me(self) -> Me:
        if self.current_account is None:
            raise SessionExpired("Not signed in.")
        await self.current_account.refresh_me()
        me = self.me
        assert me is not None
        return me

    async def update_me(
        self,
        *,
        display_name: str | _Unset | None = UNSET,
        timezone: str | _Unset = UNSET,
    ) -> Me:
        """PATCH /me and tell everyone: a new timezone redraws every date on screen."""
        if self.current_account is None:
            raise SessionExpired("Not signed in.")
        await self.current_account.update_me(display_name=display_name, timezone=timezone)
        me = self.me
        assert me is not None
        return me

    # -- tenants ------------------------------------------------------------------------------

    async def load_tenants(self) -> None:
        if self.current_account is not None:
            await self.current_account.load_tenants()

    def switch_tenant(self, tenant_id: int | None) -> None:
        if tenant_id == self.tenant_id and self.tenant is not None:
            return
        old = self.tenant_id
        if old is not None:
            self.tasks.cancel_scope(old)
        account = self.current_account
        ref = account.tenant(tenant_id) if account is not None else None
        self.tenant = ref
        if ref is not None and account is not None:
            self.settings.remember_tenant(account.key, ref.id, ref.role)
            # Support staff switch many times a minute: write the file once things settle
            # (validation and fsync cost ~2 ms of the GUI thread each time), and on close.
            self._save_timer.start()
        self.tenant_changed.emit(ref)

    async def requests_sent(self) -> None:
        """Once the requests started in this turn of the loop have left (Transport's)."""
        client = self.client
        if client is not None:
            await client.transport.requests_sent(after_turns=REQUESTS_START_TURNS)

    # -- calls ------------------------------------------------------------------------------

    async def call(
        self, factory: Callable[[], Awaitable[T]], *, load: tuple[str, int] | None = None
    ) -> T:
        """Await `factory()` through the account (re-auth, online state), then filter.

        `load` names a page's load of a workspace (its task key: page, tenant): the GETs it
        asks are kept, to be sent ahead when the user is about to switch back (anticipate)."""
        account = self.current_account
        if account is None:
            raise SessionExpired("Not signed in.")
        if load is None:
            return self.filtered(await account.call(factory))
        with recording([]) as asked:
            result = await account.call(factory)
        ref = account.tenant(load[1])
        self._remember_asked((account.key, *load), ref.role if ref else None, tuple(asked))
        return self.filtered(result)

    def _remember_asked(
        self, key: tuple[str, str, int], role: str | None, calls: tuple[Call, ...]
    ) -> None:
        self._asked[key] = (role, calls)
        self._asked.move_to_end(key)
        while len(self._asked) > ASKED_KEPT:
            self._asked.popitem(last=False)

    # -- sending ahead of a switch ----------------------------------------------------------

    def anticipate(self, tenant_id: int, page_id: str) -> int:
        """The user is about to switch to `tenant_id` (it is highlighted in the switcher or the
        palette): send ahead what `page_id`'s load will ask of it (a Dashboard's: each of its
        cards'), so the switch finds the answers on their way or in. Nothing is shown until
        the switch, and the page's own load takes them (Transport.anticipate). (The window
        also calls it for the workspace shown, for a page about to open that will load.)

        What the page's last load there asked; for a workspace the page has not shown yet,
        what its last load in another workspace where the user has the same role asked, sent
        to this one (a list's search and sort are kept per workspace, so that guess can miss:
        the page then asks for itself, as it would have, and the guess is dropped). Returns
        how many requests went out."""
        client = self.client
        account = self.current_account
        target = account.tenant(tenant_id) if account is not None else None
        if client is None or account is None or target is None or not self.online:
            return 0
        own: list[Call] = []
        # The loads of this page elsewhere under the same role, the latest last: the guess.
        like: dict[str, tuple[Call, ...]] = {}
        for (key_account, load, tid), (role, asked) in self._asked.items():
            ours = load == page_id or load.startswith(f"{page_id}/")
            if key_account != account.key or not ours:
                continue
            if tid == tenant_id:
                own.extend(asked)
            elif role == target.role:
                like[load] = asked
        if own:
            return client.transport.anticipate(own)
        guessed = [
            replace(call, tenant_id=tenant_id)
            for asked in like.values()
            for call in asked
            # (An item's own path, /users/{id}, belongs to the workspace it was asked of.)
            if call.route.tenant_scoped and not call.path_params
        ]
        return client.transport.anticipate(guessed)

    def drop_anticipated(self) -> None:
        """The switcher closed with no switch: stop what was sent ahead for it."""
        client = self.client
        if client is not None:
            client.transport.drop_anticipated()

    def filtered(self, result: T) -> T:
        """`result` as pages may see it (presentation mode swaps in its fakes here)."""
        if self.result_filter is not None:
            swapped: T = self.result_filter(result)
            return swapped
        return result

    # -- answers asked for early ----------------------------------------------------------

    def prefetch(self, key: Hashable, request: Coroutine[Any, Any, Any]) -> None:
        """Send `request` now for a page that does not exist yet; `take_prefetched(key)` hands
        its answer to the first load that wants it. Nothing here is shown or filtered: the
        taker awaits it and passes the result through `filtered`."""
        self._forget(self._prefetched.pop(key, None))
        self._prefetched[key] = asyncio.ensure_future(request)

    def take_prefetched(self, key: Hashable) -> asyncio.Future[Any] | None:
        return self._prefetched.pop(key, None)

    def drop_prefetched(self) -> None:
        """Cancel what nobody took (a card the role does not show, another tenant chosen)."""
        for future in self._prefetched.values():
            self._forget(future)
        self._prefetched.clear()

    @staticmethod
    def _forget(future: asyncio.Future[Any] | None) -> None:
        if future is None:
            return
        if future.done():
            if not future.cancelled():
                future.exception()  # a failure nobody will read is not worth a warning
        else:
            future.cancel()

    async def reauthenticate(self, password: str) -> None:
        if self.current_account is not None:
            await self.current_account.reauthenticate(password)

    def abandon_reauth(self) -> None:
        if self.current_account is not None:
            self.current_account.abandon_reauth()

    def check_connection(self) -> None:
        """Ping the server (used by the offline indicator's Retry)."""
        if self.current_account is not None:
            self.tasks.run(("connection", None), self.current_account.ping())

    def save_settings(self) -> None:
        self._persist_settings()

    def _persist_settings(self) -> None:
        # On the settings writer's thread: a disk that is slow to sync must not hold up the
        # GUI (this runs on every switch and every change of a list's view).
        save_soon(self.settings)


def role_label(role: str | None) -> str:
    return ROLE_LABELS.get(role or "", role or "")


__all__ = ["Session", "TenantRef", "role_label"]
