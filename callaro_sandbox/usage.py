"""Usage events and their daily/monthly summary (contract section 6).

Dates in filters are UTC calendar days, inclusive at both ends. `occurred_at` is stored as
ISO-8601 `...Z` text, which sorts like the instant it names, so a day range is a plain string
range on an index and no SQLite date function runs per row.
"""

from __future__ import annotations

import random
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from callaro_sandbox.context import TenantCtx, tenant_ctx
from callaro_sandbox.db import Database, register_schema
from callaro_sandbox.envelope import ApiFail, iso, money, now, ok, paged, parse_iso
from callaro_sandbox.paging import PageParams, fetch_page, order_by, page_params
from callaro_sandbox.schemas import Envelope, Money, PageEnvelope
from callaro_sandbox.telephony import is_fresh

if TYPE_CHECKING:
    from callaro_sandbox.seed import SeedTenant

SCHEMA = """
CREATE TABLE IF NOT EXISTS usage_events (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    occurred_at TEXT NOT NULL,
    category TEXT NOT NULL,
    description TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    unit TEXT NOT NULL,
    charged_cost_minor INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS usage_events_tenant_time ON usage_events (tenant_id, occurred_at);
"""
register_schema("usage", SCHEMA)

router = APIRouter(tags=["usage"])

BillingCtx = Annotated[TenantCtx, Depends(tenant_ctx("billing"))]

Category = Literal["call", "kb_import", "file_extraction"]
CATEGORIES: tuple[str, ...] = ("call", "kb_import", "file_extraction")
UNITS = {"call": "min", "kb_import": "document", "file_extraction": "page"}
# Sandbox tariff, before GST. A billed call minute is one 60-second pulse.
UNIT_PRICE_MINOR = {"call": 4_50, "kb_import": 20_00, "file_extraction": 1_00}
GroupBy = Literal["day", "month"]
MAX_DAYS = {"day": 731, "month": 3660}
DEFAULT_SUMMARY_DAYS = 30
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MIN_DAY = date(1970, 1, 1)
MAX_DAY = date(2999, 12, 31)


# --- pure helpers ------------------------------------------------------------------------


def parse_day(value: str | None, field: str) -> date | None:
    """A `YYYY-MM-DD` query value, or a 422 naming the field."""
    if value is None or value == "":
        return None
    parsed: date | None = None
    if _DATE.match(value):
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            parsed = None
    if parsed is None:
        msg = f"'{value}' is not a date; use YYYY-MM-DD"
        raise ApiFail(422, "VALIDATION_ERROR", msg, errors={field: [msg]})
    # Range arithmetic (the day after `to`, 30 days before `from`) must stay inside `date`.
    if not MIN_DAY <= parsed <= MAX_DAY:
        msg = f"must be between {MIN_DAY} and {MAX_DAY}"
        raise ApiFail(422, "VALIDATION_ERROR", f"'{field}' {msg}", errors={field: [msg]})
    return parsed


def check_range(start: date | None, end: date | None) -> None:
    if start is not None and end is not None and start > end:
        msg = "'from' must be on or before 'to'"
        raise ApiFail(422, "VALIDATION_ERROR", msg, errors={"from": [msg], "to": [msg]})


def day_bounds(start: date | None, end: date | None) -> tuple[str | None, str | None]:
    """[lower, upper) timestamps for an inclusive day range, comparable with occurred_at."""
    lower = f"{start.isoformat()}T00:00:00Z" if start else None
    upper = f"{(end + timedelta(days=1)).isoformat()}T00:00:00Z" if end else None
    return lower, upper


def bucket_of(day: date, group_by: str) -> date:
    return day.replace(day=1) if group_by == "month" else day


def buckets(start: date, end: date, group_by: str) -> list[date]:
    out: list[date] = []
    current = bucket_of(start, group_by)
    while current <= end:
        out.append(current)
        if group_by == "month":
            current = (current.replace(day=28) + timedelta(days=4)).replace(day=1)
        else:
            current += timedelta(days=1)
    return out


@dataclass(frozen=True)
class Point:
    bucket: date
    category: str
    charged_cost_minor: int
    quantity: int
    events: int


def build_series(
    rows: Iterable[tuple[date, str, int, int, int]],
    start: date,
    end: date,
    group_by: str,
    categories: Iterable[str],
) -> list[Point]:
    """Dense series: one point per bucket and category, zero-filled, in date order.

    Dense so a CSV export or a chart needs no gap handling: every row of a day exists even
    when nothing happened that day.
    """
    cats = list(categories)
    sums: dict[tuple[date, str], list[int]] = {}
    for day, category, cost, quantity, events in rows:
        slot = sums.setdefault((bucket_of(day, group_by), category), [0, 0, 0])
        slot[0] += cost
        slot[1] += quantity
        slot[2] += events
    series: list[Point] = []
    for bucket in buckets(start, end, group_by):
        for category in cats:
            cost, quantity, events = sums.get((bucket, category), (0, 0, 0))
            series.append(Point(bucket, category, cost, quantity, events))
    return series


