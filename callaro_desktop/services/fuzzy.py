"""Fuzzy matching for the command palette: type a fragment, find the thing.

A candidate matches when the query's characters appear in it in order. The score
rewards what people mean when they type a fragment: the start of the text, the start
of words ("bl" → "Brightline Logistics"), runs of consecutive characters, and short
candidates; gaps cost a little. Qt-free and fast enough to rescore 500+ entries on
every keystroke.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

_START = 12
_WORD_START = 8
_CONSECUTIVE = 5
_GAP = 1


def _word_starts(text: str) -> set[int]:
    starts = {0}
    for i in range(1, len(text)):
        prev, ch = text[i - 1], text[i]
        if (not prev.isalnum() and ch.isalnum()) or (prev.islower() and ch.isupper()):
            starts.add(i)
    return starts


def _fits(rest: str, text: str, start: int) -> bool:
    """Whether `rest` is a subsequence of `text[start:]`."""
    pos = start
    for ch in rest:
        pos = text.find(ch, pos)
        if pos == -1:
            return False
        pos += 1
    return True


def score(query: str, text: str) -> int | None:
    """A higher score for a better match; None when `text` does not match at all."""
    q = query.casefold().replace(" ", "")
    if not q:
        return 0
    t = text.casefold()
    starts = _word_starts(text)
    # Greedy from the left, but prefer a word start when the character appears there,
    # so "al" picks the word "Alpha" in "Real Alpha" rather than the "al" in "Real".
    total = 0
    pos = 0
    last = -2
    for k, ch in enumerate(q):
        rest = q[k + 1 :]
        found = -1
        i = t.find(ch, pos)
        while i != -1:
            # Jump ahead to a word start or a run only if the rest still fits after it.
            if not _fits(rest, t, i + 1):
                break
            if found == -1:
                found = i
            if i in starts or i == last + 1:
                found = i
                break
            i = t.find(ch, i + 1)
        if found == -1:
            return None
        if found == 0:
            total += _START
        elif found in starts:
            total += _WORD_START
        if found == last + 1:
            total += _CONSECUTIVE
        else:
            total -= _GAP * min(found - pos, 10)
        last = found
        pos = found + 1
    if t.startswith(q):
        total += _START * 2
    return total * 4 - len(text) // 4


@dataclass(frozen=True)
class Match(Generic[T]):
    item: T
    score: int


def rank(
    query: str,
    items: Iterable[T],
    text: Callable[[T], str],
    *,
    boost: Callable[[T], int] | None = None,
    limit: int | None = None,
) -> Sequence[Match[T]]:
    """Matching items, best first; `boost` adds e.g. recency so recent tenants lead."""
    matches: list[Match[T]] = []
    for item in items:
        s = score(query, text(item))
        if s is None:
            continue
        if boost is not None:
            s += boost(item)
        matches.append(Match(item, s))
    matches.sort(key=lambda m: -m.score)
    return matches[:limit] if limit is not None else matches
