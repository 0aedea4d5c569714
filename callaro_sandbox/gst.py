"""Indian GST helpers: integer money math, GSTIN validation and the tax-line split.

Everything here is pure (no database, no FastAPI) so billing, invoices and the PDF share
one definition of "how much GST" and "which GST heads", and tests can hammer it directly.
Amounts are integer paise; rates are basis points so no float ever touches money.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

GST_RATE_BP = 1800  # 18% on SaaS and telecom services (SAC 9984/9983)
GST_RATE = GST_RATE_BP / 10_000  # only for display in JSON, never for arithmetic
BP_DENOMINATOR = 10_000

# SAC for "other information technology services n.e.c."; printed on invoice lines.
DEFAULT_SAC = "998319"

_GSTIN_CHARSET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# State code, PAN (5 letters, 4 digits, 1 letter), entity number, the fixed "Z", checksum.
_GSTIN_SHAPE = re.compile(r"^[0-9]{2}[A-Z]{5}[0-9]{4}[A-Z][1-9A-Z]Z[0-9A-Z]$")

# GST state codes as printed on GSTINs (CBIC list). 25 is kept because GSTINs issued before
# the 2020 Daman/Dadra merger are still valid; 97/99 are special jurisdictions.
STATE_NAMES: dict[str, str] = {
    "01": "Jammu and Kashmir",
    "02": "Himachal Pradesh",
    "03": "Punjab",
    "04": "Chandigarh",
    "05": "Uttarakhand",
    "06": "Haryana",
    "07": "Delhi",
    "08": "Rajasthan",
    "09": "Uttar Pradesh",
    "10": "Bihar",
    "11": "Sikkim",
    "12": "Arunachal Pradesh",
    "13": "Nagaland",
    "14": "Manipur",
    "15": "Mizoram",
    "16": "Tripura",
    "17": "Meghalaya",
    "18": "Assam",
    "19": "West Bengal",
    "20": "Jharkhand",
    "21": "Odisha",
    "22": "Chhattisgarh",
    "23": "Madhya Pradesh",
    "24": "Gujarat",
    "25": "Daman and Diu",
    "26": "Dadra and Nagar Haveli and Daman and Diu",
    "27": "Maharashtra",
    "28": "Andhra Pradesh (before reorganisation)",
    "29": "Karnataka",
    "30": "Goa",
    "31": "Lakshadweep",
    "32": "Kerala",
    "33": "Tamil Nadu",
    "34": "Puducherry",
    "35": "Andaman and Nicobar Islands",
    "36": "Telangana",
    "37": "Andhra Pradesh",
    "38": "Ladakh",
    "97": "Other Territory",
    "99": "Centre Jurisdiction",
}

# Union territories WITHOUT a legislature levy UTGST instead of SGST. Delhi, Puducherry and
# Jammu and Kashmir have legislatures, so the SGST Act (not UTGST) applies there.
UTGST_STATE_CODES = frozenset({"04", "25", "26", "31", "35", "38", "97"})

TaxRegime = Literal["intra_state", "union_territory", "inter_state"]


def round_div(numerator: int, denominator: int) -> int:
    """Integer division rounding half away from zero (how GST portals round paise)."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    quotient, remainder = divmod(abs(numerator), denominator)
    if remainder * 2 >= denominator:
        quotient += 1
    return quotient if numerator >= 0 else -quotient


def apply_rate(amount_minor: int, rate_bp: int) -> int:
    """`amount * rate`, rounded to the paisa."""
    return round_div(amount_minor * rate_bp, BP_DENOMINATOR)


def gst_on(amount_minor: int, rate_bp: int = GST_RATE_BP) -> int:
    """GST payable on a GST-exclusive amount."""
    return apply_rate(amount_minor, rate_bp)


def split_inclusive(gross_minor: int, rate_bp: int = GST_RATE_BP) -> tuple[int, int]:
    """Split a GST-inclusive amount into (net, gst) so that net + gst == gross exactly.

    net = gross / (1 + rate): the share of a GST-inclusive wallet that can actually be spent
    on GST-exclusive charges.
    """
    net = round_div(gross_minor * BP_DENOMINATOR, BP_DENOMINATOR + rate_bp)
    return net, gross_minor - net


# --- GSTIN -------------------------------------------------------------------------------


