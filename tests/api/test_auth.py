"""Sign-in, the one transparent refresh, single flight under concurrency, sign-out."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import anyio
import httpx
import pytest

from callaro_desktop.api import errors as E
from callaro_desktop.api.models import TokenPair
from callaro_desktop.api.routes import Routes

pytestmark = pytest.mark.anyio

ME = Routes.ME_GET
LOGIN, REFRESH, LOGOUT = "/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/auth/logout"


class FakeAuthServer:
    """Issues numbered token pairs, rotates refresh tokens, refuses stale access tokens."""

    def __init__(self, api: Any, *, refresh_ok: bool = True) -> None:
        self.api = api
        self.issued = 0
        self.valid_access: str | None = None
        self.valid_refresh: str | None = None
        self.refresh_ok = refresh_ok
        self.refresh_calls = 0
        self.gate: anyio.Event | None = None  # When set, refresh answers wait for it.

    def _issue(self) -> httpx.Response:
        self.issued += 1
        self.valid_access = f"access-{self.issued}"
        self.valid_refresh = f"refresh-{self.issued}"
        return self.api.grant(self.issued)

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        await anyio.sleep(0)  # Let concurrent requests interleave like a real server.
        path = request.url.path
        if path == LOGIN:
            return self._issue()
        if path == REFRESH:
            self.refresh_calls += 1
            await anyio.sleep(0)
            sent = json.loads(request.content)["refresh_token"]
            if not self.refresh_ok or sent != self.valid_refresh:
                response = self.api.fail(401, "UNAUTHORIZED", "refresh token revoked")
            else:
                response = self._issue()
            if self.gate is not None:
                await self.gate.wait()  # The answer is decided; only its delivery waits.
            return response
        if path == LOGOUT:
            self.valid_refresh = None
            return self.api.ok()
        if request.headers.get("Authorization") != f"Bearer {self.valid_access}":
            return self.api.fail(401, "TOKEN_EXPIRED", "expired")
        return self.api.ok({"path": path, "who": self.valid_access})

    def expire_access(self) -> None:
        self.valid_access = "nobody-has-this"


@pytest.fixture
def server(api: Any) -> FakeAuthServer:
    server = FakeAuthServer(api)
    api.handler = server
    return server


@pytest.fixture
def hook_calls() -> list[TokenPair | None]:
    return []


@pytest.fixture
def transport(api: Any, hook_calls: list[TokenPair | None]) -> Any:
    return api.transport(on_tokens_changed=hook_calls.append)


async def test_login_keeps_tokens_and_sends_bearer(
    api: Any, server: FakeAuthServer, transport: Any, hook_calls: list[Any]
) -> None:
    pair = await transport.login("ops@example.in", "s3cret-password")
    assert api.body(0) == {"email": "ops@example.in", "password": "s3cret-password"}
    assert "Authorization" not in api.requests[0].headers
    assert pair.access_token.get_secret_value() == "access-1"
    assert pair.refresh_token.get_secret_value() == "refresh-1"
    assert pair.expires_at == api.now + timedelta(seconds=900)
    assert hook_calls == [pair] and transport.tokens == pair
    assert "access-1" not in repr(pair) and "refresh-1" not in str(pair)

    env = await transport.request(ME)
    assert env.data["who"] == "access-1"
    assert api.requests[-1].headers["Authorization"] == "Bearer access-1"


async def test_wrong_password_is_unauthorized_without_refresh(
    api: Any, transport: Any, hook_calls: list[Any]
) -> None:
    api.reply(api.fail(401, "UNAUTHORIZED", "Invalid email or password", request_id="r-login"))
    with pytest.raises(E.Unauthorized) as caught:
        await transport.login("ops@example.in", "wrong")
    assert not isinstance(caught.value, E.SessionExpired)
    assert caught.value.request_id == "r-login"
    assert hook_calls == [] and transport.tokens is None
    assert len(api.requests) == 1


async def test_expired_access_token_refreshes_once_and_replays(
    api: Any, server: FakeAuthServer, transport: Any, hook_calls: list[Any]
) -> None:
    await transport.login("a@b.in", "pw")
    server.expire_access()
    env = await transport.request(Routes.USERS_LIST, tenant_id=44)
    assert env.data["who"] == "access-2"
    assert api.paths()[1:] == ["/api/v1/users", REFRESH, "/api/v1/users"]
    assert api.body(2) == {"refresh_token": "refresh-1"}
    assert "Authorization" not in api.requests[2].headers
    assert api.requests[3].headers["X-Tenant-Id"] == "44"
    assert [p.refresh_token.get_secret_value() for p in hook_calls] == ["refresh-1", "refresh-2"]


async def test_keyless_post_is_replayed_after_refresh(
    api: Any, server: FakeAuthServer, transport: Any
) -> None:
    await transport.login("a@b.in", "pw")
    server.expire_access()
    await transport.request(Routes.ME_PASSWORD, body={"current_password": "x"})
    assert api.paths()[1:] == ["/api/v1/me/password", REFRESH, "/api/v1/me/password"]


async def test_ten_concurrent_401s_share_one_refresh(
    api: Any, server: FakeAuthServer, transport: Any, hook_calls: list[Any]
) -> None:
    await transport.login("a@b.in", "pw")
    server.expire_access()
    results: list[Any] = []

    async def load(i: int) -> None:
        results.append(await transport.request(Routes.USERS_UPDATE, path_params={"id": i}))

    async with anyio.create_task_group() as tg:
        for i in range(10):
            tg.start_soon(load, i)

    assert server.refresh_calls == 1
    assert api.paths().count(REFRESH) == 1
    sent = [r.headers.get("Authorization") for r in api.requests]
    assert sent.count("Bearer access-1") == 10  # All ten really met the 401...
    assert sent.count("Bearer access-2") == 10  # ...and all ten were replayed.
    assert len(results) == 10 and all(r.data["who"] == "access-2" for r in results)
    assert len(hook_calls) == 2


async def test_failed_refresh_is_session_expired_for_everyone(
    api: Any, server: FakeAuthServer, transport: Any, hook_calls: list[Any]
) -> None:
    await transport.login("a@b.in", "pw")
    server.expire_access()
    server.refresh_ok = False
    outcomes: list[BaseException] = []

    async def load() -> None:
        try:
            await transport.request(ME)
        except E.ApiError as exc:
            outcomes.append(exc)

    async with anyio.create_task_group() as tg:
        for _ in range(10):
            tg.start_soon(load)

    assert server.refresh_calls == 1
    assert len(outcomes) == 10 and all(isinstance(e, E.SessionExpired) for e in outcomes)
    assert hook_calls[-1] is None and transport.tokens is None and not transport.has_session
    assert "sign in again" in outcomes[0].user_message()


async def test_login_after_session_expired_works_again(
    api: Any, server: FakeAuthServer, transport: Any, hook_calls: list[Any]
) -> None:
    await transport.login("a@b.in", "pw")
    server.expire_access()
    server.refresh_ok = False
    with pytest.raises(E.SessionExpired):
        await transport.request(ME)
    # Until the user signs in again, calls fail as Unauthorized with no refresh attempt.
    with pytest.raises(E.Unauthorized):
        await transport.request(ME)
    assert server.refresh_calls == 1

    server.refresh_ok = True
    await transport.login("a@b.in", "pw")
    env = await transport.request(ME)
    assert env.data["who"] == f"access-{server.issued}"
    assert hook_calls[-1] is not None


async def test_a_cancelled_caller_does_not_abort_the_shared_refresh(
    api: Any, server: FakeAuthServer, transport: Any, hook_calls: list[Any]
) -> None:
    # Aborting mid-flight would spend the rotated refresh token without keeping its successor.
    await transport.login("a@b.in", "pw")
    server.gate = anyio.Event()
    async with anyio.create_task_group() as tg:
        tg.start_soon(transport.refresh)
        while server.refresh_calls == 0:
            await anyio.sleep(0)
        tg.cancel_scope.cancel()
    server.gate.set()
    with anyio.fail_after(5):
        while transport.tokens.refresh_token.get_secret_value() == "refresh-1":
            await anyio.sleep(0.001)
    assert hook_calls[-1].refresh_token.get_secret_value() == "refresh-2"
    assert (await transport.request(ME)).data["who"] == "access-2"
    assert server.refresh_calls == 1


async def test_a_refresh_answer_arriving_after_logout_is_dropped(
    api: Any, server: FakeAuthServer, transport: Any, hook_calls: list[Any]
) -> None:
    await transport.login("a@b.in", "pw")
    server.gate = anyio.Event()
    outcome: list[BaseException] = []

    async def refresh() -> None:
        try:
            await transport.refresh()
        except E.ApiError as exc:
            outcome.append(exc)

    async with anyio.create_task_group() as tg:
        tg.start_soon(refresh)
        while server.refresh_calls == 0:
            await anyio.sleep(0)
        await transport.logout()
        server.gate.set()
    assert len(outcome) == 1 and isinstance(outcome[0], E.SessionExpired)
    assert transport.tokens is None and not transport.has_session
    assert hook_calls[-1] is None


async def test_second_401_after_refresh_is_not_looped(
    api: Any, server: FakeAuthServer, transport: Any
) -> None:
    await transport.login("a@b.in", "pw")

    async def always_401(request: httpx.Request) -> httpx.Response:
        if request.url.path == REFRESH:
            return await server(request)
        return api.fail(401, "UNAUTHORIZED")

    api.handler = always_401
    with pytest.raises(E.Unauthorized) as caught:
        await transport.request(ME)
    assert not isinstance(caught.value, E.SessionExpired)
    assert api.paths()[1:] == ["/api/v1/me", REFRESH, "/api/v1/me"]
    assert transport.tokens is not None


async def test_token_expired_without_a_session_is_raised_as_is(api: Any, transport: Any) -> None:
    api.reply(api.fail(401, "TOKEN_EXPIRED"))
    with pytest.raises(E.TokenExpired):
        await transport.request(ME)
    assert api.paths() == ["/api/v1/me"]


async def test_refresh_network_failure_keeps_the_session(
    api: Any, server: FakeAuthServer, transport: Any, hook_calls: list[Any]
) -> None:
    await transport.login("a@b.in", "pw")
    server.expire_access()

    async def offline_refresh(request: httpx.Request) -> httpx.Response:
        if request.url.path == REFRESH:
            raise httpx.ConnectError("offline")
        return await server(request)

    api.handler = offline_refresh
    with pytest.raises(E.ConnectionFailed):
        await transport.request(ME)
    assert api.paths().count(REFRESH) == 1  # A refresh is never retried: rotation.
    assert transport.has_session and hook_calls[-1] is not None

    api.handler = server
    assert (await transport.request(ME)).data["who"] == "access-2"


async def test_silent_sign_in_from_stored_refresh_token(
    api: Any, server: FakeAuthServer, transport: Any, hook_calls: list[Any]
) -> None:
    server.valid_refresh = "stored-token"
    transport.set_refresh_token("stored-token")
    assert transport.tokens is None and transport.has_session

    async with anyio.create_task_group() as tg:
        for _ in range(5):
            tg.start_soon(transport.request, ME)

    assert api.paths().count(REFRESH) == 1
    assert api.body(0) == {"refresh_token": "stored-token"}
    assert hook_calls[-1].refresh_token.get_secret_value() == "refresh-1"


async def test_short_lived_tokens_are_not_refreshed_before_every_call(
    api: Any, server: FakeAuthServer, transport: Any
) -> None:
    api.handler = lambda request: (
        api.grant(1, expires_in=10) if "/auth/" in request.url.path else api.ok()
    )
    await transport.login("a@b.in", "pw")
    api.now += timedelta(seconds=8)
    await transport.request(ME)
    api.now += timedelta(seconds=1.5)  # Within the last tenth of the lifetime.
    await transport.request(ME)
    assert api.paths() == [LOGIN, "/api/v1/me", REFRESH, "/api/v1/me"]


async def test_token_close_to_expiry_is_refreshed_before_sending(
    api: Any, server: FakeAuthServer, transport: Any
) -> None:
    await transport.login("a@b.in", "pw")
    api.now += timedelta(seconds=900 - 10)
    await transport.request(ME)
    assert api.paths()[1:] == [REFRESH, "/api/v1/me"]
    assert api.requests[-1].headers["Authorization"] == "Bearer access-2"


async def test_logout_revokes_and_forgets(
    api: Any, server: FakeAuthServer, transport: Any, hook_calls: list[Any]
) -> None:
    await transport.login("a@b.in", "pw")
    await transport.logout()
    assert api.paths()[-1] == LOGOUT and api.body() == {"refresh_token": "refresh-1"}
    assert hook_calls[-1] is None and transport.tokens is None
    with pytest.raises(E.SessionExpired):
        await transport.refresh()


async def test_logout_forgets_even_when_the_server_fails(
    api: Any, server: FakeAuthServer, transport: Any, hook_calls: list[Any]
) -> None:
    await transport.login("a@b.in", "pw")
    api.reply(httpx.ConnectError("offline"))
    await transport.logout()
    assert transport.tokens is None and hook_calls[-1] is None


async def test_a_failing_hook_does_not_break_sign_in(api: Any, server: FakeAuthServer) -> None:
    def broken_keychain(pair: TokenPair | None) -> None:
        raise RuntimeError("keychain locked")

    transport = api.transport(on_tokens_changed=broken_keychain)
    await transport.login("a@b.in", "pw")
    assert (await transport.request(ME)).data["who"] == "access-1"


async def test_login_answer_without_tokens_is_bad_response(api: Any, transport: Any) -> None:
    api.reply(api.ok({"access_token": "only-half"}))
    with pytest.raises(E.BadResponse) as caught:
        await transport.login("a@b.in", "pw")
    assert "only-half" not in f"{caught.value!r} {caught.value.__cause__}"
    assert transport.tokens is None
