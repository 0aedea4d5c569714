"""Users of a tenant: paging edges, search, filters, sort, changes and the last-admin rule."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.anyio

ADMIN = "admin@demo.callaro.test"
MULTI = "multi@demo.callaro.test"


def _acme_count(db) -> int:
    return int(
        db.scalar(
            "SELECT COUNT(*) FROM memberships m JOIN tenants t ON t.id = m.tenant_id"
            " WHERE t.name = 'Acme Health'"
        )
    )


async def test_page_meta_and_edges(client, login, db) -> None:
    s = await login(ADMIN)
    total = _acme_count(db)
    assert total == 40  # 4 named (incl. multi) + 36 generated

    res = await client.get("/api/v1/users", headers=s.headers())
    body = res.json()
    assert body["meta"] == {"count": total, "page": 1, "per_page": 50, "pages": 1}
    assert len(body["data"]) == total
    assert set(body["data"][0]) == {
        "id", "email", "display_name", "role", "status", "last_active_at", "created_at"
    }  # fmt: skip

    # Last page holds the remainder.
    res = await client.get("/api/v1/users", params={"per_page": 15, "page": 3}, headers=s.headers())
    assert res.json()["meta"] == {"count": total, "page": 3, "per_page": 15, "pages": 3}
    assert len(res.json()["data"]) == 10

    # Beyond the end: empty data, true meta.
    res = await client.get("/api/v1/users", params={"per_page": 15, "page": 4}, headers=s.headers())
    assert res.status_code == 200
    assert res.json()["data"] == []
    assert res.json()["meta"]["count"] == total

    res = await client.get("/api/v1/users", params={"per_page": 200}, headers=s.headers())
    assert res.json()["meta"]["per_page"] == 200

    for bad in ({"per_page": 201}, {"per_page": 0}, {"page": 0}, {"page": "x"}):
        res = await client.get("/api/v1/users", params=bad, headers=s.headers())
        assert res.status_code == 422, bad
        assert list(res.json()["errors"]) == list(bad)


async def test_pages_do_not_overlap(client, login) -> None:
    s = await login(ADMIN)
    seen: list[int] = []
    for page in range(1, 6):
        res = await client.get(
            "/api/v1/users",
            params={"per_page": 10, "page": page, "sort": "role"},
            headers=s.headers(),
        )
        seen += [u["id"] for u in res.json()["data"]]
    assert len(seen) == len(set(seen)) == 40


async def test_search_on_email_and_name(client, login) -> None:
    s = await login(ADMIN)
    res = await client.get("/api/v1/users", params={"search": "vera"}, headers=s.headers())
    assert [u["email"] for u in res.json()["data"]] == ["viewer@demo.callaro.test"]
    res = await client.get("/api/v1/users", params={"search": "DEMO.callaro"}, headers=s.headers())
    assert res.json()["meta"]["count"] == 4
    # LIKE wildcards in the search text are literal.
    res = await client.get("/api/v1/users", params={"search": "_"}, headers=s.headers())
    assert res.json()["meta"]["count"] == 0


async def test_filters(client, login) -> None:
    s = await login(ADMIN)
    res = await client.get("/api/v1/users", params={"role": "tenant_admin"}, headers=s.headers())
    assert {u["role"] for u in res.json()["data"]} == {"tenant_admin"}
    assert res.json()["meta"]["count"] == 2
    res = await client.get("/api/v1/users", params={"status": "deactivated"}, headers=s.headers())
    assert {u["status"] for u in res.json()["data"]} <= {"deactivated"}
    res = await client.get("/api/v1/users", params={"role": "owner"}, headers=s.headers())
    assert res.status_code == 422
    assert "role" in res.json()["errors"]


@pytest.mark.parametrize("field", ["email", "display_name", "role", "status", "created_at"])
async def test_sort_both_ways(client, login, field: str) -> None:
    s = await login(ADMIN)

    async def values(sort: str) -> list:
        res = await client.get(
            "/api/v1/users", params={"sort": sort, "per_page": 200}, headers=s.headers()
        )
        assert res.status_code == 200
        return [u[field] for u in res.json()["data"] if u[field] is not None]

    def key(v: str) -> str:
        return v.lower()

    up, down = await values(field), await values(f"-{field}")
    assert up == sorted(up, key=key)
    assert down == sorted(down, key=key, reverse=True)


async def test_unknown_sort_field_is_422_on_sort(client, login) -> None:
    s = await login(ADMIN)
    res = await client.get("/api/v1/users", params={"sort": "password_hash"}, headers=s.headers())
    assert res.status_code == 422
    assert list(res.json()["errors"]) == ["sort"]


async def test_change_role_and_status(client, login, db) -> None:
    s = await login(ADMIN)
    uid = db.scalar("SELECT id FROM users WHERE email = 'operator@demo.callaro.test'")
    res = await client.patch(
        f"/api/v1/users/{uid}", json={"role": "tenant_viewer"}, headers=s.headers()
    )
    assert res.status_code == 200
    assert res.json()["data"]["role"] == "tenant_viewer"
    res = await client.patch(
        f"/api/v1/users/{uid}", json={"status": "deactivated"}, headers=s.headers()
    )
    assert res.json()["data"]["status"] == "deactivated"
    res = await client.patch(f"/api/v1/users/{uid}", json={"role": "boss"}, headers=s.headers())
    assert res.status_code == 422
    assert "role" in res.json()["errors"]
    # The deactivated operator can still sign in but cannot enter the tenant.
    op = await login("operator@demo.callaro.test")
    assert (
        await client.get("/api/v1/onboarding/checklist", headers=op.headers())
    ).status_code == 403


async def test_unknown_or_foreign_user_is_404(client, login, db) -> None:
    s = await login(ADMIN)
    corvid_owner = db.scalar("SELECT id FROM users WHERE email = 'owner@corvid.demo.callaro.test'")
    for uid in (corvid_owner, 999_999):
        res = await client.patch(
            f"/api/v1/users/{uid}", json={"role": "tenant_viewer"}, headers=s.headers()
        )
        assert (res.status_code, res.json()["error_code"]) == (404, "USER_NOT_FOUND")
        assert (await client.delete(f"/api/v1/users/{uid}", headers=s.headers())).status_code == 404


async def test_last_active_admin_is_protected(client, login, db, tenants) -> None:
    s = await login(MULTI)
    headers = s.headers(tenants["Brightline Logistics"])
    uid = db.scalar("SELECT id FROM users WHERE email = ?", (MULTI,))
    for body, field in (
        ({"role": "tenant_operator"}, "role"),
        ({"status": "deactivated"}, "status"),
    ):
        res = await client.patch(f"/api/v1/users/{uid}", json=body, headers=headers)
        assert res.status_code == 422
        assert res.json()["errors"][field][0].startswith("The last active Tenant Admin")
    res = await client.delete(f"/api/v1/users/{uid}", headers=headers)
    assert res.status_code == 422
    # Promoting someone else first makes it possible.
    other = db.scalar(
        "SELECT user_id FROM memberships WHERE tenant_id = ? AND user_id != ?"
        " AND status = 'active'",
        (tenants["Brightline Logistics"], uid),
    )
    res = await client.patch(
        f"/api/v1/users/{other}", json={"role": "tenant_admin"}, headers=headers
    )
    assert res.status_code == 200
    res = await client.patch(
        f"/api/v1/users/{uid}", json={"role": "tenant_operator"}, headers=headers
    )
    assert res.status_code == 200
    # Having demoted themself, `multi` no longer manages users there; `other` is the last admin.
    assert (await client.get("/api/v1/users", headers=headers)).status_code == 403
    email = db.scalar("SELECT email FROM users WHERE id = ?", (other,))
    new_admin = await login(email)
    res = await client.delete(f"/api/v1/users/{other}", headers=new_admin.headers())
    assert res.status_code == 422


async def test_deactivated_admins_do_not_count(client, login, db, tenants) -> None:
    s = await login(ADMIN)
    acme = tenants["Acme Health"]
    me = db.scalar("SELECT id FROM users WHERE email = ?", (ADMIN,))
    other = db.scalar(
        "SELECT user_id FROM memberships WHERE tenant_id = ? AND role = 'tenant_admin'"
        " AND user_id != ?",
        (acme, me),
    )
    res = await client.patch(
        f"/api/v1/users/{other}", json={"status": "deactivated"}, headers=s.headers()
    )
    assert res.status_code == 200
    res = await client.patch(
        f"/api/v1/users/{me}", json={"role": "tenant_viewer"}, headers=s.headers()
    )
    assert res.status_code == 422
    # Re-activating the other admin is always allowed and lifts the block.
    res = await client.patch(
        f"/api/v1/users/{other}", json={"status": "active"}, headers=s.headers()
    )
    assert res.status_code == 200
    res = await client.patch(
        f"/api/v1/users/{me}", json={"role": "tenant_viewer"}, headers=s.headers()
    )
    assert res.status_code == 200


async def test_remove_user_keeps_the_account(client, login, db) -> None:
    s = await login(ADMIN)
    uid = db.scalar("SELECT id FROM users WHERE email = 'viewer@demo.callaro.test'")
    res = await client.delete(f"/api/v1/users/{uid}", headers=s.headers())
    assert res.status_code == 200
    res = await client.get(f"/api/v1/users/{uid}", headers=s.headers())
    assert res.status_code == 404
    assert db.scalar("SELECT COUNT(*) FROM users WHERE id = ?", (uid,)) == 1
    res = await client.get("/api/v1/users", headers=s.headers())
    assert res.json()["meta"]["count"] == 39
