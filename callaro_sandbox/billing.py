"""Billing (contract section 6): wallet overview, recharges, and the GST billing entity.

Money model, used consistently by the overview, checkout and seeds:

- the wallet `balance` is GST-inclusive money (what the customer paid in);
- `usable_credit = balance / (1 + gst_rate)`: what can be spent on charges, which are priced
  before GST (usage `charged_cost`), because every charge also consumes its 18% GST;
- `gst_component = balance - usable_credit` (so the two always add up to the balance);
- a recharge buys `credits` (before GST) and costs `total = credits + GST`; paying it credits
  the wallet with `total`, so usable credit rises by exactly the credits bought.
"""

from __future__ import annotations

import random
import re
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from callaro_sandbox import checkout
from callaro_sandbox.context import TenantCtx, tenant_ctx
from callaro_sandbox.db import Database, register_schema
from callaro_sandbox.envelope import (
    CURRENCY,
    ApiFail,
    iso,
    money,
    now,
    now_iso,
    ok,
    paged,
    parse_iso,
)
from callaro_sandbox.gst import (
    GST_RATE,
    STATE_NAMES,
    gst_on,
    gstin_error,
    make_gstin,
    normalize_gstin,
    split_inclusive,
    state_code_of,
)
from callaro_sandbox.idempotency import idempotent
from callaro_sandbox.paging import PageParams, fetch_page, order_by, page_params
from callaro_sandbox.schemas import Envelope, Money, PageEnvelope
from callaro_sandbox.telephony import is_fresh
from callaro_sandbox.usage import month_costs

if TYPE_CHECKING:
    from callaro_sandbox.seed import SeedTenant

SCHEMA = """
CREATE TABLE IF NOT EXISTS billing_accounts (
    tenant_id INTEGER PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    balance_minor INTEGER NOT NULL DEFAULT 0,
    plan_name TEXT NOT NULL DEFAULT 'Starter',
    legal_name TEXT,
    address TEXT,
    email TEXT,
    gstin TEXT,
    entity_updated_at TEXT
);
CREATE TABLE IF NOT EXISTS billing_recharges (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    credits_minor INTEGER NOT NULL,
    gst_minor INTEGER NOT NULL,
    total_minor INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    token TEXT NOT NULL UNIQUE,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    paid_at TEXT,
    failed_at TEXT
);
CREATE INDEX IF NOT EXISTS billing_recharges_tenant ON billing_recharges (tenant_id, created_at);
"""
register_schema("billing", SCHEMA)

router = APIRouter(tags=["billing"])
# The gateway stand-in lives beside the recharges it settles.
router.include_router(checkout.router)

# Ids are SQLite integers: a larger value would overflow the driver, so 422 it early.
RechargeId = Annotated[int, Path(ge=1, le=2**62)]

BillingCtx = Annotated[TenantCtx, Depends(tenant_ctx("billing"))]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]

DEFAULT_PLAN = "Starter"
MIN_RECHARGE_MINOR = 100_00
MAX_RECHARGE_MINOR = 10_00_000_00
RechargeStatus = Literal["pending", "paid", "failed"]
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


# --- schemas ------------------------------------------------------------------------------


class MonthOut(BaseModel):
    voice: Money
    knowledge_base: Money
    analysis: Money
    total: Money
    period_start: str
    period_end: str


class PlanOut(BaseModel):
    name: str


class OverviewOut(BaseModel):
    balance: Money
    gst_rate: float
    usable_credit: Money
    gst_component: Money
    month: MonthOut
    pulses: int
    plan: PlanOut


class MoneyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount_minor: int
    currency: str = CURRENCY


class RechargeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    credits: MoneyIn


class RechargeOut(BaseModel):
    id: int
    credits: Money
    subtotal: Money
    gst: Money
    total: Money
    status: str
    checkout_url: str
    created_at: str
    paid_at: str | None
    failed_at: str | None


class EntityOut(BaseModel):
    legal_name: str | None
    address: str | None
    email: str | None
    gstin: str | None
    state_code: str | None
    state_name: str | None
    updated_at: str | None


class EntityPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    legal_name: str | None = Field(None, max_length=200)
    address: str | None = Field(None, max_length=500)
    email: str | None = Field(None, max_length=254)
    gstin: str | None = Field(None, max_length=32)


