"""One real request over loopback, driven by the qasync loop the app runs on.

The client is Qt-free, but it lives inside a Qt event loop: this proves httpx's sockets,
timeouts and the lazily created AsyncClient work there, and that it closes cleanly.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

# qasync picks its Qt binding at import time; PyQt6 would win if it were installed.
os.environ.setdefault("QT_API", "pyside6")

import qasync

from callaro_desktop.api import CallaroClient


class _Handler(BaseHTTPRequestHandler):
    seen: ClassVar[list[dict[str, str]]] = []

    def do_GET(self) -> None:
        type(self).seen.append({"path": self.path, **dict(self.headers.items())})
        body = json.dumps(
            {
                "data": {
                    "id": 1,
                    "email": "ops@acme.in",
                    "display_name": "Ops",
                    "timezone": "Asia/Kolkata",
                    "roles": ["tenant_admin"],
                    "memberships": [
                        {"tenant_id": 44, "tenant_name": "Acme", "role": "tenant_admin"}
                    ],
                    "platform_role": None,
                },
                "message": None,
                "meta": {},
                "request_id": "req-loopback",
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # Keep the test output clean.


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def test_real_request_through_the_qasync_loop(qapp: Any, server: str) -> None:
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)

    async def fetch() -> Any:
        client = CallaroClient(server, connect_timeout=2.0, read_timeout=5.0)
        try:
            return await client.me.get(), asyncio.get_running_loop()
        finally:
            await client.aclose()

    try:
        me, running = loop.run_until_complete(asyncio.wait_for(fetch(), timeout=15))
    finally:
        loop.close()
        asyncio.set_event_loop(None)

    assert running is loop
    assert me.email == "ops@acme.in" and me.memberships[0].tenant_name == "Acme"
    request = _Handler.seen[-1]
    assert request["path"] == "/api/v1/me"
    assert request["User-Agent"].startswith("CallaroDesktop/")
    assert "X-Tenant-Id" not in request
