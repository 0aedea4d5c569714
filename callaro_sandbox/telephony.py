"""Telephony connections: the provider accounts and trunks behind phone numbers (section 8).

Provider settings live flat on the connection object, as the contract lists them. Secrets
(`auth_token`, `password`, `api_token`) are write-only: stored in their own column, never
serialised, and reported only as `has_*` booleans, so no response, log line or idempotency
replay can ever carry one back out.
"""

from __future__ import annotations

import ipaddress
import json
import random
import re
import sqlite3
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Path, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from callaro_sandbox.context import TenantCtx, tenant_ctx
from callaro_sandbox.db import Database, register_schema
from callaro_sandbox.envelope import ApiFail, iso, now, now_iso, ok, paged, parse_iso
from callaro_sandbox.idempotency import idempotent
from callaro_sandbox.paging import PageParams, fetch_page, like_pattern, order_by, page_params
from callaro_sandbox.schemas import Envelope, PageEnvelope

if TYPE_CHECKING:
    from callaro_sandbox.seed import SeedTenant

SCHEMA = """
CREATE TABLE IF NOT EXISTS telephony_connections (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    provider TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    settings TEXT NOT NULL DEFAULT '{}',
    secrets TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    last_tested_at TEXT,
    last_test_ok INTEGER
);
CREATE UNIQUE INDEX IF NOT EXISTS telephony_connections_name
    ON telephony_connections (tenant_id, name COLLATE NOCASE);
"""
register_schema("telephony", SCHEMA)

router = APIRouter(tags=["telephony connections"])

# Ids are SQLite integers: a larger value would overflow the driver, so 422 it early.
ConnectionId = Annotated[int, Path(ge=1, le=2**62)]

ReadCtx = Annotated[TenantCtx, Depends(tenant_ctx("telephony:read"))]
WriteCtx = Annotated[TenantCtx, Depends(tenant_ctx("telephony:write"))]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]

Provider = Literal["twilio", "exotel", "mcube", "sip"]
PROVIDERS: tuple[str, ...] = ("twilio", "exotel", "mcube", "sip")
PROVIDER_LABELS = {"twilio": "Twilio", "exotel": "Exotel", "mcube": "mCube", "sip": "SIP trunk"}
CODECS: tuple[str, ...] = ("PCMU", "PCMA", "G722", "OPUS")
DEFAULT_CODECS = ["PCMU", "PCMA"]


@dataclass(frozen=True)
class ProviderSpec:
    settings: tuple[str, ...]
    required: tuple[str, ...]
    secrets: tuple[str, ...]


PROVIDER_SPECS: dict[str, ProviderSpec] = {
    "twilio": ProviderSpec(("account_sid",), ("account_sid",), ("auth_token",)),
    "sip": ProviderSpec(
        ("termination_uri", "username", "ip_acl", "codecs"), ("termination_uri",), ("password",)
    ),
    "exotel": ProviderSpec(
        ("account_sid", "api_key", "subdomain"), ("account_sid", "api_key"), ("api_token",)
    ),
    "mcube": ProviderSpec((), (), ("api_token",)),
}
SETTING_FIELDS = ("account_sid", "api_key", "subdomain", "termination_uri", "username", "ip_acl")
SECRET_FIELDS = ("auth_token", "password", "api_token")
SECRET_FLAGS = {
    "auth_token": "has_auth_token",
    "password": "has_password",
    "api_token": "has_api_token",
}

TWILIO_SID = re.compile(r"^AC[0-9a-f]{32}$")
# sip:[user@]host[:port][;params]; host is a name, IPv4, or a bracketed IPv6 literal.
SIP_URI = re.compile(
    r"^(?P<scheme>sips?):(?:(?P<user>[^@\s;:]+)@)?"
    r"(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)"
    r"(?::(?P<port>\d{1,5}))?(?P<params>;\S*)?$"
)
HOSTNAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$")
MAX_ACL_ENTRIES = 64


# --- schemas -----------------------------------------------------------------------------


