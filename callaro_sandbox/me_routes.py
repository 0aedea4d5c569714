"""Contract section 3: the signed-in user's profile, password and the tenants they may enter."""

from __future__ import annotations

import zoneinfo
from functools import lru_cache
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator

from callaro_sandbox.auth import revoke_family
from callaro_sandbox.context import (
    Caller,
    app_db,
    bearer_scheme,
    caller,
    parse_tenant_header,
    resolve_tenant,
)
from callaro_sandbox.db import Database
from callaro_sandbox.envelope import ApiFail, now_iso, ok, paged, validation_fail
from callaro_sandbox.paging import PageParams, like_pattern, page_params
from callaro_sandbox.permissions import PLATFORM_SUPPORT, TENANT_VIEWER
from callaro_sandbox.schemas import Envelope, PageEnvelope
from callaro_sandbox.security import decode_access_token, hash_password, verify_password

router = APIRouter(tags=["me"])

MIN_PASSWORD = 12
MAX_PASSWORD = 256

CallerDep = Annotated[Caller, Depends(caller())]


class MembershipOut(BaseModel):
    tenant_id: int
    tenant_name: str
    role: str


class MeOut(BaseModel):
    id: int
    email: str
    display_name: str | None
    timezone: str
    roles: list[str]
    memberships: list[MembershipOut]
    platform_role: str | None
    created_at: str | None = None


class MeUpdate(BaseModel):
    model_config = ConfigDict(extra="ignore")

    display_name: str | None = Field(default=None, max_length=100)
    timezone: str | None = Field(default=None, max_length=64)


class PasswordChange(BaseModel):
    current_password: str = Field(max_length=MAX_PASSWORD)
    new_password: str = Field(max_length=MAX_PASSWORD)

    @field_validator("new_password")
    @classmethod
    def _long_enough(cls, value: str) -> str:
        if len(value) < MIN_PASSWORD:
            raise ValueError(f"Password must be at least {MIN_PASSWORD} characters")
        return value


class TenantOut(BaseModel):
    id: int
    name: str
    role: str
    status: str


@lru_cache(maxsize=1)
def iana_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _me(db: Database, who: Caller, tenant_header: str | None) -> dict[str, Any]:
    user = db.one(
        "SELECT id, email, display_name, timezone, platform_role, created_at"
        " FROM users WHERE id = ?",
        (who.user_id,),
    )
    if user is None:
        raise ApiFail(401, "UNAUTHORIZED", "Invalid access token")
    memberships = [
        {"tenant_id": int(r["tenant_id"]), "tenant_name": str(r["name"]), "role": str(r["role"])}
        for r in db.query(
            "SELECT m.tenant_id, t.name, m.role FROM memberships m"
            " JOIN tenants t ON t.id = m.tenant_id"
            " WHERE m.user_id = ? AND m.status = 'active' ORDER BY t.name COLLATE NOCASE, t.id",
            (who.user_id,),
        )
    ]
    # `roles` are for the current tenant. /me must answer even without one (a support user, a
    # member of several tenants before choosing), so an unresolvable tenant just means no roles.
    roles: list[str] = []
    try:
        _, role = resolve_tenant(db, who, parse_tenant_header(tenant_header))
        roles = [role]
    except ApiFail:
        roles = []
    return {
        "id": int(user["id"]),
        "email": str(user["email"]),
        "display_name": user["display_name"],
        "timezone": str(user["timezone"] or "UTC"),
        "roles": roles,
        "memberships": memberships,
        "platform_role": user["platform_role"],
        "created_at": user["created_at"],
    }


TenantHeader = Annotated[
    str | None, Header(alias="X-Tenant-Id", description="Tenant whose roles to report")
]


@router.get("/api/v1/me", response_model=Envelope[MeOut])
async def get_me(
    request: Request, who: CallerDep, x_tenant_id: TenantHeader = None
) -> JSONResponse:
    return ok(_me(app_db(request), who, x_tenant_id))