# --- helpers -----------------------------------------------------------------------------


def account(db: Database, tenant_id: int) -> sqlite3.Row | None:
    return db.one("SELECT * FROM billing_accounts WHERE tenant_id = ?", (tenant_id,))


def ensure_account(db: Database, tenant_id: int) -> None:
    db.execute("INSERT OR IGNORE INTO billing_accounts (tenant_id) VALUES (?)", (tenant_id,))


def overview_data(db: Database, tenant_id: int) -> dict[str, Any]:
    row = account(db, tenant_id)
    balance = int(row["balance_minor"]) if row is not None else 0
    usable, gst_part = split_inclusive(balance)
    today = now().date()
    month = month_costs(db, tenant_id, today)
    total = month["call"] + month["kb_import"] + month["file_extraction"]
    return {
        "balance": money(balance),
        "gst_rate": GST_RATE,
        "usable_credit": money(usable),
        "gst_component": money(gst_part),
        "month": {
            # Voice is call time; knowledge base is imports; analysis is file extraction.
            "voice": money(month["call"]),
            "knowledge_base": money(month["kb_import"]),
            "analysis": money(month["file_extraction"]),
            "total": money(total),
            "period_start": today.replace(day=1).isoformat(),
            "period_end": today.isoformat(),
        },
        "pulses": month["pulses"],
        "plan": {"name": str(row["plan_name"]) if row is not None else DEFAULT_PLAN},
    }


def recharge_out(row: sqlite3.Row, base_url: str) -> dict[str, Any]:
    credits = int(row["credits_minor"])
    return {
        "id": int(row["id"]),
        "credits": money(credits),
        "subtotal": money(credits),
        "gst": money(int(row["gst_minor"])),
        "total": money(int(row["total_minor"])),
        "status": str(row["status"]),
        "checkout_url": checkout.checkout_url(base_url, str(row["token"])),
        "created_at": iso(parse_iso(row["created_at"])),
        "paid_at": iso(parse_iso(row["paid_at"])),
        "failed_at": iso(parse_iso(row["failed_at"])),
    }


def _base_url(request: Request) -> str:
    return str(request.app.state.config.public_base_url)


def entity_out(row: sqlite3.Row | None) -> dict[str, Any]:
    gstin = row["gstin"] if row is not None else None
    state = state_code_of(gstin)
    return {
        "legal_name": row["legal_name"] if row is not None else None,
        "address": row["address"] if row is not None else None,
        "email": row["email"] if row is not None else None,
        "gstin": gstin,
        "state_code": state,
        "state_name": STATE_NAMES[state] if state else None,
        "updated_at": iso(parse_iso(row["entity_updated_at"])) if row is not None else None,
    }


def validate_entity(body: EntityPatch) -> tuple[dict[str, str | None], dict[str, list[str]]]:
    """Cleaned values for the fields that were sent, and field errors (pure)."""
    values: dict[str, str | None] = {}
    errors: dict[str, list[str]] = {}
    sent = body.model_fields_set
    if "legal_name" in sent:
        name = (body.legal_name or "").strip()
        if not name:
            errors["legal_name"] = ["is required for GST invoices"]
        values["legal_name"] = name
    if "address" in sent:
        values["address"] = (body.address or "").strip() or None
    if "email" in sent:
        email = (body.email or "").strip() or None
        if email is not None and not EMAIL.match(email):
            errors["email"] = ["is not an email address"]
        values["email"] = email
    if "gstin" in sent:
        gstin = normalize_gstin(body.gstin or "") or None
        if gstin is not None:
            problem = gstin_error(gstin)
            if problem:
                errors["gstin"] = [problem]
        values["gstin"] = gstin
    return values, errors


# --- routes ------------------------------------------------------------------------------


@router.get("/api/v1/billing/overview", response_model=Envelope[OverviewOut])
async def get_overview(ctx: BillingCtx) -> JSONResponse:
    return ok(overview_data(ctx.db, ctx.tenant_id))


