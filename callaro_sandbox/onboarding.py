"""Contract section 4: the Getting started checklist, computed from live data on every read.

Nothing marks a step done by hand: a step is complete when its condition holds (an invitation
exists, a key exists, a number exists, someone set a timezone), and ``completed_at`` is when
that first became true.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from callaro_sandbox.context import TenantCtx, tenant_ctx
from callaro_sandbox.db import Database
from callaro_sandbox.envelope import ApiFail, iso, now_iso, ok, parse_iso
from callaro_sandbox.schemas import Envelope

router = APIRouter(tags=["onboarding"])


class StepOut(BaseModel):
    key: str
    title: str
    description: str
    required: bool
    completed: bool
    completed_at: str | None


class ChecklistOut(BaseModel):
    steps: list[StepOut]
    completed_count: int
    total_count: int
    dismissible: bool
    dismissed: bool


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    description: str
    required: bool
    # Returns when the step became complete (ISO text) or None while it is open.
    done_at: Callable[[Database, int], str | None]


def _first(db: Database, sql: str, tenant_id: int) -> str | None:
    try:
        value = db.scalar(sql, (tenant_id,))
    except sqlite3.OperationalError:
        return None
    return None if value is None else str(value)


def _invited(db: Database, tenant_id: int) -> str | None:
    return _first(db, "SELECT MIN(created_at) FROM invitations WHERE tenant_id = ?", tenant_id)


def _api_key(db: Database, tenant_id: int) -> str | None:
    return _first(db, "SELECT MIN(created_at) FROM api_keys WHERE tenant_id = ?", tenant_id)


def _phone_number(db: Database, tenant_id: int) -> str | None:
    # The phone_numbers table belongs to another module and may not exist (or lack created_at).
    if not db.table_exists("phone_numbers"):
        return None
    if "created_at" in db.columns("phone_numbers"):
        return _first(
            db, "SELECT MIN(created_at) FROM phone_numbers WHERE tenant_id = ?", tenant_id
        )
    found = _first(db, "SELECT 1 FROM phone_numbers WHERE tenant_id = ? LIMIT 1", tenant_id)
    return now_iso() if found else None


def _timezone(db: Database, tenant_id: int) -> str | None:
    return _first(db, "SELECT timezone_set_at FROM onboarding WHERE tenant_id = ?", tenant_id)


STEPS: tuple[Step, ...] = (
    Step(
        "invite_teammate",
        "Invite a teammate",
        "Send an invitation so someone else can help run this workspace.",
        True,
        _invited,
    ),
    Step(
        "create_api_key",
        "Create an API key",
        "Create a key so your systems can call the Callaro API.",
        True,
        _api_key,
    ),
    Step(
        "add_phone_number",
        "Add a phone number",
        "Purchase a number or add one you own so agents can take and make calls.",
        True,
        _phone_number,
    ),
    Step(
        "set_timezone",
        "Set your timezone",
        "Choose the timezone every date in the app is shown in.",
        False,
        _timezone,
    ),
)


def checklist(db: Database, tenant_id: int) -> dict[str, Any]:
    steps = []
    for step in STEPS:
        done = step.done_at(db, tenant_id)
        steps.append(
            {
                "key": step.key,
                "title": step.title,
                "description": step.description,
                "required": step.required,
                "completed": done is not None,
                "completed_at": iso(parse_iso(done)) if done else None,
            }
        )
    dismissed = _first(db, "SELECT dismissed_at FROM onboarding WHERE tenant_id = ?", tenant_id)
    return {
        "steps": steps,
        "completed_count": sum(1 for s in steps if s["completed"]),
        "total_count": len(steps),
        "dismissible": all(s["completed"] for s in steps if s["required"]),
        "dismissed": dismissed is not None,
    }


@router.get("/api/v1/onboarding/checklist", response_model=Envelope[ChecklistOut])
async def get_checklist(
    ctx: Annotated[TenantCtx, Depends(tenant_ctx("onboarding:read"))],
) -> JSONResponse:
    return ok(checklist(ctx.db, ctx.tenant_id))


@router.post("/api/v1/onboarding/checklist/dismiss", response_model=Envelope[ChecklistOut])
async def dismiss_checklist(
    ctx: Annotated[TenantCtx, Depends(tenant_ctx("onboarding:dismiss"))],
) -> JSONResponse:
    current = checklist(ctx.db, ctx.tenant_id)
    if not current["dismissible"]:
        open_steps = [s["title"] for s in current["steps"] if s["required"] and not s["completed"]]
        message = "Finish the required steps first: " + ", ".join(open_steps)
        raise ApiFail(
            422,
            "VALIDATION_ERROR",
            message,
            errors={"steps": [message]},
            details={"incomplete": [s["key"] for s in current["steps"] if not s["completed"]]},
        )
    ctx.db.execute(
        "INSERT INTO onboarding (tenant_id, dismissed_at) VALUES (?, ?)"
        " ON CONFLICT (tenant_id) DO UPDATE"
        " SET dismissed_at = COALESCE(dismissed_at, excluded.dismissed_at)",
        (ctx.tenant_id, now_iso()),
    )
    return ok(checklist(ctx.db, ctx.tenant_id), message="Checklist dismissed")
