"""Every model the client reads, fed near-miss answers: a model or an ApiError, never a crash.

tests/api/test_fuzz.py throws arbitrary JSON and bytes at nine client calls; arbitrary JSON
almost never looks like a model, so the models' own validation (custom validators, enums,
nested money, people and dates) is barely reached. Here every read the console makes (and
the creates whose answers it reads) is first answered by the real sandbox (in-process, demo
seed), then hypothesis replays that answer with one to three fields changed: a value replaced
by any JSON, a key deleted, an unknown key added. The client must return its model (the
answer was still acceptable) or raise an ApiError (BadResponse for a shape it cannot read);
TypeError, KeyError, AttributeError or a bare ValidationError would reach a page as a crash.
"""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from callaro_desktop.api import CallaroClient, Transport
from callaro_desktop.api.client import OwnedNumber
from callaro_desktop.api.errors import ApiError
from callaro_desktop.api.models import Money, Role
from callaro_desktop.api.pages import Page
from callaro_sandbox.app import create_app
from callaro_sandbox.config import SandboxConfig
from callaro_sandbox.db import Database
from callaro_sandbox.seed import seed

ADMIN = ("admin@demo.callaro.test", "demo-password-1")
Call = Callable[[CallaroClient, dict[str, int]], Awaitable[Any]]


def _t(c: CallaroClient, ids: dict[str, int]) -> Any:
    return c.tenant(ids["tenant"])


CALLS: dict[str, Call] = {
    "me": lambda c, ids: c.me.get(),
    "tenants": lambda c, ids: c.tenants.list().fetch_page(1),
    "checklist": lambda c, ids: _t(c, ids).onboarding.checklist(),
    "users": lambda c, ids: _t(c, ids).users.list().fetch_page(1),
    "invitations": lambda c, ids: _t(c, ids).invitations.list().fetch_page(1),
    "invite": lambda c, ids: _t(c, ids).invitations.create(
        f"fuzz{ids['n']}@example.com", Role.TENANT_VIEWER
    ),
    "billing overview": lambda c, ids: _t(c, ids).billing.overview(),
    "billing entity": lambda c, ids: _t(c, ids).billing.entity(),
    "recharge": lambda c, ids: _t(c, ids).billing.create_recharge(Money(amount_minor=100_000)),
    "usage events": lambda c, ids: (
        _t(c, ids).usage.events(date_from=date(2020, 1, 1), date_to=date(2030, 1, 1)).fetch_page(1)
    ),
    "usage summary": lambda c, ids: _t(c, ids).usage.summary(
        date_from=date(2025, 1, 1), date_to=date(2026, 12, 31)
    ),
    "invoices": lambda c, ids: _t(c, ids).invoices.list().fetch_page(1),
    "invoice": lambda c, ids: _t(c, ids).invoices.get(ids["invoice"]),
    "api keys": lambda c, ids: _t(c, ids).api_keys.list(),
    "scopes": lambda c, ids: _t(c, ids).api_keys.scopes(),
    "create key": lambda c, ids: _t(c, ids).api_keys.create(f"Fuzz {ids['n']}"),
    "numbers": lambda c, ids: _t(c, ids).phone_numbers.list().fetch_page(1),
    "number": lambda c, ids: _t(c, ids).phone_numbers.get(ids["number"]),
    "available": lambda c, ids: _t(c, ids).phone_numbers.available("IN"),
    "pricing": lambda c, ids: _t(c, ids).phone_numbers.pricing("IN"),
    "import": lambda c, ids: _t(c, ids).phone_numbers.import_owned(
        [OwnedNumber(e164=f"+9180691{ids['n']:06d}", label="Fuzz")], ids["twilio"]
    ),
    "agents": lambda c, ids: _t(c, ids).agents.list(),
    "connections": lambda c, ids: _t(c, ids).telephony_connections.list(),
    "connection": lambda c, ids: _t(c, ids).telephony_connections.get(ids["twilio"]),
    "connection test": lambda c, ids: _t(c, ids).telephony_connections.test(ids["twilio"]),
}


