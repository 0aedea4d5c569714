"""Billing overview, recharges through the sandbox checkout, and the GST billing entity."""

from __future__ import annotations

import re

import pytest

from callaro_sandbox.billing import EntityPatch, validate_entity
from callaro_sandbox.gst import gst_on, make_gstin, split_inclusive

pytestmark = pytest.mark.anyio

ADMIN = "admin@demo.callaro.test"
OPERATOR = "operator@demo.callaro.test"
VIEWER = "viewer@demo.callaro.test"
MULTI = "multi@demo.callaro.test"
CORVID = "owner@corvid.demo.callaro.test"


async def test_overview_splits_balance_into_usable_credit_and_gst(client, login, db, tenants):
    s = await login(ADMIN)
    res = await client.get("/api/v1/billing/overview", headers=s.headers())
    assert res.status_code == 200, res.text
    data = res.json()["data"]
    balance = data["balance"]["amount_minor"]
    assert balance == db.scalar(
        "SELECT balance_minor FROM billing_accounts WHERE tenant_id = ?", (tenants["Acme Health"],)
    )
    assert data["gst_rate"] == 0.18
    usable, gst = data["usable_credit"]["amount_minor"], data["gst_component"]["amount_minor"]
    assert usable + gst == balance
    assert (usable, gst) == split_inclusive(balance)
    assert data["balance"]["currency"] == "INR"
    assert data["plan"] == {"name": "Pro"}
    month = data["month"]
    assert set(month) >= {"voice", "knowledge_base", "analysis"}
    assert month["total"]["amount_minor"] == sum(
        month[k]["amount_minor"] for k in ("voice", "knowledge_base", "analysis")
    )
    # The month's voice cost and pulses are this month's call events.
    start = month["period_start"] + "T00:00:00Z"
    row = db.one(
        "SELECT SUM(charged_cost_minor) AS cost, SUM(quantity) AS qty FROM usage_events"
        " WHERE tenant_id = ? AND category = 'call' AND occurred_at >= ?",
        (tenants["Acme Health"], start),
    )
    assert month["voice"]["amount_minor"] == (row["cost"] or 0)
    assert data["pulses"] == (row["qty"] or 0)


async def test_fresh_tenant_has_an_empty_wallet(client, login):
    s = await login(CORVID)
    data = (await client.get("/api/v1/billing/overview", headers=s.headers())).json()["data"]
    assert data["balance"]["amount_minor"] == 0
    assert data["usable_credit"]["amount_minor"] == 0
    entity = (await client.get("/api/v1/billing/entity", headers=s.headers())).json()["data"]
    assert entity["legal_name"] is None and entity["gstin"] is None


@pytest.mark.parametrize("email", [OPERATOR, VIEWER])
async def test_billing_is_admin_only(client, login, email):
    s = await login(email)
    for path in ("/api/v1/billing/overview", "/api/v1/billing/entity", "/api/v1/billing/recharges"):
        res = await client.get(path, headers=s.headers())
        assert (res.status_code, res.json()["error_code"]) == (403, "FORBIDDEN"), path
    res = await client.post(
        "/api/v1/billing/recharges",
        json={"credits": {"amount_minor": 100_000}},
        headers=s.headers(),
    )
    assert res.status_code == 403


