"""Transport: envelopes, error shapes, retries and their delays, headers, logging."""

from __future__ import annotations

import logging
import platform
import re
import ssl
import uuid
from datetime import timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

import callaro_desktop
from callaro_desktop.api import errors as E
from callaro_desktop.api.routes import Route, Routes
from callaro_desktop.api.transport import Envelope, Transport, parse_retry_after, user_agent

pytestmark = pytest.mark.anyio

ME = Routes.ME_GET
USERS = Routes.USERS_LIST


async def test_envelope_is_unwrapped(api: Any) -> None:
    api.reply(
        httpx.Response(
            200,
            json={
                "data": [{"id": 1}],
                "message": "ok",
                "meta": {"count": 1},
                "request_id": "req-body",
                "extra": True,
            },
            headers={"X-Request-Id": "req-header"},
        )
    )
    env = await api.transport().request(ME)
    assert env == Envelope([{"id": 1}], {"count": 1}, "ok", "req-body", 200)


async def test_request_id_falls_back_to_header_and_odd_fields_are_tolerated(api: Any) -> None:
    api.reply(
        httpx.Response(
            201,
            json={"data": None, "meta": None, "message": 5, "request_id": None},
            headers={"X-Request-Id": "req-h"},
        )
    )
    env = await api.transport().request(ME)
    assert env == Envelope(None, {}, None, "req-h", 201)


async def test_no_content_is_an_empty_envelope(api: Any) -> None:
    api.reply(httpx.Response(204, headers={"X-Request-Id": "r204"}))
    env = await api.transport().request(Routes.USERS_REMOVE, path_params={"id": 3}, tenant_id=1)
    assert (env.data, env.request_id) == (None, "r204")


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (400, "TENANT_REQUIRED", E.TenantRequired),
        (400, "", E.ApiError),
        (401, "UNAUTHORIZED", E.Unauthorized),
        (401, "JWT_REQUIRED", E.Unauthorized),
        (401, "TOKEN_EXPIRED", E.TokenExpired),
        (403, "FORBIDDEN", E.Forbidden),
        (404, "SESSION_NOT_FOUND", E.NotFound),
        (404, "USER_NOT_FOUND", E.NotFound),
        (409, "CONFLICT", E.Conflict),
        (422, "VALIDATION_ERROR", E.ValidationFailed),
        (429, "RATE_LIMITED", E.RateLimited),
        (500, "INTERNAL_ERROR", E.ServerError),
        (503, "SOMETHING_NEW", E.ServerError),
        (418, "SOMETHING_NEW", E.ApiError),
        (404, "SOMETHING_NEW", E.NotFound),
    ],
)
async def test_error_envelopes_map_to_the_tree(
    api: Any, status: int, code: str, cls: type[E.ApiError]
) -> None:
    api.reply(
        api.fail(
            status,
            code,
            "Email already invited",
            errors={"email": ["already invited"]},
            details={"hint": 1},
            request_id="req-9",
        )
    )
    with pytest.raises(E.ApiError) as caught:
        await api.transport(max_retries=0).request(USERS, tenant_id=1)
    err = caught.value
    assert type(err) is cls
    assert (err.status, err.code, err.message) == (status, code, "Email already invited")
    assert err.errors == {"email": ["already invited"]}
    assert err.details == {"hint": 1}
    assert err.request_id == "req-9"
    assert "req-9" in err.user_message()


async def test_rate_limit_carries_retry_after(api: Any) -> None:
    api.reply(api.fail(429, "RATE_LIMITED", **{"Retry-After": "7"}))
    with pytest.raises(E.RateLimited) as caught:
        await api.transport(max_retries=0).request(ME)
    assert caught.value.retry_after == 7.0


async def test_fastapi_style_detail_maps_by_status(api: Any) -> None:
    api.reply(httpx.Response(404, json={"detail": "Not Found"}, headers={"X-Request-Id": "r"}))
    with pytest.raises(E.NotFound) as caught:
        await api.transport().request(ME)
    assert (caught.value.message, caught.value.request_id) == ("Not Found", "r")


