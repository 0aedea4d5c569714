"""Contract section 2: login, refresh (rotation with reuse detection), logout."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from callaro_sandbox.auth import issue_session, refresh_session, revoke_session
from callaro_sandbox.config import SandboxConfig
from callaro_sandbox.context import app_db
from callaro_sandbox.envelope import ApiFail, ok
from callaro_sandbox.schemas import Envelope
from callaro_sandbox.security import verify_dummy, verify_password

router = APIRouter(tags=["session"])


class LoginIn(BaseModel):
    email: str = Field(min_length=1, max_length=320)
    password: str = Field(min_length=1, max_length=1024)


class RefreshIn(BaseModel):
    refresh_token: str = Field(min_length=1, max_length=512)


class TokenOut(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str
    expires_in: int


def _config(request: Request) -> SandboxConfig:
    config: SandboxConfig = request.app.state.config
    return config


@router.post("/api/v1/auth/login", response_model=Envelope[TokenOut])
async def login(body: LoginIn, request: Request) -> JSONResponse:
    db = app_db(request)
    row = db.one(
        "SELECT id, email, password_hash FROM users WHERE email = ?", (body.email.strip(),)
    )
    if row is None:
        verify_dummy(body.password)
        raise ApiFail(401, "UNAUTHORIZED", "Invalid email or password")
    if not verify_password(str(row["password_hash"]), body.password):
        raise ApiFail(401, "UNAUTHORIZED", "Invalid email or password")
    pair = issue_session(
        db, request.app.state.jwt_secret, _config(request), int(row["id"]), str(row["email"])
    )
    return ok(pair.as_data())


@router.post("/api/v1/auth/refresh", response_model=Envelope[TokenOut])
async def refresh(body: RefreshIn, request: Request) -> JSONResponse:
    pair = refresh_session(
        app_db(request), request.app.state.jwt_secret, _config(request), body.refresh_token
    )
    return ok(pair.as_data())


@router.post("/api/v1/auth/logout", response_model=Envelope[None])
async def logout(body: RefreshIn, request: Request) -> JSONResponse:
    revoke_session(app_db(request), body.refresh_token)
    return ok(None, message="Signed out")
