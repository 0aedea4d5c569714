"""Contract section 7: tenant API keys.

The secret is shown once, by the create call; only its SHA-256 is stored (a random 160-bit
secret needs no slow hash). Revoking is permanent: a revoked key disappears from every route.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator

from callaro_sandbox.context import TenantCtx, tenant_ctx
from callaro_sandbox.envelope import ApiFail, iso, now_iso, ok, paged, parse_iso
from callaro_sandbox.idempotency import idempotent
from callaro_sandbox.paging import PageParams, fetch_page, like_pattern, order_by, page_params
from callaro_sandbox.schemas import Envelope, PageEnvelope
from callaro_sandbox.security import sha256_hex

router = APIRouter(tags=["api_keys"])

Ctx = Annotated[TenantCtx, Depends(tenant_ctx("api_keys"))]
KeyId = Annotated[int, Path(ge=1, le=2**62)]

SECRET_PREFIX = "sk_live_"
PREFIX_LENGTH = len(SECRET_PREFIX) + 4  # "sk_live_ab12"

# (name, description, in the default set)
SCOPES: tuple[tuple[str, str, bool], ...] = (
    ("bulk_call_campaigns:read", "Read bulk call campaigns", True),
    ("bulk_call_campaigns:write", "Create and change bulk call campaigns", True),
    ("contacts:read", "Read contacts", True),
    ("contacts:write", "Create and change contacts", True),
    ("phone_numbers:read", "Read phone numbers", True),
    ("phone_numbers:write", "Purchase, import and change phone numbers", True),
    ("voice_sessions:read", "Read voice sessions", True),
    ("billing:tenant:read", "Read the tenant's billing", True),
    ("billing:partner:read", "Read partner billing", True),
    ("billing:partner:allocate", "Allocate partner credit (opt-in)", False),
    ("call_traces:admin_read", "Read call traces as an admin (opt-in)", False),
)
SCOPE_NAMES = frozenset(name for name, _, _ in SCOPES)
DEFAULT_SCOPES = [name for name, _, default in SCOPES if default]


def _check_scopes(value: list[str] | None) -> list[str] | None:
    if value is None:
        return None
    if not value:
        raise ValueError("Choose at least one scope")
    unknown = sorted(set(value) - SCOPE_NAMES)
    if unknown:
        raise ValueError(f"Unknown scope(s): {', '.join(unknown)}")
    # Keep the catalogue's order so equal sets always read the same.
    return [name for name, _, _ in SCOPES if name in set(value)]


def _check_name(value: str | None) -> str | None:
    if value is None:
        return None
    name = value.strip()
    if not name:
        raise ValueError("Name is required")
    return name


class ScopeOut(BaseModel):
    name: str
    description: str
    default: bool


class PersonOut(BaseModel):
    id: int
    email: str
    display_name: str | None


class ApiKeyOut(BaseModel):
    id: int
    name: str
    prefix: str
    scopes: list[str]
    active: bool
    created_at: str | None
    last_used_at: str | None
    created_by: PersonOut | None


class ApiKeyCreatedOut(ApiKeyOut):
    secret: str


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str = Field(max_length=100)
    scopes: list[str] | None = Field(default=None, max_length=len(SCOPES))

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return _check_name(value)

    @field_validator("scopes")
    @classmethod
    def _scopes(cls, value: list[str] | None) -> list[str] | None:
        return _check_scopes(value)


class ApiKeyUpdate(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str | None = Field(default=None, max_length=100)
    active: bool | None = None
    scopes: list[str] | None = Field(default=None, max_length=len(SCOPES))

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return _check_name(value)

    @field_validator("scopes")
    @classmethod
    def _scopes(cls, value: list[str] | None) -> list[str] | None:
        return _check_scopes(value)


_SELECT = (
    "SELECT k.id, k.name, k.prefix, k.scopes, k.active, k.created_at, k.last_used_at,"
    " k.created_by, u.email AS creator_email, u.display_name AS creator_name"
    " FROM api_keys k LEFT JOIN users u ON u.id = k.created_by"
)
SORTS = {
    "name": "k.name COLLATE NOCASE",
    "created_at": "k.created_at",
    "last_used_at": "k.last_used_at",
}


def key_out(row: sqlite3.Row) -> dict[str, Any]:
    creator = None
    if row["created_by"] is not None and row["creator_email"] is not None:
        creator = {
            "id": int(row["created_by"]),
            "email": str(row["creator_email"]),
            "display_name": row["creator_name"],
        }
    return {
        "id": int(row["id"]),
        "name": str(row["name"]),
        "prefix": str(row["prefix"]),
        "scopes": list(json.loads(row["scopes"])),
        "active": bool(row["active"]),
        "created_at": iso(parse_iso(row["created_at"])),
        "last_used_at": iso(parse_iso(row["last_used_at"])),
        "created_by": creator,
    }


def _load(ctx: TenantCtx, key_id: int) -> sqlite3.Row:
    row = ctx.db.one(
        f"{_SELECT} WHERE k.tenant_id = ? AND k.id = ? AND k.revoked_at IS NULL",
        (ctx.tenant_id, key_id),
    )
    if row is None:
        raise ApiFail(404, "API_KEY_NOT_FOUND", "API key not found")
    return row


@router.get("/api/v1/api_keys/scopes", response_model=Envelope[list[ScopeOut]])
async def list_scopes(ctx: Ctx) -> JSONResponse:
    return ok([{"name": n, "description": d, "default": df} for n, d, df in SCOPES])


@router.get("/api/v1/api_keys", response_model=PageEnvelope[ApiKeyOut])
async def list_keys(
    ctx: Ctx,
    paging: Annotated[PageParams, Depends(page_params)],
    search: Annotated[str | None, Query(max_length=200)] = None,
    sort: Annotated[str | None, Query(max_length=100)] = None,
) -> JSONResponse:
    where = ["k.tenant_id = ?", "k.revoked_at IS NULL"]
    args: list[Any] = [ctx.tenant_id]
    if search and search.strip():
        where.append("(k.name LIKE ? ESCAPE '\\' OR k.prefix LIKE ? ESCAPE '\\')")
        args += [like_pattern(search.strip())] * 2
    cond = " AND ".join(where)
    rows, total = fetch_page(
        ctx.db,
        f"{_SELECT} WHERE {cond}",
        f"SELECT COUNT(*) FROM api_keys k WHERE {cond}",
        args,
        paging,
        order_by(sort, SORTS, "-created_at", tiebreak="k.id DESC"),
    )
    data = [key_out(r) for r in rows]
    return paged(data, total=total, page=paging.page, per_page=paging.per_page)


@router.post("/api/v1/api_keys", status_code=201, response_model=Envelope[ApiKeyCreatedOut])
async def create_key(
    ctx: Ctx,
    body: ApiKeyCreate,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> JSONResponse:
    async def create() -> tuple[Any, int]:
        secret = SECRET_PREFIX + secrets.token_hex(20)
        key_id = ctx.db.insert(
            "api_keys",
            tenant_id=ctx.tenant_id,
            name=body.name,
            prefix=secret[:PREFIX_LENGTH],
            secret_hash=sha256_hex(secret),
            scopes=json.dumps(body.scopes if body.scopes is not None else DEFAULT_SCOPES),
            active=1,
            created_at=now_iso(),
            created_by=ctx.caller.user_id or None,
        )
        return {**key_out(_load(ctx, key_id)), "secret": secret}, 201

    # A replay returns the stored first answer, secret included: the client that lost the
    # response to a network error still learns the key it created.
    return await idempotent(ctx, idempotency_key, "api_keys.create", body, create)


@router.get("/api/v1/api_keys/{key_id}", response_model=Envelope[ApiKeyOut])
async def get_key(ctx: Ctx, key_id: KeyId) -> JSONResponse:
    return ok(key_out(_load(ctx, key_id)))


@router.patch("/api/v1/api_keys/{key_id}", response_model=Envelope[ApiKeyOut])
async def update_key(ctx: Ctx, key_id: KeyId, body: ApiKeyUpdate) -> JSONResponse:
    _load(ctx, key_id)
    fields = body.model_fields_set
    changes: dict[str, Any] = {}
    if "name" in fields and body.name is not None:
        changes["name"] = body.name
    if "active" in fields and body.active is not None:
        changes["active"] = 1 if body.active else 0
    if "scopes" in fields:
        if body.scopes is None:
            msg = "Choose at least one scope"
            raise ApiFail(422, "VALIDATION_ERROR", msg, errors={"scopes": [msg]})
        changes["scopes"] = json.dumps(body.scopes)
    with ctx.db.transaction():
        for column, value in changes.items():
            ctx.db.execute(f"UPDATE api_keys SET {column} = ? WHERE id = ?", (value, key_id))
    return ok(key_out(_load(ctx, key_id)), message="API key updated")


@router.delete("/api/v1/api_keys/{key_id}", response_model=Envelope[None])
async def revoke_key(ctx: Ctx, key_id: KeyId) -> JSONResponse:
    row = _load(ctx, key_id)
    ctx.db.execute(
        "UPDATE api_keys SET revoked_at = ?, active = 0 WHERE id = ?", (now_iso(), key_id)
    )
    return ok(None, message=f"API key {row['name']} ({row['prefix']}...) revoked")
