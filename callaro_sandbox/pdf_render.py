"""Draw an `InvoiceDocument` (pdf.py) as PDF bytes with fpdf2: imported only when the first
invoice is drawn (see `pdf.render_invoice_pdf`)."""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import Align, TableBordersLayout, XPos, YPos

from callaro_sandbox.gst import STATE_NAMES, format_inr, state_code_of
from callaro_sandbox.pdf import InvoiceDocument, PdfParty, amount_in_words, find_unicode_font

# Punctuation that word processors love and Latin-1 lacks; mapped before the lossy encode so
# a pasted address reads naturally on the core-font path.
_ASCII_FALLBACKS = str.maketrans(
    {
        "₹": "Rs.",
        "–": "-",
        "—": "-",
        "‘": "'",
        "’": "'",
        "“": '"',
        "”": '"',
        "…": "...",
        "•": "*",
        "\u00a0": " ",
    }
)


class _InvoicePdf(FPDF):
    """FPDF with one text() choke point so every string passes the font's encoding rules."""

    def __init__(self, unicode_font: tuple[Path, Path | None] | None) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.unicode = unicode_font is not None
        if unicode_font is not None:
            regular, bold = unicode_font
            self.add_font("body", "", str(regular))
            self.add_font("body", "B", str(bold or regular))
            self.family_name = "body"
        else:
            self.family_name = "helvetica"
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(15, 15, 15)
        self.footer_text = ""

    def clean(self, text: str) -> str:
        if self.unicode:
            return text
        return text.translate(_ASCII_FALLBACKS).encode("latin-1", "replace").decode("latin-1")

    def para(self, width: float, height: float, text: str) -> None:
        """Left-aligned wrapped text: justified addresses look like ransom notes."""
        self.multi_cell(
            width, height, self.clean(text), align=Align.L, new_x=XPos.LEFT, new_y=YPos.NEXT
        )

    def money(self, amount_minor: int) -> str:
        return format_inr(amount_minor, symbol="₹" if self.unicode else "Rs. ")

    def font(self, size: float, *, bold: bool = False) -> None:
        self.set_font(self.family_name, "B" if bold else "", size)

    def footer(self) -> None:
        self.set_y(-14)
        self.font(7.5)
        self.set_text_color(110, 110, 110)
        self.cell(0, 5, self.clean(self.footer_text), align=Align.L)
        self.cell(0, 5, f"Page {self.page_no()}/{{nb}}", align=Align.R)
        self.set_text_color(0, 0, 0)


def render(doc: InvoiceDocument, *, unicode_font: bool | None = None) -> bytes:
    """The invoice as PDF bytes (see `pdf.render_invoice_pdf`)."""
    font_files = find_unicode_font() if unicode_font is not False else None
    if unicode_font and font_files is None:
        raise FileNotFoundError("DejaVu Sans is not installed")
    pdf = _InvoicePdf(font_files)
    pdf.set_title(f"Tax invoice {doc.number}")
    pdf.set_author(doc.seller.name)
    pdf.set_subject(f"Invoice {doc.number} for {doc.bill_to.name}")
    pdf.set_creator("Callaro sandbox")
    # Dated by the invoice, not the clock: the same invoice always renders the same bytes.
    pdf.set_creation_date(datetime.combine(doc.issued_on, time(), tzinfo=UTC))
    pdf.footer_text = (
        f"This is a computer-generated invoice and does not require a signature. {doc.seller.name}"
    )
    pdf.alias_nb_pages()
    pdf.add_page()

    _header(pdf, doc)
    _parties(pdf, doc)
    _lines_table(pdf, doc)
    _totals(pdf, doc)
    return bytes(pdf.output())