def totals_of(series: Iterable[Point], categories: Iterable[str]) -> dict[str, Any]:
    by_category: dict[str, dict[str, Any]] = {}
    grand_cost = grand_events = 0
    points = list(series)
    for category in categories:
        mine = [p for p in points if p.category == category]
        cost = sum(p.charged_cost_minor for p in mine)
        events = sum(p.events for p in mine)
        by_category[category] = {
            "charged_cost": money(cost),
            "quantity": sum(p.quantity for p in mine),
            "unit": UNITS[category],
            "events": events,
        }
        grand_cost += cost
        grand_events += events
    # Quantities of different units do not add up, so the grand total carries cost and count.
    return {"charged_cost": money(grand_cost), "events": grand_events, "by_category": by_category}


def month_costs(db: Database, tenant_id: int, today: date) -> dict[str, int]:
    """This calendar month's charged cost per category, and the call pulses."""
    lower, upper = day_bounds(today.replace(day=1), today)
    rows = db.query(
        "SELECT category, SUM(charged_cost_minor) AS cost, SUM(quantity) AS qty"
        " FROM usage_events WHERE tenant_id = ? AND occurred_at >= ? AND occurred_at < ?"
        " GROUP BY category",
        (tenant_id, lower, upper),
    )
    out = {c: 0 for c in CATEGORIES}
    out["pulses"] = 0
    for row in rows:
        out[str(row["category"])] = int(row["cost"] or 0)
        if row["category"] == "call":
            out["pulses"] = int(row["qty"] or 0)
    return out


# --- schemas ------------------------------------------------------------------------------


class UsageEventOut(BaseModel):
    id: int
    occurred_at: str
    category: str
    description: str
    quantity: int
    unit: str
    charged_cost: Money


class UsagePointOut(BaseModel):
    date: str
    category: str
    charged_cost: Money
    quantity: int
    unit: str
    events: int


class CategoryTotalOut(BaseModel):
    charged_cost: Money
    quantity: int
    unit: str
    events: int


class UsageTotalsOut(BaseModel):
    charged_cost: Money
    events: int
    by_category: dict[str, CategoryTotalOut]


class UsageSummaryOut(BaseModel):
    from_: str = Field(alias="from")
    to: str
    group_by: str
    series: list[UsagePointOut]
    totals: UsageTotalsOut


def event_out(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": int(row["id"]),
        "occurred_at": iso(parse_iso(row["occurred_at"])),
        "category": str(row["category"]),
        "description": str(row["description"]),
        "quantity": int(row["quantity"]),
        "unit": str(row["unit"]),
        "charged_cost": money(int(row["charged_cost_minor"])),
    }


# --- routes --------------------------------------------------------------------------------

_SORTS = {
    "occurred_at": "occurred_at",
    "charged_cost": "charged_cost_minor",
    "quantity": "quantity",
    "category": "category",
    "id": "id",
}
FromQuery = Annotated[str | None, Query(alias="from", description="YYYY-MM-DD (UTC, inclusive)")]
ToQuery = Annotated[str | None, Query(alias="to", description="YYYY-MM-DD (UTC, inclusive)")]


def _where(
    tenant_id: int, start: date | None, end: date | None, category: str | None
) -> tuple[str, list[Any]]:
    where = ["tenant_id = ?"]
    params: list[Any] = [tenant_id]
    lower, upper = day_bounds(start, end)
    if lower:
        where.append("occurred_at >= ?")
        params.append(lower)
    if upper:
        where.append("occurred_at < ?")
        params.append(upper)
    if category:
        where.append("category = ?")
        params.append(category)
    return " AND ".join(where), params


@router.get("/api/v1/usage/events", response_model=PageEnvelope[UsageEventOut])
async def list_events(
    ctx: BillingCtx,
    paging: Annotated[PageParams, Depends(page_params)],
    date_from: FromQuery = None,
    date_to: ToQuery = None,
    category: Annotated[Category | None, Query()] = None,
    sort: Annotated[
        str | None, Query(description="occurred_at, charged_cost, quantity, category")
    ] = None,
) -> JSONResponse:
    start, end = parse_day(date_from, "from"), parse_day(date_to, "to")
    check_range(start, end)
    clause, params = _where(ctx.tenant_id, start, end, category)
    rows, total = fetch_page(
        ctx.db,
        f"SELECT * FROM usage_events WHERE {clause}",
        f"SELECT COUNT(*) FROM usage_events WHERE {clause}",
        params,
        paging,
        order_by(sort, _SORTS, "-occurred_at", tiebreak="id DESC"),
    )
    return paged(
        [event_out(r) for r in rows], total=total, page=paging.page, per_page=paging.per_page
    )


