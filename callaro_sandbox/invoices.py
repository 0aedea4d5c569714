"""Invoices (contract section 6): list, detail with GST heads, and the PDF tax invoice.

An invoice snapshots seller and buyer (name, address, GSTIN) when it is issued: changing the
billing entity later must not rewrite a tax document already sent. Tax heads are derived from
the two GSTINs' state codes (CGST+SGST, CGST+UTGST or IGST) by `gst.tax_lines_for`, the same
function the seeds used to compute the stored totals, so list and detail always agree.
"""

from __future__ import annotations

import random
import re
import sqlite3
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from callaro_sandbox.billing import PLANS, demo_entity
from callaro_sandbox.context import TenantCtx, tenant_ctx
from callaro_sandbox.db import Database, register_schema
from callaro_sandbox.envelope import ApiFail, iso, money, now, ok, paged, parse_iso
from callaro_sandbox.gst import (
    BP_DENOMINATOR,
    DEFAULT_SAC,
    GST_RATE_BP,
    TaxLine,
    apply_rate,
    make_gstin,
    tax_lines_for,
    total_tax,
)
from callaro_sandbox.paging import PageParams, fetch_page, order_by, page_params
from callaro_sandbox.pdf import InvoiceDocument, PdfLine, PdfParty, PdfTaxLine, render_invoice_pdf
from callaro_sandbox.schemas import Envelope, Money, PageEnvelope
from callaro_sandbox.telephony import is_fresh
from callaro_sandbox.usage import UNIT_PRICE_MINOR

if TYPE_CHECKING:
    from callaro_sandbox.seed import SeedTenant

SCHEMA = """
CREATE TABLE IF NOT EXISTS invoices (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    number TEXT NOT NULL UNIQUE,
    issued_at TEXT NOT NULL,
    due_at TEXT,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    subtotal_minor INTEGER NOT NULL,
    tax_minor INTEGER NOT NULL,
    total_minor INTEGER NOT NULL,
    status TEXT NOT NULL,
    bill_to_name TEXT NOT NULL,
    bill_to_address TEXT,
    bill_to_email TEXT,
    bill_to_gstin TEXT,
    seller_name TEXT NOT NULL,
    seller_address TEXT,
    seller_gstin TEXT NOT NULL,
    reverse_charge INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS invoices_tenant_issued ON invoices (tenant_id, issued_at);
CREATE TABLE IF NOT EXISTS invoice_lines (
    id INTEGER PRIMARY KEY,
    invoice_id INTEGER NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    description TEXT NOT NULL,
    sac TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    unit_price_minor INTEGER NOT NULL,
    amount_minor INTEGER NOT NULL,
    tax_rate_bp INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS invoice_lines_invoice ON invoice_lines (invoice_id, position);
"""
register_schema("invoices", SCHEMA)

router = APIRouter(tags=["invoices"])

# Ids are SQLite integers: a larger value would overflow the driver, so 422 it early.
InvoiceId = Annotated[int, Path(ge=1, le=2**62)]

BillingCtx = Annotated[TenantCtx, Depends(tenant_ctx("billing"))]
InvoiceStatus = Literal["paid", "open", "void"]

SELLER_NAME = "Callaro AI Private Limited"
SELLER_ADDRESS = "4th Floor, 80 Feet Road, Koramangala 4th Block, Bengaluru, Karnataka 560034"
SELLER_GSTIN = make_gstin("29", "AAKCC4821F")  # Karnataka
PLAN_FEES = {"Starter": 999_00, "Growth": 2_499_00, "Pro": 4_999_00}
PAYMENT_TERMS_DAYS = 15


# --- schemas ------------------------------------------------------------------------------


class InvoiceOut(BaseModel):
    id: int
    number: str
    issued_at: str
    due_at: str | None
    period_start: str
    period_end: str
    subtotal: Money
    tax: Money
    total: Money
    status: str


class LineOut(BaseModel):
    description: str
    sac: str
    quantity: int
    unit_price: Money
    tax_rate: float
    tax_amount: Money
    amount: Money


class TaxLineOut(BaseModel):
    label: str
    rate: float
    amount: Money


class PartyOut(BaseModel):
    name: str
    address: str | None
    email: str | None = None
    gstin: str | None


class InvoiceDetailOut(InvoiceOut):
    lines: list[LineOut]
    tax_lines: list[TaxLineOut]
    bill_to: PartyOut
    seller: PartyOut
    reverse_charge: bool
    place_of_supply: str | None


# --- reading ------------------------------------------------------------------------------


