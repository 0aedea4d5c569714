"""Signed-in accounts: one per (server, email), several at once.

An Account owns what belongs to a sign-in and nothing else: its HTTP client (one
httpx client per account), its tokens (refresh token in the keychain entry of that
account), /me, the tenants it may enter, whether its server answers, and the single
re-authentication prompt all its callers share. Windows look at an account through a
Session (services/session.py), which adds the current tenant and the window's tasks;
two windows on one account share the account, its client and its one password prompt.

The AccountManager holds the accounts a person has signed in to (production and
staging, two customers' deployments, ...) so switching between them never needs a
password again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from PySide6.QtCore import QObject, Signal

from callaro_desktop.api.client import UNSET, CallaroClient, _Unset
from callaro_desktop.api.errors import (
    ApiError,
    ConnectionFailed,
    RequestTimeout,
    SessionExpired,
    Unauthorized,
)
from callaro_desktop.api.models import Me, Tenant, TokenPair
from callaro_desktop.secrets import TokenStore, TokenStoreError
from callaro_desktop.services.messages import MessageBridge
from callaro_desktop.services.permissions import ROLE_LABELS
from callaro_desktop.services.tasks import background, together
from callaro_desktop.settings import AccountBadge, Settings, account_key, normalize_email
from callaro_desktop.settings import save as save_settings

log = logging.getLogger(__name__)
T = TypeVar("T")

# Support staff may enter hundreds of tenants; the switcher filters locally up to this
# many and the palette ranks them all.
TENANT_PRELOAD_LIMIT = 2000

# Badge colours a user can pick for an account (readable with white text in both themes).
BADGE_COLOURS = ("#c62828", "#ad1457", "#6a1b9a", "#283593", "#00695c", "#2e7d32", "#e65100")


@dataclass(frozen=True)
class TenantRef:
    id: int
    name: str
    role: str | None

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role or "", self.role or "")


class Account(QObject):
    me_changed = Signal(object)  # Me
    tenants_changed = Signal()
    reauth_requested = Signal(object)  # this Account
    online_changed = Signal(bool)
    badge_changed = Signal()
    signed_out = Signal(object)  # this Account

    def __init__(
        self,
        settings: Settings,
        vault: TokenStore,
        messages: MessageBridge,
        server: str,
        email: str,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.vault = vault
        self.messages = messages
        self.server = server
        self.email = normalize_email(email)
        self.client = CallaroClient(
            server,
            connect_timeout=float(settings.connect_timeout_s),
            read_timeout=float(settings.request_timeout_s),
            on_tokens_changed=self._on_tokens_changed,
        )
        self.me: Me | None = None
        self.tenants: list[TenantRef] = []
        self.keep_signed_in = False
        self.storage_note = ""
        self.online = True
        # Offline because the server was reached but answered too late, not unreachable:
        # the status bar says which, so nobody checks a network that works.
        self.slow = False
        self.signed_in = False
        self._reauth: asyncio.Future[bool] | None = None
        # Request ids of recent failures: the crash report quotes them for support.
        self.recent_request_ids: deque[str] = deque(maxlen=10)

    # -- identity -------------------------------------------------------------------

    @property
    def key(self) -> str:
        return account_key(self.server, self.email)

    @property
    def badge(self) -> AccountBadge | None:
        return self.settings.account_badges.get(self.key)

    def set_badge(self, label: str, colour: str) -> None:
        badges = dict(self.settings.account_badges)
        if label.strip():
            badges[self.key] = AccountBadge(label=label.strip(), colour=colour)
        else:
            badges.pop(self.key, None)
        self.settings.account_badges = badges
        _persist(self.settings)
        self.badge_changed.emit()

    @property
    def display(self) -> str:
        """How menus name the account: its badge label, else email on host."""
        host = self.server.split("://", 1)[-1]
        badge = self.badge
        return f"{badge.label} · {self.email}" if badge else f"{self.email} on {host}"

    # -- signing in -------------------------------------------------------------------

    async def login(self, password: str, *, keep: bool) -> None:
        await self.client.auth.login(self.email, password)
        await self._adopt(keep=keep)

    async def resume(
        self, token: str, on_refreshed: Callable[[Account], None] | None = None
    ) -> None:
        """Sign in from a refresh token; `on_refreshed` runs once the client holds a live
        access token, before the profile and workspaces are asked for (a warm start sends
        the first page's requests then, to travel with them)."""
        await self.client.auth.resume(token)
        if on_refreshed is not None:
            on_refreshed(self)
        await self._adopt(keep=True)

    async def _adopt(self, *, keep: bool) -> None:
        self.keep_signed_in = keep and self.vault.persistent
        # The profile, the workspaces and the keychain write do not depend on one another:
        # one round trip of waiting instead of three (the keychain write also keeps the
        # refresh token the client may have rotated before we knew whether to keep it).
        me, listed, _ = await together(
            self.client.me.get(),
            self._list_tenants(),
            self._store_refresh_token(self.client.auth.tokens),
        )
        self.me = me
        if self.vault.persistent:
            self.settings.keep_signed_in = keep
        self.settings.remember_server(self.server)
        self.settings.server_url = self.server
        self.settings.last_email = self.email
        _persist(self.settings)
        self.signed_in = True
        self._set_online(True)
        self._set_tenants(listed)
        log.info("signed in to %s; %d workspace(s)", self.server, len(self.tenants))

    async def load_tenants(self) -> None:
        self._set_tenants(await self._list_tenants())

    async def _list_tenants(self) -> list[Tenant]:
        tenants: list[Tenant] = []
        async for t in self.client.tenants.list(per_page=200):
            tenants.append(t)
            if len(tenants) >= TENANT_PRELOAD_LIMIT:
                break
        return tenants

    def _set_tenants(self, tenants: list[Tenant]) -> None:
        self.tenants = [self._ref(t) for t in tenants]
        self.tenants_changed.emit()

    def _ref(self, t: Tenant) -> TenantRef:
        role = t.role.value if t.role is not None else None
        if role is None and self.me is not None:
            role = next((m.role.value for m in self.me.memberships if m.tenant_id == t.id), None)
        return TenantRef(t.id, t.name, role)

    def tenant(self, tenant_id: int | None) -> TenantRef | None:
        return next((t for t in self.tenants if t.id == tenant_id), None)

    # -- the profile -------------------------------------------------------------------

    async def refresh_me(self) -> Me:
        me = await self.call(self.client.me.get)
        self.me = me
        self.me_changed.emit(me)
        return me

    async def update_me(
        self,
        *,
        display_name: str | _Unset | None = UNSET,
        timezone: str | _Unset = UNSET,
    ) -> Me:
        me = await self.call(
            lambda: self.client.me.update(display_name=display_name, timezone=timezone)
        )
        self.me = me
        self.me_changed.emit(me)
        return me

    # -- calls ----------------------------------------------------------------------------

    async def call(self, factory: Callable[[], Awaitable[T]]) -> T:
        """Await `factory()`; on a dead session ask for the password once, then replay."""
        try:
            result = await factory()
        except Unauthorized:
            # SessionExpired, or a plain 401 from a call made after the tokens were
            # dropped (e.g. while another call was already waiting for the password).
            if not self.signed_in or not await self.request_reauth():
                raise
            result = await factory()
        except (ConnectionFailed, RequestTimeout) as exc:
            self._remember_failure(exc)
            self._set_online(False, slow=isinstance(exc, RequestTimeout))
            raise
        except ApiError as exc:
            self._remember_failure(exc)
            raise
        self._set_online(True)
        return result

    def _remember_failure(self, exc: ApiError) -> None:
        if exc.request_id:
            self.recent_request_ids.append(exc.request_id)

    async def request_reauth(self) -> bool:
        """Ask for the password; every caller of this account waits on one prompt."""
        if self._reauth is None or self._reauth.done():
            self._reauth = asyncio.get_running_loop().create_future()
            self.reauth_requested.emit(self)
        return await asyncio.shield(self._reauth)

    async def reauthenticate(self, password: str) -> None:
        """Called by the re-auth dialog. Raises ApiError (the dialog shows it)."""
        await self.client.auth.login(self.email, password)
        if self._reauth is not None and not self._reauth.done():
            self._reauth.set_result(True)

    def abandon_reauth(self) -> None:
        if self._reauth is not None and not self._reauth.done():
            self._reauth.set_result(False)

    async def ping(self) -> None:
        with contextlib.suppress(ApiError):
            await self.call(self.client.me.get)

    # -- signing out ------------------------------------------------------------------------

    async def sign_out(self) -> None:
        self.signed_in = False
        self.abandon_reauth()
        try:
            await self.client.auth.logout()
        except ApiError as exc:
            # Signing out must work offline too; the server-side session just expires.
            log.info("logout request failed: %s", exc)
        await self.client.aclose()
        await self.forget_token()
        self.signed_out.emit(self)

    async def forget_token(self) -> None:
        try:
            await self.vault.delete_async(self.server, self.email)
        except TokenStoreError as exc:
            self.messages.warning(str(exc))

    async def close(self) -> None:
        self.abandon_reauth()
        await self.client.aclose()

    # -- internals -------------------------------------------------------------------------

    def _on_tokens_changed(self, tokens: TokenPair | None) -> None:
        # Called by the transport from inside the loop; keychain I/O goes to a thread.
        if self.signed_in:
            background(self._store_refresh_token(tokens))

    async def _store_refresh_token(self, tokens: TokenPair | None) -> None:
        if not self.keep_signed_in or tokens is None:
            return
        result = await self.vault.save_async(
            self.server, self.email, tokens.refresh_token.get_secret_value()
        )
        self.storage_note = result.message
        if not result.persisted:
            self.messages.warning(result.message)

    def _set_online(self, online: bool, *, slow: bool = False) -> None:
        slow = slow and not online
        if online != self.online or slow != self.slow:
            self.online, self.slow = online, slow
            self.online_changed.emit(online)


class AccountManager(QObject):
    """The accounts signed in in this run, shared by every window."""

    account_added = Signal(object)  # Account
    account_removed = Signal(object)  # Account
    accounts_changed = Signal()

    def __init__(
        self,
        settings: Settings,
        vault: TokenStore,
        messages: MessageBridge | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.vault = vault
        self.messages = messages or MessageBridge(self)
        self.accounts: list[Account] = []

    def use_vault(self, vault: TokenStore) -> None:
        """Keep tokens in `vault` from now on (the keychain, once its probe has answered);
        only before any account exists, since each account holds the vault it began with."""
        if self.accounts:
            raise RuntimeError("the vault is chosen before any account signs in")
        self.vault = vault

    def find(self, server: str, email: str) -> Account | None:
        key = account_key(server, email)
        return next((a for a in self.accounts if a.key == key), None)

    async def sign_in(self, server: str, email: str, password: str, *, keep: bool) -> Account:
        """Sign in with a password. Raises ApiError; on failure nothing changes."""
        account = Account(self.settings, self.vault, self.messages, server, email, self)
        try:
            await account.login(password, keep=keep)
        except BaseException:
            await account.close()
            account.deleteLater()
            raise
        return await self._add(account)

    async def resume(
        self, server: str, email: str, on_refreshed: Callable[[Account], None] | None = None
    ) -> Account | None:
        """Sign in silently from a stored refresh token; None when there is none or it is dead.

        `on_refreshed`: see Account.resume."""
        try:
            token = await self.vault.get_async(server, email)
        except TokenStoreError as exc:
            log.warning("saved sign-in unreadable: %s", exc)
            self.messages.warning(str(exc))
            return None
        if not token:
            return None
        account = Account(self.settings, self.vault, self.messages, server, email, self)
        try:
            await account.resume(token, on_refreshed)
        except SessionExpired:
            await account.close()
            await account.forget_token()
            account.deleteLater()
            return None
        except BaseException:
            await account.close()
            account.deleteLater()
            raise
        return await self._add(account)

    async def _add(self, account: Account) -> Account:
        old = next((a for a in self.accounts if a.key == account.key), None)
        if old is not None:
            # Signing in again to an account already here replaces it (fresh tokens).
            self.accounts.remove(old)
            await old.close()
            self.account_removed.emit(old)
        self.accounts.append(account)
        account.signed_out.connect(self._on_signed_out)
        self.account_added.emit(account)
        self.accounts_changed.emit()
        return account

    def _on_signed_out(self, account: Account) -> None:
        if account in self.accounts:
            self.accounts.remove(account)
            self.account_removed.emit(account)
            self.accounts_changed.emit()

    async def close(self) -> None:
        for account in list(self.accounts):
            await account.close()


def _persist(settings: Settings) -> None:
    try:
        save_settings(settings)
    except OSError as exc:
        log.warning("could not save settings: %s", exc)