class _Recording(httpx.AsyncBaseTransport):
    """The sandbox's real answers, kept (the last one) for replaying altered."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.last: Any = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        body = await response.aread()
        self.last = json.loads(body) if body else None
        return httpx.Response(response.status_code, headers=response.headers, content=body)


async def _no_wait(_seconds: float) -> None:
    pass


def _record(folder: Path) -> dict[str, Any]:
    db = Database.open(folder / "demo.db")
    seed(db, "demo", 1)
    app = create_app(db, config=SandboxConfig(rate_limit=None))
    recording = _Recording(httpx.ASGITransport(app=app))

    async def run() -> dict[str, Any]:
        client = CallaroClient(
            transport=Transport("http://sandbox.test", http_transport=recording, sleep=_no_wait)
        )
        try:
            await client.auth.login(*ADMIN)
            tenant = (await client.tenants.list().fetch_page(1)).items[0].id
            scope = client.tenant(tenant)
            connections = await scope.telephony_connections.list()
            ids = {
                "tenant": tenant,
                "n": 1,
                "invoice": (await scope.invoices.list().fetch_page(1)).items[0].id,
                "number": (await scope.phone_numbers.list().fetch_page(1)).items[0].id,
                "twilio": next(c.id for c in connections if c.provider == "twilio" and c.active),
            }
            answers = {}
            for name, call in CALLS.items():
                await call(client, ids)
                answers[name] = recording.last
            return {"ids": ids, "answers": answers}
        finally:
            await client.aclose()
            db.close()

    return asyncio.run(run())


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    yield _record(tmp_path_factory.mktemp("sandbox-fuzz"))


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(["", "2026-02-30T25:61:00Z", "INR", "unknown", "sk_live_x", "-1"]),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


def _paths(value: Any, here: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield here
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*here, key))
    elif isinstance(value, list):
        for index, child in enumerate(value[:3]):
            yield from _paths(child, (*here, index))


def _parent(root: Any, path: tuple[Any, ...]) -> Any:
    for step in path[:-1]:
        root = root[step]
    return root


@st.composite
def near_misses(draw: st.DrawFn, body: Any) -> Any:
    body = copy.deepcopy(body)
    for _ in range(draw(st.integers(1, 3))):
        paths = list(_paths(body["data"]))
        path = draw(st.sampled_from(paths))
        op = draw(st.sampled_from(["replace", "delete", "add"]))
        if not path:
            if op == "replace":
                body["data"] = draw(json_values)
            continue
        parent = _parent(body["data"], path)
        key = path[-1]
        if op == "replace":
            parent[key] = draw(json_values)
        elif op == "delete" and isinstance(parent, dict):
            del parent[key]
        elif op == "delete":
            parent.pop(key)
        elif isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=8))] = draw(json_values)
    return body


def _answer(call: Call, ids: dict[str, int], body: Any) -> Any:
    def respond(_request: httpx.Request) -> httpx.Response:
        # json.dumps, not json=: NaN and Infinity go out as a sloppy server would send them.
        content = json.dumps(body).encode()
        headers = {"X-Request-Id": "req_fuzz", "Content-Type": "application/json"}
        return httpx.Response(200, content=content, headers=headers)

    transport = Transport(
        "https://api.test",
        http_transport=httpx.MockTransport(respond),
        sleep=_no_wait,
        now=lambda: datetime(2026, 1, 1, tzinfo=UTC),
    )

    async def run() -> Any:
        client = CallaroClient(transport=transport)
        try:
            return await call(client, ids)
        except ApiError as exc:
            assert isinstance(exc.user_message(), str) and repr(exc)
            return exc
        finally:
            await client.aclose()

    return asyncio.run(run())


READ = (BaseModel, Page, list, bytes, type(None))


def test_every_recorded_answer_parses(recorded: dict[str, Any]) -> None:
    for name, call in CALLS.items():
        result = _answer(call, recorded["ids"], recorded["answers"][name])
        assert isinstance(result, READ), (name, result)


@settings(
    max_examples=400,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data(), name=st.sampled_from(sorted(CALLS)))
def test_a_near_miss_answer_is_a_model_or_an_api_error(
    recorded: dict[str, Any], data: st.DataObject, name: str
) -> None:
    body = data.draw(near_misses(recorded["answers"][name]), label="answer")
    result = _answer(CALLS[name], recorded["ids"], body)
    assert isinstance(result, (*READ, ApiError)), (name, type(result))
