"""``Idempotency-Key`` on creates: replay the first answer, refuse a key reused for other data."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from callaro_sandbox.context import TenantCtx
from callaro_sandbox.envelope import ApiFail, now_iso, ok

MAX_KEY_LENGTH = 255


def body_hash(body: Any) -> str:
    if isinstance(body, BaseModel):
        body = body.model_dump(mode="json")
    canonical = json.dumps(
        jsonable_encoder(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


async def idempotent(
    ctx: TenantCtx,
    key: str | None,
    scope: str,
    body: Any,
    create: Callable[[], Awaitable[tuple[Any, int]]],
) -> JSONResponse:
    """Run ``create`` once per (tenant, caller, scope, key).

    ``create`` returns ``(data, status)``; both are stored so a retry gets the same answer. A
    ``create`` that raises stores nothing, so a retry after a failure tries again. Handlers run
    on one event loop and ``create`` is expected not to await between its check and its write,
    so two identical requests cannot both create.
    """
    if key is None or key == "":
        data, status = await create()
        return ok(data, status=status)
    if len(key) > MAX_KEY_LENGTH:
        msg = f"Idempotency-Key must be at most {MAX_KEY_LENGTH} characters"
        raise ApiFail(422, "VALIDATION_ERROR", msg, errors={"Idempotency-Key": [msg]})
    digest = body_hash(body)
    ident = (ctx.tenant_id, ctx.caller.user_id, scope, key)
    row = ctx.db.one(
        "SELECT body_hash, status, response FROM idempotency"
        " WHERE tenant_id = ? AND user_id = ? AND scope = ? AND key = ?",
        ident,
    )
    if row is not None:
        if row["body_hash"] != digest:
            raise ApiFail(
                409,
                "CONFLICT",
                "This Idempotency-Key was already used with a different request body",
                details={"idempotency_key": key},
            )
        # The header lets a client (and a test) tell a replay from a fresh create.
        return ok(
            json.loads(row["response"]),
            status=int(row["status"]),
            headers={"Idempotent-Replayed": "true"},
        )
    data, status = await create()
    stored = json.dumps(jsonable_encoder(data))
    ctx.db.execute(
        "INSERT OR REPLACE INTO idempotency"
        " (tenant_id, user_id, scope, key, body_hash, status, response, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (*ident, digest, status, stored, now_iso()),
    )
    return ok(data, status=status)
