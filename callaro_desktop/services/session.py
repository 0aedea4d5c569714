"""The signed-in account: its client, its /me, its tenants and the current tenant.

Everything a page does goes through here. `call()` is the one place that turns a
dead refresh token into a re-authentication request (the shell shows the dialog over
the current page, nothing is torn down, and the call is replayed afterwards), and the
one place that knows whether the server is reachable.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

from callaro_desktop.api.client import UNSET, CallaroClient, TenantClient, _Unset
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
from callaro_desktop.services.permissions import ROLE_LABELS, Capability, can
from callaro_desktop.services.tasks import TaskManager, background
from callaro_desktop.settings import Settings, account_key, normalize_email
from callaro_desktop.settings import save as save_settings

log = logging.getLogger(__name__)
T = TypeVar("T")

# Support staff may enter hundreds of tenants; the switcher filters locally, and
# past this many it asks the server instead of holding everything.
TENANT_PRELOAD_LIMIT = 2000


@dataclass(frozen=True)
class TenantRef:
    id: int
    name: str
    role: str | None

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role or "", self.role or "")


class Session(QObject):
    signed_in = Signal()
    signed_out = Signal()
    me_changed = Signal(object)  # Me
    tenants_changed = Signal()
    tenant_changed = Signal(object)  # TenantRef | None
    reauth_requested = Signal(str)  # the email to sign in again as
    online_changed = Signal(bool)

    def __init__(
        self,
        settings: Settings,
        vault: TokenStore,
        *,
        messages: MessageBridge | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.vault = vault
        self.messages = messages or MessageBridge(self)
        self.tasks = TaskManager()
        self.client: CallaroClient | None = None
        self.server = settings.server_url
        self.email = ""
        self.me: Me | None = None
        self.tenants: list[TenantRef] = []
        self.tenant: TenantRef | None = None
        self.keep_signed_in = False
        self.storage_note = ""
        self.online = True
        self._reauth: asyncio.Future[bool] | None = None
        # Applied to every result of call() before any page sees it; presentation mode
        # sets it to swap real people, numbers and secrets for consistent fakes.
        self.result_filter: Callable[[Any], Any] | None = None
        # Request ids of recent failures: the crash report quotes them for support.
        self.recent_request_ids: deque[str] = deque(maxlen=10)

    # -- identity -------------------------------------------------------------------

    @property
    def account(self) -> str:
        return account_key(self.server, self.email) if self.email else ""

    @property
    def tenant_id(self) -> int | None:
        return self.tenant.id if self.tenant else None

    @property
    def role(self) -> str | None:
        return self.tenant.role if self.tenant else None

    @property
    def timezone(self) -> str:
        """The profile's timezone: every date in the console is shown in it."""
        return self.me.timezone if self.me is not None else "UTC"

    async def refresh_me(self) -> Me:
        if self.client is None:
            raise SessionExpired("Not signed in.")
        me = await self.client.me.get()
        self.me = me
        self.me_changed.emit(me)
        return me

    async def update_me(
        self,
        *,
        display_name: str | _Unset | None = UNSET,
        timezone: str | _Unset = UNSET,
    ) -> Me:
        """PATCH /me and tell everyone: a new timezone redraws every date on screen."""
        if self.client is None:
            raise SessionExpired("Not signed in.")
        me = await self.client.me.update(display_name=display_name, timezone=timezone)
        self.me = me
        self.me_changed.emit(me)
        return me

    def can(self, capability: Capability) -> bool:
        return can(self.role, capability)

    def scope(self, tenant_id: int | None = None) -> TenantClient:
        if self.client is None:
            raise SessionExpired("Not signed in.")
        tid = self.tenant_id if tenant_id is None else tenant_id
        if tid is None:
            raise ApiError("Choose a workspace first.")
        return self.client.tenant(tid)

    # -- signing in and out ---------------------------------------------------------------

    def _new_client(self, server: str) -> CallaroClient:
        return CallaroClient(
            server,
            connect_timeout=float(self.settings.connect_timeout_s),
            read_timeout=float(self.settings.request_timeout_s),
            on_tokens_changed=self._on_tokens_changed,
        )

    async def sign_in(self, server: str, email: str, password: str, *, keep: bool) -> None:
        """Sign in with a password. Raises ApiError; on failure nothing changes."""
        client = self._new_client(server)
        try:
            await client.auth.login(email, password)
            me = await client.me.get()
        except BaseException:
            await client.aclose()
            raise
        await self._adopt(client, server, email, me, keep=keep)

    async def resume(self, server: str, email: str) -> bool:
        """Sign in silently from a stored refresh token; False when there is none or it is dead."""
        try:
            token = await self.vault.get_async(server, email)
        except TokenStoreError as exc:
            log.warning("saved sign-in unreadable: %s", exc)
            self.messages.warning(str(exc))
            return False
        if not token:
            return False
        client = self._new_client(server)
        try:
            await client.auth.resume(token)
            me = await client.me.get()
        except SessionExpired:
            await client.aclose()
            await self._forget_token(server, email)
            return False
        except BaseException:
            await client.aclose()
            raise
        await self._adopt(client, server, email, me, keep=True)
        return True

    async def _adopt(
        self, client: CallaroClient, server: str, email: str, me: Me, *, keep: bool
    ) -> None:
        old = self.client
        self.client = client
        self.server = server
        self.email = normalize_email(email)
        self.keep_signed_in = keep and self.vault.persistent
        if self.vault.persistent:
            self.settings.keep_signed_in = keep
        self.me = me
        self.settings.remember_server(server)
        self.settings.server_url = server
        self.settings.last_email = self.email
        self._persist_settings()
        if old is not None and old is not client:
            await old.aclose()
        # The client may have refreshed before we knew whether to keep the token.
        await self._store_refresh_token(client.auth.tokens)
        self._set_online(True)
        self.me_changed.emit(me)
        await self.load_tenants()
        log.info("signed in to %s; %d workspace(s)", server, len(self.tenants))
        self.signed_in.emit()

    async def load_tenants(self) -> None:
        assert self.client is not None
        tenants: list[TenantRef] = []
        async for t in self.client.tenants.list(per_page=200):
            tenants.append(self._ref(t))
            if len(tenants) >= TENANT_PRELOAD_LIMIT:
                break
        self.tenants = tenants
        self.tenants_changed.emit()
        wanted = self.settings.last_tenant_by_account.get(self.account)
        ids = {t.id for t in tenants}
        if wanted not in ids:
            wanted = tenants[0].id if tenants else None
        self.switch_tenant(wanted)

    def _ref(self, t: Tenant) -> TenantRef:
        role = t.role.value if t.role is not None else None
        if role is None and self.me is not None:
            role = next((m.role.value for m in self.me.memberships if m.tenant_id == t.id), None)
        return TenantRef(t.id, t.name, role)

    def switch_tenant(self, tenant_id: int | None) -> None:
        if tenant_id == self.tenant_id and self.tenant is not None:
            return
        old = self.tenant_id
        if old is not None:
            self.tasks.cancel_scope(old)
        ref = next((t for t in self.tenants if t.id == tenant_id), None)
        self.tenant = ref
        if ref is not None:
            self.settings.remember_tenant(self.account, ref.id)
            self._persist_settings()
        self.tenant_changed.emit(ref)

    async def sign_out(self) -> None:
        client, server, email = self.client, self.server, self.email
        self.tasks.cancel_all()
        self.client = None
        self.me = None
        self.tenant = None
        self.tenants = []
        if client is not None:
            try:
                await client.auth.logout()
            except ApiError as exc:
                # Signing out must work offline too; the server-side session just expires.
                log.info("logout request failed: %s", exc)
            await client.aclose()
        if email:
            await self._forget_token(server, email)
        self.signed_out.emit()

    async def _forget_token(self, server: str, email: str) -> None:
        try:
            await self.vault.delete_async(server, email)
        except TokenStoreError as exc:
            self.messages.warning(str(exc))

    async def close(self) -> None:
        await self.tasks.shutdown()
        if self.client is not None:
            await self.client.aclose()
            self.client = None

    # -- calls ------------------------------------------------------------------------------

    async def call(self, factory: Callable[[], Awaitable[T]]) -> T:
        """Await `factory()`; on a dead session ask for the password once, then replay."""
        try:
            result = await factory()
        except Unauthorized:
            # SessionExpired, or a plain 401 from a call made after the tokens were
            # dropped (e.g. while another call was already waiting for the password).
            if self.client is None or not await self.request_reauth():
                raise
            result = await factory()
        except (ConnectionFailed, RequestTimeout) as exc:
            self._remember_failure(exc)
            self._set_online(False)
            raise
        except ApiError as exc:
            self._remember_failure(exc)
            raise
        self._set_online(True)
        if self.result_filter is not None:
            filtered: T = self.result_filter(result)
            return filtered
        return result

    def _remember_failure(self, exc: ApiError) -> None:
        if exc.request_id:
            self.recent_request_ids.append(exc.request_id)

    async def request_reauth(self) -> bool:
        """Ask the shell for the password; every caller waiting shares one dialog."""
        if self._reauth is None or self._reauth.done():
            self._reauth = asyncio.get_running_loop().create_future()
            self.reauth_requested.emit(self.email)
        return await asyncio.shield(self._reauth)

    async def reauthenticate(self, password: str) -> None:
        """Called by the re-auth dialog. Raises ApiError (the dialog shows it)."""
        assert self.client is not None
        await self.client.auth.login(self.email, password)
        if self._reauth is not None and not self._reauth.done():
            self._reauth.set_result(True)

    def abandon_reauth(self) -> None:
        if self._reauth is not None and not self._reauth.done():
            self._reauth.set_result(False)

    def check_connection(self) -> None:
        """Ping the server (used by the offline indicator's Retry)."""

        async def ping() -> None:
            if self.client is not None:
                with contextlib.suppress(ApiError):
                    await self.call(self.client.me.get)

        self.tasks.run(("connection", None), ping())

    # -- internals -------------------------------------------------------------------------

    def _on_tokens_changed(self, tokens: TokenPair | None) -> None:
        # Called by the transport from inside the loop; keychain I/O goes to a thread.
        if self.client is None or not self.email:
            return
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

    def _set_online(self, online: bool) -> None:
        if online != self.online:
            self.online = online
            self.online_changed.emit(online)

    def _persist_settings(self) -> None:
        try:
            save_settings(self.settings)
        except OSError as exc:
            log.warning("could not save settings: %s", exc)


def role_label(role: str | None) -> str:
    return ROLE_LABELS.get(role or "", role or "")


__all__ = ["Session", "TenantRef", "role_label"]