@pytest.mark.parametrize(
    ("status", "content", "headers"),
    [
        (502, b"<html><body><h1>502 Bad Gateway</h1></body></html>", {"Content-Type": "text/html"}),
        (500, b"", {}),
        (500, b"   \n", {}),
        (200, b'{"data": {"id": 1, "name": "tru', {"Content-Type": "application/json"}),
        (200, b"[1, 2, 3]", {"Content-Type": "application/json"}),
        (400, b'["not", "an", "object"]', {"Content-Type": "application/json"}),
        (200, b'{"id": 1, "name": "not an envelope"}', {}),
        (200, b'"just a string"', {}),
        (200, b"\xff\xfe\xfa{\x80garbage", {}),
        (403, b"\xc3\x28 not utf8", {}),
    ],
    ids=[
        "html-502",
        "empty-500",
        "blank-500",
        "truncated-200",
        "list-200",
        "list-400",
        "no-data-200",
        "string-200",
        "non-utf8-200",
        "non-utf8-403",
    ],
)
async def test_unreadable_bodies_become_bad_response(
    api: Any, status: int, content: bytes, headers: dict[str, str]
) -> None:
    api.handler = lambda request: httpx.Response(
        status, content=content, headers={"X-Request-Id": "rid", **headers}
    )
    with pytest.raises(E.BadResponse) as caught:
        await api.transport().request(ME)
    err = caught.value
    assert err.status == status
    assert err.request_id == "rid"
    assert f"HTTP {status}" in err.user_message()
    assert len(err.details["excerpt"]) <= 200


async def test_excerpt_never_shows_credentials(api: Any) -> None:
    body = (
        b"<pre>Authorization: Bearer eyJhbGciOi.secretpart\n"
        b'{"refresh_token": "rt-secret", "password": "hunter2hunter2"} key=sk_live_abcdef123</pre>'
    )
    api.handler = lambda request: httpx.Response(502, content=body)
    with pytest.raises(E.BadResponse) as caught:
        await api.transport(max_retries=0).request(ME)
    shown = f"{caught.value.details} {caught.value!r} {caught.value.user_message()}"
    for secret in ("eyJhbGciOi", "secretpart", "rt-secret", "hunter2", "abcdef123"):
        assert secret not in shown
    assert "[redacted]" in caught.value.details["excerpt"]


# --- retries ----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [408, 429, 502, 503, 504])
async def test_transient_statuses_retry_twice_with_backoff(api: Any, status: int) -> None:
    api.reply(httpx.Response(status), httpx.Response(status), api.ok({"id": 1}))
    env = await api.transport().request(ME)
    assert env.data == {"id": 1}
    assert len(api.requests) == 3
    assert api.sleeps == [0.5, 1.0]


async def test_gives_up_after_two_retries(api: Any) -> None:
    api.handler = lambda request: api.fail(503, "INTERNAL_ERROR", request_id="last")
    with pytest.raises(E.ServerError) as caught:
        await api.transport().request(ME)
    assert len(api.requests) == 3
    assert caught.value.request_id == "last"


async def test_jitter_shortens_each_delay_by_up_to_a_quarter(api: Any) -> None:
    api.jitter = 1.0
    api.handler = lambda request: httpx.Response(503)
    with pytest.raises(E.BadResponse):
        await api.transport().request(ME)
    assert api.sleeps == [0.375, 0.75]


async def test_backoff_doubles_up_to_eight_seconds(api: Any) -> None:
    api.handler = lambda request: httpx.Response(502)
    with pytest.raises(E.BadResponse):
        await api.transport(max_retries=7).request(ME)
    assert api.sleeps == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    assert len(api.requests) == 8


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("3", 3.0),
        ("0.25", 0.25),
        ("120", 60.0),
        ("0", 0.0),
        ("-5", 0.0),
        ("soon", 0.5),
        ("", 0.5),
    ],
)
async def test_retry_after_seconds_is_honoured_and_capped(
    api: Any, header: str, expected: float
) -> None:
    api.reply(httpx.Response(429, headers={"Retry-After": header}), api.ok(1))
    await api.transport().request(ME)
    assert api.sleeps == [expected]


async def test_retry_after_http_date(api: Any) -> None:
    when = api.now + timedelta(seconds=10)
    later = api.now + timedelta(minutes=5)
    api.reply(
        httpx.Response(503, headers={"Retry-After": format_datetime(when, usegmt=True)}),
        httpx.Response(503, headers={"Retry-After": format_datetime(later, usegmt=True)}),
        api.ok(1),
    )
    await api.transport().request(ME)
    assert api.sleeps == [10.0, 60.0]


def test_parse_retry_after_edge_cases() -> None:
    from datetime import UTC, datetime

    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert parse_retry_after(None, now) is None
    assert parse_retry_after("nan", now) is None
    assert parse_retry_after("inf", now) is None
    assert parse_retry_after("Wed, 31 Dec 2025 23:59:00 GMT", now) == 0.0
    assert parse_retry_after("Thu, 01 Jan 2026 00:00:30 GMT", now) == 30.0


@pytest.mark.parametrize("status", [401, 403, 404, 409, 422])
async def test_client_errors_are_never_retried(api: Any, status: int) -> None:
    api.handler = lambda request: api.fail(status)
    with pytest.raises(E.ApiError):
        await api.transport().request(Routes.USERS_UPDATE, path_params={"id": 1}, body={})
    assert len(api.requests) == 1
    assert api.sleeps == []