class ConnectionFields(BaseModel):
    """Settings and secrets shared by create and update; unknown keys are refused."""

    model_config = ConfigDict(extra="forbid")

    active: bool | None = None
    account_sid: str | None = Field(None, max_length=64)
    auth_token: str | None = Field(None, max_length=256, description="write-only")
    api_key: str | None = Field(None, max_length=128)
    api_token: str | None = Field(None, max_length=256, description="write-only")
    subdomain: str | None = Field(None, max_length=253)
    termination_uri: str | None = Field(None, max_length=512)
    username: str | None = Field(None, max_length=128)
    password: str | None = Field(None, max_length=256, description="write-only")
    ip_acl: list[str] | None = Field(None, description="CIDR blocks (IPv4 or IPv6)")
    codecs: list[str] | None = Field(None, description="subset of PCMU, PCMA, G722, OPUS")


class ConnectionCreate(ConnectionFields):
    name: str = Field(min_length=1, max_length=100)
    provider: Provider


class ConnectionPatch(ConnectionFields):
    name: str | None = Field(None, min_length=1, max_length=100)
    provider: Provider | None = Field(None, description="cannot change; accepted if unchanged")


class ConnectionOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: int
    name: str
    provider: str
    active: bool
    created_at: str | None
    updated_at: str | None
    numbers_count: int
    last_tested_at: str | None = None
    account_sid: str | None = None
    termination_uri: str | None = None
    username: str | None = None
    ip_acl: list[str] | None = None
    codecs: list[str] | None = None
    has_auth_token: bool | None = None
    has_password: bool | None = None
    has_api_token: bool | None = None


class ConnectionTestOut(BaseModel):
    ok: bool
    latency_ms: int | None
    detail: str


class DeletedOut(BaseModel):
    id: int
    deleted: bool


# --- validation (pure) ------------------------------------------------------------------


def validate_sip_uri(uri: str) -> str | None:
    """Why `uri` is not a usable SIP URI, or None."""
    match = SIP_URI.match(uri)
    if match is None:
        return "must be a SIP URI such as sip:trunk.example.com:5060 or sips:pbx.example.com"
    host = match.group("host")
    if host.startswith("["):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            return "host is not a valid IPv6 address"
    port = match.group("port")
    if port is not None and not 1 <= int(port) <= 65535:
        return "port must be between 1 and 65535"
    return None


def normalize_acl(entries: list[str], errors: dict[str, list[str]]) -> list[str]:
    """Canonical CIDR strings; a host address becomes a /32 or /128.

    Host bits set ("10.0.0.1/24") are refused rather than silently widened to the network,
    because that usually means the user typed the wrong prefix length.
    """
    if len(entries) > MAX_ACL_ENTRIES:
        errors.setdefault("ip_acl", []).append(f"at most {MAX_ACL_ENTRIES} entries")
        return []
    out: list[str] = []
    for index, raw in enumerate(entries):
        text = raw.strip()
        try:
            network = ipaddress.ip_network(text, strict=True)
        except ValueError as exc:
            detail = "has host bits set" if "host bits" in str(exc) else "is not a CIDR block"
            errors.setdefault(f"ip_acl.{index}", []).append(f"'{text}' {detail}")
            continue
        canonical = str(network)
        if canonical not in out:
            out.append(canonical)
    return out


def normalize_codecs(entries: list[str], errors: dict[str, list[str]]) -> list[str]:
    out: list[str] = []
    for index, raw in enumerate(entries):
        codec = raw.strip().upper()
        if codec not in CODECS:
            errors.setdefault(f"codecs.{index}", []).append(
                f"'{raw}' is not supported; use {', '.join(CODECS)}"
            )
        elif codec not in out:
            out.append(codec)
    return out


