"""Phone numbers: paging/search/sort, the deterministic pool, purchase, import, assign, release."""

from __future__ import annotations

import re

import pytest

from callaro_sandbox.phone_numbers import COUNTRIES, E164, country_of, number_pool

pytestmark = pytest.mark.anyio

ADMIN = "admin@demo.callaro.test"
OPERATOR = "operator@demo.callaro.test"
VIEWER = "viewer@demo.callaro.test"
MULTI = "multi@demo.callaro.test"

BASE = "/api/v1/phone_numbers"


def _connection(db, tenant_id, provider):
    return db.scalar(
        "SELECT id FROM telephony_connections WHERE tenant_id = ? AND provider = ? ORDER BY id",
        (tenant_id, provider),
    )


async def test_list_fields_paging_and_default_order(client, login, db, tenants):
    s = await login(VIEWER)  # viewers may look
    res = await client.get(f"{BASE}?per_page=10", headers=s.headers())
    assert res.status_code == 200, res.text
    body = res.json()
    total = db.scalar(
        "SELECT COUNT(*) FROM phone_numbers WHERE tenant_id = ?", (tenants["Acme Health"],)
    )
    assert body["meta"] == {"count": total, "page": 1, "per_page": 10, "pages": -(-total // 10)}
    number = body["data"][0]
    assert set(number) >= {
        "id",
        "e164",
        "label",
        "status",
        "inbound_agent",
        "telephony_connection",
        "platform_managed",
        "created_at",
    }
    assert E164.match(number["e164"])
    assert set(number["telephony_connection"]) == {"id", "name", "provider"}
    assert number["inbound_agent"] is None or set(number["inbound_agent"]) == {"id", "name"}
    created = [n["created_at"] for n in body["data"]]
    assert created == sorted(created, reverse=True)

    seen = []
    for page in range(1, body["meta"]["pages"] + 1):
        chunk = (await client.get(f"{BASE}?per_page=10&page={page}", headers=s.headers())).json()
        seen += [n["id"] for n in chunk["data"]]
    assert len(seen) == len(set(seen)) == total
    beyond = (await client.get(f"{BASE}?per_page=10&page=99", headers=s.headers())).json()
    assert beyond["data"] == [] and beyond["meta"]["count"] == total
    too_big = await client.get(f"{BASE}?per_page=201", headers=s.headers())
    assert too_big.status_code == 422 and "per_page" in too_big.json()["errors"]


async def test_search_sort_and_filters(client, login, db, tenants):
    s = await login(ADMIN)
    acme = tenants["Acme Health"]
    row = db.one(
        "SELECT e164 FROM phone_numbers WHERE tenant_id = ? AND e164 LIKE '+91%'"
        " ORDER BY id LIMIT 1",
        (acme,),
    )
    digits = row["e164"][3:]
    typed = f"{digits[:2]} {digits[2:6]}-{digits[6:]}"  # the way people type numbers
    found = (await client.get(BASE, params={"search": typed}, headers=s.headers())).json()["data"]
    assert [n["e164"] for n in found] == [row["e164"]]

    db.execute("UPDATE phone_numbers SET label = 'Night shift 100%' WHERE e164 = ?", (row["e164"],))
    by_label = (await client.get(BASE, params={"search": "shift 100%"}, headers=s.headers())).json()
    assert [n["e164"] for n in by_label["data"]] == [row["e164"]]
    wildcard = (await client.get(BASE, params={"search": "%"}, headers=s.headers())).json()
    assert [n["e164"] for n in wildcard["data"]] == [row["e164"]]  # % is literal, not a wildcard

    asc = (await client.get(f"{BASE}?sort=e164&per_page=200", headers=s.headers())).json()["data"]
    assert [n["e164"] for n in asc] == sorted(n["e164"] for n in asc)
    desc = (await client.get(f"{BASE}?sort=-e164&per_page=5", headers=s.headers())).json()["data"]
    assert [n["e164"] for n in desc] == sorted((n["e164"] for n in asc), reverse=True)[:5]

    inactive = (
        await client.get(f"{BASE}?status=inactive&per_page=200", headers=s.headers())
    ).json()
    expected = db.scalar(
        "SELECT COUNT(*) FROM phone_numbers WHERE tenant_id = ? AND status = 'inactive'", (acme,)
    )
    assert inactive["meta"]["count"] == expected > 0
    assert {n["status"] for n in inactive["data"]} == {"inactive"}
    sip = _connection(db, acme, "sip")
    on_sip = (
        await client.get(f"{BASE}?telephony_connection_id={sip}&per_page=200", headers=s.headers())
    ).json()["data"]
    assert on_sip and {n["telephony_connection"]["provider"] for n in on_sip} == {"sip"}
    for bad in ("status=gone", "sort=password"):
        res = await client.get(f"{BASE}?{bad}", headers=s.headers())
        assert res.status_code == 422, bad


async def test_available_and_pricing(client, login):
    s = await login(VIEWER)
    first = (await client.get(f"{BASE}/available?country=US&limit=5", headers=s.headers())).json()
    again = (await client.get(f"{BASE}/available?country=us&limit=5", headers=s.headers())).json()
    assert first == {**again, "request_id": first["request_id"]}
    assert len(first["data"]) == 5
    assert all(re.fullmatch(r"\+1\d{3}55501\d\d", n["e164"]) for n in first["data"])
    assert first["data"][0]["monthly_price"] == {"amount_minor": 95_00, "currency": "INR"}
    assert first["data"][0]["capabilities"] == ["voice"]
    contains = (
        await client.get(f"{BASE}/available?country=IN&contains=8047", headers=s.headers())
    ).json()
    assert contains["data"] and all(n["e164"].startswith("+918047") for n in contains["data"])

    pricing = (await client.get(f"{BASE}/pricing?country=IN", headers=s.headers())).json()["data"]
    assert pricing["country"] == "IN"
    assert pricing["monthly_price"] == {"amount_minor": 500_00, "currency": "INR"}
    assert pricing["setup_price"]["amount_minor"] == 250_00
    for path in ("available?country=ZZ", "pricing?country=XX"):
        res = await client.get(f"{BASE}/{path}", headers=s.headers())
        assert res.status_code == 422 and "country" in res.json()["errors"]


async def test_purchase_needs_an_active_twilio_connection(client, login, db, tenants):
    m = await login(MULTI)
    bright = tenants["Brightline Logistics"]
    headers = m.headers(bright)
    for provider in ("twilio", "sip"):  # Brightline's Twilio connection is disabled
        body = {
            "country": "IN",
            "quantity": 1,
            "telephony_connection_id": _connection(db, bright, provider),
        }
        res = await client.post(f"{BASE}/purchase", json=body, headers=headers)
        assert res.status_code == 422, res.text
        assert "telephony_connection_id" in res.json()["errors"]
    s = await login(ADMIN)
    foreign = {
        "country": "IN",
        "quantity": 1,
        "telephony_connection_id": _connection(db, bright, "sip"),
    }
    res = await client.post(f"{BASE}/purchase", json=foreign, headers=s.headers())
    assert res.status_code == 422 and "telephony_connection_id" in res.json()["errors"]


async def test_purchase_draws_from_the_pool_idempotently(client, login, db, tenants):
    s = await login(OPERATOR)  # operators may add numbers
    twilio = _connection(db, tenants["Acme Health"], "twilio")
    offered = (
        await client.get(f"{BASE}/available?country=GB&limit=3", headers=s.headers())
    ).json()["data"]
    body = {"country": "GB", "quantity": 2, "telephony_connection_id": twilio}
    headers = {**s.headers(), "Idempotency-Key": "buy-gb-2"}
    res = await client.post(f"{BASE}/purchase", json=body, headers=headers)
    assert res.status_code == 201, res.text
    bought = res.json()["data"]["numbers"]
    assert [n["e164"] for n in bought] == [n["e164"] for n in offered[:2]]
    assert all(n["status"] == "active" and n["platform_managed"] for n in bought)
    assert all(n["telephony_connection"]["provider"] == "twilio" for n in bought)

    replay = await client.post(f"{BASE}/purchase", json=body, headers=headers)
    assert replay.status_code == 201 and replay.json()["data"] == res.json()["data"]
    assert db.scalar("SELECT COUNT(*) FROM phone_numbers WHERE country = 'GB'") == 2
    conflict = await client.post(f"{BASE}/purchase", json={**body, "quantity": 3}, headers=headers)
    assert (conflict.status_code, conflict.json()["error_code"]) == (409, "CONFLICT")

    now_offered = (
        await client.get(f"{BASE}/available?country=GB&limit=3", headers=s.headers())
    ).json()
    assert now_offered["data"][0]["e164"] == offered[2]["e164"]
    too_many = await client.post(
        f"{BASE}/purchase", json={**body, "quantity": 50, "country": "SG"}, headers=s.headers()
    )
    assert too_many.status_code == 201  # Singapore's pool has 60
    exhausted = await client.post(
        f"{BASE}/purchase", json={**body, "quantity": 11, "country": "SG"}, headers=s.headers()
    )
    assert exhausted.status_code == 422 and "quantity" in exhausted.json()["errors"]
    viewer = await login(VIEWER)
    denied = await client.post(f"{BASE}/purchase", json=body, headers=viewer.headers())
    assert denied.status_code == 403


async def test_import_owned_reports_field_errors_per_item(client, login, db, tenants):
    s = await login(ADMIN)
    acme = tenants["Acme Health"]
    taken = db.scalar("SELECT e164 FROM phone_numbers WHERE tenant_id = ? LIMIT 1", (acme,))
    body = {
        "telephony_connection_id": _connection(db, acme, "sip"),
        "numbers": [
            {"e164": "+919900112233", "label": "Ok"},
            {"e164": "09900112233", "label": "No plus"},
            {"e164": "+919900112233"},
            {"e164": taken},
            {"e164": "+1415"},
        ],
    }
    res = await client.post(f"{BASE}/import_owned", json=body, headers=s.headers())
    assert res.status_code == 422
    errors = res.json()["errors"]
    assert set(errors) == {"numbers.1.e164", "numbers.2.e164", "numbers.3.e164", "numbers.4.e164"}
    assert "duplicates numbers.0.e164" in errors["numbers.2.e164"][0]
    assert "already" in errors["numbers.3.e164"][0]
    assert db.scalar("SELECT COUNT(*) FROM phone_numbers WHERE e164 = '+919900112233'") == 0

    missing_label = await client.post(
        f"{BASE}/import_owned",
        json={
            "telephony_connection_id": body["telephony_connection_id"],
            "numbers": [{"label": "x"}],
        },
        headers=s.headers(),
    )
    assert "numbers.0.e164" in missing_label.json()["errors"]
    empty = await client.post(
        f"{BASE}/import_owned",
        json={"telephony_connection_id": body["telephony_connection_id"], "numbers": []},
        headers=s.headers(),
    )
    assert empty.status_code == 422 and "numbers" in empty.json()["errors"]


async def test_import_then_activate_assign_and_release(client, login, db, tenants):
    s = await login(OPERATOR)
    acme = tenants["Acme Health"]
    sip = _connection(db, acme, "sip")
    res = await client.post(
        f"{BASE}/import_owned",
        json={
            "telephony_connection_id": sip,
            "numbers": [
                {"e164": "+14155550100", "label": " Front desk "},
                {"e164": "+447700900123"},
            ],
        },
        headers=s.headers(),
    )
    assert res.status_code == 201, res.text
    first, second = res.json()["data"]["numbers"]
    assert (first["status"], first["platform_managed"], first["label"]) == (
        "pending",
        False,
        "Front desk",
    )
    assert first["telephony_connection"] == {"id": sip, "name": "Office PBX", "provider": "sip"}
    assert second["label"] is None

    activated = await client.post(f"{BASE}/{first['id']}/activate", headers=s.headers())
    assert activated.json()["data"]["status"] == "active"
    synced = (await client.post(f"{BASE}/sync", headers=s.headers())).json()["data"]
    assert synced["activated"] >= 1 and synced["synced"] >= 2
    fetched = (await client.get(f"{BASE}/{second['id']}", headers=s.headers())).json()["data"]
    assert fetched["status"] == "active" and fetched["last_synced_at"] == synced["synced_at"]
    resynced = await client.post(f"{BASE}/{second['id']}/resync", headers=s.headers())
    assert resynced.status_code == 200

    agent = db.one("SELECT id, name FROM agents WHERE tenant_id = ? AND active = 1", (acme,))
    patched = await client.patch(
        f"{BASE}/{first['id']}", json={"inbound_agent_id": agent["id"]}, headers=s.headers()
    )
    assert patched.json()["data"]["inbound_agent"] == {"id": agent["id"], "name": agent["name"]}
    assert patched.json()["data"]["label"] == "Front desk"  # untouched fields stay
    relabeled = await client.patch(
        f"{BASE}/{first['id']}",
        json={"label": "Reception", "inbound_agent_id": None},
        headers=s.headers(),
    )
    assert relabeled.json()["data"]["label"] == "Reception"
    assert relabeled.json()["data"]["inbound_agent"] is None

    released = await client.delete(f"{BASE}/{first['id']}", headers=s.headers())
    assert released.status_code == 200 and released.json()["data"]["released"] is True
    gone = await client.get(f"{BASE}/{first['id']}", headers=s.headers())
    assert (gone.status_code, gone.json()["error_code"]) == (404, "PHONE_NUMBER_NOT_FOUND")


async def test_inbound_agent_must_be_an_active_agent_of_the_tenant(client, login, db, tenants):
    s = await login(ADMIN)
    acme = tenants["Acme Health"]
    number = db.scalar("SELECT id FROM phone_numbers WHERE tenant_id = ? LIMIT 1", (acme,))
    inactive = db.scalar("SELECT id FROM agents WHERE tenant_id = ? AND active = 0", (acme,))
    foreign = db.scalar(
        "SELECT id FROM agents WHERE tenant_id = ? AND active = 1",
        (tenants["Brightline Logistics"],),
    )
    for agent_id in (inactive, foreign, 999_999):
        res = await client.patch(
            f"{BASE}/{number}", json={"inbound_agent_id": agent_id}, headers=s.headers()
        )
        assert res.status_code == 422, agent_id
        assert "inbound_agent_id" in res.json()["errors"]
    res = await client.patch(f"{BASE}/{number}", json={"e164": "+10000000000"}, headers=s.headers())
    assert res.status_code == 422 and "e164" in res.json()["errors"]
    viewer = await login(VIEWER)
    res = await client.patch(f"{BASE}/{number}", json={"label": "x"}, headers=viewer.headers())
    assert res.status_code == 403


async def test_numbers_on_a_disabled_connection_cannot_be_activated(client, login, db, tenants):
    s = await login(ADMIN)
    number = db.scalar(
        "SELECT p.id FROM phone_numbers p JOIN telephony_connections c"
        " ON c.id = p.telephony_connection_id WHERE c.active = 0 AND p.tenant_id = ?",
        (tenants["Acme Health"],),
    )
    res = await client.post(f"{BASE}/{number}/activate", headers=s.headers())
    assert res.status_code == 422 and "telephony_connection_id" in res.json()["errors"]


async def test_released_pool_number_is_offered_again(client, login, db, tenants):
    s = await login(ADMIN)
    twilio = _connection(db, tenants["Acme Health"], "twilio")
    body = {"country": "AU", "quantity": 1, "telephony_connection_id": twilio}
    bought = (await client.post(f"{BASE}/purchase", json=body, headers=s.headers())).json()["data"]
    number = bought["numbers"][0]
    offered = (
        await client.get(f"{BASE}/available?country=AU&limit=100", headers=s.headers())
    ).json()
    assert number["e164"] not in [n["e164"] for n in offered["data"]]
    await client.delete(f"{BASE}/{number['id']}", headers=s.headers())
    offered = (
        await client.get(f"{BASE}/available?country=AU&limit=100", headers=s.headers())
    ).json()
    assert offered["data"][0]["e164"] == number["e164"]


def test_pool_is_deterministic_and_uses_fictional_ranges():
    assert number_pool("US") == number_pool("US")
    us = number_pool("US")
    assert len(us) == len({n.e164 for n in us}) == 4 * 60
    assert all(re.fullmatch(r"\+1\d{3}55501\d\d", n.e164) for n in us)
    for code in COUNTRIES:
        assert all(E164.match(n.e164) and country_of(n.e164) == code for n in number_pool(code))
    assert country_of("+8613800000000") is None
