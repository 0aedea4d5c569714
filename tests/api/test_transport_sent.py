"""Transport.requests_sent (the moment every started request is on the wire) and warm_up.

Start-up builds the first page while the profile and workspace answers are on their way;
it waits for this first, so no request is held back by the widgets. Against a real socket
(httpcore reports the bytes written), a server that holds its answer back.
"""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
from typing import Any

import pytest

from callaro_desktop.api import errors as E
from callaro_desktop.api import transport as transport_module
from callaro_desktop.api.routes import Routes
from callaro_desktop.api.transport import Transport, warm_up

pytestmark = pytest.mark.anyio

ANSWER = json.dumps({"data": {"ok": True}, "message": None, "meta": {}}).encode()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_it_waits_for_the_bytes_and_not_for_the_answer() -> None:
    received = asyncio.Event()
    release = asyncio.Event()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        received.set()
        await release.wait()
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {len(ANSWER)}\r\n\r\n".encode()
            + ANSWER
        )
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    transport = Transport(f"http://127.0.0.1:{port}")
    try:
        await transport.requests_sent()  # nothing started: at once
        call = asyncio.ensure_future(transport.request(Routes.ME_GET))
        await asyncio.sleep(0)
        assert len(transport._unsent) == 1  # started, not yet written: there is a wait
        await asyncio.wait_for(transport.requests_sent(), 10)
        assert not call.done()  # the answer is still held back by the server
        await asyncio.wait_for(received.wait(), 10)
        assert transport._unsent == set()
        release.set()
        envelope = await asyncio.wait_for(call, 10)
        assert envelope.data == {"ok": True}
    finally:
        release.set()
        await transport.aclose()
        server.close()
        await server.wait_closed()


async def test_a_request_that_cannot_be_sent_does_not_keep_anyone_waiting() -> None:
    with socket.socket() as s:  # a port with nothing listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    transport = Transport(f"http://127.0.0.1:{port}", max_retries=0)
    try:
        call = asyncio.ensure_future(transport.request(Routes.ME_GET))
        await asyncio.sleep(0)
        await asyncio.wait_for(transport.requests_sent(), 10)
        with pytest.raises(E.ConnectionFailed):
            await call
        assert transport._unsent == set()
    finally:
        await transport.aclose()


async def test_warm_up_loads_a_ca_bundle_only_for_https_and_only_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Loading the CA bundle costs ~17 ms of the GUI thread: none for a plain-http server
    # (the sandbox), one shared context for https.
    loads: list[object] = []
    real = ssl.SSLContext.load_verify_locations

    def counted(context: ssl.SSLContext, *args: Any, **kwargs: Any) -> None:
        loads.append(args or kwargs)
        real(context, *args, **kwargs)

    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations", counted)
    transport_module.tls_context.cache_clear()
    await warm_up("http://127.0.0.1:8765")
    await warm_up(None)
    assert loads == []
    await warm_up("https://api.callaro.ai")
    await warm_up("https://api.callaro.ai")
    assert len(loads) == 1
    transport_module.tls_context.cache_clear()


async def test_clients_of_plain_http_servers_share_one_tls_context(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # httpx builds a TLS context for each client even with verify=False: 2-5 ms of the GUI
    # thread per account signed in (once 100 ms on a busy machine). One per process.
    made: list[object] = []
    real_new = ssl.SSLContext.__new__

    def counted(cls: type[ssl.SSLContext], *args: Any, **kwargs: Any) -> ssl.SSLContext:
        made.append(args)
        return real_new(cls, *args, **kwargs)

    monkeypatch.setattr(ssl.SSLContext, "__new__", counted)
    transport_module.tls_context.cache_clear()
    transports = [Transport("http://127.0.0.1:8765"), Transport("http://127.0.0.1:8766")]
    try:
        await warm_up("http://127.0.0.1:8765")
        for transport in transports:
            transport._http()
        assert len(made) == 1
    finally:
        for transport in transports:
            await transport.aclose()
        transport_module.tls_context.cache_clear()


@pytest.mark.parametrize("turns", [0, transport_module.REQUESTS_START_TURNS])
async def test_after_turns_waits_for_a_request_whose_task_has_only_just_started(
    turns: int,
) -> None:
    # A page's load is a task started in this turn: it reaches the transport a few turns
    # later. Asked at once, requests_sent() knows of nothing; given the turns, it waits for
    # those bytes to be written.
    done = asyncio.Event()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        await done.wait()  # the answer never comes while the test looks
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    transport = Transport(f"http://127.0.0.1:{port}")
    # Each request's "bytes written" future, as the transport starts waiting on it.
    writes: list[asyncio.Future[None]] = []
    track = transport._track_sending

    def tracked(request: Any) -> Any:
        before = set(transport._unsent)
        ended = track(request)
        writes.extend(transport._unsent - before)
        return ended

    transport._track_sending = tracked  # type: ignore[method-assign]
    try:

        async def page_load() -> None:
            await asyncio.sleep(0)  # the page's task, then the session's call
            await transport.request(Routes.ME_GET)

        call = asyncio.ensure_future(page_load())
        if turns:
            await asyncio.wait_for(transport.requests_sent(after_turns=turns), 10)
        else:
            await transport.requests_sent()  # (wait_for would itself give the loop turns)
        if turns:
            assert len(writes) == 1 and writes[0].done()  # on the wire when it returned
        else:
            assert writes == []  # returned before the request reached the transport
        call.cancel()
    finally:
        done.set()
        await transport.aclose()
        server.close()
        await server.wait_closed()
