"""Tenant resolution: X-Tenant-Id, TENANT_REQUIRED, foreign tenants, support staff, API keys."""

from __future__ import annotations

import httpx
import pytest
from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from callaro_sandbox.context import TenantCtx, tenant_ctx
from callaro_sandbox.envelope import ok

pytestmark = pytest.mark.anyio

ADMIN = "admin@demo.callaro.test"
VIEWER = "viewer@demo.callaro.test"
MULTI = "multi@demo.callaro.test"
SUPPORT = "support@demo.callaro.test"


async def test_single_membership_defaults_to_its_tenant(client, login, tenants) -> None:
    s = await login(ADMIN)
    res = await client.get("/api/v1/me", headers=s.headers())
    me = res.json()["data"]
    assert me["roles"] == ["tenant_admin"]
    assert me["memberships"] == [
        {"tenant_id": tenants["Acme Health"], "tenant_name": "Acme Health", "role": "tenant_admin"}
    ]
    assert (await client.get("/api/v1/users", headers=s.headers())).status_code == 200


async def test_member_of_two_tenants_must_choose(client, login, tenants) -> None:
    s = await login(MULTI)
    res = await client.get("/api/v1/users", headers=s.headers())
    assert (res.status_code, res.json()["error_code"]) == (400, "TENANT_REQUIRED")
    # Admin in Brightline, Operator in Acme: the header decides which role applies.
    bright, acme = tenants["Brightline Logistics"], tenants["Acme Health"]
    assert (await client.get("/api/v1/users", headers=s.headers(bright))).status_code == 200
    res = await client.get("/api/v1/users", headers=s.headers(acme))
    assert (res.status_code, res.json()["error_code"]) == (403, "FORBIDDEN")
    me = (await client.get("/api/v1/me", headers=s.headers(acme))).json()["data"]
    assert me["roles"] == ["tenant_operator"]
    assert len(me["memberships"]) == 2
    # /me works without a tenant too; it just has no current roles.
    me = (await client.get("/api/v1/me", headers=s.headers())).json()["data"]
    assert me["roles"] == []
    res = await client.get("/api/v1/tenants", headers=s.headers())
    assert {t["name"]: t["role"] for t in res.json()["data"]} == {
        "Acme Health": "tenant_operator",
        "Brightline Logistics": "tenant_admin",
    }


async def test_foreign_tenant_is_forbidden(client, login, tenants) -> None:
    s = await login(ADMIN)
    res = await client.get(
        "/api/v1/onboarding/checklist", headers=s.headers(tenants["Corvid Studio"])
    )
    assert (res.status_code, res.json()["error_code"]) == (403, "FORBIDDEN")
    # A tenant that does not exist looks the same: no probing for ids.
    res = await client.get("/api/v1/onboarding/checklist", headers=s.headers(999_999))
    assert res.status_code == 403


async def test_bad_tenant_header_is_a_field_error(client, login) -> None:
    s = await login(ADMIN)
    headers = {**s.headers(), "X-Tenant-Id": "acme"}
    res = await client.get("/api/v1/onboarding/checklist", headers=headers)
    assert res.status_code == 422
    assert "X-Tenant-Id" in res.json()["errors"]


async def test_support_enters_every_tenant_as_viewer(client, login, tenants) -> None:
    s = await login(SUPPORT)
    res = await client.get("/api/v1/onboarding/checklist", headers=s.headers())
    assert res.json()["error_code"] == "TENANT_REQUIRED"
    for name in ("Acme Health", "Corvid Studio"):
        headers = s.headers(tenants[name])
        assert (
            await client.get("/api/v1/onboarding/checklist", headers=headers)
        ).status_code == 200
        res = await client.get("/api/v1/users", headers=headers)
        assert res.status_code == 403
        res = await client.post("/api/v1/onboarding/checklist/dismiss", headers=headers)
        assert res.status_code == 403
        me = (await client.get("/api/v1/me", headers=headers)).json()["data"]
        assert me["roles"] == ["tenant_viewer"]
        assert me["platform_role"] == "platform_support"
    res = await client.get("/api/v1/onboarding/checklist", headers=s.headers(999_999))
    assert (res.status_code, res.json()["error_code"]) == (404, "TENANT_NOT_FOUND")


async def test_support_membership_grants_more_than_viewer(client, login, db, tenants) -> None:
    support_id = db.scalar("SELECT id FROM users WHERE email = ?", (SUPPORT,))
    db.insert(
        "memberships",
        user_id=support_id,
        tenant_id=tenants["Corvid Studio"],
        role="tenant_admin",
        status="active",
        created_at="2026-01-01T00:00:00Z",
    )
    s = await login(SUPPORT)
    res = await client.get("/api/v1/users", headers=s.headers(tenants["Corvid Studio"]))
    assert res.status_code == 200
    res = await client.get("/api/v1/users", headers=s.headers(tenants["Acme Health"]))
    assert res.status_code == 403


