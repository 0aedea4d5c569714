"""Fixtures for the sandbox suites.

The demo profile is seeded once per session into a template file; each test gets its own copy
(an SQLite backup takes milliseconds), so tests may change data freely and still start from
the same known state. Async tests use the anyio plugin (``@pytest.mark.anyio``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from callaro_sandbox.app import create_app
from callaro_sandbox.config import SandboxConfig
from callaro_sandbox.db import Database
from callaro_sandbox.envelope import set_clock
from callaro_sandbox.seed import MEMBER_PASSWORD, seed

BASE_URL = "http://sandbox.test"

DEMO_PASSWORDS = {
    "admin@demo.callaro.test": "demo-password-1",
    "operator@demo.callaro.test": "demo-password-2",
    "viewer@demo.callaro.test": "demo-password-3",
    "multi@demo.callaro.test": "demo-password-4",
    "support@demo.callaro.test": "demo-password-5",
    "owner@corvid.demo.callaro.test": "demo-password-6",
}
ADMIN = "admin@demo.callaro.test"
OPERATOR = "operator@demo.callaro.test"
VIEWER = "viewer@demo.callaro.test"
MULTI = "multi@demo.callaro.test"
SUPPORT = "support@demo.callaro.test"
CORVID = "owner@corvid.demo.callaro.test"


@dataclass
class Session:
    """A signed-in demo user as a test sees it: tokens and ready-made headers."""

    email: str
    access_token: str
    refresh_token: str
    tenant_id: int | None = None

    def headers(self, tenant_id: int | None = None) -> dict[str, str]:
        out = {"Authorization": f"Bearer {self.access_token}"}
        tid = tenant_id if tenant_id is not None else self.tenant_id
        if tid is not None:
            out["X-Tenant-Id"] = str(tid)
        return out


class FakeClock:
    def __init__(self, start: datetime) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sandbox-template") / "demo.db"
    db = Database.open(path)
    try:
        seed(db, "demo", 1)
    finally:
        db.close()
    return path


@pytest.fixture(scope="session")
def demo_tokens(seeded_template: Path) -> dict[str, str]:
    """Access tokens of the named demo accounts, valid in every per-test copy of the template.

    They are issued on the template itself, so each copy carries the same signing secret and
    session families. Tests that only need "a signed-in X" (the role matrix) skip the argon2
    verification of a real login this way; tests about sessions still log in for real.
    """
    import asyncio

    template = Database.open(seeded_template)
    app = create_app(template, config=SandboxConfig(rate_limit=None, access_token_ttl=6 * 3600))

    async def issue() -> dict[str, str]:
        transport = httpx.ASGITransport(app=app)
        out: dict[str, str] = {}
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as c:
            for email, password in DEMO_PASSWORDS.items():
                res = await c.post(
                    "/api/v1/auth/login", json={"email": email, "password": password}
                )
                out[email] = res.json()["data"]["access_token"]
        return out

    try:
        return asyncio.run(issue())
    finally:
        template.close()


@pytest.fixture
def db(seeded_template: Path, tmp_path: Path) -> Iterator[Database]:
    source = Database.open(seeded_template)
    target = tmp_path / "sandbox.db"
    try:
        source.backup_to(target)
    finally:
        source.close()
    database = Database.open(target)
    yield database
    database.close()


@pytest.fixture
def config() -> SandboxConfig:
    # Rate limiting is off unless a test turns it on; the limiter has its own tests.
    return SandboxConfig(rate_limit=None, public_base_url=BASE_URL)


@pytest.fixture
def app(db: Database, config: SandboxConfig) -> FastAPI:
    return create_app(db, config=config)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as c:
        yield c


@pytest.fixture
def tenants(db: Database) -> dict[str, int]:
    """Tenant ids of the demo data by name ("Acme Health", ...)."""
    return {str(r["name"]): int(r["id"]) for r in db.query("SELECT id, name FROM tenants")}


@pytest.fixture
def login(client: httpx.AsyncClient) -> Callable[..., Awaitable[Session]]:
    async def _login(email: str, password: str | None = None, **kw: Any) -> Session:
        if password is None:
            password = DEMO_PASSWORDS.get(email, MEMBER_PASSWORD)
        res = await client.post("/api/v1/auth/login", json={"email": email, "password": password})
        assert res.status_code == 200, res.text
        data = res.json()["data"]
        return Session(email, data["access_token"], data["refresh_token"], **kw)

    return _login


@pytest.fixture
def clock() -> Iterator[FakeClock]:
    fake = FakeClock(datetime.now(UTC).replace(microsecond=0))
    set_clock(fake)
    yield fake
    set_clock(None)
