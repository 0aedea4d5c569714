"""Costs the benchmarks found on the GUI thread, kept from coming back."""

from __future__ import annotations

import asyncio
import ssl
from typing import Any

import httpx
import pytest

from callaro_desktop.api.transport import Transport, tls_context


def test_clients_share_one_tls_context_and_plain_http_one_without_ca_bundle(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Loading the CA bundle into a new context took 40-80 ms of the GUI thread per client.
    # Plain http loads none; httpx still builds a context for each client unless given one.
    given: list[Any] = []
    real_init = httpx.AsyncClient.__init__

    def spy(self: httpx.AsyncClient, *args: Any, **kwargs: Any) -> None:
        given.append(kwargs.get("verify"))
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(httpx.AsyncClient, "__init__", spy)

    async def build() -> None:
        made = [Transport(url) for url in ("https://a.test", "https://b.test", "http://c.test")]
        for transport in made:
            transport._http()
            await transport.aclose()

    asyncio.run(build())
    first, second, plain = given
    assert isinstance(first, ssl.SSLContext) and second is first
    assert isinstance(plain, ssl.SSLContext) and plain is tls_context(False)
    assert plain is not first and plain.verify_mode == ssl.CERT_NONE
    assert plain.cert_store_stats()["x509_ca"] == 0


def test_rows_of_a_page_share_one_fields_set_and_stay_independent() -> None:
    # 100,000 users: 118 MB of rows became 46 MB, a full garbage collection 122 ms became 66.
    from callaro_desktop.api import CallaroClient
    from callaro_desktop.api.models import Role, User

    row = {
        "id": 1,
        "email": "a@example.com",
        "display_name": "A",
        "role": "tenant_admin",
        "status": "active",
        "last_active_at": None,
        "created_at": "2026-01-01T00:00:00Z",
    }
    body = {
        "data": [dict(row, id=i, email=f"u{i}@example.com") for i in range(50)]
        + [{k: v for k, v in row.items() if k != "display_name"} | {"id": 99}],
        "meta": {"count": 51, "page": 1, "per_page": 200, "pages": 1},
    }

    async def page() -> list[User]:
        transport = Transport(
            "https://api.test",
            http_transport=httpx.MockTransport(lambda _r: httpx.Response(200, json=body)),
        )
        client = CallaroClient(transport=transport)
        try:
            return (await client.tenant(1).users.list().fetch_page(1)).items
        finally:
            await client.aclose()

    users = asyncio.run(page())
    sets = {id(u.model_fields_set) for u in users}
    assert len(sets) == 2  # one per shape: with and without display_name
    assert "display_name" not in users[-1].model_fields_set
    changed = users[0].model_copy(update={"role": Role.TENANT_VIEWER})
    assert changed.role is Role.TENANT_VIEWER and users[1].role is Role.TENANT_ADMIN
    assert users[1].model_fields_set == users[0].model_fields_set
    assert users[1].model_dump(exclude_unset=True)["email"] == "u1@example.com"
