"""Phone numbers (contract section 8): list, search, buy from a pool, import, assign, release.

"Buying" draws from a deterministic pool per country, so two sandboxes seeded alike offer the
same numbers and tests can predict them. Where a regulator publishes numbers reserved for
drama/fiction (US 555-01xx, UK Ofcom, Australia ACMA) the pool uses them, so a demo never
shows somebody's real line.
"""

from __future__ import annotations

import random
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Path, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from callaro_sandbox.agents import active_agent, ensure_agents
from callaro_sandbox.context import TenantCtx, tenant_ctx
from callaro_sandbox.db import Database, register_schema
from callaro_sandbox.envelope import ApiFail, iso, money, now, now_iso, ok, paged, parse_iso
from callaro_sandbox.idempotency import idempotent
from callaro_sandbox.paging import PageParams, fetch_page, like_pattern, order_by, page_params
from callaro_sandbox.schemas import Envelope, Money, PageEnvelope
from callaro_sandbox.telephony import is_fresh

if TYPE_CHECKING:
    from callaro_sandbox.seed import SeedTenant

SCHEMA = """
CREATE TABLE IF NOT EXISTS phone_numbers (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    e164 TEXT NOT NULL UNIQUE,
    country TEXT,
    label TEXT,
    status TEXT NOT NULL DEFAULT 'pending',
    inbound_agent_id INTEGER REFERENCES agents (id) ON DELETE SET NULL,
    telephony_connection_id INTEGER NOT NULL REFERENCES telephony_connections (id),
    platform_managed INTEGER NOT NULL DEFAULT 0,
    monthly_price_minor INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    last_synced_at TEXT
);
CREATE INDEX IF NOT EXISTS phone_numbers_tenant ON phone_numbers (tenant_id, created_at);
CREATE INDEX IF NOT EXISTS phone_numbers_connection ON phone_numbers (telephony_connection_id);
"""
register_schema("phone_numbers", SCHEMA)

router = APIRouter(tags=["phone numbers"])

# Ids are SQLite integers: a larger value would overflow the driver, so 422 it early.
NumberId = Annotated[int, Path(ge=1, le=2**62)]

ReadCtx = Annotated[TenantCtx, Depends(tenant_ctx("phone_numbers:read"))]
WriteCtx = Annotated[TenantCtx, Depends(tenant_ctx("phone_numbers:write"))]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]

Status = Literal["active", "inactive", "pending"]
E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
MAX_LABEL = 100
MAX_IMPORT = 100
MAX_PURCHASE = 50


# --- the number pool (pure) -------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """`dial + prefix` followed by `free_digits` digits chosen from the pool."""

    prefix: str
    region: str
    locality: str
    free_digits: int


@dataclass(frozen=True)
class CountryPlan:
    code: str
    name: str
    dial: str
    blocks: tuple[Block, ...]
    monthly_minor: int
    setup_minor: int
    per_minute_minor: int


COUNTRIES: dict[str, CountryPlan] = {
    plan.code: plan
    for plan in (
        CountryPlan(
            "IN",
            "India",
            "+91",
            (
                Block("8047", "Karnataka", "Bengaluru", 6),
                Block("2271", "Maharashtra", "Mumbai", 6),
                Block("1169", "Delhi", "New Delhi", 6),
                Block("4049", "Telangana", "Hyderabad", 6),
                Block("4469", "Tamil Nadu", "Chennai", 6),
            ),
            monthly_minor=500_00,
            setup_minor=250_00,
            per_minute_minor=60,
        ),
        CountryPlan(
            "US",
            "United States",
            "+1",
            (
                Block("41555501", "California", "San Francisco", 2),
                Block("21255501", "New York", "New York", 2),
                Block("51255501", "Texas", "Austin", 2),
                Block("20655501", "Washington", "Seattle", 2),
            ),
            monthly_minor=95_00,
            setup_minor=0,
            per_minute_minor=120,
        ),
        CountryPlan(
            "GB",
            "United Kingdom",
            "+44",
            (
                Block("2079460", "England", "London", 3),
                Block("1614960", "England", "Manchester", 3),
                Block("1314960", "Scotland", "Edinburgh", 3),
            ),
            monthly_minor=110_00,
            setup_minor=0,
            per_minute_minor=140,
        ),
        CountryPlan(
            "AU",
            "Australia",
            "+61",
            (
                Block("25550", "New South Wales", "Sydney", 4),
                Block("35550", "Victoria", "Melbourne", 4),
                Block("75550", "Queensland", "Brisbane", 4),
            ),
            monthly_minor=240_00,
            setup_minor=0,
            per_minute_minor=180,
        ),
        CountryPlan(
            "SG",
            "Singapore",
            "+65",
            (Block("6653", "Singapore", "Singapore", 4),),
            monthly_minor=900_00,
            setup_minor=900_00,
            per_minute_minor=150,
        ),
    )
}
POOL_PER_BLOCK = 60


