"""API keys: the secret shown once, scopes, rename/deactivate, permanent revoke."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.anyio

ADMIN = "admin@demo.callaro.test"
URL = "/api/v1/api_keys"


async def test_scope_catalogue(client, login) -> None:
    s = await login(ADMIN)
    res = await client.get(f"{URL}/scopes", headers=s.headers())
    scopes = {x["name"]: x for x in res.json()["data"]}
    assert len(scopes) == 11
    assert scopes["contacts:read"]["default"] is True
    assert scopes["billing:partner:allocate"]["default"] is False
    assert scopes["call_traces:admin_read"]["default"] is False
    assert all(x["description"] for x in scopes.values())


async def test_create_shows_the_secret_once(client, login, db) -> None:
    s = await login(ADMIN)
    res = await client.post(URL, json={"name": "  CRM  "}, headers=s.headers())
    assert res.status_code == 201
    key = res.json()["data"]
    assert key["name"] == "CRM"
    assert key["secret"].startswith("sk_live_")
    assert len(key["secret"]) == 48
    assert key["prefix"] == key["secret"][:12]
    assert key["active"] is True and key["last_used_at"] is None
    assert key["created_by"]["email"] == ADMIN
    defaults = [
        x["name"]
        for x in (await client.get(f"{URL}/scopes", headers=s.headers())).json()["data"]
        if x["default"]
    ]
    assert key["scopes"] == defaults

    listed = (await client.get(URL, headers=s.headers())).json()["data"]
    assert key["id"] in [k["id"] for k in listed]
    assert all("secret" not in k for k in listed)
    res = await client.get(f"{URL}/{key['id']}", headers=s.headers())
    assert "secret" not in res.json()["data"]
    # Only a hash is stored.
    stored = db.scalar("SELECT secret_hash FROM api_keys WHERE id = ?", (key["id"],))
    assert key["secret"] not in stored


async def test_scopes_validation(client, login) -> None:
    s = await login(ADMIN)
    for body, field in (
        ({"name": "x", "scopes": []}, "scopes"),
        ({"name": "x", "scopes": ["root"]}, "scopes"),
        ({"name": "   "}, "name"),
        ({}, "name"),
    ):
        res = await client.post(URL, json=body, headers=s.headers())
        assert res.status_code == 422, body
        assert field in res.json()["errors"], res.json()
    res = await client.post(
        URL,
        json={"name": "opt-in", "scopes": ["call_traces:admin_read", "contacts:read"]},
        headers=s.headers(),
    )
    assert res.json()["data"]["scopes"] == ["contacts:read", "call_traces:admin_read"]


async def test_patch_replaces_scopes_and_renames(client, login) -> None:
    s = await login(ADMIN)
    key = (await client.post(URL, json={"name": "k"}, headers=s.headers())).json()["data"]
    res = await client.patch(
        f"{URL}/{key['id']}", json={"scopes": ["voice_sessions:read"]}, headers=s.headers()
    )
    assert res.json()["data"]["scopes"] == ["voice_sessions:read"]
    assert res.json()["data"]["name"] == "k"
    res = await client.patch(f"{URL}/{key['id']}", json={"scopes": []}, headers=s.headers())
    assert res.status_code == 422
    res = await client.patch(f"{URL}/{key['id']}", json={"scopes": None}, headers=s.headers())
    assert res.status_code == 422
    res = await client.patch(
        f"{URL}/{key['id']}", json={"name": "renamed", "active": False}, headers=s.headers()
    )
    data = res.json()["data"]
    assert (data["name"], data["active"], data["scopes"]) == (
        "renamed",
        False,
        ["voice_sessions:read"],
    )


async def test_revoke_is_permanent(client, login) -> None:
    s = await login(ADMIN)
    key = (await client.post(URL, json={"name": "temp"}, headers=s.headers())).json()["data"]
    res = await client.delete(f"{URL}/{key['id']}", headers=s.headers())
    assert res.status_code == 200
    assert "temp" in res.json()["message"]
    for method in ("GET", "PATCH", "DELETE"):
        res = await client.request(
            method, f"{URL}/{key['id']}", json={"name": "x"}, headers=s.headers()
        )
        assert (res.status_code, res.json()["error_code"]) == (404, "API_KEY_NOT_FOUND"), method
    listed = (await client.get(URL, headers=s.headers())).json()["data"]
    assert key["id"] not in [k["id"] for k in listed]


async def test_idempotent_create_returns_the_same_key(client, login, db) -> None:
    s = await login(ADMIN)
    headers = {**s.headers(), "Idempotency-Key": "key-create-1"}
    a = await client.post(URL, json={"name": "once"}, headers=headers)
    b = await client.post(URL, json={"name": "once"}, headers=headers)
    assert a.json()["data"] == b.json()["data"]
    assert db.scalar("SELECT COUNT(*) FROM api_keys WHERE name = 'once'") == 1
    c = await client.post(URL, json={"name": "twice"}, headers=headers)
    assert c.status_code == 409


async def test_keys_are_per_tenant(client, login, db, tenants) -> None:
    s = await login(ADMIN)
    bright_key = db.scalar(
        "SELECT id FROM api_keys WHERE tenant_id = ?", (tenants["Brightline Logistics"],)
    )
    assert (await client.get(f"{URL}/{bright_key}", headers=s.headers())).status_code == 404
    listed = (await client.get(URL, headers=s.headers())).json()
    assert listed["meta"]["count"] == 2  # the seeded revoked key is gone for good
    res = await client.get(URL, params={"search": "crm"}, headers=s.headers())
    assert [k["name"] for k in res.json()["data"]] == ["Production CRM sync"]
    res = await client.get(URL, params={"sort": "name"}, headers=s.headers())
    assert [k["name"] for k in res.json()["data"]] == [
        "Production CRM sync",
        "Reporting (read only)",
    ]
