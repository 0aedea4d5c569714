"""One console per user and home: starting it again brings the running one to the front.

Two consoles on one saved sign-in would each refresh it, and refresh tokens rotate: the
server takes a spent token back as a theft and revokes the whole sign-in, so the second
start used to sign both consoles out within a quarter of an hour (when the first's access
token ran out). A console already running also holds every workspace the user wants in its
windows. So a start first takes a lock in the data folder (the OS lets it go when the process
ends, crash or not): held by another console, this start asks that one, over a local socket,
to come to the front, and exits.

The demo (`--demo`) has a lock and a socket of its own: it signs in to a sandbox of its own.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from callaro_desktop import paths

if TYPE_CHECKING:
    from PySide6.QtNetwork import QLocalServer

log = logging.getLogger(__name__)

#: What a second start sends (then the server it was started for, as JSON, on the same line),
#: and the answer it waits for.
ASK = b"front "
DONE = b"ok\n"
#: The running console listens this long after its start: its first page has painted by then
#: (0.4 s here), so Qt's network module (~5 ms to load) is not on that path.
LISTEN_AFTER_S = 1.5
#: How long a second start waits for the running console to listen and answer (a start
#: within LISTEN_AFTER_S of the first, a busy machine).
ANSWER_WITHIN_MS = 8000
#: How long one wait for the answer blocks.
WAIT_STEP_MS = 20


def _name(demo: bool) -> str:
    # A local socket's name is short (a Unix socket path has ~100 characters) and the same
    # for every start on this home: a digest of the data folder, which names the user too.
    digest = hashlib.sha256(str(paths.data_dir()).encode()).hexdigest()[:16]
    return f"callaro-desktop-{'demo-' if demo else ''}{digest}"


class Lock:
    """This process is the running console of its home (released when the process ends)."""

    def __init__(self, fd: int, demo: bool) -> None:
        self._fd = fd
        self.demo = demo
        self.server: QLocalServer | None = None

    def listen(self, on_ask: Callable[[str | None], None]) -> None:
        """Answer later starts: `on_ask(server)` runs for each (on the GUI thread), with the
        server that start was given (`--server`), if any."""
        from PySide6.QtNetwork import QLocalServer, QLocalSocket

        name = _name(self.demo)
        # Left by a console that crashed: no live console owns it, since this one holds the
        # lock.
        QLocalServer.removeServer(name)
        server = QLocalServer()
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(name):
            log.warning("cannot answer later starts: %s", server.errorString())
            return

        def answer() -> None:
            while server.hasPendingConnections():
                conn: QLocalSocket = server.nextPendingConnection()

                def read(conn: QLocalSocket = conn) -> None:
                    if not conn.canReadLine():
                        return
                    line = bytes(conn.readLine().data())
                    if line.startswith(ASK):
                        log.info("the console was started again: this one comes to the front")
                        on_ask(_server_in(line[len(ASK) :]))
                        conn.write(DONE)
                        conn.flush()
                    conn.disconnectFromServer()

                conn.readyRead.connect(read)
                conn.disconnected.connect(conn.deleteLater)
                read()

        server.newConnection.connect(answer)
        self.server = server

    def stop_answering(self) -> None:
        """Quitting: a start from now on waits for the lock instead of handing over to a
        console about to be gone."""
        if self.server is not None:
            self.server.close()
            self.server = None

    def release(self) -> None:
        self.stop_answering()
        os.close(self._fd)


def claim(demo: bool) -> Lock | None:
    """The lock of this home's running console, or None when another process holds it."""
    path = paths.data_dir() / ("instance-demo.lock" if demo else "instance.lock")
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if sys.platform == "win32":
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return Lock(fd, demo)


def _server_in(payload: bytes) -> str | None:
    try:
        server = json.loads(payload).get("server")
    except (ValueError, AttributeError):
        return None
    return server if isinstance(server, str) and server else None


def take_or_hand_over(
    demo: bool, server: str | None = None, wait_ms: int = ANSWER_WITHIN_MS
) -> Lock | bool:
    """The lock (this start is the console); else True once the running console has come
    to the front, or False when it has not answered within `wait_ms`. A console quitting as
    this starts stops answering and then lets go of the lock: the start then takes it."""
    import time

    deadline = time.monotonic() + wait_ms / 1000
    while True:
        lock = claim(demo)
        if lock is not None:
            return lock
        answered = _ask(demo, server, deadline)
        if answered is not None:
            return answered
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)  # (not listening yet, or quitting)


def _ask(demo: bool, server: str | None, deadline: float) -> bool | None:
    """One try: ask the console listening on this home to come to the front (for `server`).
    True once it answered; False when it was asked but has not answered by `deadline`; None
    when nobody took the question (not listening yet, or quitting): try the lock again.

    Once asked, the start waits for that answer rather than asking again: a console busy
    for a moment still reads every question it was sent, and would open a second window
    for `server`."""
    import time

    from PySide6.QtNetwork import QLocalSocket

    sock = QLocalSocket()
    sock.connectToServer(_name(demo))
    if not sock.waitForConnected(500):
        return None
    sock.write(ASK + json.dumps({"server": server}).encode() + b"\n")
    sock.flush()
    answered = b""
    while DONE not in answered and time.monotonic() < deadline:
        # Short waits: the bundle's self-test answers from this same process (a real second
        # start is a process of its own), and there each processEvents() of the answering
        # side returned only when a wait here did (measured; the GIL is let go meanwhile,
        # so it is something of Qt's). 250 ms waits made the exchange take 0.5-3 s.
        if sock.bytesAvailable() or sock.waitForReadyRead(WAIT_STEP_MS):
            answered += bytes(sock.readAll().data())
        elif sock.state() == QLocalSocket.LocalSocketState.UnconnectedState:
            break
    sock.abort()
    if DONE in answered:
        return True
    return False if time.monotonic() >= deadline else None