def _header(pdf: _InvoicePdf, doc: InvoiceDocument) -> None:
    pdf.font(18, bold=True)
    pdf.cell(100, 10, "TAX INVOICE", new_x=XPos.RIGHT, new_y=YPos.TOP)
    pdf.font(9)
    meta = [
        ("Invoice no.", doc.number),
        ("Invoice date", doc.issued_on.strftime("%d %b %Y")),
        ("Billing period", f"{doc.period_start:%d %b %Y} - {doc.period_end:%d %b %Y}"),
    ]
    if doc.due_on is not None:
        meta.append(("Due date", doc.due_on.strftime("%d %b %Y")))
    meta.append(("Status", doc.status.upper()))
    meta.append(("Reverse charge", "Yes" if doc.reverse_charge else "No"))
    x = pdf.get_x()
    for label, value in meta:
        pdf.set_x(x)
        pdf.font(9)
        pdf.cell(30, 5, label, new_x=XPos.RIGHT, new_y=YPos.TOP)
        pdf.font(9, bold=True)
        pdf.cell(0, 5, pdf.clean(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)


def _party_block(pdf: _InvoicePdf, x: float, y: float, title: str, party: PdfParty) -> float:
    width = 85.0
    pdf.set_xy(x, y)
    pdf.font(8, bold=True)
    pdf.set_text_color(90, 90, 90)
    pdf.cell(width, 5, title.upper(), new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)
    pdf.font(10, bold=True)
    pdf.para(width, 5, party.name)
    pdf.font(9)
    for text in (party.address, party.email, f"GSTIN: {party.gstin or 'Unregistered'}"):
        if text:
            pdf.para(width, 4.5, text)
    state = state_code_of(party.gstin)
    if state is not None:
        pdf.para(width, 4.5, f"State: {STATE_NAMES[state]} ({state})")
    return pdf.get_y()


def _parties(pdf: _InvoicePdf, doc: InvoiceDocument) -> None:
    top = pdf.get_y()
    left_bottom = _party_block(pdf, pdf.l_margin, top, "Seller", doc.seller)
    right_bottom = _party_block(pdf, pdf.l_margin + 95, top, "Bill to", doc.bill_to)
    pdf.set_xy(pdf.l_margin, max(left_bottom, right_bottom) + 3)
    buyer_state = state_code_of(doc.bill_to.gstin) or state_code_of(doc.seller.gstin)
    if buyer_state is not None:
        pdf.font(9)
        pdf.cell(
            0,
            5,
            pdf.clean(f"Place of supply: {STATE_NAMES[buyer_state]} ({buyer_state})"),
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
    pdf.ln(3)


def _lines_table(pdf: _InvoicePdf, doc: InvoiceDocument) -> None:
    pdf.font(9)
    with pdf.table(
        col_widths=(8, 80, 18, 16, 29, 29),
        text_align=("CENTER", "LEFT", "CENTER", "RIGHT", "RIGHT", "RIGHT"),
        borders_layout=TableBordersLayout.HORIZONTAL_LINES,
        line_height=6,
        first_row_as_headings=True,
    ) as table:
        header = table.row()
        for title in ("#", "Description", "SAC", "Qty", "Unit price", "Taxable value"):
            header.cell(title)
        for index, line in enumerate(doc.lines, start=1):
            row = table.row()
            row.cell(str(index))
            row.cell(pdf.clean(line.description))
            row.cell(line.sac)
            row.cell(f"{line.quantity:,}")
            row.cell(pdf.money(line.unit_price_minor))
            row.cell(pdf.money(line.amount_minor))
    pdf.ln(3)


def _totals(pdf: _InvoicePdf, doc: InvoiceDocument) -> None:
    label_w, value_w = 50.0, 35.0
    x = pdf.w - pdf.r_margin - label_w - value_w
    rows: list[tuple[str, str, bool]] = [("Taxable value", pdf.money(doc.subtotal_minor), False)]
    for tax in doc.tax_lines:
        rate = f"{tax.rate_bp / 100:g}%"
        rows.append((f"{tax.label} @ {rate}", pdf.money(tax.amount_minor), False))
    rows.append(("Total tax", pdf.money(doc.tax_minor), False))
    rows.append(("Invoice total", pdf.money(doc.total_minor), True))
    for label, value, strong in rows:
        pdf.set_x(x)
        pdf.font(10 if strong else 9, bold=strong)
        pdf.cell(label_w, 6, label, new_x=XPos.RIGHT, new_y=YPos.TOP)
        pdf.cell(value_w, 6, value, align=Align.R, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    pdf.font(9)
    pdf.para(0, 5, f"Amount in words: {amount_in_words(doc.total_minor)}")
    if doc.reverse_charge:
        pdf.para(0, 5, "Tax on this invoice is payable by the recipient (reverse charge).")
    for note in doc.notes:
        pdf.para(0, 5, note)
