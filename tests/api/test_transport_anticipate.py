"""Transport.anticipate: GETs sent ahead of their caller, and what a load asked (recording).

The window sends ahead what a page asked of a workspace last time while that workspace is
highlighted in the switcher; the page's load after the switch takes those answers instead of
waiting for its own. Only a fresh answer is taken; a write, a newer guess or a failure means
the caller asks as ever, and a guess is never retried.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest

from callaro_desktop.api.routes import Routes
from callaro_desktop.api.transport import ANTICIPATION_TTL, Call, recording

pytestmark = pytest.mark.anyio

NUMBERS = Routes.PHONE_NUMBERS_LIST
OVERVIEW = Routes.BILLING_OVERVIEW


def counting(api: Any, *, gate: asyncio.Event | None = None) -> None:
    """Answer each GET with its own number, after `gate` if given."""

    async def handle(request: httpx.Request) -> httpx.Response:
        if gate is not None and request.method == "GET":
            await gate.wait()
        return api.ok({"n": len(api.requests)})

    api.handler = handle


async def _asked(transport: Any, *calls: tuple[Any, dict[str, Any]]) -> list[Call]:
    """What a load made of `calls` (run together, as a page's gather does) asked."""
    with recording([]) as asked:
        await asyncio.gather(*(transport.request(route, tenant_id=7, **kw) for route, kw in calls))
    return asked


async def _turns(n: int = 5) -> None:
    for _ in range(n):
        await asyncio.sleep(0)


async def _guess_held(api: Any) -> tuple[Any, asyncio.Event, asyncio.Task[Any]]:
    """A load of the overview asked, then the same GET sent ahead: its answer waits for the
    returned gate. Returns the transport, the gate and the guess."""
    gate = asyncio.Event()
    counting(api)
    transport = api.transport()
    asked = await _asked(transport, (OVERVIEW, {}))
    counting(api, gate=gate)
    transport.anticipate(asked)
    await _turns()
    return transport, gate, transport._anticipated[asked[0].key].task


async def test_recording_keeps_the_gets_a_load_asked_also_from_its_child_tasks(api: Any) -> None:
    counting(api)
    transport = api.transport()
    asked = await _asked(transport, (NUMBERS, {"params": {"page": 1}}), (OVERVIEW, {}))
    assert sorted(c.route.path for c in asked) == sorted([NUMBERS.path, OVERVIEW.path])
    assert {c.tenant_id for c in asked} == {7}
    # A write inside the block is not a thing to send ahead; outside it nothing is kept.
    with recording([]) as writes:
        await transport.request(
            Routes.RECHARGES_CREATE, tenant_id=7, body={"credits": 1}, idempotency_key="k"
        )
    await transport.request(OVERVIEW, tenant_id=7)
    assert writes == []
    assert len(asked) == 2


async def test_a_get_sent_ahead_is_taken_by_the_load_that_asks_it(api: Any) -> None:
    counting(api)
    transport = api.transport()
    asked = await _asked(transport, (NUMBERS, {"params": {"page": 1, "search": None}}))
    assert transport.anticipate(asked) == 1
    await _turns()
    assert len(api.requests) == 2  # the load, then the one sent ahead
    answer = await transport.request(NUMBERS, tenant_id=7, params={"page": 1})
    assert answer.data == {"n": 2}  # the answer sent ahead, not a third request
    assert len(api.requests) == 2
    assert transport.anticipated == []
    # Taken once: the next load asks the server again.
    again = await transport.request(NUMBERS, tenant_id=7, params={"page": 1})
    assert again.data == {"n": 3}


async def test_a_load_asking_while_the_guess_is_on_its_way_waits_for_it(api: Any) -> None:
    counting(api)
    transport = api.transport()
    asked = await _asked(transport, (OVERVIEW, {}))
    gate = asyncio.Event()
    counting(api, gate=gate)
    transport.anticipate(asked)
    await _turns()
    load = asyncio.ensure_future(transport.request(OVERVIEW, tenant_id=7))
    await _turns()
    gate.set()
    assert (await load).data == {"n": 2}
    assert len(api.requests) == 2


async def test_an_answer_older_than_the_ttl_is_not_taken(api: Any) -> None:
    counting(api)
    transport = api.transport()
    asked = await _asked(transport, (OVERVIEW, {}))
    transport.anticipate(asked)
    await _turns()
    api.now += ANTICIPATION_TTL + timedelta(seconds=1)
    answer = await transport.request(OVERVIEW, tenant_id=7)
    assert answer.data == {"n": 3}  # its own request, not the 10-second-old one
    assert len(api.requests) == 3


async def test_a_write_drops_what_was_sent_ahead(api: Any) -> None:
    transport, gate, guess = await _guess_held(api)
    await transport.request(
        Routes.RECHARGES_CREATE, tenant_id=7, body={"credits": 1}, idempotency_key="k"
    )
    assert guess.cancelled() or guess.cancelling()
    assert transport.anticipated == []
    gate.set()
    answer = await transport.request(OVERVIEW, tenant_id=7)
    assert answer.data == {"n": 4}  # asked after the write, answered after it
    assert [r.method for r in api.requests] == ["GET", "GET", "POST", "GET"]


async def test_a_failed_guess_is_not_retried_and_the_load_asks_itself(api: Any) -> None:
    counting(api)
    transport = api.transport(max_retries=2)
    asked = await _asked(transport, (OVERVIEW, {}))
    api.reply(api.fail(503, "UNAVAILABLE"), api.ok({"n": "own"}))
    transport.anticipate(asked)
    await _turns(10)
    assert len(api.requests) == 2  # one try, no retry for a guess
    answer = await transport.request(OVERVIEW, tenant_id=7)
    assert answer.data == {"n": "own"}
    assert api.sleeps == []


async def test_a_new_guess_or_a_dismissal_cancels_the_last(api: Any) -> None:
    transport, gate, old = await _guess_held(api)
    other = [Call(NUMBERS, (), (("page", 1),), 8)]
    transport.anticipate(other)
    await _turns()
    assert old.cancelled()
    assert transport.anticipated == [other[0].key]
    transport.drop_anticipated()
    await _turns()
    assert transport.anticipated == []
    gate.set()


async def test_cancelling_the_load_that_took_a_guess_stops_the_guess(api: Any) -> None:
    transport, gate, guess = await _guess_held(api)
    load = asyncio.ensure_future(transport.request(OVERVIEW, tenant_id=7))
    await _turns()
    load.cancel()
    with pytest.raises(asyncio.CancelledError):
        await load
    await _turns()
    assert guess.cancelled()
    gate.set()
    # And the next load asks for itself.
    assert (await transport.request(OVERVIEW, tenant_id=7)).data == {"n": 3}


async def test_an_answer_sent_ahead_for_two_askers_serves_both_then_no_one(api: Any) -> None:
    counting(api)
    transport = api.transport()
    asked = await _asked(transport, (OVERVIEW, {}))
    transport.anticipate([asked[0], asked[0]])  # (the wallet and the spend card)
    await _turns()
    assert len(api.requests) == 2  # the load, then one sent ahead for both
    first = await transport.request(OVERVIEW, tenant_id=7)
    second = await transport.request(OVERVIEW, tenant_id=7)
    assert first is second and first.data == {"n": 2}
    third = await transport.request(OVERVIEW, tenant_id=7)
    assert third.data == {"n": 3} and transport.anticipated == []


async def test_a_failed_answer_sent_ahead_is_not_kept(api: Any) -> None:
    counting(api)
    transport = api.transport()
    asked = await _asked(transport, (OVERVIEW, {}))
    api.reply(api.fail(503, "UNAVAILABLE"))
    transport.anticipate(asked)
    assert transport.anticipated == [asked[0].key]
    await _turns(10)
    assert transport.anticipated == []


async def test_one_of_two_askers_cancelled_leaves_the_answer_to_the_other(api: Any) -> None:
    transport, gate, guess = await _guess_held(api)
    transport.anticipate([])  # (dropped: sent again below for two askers)
    asked = [Call(OVERVIEW, (), (), 7)]
    transport.anticipate(asked * 2)
    await _turns()
    gone = asyncio.ensure_future(transport.request(OVERVIEW, tenant_id=7))
    await _turns()
    gone.cancel()
    with pytest.raises(asyncio.CancelledError):
        await gone
    waiting = asyncio.ensure_future(transport.request(OVERVIEW, tenant_id=7))
    await _turns()
    gate.set()
    assert (await waiting).data == {"n": 3}  # the load, the dropped guess, then this one
    assert guess.cancelled()


async def test_an_asker_served_by_the_same_get_on_its_way_counts_as_served(api: Any) -> None:
    transport, gate, _guess = await _guess_held(api)
    transport.anticipate([Call(OVERVIEW, (), (), 7)] * 2)  # (the wallet and the spend card)
    await _turns()
    first = asyncio.ensure_future(transport.request(OVERVIEW, tenant_id=7))
    await _turns()
    second = asyncio.ensure_future(transport.request(OVERVIEW, tenant_id=7))  # shares the first
    await _turns()
    gate.set()
    a, b = await asyncio.gather(first, second)
    assert a is b
    assert transport.anticipated == []  # both askers came: nothing left waiting
