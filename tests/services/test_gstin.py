"""GSTIN checks: shape position by position, state codes, the Luhn mod-36 check character."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callaro_desktop.services import gstin
from callaro_desktop.services.gstin import Finding, Problem
from callaro_sandbox import gst as server_gst

# The GST portal's documentation example and two GSTINs from the sandbox's seeds.
VALID = ["27AAPFU0939F1ZV", "29AAKCC4821F1ZN", "29KPBCA5466F1ZI"]


@pytest.mark.parametrize("value", VALID)
def test_known_gstins_are_valid(value: str) -> None:
    assert gstin.check(value) is None
    assert gstin.is_valid(value)


def test_typing_noise_is_normalized() -> None:
    assert gstin.normalize(" 27aapfu0939f1zv ") == "27AAPFU0939F1ZV"
    assert gstin.normalize("27-AAPFU-0939F-1ZV") == "27AAPFU0939F1ZV"
    assert gstin.is_valid("27 aapfu 0939 f1zv")


@pytest.mark.parametrize(
    ("value", "finding"),
    [
        ("", Finding(Problem.EMPTY)),
        ("2X", Finding(Problem.STATE_DIGIT, 2)),
        ("00AAPFU0939F1ZV", Finding(Problem.UNKNOWN_STATE, 1)),
        ("27AAP1U0939F1ZV", Finding(Problem.PAN_LETTER, 6)),
        ("27AAPFU09X9F1ZV", Finding(Problem.PAN_DIGIT, 10)),
        ("27AAPFU093991ZV", Finding(Problem.PAN_LETTER, 12)),
        ("27AAPFU0939F0ZV", Finding(Problem.ENTITY, 13)),
        ("27AAPFU0939F1YV", Finding(Problem.NOT_Z, 14)),
        ("27AAPFU0939F1Z", Finding(Problem.TOO_SHORT)),
        ("27AAPFU0939F1ZVX", Finding(Problem.TOO_LONG, 16)),
        ("27AAPFU0939F1ZW", Finding(Problem.CHECKSUM, 15, "V")),
        ("27AAPFU0939F1Z#", Finding(Problem.BAD_CHARACTER, 15)),
    ],
)
def test_each_problem_names_its_position(value: str, finding: Finding) -> None:
    assert gstin.check(value) == finding


def test_partial_input_is_judged_only_on_what_was_typed() -> None:
    assert gstin.check("", partial=True) is None
    assert gstin.check("27AAPF", partial=True) is None
    assert gstin.check("27AAP1", partial=True) == Finding(Problem.PAN_LETTER, 6)
    assert gstin.check("99", partial=True) is None
    assert gstin.check("98", partial=True) == Finding(Problem.UNKNOWN_STATE, 1)
    # Complete input gets the checksum even in partial mode.
    assert gstin.check("27AAPFU0939F1ZW", partial=True) == Finding(Problem.CHECKSUM, 15, "V")


def test_state_names() -> None:
    assert gstin.state_name("29AAKCC4821F1ZN") == "Karnataka"
    assert gstin.state_name("07") == "Delhi"
    assert gstin.state_name("00") is None


def test_check_character_needs_fourteen_characters() -> None:
    with pytest.raises(ValueError):
        gstin.check_character("27AAPFU")
    with pytest.raises(ValueError):
        gstin.check_character("27AAPFU0939F1#")


_pan = st.tuples(
    st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=5, max_size=5),
    st.text("0123456789", min_size=4, max_size=4),
    st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
).map("".join)


@given(
    state=st.sampled_from(sorted(gstin.STATE_NAMES)),
    pan=_pan,
    entity=st.sampled_from("123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
)
def test_built_gstins_are_valid_and_agree_with_the_server(
    state: str, pan: str, entity: str
) -> None:
    value = gstin.make(state, pan, entity)
    assert gstin.is_valid(value)
    assert value == server_gst.make_gstin(state, pan, entity)


@given(st.text("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=15, max_size=15))
def test_client_and_server_agree_on_any_fifteen_characters(value: str) -> None:
    assert gstin.is_valid(value) == server_gst.is_valid_gstin(value)


@given(st.sampled_from(VALID), st.integers(0, 14), st.sampled_from(gstin.CHARSET))
def test_any_single_substitution_is_caught(value: str, index: int, char: str) -> None:
    changed = value[:index] + char + value[index + 1 :]
    if changed != value:
        assert not gstin.is_valid(changed)
