"""The users list reads pages by walking indexes (see ``users.walk_users_first``); whichever
way it reads, every sort and filter must give exactly the rows a plain query sorted in Python
gives, and the pages must add up to that list with nothing missing or repeated."""

from __future__ import annotations

import string
from collections.abc import Callable
from typing import Any

import pytest

from callaro_sandbox import users as users_module
from callaro_sandbox.db import CORE_SCHEMA_VERSION, Database
from callaro_sandbox.users import user_out, walk_users_first

pytestmark = pytest.mark.anyio

ADMIN = "admin@demo.callaro.test"
PER_PAGE = 9  # Acme's 40 members over 5 pages, the last one short

FIELDS = ("email", "display_name", "role", "status", "last_active_at", "created_at")
SORTS = [
    None,
    *FIELDS,
    *(f"-{f}" for f in FIELDS),
    "+email",
    "role,-display_name",
    "-status,email",
    "display_name,-created_at",
    "last_active_at,role",
]
FILTERS: list[dict[str, str]] = [
    {},
    {"role": "tenant_operator"},
    {"status": "deactivated"},
    {"role": "tenant_viewer", "status": "active"},
    {"search": "a"},
    {"search": "SAME"},
    {"search": "no-such-person"},
    {"search": "e", "role": "tenant_operator"},
]

_FOLD = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def _nocase(text: str) -> str:
    # SQLite's NOCASE (and LIKE) fold ASCII letters only.
    return text.translate(_FOLD)


def _reference(db: Database, tenant_id: int, sort: str | None, flt: dict[str, str]) -> list[Any]:
    """The list as a person would define it: filter, then sort with ties by id, NULLs first."""
    rows = db.query(
        "SELECT u.id, u.email, u.display_name, m.role, m.status, u.last_active_at, m.created_at"
        " FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.tenant_id = ?",
        (tenant_id,),
    )
    if "role" in flt:
        rows = [r for r in rows if r["role"] == flt["role"]]
    if "status" in flt:
        rows = [r for r in rows if r["status"] == flt["status"]]
    if "search" in flt:
        needle = _nocase(flt["search"])
        rows = [
            r
            for r in rows
            if needle in _nocase(r["email"]) or needle in _nocase(r["display_name"] or "")
        ]
    rows.sort(key=lambda r: int(r["id"]))
    for item in reversed((sort or "email").split(",")):
        desc = item.startswith("-")
        field = item.lstrip("+-")
        folded = field in ("email", "display_name")

        def key(r: Any, field: str = field, folded: bool = folded) -> tuple[bool, str]:
            value = r[field]
            if value is None:
                return (False, "")
            return (True, _nocase(value) if folded else value)

        rows.sort(key=key, reverse=desc)  # stable both ways, so ties keep id order
    return [user_out(r) for r in rows]


@pytest.fixture
def acme_with_ties(db: Database, tenants: dict[str, int]) -> int:
    """Acme Health with equal sort keys (also equal but for case), NULLs and two statuses."""
    acme = tenants["Acme Health"]
    ids = [
        int(r["user_id"])
        for r in db.query(
            "SELECT m.user_id FROM memberships m JOIN users u ON u.id = m.user_id"
            " WHERE m.tenant_id = ? AND u.email LIKE '%@acme-health.test' ORDER BY m.user_id",
            (acme,),
        )
    ]
    assert len(ids) >= 30
    names = ["Sam Same", "sam same", "SAM SAME", "Sam Same", None, None]
    for uid, name in zip(ids[:6], names, strict=True):
        db.execute("UPDATE users SET display_name = ? WHERE id = ?", (name, uid))
    for uid in ids[6:12]:
        db.execute("UPDATE users SET last_active_at = '2026-01-02T03:04:05Z' WHERE id = ?", (uid,))
    for uid in ids[12:15]:
        db.execute("UPDATE users SET last_active_at = NULL WHERE id = ?", (uid,))
    for uid in ids[3:10]:
        db.execute(
            "UPDATE memberships SET created_at = '2025-06-01T00:00:00Z'"
            " WHERE user_id = ? AND tenant_id = ?",
            (uid, acme),
        )
    for uid in ids[20:24]:
        db.execute(
            "UPDATE memberships SET status = 'deactivated' WHERE user_id = ? AND tenant_id = ?",
            (uid, acme),
        )
    # Upper case sorts with lower case under NOCASE, not before it as in binary order.
    db.execute("UPDATE users SET email = 'ZED.UPPER@acme-health.test' WHERE id = ?", (ids[25],))
    db.execute("UPDATE users SET email = 'aaron.lower@acme-health.test' WHERE id = ?", (ids[26],))
    return acme