async def test_recharge_end_to_end_through_checkout(client, login):
    s = await login(ADMIN)
    before = (await client.get("/api/v1/billing/overview", headers=s.headers())).json()["data"]
    res = await client.post(
        "/api/v1/billing/recharges",
        json={"credits": {"amount_minor": 5_000_00, "currency": "INR"}},
        headers={**s.headers(), "Idempotency-Key": "recharge-e2e-1"},
    )
    assert res.status_code == 201, res.text
    recharge = res.json()["data"]
    assert recharge["status"] == "pending"
    assert recharge["subtotal"]["amount_minor"] == 5_000_00
    assert recharge["gst"]["amount_minor"] == 900_00
    assert recharge["total"]["amount_minor"] == 5_900_00
    url = recharge["checkout_url"]
    assert re.fullmatch(r"http://sandbox\.test/sandbox/checkout/[A-Za-z0-9_-]{20,}", url)

    page = await client.get(url)  # no credentials: the token is the capability
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    assert "₹5,900.00" in page.text and "₹900.00" in page.text
    assert "/pay" in page.text and "/fail" in page.text

    paid = await client.post(url + "/pay")
    assert paid.status_code == 303
    assert paid.headers["location"].endswith(url.removeprefix("http://sandbox.test"))
    again = await client.post(url + "/pay")  # a double click pays once
    assert again.status_code == 303
    done = await client.get(url)
    assert "Payment received" in done.text and "<form" not in done.text

    polled = await client.get(f"/api/v1/billing/recharges/{recharge['id']}", headers=s.headers())
    assert polled.json()["data"]["status"] == "paid"
    assert polled.json()["data"]["paid_at"] is not None

    after = (await client.get("/api/v1/billing/overview", headers=s.headers())).json()["data"]
    gained = after["balance"]["amount_minor"] - before["balance"]["amount_minor"]
    assert gained == 5_900_00  # the wallet holds GST-inclusive money...
    usable_gain = after["usable_credit"]["amount_minor"] - before["usable_credit"]["amount_minor"]
    assert abs(usable_gain - 5_000_00) <= 1  # ...so usable credit rises by the credits bought

    fail_after_pay = await client.post(url + "/fail")
    assert fail_after_pay.status_code == 409
    listed = await client.get("/api/v1/billing/recharges?status=paid", headers=s.headers())
    assert recharge["id"] in [r["id"] for r in listed.json()["data"]]


async def test_failed_checkout_does_not_credit(client, login):
    s = await login(ADMIN)
    before = (await client.get("/api/v1/billing/overview", headers=s.headers())).json()["data"]
    recharge = (
        await client.post(
            "/api/v1/billing/recharges",
            json={"credits": {"amount_minor": 1_000_00}},
            headers=s.headers(),
        )
    ).json()["data"]
    assert (await client.post(recharge["checkout_url"] + "/fail")).status_code == 303
    assert (await client.post(recharge["checkout_url"] + "/pay")).status_code == 409
    polled = await client.get(f"/api/v1/billing/recharges/{recharge['id']}", headers=s.headers())
    assert polled.json()["data"]["status"] == "failed"
    after = (await client.get("/api/v1/billing/overview", headers=s.headers())).json()["data"]
    assert after["balance"] == before["balance"]


async def test_recharge_idempotency(client, login):
    s = await login(ADMIN)
    headers = {**s.headers(), "Idempotency-Key": "same-intent"}
    body = {"credits": {"amount_minor": 2_500_00}}
    first = await client.post("/api/v1/billing/recharges", json=body, headers=headers)
    replay = await client.post("/api/v1/billing/recharges", json=body, headers=headers)
    assert (first.status_code, replay.status_code) == (201, 201)
    assert replay.json()["data"] == first.json()["data"]
    assert replay.headers.get("Idempotent-Replayed") == "true"
    other = await client.post(
        "/api/v1/billing/recharges", json={"credits": {"amount_minor": 2_600_00}}, headers=headers
    )
    assert (other.status_code, other.json()["error_code"]) == (409, "CONFLICT")
    listed = await client.get("/api/v1/billing/recharges?status=pending", headers=s.headers())
    assert [r["id"] for r in listed.json()["data"]] == [first.json()["data"]["id"]]


@pytest.mark.parametrize(
    ("credits", "field"),
    [
        ({"amount_minor": 99_99}, "credits.amount_minor"),
        ({"amount_minor": 10_00_000_01}, "credits.amount_minor"),
        ({"amount_minor": 1_000_00, "currency": "USD"}, "credits.currency"),
        ({"amount_minor": "lots"}, "credits.amount_minor"),
    ],
)
async def test_recharge_validation(client, login, credits, field):
    s = await login(ADMIN)
    res = await client.post(
        "/api/v1/billing/recharges", json={"credits": credits}, headers=s.headers()
    )
    assert res.status_code == 422
    assert field in res.json()["errors"]


