"""Transport.request: a GET asked while the same GET is on its way shares its answer.

The Dashboard's wallet and spend cards both read the billing overview; a page reloaded while
it loads asks again. One request goes out and every asker gets its answer; a failure is not
shared (the later asker asks again), a write in between means a fresh request, and
cancelling one asker never costs another its answer.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from typing import Any

import httpx
import pytest

from callaro_desktop.api import errors as E
from callaro_desktop.api.routes import Routes

pytestmark = pytest.mark.anyio

OVERVIEW = Routes.BILLING_OVERVIEW


class Gate:
    """A server whose answers wait until released; counts what reached it."""

    def __init__(self, api: Any) -> None:
        self.api = api
        self.release = asyncio.Event()
        self.arrived = asyncio.Event()
        self.answers: list[httpx.Response] = []
        api.handler = self.handle

    async def handle(self, request: httpx.Request) -> httpx.Response:
        self.arrived.set()
        if request.method == "GET":
            await self.release.wait()
        n = len(self.api.requests)
        return self.api.ok({"n": n}, **{"X-Request-Id": f"req-{n}"})

    def gets(self) -> list[str]:
        return [str(r.url) for r in self.api.requests if r.method == "GET"]


async def _started(*calls: Any) -> list[asyncio.Task[Any]]:
    tasks = [asyncio.ensure_future(c) for c in calls]
    for _ in range(5):
        await asyncio.sleep(0)
    return tasks


async def test_the_same_get_asked_twice_meanwhile_goes_out_once(api: Any) -> None:
    gate = Gate(api)
    transport = api.transport()
    first, second = await _started(
        transport.request(OVERVIEW, tenant_id=7), transport.request(OVERVIEW, tenant_id=7)
    )
    gate.release.set()
    a, b = await asyncio.gather(first, second)
    assert len(gate.gets()) == 1
    assert a is b
    assert a.data == {"n": 1}
    # Once answered it is forgotten: asking again asks the server again.
    again = await transport.request(OVERVIEW, tenant_id=7)
    assert again.data == {"n": 2}
    assert len(gate.gets()) == 2


async def test_another_workspace_path_or_query_is_another_request(api: Any) -> None:
    gate = Gate(api)
    transport = api.transport()
    tasks = await _started(
        transport.request(OVERVIEW, tenant_id=7),
        transport.request(OVERVIEW, tenant_id=8),
        transport.request(Routes.USERS_LIST, tenant_id=7, params={"page": 1}),
        transport.request(Routes.USERS_LIST, tenant_id=7, params={"page": 2}),
        transport.request(Routes.USERS_LIST, tenant_id=7, params={"page": 2, "role": None}),
    )
    gate.release.set()
    results = await asyncio.gather(*tasks)
    assert len(gate.gets()) == 4
    assert results[3] is results[4]  # a None filter is no filter: the same request
    assert {r.headers["X-Tenant-Id"] for r in api.requests} == {"7", "8"}


async def test_a_get_asked_after_a_write_is_not_given_an_older_answer(api: Any) -> None:
    gate = Gate(api)
    transport = api.transport()
    (before,) = await _started(transport.request(OVERVIEW, tenant_id=7))
    await transport.request(
        Routes.RECHARGES_CREATE, tenant_id=7, body={"credits": 1}, idempotency_key="k"
    )
    (after,) = await _started(transport.request(OVERVIEW, tenant_id=7))
    gate.release.set()
    old, new = await asyncio.gather(before, after)
    assert len(gate.gets()) == 2
    assert old is not new


async def test_the_request_s_own_error_reaches_every_asker_with_its_request_id(
    api: Any,
) -> None:
    release = asyncio.Event()

    async def handle(request: httpx.Request) -> httpx.Response:
        await release.wait()
        return api.fail(404, "NOT_FOUND", request_id="req-404")

    api.handler = handle
    transport = api.transport(max_retries=0)
    tasks = await _started(
        transport.request(OVERVIEW, tenant_id=7), transport.request(OVERVIEW, tenant_id=7)
    )
    release.set()
    outcomes = await asyncio.gather(*tasks, return_exceptions=True)
    assert len(api.requests) == 1
    assert all(isinstance(o, E.NotFound) and o.request_id == "req-404" for o in outcomes)


async def test_a_failed_attempt_is_not_shared_the_later_asker_asks_again(api: Any) -> None:
    # A Retry pressed while an earlier attempt is still on its way (and about to fail) must
    # try again, not inherit that failure.
    release = asyncio.Event()

    async def handle(request: httpx.Request) -> httpx.Response:
        if len(api.requests) == 1:
            await release.wait()
            return api.fail(500, "INTERNAL_ERROR", request_id="req-500")
        return api.ok({"n": len(api.requests)})

    api.handler = handle
    transport = api.transport(max_retries=0)
    first, second = await _started(
        transport.request(OVERVIEW, tenant_id=7), transport.request(OVERVIEW, tenant_id=7)
    )
    assert len(api.requests) == 1  # the second is waiting for the first's answer
    release.set()
    with pytest.raises(E.ServerError) as failed:
        await first
    assert failed.value.request_id == "req-500"
    envelope = await second  # its own request, answered
    assert envelope.data == {"n": 2}
    assert len(api.requests) == 2


async def test_cancelling_the_first_asker_leaves_the_second_its_own_request(api: Any) -> None:
    gate = Gate(api)
    transport = api.transport()
    first, second = await _started(
        transport.request(OVERVIEW, tenant_id=7), transport.request(OVERVIEW, tenant_id=7)
    )
    assert len(gate.gets()) == 1
    first.cancel()
    for _ in range(5):
        await asyncio.sleep(0)
    assert first.cancelled()
    assert not second.done()
    assert len(gate.gets()) == 2  # the second asked again itself
    gate.release.set()
    envelope = await second
    assert envelope.data == {"n": 2}


async def test_cancelling_a_later_asker_leaves_the_first_its_answer(api: Any) -> None:
    gate = Gate(api)
    transport = api.transport()
    first, second = await _started(
        transport.request(OVERVIEW, tenant_id=7), transport.request(OVERVIEW, tenant_id=7)
    )
    second.cancel()
    await asyncio.sleep(0)
    gate.release.set()
    envelope = await first
    assert envelope.data == {"n": 1}
    assert second.cancelled()
    assert len(gate.gets()) == 1


async def test_a_failure_nobody_shared_is_not_reported_as_never_retrieved(
    api: Any, caplog: pytest.LogCaptureFixture
) -> None:
    api.reply(api.fail(404, "NOT_FOUND"))
    transport = api.transport(max_retries=0)
    with caplog.at_level(logging.ERROR, logger="asyncio"):
        with pytest.raises(E.NotFound):
            await transport.request(OVERVIEW, tenant_id=7)
        gc.collect()
        await asyncio.sleep(0)
    assert "never retrieved" not in caplog.text
    assert transport._gets == {}
