"""E.164 checks: what people type, what they paste, and what the server would refuse."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callaro_desktop.services.e164 import (
    MAX_LABEL,
    Problem,
    is_valid,
    normalize,
    parse_lines,
    problem,
)

# The sandbox's rule (callaro_sandbox/phone_numbers.py); the console must never be looser.
SERVER_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("+918047123456", "+918047123456"),
        ("  +91 80 4712 3456 ", "+918047123456"),
        ("+1 (415) 555-0123", "+14155550123"),
        ("+44 20.7946.0123", "+442079460123"),
        ("0044 20 7946 0123", "+442079460123"),
        ("+91\u00a080\u20114712\u00a03456", "+918047123456"),
    ],
)
def test_normalize_drops_what_people_put_between_digits(typed: str, expected: str) -> None:
    assert normalize(typed) == expected
    assert is_valid(typed)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("", Problem.EMPTY),
        ("   ", Problem.EMPTY),
        ("918047123456", Problem.NO_PLUS),
        ("08047123456", Problem.NO_PLUS),
        ("+0918047123456", Problem.LEADING_ZERO),
        ("+91 80 47", Problem.TOO_SHORT),
        ("+1234567890123456", Problem.TOO_LONG),
        ("+1 800 FLOWERS", Problem.BAD_CHARACTER),
        ("+91 80 4712 345x", Problem.BAD_CHARACTER),
        ("+٩١٨٠٤٧١٢٣٤٥٦", Problem.BAD_CHARACTER),  # Arabic-Indic digits are not E.164
        ("++918047123456", Problem.BAD_CHARACTER),
    ],
)
def test_problem_names_what_is_wrong(typed: str, expected: Problem) -> None:
    assert problem(typed) is expected
    assert not is_valid(typed)


def test_length_limits_are_the_servers() -> None:
    assert problem("+1234567") is None  # 7 digits
    assert problem("+123456") is Problem.TOO_SHORT
    assert problem("+123456789012345") is None  # 15 digits
    assert problem("+1234567890123456") is Problem.TOO_LONG


@given(st.text(alphabet="+0123456789 -()", max_size=24))
def test_accepted_numbers_are_accepted_by_the_server(typed: str) -> None:
    if is_valid(typed):
        assert SERVER_E164.match(normalize(typed))


@given(st.from_regex(SERVER_E164, fullmatch=True))
def test_numbers_the_server_accepts_are_accepted_here(number: str) -> None:
    assert is_valid(number)


def test_parse_lines_reads_labels_skips_blanks_and_points_at_duplicates() -> None:
    text = "\n".join(
        [
            "+91 80 4712 3456, Main line",
            "",
            "+14155550123\tSales desk",
            "0091 8047123456; again",
            "+44 20",
            "+61 2 5550 1234 ,  ",
            "+65 6653 1234, " + "x" * (MAX_LABEL + 1),
        ]
    )
    entries = parse_lines(text)
    assert [e.line for e in entries] == [1, 3, 4, 5, 6, 7]
    first, sales, dup, short, no_label, long_label = entries
    assert (first.e164, first.label, first.ok) == ("+918047123456", "Main line", True)
    assert (sales.e164, sales.label) == ("+14155550123", "Sales desk")
    assert dup.problem is Problem.DUPLICATE and dup.duplicate_of == 1
    assert short.problem is Problem.TOO_SHORT
    assert no_label.ok and no_label.label is None and no_label.e164 == "+61255501234"
    assert long_label.problem is Problem.LABEL_TOO_LONG


def test_parse_lines_takes_a_list_of_lines_too() -> None:
    entries = parse_lines(["+918047123456", "8047123456"])
    assert [e.ok for e in entries] == [True, False]
    assert entries[1].problem is Problem.NO_PLUS
