"""Find across workspaces: one query (an email, a phone number, an API key prefix) run
against every tenant an account may enter.

Per tenant it asks only what the account's role there may read — users (admins),
phone numbers (everyone), API keys (admins) — so a support engineer entering 250
tenants as Viewer sends one request per tenant, not three with two refused. The
tenants go through services/bulk.py's BulkRunner: bounded concurrency, one shared
pause on 429, Cancel that starts nothing new. Qt-free.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from callaro_desktop.api.client import CallaroClient
from callaro_desktop.services.accounts import Account, TenantRef
from callaro_desktop.services.bulk import BulkRunner, ItemResult, Progress, Summary
from callaro_desktop.services.permissions import Capability, can

# Enough to show what matched; the page opened from a hit shows the rest.
HITS_PER_KIND = 20
DEFAULT_CONCURRENCY = 8


@dataclass(frozen=True)
class Hit:
    tenant: TenantRef
    page_id: str  # the sidebar page that shows the item
    item_id: int
    title: str
    detail: str


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _same(value: Any) -> Any:
    return value


async def search_tenant(
    client: CallaroClient,
    tenant: TenantRef,
    query: str,
    present: Callable[[Any], Any] = _same,
) -> list[Hit]:
    """Every hit for `query` in one tenant, for what the role there may read.

    `present` sees every row before it becomes a hit (presentation mode's privacy
    filter), so a hit shows exactly what the page it opens will show.
    """
    scope = client.tenant(tenant.id)
    q = query.strip()
    hits: list[Hit] = []
    looks_like_key = q.startswith(("sk_", "pk_"))
    looks_like_number = len(_digits(q)) >= 4 and not re.search(r"[a-zA-Z@]", q)
    if can(tenant.role, Capability.USERS) and not looks_like_key and not looks_like_number:
        page = await scope.users.list(search=q, per_page=HITS_PER_KIND).fetch_page(1)
        users = present(page.items)
        hits += [Hit(tenant, "users", u.id, u.display_name or u.email, u.email) for u in users]
    if can(tenant.role, Capability.PHONE_NUMBERS_READ) and not looks_like_key:
        page_n = await scope.phone_numbers.list(search=q, per_page=HITS_PER_KIND).fetch_page(1)
        numbers = present(page_n.items)
        hits += [Hit(tenant, "phone_numbers", n.id, n.e164, n.label or "") for n in numbers]
    if can(tenant.role, Capability.API_KEYS) and (looks_like_key or len(q) >= 3):
        keys = await scope.api_keys.list()
        folded = q.casefold()
        matching = [
            k for k in keys if k.prefix.casefold().startswith(folded) or folded in k.name.casefold()
        ][:HITS_PER_KIND]
        hits += [Hit(tenant, "api_keys", k.id, k.name, k.prefix) for k in present(matching)]
    return hits


class CrossTenantFind:
    """One search over many tenants; `cancel()` stops it promptly."""

    def __init__(
        self,
        account: Account,
        query: str,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        on_result: Callable[[ItemResult[TenantRef, list[Hit]]], None] | None = None,
        on_progress: Callable[[Progress], None] | None = None,
        present: Callable[[Any], Any] | None = None,
    ) -> None:
        self.account = account
        self.query = query
        self.present = present or _same
        self.runner: BulkRunner[TenantRef, list[Hit]] = BulkRunner(
            self._one,
            concurrency=concurrency,
            on_result=on_result,
            on_progress=on_progress,
        )

    async def _one(self, tenant: TenantRef) -> list[Hit]:
        client = self.account.client
        return await self.account.call(
            lambda: search_tenant(client, tenant, self.query, self.present)
        )

    async def run(
        self, tenants: Sequence[TenantRef] | None = None
    ) -> Summary[TenantRef, list[Hit]]:
        return await self.runner.run(list(tenants if tenants is not None else self.account.tenants))

    def cancel(self) -> None:
        self.runner.cancel()