@pytest.mark.parametrize("plan", ["walk users", "sort members", "chosen"])
@pytest.mark.parametrize("flt", FILTERS, ids=lambda f: ",".join(f"{k}={v}" for k, v in f.items()))
async def test_every_sort_and_filter_pages_through_the_reference_list(
    client, login, db, acme_with_ties, monkeypatch, plan: str, flt: dict[str, str]
) -> None:
    if plan != "chosen":
        forced = plan == "walk users"
        monkeypatch.setattr(users_module, "walk_users_first", lambda *_: forced)
    s = await login(ADMIN)
    for sort in SORTS:
        expected = _reference(db, acme_with_ties, sort, flt)
        got: list[Any] = []
        page = 1
        while True:
            params: dict[str, Any] = {**flt, "page": page, "per_page": PER_PAGE}
            if sort is not None:
                params["sort"] = sort
            res = await client.get("/api/v1/users", params=params, headers=s.headers())
            assert res.status_code == 200, res.text
            body = res.json()
            assert body["meta"]["count"] == len(expected), (sort, page)
            if not body["data"]:
                break
            got += body["data"]
            page += 1
        assert got == expected, sort
        assert page == -(-len(expected) // PER_PAGE) + 1  # no empty page before the end
    if flt.get("search") == "SAME":
        assert len(expected) == 4  # the ties are really there


def _run_capturing(db: Database, monkeypatch) -> list[tuple[str, list[Any]]]:
    seen: list[tuple[str, list[Any]]] = []
    real: Callable[..., Any] = db.query

    def query(sql: str, params: Any = ()) -> Any:
        seen.append((sql, list(params)))
        return real(sql, params)

    monkeypatch.setattr(db, "query", query)
    return seen


def _plan(db: Database, sql: str, params: list[Any]) -> list[str]:
    return [str(r[3]) for r in db.conn.execute(f"EXPLAIN QUERY PLAN {sql}", params)]


@pytest.mark.parametrize("sort", [*FIELDS, *(f"-{f}" for f in FIELDS)])
async def test_a_big_tenant_is_read_in_index_order(client, login, db, monkeypatch, sort) -> None:
    """Where the tenant holds (nearly) every user, as in the large seed, no page sorts the
    whole tenant: the walk follows an index (a descending key may still order its ties)."""
    assert walk_users_first(200, 100_000, 100_000, 100_001)
    monkeypatch.setattr(users_module, "walk_users_first", lambda *_: True)
    s = await login(ADMIN)
    seen = _run_capturing(db, monkeypatch)
    res = await client.get(
        "/api/v1/users", params={"sort": sort, "page": 2, "per_page": 10}, headers=s.headers()
    )
    assert res.status_code == 200 and len(res.json()["data"]) == 10
    listing = [(sql, args) for sql, args in seen if "memberships m" in sql]
    (page_sql, page_args), (rows_sql, rows_args) = listing
    assert "LIMIT ? OFFSET ?" in page_sql
    assert "USE TEMP B-TREE FOR ORDER BY" not in _plan(db, page_sql, page_args)
    # The page's rows are looked up by user id, not picked out of the tenant's memberships.
    rows_plan = _plan(db, rows_sql, rows_args)
    assert len(rows_plan) == 2, rows_plan
    assert rows_plan[0].startswith("SEARCH u USING INTEGER PRIMARY KEY"), rows_plan
    assert rows_plan[1].startswith("SEARCH m") and "user_id=?" in rows_plan[1], rows_plan


def test_plan_choice_follows_the_tenant_size() -> None:
    # Megacorp in the large seed: every user is a member, deep pages too.
    assert walk_users_first(200, 100_000, 100_000, 100_001)
    assert walk_users_first(100_000, 100_000, 100_000, 100_001)
    # Its 21 admins: sorting 21 rows beats walking 100,000 users to find them.
    assert not walk_users_first(21, 21, 21, 100_001)
    # A demo tenant of 40 among 300 users sorts too; nothing matches: nothing to walk.
    assert not walk_users_first(40, 40, 40, 300)
    assert not walk_users_first(0, 0, 40, 300)


def test_an_older_database_gains_the_list_indexes(tmp_path) -> None:
    path = tmp_path / "old.db"
    db = Database.open(path)
    new = ["users_display_name", "users_last_active"] + [
        f"memberships_tenant_{c}" for c in ("role_status", "role", "status", "created")
    ]
    for name in new:
        db.execute(f"DROP INDEX {name}")
    db.execute("CREATE INDEX memberships_tenant ON memberships (tenant_id, role, status)")
    db.execute("UPDATE schema_version SET version = 1 WHERE name = 'core'")
    db.close()

    db = Database.open(path)
    try:
        indexes = {
            str(r["name"]) for r in db.query("SELECT name FROM sqlite_master WHERE type='index'")
        }
        assert set(new) <= indexes
        assert "memberships_tenant" not in indexes
        assert db.scalar("SELECT version FROM schema_version WHERE name = 'core'") == (
            CORE_SCHEMA_VERSION
        )
        assert db.scalar("SELECT version FROM schema_version WHERE name = 'usage'") == 1
    finally:
        db.close()
