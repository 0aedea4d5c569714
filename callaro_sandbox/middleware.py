"""The outermost layer: request ids, fault injection, rate limiting, crash-to-envelope.

Written as plain ASGI (not ``BaseHTTPMiddleware``) so the request-id context variable set here
is the one the endpoint sees, and so a "drop" fault can end a response half-way, which makes
uvicorn close the connection like a real proxy hanging up.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import re
import secrets
import time
from collections.abc import Callable

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from callaro_sandbox.config import RateLimit, SandboxConfig
from callaro_sandbox.envelope import code_for_status, error_body, request_id_var
from callaro_sandbox.faults import FaultRule

log = logging.getLogger(__name__)

HTML_502 = (
    b"<html><head><title>502 Bad Gateway</title></head>"
    b"<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"
)
MALFORMED_JSON = b'{"data": {"id": 1, "name": "trunc'


# A client's own id is adopted when it looks like an id: nothing that could forge a log line.
_CLIENT_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


def new_request_id() -> str:
    return "req_" + secrets.token_hex(12)


def request_id_for(scope: Scope) -> str:
    """The client's `X-Request-Id` when it sent a well-formed one, so an attempt it gave up on
    (a timeout, a reset) can be found under the id it shows; otherwise a new one."""
    sent = Headers(scope=scope).get("x-request-id", "")
    return sent if _CLIENT_REQUEST_ID.fullmatch(sent) else new_request_id()


class TokenBucket:
    """Token buckets keyed by credential; ``take`` answers how long to wait (0 = go)."""

    def __init__(self, limit: RateLimit, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}

    def take(self, key: str) -> float:
        rate, burst = self.limit.rate, float(self.limit.burst)
        t = self.clock()
        tokens, last = self._buckets.get(key, (burst, t))
        tokens = min(burst, tokens + (t - last) * rate)
        if tokens >= 1.0:
            self._buckets[key] = (tokens - 1.0, t)
            return 0.0
        self._buckets[key] = (tokens, t)
        if len(self._buckets) > 50_000:
            self._prune(t)
        return (1.0 - tokens) / rate if rate > 0 else 60.0

    def _prune(self, t: float) -> None:
        # Buckets that would be full again carry no state worth keeping.
        full = float(self.limit.burst)
        rate = self.limit.rate
        self._buckets = {k: v for k, v in self._buckets.items() if v[0] + (t - v[1]) * rate < full}


def credential_key(scope: Scope) -> str:
    headers = Headers(scope=scope)
    auth = headers.get("authorization")
    if auth:
        return "auth:" + auth
    key = headers.get("x-api-key")
    if key:
        return "key:" + key
    client = scope.get("client")
    return "anon:" + (str(client[0]) if client else "?")


class SandboxMiddleware:
    def __init__(self, app: ASGIApp, config: SandboxConfig) -> None:
        self.app = app
        self.config = config
        self.limiter: TokenBucket | None = None
        self._limit_seen: RateLimit | None = None

    def _bucket(self) -> TokenBucket | None:
        limit = self.config.rate_limit
        if limit is None:
            return None
        # The config may be swapped at run time (tests); rebuild the buckets when it changes.
        if self.limiter is None or self._limit_seen is not limit:
            self.limiter = TokenBucket(limit)
            self._limit_seen = limit
        return self.limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = request_id_for(scope)
        token = request_id_var.set(rid)
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                MutableHeaders(scope=message)["X-Request-Id"] = rid
            await send(message)

        try:
            path: str = scope["path"]
            method: str = scope["method"]
            if not path.startswith("/sandbox/faults"):
                decision = self.config.faults.decide(method, path, rid)
                if decision.latency_ms:
                    await asyncio.sleep(decision.latency_ms / 1000)
                if decision.rule is not None and decision.rule.body == "truncate":
                    await self.app(scope, receive, _truncating(send_with_id))
                    return
                if decision.rule is not None:
                    await self._inject(decision.rule, send_with_id)
                    return
            bucket = self._bucket()
            if bucket is not None and path.startswith("/api/"):
                wait = bucket.take(credential_key(scope))
                if wait > 0:
                    await self._too_many(send_with_id, wait)
                    return
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("unhandled error in %s %s (%s)", scope.get("method"), scope["path"], rid)
            if started:
                raise
            await _send_json(
                send_with_id, 500, error_body(500, "INTERNAL_ERROR", "Internal server error")
            )
        finally:
            request_id_var.reset(token)

    async def _too_many(self, send: Send, wait: float) -> None:
        retry = max(1, math.ceil(wait))
        body = error_body(
            429,
            "RATE_LIMITED",
            f"Too many requests; retry in {retry} s",
            details={"retry_after": retry},
        )
        await _send_json(send, 429, body, {"Retry-After": str(retry)})

    async def _inject(self, rule: FaultRule, send: Send) -> None:
        extra = {"X-Sandbox-Fault": "1"}
        if rule.rate_limit:
            await self._too_many(send, 1.0)
            return
        if rule.body == "drop":
            # Promise a body, deliver a fragment, return: the server closes the connection.
            await send(
                {
                    "type": "http.response.start",
                    "status": rule.status or 200,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", b"4096"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": b'{"data":', "more_body": True})
            return
        if rule.body == "html502":
            await _send_raw(send, rule.status or 502, HTML_502, "text/html; charset=utf-8", extra)
            return
        if rule.body == "malformed_json":
            await _send_raw(send, rule.status or 200, MALFORMED_JSON, "application/json", extra)
            return
        status = rule.status or 500
        message = f"Injected fault ({status})"
        headers = dict(extra)
        if status == 429:
            headers["Retry-After"] = "1"
        await _send_json(
            send, status, error_body(status, code_for_status(status), message), headers
        )


def _truncating(send: Send) -> Send:
    """Pass the headers on, then only the first half of the first body chunk, then nothing.

    The promised Content-Length is never met, so uvicorn closes the connection mid-body.
    """
    cut = False

    async def truncated(message: Message) -> None:
        nonlocal cut
        if message["type"] != "http.response.body":
            await send(message)
            return
        if cut:
            return
        cut = True
        body: bytes = message.get("body", b"")
        await send(
            {"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True}
        )

    return truncated


async def _send_raw(
    send: Send, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
) -> None:
    raw = [
        (b"content-type", content_type.encode("latin-1")),
        (b"content-length", str(len(body)).encode("latin-1")),
    ]
    raw += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


async def _send_json(
    send: Send, status: int, body: object, headers: dict[str, str] | None = None
) -> None:
    data = json.dumps(body, separators=(",", ":")).encode("utf-8")
    await _send_raw(send, status, data, "application/json", headers)
