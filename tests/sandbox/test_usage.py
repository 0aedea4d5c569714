"""Usage events (filters, paging, sort) and the summary series (dense, totals add up)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from callaro_sandbox.usage import buckets, build_series, totals_of

pytestmark = pytest.mark.anyio

ADMIN = "admin@demo.callaro.test"
OPERATOR = "operator@demo.callaro.test"


def _db_sum(db, tenant_id, start, end, category=None):
    sql = (
        "SELECT COUNT(*) AS n, COALESCE(SUM(charged_cost_minor), 0) AS cost,"
        " COALESCE(SUM(quantity), 0) AS qty FROM usage_events WHERE tenant_id = ?"
        " AND occurred_at >= ? AND occurred_at < ?"
    )
    params = [tenant_id, f"{start}T00:00:00Z", f"{end + timedelta(days=1)}T00:00:00Z"]
    if category:
        sql += " AND category = ?"
        params.append(category)
    return db.one(sql, params)


async def test_events_filter_by_dates_and_category(client, login, db, tenants):
    s = await login(ADMIN)
    acme = tenants["Acme Health"]
    end = date.fromisoformat(
        db.scalar(
            "SELECT MAX(substr(occurred_at, 1, 10)) FROM usage_events WHERE tenant_id = ?", (acme,)
        )
    )
    start = end - timedelta(days=13)
    res = await client.get(
        "/api/v1/usage/events",
        params={
            "from": start.isoformat(),
            "to": end.isoformat(),
            "category": "call",
            "per_page": 200,
        },
        headers=s.headers(),
    )
    assert res.status_code == 200, res.text
    body = res.json()
    expected = _db_sum(db, acme, start, end, "call")
    assert body["meta"]["count"] == expected["n"] > 0
    events = body["data"]
    assert {e["category"] for e in events} == {"call"}
    assert all(start.isoformat() <= e["occurred_at"][:10] <= end.isoformat() for e in events)
    first = events[0]
    assert set(first) >= {
        "id",
        "occurred_at",
        "category",
        "description",
        "quantity",
        "unit",
        "charged_cost",
    }
    assert first["unit"] == "min" and first["charged_cost"]["currency"] == "INR"
    # Default order is newest first.
    stamps = [e["occurred_at"] for e in events]
    assert stamps == sorted(stamps, reverse=True)


async def test_events_paging_and_sort(client, login):
    s = await login(ADMIN)
    page1 = (
        await client.get("/api/v1/usage/events?per_page=5&sort=-charged_cost", headers=s.headers())
    ).json()
    page2 = (
        await client.get(
            "/api/v1/usage/events?per_page=5&page=2&sort=-charged_cost", headers=s.headers()
        )
    ).json()
    assert page1["meta"]["per_page"] == 5 and page1["meta"]["pages"] == -(
        -page1["meta"]["count"] // 5
    )
    costs = [e["charged_cost"]["amount_minor"] for e in page1["data"] + page2["data"]]
    assert costs == sorted(costs, reverse=True)
    assert not {e["id"] for e in page1["data"]} & {e["id"] for e in page2["data"]}
    bad = await client.get("/api/v1/usage/events?sort=secret", headers=s.headers())
    assert bad.status_code == 422 and "sort" in bad.json()["errors"]


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({"from": "2024-13-01"}, {"from"}),
        ({"to": "yesterday"}, {"to"}),
        ({"from": "2024-1-5"}, {"from"}),
        ({"from": "2024-05-02", "to": "2024-05-01"}, {"from", "to"}),
        ({"category": "sms"}, {"category"}),
        ({"from": "9999-12-31"}, {"from"}),
        ({"to": "0001-01-01"}, {"to"}),
    ],
)
async def test_events_reject_bad_filters(client, login, params, fields):
    s = await login(ADMIN)
    for path in ("/api/v1/usage/events", "/api/v1/usage/summary"):
        res = await client.get(path, params=params, headers=s.headers())
        assert res.status_code == 422, (path, res.text)
        assert res.json()["error_code"] == "VALIDATION_ERROR"
        assert fields <= set(res.json()["errors"]), res.json()["errors"]


async def test_summary_totals_equal_the_events(client, login, db, tenants):
    s = await login(ADMIN)
    acme = tenants["Acme Health"]
    end = date.fromisoformat(
        db.scalar(
            "SELECT MAX(substr(occurred_at, 1, 10)) FROM usage_events WHERE tenant_id = ?", (acme,)
        )
    )
    start = end - timedelta(days=59)
    res = await client.get(
        "/api/v1/usage/summary",
        params={"from": start.isoformat(), "to": end.isoformat(), "group_by": "day"},
        headers=s.headers(),
    )
    assert res.status_code == 200, res.text
    data = res.json()["data"]
    assert (data["from"], data["to"], data["group_by"]) == (
        start.isoformat(),
        end.isoformat(),
        "day",
    )
    series = data["series"]
    # Dense: every day times every category, in date order.
    assert len(series) == 60 * 3
    assert [p["date"] for p in series[::3]] == [
        (start + timedelta(days=i)).isoformat() for i in range(60)
    ]
    expected = _db_sum(db, acme, start, end)
    assert data["totals"]["charged_cost"]["amount_minor"] == expected["cost"]
    assert sum(p["charged_cost"]["amount_minor"] for p in series) == expected["cost"]
    assert data["totals"]["events"] == expected["n"]
    for category, total in data["totals"]["by_category"].items():
        mine = _db_sum(db, acme, start, end, category)
        assert total["charged_cost"]["amount_minor"] == mine["cost"]
        assert total["quantity"] == mine["qty"]
        assert sum(p["quantity"] for p in series if p["category"] == category) == mine["qty"]
    # The same window through the events list adds up to the same money.
    listed, page = 0, 1
    while True:
        body = (
            await client.get(
                "/api/v1/usage/events",
                params={
                    "from": start.isoformat(),
                    "to": end.isoformat(),
                    "per_page": 200,
                    "page": page,
                },
                headers=s.headers(),
            )
        ).json()
        listed += sum(e["charged_cost"]["amount_minor"] for e in body["data"])
        if page >= body["meta"]["pages"]:
            break
        page += 1
    assert listed == expected["cost"]


async def test_summary_by_month_and_category(client, login, db, tenants):
    s = await login(ADMIN)
    res = await client.get(
        "/api/v1/usage/summary",
        params={
            "from": "2020-01-15",
            "to": "2020-03-02",
            "group_by": "month",
            "category": "kb_import",
        },
        headers=s.headers(),
    )
    data = res.json()["data"]
    assert [(p["date"], p["category"]) for p in data["series"]] == [
        ("2020-01-01", "kb_import"),
        ("2020-02-01", "kb_import"),
        ("2020-03-01", "kb_import"),
    ]
    assert data["totals"]["charged_cost"]["amount_minor"] == 0
    assert (
        await client.get("/api/v1/usage/summary?group_by=week", headers=s.headers())
    ).status_code == 422
    too_long = await client.get(
        "/api/v1/usage/summary",
        params={"from": "2000-01-01", "to": "2024-01-01"},
        headers=s.headers(),
    )
    assert too_long.status_code == 422


async def test_summary_defaults_to_the_last_30_days(client, login):
    s = await login(ADMIN)
    data = (await client.get("/api/v1/usage/summary", headers=s.headers())).json()["data"]
    span = date.fromisoformat(data["to"]) - date.fromisoformat(data["from"])
    assert span.days == 29 and len(data["series"]) == 90


async def test_usage_is_admin_only(client, login):
    s = await login(OPERATOR)
    assert (await client.get("/api/v1/usage/events", headers=s.headers())).status_code == 403
    assert (await client.get("/api/v1/usage/summary", headers=s.headers())).status_code == 403


def test_build_series_is_dense_and_groups_months():
    rows = [
        (date(2024, 1, 31), "call", 450, 1, 1),
        (date(2024, 2, 1), "call", 900, 2, 1),
        (date(2024, 2, 29), "kb_import", 2000, 1, 1),
    ]
    daily = build_series(rows, date(2024, 1, 31), date(2024, 2, 2), "day", ["call", "kb_import"])
    assert [(p.bucket.day, p.category, p.charged_cost_minor) for p in daily] == [
        (31, "call", 450),
        (31, "kb_import", 0),
        (1, "call", 900),
        (1, "kb_import", 0),
        (2, "call", 0),
        (2, "kb_import", 0),
    ]
    monthly = build_series(
        rows, date(2024, 1, 31), date(2024, 2, 29), "month", ["call", "kb_import"]
    )
    assert [(p.bucket, p.category, p.charged_cost_minor, p.quantity) for p in monthly] == [
        (date(2024, 1, 1), "call", 450, 1),
        (date(2024, 1, 1), "kb_import", 0, 0),
        (date(2024, 2, 1), "call", 900, 2),
        (date(2024, 2, 1), "kb_import", 2000, 1),
    ]
    totals = totals_of(monthly, ["call", "kb_import"])
    assert totals["charged_cost"]["amount_minor"] == 3350
    assert totals["by_category"]["call"]["quantity"] == 3
    assert buckets(date(2023, 12, 31), date(2024, 2, 1), "month") == [
        date(2023, 12, 1),
        date(2024, 1, 1),
        date(2024, 2, 1),
    ]
