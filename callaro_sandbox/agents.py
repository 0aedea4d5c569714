"""Voice agents: only what the console needs to route inbound calls (contract section 8).

The real platform builds agents elsewhere; the sandbox seeds a handful per tenant so phone
numbers can be assigned to one.
"""

from __future__ import annotations

import random
import sqlite3
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from callaro_sandbox.context import TenantCtx, tenant_ctx
from callaro_sandbox.db import Database, register_schema
from callaro_sandbox.envelope import iso, now, paged, parse_iso
from callaro_sandbox.paging import PageParams, fetch_page, like_pattern, order_by, page_params
from callaro_sandbox.schemas import PageEnvelope

if TYPE_CHECKING:
    from callaro_sandbox.seed import SeedTenant

SCHEMA = """
CREATE TABLE IF NOT EXISTS agents (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS agents_tenant ON agents (tenant_id, name);
"""
register_schema("agents", SCHEMA)

router = APIRouter(tags=["agents"])

# Agents are listed for inbound assignment, so whoever may see numbers may see agents.
ReadCtx = Annotated[TenantCtx, Depends(tenant_ctx("phone_numbers:read"))]


class AgentOut(BaseModel):
    id: int
    name: str
    active: bool
    created_at: str | None = None


def agent_out(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": int(row["id"]),
        "name": str(row["name"]),
        "active": bool(row["active"]),
        "created_at": iso(parse_iso(row["created_at"])),
    }


def active_agent(db: Database, tenant_id: int, agent_id: int) -> sqlite3.Row | None:
    """The agent if it belongs to the tenant and can take calls; None otherwise."""
    return db.one(
        "SELECT id, name FROM agents WHERE id = ? AND tenant_id = ? AND active = 1",
        (agent_id, tenant_id),
    )


_SORTS = {"name": "name COLLATE NOCASE", "created_at": "created_at", "id": "id"}


@router.get("/api/v1/agents", response_model=PageEnvelope[AgentOut])
async def list_agents(
    ctx: ReadCtx,
    paging: Annotated[PageParams, Depends(page_params)],
    search: Annotated[str | None, Query(max_length=100)] = None,
    active: Annotated[bool | None, Query()] = None,
    sort: Annotated[
        str | None, Query(description="name, created_at, id; prefix - to reverse")
    ] = None,
) -> JSONResponse:
    where = ["tenant_id = ?"]
    params: list[Any] = [ctx.tenant_id]
    if search:
        where.append("name LIKE ? ESCAPE '\\'")
        params.append(like_pattern(search.replace("\x00", "").strip()))
    if active is not None:
        where.append("active = ?")
        params.append(int(active))
    clause = " AND ".join(where)
    rows, total = fetch_page(
        ctx.db,
        f"SELECT id, name, active, created_at FROM agents WHERE {clause}",
        f"SELECT COUNT(*) FROM agents WHERE {clause}",
        params,
        paging,
        order_by(sort, _SORTS, "name", tiebreak="id"),
    )
    return paged(
        [agent_out(r) for r in rows], total=total, page=paging.page, per_page=paging.per_page
    )


# --- seeds -----------------------------------------------------------------------------

_AGENT_NAMES = (
    "Front Desk",
    "Sales Qualifier",
    "Support Tier 1",
    "Appointment Booking",
    "Collections Reminder",
    "Hindi Helpline",
    "After-hours Voicemail",
    "Order Status",
    "Feedback Survey",
)
_AGENTS_BY_SIZE = {"small": 2, "medium": 4, "large": 7}


def seed_agents(db: Database, rng: random.Random, tenant: SeedTenant) -> list[int]:
    """Create the tenant's agents (the last one inactive when there are several)."""
    count = _AGENTS_BY_SIZE.get(tenant.size, 3)
    names = rng.sample(_AGENT_NAMES, count)
    created = iso(now()) or ""
    ids = []
    for index, name in enumerate(names):
        inactive = count > 2 and index == count - 1
        ids.append(
            db.insert(
                "agents",
                tenant_id=tenant.id,
                name=name,
                active=0 if inactive else 1,
                created_at=created,
            )
        )
    return ids


def ensure_agents(db: Database, rng: random.Random, tenant: SeedTenant) -> list[int]:
    """Ids of the tenant's active agents, seeding them first if the tenant has none."""
    if db.scalar("SELECT COUNT(*) FROM agents WHERE tenant_id = ?", (tenant.id,)) == 0:
        seed_agents(db, rng, tenant)
    rows = db.query(
        "SELECT id FROM agents WHERE tenant_id = ? AND active = 1 ORDER BY id", (tenant.id,)
    )
    return [int(r["id"]) for r in rows]


def seed_demo(db: Database, rng: random.Random, tenants: list[SeedTenant]) -> None:
    for tenant in tenants:
        seed_agents(db, rng, tenant)


def seed_large(db: Database, rng: random.Random, tenant: SeedTenant) -> None:
    seed_agents(db, rng, tenant)
