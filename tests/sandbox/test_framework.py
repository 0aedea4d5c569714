"""The shared machinery: envelopes, error mapping, request ids, rate limits, paging, db."""

from __future__ import annotations

import logging
import sqlite3

import httpx
import pytest
from fastapi import APIRouter

from callaro_sandbox import app as app_module
from callaro_sandbox.app import create_app
from callaro_sandbox.config import RateLimit, SandboxConfig
from callaro_sandbox.db import Database, register_schema, registered_schemas
from callaro_sandbox.envelope import ApiFail, iso, money, ok, paged
from callaro_sandbox.idempotency import body_hash
from callaro_sandbox.middleware import TokenBucket
from callaro_sandbox.paging import PageParams, fetch_page, like_pattern, order_by

ADMIN = "admin@demo.callaro.test"


@pytest.mark.anyio
async def test_success_envelope_and_request_id(client, login) -> None:
    s = await login(ADMIN)
    res = await client.get("/api/v1/me", headers=s.headers())
    body = res.json()
    assert set(body) == {"data", "message", "meta", "request_id"}
    assert body["meta"] == {}
    assert body["request_id"].startswith("req_")
    assert res.headers["X-Request-Id"] == body["request_id"]
    other = await client.get("/api/v1/me", headers=s.headers())
    assert other.json()["request_id"] != body["request_id"]


@pytest.mark.anyio
async def test_a_well_formed_client_request_id_is_adopted(client, login) -> None:
    s = await login(ADMIN)
    sent = "req_0123456789abcdef01234567"
    res = await client.get("/api/v1/me", headers={**s.headers(), "X-Request-Id": sent})
    assert res.headers["X-Request-Id"] == res.json()["request_id"] == sent
    # An error's envelope carries it too.
    res = await client.get("/api/v1/nowhere", headers={"X-Request-Id": sent})
    assert res.headers["X-Request-Id"] == res.json()["request_id"] == sent


@pytest.mark.anyio
@pytest.mark.parametrize(
    "sent", ["short", "x" * 65, "req_1 forged\\nline", "req_<script>", "req_ä0123456789"]
)
async def test_a_malformed_client_request_id_is_replaced(client, sent: str) -> None:
    res = await client.get("/api/v1/me", headers={"X-Request-Id": sent.encode("utf-8")})
    rid = res.headers["X-Request-Id"]
    assert rid != sent and rid == res.json()["request_id"]
    assert rid.startswith("req_") and len(rid) == 28


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/api/v1/nowhere", 404, "NOT_FOUND"),
        ("GET", "/", 404, "NOT_FOUND"),
        ("PUT", "/api/v1/me", 405, "METHOD_NOT_ALLOWED"),
        ("GET", "/api/v1/users", 401, "UNAUTHORIZED"),
    ],
)
async def test_error_envelope_everywhere(client, method, path, status, code) -> None:
    res = await client.request(method, path)
    assert res.status_code == status
    body = res.json()
    assert set(body) == {"error", "error_code", "details", "errors", "request_id"}
    assert body["error_code"] == code
    assert body["request_id"] == res.headers["X-Request-Id"]


