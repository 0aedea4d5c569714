"""Session lifecycle: login, expiry, refresh rotation, reuse detection, logout, password."""

from __future__ import annotations

import httpx
import pytest

from callaro_sandbox.app import create_app
from callaro_sandbox.config import SandboxConfig

pytestmark = pytest.mark.anyio

ADMIN = "admin@demo.callaro.test"
PASSWORD = "demo-password-1"


async def test_login_returns_a_bearer_pair(client: httpx.AsyncClient) -> None:
    res = await client.post("/api/v1/auth/login", json={"email": ADMIN, "password": PASSWORD})
    assert res.status_code == 200
    body = res.json()
    assert set(body) == {"data", "message", "meta", "request_id"}
    data = body["data"]
    assert data["token_type"] == "Bearer"
    assert data["expires_in"] == 900
    assert data["access_token"].count(".") == 2
    assert data["refresh_token"].startswith("rt_")


@pytest.mark.parametrize(
    ("email", "password"),
    [(ADMIN, "wrong-password-xx"), ("nobody@demo.callaro.test", PASSWORD), (ADMIN.upper(), "x")],
)
async def test_bad_credentials_are_401_without_saying_which(
    client: httpx.AsyncClient, email: str, password: str
) -> None:
    res = await client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert res.status_code == 401
    assert res.json()["error_code"] == "UNAUTHORIZED"
    assert res.json()["error"] == "Invalid email or password"


async def test_email_is_case_insensitive(client: httpx.AsyncClient) -> None:
    res = await client.post(
        "/api/v1/auth/login", json={"email": ADMIN.upper(), "password": PASSWORD}
    )
    assert res.status_code == 200


async def test_missing_fields_are_field_errors(client: httpx.AsyncClient) -> None:
    res = await client.post("/api/v1/auth/login", json={"email": ADMIN})
    assert res.status_code == 422
    assert res.json()["error_code"] == "VALIDATION_ERROR"
    assert "password" in res.json()["errors"]


async def test_no_token_garbage_token_and_wrong_scheme(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/v1/me")).json()["error_code"] == "UNAUTHORIZED"
    res = await client.get("/api/v1/me", headers={"Authorization": "Bearer not.a.jwt"})
    assert (res.status_code, res.json()["error_code"]) == (401, "UNAUTHORIZED")
    res = await client.get("/api/v1/me", headers={"Authorization": "Basic abc"})
    assert res.status_code == 401


async def test_token_signed_by_another_sandbox_is_rejected(
    client: httpx.AsyncClient, login, db
) -> None:
    other = create_app(db, config=SandboxConfig(jwt_secret="x" * 64, rate_limit=None))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=other), base_url="http://o"
    ) as c:
        res = await c.post("/api/v1/auth/login", json={"email": ADMIN, "password": PASSWORD})
        foreign = res.json()["data"]["access_token"]
    res = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {foreign}"})
    assert res.status_code == 401


async def test_access_token_expires_on_the_sandbox_clock(client, login, clock) -> None:
    s = await login(ADMIN)
    assert (await client.get("/api/v1/me", headers=s.headers())).status_code == 200
    clock.advance(899)
    assert (await client.get("/api/v1/me", headers=s.headers())).status_code == 200
    clock.advance(2)
    res = await client.get("/api/v1/me", headers=s.headers())
    assert (res.status_code, res.json()["error_code"]) == (401, "TOKEN_EXPIRED")
    # The refresh token outlives it and brings the session back.
    res = await client.post("/api/v1/auth/refresh", json={"refresh_token": s.refresh_token})
    assert res.status_code == 200
    fresh = res.json()["data"]["access_token"]
    res = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {fresh}"})
    assert res.status_code == 200


async def test_configurable_ttl_of_one_second(db, clock) -> None:
    app = create_app(db, config=SandboxConfig(access_token_ttl=1, rate_limit=None))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://s") as c:
        res = await c.post("/api/v1/auth/login", json={"email": ADMIN, "password": PASSWORD})
        assert res.json()["data"]["expires_in"] == 1
        headers = {"Authorization": f"Bearer {res.json()['data']['access_token']}"}
        assert (await c.get("/api/v1/me", headers=headers)).status_code == 200
        clock.advance(1)
        assert (await c.get("/api/v1/me", headers=headers)).json()["error_code"] == "TOKEN_EXPIRED"