@router.patch("/api/v1/me", response_model=Envelope[MeOut])
async def update_me(
    body: MeUpdate, request: Request, who: CallerDep, x_tenant_id: TenantHeader = None
) -> JSONResponse:
    db = app_db(request)
    fields = body.model_fields_set
    changes: dict[str, Any] = {}
    if "display_name" in fields:
        name = (body.display_name or "").strip()
        changes["display_name"] = name or None
    if "timezone" in fields:
        zone = (body.timezone or "").strip()
        if zone not in iana_zones():
            raise validation_fail(
                "timezone", f"'{zone}' is not an IANA time zone (e.g. Asia/Kolkata)"
            )
        changes["timezone"] = zone
    with db.transaction():
        for column, value in changes.items():
            db.execute(f"UPDATE users SET {column} = ? WHERE id = ?", (value, who.user_id))
        if "timezone" in changes:
            _mark_timezone_set(db, who.user_id)
    return ok(_me(db, who, x_tenant_id), message="Profile updated")


def _mark_timezone_set(db: Database, user_id: int) -> None:
    """Completes the "Set your timezone" step in every tenant the user belongs to."""
    stamp = now_iso()
    for row in db.query(
        "SELECT tenant_id FROM memberships WHERE user_id = ? AND status = 'active'", (user_id,)
    ):
        db.execute(
            "INSERT INTO onboarding (tenant_id, timezone_set_at) VALUES (?, ?)"
            " ON CONFLICT (tenant_id) DO UPDATE"
            " SET timezone_set_at = COALESCE(timezone_set_at, excluded.timezone_set_at)",
            (row["tenant_id"], stamp),
        )


@router.post("/api/v1/me/password", response_model=Envelope[None])
async def change_password(
    body: PasswordChange,
    request: Request,
    who: CallerDep,
    creds: Annotated[Any, Depends(bearer_scheme)],
) -> JSONResponse:
    db = app_db(request)
    row = db.one("SELECT password_hash FROM users WHERE id = ?", (who.user_id,))
    if row is None or not verify_password(str(row["password_hash"]), body.current_password):
        raise validation_fail("current_password", "Current password is incorrect")
    if body.new_password == body.current_password:
        raise validation_fail("new_password", "New password must differ from the current one")
    claims = decode_access_token(creds.credentials, secret=request.app.state.jwt_secret)
    current_family = str(claims.get("fam", ""))
    with db.transaction():
        db.execute(
            "UPDATE users SET password_hash = ? WHERE id = ?",
            (hash_password(body.new_password), who.user_id),
        )
        # Other sessions end with a password change; the one that made it carries on.
        for fam in db.query(
            "SELECT family FROM token_families"
            " WHERE user_id = ? AND revoked_at IS NULL AND family != ?",
            (who.user_id, current_family),
        ):
            revoke_family(db, str(fam["family"]), "password changed")
    return ok(None, message="Password changed")


@router.get("/api/v1/tenants", response_model=PageEnvelope[TenantOut])
async def list_tenants(
    request: Request,
    who: CallerDep,
    paging: Annotated[PageParams, Depends(page_params)],
    search: Annotated[str | None, Query(max_length=200)] = None,
) -> JSONResponse:
    db = app_db(request)
    args: list[Any] = [who.user_id]
    where = ["1 = 1"]
    if search and search.strip():
        where.append("t.name LIKE ? ESCAPE '\\'")
        args.append(like_pattern(search.strip()))
    # Support staff see every tenant (as Viewer where they hold no membership); everyone else
    # sees the tenants of their active memberships.
    if who.platform_role == PLATFORM_SUPPORT:
        join = "LEFT JOIN memberships m ON m.tenant_id = t.id AND m.user_id = ?"
        where.append("(m.status IS NULL OR m.status = 'active')")
    else:
        join = "JOIN memberships m ON m.tenant_id = t.id AND m.user_id = ? AND m.status = 'active'"
    base = f"FROM tenants t {join} WHERE {' AND '.join(where)}"
    total = int(db.scalar(f"SELECT COUNT(*) {base}", args) or 0)
    rows = db.query(
        f"SELECT t.id, t.name, t.status, m.role {base}"
        " ORDER BY t.name COLLATE NOCASE, t.id LIMIT ? OFFSET ?",
        [*args, paging.per_page, paging.offset],
    )
    data = [
        {
            "id": int(r["id"]),
            "name": str(r["name"]),
            "role": str(r["role"] or TENANT_VIEWER),
            "status": str(r["status"]),
        }
        for r in rows
    ]
    return paged(data, total=total, page=paging.page, per_page=paging.per_page)
