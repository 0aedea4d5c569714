"""Seeds are deterministic and complete; the CLI and the threaded server work end to end."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from callaro_sandbox.__main__ import main
from callaro_sandbox.db import Database
from callaro_sandbox.seed import SeedError, seed
from callaro_sandbox.server import run_in_thread

DEMO = {
    "admin@demo.callaro.test": ("demo-password-1", {"Acme Health": "tenant_admin"}),
    "operator@demo.callaro.test": ("demo-password-2", {"Acme Health": "tenant_operator"}),
    "viewer@demo.callaro.test": ("demo-password-3", {"Acme Health": "tenant_viewer"}),
    "multi@demo.callaro.test": (
        "demo-password-4",
        {"Acme Health": "tenant_operator", "Brightline Logistics": "tenant_admin"},
    ),
    "support@demo.callaro.test": ("demo-password-5", {}),
    "owner@corvid.demo.callaro.test": ("demo-password-6", {"Corvid Studio": "tenant_admin"}),
}


def _fingerprint(db: Database) -> list[tuple]:
    # Timestamps are relative to "now", so compare everything else.
    rows = db.query(
        "SELECT u.email, u.display_name, u.platform_role, t.name, m.role, m.status"
        " FROM users u LEFT JOIN memberships m ON m.user_id = u.id"
        " LEFT JOIN tenants t ON t.id = m.tenant_id ORDER BY u.id, t.id"
    )
    keys = db.query("SELECT tenant_id, name, prefix, scopes FROM api_keys ORDER BY id")
    invitations = db.query("SELECT tenant_id, email, role, status, token FROM invitations")
    return [tuple(r) for r in rows + keys + invitations]


def test_demo_shape(db: Database) -> None:
    sizes = {
        str(r["name"]): int(r["n"])
        for r in db.query(
            "SELECT t.name, COUNT(m.user_id) AS n FROM tenants t"
            " JOIN memberships m ON m.tenant_id = t.id GROUP BY t.id"
        )
    }
    assert sizes["Acme Health"] == 40
    assert sizes["Brightline Logistics"] == 12
    assert sizes["Corvid Studio"] == 3
    assert db.scalar("SELECT COUNT(*) FROM tenants") == 253
    for email, (_, roles) in DEMO.items():
        got = {
            str(r["name"]): str(r["role"])
            for r in db.query(
                "SELECT t.name, m.role FROM memberships m JOIN tenants t ON t.id = m.tenant_id"
                " JOIN users u ON u.id = m.user_id WHERE u.email = ?",
                (email,),
            )
        }
        assert got == roles, email
    # Brightline has exactly one admin, so the last-admin rule can be shown there.
    assert (
        db.scalar(
            "SELECT COUNT(*) FROM memberships m JOIN tenants t ON t.id = m.tenant_id"
            " WHERE t.name = 'Brightline Logistics' AND m.role = 'tenant_admin'"
        )
        == 1
    )


@pytest.mark.anyio
async def test_every_demo_account_signs_in(client) -> None:
    for email, (password, _) in DEMO.items():
        res = await client.post("/api/v1/auth/login", json={"email": email, "password": password})
        assert res.status_code == 200, email


def test_deterministic_by_seed(tmp_path: Path) -> None:
    prints = []
    for name, value in (("a", 5), ("b", 5), ("c", 6)):
        db = Database.open(tmp_path / f"{name}.db")
        seed(db, "demo", value)
        prints.append(_fingerprint(db))
        db.close()
    assert prints[0] == prints[1]
    assert prints[0] != prints[2]


def test_refuses_a_database_with_data(db: Database) -> None:
    with pytest.raises(SeedError):
        seed(db, "demo", 1)
    with pytest.raises(SeedError):
        seed(db, "nope", 1)


def test_large_profile_is_fast(tmp_path: Path) -> None:
    db = Database.open(tmp_path / "large.db")
    started = time.perf_counter()
    result = seed(db, "large", 1)
    elapsed = time.perf_counter() - started
    assert elapsed < 30, f"large seed took {elapsed:.1f}s"
    tenant = result.tenants[0]
    assert (
        db.scalar("SELECT COUNT(*) FROM memberships WHERE tenant_id = ?", (tenant.id,)) == 100_000
    )
    assert db.scalar("SELECT COUNT(DISTINCT email) FROM users") == 100_001
    db.close()


def test_cli_seed_prints_the_accounts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cli.db"
    assert main(["seed", "--profile", "demo", "--db", str(path), "--seed", "2"]) == 0
    out = capsys.readouterr().out
    for email, (password, _) in DEMO.items():
        assert email in out and password in out
    assert "sk_live_" in out
    assert main(["seed", "--profile", "demo", "--db", str(path)]) == 1
    assert "already has data" in capsys.readouterr().err


def test_threaded_server_speaks_http_on_loopback(tmp_path: Path) -> None:
    server = run_in_thread(tmp_path / "fresh.db")  # empty: seeded with the demo profile
    try:
        assert server.base_url.startswith("http://127.0.0.1:")
        assert server.seeded is not None
        with httpx.Client(base_url=server.base_url, timeout=10) as c:
            res = c.post(
                "/api/v1/auth/login",
                json={"email": "admin@demo.callaro.test", "password": "demo-password-1"},
            )
            token = res.json()["data"]["access_token"]
            me = c.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
            assert me.json()["data"]["email"] == "admin@demo.callaro.test"
            assert me.headers["X-Request-Id"] == me.json()["request_id"]
            assert c.get("/openapi.json").status_code == 200
    finally:
        server.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(server.base_url + "/sandbox/health", timeout=2)
