"""Invitations: create (idempotent), conflicts, outbox, accept, resend, revoke, expiry."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.anyio

ADMIN = "admin@demo.callaro.test"
URL = "/api/v1/invitations"


async def _outbox(client, to: str) -> list[dict]:
    res = await client.get("/sandbox/outbox", params={"to": to})
    assert res.status_code == 200
    return list(res.json()["data"])


async def test_invite_mail_accept_sign_in(client, login, tenants) -> None:
    s = await login(ADMIN)
    res = await client.post(
        URL,
        json={"email": "  New.Person@Example.com ", "role": "tenant_viewer"},
        headers=s.headers(),
    )
    assert res.status_code == 201
    inv = res.json()["data"]
    assert inv["email"] == "new.person@example.com"
    assert (inv["role"], inv["status"]) == ("tenant_viewer", "pending")
    assert inv["invited_by"]["email"] == ADMIN
    assert inv["expires_at"] > inv["created_at"]
    assert "token" not in inv

    mail = await _outbox(client, "new.person@example.com")
    assert len(mail) == 1
    assert mail[0]["subject"] == "You're invited to Acme Health on Callaro"
    assert mail[0]["accept_url"].endswith(f"/sandbox/invitations/{mail[0]['token']}/accept")

    accept = f"/sandbox/invitations/{mail[0]['token']}/accept"
    res = await client.post(accept, json={"password": "short"})
    assert res.status_code == 422
    assert "password" in res.json()["errors"]
    res = await client.post(accept, json={"password": "a-good-long-password", "display_name": "Nu"})
    assert res.status_code == 200
    assert res.json()["data"]["new_account"] is True
    assert res.json()["data"]["tenant_id"] == tenants["Acme Health"]

    newbie = await login("new.person@example.com", "a-good-long-password")
    me = (await client.get("/api/v1/me", headers=newbie.headers())).json()["data"]
    assert me["roles"] == ["tenant_viewer"]
    assert me["display_name"] == "Nu"
    # Accepted once; the link is spent, and the list shows it accepted.
    assert (await client.post(accept, json={"password": "a-good-long-password"})).status_code == 409
    res = await client.get(URL, params={"status": "accepted"}, headers=s.headers())
    assert "new.person@example.com" in [i["email"] for i in res.json()["data"]]
    assert (
        await client.post("/sandbox/invitations/inv_nope/accept", json={"password": "x" * 12})
    ).status_code == 404


async def test_existing_account_joins_with_its_own_password(client, login, tenants) -> None:
    corvid = await login("owner@corvid.demo.callaro.test")
    res = await client.post(
        URL, json={"email": "viewer@demo.callaro.test"}, headers=corvid.headers()
    )
    assert res.status_code == 201
    assert res.json()["data"]["role"] == "tenant_operator"  # the default
    token = (await _outbox(client, "viewer@demo.callaro.test"))[0]["token"]
    accept = f"/sandbox/invitations/{token}/accept"
    res = await client.post(accept, json={"password": "not-the-password"})
    assert res.status_code == 422
    res = await client.post(accept, json={"password": "demo-password-3"})
    assert res.json()["data"]["new_account"] is False
    viewer = await login("viewer@demo.callaro.test")
    res = await client.get("/api/v1/users", headers=viewer.headers())
    assert res.json()["error_code"] == "TENANT_REQUIRED"


async def test_conflicts_member_and_pending(client, login) -> None:
    s = await login(ADMIN)
    res = await client.post(URL, json={"email": "OPERATOR@demo.callaro.test"}, headers=s.headers())
    assert (res.status_code, res.json()["error_code"]) == (409, "CONFLICT")
    assert "email" in res.json()["errors"]
    res = await client.post(URL, json={"email": "new.hire@acme-health.test"}, headers=s.headers())
    assert res.status_code == 409
    assert res.json()["errors"]["email"] == ["This email already has a pending invitation"]


async def test_validation(client, login) -> None:
    s = await login(ADMIN)
    for body, field in (
        ({"email": "not-an-email"}, "email"),
        ({"email": "a@b.co", "role": "owner"}, "role"),
        ({}, "email"),
    ):
        res = await client.post(URL, json=body, headers=s.headers())
        assert res.status_code == 422, body
        assert field in res.json()["errors"]


async def test_idempotency_key_replays_and_guards(client, login, db) -> None:
    s = await login(ADMIN)
    headers = {**s.headers(), "Idempotency-Key": "invite-42"}
    body = {"email": "retry@example.com", "role": "tenant_viewer"}
    first = await client.post(URL, json=body, headers=headers)
    again = await client.post(URL, json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["data"] == again.json()["data"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert first.json()["request_id"] != again.json()["request_id"]
    assert db.scalar("SELECT COUNT(*) FROM invitations WHERE email = 'retry@example.com'") == 1
    assert len(await _outbox(client, "retry@example.com")) == 1

    # Same key, other intent: refused.
    res = await client.post(URL, json={**body, "role": "tenant_admin"}, headers=headers)
    assert (res.status_code, res.json()["error_code"]) == (409, "CONFLICT")
    # Without a key the same body is a second attempt, which the duplicate check refuses.
    res = await client.post(URL, json=body, headers=s.headers())
    assert res.status_code == 409
    # Keys are per caller: another admin's identical key is independent.
    other = await login("multi@demo.callaro.test")
    res = await client.post(
        URL,
        json={"email": "retry@example.com"},
        headers={**other.headers(2), "Idempotency-Key": "invite-42"},
    )
    assert res.status_code == 201


async def test_failed_create_is_not_remembered(client, login) -> None:
    s = await login(ADMIN)
    headers = {**s.headers(), "Idempotency-Key": "k1"}
    res = await client.post(URL, json={"email": "operator@demo.callaro.test"}, headers=headers)
    assert res.status_code == 409
    # The member leaves; the retry with the same key now succeeds.
    members = await client.get("/api/v1/users", params={"search": "operator@"}, headers=s.headers())
    uid = members.json()["data"][0]["id"]
    await client.delete(f"/api/v1/users/{uid}", headers=s.headers())
    res = await client.post(URL, json={"email": "operator@demo.callaro.test"}, headers=headers)
    assert res.status_code == 201


async def test_list_filter_and_expiry(client, login, clock) -> None:
    s = await login(ADMIN)
    res = await client.get(URL, params={"status": "pending"}, headers=s.headers())
    pending = {i["email"] for i in res.json()["data"]}
    assert pending == {
        "new.hire@acme-health.test", "auditor@acme-health.test", "cfo@acme-health.test"
    }  # fmt: skip
    res = await client.get(URL, params={"status": "expired"}, headers=s.headers())
    assert [i["email"] for i in res.json()["data"]] == ["late@acme-health.test"]
    res = await client.get(URL, headers=s.headers())
    assert res.json()["meta"]["count"] == 5
    created = [i["created_at"] for i in res.json()["data"]]
    assert created == sorted(created, reverse=True)
    res = await client.get(URL, params={"status": "nope"}, headers=s.headers())
    assert res.status_code == 422

    clock.advance(8 * 24 * 3600)
    s = await login(ADMIN)
    res = await client.get(URL, params={"status": "pending"}, headers=s.headers())
    assert res.json()["data"] == []


async def test_resend_and_revoke(client, login, clock) -> None:
    s = await login(ADMIN)
    res = await client.get(URL, params={"status": "expired"}, headers=s.headers())
    late = res.json()["data"][0]
    before = len(await _outbox(client, late["email"]))
    res = await client.post(f"{URL}/{late['id']}/resend", headers=s.headers())
    assert res.status_code == 200
    assert res.json()["data"]["status"] == "pending"
    assert len(await _outbox(client, late["email"])) == before + 1

    res = await client.delete(f"{URL}/{late['id']}", headers=s.headers())
    assert res.status_code == 200
    assert res.json()["data"]["status"] == "revoked"
    assert (await client.delete(f"{URL}/{late['id']}", headers=s.headers())).status_code == 409
    assert (await client.post(f"{URL}/{late['id']}/resend", headers=s.headers())).status_code == 409
    token = (await _outbox(client, late["email"]))[0]["token"]
    res = await client.post(f"/sandbox/invitations/{token}/accept", json={"password": "x" * 12})
    assert res.status_code == 409
    # Revoked frees the address for a new invitation.
    res = await client.post(URL, json={"email": late["email"]}, headers=s.headers())
    assert res.status_code == 201
    assert (await client.delete(f"{URL}/999999", headers=s.headers())).status_code == 404


async def test_other_tenants_invitations_are_invisible(client, login, db, tenants) -> None:
    s = await login(ADMIN)
    bright = db.scalar(
        "SELECT id FROM invitations WHERE tenant_id = ?", (tenants["Brightline Logistics"],)
    )
    res = await client.delete(f"{URL}/{bright}", headers=s.headers())
    assert (res.status_code, res.json()["error_code"]) == (404, "INVITATION_NOT_FOUND")
