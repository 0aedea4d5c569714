"""Costs the benchmarks found on the GUI thread, kept from coming back."""

from __future__ import annotations

import asyncio
import ssl
from typing import Any

import httpx
import pytest

from callaro_desktop.api.transport import Transport


def test_clients_share_one_tls_context_and_plain_http_builds_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Loading the CA bundle into a new context took 40-80 ms of the GUI thread per client.
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
    assert plain is False