def invoice_out(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": int(row["id"]),
        "number": str(row["number"]),
        "issued_at": iso(parse_iso(row["issued_at"])),
        "due_at": iso(parse_iso(row["due_at"])),
        "period_start": str(row["period_start"]),
        "period_end": str(row["period_end"]),
        "subtotal": money(int(row["subtotal_minor"])),
        "tax": money(int(row["tax_minor"])),
        "total": money(int(row["total_minor"])),
        "status": str(row["status"]),
    }


def _tax_lines(row: sqlite3.Row) -> list[TaxLine]:
    return tax_lines_for(int(row["subtotal_minor"]), str(row["seller_gstin"]), row["bill_to_gstin"])


def _lines(db: Database, invoice_id: int) -> list[sqlite3.Row]:
    return db.query(
        "SELECT * FROM invoice_lines WHERE invoice_id = ? ORDER BY position", (invoice_id,)
    )


def invoice_detail(db: Database, row: sqlite3.Row) -> dict[str, Any]:
    gstin = row["bill_to_gstin"]
    place = (gstin or str(row["seller_gstin"]))[:2]
    return {
        **invoice_out(row),
        "lines": [
            {
                "description": str(line["description"]),
                "sac": str(line["sac"]),
                "quantity": int(line["quantity"]),
                "unit_price": money(int(line["unit_price_minor"])),
                "tax_rate": int(line["tax_rate_bp"]) / BP_DENOMINATOR,
                # Per-line tax is informative; the invoice's tax is computed on its total
                # taxable value (how GST is assessed), so the two can differ by a paisa.
                "tax_amount": money(
                    apply_rate(int(line["amount_minor"]), int(line["tax_rate_bp"]))
                ),
                "amount": money(int(line["amount_minor"])),
            }
            for line in _lines(db, int(row["id"]))
        ],
        "tax_lines": [
            {"label": t.label, "rate": t.rate, "amount": money(t.amount_minor)}
            for t in _tax_lines(row)
        ],
        "bill_to": {
            "name": str(row["bill_to_name"]),
            "address": row["bill_to_address"],
            "email": row["bill_to_email"],
            "gstin": gstin,
        },
        "seller": {
            "name": str(row["seller_name"]),
            "address": row["seller_address"],
            "gstin": str(row["seller_gstin"]),
        },
        "reverse_charge": bool(row["reverse_charge"]),
        "place_of_supply": place,
    }


def get_invoice(db: Database, tenant_id: int, invoice_id: int) -> sqlite3.Row:
    row = db.one("SELECT * FROM invoices WHERE id = ? AND tenant_id = ?", (invoice_id, tenant_id))
    if row is None:
        raise ApiFail(404, "INVOICE_NOT_FOUND", "Invoice not found")
    return row


def invoice_document(db: Database, row: sqlite3.Row) -> InvoiceDocument:
    """The stored invoice in the shape the PDF renderer draws."""
    issued = parse_iso(row["issued_at"])
    due = parse_iso(row["due_at"])
    assert issued is not None
    return InvoiceDocument(
        number=str(row["number"]),
        issued_on=issued.date(),
        due_on=due.date() if due else None,
        period_start=date.fromisoformat(str(row["period_start"])),
        period_end=date.fromisoformat(str(row["period_end"])),
        status=str(row["status"]),
        seller=PdfParty(str(row["seller_name"]), row["seller_address"], None, row["seller_gstin"]),
        bill_to=PdfParty(
            str(row["bill_to_name"]),
            row["bill_to_address"],
            row["bill_to_email"],
            row["bill_to_gstin"],
        ),
        lines=[
            PdfLine(
                description=str(line["description"]),
                quantity=int(line["quantity"]),
                unit_price_minor=int(line["unit_price_minor"]),
                amount_minor=int(line["amount_minor"]),
                sac=str(line["sac"]),
            )
            for line in _lines(db, int(row["id"]))
        ],
        tax_lines=[PdfTaxLine(t.label, t.rate_bp, t.amount_minor) for t in _tax_lines(row)],
        subtotal_minor=int(row["subtotal_minor"]),
        tax_minor=int(row["tax_minor"]),
        total_minor=int(row["total_minor"]),
        reverse_charge=bool(row["reverse_charge"]),
        notes=["VOID: this invoice was cancelled and is not payable."]
        if row["status"] == "void"
        else [],
    )


# --- routes --------------------------------------------------------------------------------

_SORTS = {
    "issued_at": "issued_at",
    "number": "number",
    "total": "total_minor",
    "status": "status",
    "period_start": "period_start",
    "id": "id",
}