async def test_unknown_recharge_and_checkout(client, login, tenants):
    s = await login(ADMIN)
    res = await client.get("/api/v1/billing/recharges/999999", headers=s.headers())
    assert (res.status_code, res.json()["error_code"]) == (404, "RECHARGE_NOT_FOUND")
    assert (await client.get("/sandbox/checkout/not-a-token")).status_code == 404
    assert (await client.post("/sandbox/checkout/not-a-token/pay")).status_code == 404
    # Another tenant's recharge is invisible.
    m = await login(MULTI)
    other = await client.post(
        "/api/v1/billing/recharges",
        json={"credits": {"amount_minor": 1_000_00}},
        headers=m.headers(tenants["Brightline Logistics"]),
    )
    res = await client.get(
        f"/api/v1/billing/recharges/{other.json()['data']['id']}", headers=s.headers()
    )
    assert res.status_code == 404


async def test_checkout_page_escapes_tenant_name(client, login, db, tenants):
    db.execute(
        "UPDATE tenants SET name = ? WHERE id = ?",
        ("<script>alert(1)</script>", tenants["Acme Health"]),
    )
    s = await login(ADMIN)
    recharge = (
        await client.post(
            "/api/v1/billing/recharges",
            json={"credits": {"amount_minor": 1_000_00}},
            headers=s.headers(),
        )
    ).json()["data"]
    page = await client.get(recharge["checkout_url"])
    assert "<script>" not in page.text and "&lt;script&gt;" in page.text


async def test_entity_round_trip_and_gstin_validation(client, login):
    s = await login(ADMIN)
    current = (await client.get("/api/v1/billing/entity", headers=s.headers())).json()["data"]
    assert current["gstin"] and current["state_code"] == "29"

    bad = await client.patch(
        "/api/v1/billing/entity",
        json={"gstin": "27AAPFU0939F1ZW", "email": "not-an-email", "legal_name": "  "},
        headers=s.headers(),
    )
    assert bad.status_code == 422
    errors = bad.json()["errors"]
    assert "check digit" in errors["gstin"][0]
    assert set(errors) == {"gstin", "email", "legal_name"}
    unchanged = (await client.get("/api/v1/billing/entity", headers=s.headers())).json()["data"]
    assert unchanged["gstin"] == current["gstin"]

    res = await client.patch(
        "/api/v1/billing/entity",
        json={"gstin": " 27aapfu0939f1zv ", "legal_name": "Acme Health LLP"},
        headers=s.headers(),
    )
    assert res.status_code == 200, res.text
    data = res.json()["data"]
    assert data["gstin"] == "27AAPFU0939F1ZV"
    assert (data["state_code"], data["state_name"]) == ("27", "Maharashtra")
    assert data["legal_name"] == "Acme Health LLP"
    assert data["email"] == current["email"]  # fields not sent are kept

    cleared = await client.patch(
        "/api/v1/billing/entity", json={"gstin": None}, headers=s.headers()
    )
    assert cleared.json()["data"]["gstin"] is None
    unknown = await client.patch("/api/v1/billing/entity", json={"pan": "X"}, headers=s.headers())
    assert unknown.status_code == 422


def test_validate_entity_pure():
    values, errors = validate_entity(
        EntityPatch(gstin=make_gstin("04", "ABCDE1234F"), email=" a@b.in ", address="")
    )
    assert errors == {}
    assert values == {"gstin": make_gstin("04", "ABCDE1234F"), "email": "a@b.in", "address": None}
    _, errors = validate_entity(EntityPatch(gstin="12345"))
    assert errors == {"gstin": ["GSTIN must be 15 characters"]}
    assert gst_on(5_000_00) == 900_00
