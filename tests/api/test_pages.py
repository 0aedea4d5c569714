"""Pager: page style and cursor style behind the same iterator and fetch calls."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from callaro_desktop.api import errors as E
from callaro_desktop.api.models import User
from callaro_desktop.api.pages import Page, Pager
from callaro_desktop.api.transport import Envelope

pytestmark = pytest.mark.anyio


def user(i: int) -> dict[str, Any]:
    return {"id": i, "email": f"u{i}@example.in", "role": "tenant_viewer", "status": "active"}


class PagedServer:
    """7 users, 3 per page, with the contract's meta; records every query."""

    def __init__(self, rows: int = 7, *, meta: bool = True) -> None:
        self.rows = [user(i) for i in range(1, rows + 1)]
        self.queries: list[dict[str, Any]] = []
        self.meta = meta

    async def __call__(self, query: dict[str, Any]) -> Envelope:
        await anyio.sleep(0)
        self.queries.append(query)
        page, per_page = query["page"], query["per_page"]
        chunk = self.rows[(page - 1) * per_page : page * per_page]
        pages = -(-len(self.rows) // per_page)
        meta = {"count": len(self.rows), "page": page, "per_page": per_page, "pages": pages}
        return Envelope(chunk, meta if self.meta else {}, request_id=f"r{page}")


class CursorServer:
    def __init__(self, rows: int = 5, size: int = 2) -> None:
        self.rows = [user(i) for i in range(1, rows + 1)]
        self.queries: list[dict[str, Any]] = []

    async def __call__(self, query: dict[str, Any]) -> Envelope:
        self.queries.append(query)
        start = int(query["cursor"] or 0)
        end = start + query["page_size"]
        data: dict[str, Any] = {"items": self.rows[start:end]}
        if end < len(self.rows):
            data["next_cursor"] = str(end)
        return Envelope(data)


async def test_page_style_iterates_three_pages_with_filters() -> None:
    server = PagedServer()
    pager = Pager(server, User.model_validate, params={"search": "u", "sort": "-email"}, per_page=3)
    ids = [u.id async for u in pager]
    assert ids == list(range(1, 8))
    assert server.queries == [
        {"search": "u", "sort": "-email", "page": n, "per_page": 3} for n in (1, 2, 3)
    ]
    assert pager.total == 7


async def test_next_page_walks_until_exhausted() -> None:
    pager = Pager(PagedServer(), User.model_validate, per_page=3)
    assert pager.has_more
    seen: list[Page[User]] = []
    while (page := await pager.next_page()) is not None:
        seen.append(page)
    assert [(p.page, len(p.items), p.pages, p.total) for p in seen] == [
        (1, 3, 3, 7),
        (2, 3, 3, 7),
        (3, 1, 3, 7),
    ]
    assert [p.has_next for p in seen] == [True, True, False]
    assert seen[1].request_id == "r2"
    assert not pager.has_more
    assert await pager.next_page() is None


async def test_fetch_page_reads_any_page_directly() -> None:
    server = PagedServer()
    page = await Pager(server, User.model_validate, per_page=3).fetch_page(2)
    assert [u.id for u in page.items] == [4, 5, 6]
    assert server.queries == [{"page": 2, "per_page": 3}]


async def test_overlapping_next_page_calls_read_different_pages() -> None:
    pager = Pager(PagedServer(), User.model_validate, per_page=3)
    pages: list[int] = []

    async def more() -> None:
        page = await pager.next_page()
        assert page is not None
        pages.append(page.page)

    async with anyio.create_task_group() as tg:
        tg.start_soon(more)
        tg.start_soon(more)
    assert sorted(pages) == [1, 2]


async def test_a_route_without_paging_meta_is_one_page() -> None:
    # A server ignoring `page` would answer page 2 with the same rows: never ask for it.
    server = PagedServer(rows=3, meta=False)
    pager = Pager(server, User.model_validate, per_page=3)
    assert len([u async for u in pager]) == 3
    assert len(server.queries) == 1


async def test_pages_computed_from_count_when_missing() -> None:
    async def fetch(query: dict[str, Any]) -> Envelope:
        return Envelope([user(query["page"])], {"count": 2, "per_page": 1})

    assert [u.id async for u in Pager(fetch, User.model_validate, per_page=1)] == [1, 2]


async def test_cursor_style_reads_on_until_no_cursor() -> None:
    server = CursorServer()
    pager = Pager(server, User.model_validate, per_page=2, style="cursor", params={"q": 1})
    assert [u.id async for u in pager] == [1, 2, 3, 4, 5]
    assert server.queries == [
        {"q": 1, "page_size": 2, "cursor": None},
        {"q": 1, "page_size": 2, "cursor": "2"},
        {"q": 1, "page_size": 2, "cursor": "4"},
    ]


async def test_cursor_style_next_page_and_reachable_pages() -> None:
    pager = Pager(CursorServer(), User.model_validate, per_page=2, style="cursor")
    with pytest.raises(ValueError, match="not reachable"):
        await pager.fetch_page(3)
    first = await pager.next_page()
    assert first is not None and first.next_cursor == "2" and first.has_next
    assert [u.id for u in (await pager.fetch_page(2)).items] == [3, 4]
    pages = [first]
    while (page := await pager.next_page()) is not None:
        pages.append(page)
    assert [len(p.items) for p in pages] == [2, 2, 1]
    assert pages[-1].next_cursor is None and not pager.has_more


async def test_a_cursor_that_repeats_ends_the_list() -> None:
    calls = 0

    async def fetch(query: dict[str, Any]) -> Envelope:
        nonlocal calls
        calls += 1
        return Envelope({"items": [user(calls)], "next_cursor": "same"})

    pager = Pager(fetch, User.model_validate, style="cursor")
    assert [u.id async for u in pager] == [1, 2]
    assert calls == 2


@pytest.mark.parametrize(
    "data",
    [{"items": []}, "rows", [user(1), {"id": "x"}]],
    ids=["object-for-page-style", "string", "bad-row"],
)
async def test_malformed_lists_are_bad_response(data: Any) -> None:
    async def fetch(query: dict[str, Any]) -> Envelope:
        return Envelope(data, request_id="r-list")

    with pytest.raises(E.BadResponse) as caught:
        await Pager(fetch, User.model_validate).fetch_page(1)
    assert caught.value.request_id == "r-list"


async def test_page_numbers_start_at_one() -> None:
    with pytest.raises(ValueError):
        await Pager(PagedServer(), User.model_validate).fetch_page(0)
