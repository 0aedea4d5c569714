"""One HTTP connection to one Callaro account: retries, tokens, envelopes, errors.

Everything the pages should never have to think about happens here, so a page only ever
sees data or an `ApiError`: no httpx, json or ssl exception escapes `Transport`.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import math
import platform
import random
import re
import ssl
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, TypedDict

import httpx
from pydantic import SecretStr, ValidationError

from callaro_desktop import __version__
from callaro_desktop.api.errors import (
    ApiError,
    BadResponse,
    ConnectionFailed,
    RateLimited,
    RequestTimeout,
    ServerError,
    SessionExpired,
    TlsError,
    from_error_body,
)
from callaro_desktop.api.models import TokenGrant, TokenPair
from callaro_desktop.api.routes import Route, Routes

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.callaro.ai"
RETRY_STATUSES = frozenset({408, 429, 502, 503, 504})
INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0
MAX_RETRY_AFTER = 60.0
# Refresh a little before expiry so a request does not leave with a token that dies in flight;
# at most a tenth of the lifetime, so a short-lived token is not refreshed before every call.
EXPIRY_MARGIN = timedelta(seconds=30)

#: How long a GET sent ahead (Transport.anticipate) may stand in for the same GET asked later,
#: counted from when it was sent: a page drawn from it shows what the server said at most this
#: long ago, as if the user had switched then.
ANTICIPATION_TTL = timedelta(seconds=10)

#: Turns of the event loop that tasks started together need to reach the transport (a page's
#: loads: their task, the session's call, the client): `requests_sent(after_turns=...)`.
REQUESTS_START_TURNS = 3

# Failures that happened before the server could act on the request, or that a proxy
# produces while the server restarts: worth another try.
_TRANSIENT_ERRORS = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.ReadError,
    httpx.WriteError,
    httpx.RemoteProtocolError,
)

TokensHook = Callable[[TokenPair | None], None]
Sleep = Callable[[float], Awaitable[None]]
Sink = Callable[[bytes], Awaitable[None]]
Progress = Callable[[int, int | None], None]


class TransportOptions(TypedDict, total=False):
    connect_timeout: float
    read_timeout: float
    max_retries: int
    on_tokens_changed: TokensHook | None
    sleep: Sleep
    jitter: Callable[[], float]
    now: Callable[[], datetime]
    http_transport: httpx.AsyncBaseTransport | None
    verify: ssl.SSLContext | bool


@dataclass(frozen=True, slots=True)
class Envelope:
    data: Any
    meta: dict[str, Any] = field(default_factory=dict)
    message: str | None = None
    request_id: str | None = None
    status: int = 200


class _Abandoned(Exception):
    """The GET others were waiting for was cancelled with its caller: they ask themselves."""


# Failures of one attempt rather than answers about the request: a caller that was waiting to
# share that attempt's answer makes its own instead (Transport.request).
_ATTEMPT_FAILURES = (
    ServerError,
    ConnectionFailed,
    RequestTimeout,
    BadResponse,
    RateLimited,
    _Abandoned,
)


GetKey = tuple[str, int | None, str]


def _get_key(
    route: Route,
    path_params: Mapping[str, str | int] | None,
    params: Mapping[str, Any] | None,
    tenant_id: int | None,
) -> GetKey:
    """What a GET asks: the same key, the same answer (path, workspace, query)."""
    return (
        route.url(**(path_params or {})),
        tenant_id if route.tenant_scoped else None,
        repr(sorted(_query(params).items())),
    )


@dataclass(frozen=True, slots=True)
class Call:
    """A GET as a caller asked it, kept to be asked again (Transport.anticipate)."""

    route: Route
    path_params: tuple[tuple[str, str | int], ...]
    params: tuple[tuple[str, Any], ...]
    tenant_id: int | None

    @property
    def key(self) -> GetKey:
        return _get_key(self.route, dict(self.path_params), dict(self.params), self.tenant_id)


_RECORDING: ContextVar[list[Call] | None] = ContextVar("callaro_recording", default=None)


@dataclass(slots=True)
class _Ahead:
    """A GET sent ahead: its answer, when it was sent, and how many askers it is for (the
    Dashboard's wallet and spend cards read the same overview: one request serves both)."""

    task: asyncio.Task[Envelope]
    sent_at: datetime
    askers: int = 1


@contextlib.contextmanager
def recording(into: list[Call]) -> Iterator[list[Call]]:
    """Append to `into` every GET asked inside the block, also by tasks it starts (they
    inherit the context): what a page's load asked, to ask it again ahead of the next one."""
    token = _RECORDING.set(into)
    try:
        yield into
    finally:
        _RECORDING.reset(token)


def user_agent() -> str:
    return f"CallaroDesktop/{__version__} ({platform.system()} {platform.release()})"


def new_idempotency_key() -> str:
    return str(uuid.uuid4())


def new_request_id() -> str:
    """The id each attempt is sent with (`X-Request-Id`), in the server's own format: a failure
    the server never answered (a timeout, a reset) still has an id to quote, one the server
    logged if the request reached it."""
    return "req_" + uuid.uuid4().hex[:24]


def _request_id(response: httpx.Response) -> str | None:
    # The server's id when it names one; otherwise the one this attempt was sent with.
    request_id: str | None = response.headers.get("X-Request-Id")
    return request_id or response.request.headers.get("X-Request-Id")


def _utcnow() -> datetime:
    return datetime.now(UTC)


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); None if unusable."""
    if not value or not value.strip():
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - now).total_seconds()
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


_REDACTIONS = (
    (re.compile(r"(?i)bearer\s+\S+"), "Bearer [redacted]"),
    (
        re.compile(
            r"(?i)((?:authorization|x-api-key|x-partner-api-key|cookie|access_token|"
            r"refresh_token|password|auth_token|secret)[\"']?\s*[:=]\s*)(\"[^\"]*\"|[^\s,;&}]+)"
        ),
        r"\1[redacted]",
    ),
    (re.compile(r"(sk|pk)_[^\s\"'<>]+"), r"\1_[redacted]"),
)


def safe_excerpt(content: bytes, limit: int = 200) -> str:
    """A short, printable, secret-free look at a body, for BadResponse and bug reports."""
    text = content[: limit * 8].decode("utf-8", errors="replace")
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    text = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _bad_response(
    message: str, response: httpx.Response, request_id: str | None, retry_after: float | None
) -> BadResponse:
    return BadResponse(
        f"{message} (HTTP {response.status_code})",
        status=response.status_code,
        details={"excerpt": safe_excerpt(response.content)},
        request_id=request_id,
        retry_after=retry_after,
    )


def _decode_json(
    response: httpx.Response, request_id: str | None, retry_after: float | None
) -> Any:
    if not response.content.strip():
        raise _bad_response("The server sent an empty response", response, request_id, retry_after)
    try:
        return json.loads(response.content)
    except (ValueError, RecursionError) as exc:  # ValueError covers JSON and Unicode errors.
        raise _bad_response(
            "The server sent a response the console could not read",
            response,
            request_id,
            retry_after,
        ) from exc


@functools.cache
def tls_context(https: bool, /) -> ssl.SSLContext | bool:
    """What every client of the process is given for `verify`, built once per kind.

    https: httpx's default verifying context; loading the CA bundle takes tens of ms on the
    GUI thread, and every client (one per account and sign-in) would load its own. Plain
    http: one without a CA bundle, since httpx builds a context for every client even with
    verify=False (2-5 ms of the GUI thread each, once 100 ms on a busy CI machine).
    Positional only: the cache keys `f(x)` and `f(https=x)` apart, two contexts."""
    make = getattr(httpx, "create_ssl_context", None)  # httpx >= 0.28
    if make is None:
        return https  # older httpx: let each client build its own, as before
    context: ssl.SSLContext = make(verify=https)
    return context


async def warm_up(base_url: str | None) -> None:
    """Load now what the first request to `base_url` would load then.

    httpx imports httpcore and h11 when its first client is made, and anyio its asyncio
    backend on the first request (~30 ms together, plus ~15 ms for the CA bundle when the
    server is https). At start-up that would sit between the saved sign-in and its refresh;
    the app calls this while it waits for the keychain instead."""
    # A turn of the loop first: a window just shown paints before these imports run.
    await asyncio.sleep(0)
    import anyio

    https = base_url is not None and base_url.startswith("https:")
    # The connection pool's imports. Not httpx's default verify=True: that would load the
    # CA bundle into a context of its own (~17 ms) for nothing. Each kind is built here
    # once, and every client of the process shares it.
    httpx.AsyncHTTPTransport(verify=tls_context(https))
    await anyio.sleep(0)  # anyio's asyncio backend, loaded for the running loop


def _is_tls_failure(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError) or "CERTIFICATE_VERIFY_FAILED" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _transport_error(exc: Exception, request_id: str) -> ApiError:
    if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol):
        # Nothing was sent: there is no request to look up.
        return ConnectionFailed("The server address is not a valid http(s) URL.")
    if isinstance(exc, httpx.TimeoutException):
        return RequestTimeout(request_id=request_id)
    if isinstance(exc, httpx.ConnectError) and _is_tls_failure(exc):
        return TlsError(request_id=request_id)
    if isinstance(exc, httpx.DecodingError):
        return BadResponse(
            "The server sent a response the console could not decode.", request_id=request_id
        )
    return ConnectionFailed(request_id=request_id)


def _query(params: Mapping[str, Any] | None) -> dict[str, Any]:
    # Callers pass filters straight through; None means "no filter", dates go as YYYY-MM-DD.
    result: dict[str, Any] = {}
    for key, value in (params or {}).items():
        if value is None:
            continue
        result[key] = value.isoformat() if isinstance(value, date) else value
    return result


class Transport:
    """Owns the one `httpx.AsyncClient` and the tokens of one signed-in account."""

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        max_retries: int = 2,
        on_tokens_changed: TokensHook | None = None,
        sleep: Sleep = asyncio.sleep,
        jitter: Callable[[], float] = random.random,
        now: Callable[[], datetime] = _utcnow,
        http_transport: httpx.AsyncBaseTransport | None = None,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.max_retries = max_retries
        self.on_tokens_changed = on_tokens_changed
        self._timeout = httpx.Timeout(read_timeout, connect=connect_timeout)
        self._sleep = sleep
        self._jitter = jitter
        self._now = now
        self._http_transport = http_transport
        self._verify = verify
        self._client: httpx.AsyncClient | None = None
        self._access_token: str | None = None
        self._refresh_token: str | None = None
        self._expires_at: datetime | None = None
        self._refresh_due: datetime | None = None
        # Bumped on every token change, so a request that got a 401 can tell whether the
        # tokens it used have already been replaced by someone else's refresh.
        self._generation = 0
        self._refresh_task: asyncio.Task[TokenPair] | None = None
        # Requests handed to httpx whose bytes have not all been written yet (requests_sent).
        self._unsent: set[asyncio.Future[None]] = set()
        # GETs on their way, by what they ask: the same GET asked again meanwhile shares the
        # answer (request). Emptied by every other call, so no answer older than a write is
        # handed to a GET asked after it.
        self._gets: dict[GetKey, asyncio.Future[Envelope]] = {}
        # GETs sent ahead of their callers (anticipate): the next request()s for
        # the same GET take the answer, as many as it was sent ahead for. Emptied by every
        # other call, as _gets.
        self._anticipated: dict[GetKey, _Ahead] = {}

    async def requests_sent(self, *, after_turns: int = 0) -> None:
        """Return once every request started so far has been written out (or has failed);
        `after_turns` turns of the loop first, for requests whose tasks were only just
        started to reach the transport.

        The GUI thread can then get busy (building or painting a page) while the server works,
        without holding back a request still waiting for its connection: those bytes would
        otherwise leave only when the widgets are done."""
        for _ in range(after_turns):
            await asyncio.sleep(0)
        pending = [f for f in self._unsent if not f.done()]
        if pending:
            await asyncio.wait(pending)

    def _track_sending(self, request: httpx.Request) -> Callable[[], None]:
        """Count `request` as unsent until httpcore reports its body written; the returned
        callable ends that early (the request failed or was cancelled before)."""
        written: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._unsent.add(written)

        def sent() -> None:
            if not written.done():
                written.set_result(None)
            self._unsent.discard(written)

        async def trace(event: str, info: dict[str, Any]) -> None:
            # httpcore's trace hook: "http11.send_request_body.complete" (or http2's).
            if event.endswith("send_request_body.complete"):
                sent()

        request.extensions = {**request.extensions, "trace": trace}
        return sent

    # --- lifecycle ----------------------------------------------------------------------------

    def _http(self) -> httpx.AsyncClient:
        # Created on first use, i.e. inside the running (qasync) loop it will belong to.
        if self._client is None:
            verify = self._verify
            if verify is True:
                # Plain http needs no TLS context; https shares one per process.
                verify = tls_context(self.base_url.startswith("https:"))
            self._client = httpx.AsyncClient(
                base_url=self.base_url,
                timeout=self._timeout,
                headers={"User-Agent": user_agent(), "Accept": "application/json"},
                transport=self._http_transport,
                verify=verify,
                follow_redirects=False,
            )
        return self._client

    async def aclose(self) -> None:
        self.drop_anticipated()
        task, self._refresh_task = self._refresh_task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(BaseException):
                await task
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()

    # --- tokens -------------------------------------------------------------------------------

    @property
    def tokens(self) -> TokenPair | None:
        if self._access_token is None or self._refresh_token is None:
            return None
        return TokenPair(
            access_token=SecretStr(self._access_token),
            refresh_token=SecretStr(self._refresh_token),
            expires_at=self._expires_at,
        )

    @property
    def has_session(self) -> bool:
        return self._refresh_token is not None

    def set_refresh_token(self, token: str | None) -> None:
        """Start from a stored refresh token; the first authenticated call signs in silently."""
        self._access_token = None
        self._refresh_token = token
        self._expires_at = self._refresh_due = None
        self._generation += 1

    def _set_tokens(self, pair: TokenPair | None) -> None:
        self._access_token = pair.access_token.get_secret_value() if pair else None
        self._refresh_token = pair.refresh_token.get_secret_value() if pair else None
        self._expires_at = pair.expires_at if pair else None
        self._refresh_due = None
        self._generation += 1
        if self.on_tokens_changed is not None:
            try:
                self.on_tokens_changed(pair)
            except Exception:
                # A keychain that fails to save must not turn a good sign-in into an error.
                logger.exception("on_tokens_changed hook failed")

    def _accept_grant(self, envelope: Envelope) -> TokenPair:
        try:
            grant = TokenGrant.model_validate(envelope.data)
        except ValidationError as exc:
            raise BadResponse(
                "The server's sign-in answer had no usable tokens.",
                status=envelope.status,
                request_id=envelope.request_id,
            ) from exc
        expires_at = None
        if grant.expires_in is not None:
            lifetime = timedelta(seconds=grant.expires_in)
            expires_at = self._now() + lifetime
        pair = TokenPair(
            access_token=grant.access_token,
            refresh_token=grant.refresh_token,
            expires_at=expires_at,
        )
        self._set_tokens(pair)
        if expires_at is not None:
            self._refresh_due = expires_at - min(EXPIRY_MARGIN, lifetime / 10)
        return pair

    async def login(self, email: str, password: str) -> TokenPair:
        envelope = await self.request(
            Routes.AUTH_LOGIN, body={"email": email, "password": password}
        )
        return self._accept_grant(envelope)

    async def refresh(self) -> TokenPair:
        """Exchange the refresh token now, joining a refresh that is already running."""
        if self._refresh_task is None:
            if self._refresh_token is None:
                raise SessionExpired()
            task = asyncio.get_running_loop().create_task(self._refresh_now())
            task.add_done_callback(_consume_exception)
            self._refresh_task = task
        # Shielded: a cancelled page load must not abort a refresh other requests wait on,
        # or the rotated refresh token could be spent without our ever seeing its successor.
        return await asyncio.shield(self._refresh_task)

    async def _refresh_now(self) -> TokenPair:
        token = self._refresh_token
        try:
            if token is None:
                raise SessionExpired()
            try:
                envelope = await self.request(Routes.AUTH_REFRESH, body={"refresh_token": token})
            except ApiError as exc:
                refused = exc.status is not None and 400 <= exc.status < 500
                if not refused or exc.status in RETRY_STATUSES:
                    raise  # The network or the server failed, not the token: keep it.
                if self._refresh_token == token:
                    self._set_tokens(None)
                raise SessionExpired(
                    status=exc.status, code=exc.code, request_id=exc.request_id
                ) from exc
            if self._refresh_token != token:
                # Signed out (or in again) while this was in flight: the answer is stale.
                current = self.tokens
                if current is None:
                    raise SessionExpired()
                return current
            return self._accept_grant(envelope)
        finally:
            if self._refresh_task is asyncio.current_task():
                self._refresh_task = None

    async def logout(self) -> None:
        """Forget the tokens locally first (that part cannot fail), then revoke them."""
        token = self._refresh_token
        self._set_tokens(None)
        if token is None:
            return
        try:
            await self.request(Routes.AUTH_LOGOUT, body={"refresh_token": token})
        except ApiError as exc:
            logger.warning("Server-side sign-out failed: %r", exc)

    async def _ensure_access_token(self) -> None:
        if self._refresh_token is None:
            return
        expiring = self._refresh_due is not None and self._now() >= self._refresh_due
        if self._access_token is None or expiring:
            await self.refresh()

    async def _refresh_after_401(self, generation: int) -> None:
        replaced = self._generation != generation and self._access_token is not None
        if self._refresh_task is None and replaced:
            return  # Someone else's refresh (or a login) already replaced the tokens we sent.
        await self.refresh()  # SessionExpired if the tokens are gone meanwhile.

    # --- requests -----------------------------------------------------------------------------

    async def request(
        self,
        route: Route,
        *,
        path_params: Mapping[str, str | int] | None = None,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        tenant_id: int | None = None,
        idempotency_key: str | None = None,
    ) -> Envelope:
        """Send one call of the contract and unwrap its envelope, or raise an ApiError.

        A GET asked while the same GET (path, query and workspace) is still on its way waits for
        that one's answer instead of sending another: the Dashboard's wallet and spend cards both
        read the billing overview, and a page reloaded while it loads asks again. The answer is
        shared, and so is a failure that is the request's own (not found, forbidden, the session
        over); after a failure of that attempt (a server error, the network, a rate limit, its
        caller cancelled) the later caller sends its own: a Retry pressed while an earlier
        attempt is still failing must try again, not inherit that failure. Any other call first
        forgets the GETs on their way, so a GET asked after a write always goes out.
        """
        if route.method != "GET" or body is not None:
            self._gets.clear()
            self.drop_anticipated()
            response = await self._call(
                route, path_params, params, body, tenant_id, idempotency_key
            )
            return self._unwrap(response)
        if (asked := _RECORDING.get()) is not None:
            query = tuple(sorted(_query(params).items()))
            asked.append(Call(route, tuple((path_params or {}).items()), query, tenant_id))
        key = _get_key(route, path_params, params, tenant_id)
        if (shared := self._gets.get(key)) is not None:
            self._asked_ahead(key)  # (served by the same answer: one asker fewer to wait for)
            try:
                # Shielded: this caller being cancelled must not cancel the first one's answer.
                return await asyncio.shield(shared)
            except _ATTEMPT_FAILURES:
                pass  # That attempt failed, not the request: this caller makes its own.
        # The first to ask sends it from its own task, as any other request: it goes on the wire
        # as soon as before, and cancelling that caller (a switch, a closed page) stops it.
        answer = asyncio.get_running_loop().create_future()
        self._gets[key] = answer
        try:
            envelope = await self._early_answer(key)
            if envelope is None:
                envelope = self._unwrap(
                    await self._call(route, path_params, params, None, tenant_id, None)
                )
        except Exception as exc:
            answer.set_exception(exc)
            raise
        except BaseException:  # Cancelled (or the process is ending): the others ask again.
            answer.set_exception(_Abandoned())
            raise
        else:
            answer.set_result(envelope)
            return envelope
        finally:
            answer.exception()  # An answer nobody else waited for is not "never retrieved".
            if self._gets.get(key) is answer:
                del self._gets[key]

    # --- GETs sent ahead ------------------------------------------------------------------

    def anticipate(self, calls: Iterable[Call]) -> int:
        """Send `calls` (GETs) now, for a caller expected to ask for them in a moment: the user
        has a workspace highlighted in the switcher, and these are what the page on screen
        asked of it last time. Within ANTICIPATION_TTL, the next request()s for the same GET
        (as many as `calls` holds it) take the answer instead of waiting for their own; a
        failed guess costs them nothing (they ask as ever). Whatever was sent ahead before is
        dropped first: one guess at a time. Returns how many requests went out."""
        self.drop_anticipated()
        return sum(self._ahead(call) for call in calls)

    def _ahead(self, call: Call) -> bool:
        """Send `call` ahead; False when it needs no request of its own (the same GET is
        already on its way, ahead or asked)."""
        key = call.key
        if (sent := self._anticipated.get(key)) is not None:
            sent.askers += 1
            return False
        if key in self._gets:
            return False
        task = asyncio.ensure_future(self._send_ahead(call))
        self._anticipated[key] = _Ahead(task, self._now())

        def done(task: asyncio.Task[Envelope]) -> None:
            _consume_exception(task)
            # A failed answer is of no use to anyone (its askers would ask anew): not kept.
            failed = task.cancelled() or task.exception() is not None
            if failed and (kept := self._anticipated.get(key)) is not None and kept.task is task:
                del self._anticipated[key]

        task.add_done_callback(done)
        return True

    async def _send_ahead(self, call: Call) -> Envelope:
        response = await self._call(
            call.route,
            dict(call.path_params),
            dict(call.params),
            None,
            call.tenant_id,
            None,
            retry=False,  # a guess: a busy server (429, 503) is not asked twice for it
        )
        return self._unwrap(response)

    def drop_anticipated(self) -> None:
        """Cancel and forget the GETs sent ahead (the guess was wrong, or a write made them
        old)."""
        anticipated, self._anticipated = self._anticipated, {}
        for sent in anticipated.values():
            sent.task.cancel()

    @property
    def anticipated(self) -> list[GetKey]:
        """The GETs sent ahead that a request may still take."""
        return list(self._anticipated)

    def _asked_ahead(self, key: GetKey) -> bool:
        """One of the askers a GET was sent ahead for has come (and is served, by that answer
        or by the same GET's on its way); whether it was the last, the answer then forgotten."""
        sent = self._anticipated.get(key)
        if sent is None:
            return False
        sent.askers -= 1
        if sent.askers > 0:
            return False
        del self._anticipated[key]
        return True

    async def _early_answer(self, key: GetKey) -> Envelope | None:
        """The answer of the same GET sent ahead, if one was and it is fresh and went well;
        None for the caller to send its own."""
        sent = self._anticipated.get(key)
        if sent is None:
            return None
        if self._now() - sent.sent_at > ANTICIPATION_TTL:
            del self._anticipated[key]
            sent.task.cancel()
            return None
        last = self._asked_ahead(key)
        try:
            # The last asker owns it: cancelling that caller (a switch straight back) stops it,
            # as it would stop the caller's own request. Others wait on it shielded.
            return await (sent.task if last else asyncio.shield(sent.task))
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise
            return None  # (dropped meanwhile, by a write or a newer guess: ask anew)
        except Exception:
            return None  # the guess failed (a 429, the network): the caller's own try decides

    async def request_bytes(
        self,
        route: Route,
        *,
        path_params: Mapping[str, str | int] | None = None,
        tenant_id: int | None = None,
        media_type: str = "application/pdf",
    ) -> bytes:
        """A non-enveloped download; anything but the expected media type is a BadResponse."""
        response = await self._call(route, path_params, None, None, tenant_id, None, media_type)
        request_id = _request_id(response)
        if not response.is_success:
            raise self._error(response, request_id)
        if not response.headers.get("Content-Type", "").startswith(media_type):
            raise _bad_response("The server did not send a file", response, request_id, None)
        return response.content

    async def download(
        self,
        route: Route,
        sink: Sink,
        *,
        path_params: Mapping[str, str | int] | None = None,
        tenant_id: int | None = None,
        media_type: str = "application/pdf",
        progress: Progress | None = None,
    ) -> int:
        """Stream a non-enveloped download into `sink`; returns the byte count.

        `progress(received, total)` follows each chunk (total from Content-Length, or None).
        Retries and re-authentication happen only before the first byte reaches the sink: a
        body that breaks off half-way raises BadResponse (RequestTimeout if it stalls), and
        the caller drops its copy rather than receiving a file spliced from two answers.
        """
        response = await self._call(
            route, path_params, None, None, tenant_id, None, media_type, stream=True
        )
        try:
            request_id = _request_id(response)
            if not response.is_success:
                await response.aread()
                raise self._error(response, request_id)
            if not response.headers.get("Content-Type", "").startswith(media_type):
                await response.aread()
                raise _bad_response("The server did not send a file", response, request_id, None)
            length = response.headers.get("Content-Length", "")
            total = int(length) if length.isdigit() else None
            received = 0
            try:
                async for chunk in response.aiter_bytes():
                    await sink(chunk)
                    received += len(chunk)
                    if progress is not None:
                        progress(received, total)
            except httpx.TimeoutException as exc:
                raise RequestTimeout(request_id=request_id) from exc
            except httpx.HTTPError as exc:
                # The server answered and then the body broke off: a cut-off answer, not an
                # unreachable server (which would also mark the console offline).
                raise BadResponse(
                    "The download broke off before the file was complete.",
                    status=response.status_code,
                    request_id=request_id,
                ) from exc
            return received
        finally:
            await response.aclose()

    async def _call(
        self,
        route: Route,
        path_params: Mapping[str, str | int] | None,
        params: Mapping[str, Any] | None,
        body: Any,
        tenant_id: int | None,
        idempotency_key: str | None,
        accept: str = "application/json",
        *,
        stream: bool = False,
        retry: bool = True,
    ) -> httpx.Response:
        url = route.url(**(path_params or {}))
        headers = {"Accept": accept}
        if route.tenant_scoped and tenant_id is not None:
            headers["X-Tenant-Id"] = str(tenant_id)
        if route.creates and idempotency_key is None:
            idempotency_key = new_idempotency_key()  # One intent, one key, every retry.
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        retryable = retry and (route.method != "POST" or idempotency_key is not None)
        query = _query(params)
        replayed = False
        while True:
            if route.auth:
                await self._ensure_access_token()
                if self._access_token is not None:
                    headers["Authorization"] = f"Bearer {self._access_token}"
                else:
                    headers.pop("Authorization", None)
            generation = self._generation
            response = await self._send(route, url, headers, query, body, retryable, stream)
            refreshable = self._refresh_token is not None or self._generation != generation
            if response.status_code != 401 or not route.auth or replayed or not refreshable:
                return response
            await response.aclose()
            # A 401 means the server did nothing, so replaying even a keyless POST is safe.
            await self._refresh_after_401(generation)
            replayed = True

    async def _send(
        self,
        route: Route,
        url: str,
        headers: Mapping[str, str],
        query: Mapping[str, Any],
        body: Any,
        retryable: bool,
        stream: bool = False,
    ) -> httpx.Response:
        attempt = 0
        while True:
            started = time.perf_counter()
            request_id = new_request_id()
            try:
                # build_request + send is what request() does; send can also leave the body
                # unread (stream=True) for downloads.
                client = self._http()
                request = client.build_request(
                    route.method,
                    url,
                    headers={**headers, "X-Request-Id": request_id},
                    params=query,
                    json=body,
                )
                sent = self._track_sending(request)
                try:
                    response = await client.send(request, stream=stream)
                finally:
                    sent()
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                error = _transport_error(exc, request_id)
                _log(route, url, type(exc).__name__, error.request_id, started)
                transient = isinstance(exc, _TRANSIENT_ERRORS) and not isinstance(error, TlsError)
                if retryable and transient and attempt < self.max_retries:
                    await self._sleep(self._backoff(attempt))
                    attempt += 1
                    continue
                raise error from exc
            _log(route, url, response.status_code, _request_id(response), started)
            if retryable and response.status_code in RETRY_STATUSES and attempt < self.max_retries:
                await response.aclose()
                wait = parse_retry_after(response.headers.get("Retry-After"), self._now())
                await self._sleep(
                    min(wait, MAX_RETRY_AFTER) if wait is not None else self._backoff(attempt)
                )
                attempt += 1
                continue
            return response

    def _backoff(self, attempt: int) -> float:
        base = min(INITIAL_RETRY_DELAY * 2.0**attempt, MAX_RETRY_DELAY)
        return base * (1 - 0.25 * self._jitter())

    # --- envelopes ----------------------------------------------------------------------------

    def _unwrap(self, response: httpx.Response) -> Envelope:
        request_id = _request_id(response)
        status = response.status_code
        if not response.is_success:
            raise self._error(response, request_id)
        if status == 204:
            return Envelope(None, request_id=request_id, status=status)
        payload = _decode_json(response, request_id, None)
        if not isinstance(payload, dict) or "data" not in payload:
            raise _bad_response(
                "The server's answer is not a Callaro response", response, request_id, None
            )
        meta, message, body_id = (
            payload.get("meta"),
            payload.get("message"),
            payload.get("request_id"),
        )
        return Envelope(
            data=payload["data"],
            meta=meta if isinstance(meta, dict) else {},
            message=message if isinstance(message, str) else None,
            request_id=body_id if isinstance(body_id, str) else request_id,
            status=status,
        )

    def _error(self, response: httpx.Response, request_id: str | None) -> ApiError:
        retry_after = parse_retry_after(response.headers.get("Retry-After"), self._now())
        try:
            payload = _decode_json(response, request_id, retry_after)
        except BadResponse as exc:
            return exc
        if not isinstance(payload, dict):
            return _bad_response(
                "The server's error is not a Callaro response", response, request_id, retry_after
            )
        return from_error_body(
            response.status_code, payload, request_id=request_id, retry_after=retry_after
        )


def _consume_exception(task: asyncio.Task[Any]) -> None:
    # Every waiter may have been cancelled; reading the exception keeps asyncio from
    # logging "exception was never retrieved" for an outcome already handled.
    if not task.cancelled():
        task.exception()


def _log(
    route: Route, url: str, outcome: int | str, request_id: str | None, started: float
) -> None:
    # Method, path, outcome, request id and duration only: never headers, query or bodies.
    elapsed_ms = (time.perf_counter() - started) * 1000
    level = logging.DEBUG if isinstance(outcome, int) and outcome < 400 else logging.INFO
    logger.log(
        level, "%s %s -> %s [%s] %.0f ms", route.method, url, outcome, request_id, elapsed_ms
    )
