"""Sandbox-only helpers that stand in for the outside world: the mailbox and the invitee.

They are not part of Callaro's API and need no credentials: a test or a demo presenter reads
the outbox and accepts invitations as the invited person would from their email.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from callaro_sandbox.config import SandboxConfig
from callaro_sandbox.context import app_db
from callaro_sandbox.envelope import ApiFail, iso, now_iso, ok, parse_iso, validation_fail
from callaro_sandbox.invitations import STATUS_SQL
from callaro_sandbox.me_routes import MAX_PASSWORD, MIN_PASSWORD
from callaro_sandbox.schemas import Envelope
from callaro_sandbox.security import hash_password, verify_password

router = APIRouter(tags=["sandbox"])


class OutboxMessage(BaseModel):
    id: int
    kind: str
    to: str
    subject: str
    body: str
    token: str | None
    accept_url: str | None
    tenant_id: int | None
    created_at: str | None


class AcceptIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    password: str = Field(max_length=MAX_PASSWORD)
    display_name: str | None = Field(default=None, max_length=100)


class AcceptedOut(BaseModel):
    user_id: int
    email: str
    tenant_id: int
    tenant_name: str
    role: str
    new_account: bool


def _config(request: Request) -> SandboxConfig:
    config: SandboxConfig = request.app.state.config
    return config


@router.get("/sandbox/health", response_model=Envelope[dict[str, Any]])
async def health() -> JSONResponse:
    return ok({"ok": True, "time": now_iso()})


@router.get("/sandbox/outbox", response_model=Envelope[list[OutboxMessage]])
async def outbox(
    request: Request,
    to: Annotated[
        str | None, Query(max_length=254, description="only mail to this address")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> JSONResponse:
    db = app_db(request)
    base = _config(request).public_base_url
    args: list[Any] = []
    where = ""
    if to:
        where = "WHERE to_email = ?"
        args.append(to.strip())
    rows = db.query(f"SELECT * FROM outbox {where} ORDER BY id DESC LIMIT ?", [*args, limit])
    data = [
        {
            "id": int(r["id"]),
            "kind": str(r["kind"]),
            "to": str(r["to_email"]),
            "subject": str(r["subject"]),
            "body": str(r["body"]),
            "token": r["token"],
            "accept_url": (
                f"{base}/sandbox/invitations/{r['token']}/accept"
                if r["kind"] == "invitation" and r["token"]
                else None
            ),
            "tenant_id": r["tenant_id"],
            "created_at": iso(parse_iso(r["created_at"])),
        }
        for r in rows
    ]
    return ok(data)


@router.post(
    "/sandbox/invitations/{token}/accept",
    response_model=Envelope[AcceptedOut],
    responses={404: {"description": "Unknown token"}, 409: {"description": "Not pending"}},
)
async def accept_invitation(
    request: Request, token: Annotated[str, Path(max_length=200)], body: AcceptIn
) -> JSONResponse:
    db = app_db(request)
    inv = db.one(
        f"SELECT i.id, i.tenant_id, i.email, i.role, {STATUS_SQL} AS status, t.name"
        " FROM invitations i JOIN tenants t ON t.id = i.tenant_id WHERE i.token = :token",
        {"token": token, "now": now_iso()},
    )
    if inv is None:
        raise ApiFail(404, "INVITATION_NOT_FOUND", "Invitation not found")
    if inv["status"] != "pending":
        raise ApiFail(409, "CONFLICT", f"This invitation is {inv['status']}")
    user = db.one("SELECT id, password_hash FROM users WHERE email = ?", (inv["email"],))
    new_account = user is None
    if user is not None:
        # An existing account joins with its own password, proving it is the same person.
        if not verify_password(str(user["password_hash"]), body.password):
            raise validation_fail(
                "password", "This email already has an account: enter its current password"
            )
    elif len(body.password) < MIN_PASSWORD:
        raise validation_fail("password", f"Password must be at least {MIN_PASSWORD} characters")
    stamp = now_iso()
    with db.transaction():
        if user is None:
            user_id = db.insert(
                "users",
                email=str(inv["email"]),
                password_hash=hash_password(body.password),
                display_name=(body.display_name or "").strip() or None,
                timezone="UTC",
                created_at=stamp,
            )
        else:
            user_id = int(user["id"])
        db.execute(
            "INSERT INTO memberships (user_id, tenant_id, role, status, created_at)"
            " VALUES (?, ?, ?, 'active', ?) ON CONFLICT (user_id, tenant_id)"
            " DO UPDATE SET role = excluded.role, status = 'active'",
            (user_id, inv["tenant_id"], inv["role"], stamp),
        )
        db.execute(
            "UPDATE invitations SET status = 'accepted', accepted_at = ? WHERE id = ?",
            (stamp, inv["id"]),
        )
    data = {
        "user_id": user_id,
        "email": str(inv["email"]),
        "tenant_id": int(inv["tenant_id"]),
        "tenant_name": str(inv["name"]),
        "role": str(inv["role"]),
        "new_account": new_account,
    }
    return ok(data, message=f"Welcome to {inv['name']}")
