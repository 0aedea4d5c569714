"""Streamed downloads: chunks reach the sink as they arrive; nothing is retried mid-body."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from callaro_desktop.api import errors as E

pytestmark = pytest.mark.anyio

PDF_CHUNKS = [b"%PDF-1.7\n", b"1 0 obj << >> endobj\n", b"%%EOF\n"]


class Chunks(httpx.AsyncByteStream):
    """A response body that arrives in pieces and may break off after `fail_after` of them."""

    def __init__(self, chunks: list[bytes], fail_after: int | None = None) -> None:
        self.chunks = chunks
        self.fail_after = fail_after
        self.closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for index, chunk in enumerate(self.chunks):
            if index == self.fail_after:
                raise httpx.RemoteProtocolError("peer closed connection mid-body")
            yield chunk

    async def aclose(self) -> None:
        self.closed = True


def pdf_response(chunks: list[bytes], fail_after: int | None = None, **headers: str) -> Any:
    size = str(sum(len(c) for c in chunks))
    all_headers = {"Content-Type": "application/pdf", "Content-Length": size, **headers}
    return httpx.Response(200, headers=all_headers, stream=Chunks(chunks, fail_after))


class Collector:
    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.progress: list[tuple[int, int | None]] = []

    async def sink(self, chunk: bytes) -> None:
        self.chunks.append(chunk)

    def on_progress(self, received: int, total: int | None) -> None:
        self.progress.append((received, total))


async def test_chunks_reach_the_sink_with_progress(api: Any) -> None:
    api.reply(pdf_response(PDF_CHUNKS))
    got = Collector()
    size = await api.client().tenant(44).invoices.download_pdf(7, got.sink, got.on_progress)
    assert b"".join(got.chunks) == b"".join(PDF_CHUNKS)
    total = len(b"".join(PDF_CHUNKS))
    assert size == total
    assert got.progress[-1] == (total, total)
    assert [p[0] for p in got.progress] == sorted(p[0] for p in got.progress)
    request = api.requests[0]
    assert request.url.path == "/api/v1/invoices/7/pdf"
    assert request.headers["Accept"] == "application/pdf"
    assert request.headers["X-Tenant-Id"] == "44"


async def test_unknown_length_reports_no_total(api: Any) -> None:
    response = pdf_response(PDF_CHUNKS)
    del response.headers["Content-Length"]
    api.reply(response)
    got = Collector()
    await api.client().tenant(44).invoices.download_pdf(7, got.sink, got.on_progress)
    assert {total for _received, total in got.progress} == {None}


async def test_a_body_that_breaks_off_is_a_bad_response_and_not_retried(api: Any) -> None:
    api.reply(
        pdf_response(PDF_CHUNKS, fail_after=1, **{"X-Request-Id": "req_cut"}),
        pdf_response(PDF_CHUNKS),
    )
    got = Collector()
    with pytest.raises(E.BadResponse) as caught:
        await api.client().tenant(44).invoices.download_pdf(7, got.sink)
    assert caught.value.request_id == "req_cut"
    assert "broke off" in caught.value.message
    assert got.chunks == PDF_CHUNKS[:1]
    assert len(api.requests) == 1


async def test_a_busy_server_is_retried_before_the_first_byte(api: Any) -> None:
    api.reply(httpx.Response(503, headers={"Retry-After": "2"}), pdf_response(PDF_CHUNKS))
    got = Collector()
    await api.client().tenant(44).invoices.download_pdf(7, got.sink)
    assert b"".join(got.chunks) == b"".join(PDF_CHUNKS)
    assert api.sleeps == [2.0]


@pytest.mark.parametrize(
    ("response", "error"),
    [
        (
            httpx.Response(404, json={"error": "No invoice", "error_code": "INVOICE_NOT_FOUND"}),
            E.NotFound,
        ),
        (
            httpx.Response(200, text="<html>login</html>", headers={"Content-Type": "text/html"}),
            E.BadResponse,
        ),
    ],
)
async def test_failures_never_reach_the_sink(api: Any, response: Any, error: type) -> None:
    response.headers["X-Request-Id"] = "req_dl"
    api.reply(response)
    got = Collector()
    with pytest.raises(error) as caught:
        await api.client().tenant(44).invoices.download_pdf(7, got.sink)
    assert got.chunks == []
    assert caught.value.request_id == "req_dl"


async def test_an_expired_token_is_refreshed_and_the_download_replayed(api: Any) -> None:
    answers = iter([api.grant(1), httpx.Response(401, json={"error": "expired"}), api.grant(2)])

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/pdf") and request.headers["Authorization"].endswith("-2"):
            return pdf_response(PDF_CHUNKS)
        return next(answers)

    api.handler = handler
    client = api.client()
    await client.auth.login("a@b.in", "pw")
    got = Collector()
    await client.tenant(44).invoices.download_pdf(7, got.sink)
    assert b"".join(got.chunks) == b"".join(PDF_CHUNKS)
    assert api.paths() == [
        "/api/v1/auth/login",
        "/api/v1/invoices/7/pdf",
        "/api/v1/auth/refresh",
        "/api/v1/invoices/7/pdf",
    ]