@pytest.mark.anyio
async def test_malformed_json_body_is_422(client) -> None:
    res = await client.post(
        "/api/v1/auth/login", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert res.status_code == 422
    assert res.json()["error_code"] == "VALIDATION_ERROR"


@pytest.mark.anyio
async def test_unexpected_exception_is_a_500_envelope(app, client, caplog) -> None:
    boom = APIRouter()

    @boom.get("/api/v1/_boom")
    async def _boom() -> None:
        raise RuntimeError("kaput")

    app.include_router(boom)
    with caplog.at_level(logging.ERROR):
        res = await client.get("/api/v1/_boom")
    assert res.status_code == 500
    body = res.json()
    assert body["error_code"] == "INTERNAL_ERROR"
    assert "kaput" not in body["error"]
    assert body["request_id"] == res.headers["X-Request-Id"]
    assert body["request_id"] in caplog.text


@pytest.mark.anyio
async def test_api_fail_carries_fields_details_and_headers(app, client) -> None:
    r = APIRouter()

    @r.get("/api/v1/_fail")
    async def _fail() -> None:
        raise ApiFail(
            418,
            "TEAPOT",
            "short and stout",
            errors={"spout": ["missing"]},
            details={"x": 1},
            headers={"X-Extra": "yes"},
        )

    app.include_router(r)
    res = await client.get("/api/v1/_fail")
    assert res.status_code == 418
    assert res.headers["X-Extra"] == "yes"
    body = res.json()
    assert (body["error"], body["error_code"]) == ("short and stout", "TEAPOT")
    assert (body["errors"], body["details"]) == ({"spout": ["missing"]}, {"x": 1})


@pytest.mark.anyio
async def test_rate_limit_per_token_with_retry_after(db, login) -> None:
    config = SandboxConfig(rate_limit=RateLimit(rate=0.5, burst=3))
    app = create_app(db, config=config)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://s") as c:
        tokens = []
        for email in (ADMIN, "viewer@demo.callaro.test"):
            res = await c.post(
                "/api/v1/auth/login",
                json={
                    "email": email,
                    "password": "demo-password-1" if email == ADMIN else "demo-password-3",
                },
            )
            tokens.append(res.json()["data"]["access_token"])
        # Two logins spent two of the anonymous bucket's three tokens; the third still passes.
        headers = {"Authorization": f"Bearer {tokens[0]}"}
        statuses = [(await c.get("/api/v1/me", headers=headers)).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        res = await c.get("/api/v1/me", headers=headers)
        assert res.status_code == 429
        assert res.json()["error_code"] == "RATE_LIMITED"
        assert res.headers["Retry-After"] == "2"
        assert res.json()["request_id"] == res.headers["X-Request-Id"]
        # Another token has its own bucket; sandbox tooling is never limited.
        other = {"Authorization": f"Bearer {tokens[1]}"}
        assert (await c.get("/api/v1/me", headers=other)).status_code == 200
        assert (await c.get("/sandbox/health")).status_code == 200


def test_token_bucket_refills_at_rate() -> None:
    now = [0.0]
    bucket = TokenBucket(RateLimit(rate=2.0, burst=2), clock=lambda: now[0])
    assert [bucket.take("k") for _ in range(2)] == [0.0, 0.0]
    assert bucket.take("k") == pytest.approx(0.5)
    now[0] += 0.5
    assert bucket.take("k") == 0.0
    now[0] += 100
    assert [bucket.take("k") for _ in range(3)][:2] == [0.0, 0.0]
    assert bucket.take("other") == 0.0


def test_value_helpers() -> None:
    from datetime import UTC, datetime, timedelta, timezone

    assert iso(datetime(2026, 4, 28, 20, 34, 11, 999, tzinfo=UTC)) == "2026-04-28T20:34:11Z"
    ist = timezone(timedelta(hours=5, minutes=30))
    assert iso(datetime(2026, 4, 29, 2, 4, 11, tzinfo=ist)) == "2026-04-28T20:34:11Z"
    assert iso(datetime(2026, 4, 28, 20, 34, 11)) == "2026-04-28T20:34:11Z"
    assert iso(None) is None
    assert money(12345) == {"amount_minor": 12345, "currency": "INR"}
    assert like_pattern("50%_a\\") == "%50\\%\\_a\\\\%"


def test_paged_meta() -> None:
    import json

    body = json.loads(bytes(paged([1, 2], total=101, page=3, per_page=50).body))
    assert body["meta"] == {"count": 101, "page": 3, "per_page": 50, "pages": 3}
    empty = json.loads(bytes(paged([], total=0, page=1, per_page=50).body))
    assert empty["meta"]["pages"] == 0


def test_ok_body_equals_the_encoders_whatever_the_data() -> None:
    import enum
    import json
    from datetime import UTC, date, datetime

    from fastapi.encoders import jsonable_encoder
    from pydantic import BaseModel

    class Colour(enum.StrEnum):
        RED = "red"

    class Item(BaseModel):
        name: str
        when: date

    plain = [{"id": 1, "name": "Ana", "ratio": 0.5, "ok": True, "tags": ["a"], "none": None}]
    mixed = {
        "colour": Colour.RED,
        "when": datetime(2026, 1, 2, tzinfo=UTC),
        "pair": (1, 2),
        "item": Item(name="x", when=date(2026, 1, 2)),
        "nested": [{"set": {3}}],
        7: "int key",
    }
    for data in (plain, mixed, [mixed, *plain], "text", 3, None, []):
        body = json.loads(bytes(ok(data).body))
        assert body["data"] == json.loads(json.dumps(jsonable_encoder(data))), data


def test_order_by_whitelist() -> None:
    allowed = {"email": "u.email", "created_at": "m.created_at"}
    assert order_by("email", allowed, "email") == "u.email ASC"
    assert order_by("-created_at", allowed, "email") == "m.created_at DESC"
    assert order_by(None, allowed, "-email", tiebreak="u.id") == "u.email DESC, u.id"
    assert order_by("", allowed, "u.id DESC") == "u.id DESC"
    assert order_by("email,-created_at", allowed, "email") == "u.email ASC, m.created_at DESC"
    with pytest.raises(ApiFail) as err:
        order_by("email; DROP TABLE users", allowed, "email")
    assert err.value.status == 422 and list(err.value.errors) == ["sort"]


def test_fetch_page_with_both_param_styles(db: Database) -> None:
    page = PageParams(page=2, per_page=2)
    rows, total = fetch_page(
        db,
        "SELECT id FROM tenants WHERE id <= ?",
        "SELECT COUNT(*) FROM tenants WHERE id <= ?",
        (5,),
        page,
        "id",
    )
    assert (total, [r["id"] for r in rows]) == (5, [3, 4])
    rows, total = fetch_page(
        db,
        "SELECT id FROM tenants WHERE id <= :n",
        "SELECT COUNT(*) FROM tenants WHERE id <= :n",
        {"n": 5},
        PageParams(page=3, per_page=2),
        "id",
    )
    assert (total, [r["id"] for r in rows]) == (5, [5])
    rows, total = fetch_page(
        db, "SELECT id FROM tenants", "SELECT COUNT(*) FROM tenants", (), PageParams(99, 50), "id"
    )
    assert rows == [] and total == 253


def test_database_helpers_and_transactions(tmp_path) -> None:
    db = Database.open(tmp_path / "x.db")
    assert db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.one("SELECT version FROM schema_version WHERE name = 'core'") is not None
    tid = db.insert("tenants", name="T", created_at="2026-01-01T00:00:00Z")
    assert isinstance(db.one("SELECT * FROM tenants WHERE id = ?", (tid,)), sqlite3.Row)
    with pytest.raises(RuntimeError), db.transaction():
        db.insert("tenants", name="rolled back", created_at="x")
        with db.transaction():  # nested joins the outer one
            db.insert("tenants", name="also rolled back", created_at="x")
        raise RuntimeError("abort")
    assert [r["name"] for r in db.query("SELECT name FROM tenants")] == ["T"]
    with pytest.raises(sqlite3.IntegrityError):
        db.insert("memberships", user_id=999, tenant_id=tid, role="x", created_at="x")
    db.close()


def test_registered_schemas_apply_to_open_databases(tmp_path) -> None:
    register_schema("test_extra", "CREATE TABLE IF NOT EXISTS test_extra (id INTEGER);")
    try:
        db = Database.open(tmp_path / "y.db")
        assert db.table_exists("test_extra")
        db.close()
    finally:
        from callaro_sandbox import db as db_module

        db_module._SCHEMAS.pop("test_extra")
    assert "test_extra" not in registered_schemas()


def test_missing_router_module_is_skipped_but_broken_ones_fail(db, monkeypatch, caplog) -> None:
    monkeypatch.setattr(
        app_module, "ROUTER_MODULES", [*app_module.ROUTER_MODULES, "callaro_sandbox.not_yet"]
    )
    with caplog.at_level(logging.WARNING):
        app = create_app(db, config=SandboxConfig())
    assert "callaro_sandbox.not_yet" in caplog.text
    assert "/api/v1/me" in {r.path for r in app_module.api_routes(app)}


def test_a_module_failing_inside_its_own_import_is_not_hidden(db, monkeypatch, tmp_path) -> None:
    # A missing dependency inside a router module must surface, not read as "not written yet".
    (tmp_path / "sandbox_broken_router.py").write_text("import no_such_dependency_xyz\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(app_module, "ROUTER_MODULES", ["sandbox_broken_router"])
    with pytest.raises(ModuleNotFoundError, match="no_such_dependency_xyz"):
        create_app(db, config=SandboxConfig())


def test_body_hash_is_canonical() -> None:
    assert body_hash({"a": 1, "b": [1, 2]}) == body_hash({"b": [1, 2], "a": 1})
    assert body_hash({"a": 1}) != body_hash({"a": 2})