def normalize_gstin(raw: str) -> str:
    """Upper-case and drop the spaces/hyphens people paste from letterheads."""
    return re.sub(r"[\s-]", "", raw).upper()


def gstin_check_char(first14: str) -> str:
    """The GSTIN check character: a Luhn mod-36 over the first 14 characters."""
    if len(first14) < 14:
        raise ValueError("need the first 14 characters of a GSTIN")
    total = 0
    for index, char in enumerate(first14[:14]):
        value = _GSTIN_CHARSET.index(char)
        product = value * (2 if index % 2 else 1)
        total += product // 36 + product % 36
    return _GSTIN_CHARSET[(36 - total % 36) % 36]


def gstin_error(gstin: str) -> str | None:
    """Why `gstin` (already normalized) is not a valid GSTIN, or None when it is."""
    if len(gstin) != 15:
        return "GSTIN must be 15 characters"
    if not _GSTIN_SHAPE.match(gstin):
        return "GSTIN format is invalid (e.g. 27AAPFU0939F1ZV)"
    if gstin[:2] not in STATE_NAMES:
        return f"unknown GST state code {gstin[:2]}"
    if gstin_check_char(gstin) != gstin[14]:
        return "GSTIN check digit does not match"
    return None


def is_valid_gstin(gstin: str) -> bool:
    return gstin_error(gstin) is None


def make_gstin(state_code: str, pan: str, entity: str = "1") -> str:
    """Build a valid GSTIN (for seeds and tests) from a state code and a PAN."""
    body = f"{state_code}{pan}{entity}Z"
    return body + gstin_check_char(body)


def state_code_of(gstin: str | None) -> str | None:
    if gstin and len(gstin) >= 2 and gstin[:2] in STATE_NAMES:
        return gstin[:2]
    return None


# --- Which GST heads apply ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TaxLine:
    label: str
    rate_bp: int
    amount_minor: int

    @property
    def rate(self) -> float:
        return self.rate_bp / BP_DENOMINATOR


def tax_regime(seller_state: str, buyer_state: str | None) -> TaxRegime:
    """Place-of-supply rule for B2B services: same state → CGST + SGST/UTGST, else IGST.

    A buyer without a GSTIN (B2C) is billed as intra-state: the sandbox has no structured
    buyer address to derive another place of supply from.
    """
    place = buyer_state or seller_state
    if place != seller_state:
        return "inter_state"
    if place in UTGST_STATE_CODES:
        return "union_territory"
    return "intra_state"


def tax_lines_for(
    taxable_minor: int,
    seller_gstin: str,
    buyer_gstin: str | None,
    rate_bp: int = GST_RATE_BP,
) -> list[TaxLine]:
    """The tax heads printed on an invoice.

    Intra-state halves are computed separately (each rounded) because CGST and SGST are two
    distinct levies that are always equal on the invoice; the invoice total tax is their sum.
    """
    seller_state = state_code_of(seller_gstin)
    if seller_state is None:
        raise ValueError("seller GSTIN has no valid state code")
    regime = tax_regime(seller_state, state_code_of(buyer_gstin))
    if regime == "inter_state":
        return [TaxLine("IGST", rate_bp, apply_rate(taxable_minor, rate_bp))]
    half_bp = rate_bp // 2
    half = apply_rate(taxable_minor, half_bp)
    second = "UTGST" if regime == "union_territory" else "SGST"
    return [TaxLine("CGST", half_bp, half), TaxLine(second, rate_bp - half_bp, half)]


def total_tax(lines: list[TaxLine]) -> int:
    return sum(line.amount_minor for line in lines)


# --- Display --------------------------------------------------------------------------


def format_inr(amount_minor: int, *, symbol: str = "₹") -> str:
    """Indian digit grouping: 12345678 paise → ₹1,23,456.78."""
    sign = "-" if amount_minor < 0 else ""
    rupees, paise = divmod(abs(amount_minor), 100)
    digits = str(rupees)
    if len(digits) > 3:
        head, tail = digits[:-3], digits[-3:]
        groups: list[str] = []
        while len(head) > 2:
            groups.insert(0, head[-2:])
            head = head[:-2]
        if head:
            groups.insert(0, head)
        digits = ",".join([*groups, tail])
    return f"{sign}{symbol}{digits}.{paise:02d}"
