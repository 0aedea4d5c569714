"""Run the sandbox with uvicorn: in the foreground (CLI, and the process `child.spawn` starts
for the console's demo) or in a daemon thread (UI tests, the self-test, media)."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from callaro_sandbox.app import create_app
from callaro_sandbox.child import READY
from callaro_sandbox.config import SandboxConfig
from callaro_sandbox.db import Database
from callaro_sandbox.seed import SeedResult, seed

log = logging.getLogger(__name__)


def open_database(
    db_path: str | Path, *, seed_profile: str | None = "demo", seed_value: int = 1
) -> tuple[Database, SeedResult | None]:
    """Open ``db_path``; an empty database is seeded with ``seed_profile`` (None: left empty)."""
    db = Database.open(db_path)
    result = None
    if seed_profile and not db.scalar("SELECT COUNT(*) FROM users"):
        result = seed(db, seed_profile, seed_value)
    return db, result


def _bind(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.setblocking(False)
    return sock


def _listening(
    db: Database, host: str, port: int, config: SandboxConfig
) -> tuple[socket.socket, FastAPI]:
    """A socket already listening, and the app that answers on it. Bound before the server
    runs, so port 0 is a free port, the URL is final (the app's links use it) and nobody can
    take the port in between."""
    sock = _bind(host, port)
    config.public_base_url = _url(host, int(sock.getsockname()[1]))
    return sock, create_app(db, config=config)


def _url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


@dataclass
class RunningServer:
    base_url: str
    port: int
    db: Database
    config: SandboxConfig
    seeded: SeedResult | None
    _server: uvicorn.Server
    _thread: threading.Thread

    def stop(self, timeout: float = 10.0) -> None:
        self._server.should_exit = True
        self._thread.join(timeout)
        self.db.close()

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def run_in_thread(
    db_path: str | Path,
    *,
    port: int = 0,
    host: str = "127.0.0.1",
    config: SandboxConfig | None = None,
    seed_profile: str | None = "demo",
    seed_value: int = 1,
    startup_timeout: float = 20.0,
) -> RunningServer:
    """Start the sandbox on ``host`` (loopback) and a free port in a daemon thread; its
    ``base_url`` is final on return."""
    config = config or SandboxConfig()
    db, seeded = open_database(db_path, seed_profile=seed_profile, seed_value=seed_value)
    sock, app = _listening(db, host, port, config)
    # log_config=None: in someone else's process (the console's demo), uvicorn's own logging
    # set-up (dictConfig) would close every handler the host had installed.
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off", log_config=None)
    )
    # uvicorn installs signal handlers only on the main thread, so the daemon thread leaves the
    # host process's (e.g. Qt's) handlers alone.
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="callaro-sandbox", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError("sandbox server did not start")
        time.sleep(0.01)
    return RunningServer(
        base_url=config.public_base_url,
        port=int(sock.getsockname()[1]),
        db=db,
        config=config,
        seeded=seeded,
        _server=server,
        _thread=thread,
    )


def serve_forever(
    db: Database,
    *,
    host: str,
    port: int,
    config: SandboxConfig,
    quiet: bool = False,
    until_stdin_closes: bool = False,
) -> None:
    sock, app = _listening(db, host, port, config)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            log_level="warning" if quiet else "info",
            access_log=not quiet,
            # A stop waits this long for requests still running (a fault's held answer).
            timeout_graceful_shutdown=1,
        )
    )
    if until_stdin_closes:
        threading.Thread(
            target=_exit_when_stdin_closes, args=(server,), name="stdin-watch", daemon=True
        ).start()
    # (fd 1, not sys.stdout: a windowed frozen build has no sys.stdout, yet its caller's pipe.)
    os.write(1, f"{READY}{config.public_base_url}\n".encode())
    server.run(sockets=[sock])


def _exit_when_stdin_closes(server: uvicorn.Server) -> None:
    # The console holds the other end: when it quits, or dies, the pipe closes and the
    # sandbox goes with it, never left serving on its own.
    try:
        while os.read(0, 4096):
            pass
    except OSError:
        pass
    server.should_exit = True