async def test_refresh_rotates_and_reuse_revokes_the_family(client, login) -> None:
    s = await login(ADMIN)
    first = await client.post("/api/v1/auth/refresh", json={"refresh_token": s.refresh_token})
    assert first.status_code == 200
    pair = first.json()["data"]
    assert pair["refresh_token"] != s.refresh_token
    assert pair["access_token"] != s.access_token

    # Replaying the spent token: refused, and every token of the family dies with it.
    replay = await client.post("/api/v1/auth/refresh", json={"refresh_token": s.refresh_token})
    assert replay.status_code == 401
    assert "already used" in replay.json()["error"]
    res = await client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert res.status_code == 401
    for token in (s.access_token, pair["access_token"]):
        res = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert res.status_code == 401

    # Another login is a new family and unaffected.
    again = await login(ADMIN)
    assert (await client.get("/api/v1/me", headers=again.headers())).status_code == 200


async def test_refresh_token_expiry(client, login, clock) -> None:
    s = await login(ADMIN)
    clock.advance(30 * 24 * 3600 + 1)
    res = await client.post("/api/v1/auth/refresh", json={"refresh_token": s.refresh_token})
    assert (res.status_code, res.json()["error_code"]) == (401, "TOKEN_EXPIRED")


async def test_unknown_refresh_token(client) -> None:
    res = await client.post("/api/v1/auth/refresh", json={"refresh_token": "rt_nope"})
    assert (res.status_code, res.json()["error_code"]) == (401, "UNAUTHORIZED")


async def test_logout_revokes_refresh_and_access(client, login) -> None:
    s = await login(ADMIN)
    other = await login(ADMIN)
    res = await client.post("/api/v1/auth/logout", json={"refresh_token": s.refresh_token})
    assert res.status_code == 200
    assert res.json()["data"] is None
    res = await client.post("/api/v1/auth/refresh", json={"refresh_token": s.refresh_token})
    assert res.status_code == 401
    assert (await client.get("/api/v1/me", headers=s.headers())).status_code == 401
    # Only that session: another device stays signed in.
    assert (await client.get("/api/v1/me", headers=other.headers())).status_code == 200
    # Logging out twice (or with an unknown token) is harmless.
    res = await client.post("/api/v1/auth/logout", json={"refresh_token": s.refresh_token})
    assert res.status_code == 200


async def test_password_change_rules(client, login) -> None:
    s = await login(ADMIN)
    other = await login(ADMIN)
    url = "/api/v1/me/password"
    res = await client.post(
        url,
        json={"current_password": "wrong-one-123", "new_password": "a-brand-new-password"},
        headers=s.headers(),
    )
    assert res.status_code == 422
    assert list(res.json()["errors"]) == ["current_password"]

    res = await client.post(
        url, json={"current_password": PASSWORD, "new_password": "short"}, headers=s.headers()
    )
    assert res.status_code == 422
    assert res.json()["errors"]["new_password"] == ["Password must be at least 12 characters"]

    res = await client.post(
        url,
        json={"current_password": PASSWORD, "new_password": "a-brand-new-password"},
        headers=s.headers(),
    )
    assert res.status_code == 200
    # The session that changed it continues; other sessions are signed out.
    assert (await client.get("/api/v1/me", headers=s.headers())).status_code == 200
    assert (await client.get("/api/v1/me", headers=other.headers())).status_code == 401
    res = await client.post("/api/v1/auth/login", json={"email": ADMIN, "password": PASSWORD})
    assert res.status_code == 401
    await login(ADMIN, "a-brand-new-password")


async def test_last_active_at_moves_on_login(client, login, db, clock) -> None:
    clock.advance(3600)
    await login(ADMIN)
    stamp = db.scalar("SELECT last_active_at FROM users WHERE email = ?", (ADMIN,))
    assert stamp == clock().strftime("%Y-%m-%dT%H:%M:%SZ")
