"""Invoices: list/filter/sort, GST tax heads per place of supply, and the PDF tax invoice."""

from __future__ import annotations

import re
import zlib
from datetime import date

import pytest

from callaro_sandbox.gst import make_gstin, tax_lines_for, total_tax
from callaro_sandbox.invoices import SELLER_GSTIN
from callaro_sandbox.pdf import (
    InvoiceDocument,
    PdfLine,
    PdfParty,
    PdfTaxLine,
    amount_in_words,
    find_unicode_font,
    render_invoice_pdf,
)

pytestmark = pytest.mark.anyio

ADMIN = "admin@demo.callaro.test"
MULTI = "multi@demo.callaro.test"
OPERATOR = "operator@demo.callaro.test"


def pdf_text(content: bytes) -> str:
    """The text drawn by core-font content streams (Latin-1 literals inside Tj/TJ)."""
    chunks = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S):
        try:
            chunks.append(zlib.decompress(stream).decode("latin-1"))
        except zlib.error:
            chunks.append(stream.decode("latin-1"))
    # PDF string literals escape parentheses and backslashes.
    return "\n".join(chunks).replace("\\(", "(").replace("\\)", ")").replace("\\\\", "\\")


async def test_list_filter_sort_and_paging(client, login, db, tenants):
    s = await login(ADMIN)
    res = await client.get("/api/v1/invoices", headers=s.headers())
    assert res.status_code == 200, res.text
    body = res.json()
    acme = tenants["Acme Health"]
    assert body["meta"]["count"] == db.scalar(
        "SELECT COUNT(*) FROM invoices WHERE tenant_id = ?", (acme,)
    )
    assert body["meta"]["count"] >= 6
    first = body["data"][0]
    assert set(first) >= {
        "id",
        "number",
        "issued_at",
        "period_start",
        "period_end",
        "subtotal",
        "tax",
        "total",
        "status",
    }
    issued = [i["issued_at"] for i in body["data"]]
    assert issued == sorted(issued, reverse=True)
    assert first["status"] == "open"  # the latest month is still unpaid
    for invoice in body["data"]:
        assert (
            invoice["total"]["amount_minor"]
            == invoice["subtotal"]["amount_minor"] + invoice["tax"]["amount_minor"]
        )

    paid = (
        await client.get("/api/v1/invoices?status=paid&sort=total&per_page=3", headers=s.headers())
    ).json()
    assert {i["status"] for i in paid["data"]} == {"paid"}
    totals = [i["total"]["amount_minor"] for i in paid["data"]]
    assert totals == sorted(totals) and len(totals) == 3
    assert paid["meta"]["pages"] == -(-paid["meta"]["count"] // 3)
    bad = await client.get("/api/v1/invoices?status=draft", headers=s.headers())
    assert bad.status_code == 422 and "status" in bad.json()["errors"]
    assert (
        await client.get("/api/v1/invoices", headers=(await login(OPERATOR)).headers())
    ).status_code == 403


async def test_intra_state_invoice_has_cgst_and_sgst(client, login):
    s = await login(ADMIN)  # Acme bills from Karnataka, like the seller
    listed = (
        await client.get("/api/v1/invoices?status=paid&per_page=1", headers=s.headers())
    ).json()
    detail = (
        await client.get(f"/api/v1/invoices/{listed['data'][0]['id']}", headers=s.headers())
    ).json()["data"]
    assert detail["seller"]["gstin"] == SELLER_GSTIN
    assert detail["bill_to"]["gstin"][:2] == "29"
    assert set(detail["bill_to"]) >= {"name", "address", "email", "gstin"}
    assert detail["reverse_charge"] is False
    labels = [(t["label"], t["rate"]) for t in detail["tax_lines"]]
    assert labels == [("CGST", 0.09), ("SGST", 0.09)]
    assert (
        sum(t["amount"]["amount_minor"] for t in detail["tax_lines"])
        == detail["tax"]["amount_minor"]
    )
    subtotal = sum(line["amount"]["amount_minor"] for line in detail["lines"])
    assert subtotal == detail["subtotal"]["amount_minor"]
    line = detail["lines"][0]
    assert set(line) >= {
        "description",
        "quantity",
        "unit_price",
        "tax_rate",
        "tax_amount",
        "amount",
    }
    assert line["tax_rate"] == 0.18
    assert line["amount"]["amount_minor"] == line["quantity"] * line["unit_price"]["amount_minor"]


async def test_inter_state_invoice_has_igst(client, login, tenants):
    s = await login(MULTI)  # Brightline is in Maharashtra
    headers = s.headers(tenants["Brightline Logistics"])
    listed = (await client.get("/api/v1/invoices?per_page=1", headers=headers)).json()
    detail = (
        await client.get(f"/api/v1/invoices/{listed['data'][0]['id']}", headers=headers)
    ).json()["data"]
    assert detail["bill_to"]["gstin"][:2] == "27"
    assert [(t["label"], t["rate"]) for t in detail["tax_lines"]] == [("IGST", 0.18)]
    assert detail["tax_lines"][0]["amount"] == detail["tax"]


async def test_union_territory_invoice_has_utgst(client, login, db, tenants):
    # A seller registered in Chandigarh billing a Chandigarh buyer: CGST + UTGST.
    s = await login(ADMIN)
    acme = tenants["Acme Health"]
    invoice_id = db.scalar("SELECT MIN(id) FROM invoices WHERE tenant_id = ?", (acme,))
    db.execute(
        "UPDATE invoices SET seller_gstin = ?, bill_to_gstin = ? WHERE id = ?",
        (make_gstin("04", "AAKCC4821F"), make_gstin("04", "ABCDE1234F"), invoice_id),
    )
    detail = (await client.get(f"/api/v1/invoices/{invoice_id}", headers=s.headers())).json()[
        "data"
    ]
    assert [t["label"] for t in detail["tax_lines"]] == ["CGST", "UTGST"]


async def test_invoices_are_tenant_scoped(client, login, db, tenants):
    s = await login(ADMIN)
    foreign = db.scalar(
        "SELECT MIN(id) FROM invoices WHERE tenant_id = ?", (tenants["Brightline Logistics"],)
    )
    for path in (
        f"/api/v1/invoices/{foreign}",
        f"/api/v1/invoices/{foreign}/pdf",
        "/api/v1/invoices/999999",
    ):
        res = await client.get(path, headers=s.headers())
        assert (res.status_code, res.json()["error_code"]) == (404, "INVOICE_NOT_FOUND")


async def test_invoice_pdf_is_a_real_tax_invoice(client, login):
    s = await login(ADMIN)
    listed = (await client.get("/api/v1/invoices?per_page=1", headers=s.headers())).json()["data"][
        0
    ]
    res = await client.get(f"/api/v1/invoices/{listed['id']}/pdf", headers=s.headers())
    assert res.status_code == 200
    assert res.headers["content-type"] == "application/pdf"
    assert listed["number"] in res.headers["content-disposition"]
    assert res.content.startswith(b"%PDF-")
    assert res.content.rstrip().endswith(b"%%EOF")
    # The document title carries the number whatever font path rendered the body.
    assert f"/Title (Tax invoice {listed['number']})".encode() in res.content


def _doc(buyer_name: str = "Acme Health Private Limited") -> InvoiceDocument:
    buyer_gstin = make_gstin("27", "ABCDE1234F")
    lines = [
        PdfLine("Voice minutes (60-second pulses)", 1234, 4_50, 1234 * 4_50, "998319"),
        PdfLine("Callaro Pro plan (monthly)", 1, 4_999_00, 4_999_00, "998319"),
    ]
    subtotal = sum(line.amount_minor for line in lines)
    taxes = tax_lines_for(subtotal, SELLER_GSTIN, buyer_gstin)
    return InvoiceDocument(
        number="CAL-0001-000042",
        issued_on=date(2025, 5, 1),
        due_on=date(2025, 5, 16),
        period_start=date(2025, 4, 1),
        period_end=date(2025, 4, 30),
        status="paid",
        seller=PdfParty("Callaro AI Private Limited", "Bengaluru", None, SELLER_GSTIN),
        bill_to=PdfParty(buyer_name, "Mumbai — “Lower Parel”", "a@b.in", buyer_gstin),
        lines=lines,
        tax_lines=[PdfTaxLine(t.label, t.rate_bp, t.amount_minor) for t in taxes],
        subtotal_minor=subtotal,
        tax_minor=total_tax(taxes),
        total_minor=subtotal + total_tax(taxes),
    )


def test_core_font_pdf_contains_the_invoice_facts():
    doc = _doc("शर्मा Traders ₹")  # not Latin-1: must degrade, never crash
    content = render_invoice_pdf(doc, unicode_font=False)
    assert content.startswith(b"%PDF-")
    text = pdf_text(content)
    for needle in (
        "TAX INVOICE",
        "CAL-0001-000042",
        SELLER_GSTIN,
        doc.bill_to.gstin,
        "IGST @ 18%",
        "Rs. 10,552.00",  # 1234 x 4.50 + 4,999.00 taxable value
        "Rs. 1,899.36",
        "Rs. 12,451.36",
        "Traders Rs.",
        "Place of supply: Maharashtra (27)",
    ):
        assert needle in text, needle
    assert "Twelve Thousand Four Hundred Fifty-One and Thirty-Six Paise" in text


def test_unicode_font_pdf_renders_rupee_sign_and_any_name():
    if find_unicode_font() is None:
        pytest.skip("DejaVu Sans is not installed")
    content = render_invoice_pdf(_doc("शर्मा Traders ₹ 😀"), unicode_font=True)
    assert content.startswith(b"%PDF-")
    assert b"DejaVu" in content  # the embedded subset font
    # Same invoice, same bytes: the creation date is the invoice date, not the clock.
    assert content == render_invoice_pdf(_doc("शर्मा Traders ₹ 😀"), unicode_font=True)


def test_amount_in_words_uses_lakh_and_crore():
    assert amount_in_words(1_00) == "Rupees One Only"
    assert amount_in_words(12_34_56_789_05) == (
        "Rupees Twelve Crore Thirty-Four Lakh Fifty-Six Thousand Seven Hundred Eighty-Nine"
        " and Five Paise Only"
    )
    assert amount_in_words(0) == "Rupees Zero Only"