async def test_support_lists_hundreds_of_tenants_with_search(client, login) -> None:
    s = await login(SUPPORT)
    res = await client.get("/api/v1/tenants", headers=s.headers(), params={"per_page": 200})
    body = res.json()
    assert body["meta"] == {"count": 253, "page": 1, "per_page": 200, "pages": 2}
    assert len(body["data"]) == 200
    assert {t["role"] for t in body["data"]} == {"tenant_viewer"}
    names = [t["name"].lower() for t in body["data"]]
    assert names == sorted(names)
    res = await client.get(
        "/api/v1/tenants", headers=s.headers(), params={"per_page": 200, "page": 2}
    )
    assert len(res.json()["data"]) == 53
    res = await client.get("/api/v1/tenants", headers=s.headers(), params={"search": "acme"})
    assert [t["name"] for t in res.json()["data"]] == ["Acme Health"]
    res = await client.get("/api/v1/tenants", headers=s.headers(), params={"search": "%"})
    assert res.json()["meta"]["count"] == 0


async def test_deactivated_membership_is_forbidden(client, login, db, tenants) -> None:
    viewer_id = db.scalar("SELECT id FROM users WHERE email = ?", (VIEWER,))
    db.execute("UPDATE memberships SET status = 'deactivated' WHERE user_id = ?", (viewer_id,))
    s = await login(VIEWER)
    res = await client.get(
        "/api/v1/onboarding/checklist", headers=s.headers(tenants["Acme Health"])
    )
    assert res.status_code == 403
    res = await client.get("/api/v1/onboarding/checklist", headers=s.headers())
    assert res.status_code == 403
    assert (await client.get("/api/v1/tenants", headers=s.headers())).json()["data"] == []


# --- tenant API keys ------------------------------------------------------------------------

probe = APIRouter()


@probe.get("/api/v1/_probe/numbers")
async def _numbers(ctx: TenantCtx = Depends(tenant_ctx("phone_numbers:read"))) -> JSONResponse:  # noqa: B008
    return ok({"tenant_id": ctx.tenant_id, "role": ctx.role, "key": ctx.api_key_id})


@probe.post("/api/v1/_probe/numbers")
async def _numbers_write(
    ctx: TenantCtx = Depends(tenant_ctx("phone_numbers:write")),  # noqa: B008
) -> JSONResponse:
    return ok({"tenant_id": ctx.tenant_id})


async def _create_key(client: httpx.AsyncClient, headers: dict[str, str], **body) -> str:
    res = await client.post("/api/v1/api_keys", json={"name": "probe", **body}, headers=headers)
    assert res.status_code == 201, res.text
    return str(res.json()["data"]["secret"])


async def test_api_key_acts_for_its_tenant_within_its_scopes(app, client, login, tenants) -> None:
    app.include_router(probe)
    admin = await login(ADMIN)
    acme = tenants["Acme Health"]
    secret = await _create_key(client, admin.headers())
    res = await client.get("/api/v1/_probe/numbers", headers={"X-Api-Key": secret})
    assert res.status_code == 200
    assert res.json()["data"]["tenant_id"] == acme
    assert res.json()["data"]["role"] == "api_key"
    assert (
        await client.post("/api/v1/_probe/numbers", headers={"X-Api-Key": secret})
    ).status_code == 200

    read_only = await _create_key(client, admin.headers(), scopes=["phone_numbers:read"])
    res = await client.post("/api/v1/_probe/numbers", headers={"X-Api-Key": read_only})
    assert (res.status_code, res.json()["error_code"]) == (403, "FORBIDDEN")

    # Person-only routes want a JWT.
    res = await client.get("/api/v1/users", headers={"X-Api-Key": secret})
    assert (res.status_code, res.json()["error_code"]) == (401, "JWT_REQUIRED")
    res = await client.get("/api/v1/me", headers={"X-Api-Key": secret})
    assert (res.status_code, res.json()["error_code"]) == (401, "JWT_REQUIRED")
    # Another tenant, a wrong key.
    res = await client.get(
        "/api/v1/_probe/numbers",
        headers={"X-Api-Key": secret, "X-Tenant-Id": str(tenants["Corvid Studio"])},
    )
    assert res.status_code == 403
    res = await client.get("/api/v1/_probe/numbers", headers={"X-Api-Key": "sk_live_nope"})
    assert (res.status_code, res.json()["error_code"]) == (401, "UNAUTHORIZED")


async def test_revoked_or_inactive_key_stops_working(app, client, login) -> None:
    app.include_router(probe)
    admin = await login(ADMIN)
    secret = await _create_key(client, admin.headers())
    keys = (await client.get("/api/v1/api_keys", headers=admin.headers())).json()["data"]
    key_id = next(k["id"] for k in keys if secret.startswith(k["prefix"]))
    await client.patch(
        f"/api/v1/api_keys/{key_id}", json={"active": False}, headers=admin.headers()
    )
    assert (
        await client.get("/api/v1/_probe/numbers", headers={"X-Api-Key": secret})
    ).status_code == 401
    await client.patch(f"/api/v1/api_keys/{key_id}", json={"active": True}, headers=admin.headers())
    res = await client.get("/api/v1/_probe/numbers", headers={"X-Api-Key": secret})
    assert res.status_code == 200
    keys = (await client.get("/api/v1/api_keys", headers=admin.headers())).json()["data"]
    assert next(k for k in keys if k["id"] == key_id)["last_used_at"] is not None
    await client.delete(f"/api/v1/api_keys/{key_id}", headers=admin.headers())
    assert (
        await client.get("/api/v1/_probe/numbers", headers={"X-Api-Key": secret})
    ).status_code == 401