@pytest.mark.parametrize(
    "exc",
    [
        httpx.ConnectError("refused"),
        httpx.ReadError("reset"),
        httpx.RemoteProtocolError("server disconnected"),
        httpx.ConnectTimeout("slow connect"),
    ],
)
async def test_network_errors_retry_then_raise(api: Any, exc: Exception) -> None:
    api.reply(exc, exc, exc)
    with pytest.raises((E.ConnectionFailed, E.RequestTimeout)) as caught:
        await api.transport().request(ME)
    assert len(api.requests) == 3
    assert api.sleeps == [0.5, 1.0]
    assert caught.value.status is None
    assert caught.value.__cause__ is exc


async def test_every_attempt_is_sent_with_its_own_request_id(api: Any) -> None:
    api.reply(httpx.ConnectError("refused"), httpx.Response(502), api.ok("fine"))
    await api.transport().request(ME)
    sent = [r.headers["X-Request-Id"] for r in api.requests]
    assert len(set(sent)) == 3
    assert all(re.fullmatch(r"req_[0-9a-f]{24}", rid) for rid in sent), sent


@pytest.mark.parametrize(
    ("exc", "cls"),
    [
        (httpx.ConnectError("refused"), E.ConnectionFailed),
        (httpx.ReadError("reset"), E.ConnectionFailed),
        (httpx.RemoteProtocolError("server disconnected"), E.ConnectionFailed),
        (httpx.ReadTimeout("slow"), E.RequestTimeout),
    ],
)
async def test_a_failure_with_no_answer_has_the_id_it_was_sent_with(
    api: Any, exc: Exception, cls: type[E.ApiError]
) -> None:
    # The server never answered, so the id to quote is the last attempt's own.
    api.reply(exc, exc, exc)
    with pytest.raises(cls) as caught:
        await api.transport().request(ME)
    assert caught.value.request_id == api.requests[-1].headers["X-Request-Id"]
    assert caught.value.request_id in caught.value.user_message()


async def test_an_answer_without_an_id_keeps_the_one_it_was_sent_with(api: Any) -> None:
    api.reply(httpx.Response(200, json={"data": 1}))
    env = await api.transport().request(ME)
    assert env.request_id == api.requests[0].headers["X-Request-Id"]
    api.reply(httpx.Response(400, text="<html>bad request</html>"))
    with pytest.raises(E.BadResponse) as caught:
        await api.transport().request(Routes.USERS_UPDATE, path_params={"id": 1}, body={})
    assert caught.value.request_id == api.requests[-1].headers["X-Request-Id"]


async def test_the_servers_own_id_wins_over_the_one_sent(api: Any) -> None:
    api.reply(api.fail(500, request_id=None, **{"X-Request-Id": "req_server"}))
    with pytest.raises(E.ApiError) as caught:
        await api.transport().request(Routes.USERS_UPDATE, path_params={"id": 1}, body={})
    assert caught.value.request_id == "req_server"


async def test_network_error_then_success(api: Any) -> None:
    api.reply(httpx.ConnectError("refused"), api.ok("fine"))
    assert (await api.transport().request(ME)).data == "fine"


async def test_read_timeout_is_not_retried(api: Any) -> None:
    api.reply(httpx.ReadTimeout("slow"))
    with pytest.raises(E.RequestTimeout):
        await api.transport().request(ME)
    assert len(api.requests) == 1


async def test_certificate_failure_is_tls_error_and_not_retried(api: Any) -> None:
    try:
        raise ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] self-signed")
    except ssl.SSLError as cause:
        error = httpx.ConnectError("handshake failed")
        error.__cause__ = cause
    api.reply(error)
    with pytest.raises(E.TlsError) as caught:
        await api.transport().request(ME)
    assert isinstance(caught.value, E.ConnectionFailed)
    assert len(api.requests) == 1


@pytest.mark.parametrize("base_url", ["ftp://example.org", "localhost:8000", "", "http://[::1"])
async def test_invalid_base_url_is_connection_failed(base_url: str) -> None:
    # The real httpx transport: these fail before any socket is opened.
    transport = Transport(base_url)
    with pytest.raises(E.ConnectionFailed) as caught:
        await transport.request(ME)
    assert "not a valid" in caught.value.user_message()
    assert caught.value.request_id is None  # Nothing was sent: no id to look up.
    await transport.aclose()


