from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from callaro_desktop.services.fuzzy import rank, score


def test_subsequence_matches_and_others_do_not() -> None:
    assert score("bl", "Brightline Logistics") is not None
    assert score("xyz", "Brightline Logistics") is None
    assert score("", "anything") == 0


def test_word_starts_beat_scattered_letters() -> None:
    names = ["Table Lamps Co", "Brightline Logistics", "Bubble Land"]
    best = rank("blog", names, str)[0].item
    assert best == "Brightline Logistics"


def test_prefix_beats_middle() -> None:
    ranked = [m.item for m in rank("acme", ["Old Acme Works", "Acme Health"], str)]
    assert ranked[0] == "Acme Health"


def test_boost_orders_equal_matches() -> None:
    items = ["t001 Tenant", "t002 Tenant"]
    ranked = rank("tenant", items, str, boost=lambda s: 100 if s.startswith("t002") else 0)
    assert ranked[0].item == "t002 Tenant"


def test_limit() -> None:
    assert len(rank("t", [f"t{i}" for i in range(50)], str, limit=10)) == 10


@given(st.text(max_size=12), st.text(max_size=40))
def test_score_matches_iff_subsequence(query: str, text: str) -> None:
    q = query.casefold().replace(" ", "")
    t = text.casefold()
    it = iter(t)
    is_subsequence = all(ch in it for ch in q)
    assert (score(query, text) is not None) == is_subsequence


def test_a_later_word_start_never_steals_a_needed_character() -> None:
    # "t" could jump to "Tenant", after which "ln" no longer fits: it must not.
    assert score("brtln", "Brightline Logistics Tenant Viewer") is not None


@given(st.text(alphabet="abc d", max_size=8), st.text(alphabet="abcd ABC", max_size=30))
def test_small_alphabets_find_every_subsequence(query: str, text: str) -> None:
    q = query.casefold().replace(" ", "")
    it = iter(text.casefold())
    assert (score(query, text) is not None) == all(ch in it for ch in q)
