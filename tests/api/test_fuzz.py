"""Whatever a server or proxy sends, callers get an Envelope/model or an ApiError: nothing else."""

from __future__ import annotations

import math
import string
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import anyio
import httpx
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from callaro_desktop.api import CallaroClient, Transport
from callaro_desktop.api.errors import ApiError
from callaro_desktop.api.pages import Page
from callaro_desktop.api.routes import Routes
from callaro_desktop.api.transport import Envelope, parse_retry_after, safe_excerpt

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=15,
)
codes = st.sampled_from([
    "UNAUTHORIZED", "TOKEN_EXPIRED", "FORBIDDEN", "USER_NOT_FOUND", "CONFLICT",
    "VALIDATION_ERROR", "RATE_LIMITED", "TENANT_REQUIRED", "INTERNAL_ERROR", "", "NEW_CODE",
]) | json_values  # fmt: skip
envelopes = st.fixed_dictionaries(
    {"data": json_values},
    optional={"meta": json_values, "message": json_values, "request_id": json_values},
)
error_bodies = st.fixed_dictionaries(
    {},
    optional={
        "error": json_values,
        "error_code": codes,
        "errors": json_values
        | st.dictionaries(st.text(max_size=8), st.lists(st.text(max_size=8), max_size=3)),
        "details": json_values,
        "request_id": json_values,
    },
)
bodies = envelopes | error_bodies | json_values
statuses = st.sampled_from([200, 201, 204, 400, 401, 403, 404, 408, 409, 422, 429, 500, 502, 503])
statuses |= st.integers(min_value=200, max_value=599)
headers = st.fixed_dictionaries(
    {},
    optional={
        "Retry-After": st.text(string.printable.strip(), max_size=30)
        | st.integers(-5, 10**6).map(str),
        "X-Request-Id": st.text(string.ascii_letters, max_size=10),
        "Content-Type": st.sampled_from(["application/json", "text/html", "application/pdf"]),
    },
)

ClientCall = Callable[[CallaroClient], Awaitable[Any]]
calls: list[ClientCall] = [
    lambda c: c.me.get(),
    lambda c: c.tenants.list().fetch_page(1),
    lambda c: c.tenant(44).billing.overview(),
    lambda c: c.tenant(44).invoices.get(1),
    lambda c: c.tenant(44).api_keys.create("CI"),
    lambda c: c.tenant(44).api_keys.list(),
    lambda c: c.tenant(44).phone_numbers.purchase("IN", 1, 3),
    lambda c: c.tenant(44).usage.events().fetch_page(1),
    lambda c: c.tenant(44).invoices.pdf(1),
]


async def _no_wait(seconds: float) -> None:
    pass


def _transport(response: httpx.Response) -> Transport:
    return Transport(
        "https://api.test",
        http_transport=httpx.MockTransport(lambda request: response),
        sleep=_no_wait,
        now=lambda: datetime(2026, 1, 1, tzinfo=UTC),
    )


def _run(make: Callable[[], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        try:
            return await make()
        except ApiError as exc:
            # The error itself must be safe to show and to log.
            assert isinstance(exc.user_message(), str) and repr(exc)
            return exc

    return anyio.run(main)


def _json_response(status: int, body: Any, extra: dict[str, str]) -> httpx.Response:
    return httpx.Response(status, json=body, headers=extra)


@FUZZ
@given(status=statuses, body=bodies, extra=headers)
def test_any_json_answer_is_an_envelope_or_an_api_error(
    status: int, body: Any, extra: dict[str, str]
) -> None:
    transport = _transport(_json_response(status, body, extra))
    result = _run(lambda: transport.request(Routes.USERS_LIST, tenant_id=1))
    assert isinstance(result, Envelope | ApiError)
    if isinstance(result, Envelope):
        assert 200 <= status < 300 and isinstance(result.meta, dict)


@FUZZ
@given(status=statuses, body=bodies, extra=headers, call=st.sampled_from(calls))
def test_any_json_answer_is_a_model_or_an_api_error(
    status: int, body: Any, extra: dict[str, str], call: ClientCall
) -> None:
    client = CallaroClient(transport=_transport(_json_response(status, body, extra)))
    result = _run(lambda: call(client))
    assert isinstance(result, BaseModel | Page | list | bytes | ApiError)


@FUZZ
@given(status=statuses, content=st.binary(max_size=300), extra=headers, call=st.sampled_from(calls))
def test_any_bytes_are_a_result_or_an_api_error(
    status: int, content: bytes, extra: dict[str, str], call: ClientCall
) -> None:
    client = CallaroClient(
        transport=_transport(httpx.Response(status, content=content, headers=extra))
    )
    result = _run(lambda: call(client))
    assert isinstance(result, BaseModel | Page | list | bytes | ApiError)


@given(value=st.text(max_size=40))
def test_retry_after_parsing_never_raises(value: str) -> None:
    seconds = parse_retry_after(value, datetime(2026, 1, 1, tzinfo=UTC))
    assert seconds is None or (math.isfinite(seconds) and seconds >= 0)


secret_tokens = st.text(string.ascii_letters + string.digits + "._-", min_size=8, max_size=40)
surroundings = st.text(max_size=60)


@given(
    token=secret_tokens,
    before=surroundings,
    after=surroundings,
    template=st.sampled_from(
        [
            "Authorization: Bearer {}",
            "authorization={}",
            '"access_token": "{}"',
            "'refresh_token':'{}'",
            "password={}",
            "X-Api-Key: sk_live_{}",
            "key sk_test_{}",
            "pk_{}",
        ]
    ),
)
def test_excerpts_never_carry_a_planted_secret(
    token: str, before: str, after: str, template: str
) -> None:
    assume(token not in before + after)
    body = f"{before}{template.format(token)} {after}".encode()
    assert token not in safe_excerpt(body)