async def test_post_without_key_is_never_retried(api: Any) -> None:
    api.reply(httpx.Response(503), api.ok())
    route = Routes.INVITATIONS_RESEND
    with pytest.raises(E.BadResponse):
        await api.transport().request(route, path_params={"id": 1}, tenant_id=1)
    api.reply(httpx.ConnectError("refused"), api.ok())
    with pytest.raises(E.ConnectionFailed):
        await api.transport().request(route, path_params={"id": 1}, tenant_id=1)
    assert len(api.requests) == 2
    assert all("Idempotency-Key" not in r.headers for r in api.requests)


async def test_post_with_key_retries_with_the_same_key(api: Any) -> None:
    api.reply(httpx.ConnectError("refused"), httpx.Response(502), api.ok({"id": 5}, status=201))
    env = await api.transport().request(
        Routes.INVITATIONS_CREATE, body={"email": "a@b.in"}, tenant_id=1
    )
    assert env.data == {"id": 5}
    keys = {r.headers["Idempotency-Key"] for r in api.requests}
    assert len(api.requests) == 3 and len(keys) == 1
    assert uuid.UUID(keys.pop()).version == 4


async def test_each_intent_gets_its_own_key_unless_one_is_given(api: Any) -> None:
    transport = api.transport()
    for _ in range(2):
        await transport.request(Routes.API_KEYS_CREATE, body={"name": "x"}, tenant_id=1)
    await transport.request(
        Routes.API_KEYS_CREATE, body={"name": "x"}, tenant_id=1, idempotency_key="mine"
    )
    keys = [r.headers["Idempotency-Key"] for r in api.requests]
    assert keys[0] != keys[1] and keys[2] == "mine"


@pytest.mark.parametrize("route", [Routes.USERS_UPDATE, Routes.USERS_REMOVE])
async def test_patch_and_delete_retry(api: Any, route: Route) -> None:
    api.reply(httpx.Response(504), api.ok())
    await api.transport().request(route, path_params={"id": 1}, tenant_id=1)
    assert len(api.requests) == 2


# --- headers, URL, client lifetime ----------------------------------------------------------


async def test_tenant_header_only_on_tenant_routes(api: Any) -> None:
    transport = api.transport()
    await transport.request(USERS, tenant_id=44)
    await transport.request(ME, tenant_id=44)
    assert api.requests[0].headers["X-Tenant-Id"] == "44"
    assert "X-Tenant-Id" not in api.requests[1].headers


async def test_user_agent_and_accept(api: Any) -> None:
    await api.transport().request(ME)
    sent = api.requests[0].headers["User-Agent"]
    assert sent == user_agent()
    assert sent == (
        f"CallaroDesktop/{callaro_desktop.__version__} ({platform.system()} {platform.release()})"
    )
    assert re.fullmatch(r"CallaroDesktop/\d+\.\d+\.\d+\S* \(.+\)", sent)
    assert api.requests[0].headers["Accept"] == "application/json"


async def test_base_url_path_prefix_and_query_cleanup(api: Any) -> None:
    from datetime import date

    transport = api.transport(base_url="https://self.hosted/callaro/")
    await transport.request(
        Routes.USAGE_EVENTS,
        params={"from": date(2026, 4, 1), "to": None, "search": "a b"},
        tenant_id=1,
    )
    url = api.requests[0].url
    assert (url.host, url.path) == ("self.hosted", "/callaro/api/v1/usage/events")
    assert dict(url.params) == {"from": "2026-04-01", "search": "a b"}


async def test_path_params_cannot_escape_the_route(api: Any) -> None:
    await api.transport().request(Routes.USERS_UPDATE, path_params={"id": "../me"}, tenant_id=1)
    assert api.requests[0].url.raw_path == b"/api/v1/users/..%2Fme"


async def test_one_http_client_is_reused_until_closed(api: Any) -> None:
    transport = api.transport(connect_timeout=2.0, read_timeout=9.0)
    await transport.request(ME)
    first = transport._client
    await transport.request(ME)
    assert transport._client is first
    assert first.timeout == httpx.Timeout(9.0, connect=2.0)
    await transport.aclose()
    assert first.is_closed and transport._client is None


async def test_log_lines_hold_no_secrets(api: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="callaro_desktop.api")
    api.handler = lambda request: (
        api.grant(7)
        if request.url.path.endswith("/login")
        else api.fail(404, "USER_NOT_FOUND", **{"X-Request-Id": "req-log"})
    )
    transport = api.transport()
    await transport.login("ops@example.in", "correct horse battery")
    with pytest.raises(E.NotFound):
        await transport.request(Routes.USERS_UPDATE, path_params={"id": 9}, tenant_id=1)
    text = caplog.text
    assert "POST /api/v1/auth/login -> 200" in text
    assert "PATCH /api/v1/users/9 -> 404 [req-log]" in text
    for secret in ("correct horse", "access-7", "refresh-7", "Bearer", "ops@example.in"):
        assert secret not in text