def _clean_text(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def apply_fields(
    provider: str,
    body: ConnectionFields,
    settings: dict[str, Any],
    secrets: dict[str, str],
    *,
    creating: bool,
) -> dict[str, list[str]]:
    """Merge the sent fields into `settings`/`secrets` in place; return field errors.

    A field that does not belong to the provider is an error only when it carries a value, so
    a form that sends every input (empty ones as null) still works.
    """
    errors: dict[str, list[str]] = {}
    spec = PROVIDER_SPECS[provider]
    sent = body.model_fields_set
    for name in (*SETTING_FIELDS, "codecs", *SECRET_FIELDS):
        if name not in sent:
            continue
        value = getattr(body, name)
        allowed = name in spec.settings or name in spec.secrets
        if not allowed:
            if value not in (None, "", []):
                label = PROVIDER_LABELS[provider]
                errors.setdefault(name, []).append(f"not a setting of a {label} connection")
            continue
        if name in SECRET_FIELDS:
            # Absent keeps the stored secret; null or "" clears it; anything else replaces it.
            if value:
                secrets[name] = str(value)
            else:
                secrets.pop(name, None)
        elif name == "ip_acl":
            settings[name] = normalize_acl(value or [], errors)
        elif name == "codecs":
            settings[name] = normalize_codecs(value or [], errors)
        else:
            cleaned = _clean_text(value)
            if cleaned is None:
                settings.pop(name, None)
            else:
                settings[name] = cleaned
    if creating and provider == "sip":
        settings.setdefault("codecs", list(DEFAULT_CODECS))
        settings.setdefault("ip_acl", [])
    if creating and provider == "exotel":
        settings.setdefault("subdomain", "api.exotel.com")
    for name in spec.required:
        if not settings.get(name) and name not in errors:
            errors.setdefault(name, []).append("is required")
    uri = settings.get("termination_uri")
    if provider == "sip" and uri and "termination_uri" not in errors:
        problem = validate_sip_uri(str(uri))
        if problem:
            errors.setdefault("termination_uri", []).append(problem)
    subdomain = settings.get("subdomain")
    if provider == "exotel" and subdomain and not HOSTNAME.match(str(subdomain)):
        errors.setdefault("subdomain", []).append("must be a host name such as api.exotel.com")
    for name in ("account_sid", "api_key", "username"):
        text = settings.get(name)
        if isinstance(text, str) and re.search(r"\s", text):
            errors.setdefault(name, []).append("must not contain spaces")
    return errors


def probe_connection(
    connection_id: int, name: str, provider: str, settings: dict[str, Any], secrets: dict[str, str]
) -> tuple[bool, int | None, str]:
    """A pretend provider check, decided only by the stored settings (so it is repeatable).

    latency_ms is None when the sandbox "never reached" the provider (settings are unusable).
    """
    latency = 35 + zlib.crc32(f"{connection_id}:{name}".encode()) % 180
    if provider == "twilio":
        sid = str(settings.get("account_sid") or "")
        if not TWILIO_SID.match(sid):
            return False, None, "Account SID must be AC followed by 32 lowercase hex characters"
        if not secrets.get("auth_token"):
            return False, None, "No auth token is stored for this connection"
        return True, latency, f"Authenticated with Twilio account {sid[:6]}...{sid[-4:]}"
    if provider == "sip":
        match = SIP_URI.match(str(settings.get("termination_uri") or ""))
        if match is None:
            return False, None, "Termination URI is not a sip: or sips: URI"
        if not settings.get("codecs"):
            return False, None, "No codecs are enabled; enable at least one of PCMU/PCMA/G722/OPUS"
        host = match.group("host")
        # Reserved test TLDs (RFC 2606) never resolve: a handy way to demo a failing trunk.
        if host.lower().endswith((".invalid", ".test")):
            return False, latency * 10, f"DNS lookup for {host} failed (NXDOMAIN)"
        return True, latency, f"OPTIONS to {host} answered 200 OK"
    if provider == "exotel":
        if not (settings.get("account_sid") and settings.get("api_key")):
            return False, None, "Account SID and API key are required"
        if not secrets.get("api_token"):
            return False, None, "No API token is stored for this connection"
        return True, latency, f"Authenticated with Exotel ({settings.get('subdomain')})"
    if not secrets.get("api_token"):
        return False, None, "No API token is stored for this connection"
    return True, latency, "Authenticated with mCube"


# --- serialisation ------------------------------------------------------------------------


def _json_dict(text: Any) -> dict[str, Any]:
    value = json.loads(text or "{}")
    return value if isinstance(value, dict) else {}


def connection_out(row: sqlite3.Row, numbers_count: int) -> dict[str, Any]:
    provider = str(row["provider"])
    spec = PROVIDER_SPECS.get(provider, ProviderSpec((), (), ()))
    settings = _json_dict(row["settings"])
    stored_secrets = _json_dict(row["secrets"])
    out: dict[str, Any] = {
        "id": int(row["id"]),
        "name": str(row["name"]),
        "provider": provider,
        "active": bool(row["active"]),
        "created_at": iso(parse_iso(row["created_at"])),
        "updated_at": iso(parse_iso(row["updated_at"])),
        "numbers_count": numbers_count,
        "last_tested_at": iso(parse_iso(row["last_tested_at"])),
    }
    for name in spec.settings:
        default: Any = [] if name in ("ip_acl", "codecs") else None
        out[name] = settings.get(name, default)
    for name in spec.secrets:
        # Only whether a secret exists ever leaves the server.
        out[SECRET_FLAGS[name]] = bool(stored_secrets.get(name))
    return out


_SELECT = (
    "SELECT c.*, (SELECT COUNT(*) FROM phone_numbers p WHERE p.telephony_connection_id = c.id)"
    " AS numbers_count FROM telephony_connections c"
)


def get_connection(db: Database, tenant_id: int, connection_id: int) -> sqlite3.Row:
    row = db.one(f"{_SELECT} WHERE c.id = ? AND c.tenant_id = ?", (connection_id, tenant_id))
    if row is None:
        raise ApiFail(404, "TELEPHONY_CONNECTION_NOT_FOUND", "Telephony connection not found")
    return row


def connection_ref(row: sqlite3.Row) -> dict[str, Any]:
    return {"id": int(row["id"]), "name": str(row["name"]), "provider": str(row["provider"])}


def _name_taken(db: Database, tenant_id: int, name: str, exclude_id: int | None = None) -> bool:
    row = db.one(
        "SELECT id FROM telephony_connections WHERE tenant_id = ? AND name = ? COLLATE NOCASE"
        " AND id IS NOT ?",
        (tenant_id, name, exclude_id),
    )
    return row is not None


def _name_conflict(name: str) -> ApiFail:
    msg = f"A connection named '{name}' already exists"
    return ApiFail(409, "CONFLICT", msg, errors={"name": [msg]})


def _invalid(errors: dict[str, list[str]]) -> ApiFail:
    fields = ", ".join(sorted(errors))
    return ApiFail(422, "VALIDATION_ERROR", f"Invalid connection settings: {fields}", errors=errors)


# --- routes --------------------------------------------------------------------------------

_SORTS = {
    "name": "c.name COLLATE NOCASE",
    "provider": "c.provider",
    "created_at": "c.created_at",
    "active": "c.active",
    "numbers_count": "numbers_count",
    "id": "c.id",
}


@router.get("/api/v1/telephony_connections", response_model=PageEnvelope[ConnectionOut])
async def list_connections(
    ctx: ReadCtx,
    paging: Annotated[PageParams, Depends(page_params)],
    search: Annotated[str | None, Query(max_length=100)] = None,
    provider: Annotated[Provider | None, Query()] = None,
    active: Annotated[bool | None, Query()] = None,
    sort: Annotated[
        str | None, Query(description="name, provider, created_at, active, numbers_count")
    ] = None,
) -> JSONResponse:
    where = ["c.tenant_id = ?"]
    params: list[Any] = [ctx.tenant_id]
    if search:
        where.append("c.name LIKE ? ESCAPE '\\'")
        params.append(like_pattern(search.replace("\x00", "").strip()))
    if provider is not None:
        where.append("c.provider = ?")
        params.append(provider)
    if active is not None:
        where.append("c.active = ?")
        params.append(int(active))
    clause = " AND ".join(where)
    rows, total = fetch_page(
        ctx.db,
        f"{_SELECT} WHERE {clause}",
        f"SELECT COUNT(*) FROM telephony_connections c WHERE {clause}",
        params,
        paging,
        order_by(sort, _SORTS, "name", tiebreak="c.id"),
    )
    data = [connection_out(r, int(r["numbers_count"])) for r in rows]
    return paged(data, total=total, page=paging.page, per_page=paging.per_page)


@router.post(
    "/api/v1/telephony_connections", status_code=201, response_model=Envelope[ConnectionOut]
)
async def create_connection(
    body: ConnectionCreate,
    ctx: WriteCtx,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    async def create() -> tuple[Any, int]:
        name = body.name.strip()
        settings: dict[str, Any] = {}
        secrets: dict[str, str] = {}
        errors = apply_fields(body.provider, body, settings, secrets, creating=True)
        if not name:
            errors.setdefault("name", []).append("must not be blank")
        if errors:
            raise _invalid(errors)
        if _name_taken(ctx.db, ctx.tenant_id, name):
            raise _name_conflict(name)
        stamp = now_iso()
        new_id = ctx.db.insert(
            "telephony_connections",
            tenant_id=ctx.tenant_id,
            name=name,
            provider=body.provider,
            active=0 if body.active is False else 1,
            settings=json.dumps(settings),
            secrets=json.dumps(secrets),
            created_at=stamp,
            updated_at=stamp,
        )
        return connection_out(get_connection(ctx.db, ctx.tenant_id, new_id), 0), 201

    # The stored replay is the serialised connection, which never holds a secret.
    return await idempotent(ctx, idempotency_key, "telephony_connections.create", body, create)


@router.get("/api/v1/telephony_connections/{connection_id}", response_model=Envelope[ConnectionOut])
async def get_connection_route(connection_id: ConnectionId, ctx: ReadCtx) -> JSONResponse:
    row = get_connection(ctx.db, ctx.tenant_id, connection_id)
    return ok(connection_out(row, int(row["numbers_count"])))


@router.patch(
    "/api/v1/telephony_connections/{connection_id}", response_model=Envelope[ConnectionOut]
)
async def update_connection(
    connection_id: ConnectionId,
    body: ConnectionPatch,
    ctx: WriteCtx,
) -> JSONResponse:
    row = get_connection(ctx.db, ctx.tenant_id, connection_id)
    provider = str(row["provider"])
    settings = _json_dict(row["settings"])
    secrets = {k: str(v) for k, v in _json_dict(row["secrets"]).items()}
    errors = apply_fields(provider, body, settings, secrets, creating=False)
    if body.provider is not None and body.provider != provider:
        errors.setdefault("provider", []).append(
            "cannot be changed; create a new connection instead"
        )
    name = str(row["name"])
    if body.name is not None:
        name = body.name.strip()
        if not name:
            errors.setdefault("name", []).append("must not be blank")
    if errors:
        raise _invalid(errors)
    if name.lower() != str(row["name"]).lower() and _name_taken(
        ctx.db, ctx.tenant_id, name, connection_id
    ):
        raise _name_conflict(name)
    active = int(row["active"]) if body.active is None else int(body.active)
    ctx.db.execute(
        "UPDATE telephony_connections SET name = ?, active = ?, settings = ?, secrets = ?,"
        " updated_at = ? WHERE id = ?",
        (name, active, json.dumps(settings), json.dumps(secrets), now_iso(), connection_id),
    )
    fresh = get_connection(ctx.db, ctx.tenant_id, connection_id)
    return ok(connection_out(fresh, int(fresh["numbers_count"])))


@router.delete("/api/v1/telephony_connections/{connection_id}", response_model=Envelope[DeletedOut])
async def delete_connection(connection_id: ConnectionId, ctx: WriteCtx) -> JSONResponse:
    row = get_connection(ctx.db, ctx.tenant_id, connection_id)
    in_use = int(row["numbers_count"])
    if in_use:
        noun = "number still uses" if in_use == 1 else "numbers still use"
        raise ApiFail(
            409,
            "CONFLICT",
            f"{in_use} phone {noun} '{row['name']}'; release or move them first",
            details={"numbers_count": in_use},
        )
    ctx.db.execute("DELETE FROM telephony_connections WHERE id = ?", (connection_id,))
    return ok({"id": connection_id, "deleted": True}, message="Connection deleted")


@router.post(
    "/api/v1/telephony_connections/{connection_id}/test",
    response_model=Envelope[ConnectionTestOut],
)
async def run_connection_test(connection_id: ConnectionId, ctx: WriteCtx) -> JSONResponse:
    row = get_connection(ctx.db, ctx.tenant_id, connection_id)
    passed, latency, detail = probe_connection(
        int(row["id"]),
        str(row["name"]),
        str(row["provider"]),
        _json_dict(row["settings"]),
        _json_dict(row["secrets"]),
    )
    if not row["active"]:
        detail += " (the connection is disabled, so no calls use it)"
    ctx.db.execute(
        "UPDATE telephony_connections SET last_tested_at = ?, last_test_ok = ? WHERE id = ?",
        (now_iso(), int(passed), connection_id),
    )
    return ok({"ok": passed, "latency_ms": latency, "detail": detail})


# --- seeds -------------------------------------------------------------------------------


def _hex(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def _twilio(rng: random.Random) -> tuple[dict[str, Any], dict[str, str]]:
    return {"account_sid": "AC" + _hex(rng, 32)}, {"auth_token": _hex(rng, 32)}


def _sip(rng: random.Random, host: str) -> tuple[dict[str, Any], dict[str, str]]:
    octet = rng.randint(10, 250)
    settings = {
        "termination_uri": f"sip:{host}:5060;transport=udp",
        "username": f"callaro{rng.randint(100, 999)}",
        "ip_acl": [f"203.0.113.{octet}/32", "198.51.100.0/24", "2001:db8:10::/48"],
        "codecs": ["PCMU", "PCMA", "OPUS"],
    }
    return settings, {"password": _hex(rng, 20)}


def _exotel(rng: random.Random, slug: str) -> tuple[dict[str, Any], dict[str, str]]:
    return (
        {"account_sid": slug, "api_key": _hex(rng, 24), "subdomain": "api.in.exotel.com"},
        {"api_token": _hex(rng, 32)},
    )


def _mcube(rng: random.Random) -> tuple[dict[str, Any], dict[str, str]]:
    return {}, {"api_token": _hex(rng, 32)}


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", name.lower())[:16] or "tenant"


def connection_plan(
    rng: random.Random, tenant: SeedTenant
) -> list[tuple[str, str, bool, dict[str, Any], dict[str, str]]]:
    """(name, provider, active, settings, secrets) per connection a seeded tenant gets."""
    slug = _slug(tenant.name)
    if tenant.size == "large":
        return [
            ("Twilio production", "twilio", True, *_twilio(rng)),
            ("Office PBX", "sip", True, *_sip(rng, f"pbx.{slug}.example.com")),
            ("Exotel (legacy)", "exotel", False, *_exotel(rng, slug)),
        ]
    if tenant.size == "medium":
        return [
            ("Carrier SIP trunk", "sip", True, *_sip(rng, f"sip.{slug}.example.net")),
            ("Exotel Mumbai", "exotel", True, *_exotel(rng, slug)),
            ("Twilio trial", "twilio", False, *_twilio(rng)),
        ]
    if tenant.id % 2:
        return [("mCube", "mcube", True, *_mcube(rng))]
    return [("SIP trunk", "sip", True, *_sip(rng, f"trunk.{slug}.example.org"))]


def seed_connections(db: Database, rng: random.Random, tenant: SeedTenant, stamp: str) -> None:
    rows = [
        (
            tenant.id,
            name,
            provider,
            int(active),
            json.dumps(settings),
            json.dumps(secrets),
            stamp,
            stamp,
        )
        for name, provider, active, settings, secrets in connection_plan(rng, tenant)
    ]
    db.executemany(
        "INSERT INTO telephony_connections"
        " (tenant_id, name, provider, active, settings, secrets, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


def is_fresh(db: Database, tenant_id: int, days: int = 30) -> bool:
    """A tenant younger than `days` has not set anything up yet (the onboarding demo)."""
    created = parse_iso(db.scalar("SELECT created_at FROM tenants WHERE id = ?", (tenant_id,)))
    if created is None:
        return False
    return (now() - created).days < days


def seed_demo(db: Database, rng: random.Random, tenants: list[SeedTenant]) -> None:
    stamp = now_iso()
    for tenant in tenants:
        if not is_fresh(db, tenant.id):
            seed_connections(db, rng, tenant, stamp)


def seed_large(db: Database, rng: random.Random, tenant: SeedTenant) -> None:
    seed_connections(db, rng, tenant, now_iso())