@router.get("/api/v1/invoices", response_model=PageEnvelope[InvoiceOut])
async def list_invoices(
    ctx: BillingCtx,
    paging: Annotated[PageParams, Depends(page_params)],
    status: Annotated[InvoiceStatus | None, Query()] = None,
    sort: Annotated[
        str | None, Query(description="issued_at, number, total, status, period_start")
    ] = None,
) -> JSONResponse:
    where = "tenant_id = ?"
    params: list[Any] = [ctx.tenant_id]
    if status is not None:
        where += " AND status = ?"
        params.append(status)
    rows, total = fetch_page(
        ctx.db,
        f"SELECT * FROM invoices WHERE {where}",
        f"SELECT COUNT(*) FROM invoices WHERE {where}",
        params,
        paging,
        order_by(sort, _SORTS, "-issued_at", tiebreak="id DESC"),
    )
    return paged(
        [invoice_out(r) for r in rows], total=total, page=paging.page, per_page=paging.per_page
    )


@router.get("/api/v1/invoices/{invoice_id}", response_model=Envelope[InvoiceDetailOut])
async def get_invoice_route(invoice_id: InvoiceId, ctx: BillingCtx) -> JSONResponse:
    return ok(invoice_detail(ctx.db, get_invoice(ctx.db, ctx.tenant_id, invoice_id)))


@router.get(
    "/api/v1/invoices/{invoice_id}/pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "The tax invoice"}},
)
async def get_invoice_pdf(invoice_id: InvoiceId, ctx: BillingCtx) -> Response:
    row = get_invoice(ctx.db, ctx.tenant_id, invoice_id)
    content = render_invoice_pdf(invoice_document(ctx.db, row))
    filename = re.sub(r"[^A-Za-z0-9._-]", "_", str(row["number"])) + ".pdf"
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


# --- seeds -------------------------------------------------------------------------------


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _previous_month(first: date) -> date:
    return (first - timedelta(days=1)).replace(day=1)


def _bill_to(db: Database, tenant: SeedTenant) -> tuple[str, str | None, str | None, str | None]:
    row = db.one(
        "SELECT legal_name, address, email, gstin FROM billing_accounts WHERE tenant_id = ?",
        (tenant.id,),
    )
    if row is not None and row["legal_name"]:
        return str(row["legal_name"]), row["address"], row["email"], row["gstin"]
    entity = demo_entity(tenant.id, tenant.name, tenant.size)
    return entity.legal_name, entity.address, entity.email, entity.gstin


def _usage_lines(
    db: Database, tenant_id: int, start: date, end: date
) -> list[tuple[str, int, int]]:
    """(description, quantity, unit price) per usage category billed in [start, end]."""
    rows = db.query(
        "SELECT category, SUM(quantity) AS qty FROM usage_events WHERE tenant_id = ?"
        " AND occurred_at >= ? AND occurred_at < ? GROUP BY category",
        (
            tenant_id,
            f"{start.isoformat()}T00:00:00Z",
            f"{(end + timedelta(days=1)).isoformat()}T00:00:00Z",
        ),
    )
    labels = {
        "call": "Voice minutes (60-second pulses)",
        "kb_import": "Knowledge base document imports",
        "file_extraction": "File extraction pages",
    }
    out = []
    for row in sorted(rows, key=lambda r: list(labels).index(str(r["category"]))):
        category = str(row["category"])
        quantity = int(row["qty"] or 0)
        if quantity:
            out.append((labels[category], quantity, UNIT_PRICE_MINOR[category]))
    return out


