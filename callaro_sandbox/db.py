"""One SQLite file behind the whole sandbox.

The connection runs in autocommit mode (``isolation_level=None``) and writes that must land
together go through :meth:`Database.transaction`, so a handler never leaves a half-open
implicit transaction behind for the next request on the shared connection.

Domain modules own their tables: they call :func:`register_schema` at import time and every
registered schema is applied (idempotently, ``CREATE ... IF NOT EXISTS``) when a database is
opened and again whenever the app or the seeder has imported more modules.

Migrating is therefore re-applying: every statement is safe to run again (``IF [NOT] EXISTS``),
so a database made by an older sandbox catches up when it is opened. ``schema_version``
records, per schema, the version whose DDL was last applied; a module bumps its version when
it changes its DDL.
"""

from __future__ import annotations

import importlib
import logging
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

# 2: indexes that let the users list walk members in its sort orders (see users.py).
CORE_SCHEMA_VERSION = 2

# Insertion order matters: a schema registered later may reference tables of an earlier one.
_SCHEMAS: dict[str, tuple[str, int]] = {}

Params = Sequence[Any] | Mapping[str, Any]


def register_schema(name: str, sql: str, version: int = 1) -> None:
    """Register DDL (``CREATE TABLE IF NOT EXISTS`` ...) applied to every database opened.

    ``version`` goes up whenever ``sql`` changes; it is recorded in ``schema_version``.
    """
    _SCHEMAS[name] = (sql, version)


def registered_schemas() -> dict[str, str]:
    return {name: sql for name, (sql, _) in _SCHEMAS.items()}


# Modules that register schemas; imported before schemas are applied so a database opened by a
# script (seed, tests) gets the same tables as one opened by the app. Missing ones are skipped
# because the domain modules may not exist yet.
SCHEMA_MODULES: list[str] = [
    "callaro_sandbox.core_schema",
    "callaro_sandbox.billing",
    "callaro_sandbox.usage",
    "callaro_sandbox.invoices",
    "callaro_sandbox.phone_numbers",
    "callaro_sandbox.telephony",
    "callaro_sandbox.agents",
]


def import_optional(name: str) -> Any | None:
    """Import ``name`` or return None when that module (not one of its imports) is absent."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        log.info("sandbox module %s not present; skipped", name)
        return None


class Database:
    """A thin wrapper over one ``sqlite3.Connection`` shared by every request."""

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self.conn = conn
        self.path = path
        self._depth = 0

    @classmethod
    def open(cls, path: str | Path) -> Database:
        conn = sqlite3.connect(
            str(path), check_same_thread=False, isolation_level=None, timeout=30.0
        )
        conn.row_factory = sqlite3.Row
        if str(path) != ":memory:":
            conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=NORMAL")
        db = cls(conn, str(path))
        for module in SCHEMA_MODULES:
            import_optional(module)
        db.apply_schemas()
        return db

    def apply_schemas(self) -> None:
        """Apply every registered schema; safe to call again after importing more modules."""
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_version ("
            " name TEXT PRIMARY KEY, version INTEGER NOT NULL,"
            " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')))"
        )
        for name, (sql, version) in list(_SCHEMAS.items()):
            recorded = self.conn.execute(
                "SELECT version FROM schema_version WHERE name = ?", (name,)
            ).fetchone()
            self.conn.executescript(sql)
            if recorded is None:
                self.conn.execute(
                    "INSERT INTO schema_version (name, version) VALUES (?, ?)", (name, version)
                )
            elif int(recorded[0]) < version:
                log.info("schema %s migrated from version %s to %s", name, recorded[0], version)
                self.conn.execute(
                    "UPDATE schema_version SET version = ?,"
                    " applied_at = strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE name = ?",
                    (version, name),
                )

    def execute(self, sql: str, params: Params = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def executemany(self, sql: str, rows: Any) -> sqlite3.Cursor:
        return self.conn.executemany(sql, rows)

    def query(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        return list(self.conn.execute(sql, params).fetchall())

    def one(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.conn.execute(sql, params).fetchone()
        return row

    def scalar(self, sql: str, params: Params = ()) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def insert(self, table: str, **values: Any) -> int:
        # Table and column names come from code, never from requests; values are bound.
        cols = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        cur = self.conn.execute(
            f"INSERT INTO {table} ({cols}) VALUES ({marks})", tuple(values.values())
        )
        return int(cur.lastrowid or 0)

    def table_exists(self, name: str) -> bool:
        return (
            self.one("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (name,))
            is not None
        )

    def columns(self, table: str) -> set[str]:
        return {str(r["name"]) for r in self.query(f"PRAGMA table_info({table})")}

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """BEGIN/COMMIT, rolled back on error; nested uses join the outer transaction."""
        if self._depth:
            self._depth += 1
            try:
                yield self
            finally:
                self._depth -= 1
            return
        self.conn.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield self
        except BaseException:
            self._depth = 0
            self.conn.execute("ROLLBACK")
            raise
        self._depth = 0
        self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()

    def backup_to(self, path: str | Path) -> None:
        """Copy the whole database to ``path`` (tests clone one seeded template per test)."""
        target = sqlite3.connect(str(path))
        try:
            self.conn.backup(target)
        finally:
            target.close()