@router.get("/api/v1/usage/summary", response_model=Envelope[UsageSummaryOut])
async def usage_summary(
    ctx: BillingCtx,
    date_from: FromQuery = None,
    date_to: ToQuery = None,
    group_by: Annotated[GroupBy, Query()] = "day",
    category: Annotated[Category | None, Query()] = None,
) -> JSONResponse:
    start, end = parse_day(date_from, "from"), parse_day(date_to, "to")
    check_range(start, end)
    end = end or (now().date() if start is None else max(start, now().date()))
    start = start or end - timedelta(days=DEFAULT_SUMMARY_DAYS - 1)
    if (end - start).days + 1 > MAX_DAYS[group_by]:
        msg = f"At most {MAX_DAYS[group_by]} days per request when grouping by {group_by}"
        raise ApiFail(422, "VALIDATION_ERROR", msg, errors={"from": [msg]})
    clause, params = _where(ctx.tenant_id, start, end, category)
    rows = ctx.db.query(
        "SELECT substr(occurred_at, 1, 10) AS day, category, SUM(charged_cost_minor) AS cost,"
        f" SUM(quantity) AS qty, COUNT(*) AS n FROM usage_events WHERE {clause}"
        " GROUP BY day, category",
        params,
    )
    categories = [category] if category else list(CATEGORIES)
    series = build_series(
        (
            (
                date.fromisoformat(r["day"]),
                str(r["category"]),
                int(r["cost"]),
                int(r["qty"]),
                int(r["n"]),
            )
            for r in rows
        ),
        start,
        end,
        group_by,
        categories,
    )
    return ok(
        {
            "from": start.isoformat(),
            "to": end.isoformat(),
            "group_by": group_by,
            "series": [
                {
                    "date": p.bucket.isoformat(),
                    "category": p.category,
                    "charged_cost": money(p.charged_cost_minor),
                    "quantity": p.quantity,
                    "unit": UNITS[p.category],
                    "events": p.events,
                }
                for p in series
            ],
            "totals": totals_of(series, categories),
        }
    )


# --- seeds -------------------------------------------------------------------------------

_CALLS_PER_DAY = {"small": (0, 3), "medium": (2, 7), "large": (5, 14)}
_DEMO_DAYS = {"small": 90, "medium": 365, "large": 365}
_KB_SOURCES = ("FAQ.pdf", "Pricing sheet.xlsx", "Product catalogue.pdf", "Policies.docx", "Website")
_FILES = ("Invoice scan", "KYC document", "Delivery note", "Prescription", "Claim form")


def _events_for_day(
    rng: random.Random, tenant_id: int, day: date, calls: tuple[int, int]
) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    # Weekends are quieter; the shape makes the chart look like a real business.
    weekday_factor = 0.4 if day.weekday() >= 5 else 1.0
    for _ in range(round(rng.randint(*calls) * weekday_factor)):
        seconds = rng.randint(15, 900)
        minutes = -(-seconds // 60)
        direction = rng.choice(("Inbound", "Inbound", "Outbound"))
        caller = f"+91 9{rng.randint(100, 999)} {rng.randint(10000, 99999)}"
        rows.append(
            _row(
                tenant_id,
                day,
                rng,
                "call",
                f"{direction} call {caller} ({seconds // 60}m {seconds % 60:02d}s)",
                minutes,
            )
        )
    if rng.random() < 0.15 * weekday_factor:
        source = rng.choice(_KB_SOURCES)
        docs = rng.randint(1, 6)
        rows.append(
            _row(tenant_id, day, rng, "kb_import", f"Knowledge base import: {source}", docs)
        )
    if rng.random() < 0.25 * weekday_factor:
        pages = rng.randint(1, 40)
        rows.append(
            _row(tenant_id, day, rng, "file_extraction", f"{rng.choice(_FILES)} extraction", pages)
        )
    return rows


def _row(
    tenant_id: int, day: date, rng: random.Random, category: str, description: str, qty: int
) -> tuple[Any, ...]:
    at = datetime(day.year, day.month, day.day, rng.randint(3, 17), rng.randint(0, 59))
    return (
        tenant_id,
        iso(at),
        category,
        description,
        qty,
        UNITS[category],
        qty * UNIT_PRICE_MINOR[category],
    )


_INSERT = (
    "INSERT INTO usage_events (tenant_id, occurred_at, category, description, quantity, unit,"
    " charged_cost_minor) VALUES (?, ?, ?, ?, ?, ?, ?)"
)


def seed_tenant_usage(
    db: Database, rng: random.Random, tenant_id: int, size: str, days: int
) -> None:
    today = now().date()
    created = parse_iso(db.scalar("SELECT created_at FROM tenants WHERE id = ?", (tenant_id,)))
    first = today - timedelta(days=days - 1)
    if created is not None:
        first = max(first, created.date())
    rows: list[tuple[Any, ...]] = []
    day = first
    calls = _CALLS_PER_DAY.get(size, (0, 3))
    while day <= today:
        rows.extend(_events_for_day(rng, tenant_id, day, calls))
        day += timedelta(days=1)
    db.executemany(_INSERT, rows)


def seed_demo(db: Database, rng: random.Random, tenants: list[SeedTenant]) -> None:
    for tenant in tenants:
        if is_fresh(db, tenant.id):
            continue
        seed_tenant_usage(db, rng, tenant.id, tenant.size, _DEMO_DAYS.get(tenant.size, 90))


def seed_large(db: Database, rng: random.Random, tenant: SeedTenant) -> None:
    seed_tenant_usage(db, rng, tenant.id, "large", 365)