class _InvoiceWriter:
    """Collects invoice and line rows with explicit ids, then writes them in two executemany."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.next_id = int(db.scalar("SELECT COALESCE(MAX(id), 0) FROM invoices") or 0) + 1
        self.invoices: list[tuple[Any, ...]] = []
        self.lines: list[tuple[Any, ...]] = []

    def add(
        self,
        tenant_id: int,
        number: str,
        issued: datetime,
        period: tuple[date, date],
        status: str,
        bill_to: tuple[str, str | None, str | None, str | None],
        lines: list[tuple[str, int, int]],
    ) -> None:
        invoice_id = self.next_id
        self.next_id += 1
        subtotal = sum(qty * price for _, qty, price in lines)
        tax = total_tax(tax_lines_for(subtotal, SELLER_GSTIN, bill_to[3]))
        self.invoices.append(
            (
                invoice_id,
                tenant_id,
                number,
                iso(issued),
                iso(issued + timedelta(days=PAYMENT_TERMS_DAYS)),
                period[0].isoformat(),
                period[1].isoformat(),
                subtotal,
                tax,
                subtotal + tax,
                status,
                *bill_to,
                SELLER_NAME,
                SELLER_ADDRESS,
                SELLER_GSTIN,
                0,
            )
        )
        for position, (description, qty, price) in enumerate(lines, start=1):
            self.lines.append(
                (
                    invoice_id,
                    position,
                    description,
                    DEFAULT_SAC,
                    qty,
                    price,
                    qty * price,
                    GST_RATE_BP,
                )
            )

    def flush(self) -> None:
        self.db.executemany(
            "INSERT INTO invoices (id, tenant_id, number, issued_at, due_at, period_start,"
            " period_end, subtotal_minor, tax_minor, total_minor, status, bill_to_name,"
            " bill_to_address, bill_to_email, bill_to_gstin, seller_name, seller_address,"
            " seller_gstin, reverse_charge)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            self.invoices,
        )
        self.db.executemany(
            "INSERT INTO invoice_lines (invoice_id, position, description, sac, quantity,"
            " unit_price_minor, amount_minor, tax_rate_bp) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            self.lines,
        )
        self.invoices.clear()
        self.lines.clear()


def invoice_number(tenant_id: int, sequence: int) -> str:
    # 15 characters: within GST's 16-character limit for invoice numbers.
    return f"CAL-{tenant_id:04d}-{sequence:06d}"


def _plan_line(db: Database, tenant: SeedTenant) -> tuple[str, int, int]:
    plan = db.scalar("SELECT plan_name FROM billing_accounts WHERE tenant_id = ?", (tenant.id,))
    name = str(plan or PLANS.get(tenant.size, "Starter"))
    return (f"Callaro {name} plan (monthly)", 1, PLAN_FEES.get(name, PLAN_FEES["Starter"]))


def _seed_monthly(
    db: Database, rng: random.Random, tenant: SeedTenant, writer: _InvoiceWriter
) -> None:
    today = now().date()
    created = parse_iso(db.scalar("SELECT created_at FROM tenants WHERE id = ?", (tenant.id,)))
    bill_to = _bill_to(db, tenant)
    plan = _plan_line(db, tenant)
    first = _previous_month(_month_start(today))
    periods: list[date] = []
    for _ in range(12):
        if created is not None and first < _month_start(created.date()):
            break
        periods.append(first)
        first = _previous_month(first)
    periods.reverse()
    void_at = rng.randrange(len(periods) - 1) if tenant.size == "large" and len(periods) > 2 else -1
    for sequence, start in enumerate(periods, start=1):
        end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        lines = [plan, *_usage_lines(db, tenant.id, start, end)]
        issued = datetime(end.year, end.month, end.day, 20, 30) + timedelta(days=1)
        latest = sequence == len(periods)
        status = "open" if latest else "void" if sequence - 1 == void_at else "paid"
        writer.add(
            tenant.id,
            invoice_number(tenant.id, sequence),
            issued,
            (start, end),
            status,
            bill_to,
            lines,
        )


def seed_demo(db: Database, rng: random.Random, tenants: list[SeedTenant]) -> None:
    writer = _InvoiceWriter(db)
    for tenant in tenants:
        if not is_fresh(db, tenant.id):
            _seed_monthly(db, rng, tenant, writer)
    writer.flush()


LARGE_INVOICES = 2000


def seed_large(db: Database, rng: random.Random, tenant: SeedTenant) -> None:
    """2,000 daily usage invoices in one tenant (benchmarks page and sort through them)."""
    writer = _InvoiceWriter(db)
    bill_to = _bill_to(db, tenant)
    today = now().date()
    for index in range(LARGE_INVOICES):
        day = today - timedelta(days=LARGE_INVOICES - index)
        lines = [
            ("Voice minutes (60-second pulses)", rng.randint(200, 5000), UNIT_PRICE_MINOR["call"]),
        ]
        if rng.random() < 0.3:
            lines.append(
                ("File extraction pages", rng.randint(10, 400), UNIT_PRICE_MINOR["file_extraction"])
            )
        recent = index >= LARGE_INVOICES - 10
        status = "open" if recent else "void" if rng.random() < 0.01 else "paid"
        issued = datetime(day.year, day.month, day.day, 23, 30)
        writer.add(
            tenant.id,
            invoice_number(tenant.id, index + 1),
            issued,
            (day, day),
            status,
            bill_to,
            lines,
        )
    writer.flush()
