"""Password hashing, JWT access tokens and opaque secrets (refresh tokens, API keys)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from callaro_sandbox.db import Database
from callaro_sandbox.envelope import ApiFail, now

JWT_ALGORITHM = "HS256"

# OWASP's minimum argon2id setting: still a real memory-hard hash, but cheap enough that a test
# suite logging in hundreds of times stays fast.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# Used when the email is unknown so a failed login costs the same either way.
_DUMMY_HASH = hash_password("not-a-real-password-0000")


def verify_dummy(password: str) -> None:
    verify_password(_DUMMY_HASH, password)


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def new_token(prefix: str = "", nbytes: int = 32) -> str:
    return prefix + secrets.token_urlsafe(nbytes)


def jwt_secret_for(db: Database) -> str:
    """The signing secret of this database: random on first use, then stored with the data.

    Keeping it in the database means tokens survive a server restart on the same file but
    never validate against another sandbox.
    """
    row = db.one("SELECT value FROM settings WHERE key = 'jwt_secret'")
    if row is not None:
        return str(row["value"])
    secret = secrets.token_hex(32)
    db.execute("INSERT OR IGNORE INTO settings (key, value) VALUES ('jwt_secret', ?)", (secret,))
    return str(db.scalar("SELECT value FROM settings WHERE key = 'jwt_secret'"))


def encode_access_token(
    *, secret: str, user_id: int, email: str, family: str, ttl_seconds: int
) -> tuple[str, int]:
    issued = now()
    claims = {
        "sub": str(user_id),
        "email": email,
        "fam": family,
        "typ": "access",
        "iat": int(issued.timestamp()),
        "exp": int((issued + timedelta(seconds=ttl_seconds)).timestamp()),
        "jti": secrets.token_hex(8),
    }
    return jwt.encode(claims, secret, algorithm=JWT_ALGORITHM), ttl_seconds


def decode_access_token(token: str, *, secret: str) -> dict[str, Any]:
    """Verify signature and expiry against the sandbox clock (so tests can move time)."""
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            secret,
            algorithms=[JWT_ALGORITHM],
            options={"verify_exp": False, "verify_iat": False, "require": ["exp", "sub"]},
        )
    except jwt.PyJWTError as exc:
        raise ApiFail(401, "UNAUTHORIZED", "Invalid access token") from exc
    if claims.get("typ") != "access":
        raise ApiFail(401, "UNAUTHORIZED", "Invalid access token")
    if int(claims["exp"]) <= int(now().timestamp()):
        raise ApiFail(401, "TOKEN_EXPIRED", "Access token expired")
    return claims


def expires_at(seconds: int, start: datetime | None = None) -> datetime:
    return (start or now()) + timedelta(seconds=seconds)
