"""GST arithmetic, GSTIN validation and the CGST/SGST/UTGST/IGST split (pure functions)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callaro_sandbox.gst import (
    GST_RATE_BP,
    format_inr,
    gst_on,
    gstin_check_char,
    gstin_error,
    is_valid_gstin,
    make_gstin,
    normalize_gstin,
    round_div,
    split_inclusive,
    tax_lines_for,
    tax_regime,
    total_tax,
)

SELLER_KA = make_gstin("29", "AAKCC4821F")  # Karnataka


# --- money math -----------------------------------------------------------------------


def test_gst_on_rounds_half_up_to_the_paisa() -> None:
    assert gst_on(100_00) == 18_00
    assert gst_on(1) == 0  # 0.18 paise
    assert gst_on(3) == 1  # 0.54 paise rounds up
    assert gst_on(25) == 5  # 4.5 paise: half rounds away from zero
    assert gst_on(1_000_000_00) == 180_000_00


def test_round_div_is_symmetric_for_negatives() -> None:
    assert round_div(5, 10) == 1
    assert round_div(-5, 10) == -1
    assert round_div(4, 10) == 0
    with pytest.raises(ValueError):
        round_div(1, 0)


def test_split_inclusive_examples() -> None:
    assert split_inclusive(118_00) == (100_00, 18_00)
    assert split_inclusive(0) == (0, 0)
    net, gst = split_inclusive(1_00)
    assert (net, gst) == (85, 15)


@given(st.integers(min_value=0, max_value=10**12))
def test_split_inclusive_parts_add_up_and_match_forward_gst(gross: int) -> None:
    net, gst = split_inclusive(gross)
    assert net + gst == gross
    # Adding GST back on the net never misses the gross by more than a paisa.
    assert abs(net + gst_on(net) - gross) <= 1


# --- GSTIN ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "gstin",
    [
        "27AAPFU0939F1ZV",  # the example on the GST portal's own help pages
        "29AAGCB7383J1Z4",
        SELLER_KA,
        make_gstin("07", "AAACR5055K"),
        make_gstin("38", "ABCDE1234F", "2"),
    ],
)
def test_valid_gstins(gstin: str) -> None:
    assert gstin_error(gstin) is None
    assert is_valid_gstin(gstin)


@pytest.mark.parametrize(
    ("gstin", "reason"),
    [
        ("27AAPFU0939F1ZW", "check digit"),  # last char altered
        ("27AAPFU0939F1Z", "15 characters"),
        ("27AAPFU0939F1ZV1", "15 characters"),
        ("27AAPFU0939F0ZV", "format"),  # entity number 0 is not allowed
        ("27AAPFU0939F1XV", "format"),  # 14th must be Z
        ("2AAAPFU0939F1ZV", "format"),
        ("27aapfu0939f1zv", "format"),  # callers normalize first
        ("00AAPFU0939F1ZV", "state code"),
        ("40AAPFU0939F1ZV", "state code"),
    ],
)
def test_invalid_gstins(gstin: str, reason: str) -> None:
    error = gstin_error(gstin)
    assert error is not None
    assert reason in error


def test_transposed_characters_are_caught() -> None:
    good = "27AAPFU0939F1ZV"
    swapped = good[:7] + good[8] + good[7] + good[9:]  # "09" -> "90"
    assert not is_valid_gstin(swapped)


def test_normalize_gstin() -> None:
    assert normalize_gstin(" 27aapfu0939f1zv ") == "27AAPFU0939F1ZV"
    assert normalize_gstin("27-AAPFU-0939F-1ZV") == "27AAPFU0939F1ZV"


@given(
    st.sampled_from(["01", "07", "27", "29", "33", "36", "37", "38"]),
    st.from_regex(r"[A-Z]{5}[0-9]{4}[A-Z]", fullmatch=True),
    st.sampled_from(list("123456789ABC")),
)
def test_make_gstin_always_validates(state: str, pan: str, entity: str) -> None:
    gstin = make_gstin(state, pan, entity)
    assert is_valid_gstin(gstin)
    assert gstin_check_char(gstin[:14]) == gstin[14]


# --- tax heads ------------------------------------------------------------------------


def test_regimes() -> None:
    assert tax_regime("29", "29") == "intra_state"
    assert tax_regime("29", "27") == "inter_state"
    assert tax_regime("04", "04") == "union_territory"  # Chandigarh
    assert tax_regime("07", "07") == "intra_state"  # Delhi has a legislature: SGST
    assert tax_regime("29", None) == "intra_state"  # unregistered buyer


def test_intra_state_is_cgst_plus_sgst() -> None:
    buyer = make_gstin("29", "ABCDE1234F")
    lines = tax_lines_for(10_000_00, SELLER_KA, buyer)
    assert [(t.label, t.rate_bp, t.amount_minor) for t in lines] == [
        ("CGST", 900, 900_00),
        ("SGST", 900, 900_00),
    ]
    assert total_tax(lines) == gst_on(10_000_00)


def test_union_territory_is_cgst_plus_utgst() -> None:
    seller = make_gstin("04", "AAKCC4821F")  # Chandigarh
    buyer = make_gstin("04", "ABCDE1234F")
    lines = tax_lines_for(2_500_00, seller, buyer)
    assert [(t.label, t.rate) for t in lines] == [("CGST", 0.09), ("UTGST", 0.09)]
    assert total_tax(lines) == 450_00


def test_inter_state_is_igst() -> None:
    lines = tax_lines_for(1_234_56, SELLER_KA, "27AAPFU0939F1ZV")
    assert [(t.label, t.rate_bp) for t in lines] == [("IGST", GST_RATE_BP)]
    assert lines[0].amount_minor == gst_on(1_234_56) == 222_22


def test_intra_state_halves_are_equal_even_for_odd_paise() -> None:
    buyer = make_gstin("29", "ABCDE1234F")
    lines = tax_lines_for(1_01, SELLER_KA, buyer)  # 9% of 101 paise = 9.09
    assert lines[0].amount_minor == lines[1].amount_minor == 9


def test_seller_without_state_is_an_error() -> None:
    with pytest.raises(ValueError):
        tax_lines_for(100, "", None)


def test_format_inr_uses_indian_grouping() -> None:
    assert format_inr(12_345_678) == "₹1,23,456.78"
    assert format_inr(99) == "₹0.99"
    assert format_inr(1_000_00) == "₹1,000.00"
    assert format_inr(10_00_000_00) == "₹10,00,000.00"
    assert format_inr(-5_00, symbol="Rs. ") == "-Rs. 5.00"