@dataclass(frozen=True)
class PoolNumber:
    e164: str
    country: str
    region: str
    locality: str


@cache
def number_pool(country: str) -> tuple[PoolNumber, ...]:
    """Every number the sandbox can ever sell in `country`, in a fixed shuffled order."""
    plan = COUNTRIES[country]
    rng = random.Random(f"callaro-number-pool:{country}")
    pool: list[PoolNumber] = []
    for block in plan.blocks:
        size = 10**block.free_digits
        for n in rng.sample(range(size), min(POOL_PER_BLOCK, size)):
            e164 = f"{plan.dial}{block.prefix}{n:0{block.free_digits}d}"
            pool.append(PoolNumber(e164, country, block.region, block.locality))
    rng.shuffle(pool)
    return tuple(pool)


def country_of(e164: str) -> str | None:
    """Best-effort country of an E.164 number (longest matching dial code we know)."""
    for code, plan in sorted(COUNTRIES.items(), key=lambda kv: -len(kv[1].dial)):
        if e164.startswith(plan.dial):
            return code
    return None


def _country(raw: str, field: str = "country") -> CountryPlan:
    code = raw.strip().upper()
    plan = COUNTRIES.get(code)
    if plan is None:
        msg = f"Numbers are not available in '{raw}'; choose one of {', '.join(COUNTRIES)}"
        raise ApiFail(422, "VALIDATION_ERROR", msg, errors={field: [msg]})
    return plan


def available_numbers(db: Database, country: str) -> list[PoolNumber]:
    """The pool minus numbers any tenant holds (a number has one owner platform-wide)."""
    pool = number_pool(country)
    taken = {
        str(r["e164"])
        for r in db.query(
            "SELECT e164 FROM phone_numbers WHERE e164 >= ? AND e164 < ?",
            (COUNTRIES[country].dial, COUNTRIES[country].dial + "~"),
        )
    }
    return [n for n in pool if n.e164 not in taken]


# --- schemas ------------------------------------------------------------------------------


class AgentRefOut(BaseModel):
    id: int
    name: str


class ConnectionRefOut(BaseModel):
    id: int
    name: str
    provider: str


class PhoneNumberOut(BaseModel):
    id: int
    e164: str
    label: str | None
    status: str
    inbound_agent: AgentRefOut | None
    telephony_connection: ConnectionRefOut
    platform_managed: bool
    country: str | None
    monthly_price: Money | None
    created_at: str
    updated_at: str
    last_synced_at: str | None


class NumbersOut(BaseModel):
    numbers: list[PhoneNumberOut]


class AvailableOut(BaseModel):
    e164: str
    country: str
    region: str
    locality: str
    capabilities: list[str]
    monthly_price: Money


class PricingOut(BaseModel):
    country: str
    country_name: str
    monthly_price: Money
    setup_price: Money
    per_minute: Money
    gst_applicable: bool


class PurchaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    country: str = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2")
    quantity: int = Field(ge=1, le=MAX_PURCHASE)
    telephony_connection_id: int = Field(ge=1, le=2**62)


class ImportItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    e164: str = Field(max_length=32)
    label: str | None = Field(None, max_length=MAX_LABEL)


class ImportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    numbers: list[ImportItem] = Field(min_length=1, max_length=MAX_IMPORT)
    telephony_connection_id: int = Field(ge=1, le=2**62)


class PatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str | None = Field(None, max_length=MAX_LABEL)
    inbound_agent_id: int | None = Field(None, ge=1, le=2**62)


class SyncOut(BaseModel):
    synced: int
    activated: int
    synced_at: str


class ReleasedOut(BaseModel):
    id: int
    e164: str
    released: bool


# --- reading ------------------------------------------------------------------------------

_SELECT = (
    "SELECT p.*, a.name AS agent_name, c.name AS connection_name,"
    " c.provider AS connection_provider, c.active AS connection_active"
    " FROM phone_numbers p"
    " JOIN telephony_connections c ON c.id = p.telephony_connection_id"
    " LEFT JOIN agents a ON a.id = p.inbound_agent_id"
)


def number_out(row: sqlite3.Row) -> dict[str, Any]:
    agent_id = row["inbound_agent_id"]
    price = row["monthly_price_minor"]
    return {
        "id": int(row["id"]),
        "e164": str(row["e164"]),
        "label": row["label"],
        "status": str(row["status"]),
        "inbound_agent": (
            {"id": int(agent_id), "name": str(row["agent_name"])} if agent_id is not None else None
        ),
        "telephony_connection": {
            "id": int(row["telephony_connection_id"]),
            "name": str(row["connection_name"]),
            "provider": str(row["connection_provider"]),
        },
        "platform_managed": bool(row["platform_managed"]),
        "country": row["country"],
        "monthly_price": money(int(price)) if price is not None else None,
        "created_at": iso(parse_iso(row["created_at"])),
        "updated_at": iso(parse_iso(row["updated_at"])),
        "last_synced_at": iso(parse_iso(row["last_synced_at"])),
    }


def get_number(db: Database, tenant_id: int, number_id: int) -> sqlite3.Row:
    row = db.one(f"{_SELECT} WHERE p.id = ? AND p.tenant_id = ?", (number_id, tenant_id))
    if row is None:
        raise ApiFail(404, "PHONE_NUMBER_NOT_FOUND", "Phone number not found")
    return row


def _numbers_by_ids(db: Database, ids: list[int]) -> list[dict[str, Any]]:
    if not ids:
        return []
    marks = ", ".join("?" for _ in ids)
    rows = db.query(f"{_SELECT} WHERE p.id IN ({marks}) ORDER BY p.id", ids)
    return [number_out(r) for r in rows]


def search_clause(search: str) -> tuple[str, list[Any]]:
    """Match the label anywhere, and the number ignoring the spaces/dashes people type."""
    # SQLite ends text at NUL inside LIKE, which would turn the pattern into "match all".
    text = search.replace("\x00", "").strip()
    clauses = ["p.label LIKE ? ESCAPE '\\'"]
    params: list[Any] = [like_pattern(text)]
    if re.fullmatch(r"[0-9\s().+-]+", text):
        digits = re.sub(r"[\s().-]", "", text)
        if digits:
            clauses.append("p.e164 LIKE ? ESCAPE '\\'")
            params.append(like_pattern(digits))
    return "(" + " OR ".join(clauses) + ")", params


_SORTS = {
    "created_at": "p.created_at",
    "e164": "p.e164",
    "label": "p.label COLLATE NOCASE",
    "status": "p.status",
    "provider": "c.provider",
    "inbound_agent": "a.name COLLATE NOCASE",
    "id": "p.id",
}


@router.get("/api/v1/phone_numbers", response_model=PageEnvelope[PhoneNumberOut])
async def list_numbers(
    ctx: ReadCtx,
    paging: Annotated[PageParams, Depends(page_params)],
    search: Annotated[str | None, Query(max_length=100, description="number or name")] = None,
    status: Annotated[Status | None, Query()] = None,
    telephony_connection_id: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    sort: Annotated[
        str | None,
        Query(description="created_at, e164, label, status, provider, inbound_agent; - reverses"),
    ] = None,
) -> JSONResponse:
    where = ["p.tenant_id = ?"]
    params: list[Any] = [ctx.tenant_id]
    if search and search.strip():
        clause, extra = search_clause(search)
        where.append(clause)
        params += extra
    if status is not None:
        where.append("p.status = ?")
        params.append(status)
    if telephony_connection_id is not None:
        where.append("p.telephony_connection_id = ?")
        params.append(telephony_connection_id)
    clause = " AND ".join(where)
    # The count needs the joins only when sorting/filtering could touch them; it never does.
    rows, total = fetch_page(
        ctx.db,
        f"{_SELECT} WHERE {clause}",
        f"SELECT COUNT(*) FROM phone_numbers p WHERE {clause}",
        params,
        paging,
        order_by(sort, _SORTS, "-created_at", tiebreak="p.id DESC"),
    )
    return paged(
        [number_out(r) for r in rows], total=total, page=paging.page, per_page=paging.per_page
    )


