"""Tables of the account side: people, tenants, sessions, invitations, keys, plumbing."""

from __future__ import annotations

from callaro_sandbox.db import CORE_SCHEMA_VERSION, register_schema

CORE_SQL = """
CREATE TABLE IF NOT EXISTS settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    display_name TEXT,
    timezone TEXT NOT NULL DEFAULT 'UTC',
    platform_role TEXT,
    created_at TEXT NOT NULL,
    last_active_at TEXT
);
CREATE TABLE IF NOT EXISTS tenants (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'active',
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tenants_name ON tenants (name COLLATE NOCASE);
CREATE TABLE IF NOT EXISTS memberships (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tenant_id INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'active',
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, tenant_id)
);
-- Version 1 had memberships_tenant (tenant_id, role, status): without user_id it stopped
-- covering "other active admins" once the covering indexes below existed, and SQLite then
-- preferred scanning every active member of the tenant.
DROP INDEX IF EXISTS memberships_tenant;
CREATE INDEX IF NOT EXISTS memberships_tenant_role_status
    ON memberships (tenant_id, role, status, user_id);
-- The users list (users.py) reads a page by walking an index in the requested order instead of
-- sorting the whole tenant; every index ends in the user id, the list's tie-break (an index on
-- users ends in the rowid, which is the id). Columns after the user id let the role/status
-- filters and the search be checked from the index alone.
CREATE INDEX IF NOT EXISTS users_display_name ON users (display_name COLLATE NOCASE, id, email);
CREATE INDEX IF NOT EXISTS users_last_active ON users (last_active_at);
CREATE INDEX IF NOT EXISTS memberships_tenant_role
    ON memberships (tenant_id, role, user_id, status);
CREATE INDEX IF NOT EXISTS memberships_tenant_status
    ON memberships (tenant_id, status, user_id, role);
CREATE INDEX IF NOT EXISTS memberships_tenant_created
    ON memberships (tenant_id, created_at, user_id, role, status);
CREATE TABLE IF NOT EXISTS token_families (
    family TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    revoked_at TEXT,
    revoked_reason TEXT
);
CREATE TABLE IF NOT EXISTS refresh_tokens (
    id INTEGER PRIMARY KEY,
    family TEXT NOT NULL REFERENCES token_families (family) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX IF NOT EXISTS refresh_tokens_family ON refresh_tokens (family);
CREATE TABLE IF NOT EXISTS invitations (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    email TEXT NOT NULL COLLATE NOCASE,
    role TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    token TEXT NOT NULL UNIQUE,
    invited_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    accepted_at TEXT,
    revoked_at TEXT
);
CREATE INDEX IF NOT EXISTS invitations_tenant ON invitations (tenant_id, status);
CREATE TABLE IF NOT EXISTS api_keys (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,
    scopes TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    revoked_at TEXT
);
CREATE INDEX IF NOT EXISTS api_keys_tenant ON api_keys (tenant_id);
CREATE TABLE IF NOT EXISTS onboarding (
    tenant_id INTEGER PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    dismissed_at TEXT,
    timezone_set_at TEXT
);
CREATE TABLE IF NOT EXISTS idempotency (
    tenant_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    body_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    response TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, user_id, scope, key)
);
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    to_email TEXT NOT NULL COLLATE NOCASE,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    token TEXT,
    tenant_id INTEGER,
    created_at TEXT NOT NULL
);
"""

register_schema("core", CORE_SQL, CORE_SCHEMA_VERSION)
