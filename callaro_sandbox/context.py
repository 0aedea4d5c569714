"""Who is calling, in which tenant, with which role: the dependencies every route starts with.

``Depends(caller())`` authenticates a user (Bearer JWT) without choosing a tenant;
``Depends(tenant_ctx("billing"))`` also resolves the tenant (``X-Tenant-Id``, or the only
membership) and checks the capability against the role matrix in ``permissions``. Tenant API
keys (``X-Api-Key: sk_...``) are accepted by ``tenant_ctx`` for capabilities that have a scope.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from callaro_sandbox.db import Database
from callaro_sandbox.envelope import ApiFail, now_iso, request_id_var
from callaro_sandbox.permissions import (
    CAPABILITY_SCOPES,
    PLATFORM_SUPPORT,
    ROLE_RANK,
    TENANT_VIEWER,
    role_allows,
)
from callaro_sandbox.security import decode_access_token, sha256_hex

ROLE_LABELS = {
    "tenant_admin": "Tenant Admin",
    "tenant_operator": "Tenant Operator",
    "tenant_viewer": "Tenant Viewer",
    "api_key": "API key",
}

API_KEY_ROLE = "api_key"

bearer_scheme = HTTPBearer(
    auto_error=False, scheme_name="BearerJWT", description="User access token from /auth/login"
)
api_key_scheme = APIKeyHeader(
    name="X-Api-Key", auto_error=False, scheme_name="TenantApiKey", description="sk_... key"
)


@dataclass(frozen=True)
class Caller:
    user_id: int
    email: str
    platform_role: str | None


@dataclass(frozen=True)
class TenantCtx:
    caller: Caller
    tenant_id: int
    role: str
    request_id: str
    db: Database
    # Set when the caller is a tenant API key rather than a person.
    api_key_id: int | None = None
    scopes: frozenset[str] = frozenset()

    @property
    def user_id(self) -> int:
        return self.caller.user_id


def app_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def _jwt_secret(request: Request) -> str:
    secret: str = request.app.state.jwt_secret
    return secret


def authenticate_jwt(request: Request, token: str) -> Caller:
    claims = decode_access_token(token, secret=_jwt_secret(request))
    db = app_db(request)
    try:
        user_id = int(claims["sub"])
    except (TypeError, ValueError) as exc:
        raise ApiFail(401, "UNAUTHORIZED", "Invalid access token") from exc
    row = db.one(
        "SELECT u.id, u.email, u.platform_role, f.family, f.revoked_at FROM users u"
        " LEFT JOIN token_families f ON f.family = ? AND f.user_id = u.id WHERE u.id = ?",
        (str(claims.get("fam", "")), user_id),
    )
    if row is None:
        raise ApiFail(401, "UNAUTHORIZED", "Invalid access token")
    # Logout and refresh-token reuse revoke the family; its access tokens die with it.
    if row["family"] is None or row["revoked_at"] is not None:
        raise ApiFail(401, "UNAUTHORIZED", "Session has been signed out")
    return Caller(
        user_id=int(row["id"]), email=str(row["email"]), platform_role=row["platform_role"]
    )


def _unauthenticated(api_key: str | None) -> ApiFail:
    if api_key:
        return ApiFail(401, "JWT_REQUIRED", "This route needs a user access token (Bearer JWT)")
    return ApiFail(401, "UNAUTHORIZED", "Authentication required")


class CallerDependency:
    """A signed-in user; no tenant involved."""

    async def __call__(
        self,
        request: Request,
        creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
        api_key: Annotated[str | None, Depends(api_key_scheme)],
    ) -> Caller:
        if creds is None:
            raise _unauthenticated(api_key)
        return authenticate_jwt(request, creds.credentials)


def caller() -> CallerDependency:
    return CallerDependency()


def parse_tenant_header(value: str | None) -> int | None:
    if value is None or value.strip() == "":
        return None
    text = value.strip()
    if not text.isdigit() or len(text) > 18:
        msg = "X-Tenant-Id must be a tenant id (a positive integer)"
        raise ApiFail(422, "VALIDATION_ERROR", msg, errors={"X-Tenant-Id": [msg]})
    return int(text)


def resolve_tenant(db: Database, who: Caller, tenant_id: int | None) -> tuple[int, str]:
    """The effective (tenant_id, role) of ``who`` for a request, or the contract's error."""
    support = who.platform_role == PLATFORM_SUPPORT
    if tenant_id is None:
        active = db.query(
            "SELECT tenant_id, role FROM memberships WHERE user_id = ? AND status = 'active'"
            " LIMIT 2",
            (who.user_id,),
        )
        if len(active) == 1 and not support:
            return int(active[0]["tenant_id"]), str(active[0]["role"])
        if not active and not support:
            raise ApiFail(403, "FORBIDDEN", "You are not a member of any tenant")
        raise ApiFail(
            400,
            "TENANT_REQUIRED",
            "You belong to several tenants: choose one with the X-Tenant-Id header",
        )
    row = db.one(
        "SELECT m.role, m.status FROM memberships m WHERE m.user_id = ? AND m.tenant_id = ?",
        (who.user_id, tenant_id),
    )
    if row is not None and row["status"] != "active":
        raise ApiFail(403, "FORBIDDEN", "Your membership of this tenant is deactivated")
    role: str | None = str(row["role"]) if row is not None else None
    if support:
        if db.one("SELECT 1 FROM tenants WHERE id = ?", (tenant_id,)) is None:
            raise ApiFail(404, "TENANT_NOT_FOUND", "Tenant not found")
        # Support staff enter every tenant as Viewer unless a membership grants more.
        if role is None or ROLE_RANK.get(role, 0) < ROLE_RANK[TENANT_VIEWER]:
            role = TENANT_VIEWER
    if role is None:
        raise ApiFail(403, "FORBIDDEN", "You do not have access to this tenant")
    return tenant_id, role


