"""GSTIN, India's 15-character GST registration number: read what people type, say what is wrong.

Qt-free so it can be tested alone. Problems are codes with the 1-based position of the
first bad character, not sentences: the view words them through its translator. The rules
are the GST Network's, the same the server applies, so a GSTIN accepted here is not refused
there for its shape:

    27 AAPFU0939F 1 Z V
    |  |          | | `- check character: Luhn mod 36 over the first 14
    |  |          | `--- always Z
    |  |          `----- entity number for this PAN in this state (1-9, then A-Z)
    |  `---------------- the holder's PAN: 5 letters, 4 digits, 1 letter
    `------------------- GST state code

`check(text, partial=True)` judges only what has been typed so far, so a form can flag a
wrong character the moment it is typed without calling a half-typed number "too short".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

LENGTH = 15
CHARSET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# GST state codes as printed on GSTINs (CBIC list). 25 stays valid for GSTINs issued before
# the 2020 Daman/Dadra merger; 97 and 99 are special jurisdictions.
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


class Problem(StrEnum):
    EMPTY = "empty"
    BAD_CHARACTER = "bad_character"  # not a letter or digit at all
    STATE_DIGIT = "state_digit"  # positions 1-2 must be digits
    UNKNOWN_STATE = "unknown_state"
    PAN_LETTER = "pan_letter"  # positions 3-7 and 12 must be letters
    PAN_DIGIT = "pan_digit"  # positions 8-11 must be digits
    ENTITY = "entity"  # position 13: 1-9 or A-Z
    NOT_Z = "not_z"  # position 14
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    CHECKSUM = "checksum"


@dataclass(frozen=True)
class Finding:
    problem: Problem
    position: int | None = None  # 1-based, in the normalized text
    expected: str | None = None  # for CHECKSUM: the check character the first 14 call for


_PAN_LETTERS = frozenset({2, 3, 4, 5, 6, 11})
_PAN_DIGITS = frozenset({7, 8, 9, 10})


def normalize(text: str) -> str:
    """Upper-case, without the spaces and hyphens people paste from letterheads."""
    return re.sub(r"[\s\-\u2010-\u2015]", "", text).upper()


def check_character(first14: str) -> str:
    """The check character for the first 14 characters (Luhn mod 36)."""
    if len(first14) < LENGTH - 1 or any(c not in CHARSET for c in first14[: LENGTH - 1]):
        raise ValueError("need the first 14 characters of a GSTIN, letters and digits only")
    total = 0
    for index, char in enumerate(first14[: LENGTH - 1]):
        product = CHARSET.index(char) * (2 if index % 2 else 1)
        total += product // 36 + product % 36
    return CHARSET[(36 - total % 36) % 36]


def _shape(index: int, char: str) -> Problem | None:
    if char not in CHARSET:
        return Problem.BAD_CHARACTER
    if index < 2:
        return None if char.isdigit() else Problem.STATE_DIGIT
    if index in _PAN_LETTERS:
        return None if char.isalpha() else Problem.PAN_LETTER
    if index in _PAN_DIGITS:
        return None if char.isdigit() else Problem.PAN_DIGIT
    if index == 12:
        return None if char != "0" else Problem.ENTITY
    if index == 13:
        return None if char == "Z" else Problem.NOT_Z
    return None  # the check character may be any letter or digit


def check(text: str, *, partial: bool = False) -> Finding | None:
    """What is wrong with `text` as a GSTIN, or None when it is one.

    With `partial`, an incomplete GSTIN whose characters so far are right is not a problem.
    """
    gstin = normalize(text)
    if not gstin:
        return None if partial else Finding(Problem.EMPTY)
    for index, char in enumerate(gstin[:LENGTH]):
        shape = _shape(index, char)
        if shape is not None:
            return Finding(shape, index + 1)
        if index == 1 and gstin[:2] not in STATE_NAMES:
            return Finding(Problem.UNKNOWN_STATE, 1)
    if len(gstin) > LENGTH:
        return Finding(Problem.TOO_LONG, LENGTH + 1)
    if len(gstin) < LENGTH:
        return None if partial else Finding(Problem.TOO_SHORT)
    expected = check_character(gstin)
    if gstin[-1] != expected:
        return Finding(Problem.CHECKSUM, LENGTH, expected)
    return None


def is_valid(text: str) -> bool:
    return check(text) is None


def state_name(text: str) -> str | None:
    """The state a GSTIN is registered in, read from its first two digits."""
    return STATE_NAMES.get(normalize(text)[:2])


def make(state_code: str, pan: str, entity: str = "1") -> str:
    """A valid GSTIN from its parts (tests, examples)."""
    body = f"{state_code}{pan.upper()}{entity}Z"
    return body + check_character(body)
