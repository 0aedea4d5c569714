"""Contract section 5: the tenant's members. A "user" here is a person *in this tenant*: role and
status are the membership's, and DELETE removes the membership, never the person.

A tenant must never lose its last active Tenant Admin (nobody could manage it any more), so
demoting, deactivating or removing that person is refused with 422.
"""

from __future__ import annotations

import sqlite3
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from callaro_sandbox.context import TenantCtx, tenant_ctx
from callaro_sandbox.db import Database
from callaro_sandbox.envelope import ApiFail, iso, ok, paged, parse_iso
from callaro_sandbox.paging import PageParams, fetch_page, like_pattern, order_by, page_params
from callaro_sandbox.permissions import TENANT_ADMIN
from callaro_sandbox.schemas import Envelope, PageEnvelope

router = APIRouter(tags=["users"])

Ctx = Annotated[TenantCtx, Depends(tenant_ctx("users"))]
Role = Literal["tenant_admin", "tenant_operator", "tenant_viewer"]
Status = Literal["active", "deactivated"]
UserId = Annotated[int, Path(ge=1, le=2**62)]

LAST_ADMIN = (
    "The last active Tenant Admin cannot be demoted, deactivated or removed; "
    "make someone else a Tenant Admin first"
)


class UserOut(BaseModel):
    id: int
    email: str
    display_name: str | None
    role: str
    status: str
    last_active_at: str | None
    created_at: str | None


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="ignore")

    role: Role | None = None
    status: Status | None = None


SORTS = {
    "email": "u.email COLLATE NOCASE",
    "display_name": "u.display_name COLLATE NOCASE",
    "role": "m.role",
    "status": "m.status",
    "last_active_at": "u.last_active_at",
    "created_at": "m.created_at",
}

_SELECT = (
    "SELECT u.id, u.email, u.display_name, m.role, m.status, u.last_active_at,"
    " m.created_at FROM memberships m JOIN users u ON u.id = m.user_id"
)


def user_out(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": int(row["id"]),
        "email": str(row["email"]),
        "display_name": row["display_name"],
        "role": str(row["role"]),
        "status": str(row["status"]),
        "last_active_at": iso(parse_iso(row["last_active_at"])),
        "created_at": iso(parse_iso(row["created_at"])),
    }


def _member(db: Database, tenant_id: int, user_id: int) -> sqlite3.Row:
    row = db.one(f"{_SELECT} WHERE m.tenant_id = ? AND m.user_id = ?", (tenant_id, user_id))
    if row is None:
        raise ApiFail(404, "USER_NOT_FOUND", "User not found in this tenant")
    return row


def _other_active_admins(db: Database, tenant_id: int, user_id: int) -> int:
    return int(
        db.scalar(
            "SELECT COUNT(*) FROM memberships WHERE tenant_id = ? AND role = ?"
            " AND status = 'active' AND user_id != ?",
            (tenant_id, TENANT_ADMIN, user_id),
        )
        or 0
    )


def _guard_last_admin(db: Database, tenant_id: int, row: sqlite3.Row, field: str) -> None:
    is_active_admin = row["role"] == TENANT_ADMIN and row["status"] == "active"
    if is_active_admin and _other_active_admins(db, tenant_id, int(row["id"])) == 0:
        raise ApiFail(
            422,
            "VALIDATION_ERROR",
            LAST_ADMIN,
            errors={field: [LAST_ADMIN]},
            details={"reason": "last_admin"},
        )


@router.get("/api/v1/users", response_model=PageEnvelope[UserOut])
async def list_users(
    ctx: Ctx,
    paging: Annotated[PageParams, Depends(page_params)],
    search: Annotated[str | None, Query(max_length=200)] = None,
    role: Role | None = None,
    status: Status | None = None,
    sort: Annotated[
        str | None,
        Query(
            max_length=100,
            description="email, display_name, role, status, last_active_at, "
            "created_at; prefix - for descending",
        ),
    ] = None,
) -> JSONResponse:
    where = ["m.tenant_id = ?"]
    args: list[Any] = [ctx.tenant_id]
    if search and search.strip():
        where.append("(u.email LIKE ? ESCAPE '\\' OR u.display_name LIKE ? ESCAPE '\\')")
        pattern = like_pattern(search.strip())
        args += [pattern, pattern]
    if role:
        where.append("m.role = ?")
        args.append(role)
    if status:
        where.append("m.status = ?")
        args.append(status)
    cond = " AND ".join(where)
    order = order_by(sort, SORTS, "email", tiebreak="u.id")
    rows, total = fetch_page(
        ctx.db,
        f"{_SELECT} WHERE {cond}",
        f"SELECT COUNT(*) FROM memberships m JOIN users u ON u.id = m.user_id WHERE {cond}",
        args,
        paging,
        order,
    )
    data = [user_out(r) for r in rows]
    return paged(data, total=total, page=paging.page, per_page=paging.per_page)


@router.get("/api/v1/users/{user_id}", response_model=Envelope[UserOut])
async def get_user(ctx: Ctx, user_id: UserId) -> JSONResponse:
    return ok(user_out(_member(ctx.db, ctx.tenant_id, user_id)))


@router.patch("/api/v1/users/{user_id}", response_model=Envelope[UserOut])
async def update_user(ctx: Ctx, user_id: UserId, body: UserUpdate) -> JSONResponse:
    db = ctx.db
    with db.transaction():
        row = _member(db, ctx.tenant_id, user_id)
        if body.role is not None and body.role != TENANT_ADMIN:
            _guard_last_admin(db, ctx.tenant_id, row, "role")
        if body.status == "deactivated":
            _guard_last_admin(db, ctx.tenant_id, row, "status")
        if body.role is not None:
            db.execute(
                "UPDATE memberships SET role = ? WHERE tenant_id = ? AND user_id = ?",
                (body.role, ctx.tenant_id, user_id),
            )
        if body.status is not None:
            db.execute(
                "UPDATE memberships SET status = ? WHERE tenant_id = ? AND user_id = ?",
                (body.status, ctx.tenant_id, user_id),
            )
    return ok(user_out(_member(db, ctx.tenant_id, user_id)), message="User updated")


@router.delete("/api/v1/users/{user_id}", response_model=Envelope[None])
async def remove_user(ctx: Ctx, user_id: UserId) -> JSONResponse:
    db = ctx.db
    with db.transaction():
        row = _member(db, ctx.tenant_id, user_id)
        _guard_last_admin(db, ctx.tenant_id, row, "user")
        db.execute(
            "DELETE FROM memberships WHERE tenant_id = ? AND user_id = ?",
            (ctx.tenant_id, user_id),
        )
    return ok(None, message=f"{row['email']} was removed from this tenant")
