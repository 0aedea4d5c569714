"""A GST tax invoice's content, and `render_invoice_pdf` to draw it as PDF bytes with fpdf2.

Kept free of database and HTTP code: invoices.py builds an `InvoiceDocument` and this
module only draws it. Two font paths exist because the sandbox runs on machines we do not
control: with DejaVu Sans available the rupee sign and any Unicode customer name print as
typed; without it we fall back to a core PDF font (Latin-1 only), write "Rs." and replace
what cannot be encoded, so a customer named in Devanagari can never make the endpoint 500.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

_FONT_ENV = "CALLARO_SANDBOX_PDF_FONT_DIR"
_FONT_DIRS = (
    Path(__file__).resolve().parent / "fonts",
    Path(__file__).resolve().parents[1] / "resources" / "fonts",
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),
    Path("/usr/local/share/fonts"),
    Path("/Library/Fonts"),
    Path("C:/Windows/Fonts"),
)


@dataclass(frozen=True, slots=True)
class PdfParty:
    name: str
    address: str | None = None
    email: str | None = None
    gstin: str | None = None


@dataclass(frozen=True, slots=True)
class PdfLine:
    description: str
    quantity: int
    unit_price_minor: int
    amount_minor: int
    sac: str


@dataclass(frozen=True, slots=True)
class PdfTaxLine:
    label: str
    rate_bp: int
    amount_minor: int


@dataclass(frozen=True, slots=True)
class InvoiceDocument:
    number: str
    issued_on: date
    due_on: date | None
    period_start: date
    period_end: date
    status: str
    seller: PdfParty
    bill_to: PdfParty
    lines: list[PdfLine]
    tax_lines: list[PdfTaxLine]
    subtotal_minor: int
    tax_minor: int
    total_minor: int
    reverse_charge: bool = False
    notes: list[str] = field(default_factory=list)


def find_unicode_font() -> tuple[Path, Path | None] | None:
    """(regular, bold) DejaVu Sans files, or None when no usable copy is installed."""
    dirs = list(_FONT_DIRS)
    override = os.environ.get(_FONT_ENV)
    if override:
        dirs.insert(0, Path(override))
    for folder in dirs:
        regular = folder / "DejaVuSans.ttf"
        if regular.is_file():
            bold = folder / "DejaVuSans-Bold.ttf"
            return regular, bold if bold.is_file() else None
    return None


def amount_in_words(amount_minor: int) -> str:
    """Indian-system words for an invoice total: 123456789 → 'Twelve Lakh Thirty-Four ...'."""
    rupees, paise = divmod(abs(amount_minor), 100)
    words = f"Rupees {_indian_words(rupees)}"
    if paise:
        words += f" and {_indian_words(paise)} Paise"
    return words + " Only"


_ONES = [
    "Zero",
    "One",
    "Two",
    "Three",
    "Four",
    "Five",
    "Six",
    "Seven",
    "Eight",
    "Nine",
    "Ten",
    "Eleven",
    "Twelve",
    "Thirteen",
    "Fourteen",
    "Fifteen",
    "Sixteen",
    "Seventeen",
    "Eighteen",
    "Nineteen",
]
_TENS = ["_", "_", "Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety"]


def _below_hundred(n: int) -> str:
    if n < 20:
        return _ONES[n]
    tens, ones = divmod(n, 10)
    return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")


def _below_thousand(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    parts = [f"{_ONES[hundreds]} Hundred"] if hundreds else []
    if rest:
        parts.append(_below_hundred(rest))
    return " ".join(parts)


def _indian_words(n: int) -> str:
    if n == 0:
        return "Zero"
    parts: list[str] = []
    crores, n = divmod(n, 10_000_000)
    if crores:
        parts.append(f"{_indian_words(crores)} Crore")
    lakhs, n = divmod(n, 100_000)
    if lakhs:
        parts.append(f"{_below_hundred(lakhs)} Lakh")
    thousands, n = divmod(n, 1000)
    if thousands:
        parts.append(f"{_below_hundred(thousands)} Thousand")
    if n:
        parts.append(_below_thousand(n))
    return " ".join(parts)


def render_invoice_pdf(doc: InvoiceDocument, *, unicode_font: bool | None = None) -> bytes:
    """The invoice as PDF bytes. `unicode_font=False` forces the core-font path (tests)."""
    # fpdf2 (with fontTools) took ~0.3 s to import, a third of the server's start, for a
    # request few sessions make: imported when the first invoice is drawn.
    from callaro_sandbox.pdf_render import render

    return render(doc, unicode_font=unicode_font)
