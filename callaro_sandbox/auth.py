"""Sessions: access tokens, refresh-token families, and the auth dependencies (re-exported).

A login starts a *family*; every refresh spends the presented refresh token and issues the next
one in the same family. Presenting a spent token again means it leaked (or a client raced
itself), so the whole family is revoked — including its access tokens, which carry the family
id and are checked against it on every request.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from callaro_sandbox.config import SandboxConfig
from callaro_sandbox.context import (
    Caller,
    CallerDependency,
    TenantCtx,
    TenantDependency,
    app_db,
    caller,
    resolve_tenant,
    tenant_ctx,
)
from callaro_sandbox.db import Database
from callaro_sandbox.envelope import ApiFail, iso, now, now_iso, parse_iso
from callaro_sandbox.security import encode_access_token, expires_at, new_token, sha256_hex

__all__ = [
    "Caller",
    "CallerDependency",
    "TenantCtx",
    "TenantDependency",
    "TokenPair",
    "app_db",
    "caller",
    "issue_session",
    "refresh_session",
    "resolve_tenant",
    "revoke_family",
    "revoke_session",
    "tenant_ctx",
]


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    family: str

    def as_data(self) -> dict[str, object]:
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
        }


def _new_refresh(db: Database, family: str, config: SandboxConfig) -> str:
    token = new_token("rt_")
    db.insert(
        "refresh_tokens",
        family=family,
        token_hash=sha256_hex(token),
        created_at=now_iso(),
        expires_at=iso(expires_at(config.refresh_ttl)),
    )
    return token


def _pair(
    db: Database, secret: str, config: SandboxConfig, user_id: int, email: str, family: str
) -> TokenPair:
    access, ttl = encode_access_token(
        secret=secret,
        user_id=user_id,
        email=email,
        family=family,
        ttl_seconds=config.access_token_ttl,
    )
    refresh = _new_refresh(db, family, config)
    return TokenPair(access_token=access, refresh_token=refresh, expires_in=ttl, family=family)


def issue_session(
    db: Database, secret: str, config: SandboxConfig, user_id: int, email: str
) -> TokenPair:
    family = secrets.token_hex(16)
    with db.transaction():
        db.insert("token_families", family=family, user_id=user_id, created_at=now_iso())
        pair = _pair(db, secret, config, user_id, email, family)
        db.execute("UPDATE users SET last_active_at = ? WHERE id = ?", (now_iso(), user_id))
    return pair


def revoke_family(db: Database, family: str, reason: str) -> None:
    db.execute(
        "UPDATE token_families SET revoked_at = ?, revoked_reason = ?"
        " WHERE family = ? AND revoked_at IS NULL",
        (now_iso(), reason, family),
    )


def refresh_session(db: Database, secret: str, config: SandboxConfig, token: str) -> TokenPair:
    row = db.one(
        "SELECT r.id, r.family, r.expires_at, r.used_at, f.revoked_at, f.user_id, u.email"
        " FROM refresh_tokens r JOIN token_families f ON f.family = r.family"
        " JOIN users u ON u.id = f.user_id WHERE r.token_hash = ?",
        (sha256_hex(token),),
    )
    if row is None:
        raise ApiFail(401, "UNAUTHORIZED", "Invalid refresh token")
    if row["revoked_at"] is not None:
        raise ApiFail(401, "UNAUTHORIZED", "Session has been signed out")
    if row["used_at"] is not None:
        revoke_family(db, str(row["family"]), "refresh token reused")
        raise ApiFail(
            401,
            "UNAUTHORIZED",
            "Refresh token was already used; the session has been revoked",
        )
    expiry = parse_iso(str(row["expires_at"]))
    if expiry is not None and expiry <= now():
        raise ApiFail(401, "TOKEN_EXPIRED", "Refresh token expired")
    with db.transaction():
        db.execute("UPDATE refresh_tokens SET used_at = ? WHERE id = ?", (now_iso(), row["id"]))
        pair = _pair(db, secret, config, int(row["user_id"]), str(row["email"]), row["family"])
        db.execute(
            "UPDATE users SET last_active_at = ? WHERE id = ?", (now_iso(), int(row["user_id"]))
        )
    return pair


def revoke_session(db: Database, token: str) -> None:
    """Logout: revoke the family of ``token``; unknown tokens are ignored (logout is idempotent)."""
    row = db.one("SELECT family FROM refresh_tokens WHERE token_hash = ?", (sha256_hex(token),))
    if row is not None:
        revoke_family(db, str(row["family"]), "logout")