@router.get("/api/v1/phone_numbers/available", response_model=Envelope[list[AvailableOut]])
async def list_available(
    ctx: ReadCtx,
    country: Annotated[str, Query(min_length=2, max_length=2)] = "IN",
    contains: Annotated[str | None, Query(max_length=15, pattern=r"^[0-9]+$")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> JSONResponse:
    plan = _country(country)
    numbers = available_numbers(ctx.db, plan.code)
    if contains:
        numbers = [n for n in numbers if contains in n.e164[len(plan.dial) :]]
    data = [
        {
            "e164": n.e164,
            "country": n.country,
            "region": n.region,
            "locality": n.locality,
            "capabilities": ["voice"],
            "monthly_price": money(plan.monthly_minor),
        }
        for n in numbers[:limit]
    ]
    return ok(data, meta={"count": len(numbers)})


@router.get("/api/v1/phone_numbers/pricing", response_model=Envelope[PricingOut])
async def get_pricing(
    ctx: ReadCtx, country: Annotated[str, Query(min_length=2, max_length=2)] = "IN"
) -> JSONResponse:
    plan = _country(country)
    return ok(
        {
            "country": plan.code,
            "country_name": plan.name,
            "monthly_price": money(plan.monthly_minor),
            "setup_price": money(plan.setup_minor),
            "per_minute": money(plan.per_minute_minor),
            # Prices are before GST; 18% is added on the invoice.
            "gst_applicable": True,
        }
    )


# --- writing -----------------------------------------------------------------------------


def _connection_for(
    db: Database, tenant_id: int, connection_id: int, *, twilio_only: bool
) -> sqlite3.Row:
    row = db.one(
        "SELECT id, name, provider, active FROM telephony_connections"
        " WHERE id = ? AND tenant_id = ?",
        (connection_id, tenant_id),
    )
    problem: str | None = None
    if row is None:
        problem = "No such telephony connection in this tenant"
    elif twilio_only and row["provider"] != "twilio":
        problem = "Numbers can only be purchased through a Twilio connection"
    elif not row["active"]:
        problem = f"The connection '{row['name']}' is disabled"
    if problem is not None or row is None:
        msg = problem or "No such telephony connection in this tenant"
        raise ApiFail(422, "VALIDATION_ERROR", msg, errors={"telephony_connection_id": [msg]})
    return row


def _insert_numbers(db: Database, rows: list[dict[str, Any]]) -> list[int]:
    return [db.insert("phone_numbers", **row) for row in rows]


@router.post("/api/v1/phone_numbers/purchase", status_code=201, response_model=Envelope[NumbersOut])
async def purchase_numbers(
    body: PurchaseIn, ctx: WriteCtx, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    async def create() -> tuple[Any, int]:
        plan = _country(body.country)
        _connection_for(ctx.db, ctx.tenant_id, body.telephony_connection_id, twilio_only=True)
        available = available_numbers(ctx.db, plan.code)
        if len(available) < body.quantity:
            msg = f"Only {len(available)} numbers are available in {plan.name}"
            raise ApiFail(422, "VALIDATION_ERROR", msg, errors={"quantity": [msg]})
        stamp = now_iso()
        with ctx.db.transaction():
            ids = _insert_numbers(
                ctx.db,
                [
                    {
                        "tenant_id": ctx.tenant_id,
                        "e164": n.e164,
                        "country": plan.code,
                        "label": None,
                        "status": "active",
                        "telephony_connection_id": body.telephony_connection_id,
                        "platform_managed": 1,
                        "monthly_price_minor": plan.monthly_minor,
                        "created_at": stamp,
                        "updated_at": stamp,
                        "last_synced_at": stamp,
                    }
                    for n in available[: body.quantity]
                ],
            )
        return {"numbers": _numbers_by_ids(ctx.db, ids)}, 201

    return await idempotent(ctx, idempotency_key, "phone_numbers.purchase", body, create)


def validate_import(db: Database, items: list[ImportItem]) -> dict[str, list[str]]:
    """Field errors per item (`numbers.2.e164`), including duplicates and taken numbers."""
    errors: dict[str, list[str]] = {}
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        e164 = item.e164.strip()
        key = f"numbers.{index}.e164"
        if not E164.match(e164):
            errors.setdefault(key, []).append(
                "must be an E.164 number: + then country code and number, 8 to 15 digits"
            )
            continue
        if e164 in seen:
            errors.setdefault(key, []).append(f"duplicates numbers.{seen[e164]}.e164")
            continue
        seen[e164] = index
        if db.one("SELECT 1 FROM phone_numbers WHERE e164 = ?", (e164,)) is not None:
            errors.setdefault(key, []).append("this number is already on Callaro")
    return errors


@router.post(
    "/api/v1/phone_numbers/import_owned", status_code=201, response_model=Envelope[NumbersOut]
)
async def import_owned(
    body: ImportIn, ctx: WriteCtx, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    async def create() -> tuple[Any, int]:
        errors = validate_import(ctx.db, body.numbers)
        try:
            _connection_for(ctx.db, ctx.tenant_id, body.telephony_connection_id, twilio_only=False)
        except ApiFail as exc:
            errors.update(exc.errors)
        if errors:
            count = len({k.split(".")[1] for k in errors if k.startswith("numbers.")})
            message = (
                f"{count} of {len(body.numbers)} numbers cannot be added"
                if count
                else ("Invalid telephony connection")
            )
            raise ApiFail(422, "VALIDATION_ERROR", message, errors=errors)
        stamp = now_iso()
        with ctx.db.transaction():
            ids = _insert_numbers(
                ctx.db,
                [
                    {
                        "tenant_id": ctx.tenant_id,
                        "e164": item.e164.strip(),
                        "country": country_of(item.e164.strip()),
                        "label": (item.label or "").strip() or None,
                        # Owned numbers wait for activation until the carrier routes them here.
                        "status": "pending",
                        "telephony_connection_id": body.telephony_connection_id,
                        "platform_managed": 0,
                        "monthly_price_minor": None,
                        "created_at": stamp,
                        "updated_at": stamp,
                    }
                    for item in body.numbers
                ],
            )
        return {"numbers": _numbers_by_ids(ctx.db, ids)}, 201

    return await idempotent(ctx, idempotency_key, "phone_numbers.import_owned", body, create)


@router.post("/api/v1/phone_numbers/sync", response_model=Envelope[SyncOut])
async def sync_numbers(ctx: WriteCtx) -> JSONResponse:
    stamp = now_iso()
    with ctx.db.transaction():
        # A provider sync confirms pending numbers whose connection is live.
        activated = ctx.db.execute(
            "UPDATE phone_numbers SET status = 'active', updated_at = ?"
            " WHERE tenant_id = ? AND status = 'pending' AND telephony_connection_id IN"
            " (SELECT id FROM telephony_connections WHERE tenant_id = ? AND active = 1)",
            (stamp, ctx.tenant_id, ctx.tenant_id),
        ).rowcount
        synced = ctx.db.execute(
            "UPDATE phone_numbers SET last_synced_at = ? WHERE tenant_id = ?",
            (stamp, ctx.tenant_id),
        ).rowcount
    return ok(
        {"synced": synced, "activated": activated, "synced_at": stamp},
        message=f"Synced {synced} numbers",
    )


@router.get("/api/v1/phone_numbers/{number_id}", response_model=Envelope[PhoneNumberOut])
async def get_number_route(number_id: NumberId, ctx: ReadCtx) -> JSONResponse:
    return ok(number_out(get_number(ctx.db, ctx.tenant_id, number_id)))


@router.patch("/api/v1/phone_numbers/{number_id}", response_model=Envelope[PhoneNumberOut])
async def update_number(number_id: NumberId, body: PatchIn, ctx: WriteCtx) -> JSONResponse:
    row = get_number(ctx.db, ctx.tenant_id, number_id)
    sent = body.model_fields_set
    label = row["label"]
    agent_id = row["inbound_agent_id"]
    if "label" in sent:
        label = (body.label or "").strip() or None
    if "inbound_agent_id" in sent:
        agent_id = body.inbound_agent_id
        if agent_id is not None and active_agent(ctx.db, ctx.tenant_id, agent_id) is None:
            msg = "must be an active agent of this tenant"
            raise ApiFail(
                422,
                "VALIDATION_ERROR",
                f"Agent {agent_id} {msg}",
                errors={"inbound_agent_id": [msg]},
            )
    ctx.db.execute(
        "UPDATE phone_numbers SET label = ?, inbound_agent_id = ?, updated_at = ? WHERE id = ?",
        (label, agent_id, now_iso(), number_id),
    )
    return ok(number_out(get_number(ctx.db, ctx.tenant_id, number_id)))


@router.post("/api/v1/phone_numbers/{number_id}/activate", response_model=Envelope[PhoneNumberOut])
async def activate_number(number_id: NumberId, ctx: WriteCtx) -> JSONResponse:
    row = get_number(ctx.db, ctx.tenant_id, number_id)
    if not row["connection_active"]:
        msg = f"The connection '{row['connection_name']}' is disabled; enable it first"
        raise ApiFail(422, "VALIDATION_ERROR", msg, errors={"telephony_connection_id": [msg]})
    if row["status"] != "active":
        ctx.db.execute(
            "UPDATE phone_numbers SET status = 'active', updated_at = ? WHERE id = ?",
            (now_iso(), number_id),
        )
    return ok(number_out(get_number(ctx.db, ctx.tenant_id, number_id)), message="Number active")


@router.post("/api/v1/phone_numbers/{number_id}/resync", response_model=Envelope[PhoneNumberOut])
async def resync_number(number_id: NumberId, ctx: WriteCtx) -> JSONResponse:
    row = get_number(ctx.db, ctx.tenant_id, number_id)
    stamp = now_iso()
    status = str(row["status"])
    if status == "pending" and row["connection_active"]:
        status = "active"
    ctx.db.execute(
        "UPDATE phone_numbers SET status = ?, last_synced_at = ?, updated_at = ? WHERE id = ?",
        (status, stamp, stamp, number_id),
    )
    return ok(number_out(get_number(ctx.db, ctx.tenant_id, number_id)))


@router.delete("/api/v1/phone_numbers/{number_id}", response_model=Envelope[ReleasedOut])
async def release_number(number_id: NumberId, ctx: WriteCtx) -> JSONResponse:
    row = get_number(ctx.db, ctx.tenant_id, number_id)
    # Released pool numbers simply become available again: the pool is "all minus held".
    ctx.db.execute("DELETE FROM phone_numbers WHERE id = ?", (number_id,))
    return ok(
        {"id": number_id, "e164": str(row["e164"]), "released": True},
        message=f"Released {row['e164']}",
    )


# --- seeds -------------------------------------------------------------------------------

_NUMBERS_BY_SIZE = {"small": 3, "medium": 20, "large": 48}
_LABELS = (
    "Main line",
    "Sales",
    "Support",
    "Billing desk",
    "Appointments",
    "Hindi support",
    "Marketing campaign",
    "Outbound reminders",
    "Branch office",
    "Partners",
    "Escalations",
    None,
    None,
)


def _seed_numbers(
    db: Database,
    rng: random.Random,
    tenant_id: int,
    count: int,
    stamp_for: Callable[[int], str],
) -> None:
    connections = db.query(
        "SELECT id, provider, active FROM telephony_connections WHERE tenant_id = ? ORDER BY id",
        (tenant_id,),
    )
    if not connections:
        return
    agents = [
        int(r["id"])
        for r in db.query(
            "SELECT id FROM agents WHERE tenant_id = ? AND active = 1 ORDER BY id", (tenant_id,)
        )
    ]
    for index in range(count):
        conn = connections[index % len(connections)]
        created = stamp_for(index)
        agent = rng.choice(agents) if agents and rng.random() < 0.7 else None
        label = rng.choice(_LABELS)
        if conn["provider"] == "twilio":
            country = "IN" if rng.random() < 0.7 else "US"
            free = available_numbers(db, country)
            if not free:
                continue
            e164, managed = free[0].e164, 1
            price: int | None = COUNTRIES[country].monthly_minor
            status = "active"
        else:
            # Owned numbers come from a block outside every pool, so they never collide.
            country, managed, price = "IN", 0, None
            e164 = f"+91806{tenant_id % 1000:03d}{index:04d}"
            status = "active" if rng.random() < 0.85 else "pending"
        if not conn["active"]:
            status = "inactive"
        # One row at a time: the next pool draw must see this number as taken.
        db.execute(
            _INSERT,
            (
                tenant_id,
                e164,
                country,
                label,
                status,
                agent if status == "active" else None,
                int(conn["id"]),
                managed,
                price,
                created,
                created,
                created,
            ),
        )


_INSERT = (
    "INSERT INTO phone_numbers (tenant_id, e164, country, label, status, inbound_agent_id,"
    " telephony_connection_id, platform_managed, monthly_price_minor, created_at, updated_at,"
    " last_synced_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def seed_demo(db: Database, rng: random.Random, tenants: list[SeedTenant]) -> None:
    anchor = now().replace(microsecond=0)
    for tenant in tenants:
        if is_fresh(db, tenant.id):
            continue
        ensure_agents(db, rng, tenant)
        count = _NUMBERS_BY_SIZE.get(tenant.size, 3)

        def stamp_for(index: int, count: int = count) -> str:
            # Oldest first, about a week apart, so "Created" sorts meaningfully.
            age = timedelta(days=(count - index) * 7, hours=rng.randint(0, 23))
            return iso(anchor - age) or ""

        _seed_numbers(db, rng, tenant.id, count, stamp_for)


LARGE_NUMBERS = 5000


def seed_large(db: Database, rng: random.Random, tenant: SeedTenant) -> None:
    """5,000 numbers in one tenant, inserted in one executemany (benchmarks page through them)."""
    agents = ensure_agents(db, rng, tenant)
    connections = db.query(
        "SELECT id, provider, active FROM telephony_connections WHERE tenant_id = ? ORDER BY id",
        (tenant.id,),
    )
    if not connections:
        stamp = now_iso()
        db.insert(
            "telephony_connections",
            tenant_id=tenant.id,
            name="Bulk SIP trunk",
            provider="sip",
            active=1,
            settings='{"termination_uri": "sip:bulk.example.com", "codecs": ["PCMU"]}',
            secrets="{}",
            created_at=stamp,
            updated_at=stamp,
        )
        connections = db.query(
            "SELECT id, provider, active FROM telephony_connections WHERE tenant_id = ?",
            (tenant.id,),
        )
    anchor = now().replace(microsecond=0)
    rows: list[tuple[Any, ...]] = []
    for index in range(LARGE_NUMBERS):
        conn = connections[index % len(connections)]
        created = iso(anchor - timedelta(minutes=index * 97)) or ""
        status = "inactive" if not conn["active"] else rng.choice(("active",) * 8 + ("pending",))
        agent = rng.choice(agents) if agents and status == "active" and rng.random() < 0.6 else None
        rows.append(
            (
                tenant.id,
                # +91 22 6xxxxxxx: outside every pool block, one per index.
                f"+91226{index:07d}",
                "IN",
                f"{rng.choice(_LABELS) or 'Line'} {index + 1}",
                status,
                agent,
                int(conn["id"]),
                int(conn["provider"] == "twilio"),
                COUNTRIES["IN"].monthly_minor if conn["provider"] == "twilio" else None,
                created,
                created,
                created,
            )
        )
    db.executemany(_INSERT, rows)
