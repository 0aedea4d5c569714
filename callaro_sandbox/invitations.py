"""Contract section 5: invitations. Sending one writes an email to the sandbox outbox
(``GET /sandbox/outbox``); accepting it (``POST /sandbox/invitations/{token}/accept``) is in
``sandbox_routes``.

"Expired" is not stored: a pending invitation whose ``expires_at`` has passed reads as expired,
so time (or a test clock) moving is enough.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator

from callaro_sandbox.config import SandboxConfig
from callaro_sandbox.context import TenantCtx, tenant_ctx
from callaro_sandbox.db import Database
from callaro_sandbox.envelope import ApiFail, iso, now, now_iso, ok, paged, parse_iso
from callaro_sandbox.idempotency import idempotent
from callaro_sandbox.paging import PageParams, fetch_page, like_pattern, order_by, page_params
from callaro_sandbox.permissions import DEFAULT_ROLE
from callaro_sandbox.schemas import Envelope, PageEnvelope
from callaro_sandbox.security import new_token

router = APIRouter(tags=["invitations"])

Ctx = Annotated[TenantCtx, Depends(tenant_ctx("users"))]
Role = Literal["tenant_admin", "tenant_operator", "tenant_viewer"]
InvitationStatus = Literal["pending", "accepted", "revoked", "expired"]
InvitationId = Annotated[int, Path(ge=1, le=2**62)]

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


def valid_email(value: str) -> str:
    email = value.strip().lower()
    if len(email) > 254 or not EMAIL_RE.match(email):
        raise ValueError("Enter a valid email address")
    return email


class PersonOut(BaseModel):
    id: int
    email: str
    display_name: str | None


class InvitationOut(BaseModel):
    id: int
    email: str
    role: str
    status: str
    invited_by: PersonOut | None
    created_at: str | None
    expires_at: str | None


class InvitationCreate(BaseModel):
    model_config = ConfigDict(extra="ignore")

    email: str = Field(max_length=254)
    role: Role = DEFAULT_ROLE

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return valid_email(value)


# Status as the API reports it: a pending invitation past its expiry is "expired".
STATUS_SQL = (
    "CASE WHEN i.status = 'pending' AND i.expires_at <= :now THEN 'expired' ELSE i.status END"
)

_SELECT = (
    f"SELECT i.id, i.email, i.role, {STATUS_SQL} AS status, i.created_at, i.expires_at,"
    " i.invited_by, u.email AS inviter_email, u.display_name AS inviter_name"
    " FROM invitations i LEFT JOIN users u ON u.id = i.invited_by"
)

SORTS = {
    "email": "i.email COLLATE NOCASE",
    "role": "i.role",
    "status": "status",
    "created_at": "i.created_at",
    "expires_at": "i.expires_at",
}


def invitation_out(row: sqlite3.Row) -> dict[str, Any]:
    inviter = None
    if row["invited_by"] is not None and row["inviter_email"] is not None:
        inviter = {
            "id": int(row["invited_by"]),
            "email": str(row["inviter_email"]),
            "display_name": row["inviter_name"],
        }
    return {
        "id": int(row["id"]),
        "email": str(row["email"]),
        "role": str(row["role"]),
        "status": str(row["status"]),
        "invited_by": inviter,
        "created_at": iso(parse_iso(row["created_at"])),
        "expires_at": iso(parse_iso(row["expires_at"])),
    }


def load_invitation(db: Database, tenant_id: int, invitation_id: int) -> sqlite3.Row:
    row = db.one(
        f"{_SELECT} WHERE i.tenant_id = :tenant AND i.id = :id",
        {"now": now_iso(), "tenant": tenant_id, "id": invitation_id},
    )
    if row is None:
        raise ApiFail(404, "INVITATION_NOT_FOUND", "Invitation not found")
    return row


def send_invitation_email(
    db: Database, config: SandboxConfig, tenant_id: int, email: str, token: str, role: str
) -> None:
    tenant = db.scalar("SELECT name FROM tenants WHERE id = ?", (tenant_id,))
    url = f"{config.public_base_url}/sandbox/invitations/{token}/accept"
    db.insert(
        "outbox",
        kind="invitation",
        to_email=email,
        subject=f"You're invited to {tenant} on Callaro",
        body=(
            f"You have been invited to join {tenant} as {role}.\n"
            f'Accept: POST {url} with {{"password": ...}}'
        ),
        token=token,
        tenant_id=tenant_id,
        created_at=now_iso(),
    )


def _config(request: Request) -> SandboxConfig:
    config: SandboxConfig = request.app.state.config
    return config


@router.get("/api/v1/invitations", response_model=PageEnvelope[InvitationOut])
async def list_invitations(
    ctx: Ctx,
    paging: Annotated[PageParams, Depends(page_params)],
    status: InvitationStatus | None = None,
    search: Annotated[str | None, Query(max_length=200)] = None,
    sort: Annotated[str | None, Query(max_length=100)] = None,
) -> JSONResponse:
    where = ["i.tenant_id = :tenant"]
    args: dict[str, Any] = {"tenant": ctx.tenant_id, "now": now_iso()}
    if status:
        where.append(f"({STATUS_SQL}) = :status")
        args["status"] = status
    if search and search.strip():
        where.append("i.email LIKE :search ESCAPE '\\'")
        args["search"] = like_pattern(search.strip())
    cond = " AND ".join(where)
    rows, total = fetch_page(
        ctx.db,
        f"{_SELECT} WHERE {cond}",
        f"SELECT COUNT(*) FROM invitations i WHERE {cond}",
        args,
        paging,
        order_by(sort, SORTS, "-created_at", tiebreak="i.id DESC"),
    )
    data = [invitation_out(r) for r in rows]
    return paged(data, total=total, page=paging.page, per_page=paging.per_page)


@router.post("/api/v1/invitations", status_code=201, response_model=Envelope[InvitationOut])
async def create_invitation(
    ctx: Ctx,
    body: InvitationCreate,
    request: Request,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> JSONResponse:
    db = ctx.db
    config = _config(request)

    async def create() -> tuple[Any, int]:
        member = db.one(
            "SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id"
            " WHERE m.tenant_id = ? AND u.email = ?",
            (ctx.tenant_id, body.email),
        )
        if member is not None:
            msg = "This person is already a member of this tenant"
            raise ApiFail(409, "CONFLICT", msg, errors={"email": [msg]})
        pending = db.one(
            "SELECT id FROM invitations WHERE tenant_id = ? AND email = ?"
            " AND status = 'pending' AND expires_at > ?",
            (ctx.tenant_id, body.email, now_iso()),
        )
        if pending is not None:
            msg = "This email already has a pending invitation"
            raise ApiFail(
                409, "CONFLICT", msg, errors={"email": [msg]}, details={"id": pending["id"]}
            )
        token = new_token("inv_")
        with db.transaction():
            new_id = db.insert(
                "invitations",
                tenant_id=ctx.tenant_id,
                email=body.email,
                role=body.role,
                status="pending",
                token=token,
                invited_by=ctx.caller.user_id or None,
                created_at=now_iso(),
                expires_at=iso(now() + timedelta(days=config.invitation_ttl_days)),
            )
            send_invitation_email(db, config, ctx.tenant_id, body.email, token, body.role)
        return invitation_out(load_invitation(db, ctx.tenant_id, new_id)), 201

    return await idempotent(ctx, idempotency_key, "invitations.create", body, create)


@router.post("/api/v1/invitations/{invitation_id}/resend", response_model=Envelope[InvitationOut])
async def resend_invitation(
    ctx: Ctx, invitation_id: InvitationId, request: Request
) -> JSONResponse:
    db = ctx.db
    config = _config(request)
    row = load_invitation(db, ctx.tenant_id, invitation_id)
    if row["status"] not in {"pending", "expired"}:
        msg = f"This invitation is {row['status']} and cannot be resent"
        raise ApiFail(409, "CONFLICT", msg)
    token = db.scalar("SELECT token FROM invitations WHERE id = ?", (invitation_id,))
    with db.transaction():
        # Resending also revives an expired invitation: the link in the new email must work.
        db.execute(
            "UPDATE invitations SET status = 'pending', expires_at = ? WHERE id = ?",
            (iso(now() + timedelta(days=config.invitation_ttl_days)), invitation_id),
        )
        send_invitation_email(
            db, config, ctx.tenant_id, str(row["email"]), str(token), str(row["role"])
        )
    out = invitation_out(load_invitation(db, ctx.tenant_id, invitation_id))
    return ok(out, message=f"Invitation resent to {row['email']}")


@router.delete("/api/v1/invitations/{invitation_id}", response_model=Envelope[InvitationOut])
async def revoke_invitation(ctx: Ctx, invitation_id: InvitationId) -> JSONResponse:
    db = ctx.db
    row = load_invitation(db, ctx.tenant_id, invitation_id)
    if row["status"] not in {"pending", "expired"}:
        msg = f"This invitation is {row['status']} and cannot be revoked"
        raise ApiFail(409, "CONFLICT", msg)
    db.execute(
        "UPDATE invitations SET status = 'revoked', revoked_at = ? WHERE id = ?",
        (now_iso(), invitation_id),
    )
    out = invitation_out(load_invitation(db, ctx.tenant_id, invitation_id))
    return ok(out, message="Invitation revoked")
