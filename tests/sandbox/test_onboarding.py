"""The Getting started checklist completes itself from live data; dismiss needs the required."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.anyio

CORVID = "owner@corvid.demo.callaro.test"
URL = "/api/v1/onboarding/checklist"


def _steps(body: dict) -> dict[str, dict]:
    return {s["key"]: s for s in body["data"]["steps"]}


def _give_phone_number(db, tenant_id: int) -> None:
    """Make the tenant own a number without knowing the phone module's schema."""
    if not db.table_exists("phone_numbers"):
        db.execute(
            "CREATE TABLE phone_numbers (id INTEGER PRIMARY KEY, tenant_id INTEGER,"
            " created_at TEXT)"
        )
    row = db.one("SELECT id FROM phone_numbers WHERE tenant_id != ? LIMIT 1", (tenant_id,))
    if row is None:
        db.execute(
            "INSERT INTO phone_numbers (tenant_id, created_at) VALUES (?, ?)",
            (tenant_id, "2026-01-01T00:00:00Z"),
        )
    else:
        db.execute("UPDATE phone_numbers SET tenant_id = ? WHERE id = ?", (tenant_id, row["id"]))


async def test_fresh_tenant_walks_through_the_checklist(client, login, db, tenants) -> None:
    s = await login(CORVID)
    res = await client.get(URL, headers=s.headers())
    body = res.json()["data"]
    assert [st["key"] for st in body["steps"]] == [
        "invite_teammate", "create_api_key", "add_phone_number", "set_timezone"
    ]  # fmt: skip
    assert [st["title"] for st in body["steps"]] == [
        "Invite a teammate", "Create an API key", "Add a phone number", "Set your timezone"
    ]  # fmt: skip
    assert (body["completed_count"], body["total_count"]) == (0, 4)
    assert (body["dismissible"], body["dismissed"]) == (False, False)
    assert all(st["completed_at"] is None for st in body["steps"])

    res = await client.post(f"{URL}/dismiss", headers=s.headers())
    assert res.status_code == 422
    assert "Invite a teammate" in res.json()["error"]

    await client.post("/api/v1/invitations", json={"email": "x@corvid.test"}, headers=s.headers())
    await client.post("/api/v1/api_keys", json={"name": "k"}, headers=s.headers())
    steps = _steps((await client.get(URL, headers=s.headers())).json())
    assert steps["invite_teammate"]["completed"] and steps["create_api_key"]["completed"]
    assert steps["invite_teammate"]["completed_at"].endswith("Z")
    assert not steps["add_phone_number"]["completed"]

    _give_phone_number(db, tenants["Corvid Studio"])
    body = (await client.get(URL, headers=s.headers())).json()["data"]
    assert body["dismissible"] is True
    assert body["completed_count"] == 3

    # Optional step: the timezone, set on the profile.
    res = await client.patch("/api/v1/me", json={"timezone": "Europe/Berlin"}, headers=s.headers())
    assert res.status_code == 200
    body = (await client.get(URL, headers=s.headers())).json()["data"]
    assert body["completed_count"] == 4

    res = await client.post(f"{URL}/dismiss", headers=s.headers())
    assert res.status_code == 200
    assert res.json()["data"]["dismissed"] is True
    assert (await client.post(f"{URL}/dismiss", headers=s.headers())).status_code == 200


async def test_only_admins_dismiss(client, login) -> None:
    op = await login("operator@demo.callaro.test")
    assert (await client.get(URL, headers=op.headers())).status_code == 200
    res = await client.post(f"{URL}/dismiss", headers=op.headers())
    assert (res.status_code, res.json()["error_code"]) == (403, "FORBIDDEN")


async def test_profile_timezone_and_name(client, login) -> None:
    s = await login(CORVID)
    res = await client.patch("/api/v1/me", json={"timezone": "Mars/Olympus"}, headers=s.headers())
    assert res.status_code == 422
    assert list(res.json()["errors"]) == ["timezone"]
    res = await client.patch(
        "/api/v1/me", json={"display_name": "  Corvid Owner "}, headers=s.headers()
    )
    me = res.json()["data"]
    assert (me["display_name"], me["timezone"]) == ("Corvid Owner", "UTC")
    res = await client.patch("/api/v1/me", json={"display_name": ""}, headers=s.headers())
    assert res.json()["data"]["display_name"] is None
    steps = _steps((await client.get(URL, headers=s.headers())).json())
    assert steps["set_timezone"]["completed"] is False
