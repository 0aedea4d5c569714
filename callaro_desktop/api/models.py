"""What the API returns, as tolerant pydantic models.

The client owns these (the sandbox has its own schemas): unknown fields are ignored and
an enum value a newer server invents parses as ``UNKNOWN`` instead of failing a whole page.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, Self

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, SecretStr


def _as_utc(value: datetime) -> datetime:
    # The contract promises UTC; a naive stamp from a sloppy server is read as UTC too.
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


UtcDateTime = Annotated[datetime, AfterValidator(_as_utc)]


class Model(BaseModel):
    # hide_input_in_errors: a failed parse of a key or token answer must not echo the secret.
    # defer_build: a model's validator is built when it first parses an answer, not at
    # import: start-up parses a handful of the 51 models (~6 ms of it otherwise).
    model_config = ConfigDict(
        extra="ignore", frozen=True, hide_input_in_errors=True, defer_build=True
    )


class _TolerantEnum(StrEnum):
    @classmethod
    def _missing_(cls, value: object) -> Self | None:
        return cls("unknown") if isinstance(value, str) else None


# --- money ------------------------------------------------------------------------------------

_SYMBOLS = {"INR": "₹"}


def group_indian(digits: str) -> str:
    """'1234567' -> '12,34,567': the last three digits, then pairs."""
    if len(digits) <= 3:
        return digits
    head, tail = digits[:-3], digits[-3:]
    pairs = [head[max(i - 2, 0) : i] for i in range(len(head), 0, -2)]
    return ",".join([*reversed(pairs), tail])


class Money(Model):
    amount_minor: int
    currency: str = "INR"

    def format(self) -> str:
        """₹1,23,456.78, -₹5.00; other currencies keep their code as the prefix."""
        sign = "-" if self.amount_minor < 0 else ""
        major, minor = divmod(abs(self.amount_minor), 100)
        symbol = _SYMBOLS.get(self.currency, f"{self.currency} ")
        return f"{sign}{symbol}{group_indian(str(major))}.{minor:02d}"


# --- auth -------------------------------------------------------------------------------------


class TokenGrant(Model):
    """The login/refresh answer as sent on the wire."""

    access_token: SecretStr
    refresh_token: SecretStr
    token_type: str = "Bearer"
    expires_in: int | None = None


class TokenPair(Model):
    """Tokens as the transport keeps them; SecretStr so a stray log line shows stars."""

    access_token: SecretStr
    refresh_token: SecretStr
    expires_at: UtcDateTime | None = None


# --- people and tenants -----------------------------------------------------------------------


class Role(_TolerantEnum):
    TENANT_ADMIN = "tenant_admin"
    TENANT_OPERATOR = "tenant_operator"
    TENANT_VIEWER = "tenant_viewer"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return _ROLE_LABELS[self]


_ROLE_LABELS = {
    Role.TENANT_ADMIN: "Tenant Admin",
    Role.TENANT_OPERATOR: "Tenant Operator",
    Role.TENANT_VIEWER: "Tenant Viewer",
    Role.UNKNOWN: "Unknown role",
}


class PlatformRole(_TolerantEnum):
    PLATFORM_SUPPORT = "platform_support"
    PARTNER_ADMIN = "partner_admin"
    UNKNOWN = "unknown"


class UserStatus(_TolerantEnum):
    ACTIVE = "active"
    DEACTIVATED = "deactivated"
    UNKNOWN = "unknown"


class InvitationStatus(_TolerantEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REVOKED = "revoked"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


class PersonRef(Model):
    """Who did something: servers send an id, an email or an object; all become this."""

    id: int | None = None
    email: str | None = None
    display_name: str | None = None

    @property
    def label(self) -> str:
        return self.display_name or self.email or (f"#{self.id}" if self.id is not None else "")


def _person(value: object) -> object:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return {"id": value}
    if isinstance(value, str):
        return {"email": value}
    return value


Person = Annotated[PersonRef, BeforeValidator(_person)]


class Membership(Model):
    tenant_id: int
    tenant_name: str
    role: Role


class Me(Model):
    id: int
    email: str
    display_name: str | None = None
    timezone: str = "UTC"
    roles: list[Role] = []
    memberships: list[Membership] = []
    platform_role: PlatformRole | None = None


class Tenant(Model):
    id: int
    name: str
    role: Role | None = None
    status: str = "active"


class ChecklistStep(Model):
    key: str
    title: str
    description: str | None = None
    required: bool = False
    completed: bool = False
    completed_at: UtcDateTime | None = None


class Checklist(Model):
    steps: list[ChecklistStep] = []
    completed_count: int = 0
    total_count: int = 0
    dismissible: bool = False
    dismissed: bool = False


class User(Model):
    id: int
    email: str
    display_name: str | None = None
    role: Role
    status: UserStatus
    last_active_at: UtcDateTime | None = None
    created_at: UtcDateTime | None = None


class Invitation(Model):
    id: int
    email: str
    role: Role
    status: InvitationStatus
    invited_by: Person | None = None
    created_at: UtcDateTime | None = None
    expires_at: UtcDateTime | None = None


# --- billing, usage, invoices -----------------------------------------------------------------


class RechargeStatus(_TolerantEnum):
    PENDING = "pending"
    PAID = "paid"
    FAILED = "failed"
    UNKNOWN = "unknown"


class InvoiceStatus(_TolerantEnum):
    PAID = "paid"
    OPEN = "open"
    VOID = "void"
    UNKNOWN = "unknown"


class UsageCategory(_TolerantEnum):
    CALL = "call"
    KB_IMPORT = "kb_import"
    FILE_EXTRACTION = "file_extraction"
    UNKNOWN = "unknown"


class MonthCosts(Model):
    voice: Money | None = None
    knowledge_base: Money | None = None
    analysis: Money | None = None


class Plan(Model):
    name: str


class BillingOverview(Model):
    balance: Money
    gst_rate: float
    usable_credit: Money
    gst_component: Money
    month: MonthCosts = MonthCosts()
    pulses: int = 0
    plan: Plan | None = None


class Recharge(Model):
    id: int
    subtotal: Money
    gst: Money
    total: Money
    status: RechargeStatus
    checkout_url: str | None = None


class BillingEntity(Model):
    legal_name: str | None = None
    address: str | None = None
    email: str | None = None
    gstin: str | None = None


class UsageEvent(Model):
    id: int
    occurred_at: UtcDateTime
    category: UsageCategory
    description: str | None = None
    quantity: float = 0
    unit: str | None = None
    charged_cost: Money


class UsagePoint(Model):
    date: date
    category: UsageCategory
    charged_cost: Money
    quantity: float = 0


class CategoryTotal(Model):
    charged_cost: Money
    quantity: float = 0
    unit: str | None = None
    events: int | None = None


class UsageTotals(Model):
    # The contract leaves totals open; every field is optional so another shape still parses.
    charged_cost: Money | None = None
    events: int | None = None
    by_category: dict[str, CategoryTotal] = {}


class UsageSummary(Model):
    series: list[UsagePoint] = []
    totals: UsageTotals = UsageTotals()


class Invoice(Model):
    id: int
    number: str
    issued_at: UtcDateTime | None = None
    period_start: date | None = None
    period_end: date | None = None
    subtotal: Money
    tax: Money
    total: Money
    status: InvoiceStatus


class InvoiceLine(Model):
    description: str
    quantity: float = 1
    unit_price: Money
    tax_rate: float = 0
    tax_amount: Money
    amount: Money


class TaxLine(Model):
    label: str
    rate: float
    amount: Money


class BillTo(Model):
    name: str | None = None
    address: str | None = None
    email: str | None = None
    gstin: str | None = None


class Seller(Model):
    name: str | None = None
    gstin: str | None = None


class InvoiceDetail(Invoice):
    lines: list[InvoiceLine] = []
    tax_lines: list[TaxLine] = []
    bill_to: BillTo | None = None
    seller: Seller | None = None
    reverse_charge: bool = False


# --- API keys ---------------------------------------------------------------------------------


class ScopeName(StrEnum):
    """Known scopes; keys carry plain strings so a scope added later still round-trips."""

    BULK_CALL_CAMPAIGNS_READ = "bulk_call_campaigns:read"
    BULK_CALL_CAMPAIGNS_WRITE = "bulk_call_campaigns:write"
    CONTACTS_READ = "contacts:read"
    CONTACTS_WRITE = "contacts:write"
    PHONE_NUMBERS_READ = "phone_numbers:read"
    PHONE_NUMBERS_WRITE = "phone_numbers:write"
    VOICE_SESSIONS_READ = "voice_sessions:read"
    BILLING_TENANT_READ = "billing:tenant:read"
    BILLING_PARTNER_READ = "billing:partner:read"
    BILLING_PARTNER_ALLOCATE = "billing:partner:allocate"
    CALL_TRACES_ADMIN_READ = "call_traces:admin_read"


OPT_IN_SCOPES = frozenset({ScopeName.BILLING_PARTNER_ALLOCATE, ScopeName.CALL_TRACES_ADMIN_READ})


class Scope(Model):
    name: str
    description: str | None = None
    default: bool = False


class ApiKey(Model):
    id: int
    name: str
    prefix: str
    scopes: list[str] = []
    active: bool = True
    created_at: UtcDateTime | None = None
    last_used_at: UtcDateTime | None = None
    created_by: Person | None = None


class ApiKeyCreated(ApiKey):
    # Shown once in the create dialog; SecretStr keeps it out of reprs, logs and crash reports.
    secret: SecretStr


# --- connectivity -----------------------------------------------------------------------------


class Provider(_TolerantEnum):
    TWILIO = "twilio"
    EXOTEL = "exotel"
    MCUBE = "mcube"
    SIP = "sip"
    UNKNOWN = "unknown"


class Codec(_TolerantEnum):
    PCMU = "PCMU"
    PCMA = "PCMA"
    G722 = "G722"
    OPUS = "OPUS"
    UNKNOWN = "unknown"


class PhoneNumberStatus(_TolerantEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    PENDING = "pending"
    UNKNOWN = "unknown"


class AgentRef(Model):
    id: int
    name: str


class ConnectionRef(Model):
    id: int
    name: str
    provider: Provider


class PhoneNumber(Model):
    id: int
    e164: str
    label: str | None = None
    status: PhoneNumberStatus
    inbound_agent: AgentRef | None = None
    telephony_connection: ConnectionRef | None = None
    platform_managed: bool = False
    created_at: UtcDateTime | None = None
    # [CONSOLE] extras the number detail shows when a server sends them.
    country: str | None = None
    monthly_price: Money | None = None
    last_synced_at: UtcDateTime | None = None


class AvailableNumber(Model):
    e164: str
    country: str | None = None
    region: str | None = None
    locality: str | None = None
    capabilities: list[str] = []
    monthly_price: Money | None = None


class Pricing(Model):
    # Providers price differently; the known fields are typed and the rest stay readable
    # through `model_extra`.
    model_config = ConfigDict(extra="allow", frozen=True, hide_input_in_errors=True)

    country: str
    monthly_price: Money | None = None
    setup_price: Money | None = None
    per_minute: Money | None = None


class Agent(Model):
    id: int
    name: str
    active: bool = True


class TelephonyConnection(Model):
    id: int
    name: str
    provider: Provider
    active: bool = True
    created_at: UtcDateTime | None = None
    account_sid: str | None = None
    # Exotel's settings (its API token is a secret, like Twilio's auth token).
    api_key: str | None = None
    subdomain: str | None = None
    termination_uri: str | None = None
    username: str | None = None
    ip_acl: list[str] = []
    codecs: list[Codec] = []
    # Secrets are write-only on the server; these say whether one is stored.
    has_auth_token: bool = False
    has_password: bool = False
    has_api_token: bool = False
    # How many phone numbers use the connection (a connection in use cannot be deleted).
    numbers_count: int | None = None


class ConnectionTestResult(Model):
    ok: bool
    latency_ms: float | None = None
    detail: str | None = None
