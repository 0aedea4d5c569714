"""A fake Callaro server behind httpx.MockTransport, with a clock and sleep that never wait."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from callaro_desktop.api import CallaroClient, Transport

BASE_URL = "https://api.test"
Handler = Callable[[httpx.Request], httpx.Response | Awaitable[httpx.Response]]


def ok(data: Any = None, *, meta: Any = None, status: int = 200, **headers: str) -> httpx.Response:
    body = {"data": data, "message": None, "meta": meta or {}, "request_id": None}
    return httpx.Response(status, json=body, headers=headers)


def fail(
    status: int,
    code: str = "",
    message: str = "nope",
    *,
    errors: Any = None,
    details: Any = None,
    request_id: str | None = "req-1",
    **headers: str,
) -> httpx.Response:
    body = {
        "error": message,
        "error_code": code,
        "details": details or {},
        "errors": errors or {},
        "request_id": request_id,
    }
    return httpx.Response(status, json=body, headers=headers)


def grant(n: int = 1, expires_in: int = 900) -> httpx.Response:
    return ok(
        {
            "access_token": f"access-{n}",
            "refresh_token": f"refresh-{n}",
            "token_type": "Bearer",
            "expires_in": expires_in,
        }
    )


class Harness:
    """Records every request and every sleep; `handler` decides the answers."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.sleeps: list[float] = []
        self.now = datetime(2026, 4, 28, 20, 34, 11, tzinfo=UTC)
        self.jitter = 0.0
        self.handler: Handler = lambda request: ok()
        self.ok, self.fail, self.grant = ok, fail, grant

    def reply(self, *responses: httpx.Response | Exception) -> None:
        """Answer the next requests in order (an exception is raised as the network's)."""
        queue = list(responses)

        def handler(request: httpx.Request) -> httpx.Response:
            item = queue.pop(0)
            if isinstance(item, Exception):
                raise item
            return item

        self.handler = handler

    async def _dispatch(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        result = self.handler(request)
        if isinstance(result, httpx.Response):
            return result
        return await result

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def transport(self, base_url: str = BASE_URL, **options: Any) -> Transport:
        return Transport(
            base_url,
            http_transport=httpx.MockTransport(self._dispatch),
            sleep=self.sleep,
            jitter=lambda: self.jitter,
            now=lambda: self.now,
            **options,
        )

    def client(self, **options: Any) -> CallaroClient:
        return CallaroClient(transport=self.transport(**options))

    def paths(self) -> list[str]:
        return [r.url.path for r in self.requests]

    def body(self, index: int = -1) -> Any:
        return json.loads(self.requests[index].content)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def api() -> Harness:
    return Harness()