@router.post("/api/v1/billing/recharges", status_code=201, response_model=Envelope[RechargeOut])
async def create_recharge(
    body: RechargeIn, request: Request, ctx: BillingCtx, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    async def create() -> tuple[Any, int]:
        amount = body.credits.amount_minor
        errors: dict[str, list[str]] = {}
        if body.credits.currency != CURRENCY:
            errors["credits.currency"] = [f"recharges are in {CURRENCY}"]
        if not MIN_RECHARGE_MINOR <= amount <= MAX_RECHARGE_MINOR:
            errors["credits.amount_minor"] = [
                f"must be between {MIN_RECHARGE_MINOR} and {MAX_RECHARGE_MINOR} paise"
                " (₹100 to ₹10,00,000)"
            ]
        if errors:
            raise ApiFail(422, "VALIDATION_ERROR", "Invalid recharge amount", errors=errors)
        gst = gst_on(amount)
        with ctx.db.transaction():
            ensure_account(ctx.db, ctx.tenant_id)
            new_id = ctx.db.insert(
                "billing_recharges",
                tenant_id=ctx.tenant_id,
                credits_minor=amount,
                gst_minor=gst,
                total_minor=amount + gst,
                status="pending",
                token=secrets.token_urlsafe(24),
                created_by=ctx.caller.user_id or None,
                created_at=now_iso(),
            )
        row = ctx.db.one("SELECT * FROM billing_recharges WHERE id = ?", (new_id,))
        assert row is not None
        return recharge_out(row, _base_url(request)), 201

    return await idempotent(ctx, idempotency_key, "billing.recharges.create", body, create)


_RECHARGE_SORTS = {"created_at": "created_at", "total": "total_minor", "id": "id"}


@router.get("/api/v1/billing/recharges", response_model=PageEnvelope[RechargeOut])
async def list_recharges(
    request: Request,
    ctx: BillingCtx,
    paging: Annotated[PageParams, Depends(page_params)],
    status: Annotated[RechargeStatus | None, Query()] = None,
    sort: Annotated[str | None, Query(description="created_at, total, id")] = None,
) -> JSONResponse:
    where = "tenant_id = ?"
    params: list[Any] = [ctx.tenant_id]
    if status is not None:
        where += " AND status = ?"
        params.append(status)
    rows, total = fetch_page(
        ctx.db,
        f"SELECT * FROM billing_recharges WHERE {where}",
        f"SELECT COUNT(*) FROM billing_recharges WHERE {where}",
        params,
        paging,
        order_by(sort, _RECHARGE_SORTS, "-created_at", tiebreak="id DESC"),
    )
    base = _base_url(request)
    return paged(
        [recharge_out(r, base) for r in rows],
        total=total,
        page=paging.page,
        per_page=paging.per_page,
    )


@router.get("/api/v1/billing/recharges/{recharge_id}", response_model=Envelope[RechargeOut])
async def get_recharge(recharge_id: RechargeId, request: Request, ctx: BillingCtx) -> JSONResponse:
    row = ctx.db.one(
        "SELECT * FROM billing_recharges WHERE id = ? AND tenant_id = ?",
        (recharge_id, ctx.tenant_id),
    )
    if row is None:
        raise ApiFail(404, "RECHARGE_NOT_FOUND", "Recharge not found")
    return ok(recharge_out(row, _base_url(request)))


@router.get("/api/v1/billing/entity", response_model=Envelope[EntityOut])
async def get_entity(ctx: BillingCtx) -> JSONResponse:
    return ok(entity_out(account(ctx.db, ctx.tenant_id)))


@router.patch("/api/v1/billing/entity", response_model=Envelope[EntityOut])
async def update_entity(body: EntityPatch, ctx: BillingCtx) -> JSONResponse:
    values, errors = validate_entity(body)
    if errors:
        fields = ", ".join(sorted(errors))
        raise ApiFail(422, "VALIDATION_ERROR", f"Invalid billing details: {fields}", errors=errors)
    with ctx.db.transaction():
        ensure_account(ctx.db, ctx.tenant_id)
        if values:
            # Column names come from the fixed EntityPatch fields, never from the request.
            assignments = ", ".join(f"{name} = ?" for name in values)
            ctx.db.execute(
                f"UPDATE billing_accounts SET {assignments}, entity_updated_at = ?"
                " WHERE tenant_id = ?",
                (*values.values(), now_iso(), ctx.tenant_id),
            )
    return ok(entity_out(account(ctx.db, ctx.tenant_id)), message="Billing details saved")


# --- seeds -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoEntity:
    legal_name: str
    address: str
    email: str
    gstin: str | None


_ADDRESSES: dict[str | None, str] = {
    "29": "No. 42, 3rd Cross, Indiranagar, Bengaluru, Karnataka 560038",
    "27": "Unit 1204, Lodha Supremus, Lower Parel, Mumbai, Maharashtra 400013",
    "07": "B-14, Connaught Place, New Delhi, Delhi 110001",
    "33": "88 Anna Salai, Teynampet, Chennai, Tamil Nadu 600018",
    "04": "SCO 12, Sector 17-C, Chandigarh 160017",
    None: "221 FC Road, Shivajinagar, Pune 411005",
}
_SMALL_STATES: tuple[str | None, ...] = ("29", "27", "07", "33", "04", None)
PLANS = {"small": "Starter", "medium": "Growth", "large": "Pro"}


def demo_entity(tenant_id: int, name: str, size: str) -> DemoEntity:
    """The billing entity a seeded tenant gets; deterministic from the tenant alone so
    invoices and billing agree whichever seeds first."""
    rng = random.Random(f"callaro-entity:{tenant_id}:{name}")
    # Large bills intra-state from Karnataka (CGST+SGST); medium inter-state (IGST).
    state = {"large": "29", "medium": "27"}.get(size, _SMALL_STATES[tenant_id % len(_SMALL_STATES)])
    initial = (re.sub(r"[^A-Z]", "", name.upper()) or "X")[0]
    pan = (
        "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(3))
        + "C"  # fourth PAN letter C: a company
        + initial
        + f"{rng.randint(0, 9999):04d}"
        + rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ")
    )
    slug = re.sub(r"[^a-z0-9]+", "", name.lower())[:20] or "tenant"
    return DemoEntity(
        legal_name=f"{name} Private Limited",
        address=_ADDRESSES[state],
        email=f"accounts@{slug}.example.in",
        gstin=make_gstin(state, pan) if state else None,
    )


_BALANCE_RANGE = {"small": (1_000_00, 6_000_00), "medium": (15_000_00, 40_000_00)}


def _seed_tenant(db: Database, rng: random.Random, tenant: SeedTenant) -> None:
    if is_fresh(db, tenant.id):
        # A new tenant has an empty wallet and no billing details yet (the onboarding demo).
        db.insert("billing_accounts", tenant_id=tenant.id, balance_minor=0, plan_name=DEFAULT_PLAN)
        return
    low, high = _BALANCE_RANGE.get(tenant.size, (60_000_00, 1_50_000_00))
    entity = demo_entity(tenant.id, tenant.name, tenant.size)
    stamp = now_iso()
    db.insert(
        "billing_accounts",
        tenant_id=tenant.id,
        balance_minor=rng.randint(low, high),
        plan_name=PLANS.get(tenant.size, DEFAULT_PLAN),
        legal_name=entity.legal_name,
        address=entity.address,
        email=entity.email,
        gstin=entity.gstin,
        entity_updated_at=stamp,
    )
    if tenant.size == "small":
        return
    history = 8 if tenant.size == "large" else 4
    anchor = now().replace(microsecond=0)
    rows = []
    for index in range(history):
        credits = rng.choice((5_000_00, 10_000_00, 25_000_00, 50_000_00))
        created = anchor - timedelta(days=(history - index) * 40, hours=rng.randint(0, 20))
        failed = index == 1
        rows.append(
            (
                tenant.id,
                credits,
                gst_on(credits),
                credits + gst_on(credits),
                "failed" if failed else "paid",
                "seed-"
                + "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(24)),
                tenant.admin_user_id,
                iso(created),
                None if failed else iso(created + timedelta(minutes=3)),
                iso(created + timedelta(minutes=5)) if failed else None,
            )
        )
    db.executemany(
        "INSERT INTO billing_recharges (tenant_id, credits_minor, gst_minor, total_minor, status,"
        " token, created_by, created_at, paid_at, failed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


def seed_demo(db: Database, rng: random.Random, tenants: list[SeedTenant]) -> None:
    for tenant in tenants:
        _seed_tenant(db, rng, tenant)


def seed_large(db: Database, rng: random.Random, tenant: SeedTenant) -> None:
    _seed_tenant(db, rng, tenant)
