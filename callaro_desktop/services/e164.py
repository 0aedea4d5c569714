"""E.164 phone numbers: read what people type or paste, and say what is wrong with it.

Qt-free so it can be tested alone and reused by any view. Problems are returned as
codes, not sentences: the view words them (through its translator) and decides where
to show them. The rules match the server's (`+`, a country code that does not start
with 0, 7 to 15 digits in all), so a number accepted here is not refused there for its
shape; whether it is already taken only the server knows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

MIN_DIGITS = 7
MAX_DIGITS = 15
MAX_LABEL = 100

# What people put between digit groups: spaces (also non-breaking), dashes of any kind,
# dots, slashes and the brackets around an area code.
_SEPARATORS = re.compile(r"[\s\u00a0().\-\u2010-\u2015/]")
# A label follows the number after a comma, a semicolon or a tab (a spreadsheet paste).
_LABEL_SPLIT = re.compile(r"\s*[,;\t]\s*")


class Problem(StrEnum):
    EMPTY = "empty"
    NO_PLUS = "no_plus"
    BAD_CHARACTER = "bad_character"
    LEADING_ZERO = "leading_zero"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    LABEL_TOO_LONG = "label_too_long"
    DUPLICATE = "duplicate"


def normalize(text: str) -> str:
    """'+91 80-4712 3456' -> '+918047123456'; the international prefix 00 becomes '+'."""
    compact = _SEPARATORS.sub("", text.strip())
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    return compact


def problem(text: str) -> Problem | None:
    """Why `text` (as typed) is not an E.164 number, or None when it is one."""
    number = normalize(text)
    if not number:
        return Problem.EMPTY
    digits = number[1:] if number.startswith("+") else number
    # ASCII only: str.isdigit() would let Arabic-Indic or full-width digits through.
    if not all("0" <= ch <= "9" for ch in digits):
        return Problem.BAD_CHARACTER
    if not number.startswith("+"):
        return Problem.NO_PLUS
    if digits.startswith("0"):
        return Problem.LEADING_ZERO
    if len(digits) < MIN_DIGITS:
        return Problem.TOO_SHORT
    if len(digits) > MAX_DIGITS:
        return Problem.TOO_LONG
    return None


def is_valid(text: str) -> bool:
    return problem(text) is None


@dataclass(frozen=True)
class Entry:
    """One non-blank line of a pasted list: `number[, label]`."""

    line: int  # 1-based, as an editor shows it
    raw: str
    e164: str
    label: str | None
    problem: Problem | None
    duplicate_of: int | None = None  # the line that already has this number

    @property
    def ok(self) -> bool:
        return self.problem is None


def parse_lines(text: str | Iterable[str]) -> list[Entry]:
    """Every non-blank line, normalised and checked; repeats point at their first line."""
    lines = text.splitlines() if isinstance(text, str) else list(text)
    seen: dict[str, int] = {}
    entries: list[Entry] = []
    for index, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        number_text, *rest = _LABEL_SPLIT.split(raw.strip(), maxsplit=1)
        label = rest[0].strip() if rest and rest[0].strip() else None
        e164 = normalize(number_text)
        found = problem(number_text)
        duplicate_of: int | None = None
        if found is None and e164 in seen:
            found, duplicate_of = Problem.DUPLICATE, seen[e164]
        elif found is None and label is not None and len(label) > MAX_LABEL:
            found = Problem.LABEL_TOO_LONG
        if found is None:
            seen[e164] = index
        entries.append(Entry(index, raw, e164, label, found, duplicate_of))
    return entries
