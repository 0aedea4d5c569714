"""Deterministic seed data: ``demo`` (three tenants, every role, a support user) and ``large``.

The core (users, tenants, memberships, invitations, API keys, onboarding) is created here;
then each domain module in ``SEED_MODULES`` that exists seeds its own tables through
``seed_demo(db, rng, tenants)`` or ``seed_large(db, rng, tenant)``. Every module gets its own
``random.Random`` derived from the seed and the module name, so adding or changing one module
never shifts another module's data.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from callaro_sandbox.db import Database, import_optional
from callaro_sandbox.envelope import iso, now
from callaro_sandbox.permissions import (
    PLATFORM_SUPPORT,
    TENANT_ADMIN,
    TENANT_OPERATOR,
    TENANT_VIEWER,
)
from callaro_sandbox.security import hash_password, sha256_hex

# Order matters: numbers reference connections and agents; invoices summarise usage.
SEED_MODULES: list[str] = [
    "callaro_sandbox.agents",
    "callaro_sandbox.telephony",
    "callaro_sandbox.phone_numbers",
    "callaro_sandbox.billing",
    "callaro_sandbox.usage",
    "callaro_sandbox.invoices",
]

PROFILES = ("demo", "large")

MEMBER_PASSWORD = "demo-member-password"
SUPPORT_TENANTS = 250
LARGE_USERS = 100_000

DEFAULT_SCOPES = [
    "bulk_call_campaigns:read",
    "bulk_call_campaigns:write",
    "contacts:read",
    "contacts:write",
    "phone_numbers:read",
    "phone_numbers:write",
    "voice_sessions:read",
    "billing:tenant:read",
]


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST = _words(
    "Aarav Aditi Ananya Arjun Bhavna Chetan Deepa Devika Farhan Gauri Harsh Ishaan Jaya Kabir "
    "Kavya Lakshmi Manav Meera Nikhil Nisha Omkar Pooja Pranav Priya Rahul Riya Rohan Saanvi "
    "Sameer Sana Shreya Siddharth Tanvi Varun Vikram Zoya Alex Maria Chen Sofia Liam Noah Emma"
)
LAST = _words(
    "Sharma Verma Iyer Nair Reddy Gupta Mehta Kapoor Joshi Patel Rao Menon Das Bose Kulkarni "
    "Pillai Chatterjee Singh Khan Fernandes D'Souza Banerjee Mishra Agarwal Shah Thomas Lee "
    "Garcia Novak"
)
ADJECTIVES = _words(
    "Amber Blue Bright Cedar Coral Crimson Delta Eastern Emerald Golden Granite Harbor Indigo "
    "Ivory Jade Lunar Maple Meadow Northern Onyx Orchid Pacific Pine Quartz River Saffron "
    "Silver Solar Summit Teal Urban Velvet Willow Zenith"
)
NOUNS = _words(
    "Analytics Bakery Clinic Couriers Dental Energy Foods Freight Games Health Hotels Insurance "
    "Labs Learning Legal Logistics Media Motors Pharma Realty Retail Robotics Software Studio "
    "Telecom Textiles Travel Ventures Wellness"
)


@dataclass
class SeedTenant:
    id: int
    name: str
    size: str  # "small" | "medium" | "large"
    admin_user_id: int


@dataclass(frozen=True)
class DemoAccount:
    email: str
    password: str
    description: str


@dataclass
class SeedResult:
    profile: str
    seed: int
    tenants: list[SeedTenant] = field(default_factory=list)
    accounts: list[DemoAccount] = field(default_factory=list)
    api_key_secret: str | None = None
    user_count: int = 0
    tenant_count: int = 0
    modules: list[str] = field(default_factory=list)

    def describe(self) -> str:
        lines = [
            f"Seeded profile '{self.profile}' (seed {self.seed}): "
            f"{self.tenant_count} tenants, {self.user_count} users.",
            "Accounts:",
        ]
        width = max((len(a.email) for a in self.accounts), default=10)
        for a in self.accounts:
            lines.append(f"  {a.email:<{width}}  {a.password:<22}  {a.description}")
        if self.api_key_secret:
            lines.append(f"Tenant API key (first tenant): {self.api_key_secret}")
        lines.append(
            "Domain data from: " + (", ".join(self.modules) if self.modules else "(none yet)")
        )
        return "\n".join(lines)


class SeedError(RuntimeError):
    pass


def _ts(dt: datetime) -> str:
    return iso(dt) or ""


def _module_rng(seed: int, name: str) -> random.Random:
    return random.Random(f"{seed}:{name}")


def seed(db: Database, profile: str, seed: int = 1) -> SeedResult:
    """Fill an empty database with the ``profile`` data set, deterministic by ``seed``."""
    if profile not in PROFILES:
        raise SeedError(f"unknown profile {profile!r}; choose one of {', '.join(PROFILES)}")
    if db.scalar("SELECT COUNT(*) FROM users"):
        raise SeedError(f"database {db.path} already has data; seed an empty file")
    for name in SEED_MODULES:
        import_optional(name)
    db.apply_schemas()
    result = SeedResult(profile=profile, seed=seed)
    with db.transaction():
        if profile == "demo":
            _seed_demo_core(db, random.Random(f"{seed}:core"), result)
        else:
            _seed_large_core(db, random.Random(f"{seed}:core"), result)
        for name in SEED_MODULES:
            module = import_optional(name)
            if module is None:
                continue
            hook = getattr(module, "seed_demo" if profile == "demo" else "seed_large", None)
            if hook is None:
                continue
            rng = _module_rng(seed, name)
            if profile == "demo":
                hook(db, rng, list(result.tenants))
            else:
                hook(db, rng, result.tenants[0])
            result.modules.append(name.rsplit(".", 1)[-1])
    result.user_count = int(db.scalar("SELECT COUNT(*) FROM users") or 0)
    result.tenant_count = int(db.scalar("SELECT COUNT(*) FROM tenants") or 0)
    return result


class _Builder:
    """Shared helpers for both profiles; inserts are plain tuples for executemany speed."""

    def __init__(self, db: Database, rng: random.Random) -> None:
        self.db = db
        self.rng = rng
        self.anchor = now().replace(microsecond=0)
        self._hashes: dict[str, str] = {}

    def hash(self, password: str) -> str:
        # argon2 is deliberately slow: hash each distinct password once and reuse it.
        if password not in self._hashes:
            self._hashes[password] = hash_password(password)
        return self._hashes[password]

    def ago(self, days_max: float, days_min: float = 0.0) -> datetime:
        seconds = self.rng.uniform(days_min * 86400, days_max * 86400)
        return self.anchor - timedelta(seconds=int(seconds))

    def tenant(self, name: str, created: datetime) -> int:
        return self.db.insert("tenants", name=name, status="active", created_at=_ts(created))

    def user(
        self,
        email: str,
        password: str,
        display_name: str | None,
        *,
        platform_role: str | None = None,
        timezone: str = "Asia/Kolkata",
        created: datetime | None = None,
    ) -> int:
        created = created or self.ago(365, 200)
        return self.db.insert(
            "users",
            email=email,
            password_hash=self.hash(password),
            display_name=display_name,
            timezone=timezone,
            platform_role=platform_role,
            created_at=_ts(created),
            last_active_at=_ts(self.ago(3)),
        )

    def member(
        self, user_id: int, tenant_id: int, role: str, status: str = "active", when: Any = None
    ) -> None:
        self.db.insert(
            "memberships",
            user_id=user_id,
            tenant_id=tenant_id,
            role=role,
            status=status,
            created_at=_ts(when or self.ago(300, 30)),
        )

    def name(self) -> tuple[str, str]:
        first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
        return first, last

    def bulk_members(
        self, tenant_id: int, domain: str, count: int, *, start: int = 1, admins: int = 0
    ) -> None:
        """``count`` members with the shared member password, mixed roles and statuses."""
        pw_hash = self.hash(MEMBER_PASSWORD)
        users: list[tuple[Any, ...]] = []
        base_id = int(self.db.scalar("SELECT COALESCE(MAX(id), 0) FROM users") or 0)
        members: list[tuple[Any, ...]] = []
        for i in range(count):
            first, last = self.name()
            local = f"{first}.{last}".lower().replace("'", "")
            email = f"{local}.{start + i}@{domain}"
            display = f"{first} {last}" if self.rng.random() > 0.08 else None
            created = self.ago(700, 1)
            active = None if self.rng.random() < 0.1 else _ts(self.ago(60))
            uid = base_id + i + 1
            users.append((uid, email, pw_hash, display, "Asia/Kolkata", _ts(created), active))
            if i < admins:
                role = TENANT_ADMIN
            else:
                role = TENANT_OPERATOR if self.rng.random() < 0.6 else TENANT_VIEWER
            status = "deactivated" if i >= admins and self.rng.random() < 0.06 else "active"
            members.append((uid, tenant_id, role, status, _ts(created)))
        self.db.executemany(
            "INSERT INTO users (id, email, password_hash, display_name, timezone, created_at,"
            " last_active_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            users,
        )
        self.db.executemany(
            "INSERT INTO memberships (user_id, tenant_id, role, status, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            members,
        )

    def invitation(
        self, tenant_id: int, email: str, role: str, status: str, invited_by: int
    ) -> None:
        # Pending ones are recent enough to still be open; "expired" is pending past its date.
        created = self.ago(5, 0.5) if status != "expired" else self.ago(60, 30)
        expires = created + timedelta(days=7)
        token = "inv_" + "".join(self.rng.choice("0123456789abcdef") for _ in range(40))
        self.db.insert(
            "invitations",
            tenant_id=tenant_id,
            email=email,
            role=role,
            status="pending" if status == "expired" else status,
            token=token,
            invited_by=invited_by,
            created_at=_ts(created),
            expires_at=_ts(expires),
            accepted_at=_ts(created + timedelta(days=1)) if status == "accepted" else None,
            revoked_at=_ts(created + timedelta(days=2)) if status == "revoked" else None,
        )
        if status == "pending":
            tenant = self.db.scalar("SELECT name FROM tenants WHERE id = ?", (tenant_id,))
            self.db.insert(
                "outbox",
                kind="invitation",
                to_email=email,
                subject=f"You're invited to {tenant} on Callaro",
                body=f"Accept with POST /sandbox/invitations/{token}/accept",
                token=token,
                tenant_id=tenant_id,
                created_at=_ts(created),
            )

    def api_key(
        self,
        tenant_id: int,
        name: str,
        created_by: int,
        *,
        scopes: list[str] | None = None,
        revoked: bool = False,
        active: bool = True,
    ) -> str:
        secret = "sk_live_" + "".join(self.rng.choice("0123456789abcdef") for _ in range(40))
        created = self.ago(200, 5)
        self.db.insert(
            "api_keys",
            tenant_id=tenant_id,
            name=name,
            prefix=secret[:12],
            secret_hash=sha256_hex(secret),
            scopes=json.dumps(scopes or DEFAULT_SCOPES),
            active=1 if active else 0,
            created_at=_ts(created),
            last_used_at=_ts(self.ago(5)) if not revoked else None,
            created_by=created_by,
            revoked_at=_ts(self.ago(4)) if revoked else None,
        )
        return secret


def _seed_demo_core(db: Database, rng: random.Random, result: SeedResult) -> None:
    b = _Builder(db, rng)
    acme = b.tenant("Acme Health", b.ago(720, 700))
    bright = b.tenant("Brightline Logistics", b.ago(500, 400))
    corvid = b.tenant("Corvid Studio", b.ago(20, 10))

    def account(email: str, password: str, name: str | None, description: str, **kw: Any) -> int:
        result.accounts.append(DemoAccount(email, password, description))
        return b.user(email, password, name, **kw)

    admin = account(
        "admin@demo.callaro.test", "demo-password-1", "Asha Admin", "Tenant Admin, Acme Health"
    )
    operator = account(
        "operator@demo.callaro.test",
        "demo-password-2",
        "Omar Operator",
        "Tenant Operator, Acme Health",
    )
    viewer = account(
        "viewer@demo.callaro.test", "demo-password-3", "Vera Viewer", "Tenant Viewer, Acme Health"
    )
    multi = account(
        "multi@demo.callaro.test",
        "demo-password-4",
        "Mira Multi",
        "Tenant Admin, Brightline Logistics + Tenant Operator, Acme Health",
    )
    support = account(
        "support@demo.callaro.test",
        "demo-password-5",
        "Sam Support",
        f"platform_support: enters every tenant ({SUPPORT_TENANTS + 3}) as Viewer",
        platform_role=PLATFORM_SUPPORT,
        timezone="UTC",
    )
    corvid_admin = account(
        "owner@corvid.demo.callaro.test",
        "demo-password-6",
        None,
        "Tenant Admin, Corvid Studio (fresh tenant, empty checklist)",
        timezone="UTC",
    )
    b.member(admin, acme, TENANT_ADMIN)
    b.member(operator, acme, TENANT_OPERATOR)
    b.member(viewer, acme, TENANT_VIEWER)
    b.member(multi, bright, TENANT_ADMIN)
    b.member(multi, acme, TENANT_OPERATOR)
    b.member(corvid_admin, corvid, TENANT_ADMIN)
    _ = support

    # Acme keeps a second admin so demoting one is allowed; Brightline's only admin is `multi`,
    # which shows the last-admin rule.
    b.bulk_members(acme, "acme-health.test", 36, admins=1)
    b.bulk_members(bright, "brightline.test", 11, start=100)
    b.bulk_members(corvid, "corvid.test", 2, start=200)

    for email, role, status in [
        ("new.hire@acme-health.test", TENANT_OPERATOR, "pending"),
        ("auditor@acme-health.test", TENANT_VIEWER, "pending"),
        ("cfo@acme-health.test", TENANT_ADMIN, "pending"),
        ("former@acme-health.test", TENANT_OPERATOR, "revoked"),
        ("late@acme-health.test", TENANT_VIEWER, "expired"),
    ]:
        b.invitation(acme, email, role, status, admin)
    b.invitation(bright, "dispatch@brightline.test", TENANT_OPERATOR, "pending", multi)

    result.api_key_secret = b.api_key(acme, "Production CRM sync", admin)
    b.api_key(acme, "Reporting (read only)", admin, scopes=["voice_sessions:read"])
    b.api_key(acme, "Old integration", admin, revoked=True)
    b.api_key(bright, "Dispatch bot", multi)

    stamp = _ts(b.ago(30, 10))
    db.insert("onboarding", tenant_id=acme, timezone_set_at=stamp)
    db.insert("onboarding", tenant_id=bright)
    db.insert("onboarding", tenant_id=corvid)

    result.tenants += [
        SeedTenant(acme, "Acme Health", "large", admin),
        SeedTenant(bright, "Brightline Logistics", "medium", multi),
        SeedTenant(corvid, "Corvid Studio", "small", corvid_admin),
    ]
    _seed_support_tenants(b, result)


def _seed_support_tenants(b: _Builder, result: SeedResult) -> None:
    """250 small tenants, so the support user's tenant switcher has to search and page."""
    pw_hash = b.hash(MEMBER_PASSWORD)
    used: set[str] = set()
    for n in range(1, SUPPORT_TENANTS + 1):
        while True:
            name = f"{b.rng.choice(ADJECTIVES)} {b.rng.choice(NOUNS)}"
            if name not in used:
                used.add(name)
                break
        created = b.ago(900, 30)
        tid = b.tenant(name, created)
        slug = f"t{n:03d}.demo.callaro.test"
        first, last = b.name()
        uid = b.db.insert(
            "users",
            email=f"admin@{slug}",
            password_hash=pw_hash,
            display_name=f"{first} {last}",
            timezone="Asia/Kolkata",
            created_at=_ts(created),
            last_active_at=_ts(b.ago(90)),
        )
        b.member(uid, tid, TENANT_ADMIN, when=created)
        b.db.insert("onboarding", tenant_id=tid)
        result.tenants.append(SeedTenant(tid, name, "small", uid))
    result.accounts.append(
        DemoAccount(
            "admin@tNNN.demo.callaro.test",
            MEMBER_PASSWORD,
            f"Tenant Admin of each of {SUPPORT_TENANTS} small tenants (NNN = 001..250);"
            " every other seeded member shares this password",
        )
    )


def _seed_large_core(db: Database, rng: random.Random, result: SeedResult) -> None:
    b = _Builder(db, rng)
    tid = b.tenant("Megacorp Telecom", b.ago(1500, 1400))
    admin = b.user("admin@demo.callaro.test", "demo-password-1", "Asha Admin")
    b.member(admin, tid, TENANT_ADMIN)
    support = b.user(
        "support@demo.callaro.test",
        "demo-password-5",
        "Sam Support",
        platform_role=PLATFORM_SUPPORT,
        timezone="UTC",
    )
    _ = support
    b.bulk_members(tid, "megacorp.test", LARGE_USERS - 1, admins=20)
    b.api_key(tid, "Bulk loader", admin)
    db.insert("onboarding", tenant_id=tid, timezone_set_at=_ts(b.ago(100, 50)))
    result.accounts += [
        DemoAccount("admin@demo.callaro.test", "demo-password-1", "Tenant Admin, Megacorp Telecom"),
        DemoAccount("support@demo.callaro.test", "demo-password-5", "platform_support"),
        DemoAccount("<any other member>", MEMBER_PASSWORD, "shared by the bulk members"),
    ]
    result.tenants.append(SeedTenant(tid, "Megacorp Telecom", "large", admin))