def _forbidden(role: str, capability: str) -> ApiFail:
    label = ROLE_LABELS.get(role, role)
    return ApiFail(
        403,
        "FORBIDDEN",
        f"Your role ({label}) does not allow this action",
        details={"required": capability, "role": role},
    )


class TenantDependency:
    """Authenticate, resolve the tenant, check ``capability``; yields a :class:`TenantCtx`."""

    def __init__(self, capability: str) -> None:
        self.capability = capability

    def __repr__(self) -> str:
        return f"tenant_ctx({self.capability!r})"

    async def __call__(
        self,
        request: Request,
        creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
        api_key: Annotated[str | None, Depends(api_key_scheme)],
        x_tenant_id: Annotated[
            str | None,
            Header(alias="X-Tenant-Id", description="Effective tenant for multi-tenant callers"),
        ] = None,
    ) -> TenantCtx:
        db = app_db(request)
        request_id = request_id_var.get() or ""
        if creds is None:
            if api_key:
                return self._api_key_ctx(request, db, api_key, x_tenant_id, request_id)
            raise _unauthenticated(None)
        who = authenticate_jwt(request, creds.credentials)
        tenant_id, role = resolve_tenant(db, who, parse_tenant_header(x_tenant_id))
        if not role_allows(role, self.capability):
            raise _forbidden(role, self.capability)
        return TenantCtx(caller=who, tenant_id=tenant_id, role=role, request_id=request_id, db=db)

    def _api_key_ctx(
        self, request: Request, db: Database, secret: str, header: str | None, request_id: str
    ) -> TenantCtx:
        row = db.one(
            "SELECT id, tenant_id, prefix, scopes, created_by FROM api_keys"
            " WHERE secret_hash = ? AND active = 1 AND revoked_at IS NULL",
            (sha256_hex(secret),),
        )
        if row is None:
            raise ApiFail(401, "UNAUTHORIZED", "Invalid API key")
        wanted = parse_tenant_header(header)
        if wanted is not None and wanted != int(row["tenant_id"]):
            raise ApiFail(403, "FORBIDDEN", "This API key belongs to another tenant")
        needed = CAPABILITY_SCOPES.get(self.capability)
        if needed is None:
            raise _unauthenticated(secret)
        scopes = frozenset(_json_list(row["scopes"]))
        read_only = self.capability == "billing" and request.method not in {"GET", "HEAD"}
        if read_only or not (scopes & needed):
            raise ApiFail(
                403,
                "FORBIDDEN",
                "This API key lacks the scope for this action",
                details={"required_scopes": sorted(needed)},
            )
        db.execute("UPDATE api_keys SET last_used_at = ? WHERE id = ?", (now_iso(), row["id"]))
        who = Caller(
            user_id=int(row["created_by"] or 0),
            email=f"api-key:{row['prefix']}",
            platform_role=None,
        )
        return TenantCtx(
            caller=who,
            tenant_id=int(row["tenant_id"]),
            role=API_KEY_ROLE,
            request_id=request_id,
            db=db,
            api_key_id=int(row["id"]),
            scopes=scopes,
        )


def _json_list(text: Any) -> list[str]:
    value = json.loads(text or "[]")
    return [str(v) for v in value] if isinstance(value, list) else []


def tenant_ctx(capability: str) -> TenantDependency:
    return TenantDependency(capability)
