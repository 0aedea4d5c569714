"""What the reliability suites share: the UI tests' fixtures, and the guards every run is under.

The qasync loop, `make_app` and the hook that runs an `async def` test inside the loop come
from tests/views/conftest.py. On top:

- `Guards`: fails a test on any unhandled exception (sys.excepthook, the loop's exception
  handler, an ERROR the console logged for a task that failed) and on any freeze of the GUI
  thread longer than `FREEZE_LIMIT_S`, measured by a 10 ms heartbeat QTimer: the gap between
  two ticks, counted as a freeze when this process was busy for longer than the limit within
  it (a gap the machine spent on other processes is printed, not failed). A watchdog thread
  takes the GUI thread's stack while a gap is going on, so a failure says where the time went.
  Excluded as the harness's, not the console's: compiling view modules on first import (this
  environment may forbid cached bytecode; an installed console has it) and collecting the
  objects the test process held before the test (pytest's, other suites'): `gc.freeze()`.
- The sandbox runs in a process of its own (`SandboxProcess`), as a real server would: in a
  thread of the test process its request handling would take the GIL from the GUI thread.
- `FaultControl`: sets the sandbox's fault rules over HTTP without blocking the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
import logging
import pkgutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx
import pytest
from PySide6.QtCore import Qt, QTimer

from callaro_desktop.api.transport import tls_context
from callaro_desktop.app import AppController, _freeze_startup_objects
from callaro_desktop.settings import Settings
from callaro_desktop.views.pages.dashboard import DashboardPage
from tests.views.conftest import (  # noqa: F401  (fixtures and the async-test hook, re-exported)
    loop,
    make_app,
    no_stray_windows,
    pytest_pyfunc_call,
    run,
    wait_for,
)

FREEZE_LIMIT_S = 0.100
HEARTBEAT_MS = 10


def fast_settings(request_timeout_s: float) -> Settings:
    """Settings whose read timeout is shorter than Preferences allow (5 s at least), so a
    "the server never answered" fault costs the suite a second, not half a minute."""
    settings = Settings()
    settings.__dict__["request_timeout_s"] = request_timeout_s  # past the validator, on purpose
    return settings


def warm_imports() -> None:
    """Import every view module before measuring.

    Pages and dialogs are imported when first opened. Installed, that costs a few ms each
    (bytecode is compiled at install time); here PYTHONDONTWRITEBYTECODE may be set, and
    compiling a page's source on the GUI thread is a cost of the test set-up, not the console.
    """
    import callaro_desktop.views

    for info in pkgutil.walk_packages(callaro_desktop.views.__path__, "callaro_desktop.views."):
        importlib.import_module(info.name)


# -- the GUI thread must never stall -----------------------------------------------------------


@dataclass
class Stall:
    seconds: float
    gui_cpu: float  # CPU time the GUI thread itself spent in the gap
    process_cpu: float  # CPU time of the whole process (the in-process sandbox included)
    where: str  # what the test was doing (Heartbeat.phase)
    stack: str  # the GUI thread's stack during the stall, if the watchdog caught it
    blocked: bool = False  # caught waiting (on a disk, a lock, a socket) in the console's code


def _thread_state(native_id: int) -> str:
    """The kernel's state of a thread of this process ("R" running or runnable, "S" and "D"
    waiting, ...), "" where /proc does not say."""
    try:
        with open(f"/proc/self/task/{native_id}/stat", encoding="ascii") as stat:
            return stat.read().rpartition(")")[2].split()[0]
    except (OSError, IndexError):
        return ""


def _idle_in_the_loop(frame: Any) -> bool:
    """The innermost Python frame is the event loop's own: Qt is waiting for events."""
    return frame is not None and frame.f_code.co_name == "run_forever"


class Heartbeat:
    """A 10 ms QTimer on the GUI thread; the longest gap between two ticks is the worst freeze.

    `paused()` brackets what the harness itself does that may block (nothing in the product).
    """

    def __init__(self, limit_s: float = FREEZE_LIMIT_S) -> None:
        self.limit_s = limit_s
        self.max_gap = 0.0
        self.ticks = 0
        self.stalls: list[Stall] = []
        self.phase = "start"
        self._last = time.perf_counter()
        self._last_cpu = time.thread_time()
        self._last_process = time.process_time()
        self.gaps: list[Stall] = []  # every gap over half the limit, for the record
        self._paused = 0
        self._gui_thread = threading.get_ident()
        self._gui_native = threading.get_native_id()
        self._stack: str = ""
        self._blocked = False
        self._running = True
        self._timer = QTimer()
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(HEARTBEAT_MS)
        self._timer.timeout.connect(self._tick)
        self._timer.start()
        self._watchdog = threading.Thread(
            target=self._watch, name="heartbeat-watchdog", daemon=True
        )
        self._watchdog.start()

    def _tick(self) -> None:
        now, cpu, process = time.perf_counter(), time.thread_time(), time.process_time()
        gap = now - self._last
        gap_cpu, gap_process = cpu - self._last_cpu, process - self._last_process
        self._last, self._last_cpu, self._last_process = now, cpu, process
        self.ticks += 1
        stack, self._stack = self._stack, ""
        blocked, self._blocked = self._blocked, False
        if self._paused:
            return
        self.max_gap = max(self.max_gap, gap)
        if gap > self.limit_s / 2:
            self.gaps.append(Stall(gap, gap_cpu, gap_process, self.phase, stack, blocked))
        # The gap this would have been on an idle machine is at most the CPU time this
        # process spent in it: the rest was the machine running something else (2 cores,
        # shared with the sandbox process and any other test run). A freeze is the GUI
        # thread, or a thread holding the GIL it needs, busy past the limit; or the GUI
        # thread caught waiting in the console's code (a disk's sync, a lock, a socket),
        # which costs no CPU and is a freeze all the same.
        if gap > self.limit_s and (gap_process > self.limit_s or blocked):
            self.stalls.append(Stall(gap, gap_cpu, gap_process, self.phase, stack, blocked))

    def _watch(self) -> None:
        # Samples the GUI thread's stack once a stall has lasted most of the limit, while it
        # is still happening: afterwards nobody knows where the time went.
        while self._running:
            time.sleep(0.02)
            late = time.perf_counter() - self._last
            if not self._paused and not self._stack and late > self.limit_s * 0.8:
                frame = sys._current_frames().get(self._gui_thread)
                if frame is not None:
                    self._stack = "".join(traceback.format_stack(frame)[-12:])
                    # Waiting, not runnable-but-not-run (a busy machine), and not in the
                    # loop's own wait for events: blocked in the console's code.
                    waiting = _thread_state(self._gui_native) in ("S", "D")
                    self._blocked = waiting and not _idle_in_the_loop(frame)

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        self._paused += 1
        try:
            yield
        finally:
            self._paused -= 1
            self._last = time.perf_counter()
            self._last_cpu = time.thread_time()
            self._last_process = time.process_time()

    def stop(self) -> None:
        self._running = False
        self._timer.stop()
        self._timer.deleteLater()

    def report(self) -> str:
        lines = [f"{len(self.stalls)} stall(s) over {self.limit_s * 1000:.0f} ms:"]
        for stall in sorted(self.stalls, key=lambda s: -s.seconds)[:5]:
            lines.append(
                f"- {stall.seconds * 1000:.0f} ms during {stall.where} (GUI thread busy"
                f" {stall.gui_cpu * 1000:.0f} ms, process {stall.process_cpu * 1000:.0f} ms"
                f"{'; caught waiting in the console' if stall.blocked else ''})"
            )
            if stall.stack:
                lines.append(stall.stack)
        return "\n".join(lines)


# -- nothing may go unhandled --------------------------------------------------------------


class _ErrorRecords(logging.Handler):
    """ERROR records of the console's own loggers: a task that failed with no one to show it."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(("callaro_desktop", "asyncio")):
            text = record.getMessage()
            if record.exc_info and record.exc_info[1] is not None:
                text += f": {record.exc_info[1]!r}"
            self.records.append(f"{record.name}: {text}")


@dataclass
class Guards:
    loop: asyncio.AbstractEventLoop
    heartbeat: Heartbeat | None = None
    unhandled: list[str] = field(default_factory=list)
    _old_hook: Any = None
    _old_handler: Any = None
    _errors: _ErrorRecords = field(default_factory=_ErrorRecords)
    phases: list[tuple[str, float]] = field(default_factory=list)
    _phase_started: float = 0.0
    _allowed: list[str] = field(default_factory=list)

    def start(self) -> Heartbeat:
        """Call first thing in the test body (pytest-qt swaps sys.excepthook at call time)."""
        self._old_hook = sys.excepthook
        sys.excepthook = self._excepthook
        self._old_handler = self.loop.get_exception_handler()
        self.loop.set_exception_handler(self._loop_exception)
        logging.getLogger().addHandler(self._errors)
        warm_imports()
        # What the test process held before this test (pytest, other suites' leftovers) is
        # not the console's: keep it out of the collector's full passes. What the console
        # allocates from here on is still collected, pauses and all.
        gc.collect()
        gc.freeze()
        self.heartbeat = Heartbeat()
        self._phase_started = time.perf_counter()
        return self.heartbeat

    def phase(self, text: str) -> None:
        now = time.perf_counter()
        if self.heartbeat is not None:
            self.phases.append((self.heartbeat.phase, now - self._phase_started))
            self.heartbeat.phase = text
        self._phase_started = now

    def paused(self) -> contextlib.AbstractContextManager[None]:
        return self.heartbeat.paused() if self.heartbeat else contextlib.nullcontext()

    async def console(self, factory: Any, **kwargs: Any) -> Any:
        """`factory(**kwargs)` (the make_app fixture) unwatched by the heartbeat: building and
        showing the first window of a process took ~100 ms on a slow machine, before there
        was a window to freeze. That is the start, which bench_startup.py measures; from the
        window on screen (signing in, every page) everything is watched.

        Then what the start built leaves the collector's reach, as the app does a few seconds
        into its start (`app._freeze_startup_objects`; make_app does not run the app's loop).
        Left in reach, the next full collection walked the whole console: 90-115 ms at a
        random moment after (a TLS context being built, a page's table given its model), which
        the heartbeat blamed on whatever ran then."""
        with self.paused():
            controller = await factory(**kwargs)
            _freeze_startup_objects()
        return controller

    def _excepthook(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        self.unhandled.append("".join(traceback.format_exception(exc_type, exc, tb)))
        if self._old_hook is not None:
            self._old_hook(exc_type, exc, tb)

    def _loop_exception(self, _loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        self.unhandled.append(f"event loop: {context.get('message')} {exc!r}")

    def allow(self, text: str) -> None:
        """An error record the test provokes on purpose (e.g. a crash report)."""
        self._allowed.append(text)

    def check(self) -> None:
        """Fail on anything unhandled or any freeze seen so far."""
        problems = list(self.unhandled) + [
            r for r in self._errors.records if not any(a in r for a in self._allowed)
        ]
        assert not problems, "unhandled errors:\n" + "\n".join(problems)
        hb = self.heartbeat
        if hb is not None:
            slowest = sorted(self.phases, key=lambda pt: -pt[1])[:6]
            print("slowest phases: " + ", ".join(f"{p} {t:.1f}s" for p, t in slowest))
            print(
                f"heartbeat: {hb.ticks} ticks, worst gap {hb.max_gap * 1000:.0f} ms; over"
                f" {hb.limit_s * 500:.0f} ms: "
                + ", ".join(
                    f"{g.seconds * 1000:.0f} ms ({g.gui_cpu * 1000:.0f} ms CPU) in {g.where}"
                    for g in hb.gaps
                )
            )
            assert hb.ticks > 0, "the heartbeat never ticked: was the loop running?"
            assert not hb.stalls, hb.report()

    def stop(self) -> None:
        if self._old_hook is not None:
            sys.excepthook = self._old_hook
            self._old_hook = None
        self.loop.set_exception_handler(self._old_handler)
        logging.getLogger().removeHandler(self._errors)
        if self.heartbeat is not None:
            self.heartbeat.stop()
            self.heartbeat = None
            gc.unfreeze()


@pytest.fixture
def guards(loop: asyncio.AbstractEventLoop) -> Iterator[Guards]:  # noqa: F811
    g = Guards(loop)
    yield g
    g.stop()


# -- fault rules over HTTP, without blocking the loop ------------------------------------------


class FaultControl:
    """The sandbox's fault rules, set over HTTP from inside the loop (never blocking it)."""

    def __init__(self, server: SandboxProcess) -> None:
        self.server = server

    def _http(self) -> httpx.AsyncClient:
        # httpx builds a TLS context for every new client, even with verify=False: ms on the
        # GUI thread, once 100 ms on a busy CI machine, which the heartbeat pinned on the
        # console. The console's own, built once, is for plain http too.
        return httpx.AsyncClient(
            base_url=self.server.base_url, timeout=10, verify=tls_context(False)
        )

    async def set(self, rules: list[dict[str, Any]]) -> None:
        async with self._http() as client:
            r = await client.put("/sandbox/faults", json={"rules": rules})
            r.raise_for_status()

    async def clear(self) -> None:
        await self.set([])

    async def rules(self) -> list[dict[str, Any]]:
        """The live rules, each with how often it fired and the ids of its latest requests."""
        async with self._http() as client:
            r = await client.get("/sandbox/faults")
            r.raise_for_status()
            rules: list[dict[str, Any]] = r.json()["data"]
            return rules

    async def fired(self) -> list[int]:
        return [int(rule["fired"]) for rule in await self.rules()]

    async def request_ids(self) -> set[str]:
        """Every request id the rules fired on (each rule keeps its latest 50)."""
        return {rid for rule in await self.rules() for rid in rule["request_ids"]}


@pytest.fixture
def fault_control(sandbox: SandboxProcess) -> Iterator[FaultControl]:
    yield FaultControl(sandbox)
    httpx.delete(f"{sandbox.base_url}/sandbox/faults", timeout=10).raise_for_status()


# -- the sandbox in a process of its own -----------------------------------------------------


class ReadOnlyDb:
    """The sandbox's SQLite file, read from the test process to check what really happened."""

    def __init__(self, path: Path) -> None:
        self._conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
        self._conn.row_factory = sqlite3.Row

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        return list(self._conn.execute(sql, params).fetchall())

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = self._conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def close(self) -> None:
        self._conn.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SandboxProcess:
    """`callaro-sandbox serve` in a child process, like a real server.

    The UI suites elsewhere run the sandbox in a thread of the test process. Here that would
    be wrong: its request handling competes for the GIL with the GUI thread, and the
    heartbeat would measure the server as if it were the console.
    """

    def __init__(self, folder: Path, *extra: str) -> None:
        self.db_path = folder / "sandbox.db"
        self.port = _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log = folder / "sandbox.log"
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "callaro_sandbox",
                    "serve",
                    "--db",
                    str(self.db_path),
                    "--port",
                    str(self.port),
                    "--allow-fault-control",
                    "--no-rate-limit",
                    *extra,
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{self.base_url}/sandbox/health", timeout=2).is_success:
                    break
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"sandbox did not start:\n{self.log.read_text()}")
            time.sleep(0.1)
        self.db = ReadOnlyDb(self.db_path)

    def stop(self) -> None:
        if self.proc.poll() is None:
            # No graceful stop: uvicorn would wait for requests a fault is still holding.
            self.proc.kill()
            self.proc.wait(10)
        if hasattr(self, "db"):
            self.db.close()


async def sign_in(controller: AppController, server: SandboxProcess, who: tuple[str, str]) -> None:
    """Signed in, and back as a user is before their first click: the landing page shown,
    done loading (its data, or its error). A test that clicked in the same turn as the
    sign-in's last step ran both in one callback: 64-69 ms of the GUI thread here, 97 on CI
    (Phone numbers built right behind the window's taking the account), a turn no user can
    take, which the heartbeat blamed on the console."""
    await controller.session.sign_in(server.base_url, who[0], who[1], keep=False)
    window = controller.window

    def landed() -> bool:
        page = window.current_page()
        if page is None or page.states.state == "loading":
            return False
        if isinstance(page, DashboardPage):
            return all(card.state != "loading" for card in page.visible_cards())
        return True

    await wait_for(landed, what="the landing page after signing in")


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    server = SandboxProcess(tmp_path_factory.mktemp("reliability-sandbox"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def own_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    """A sandbox of the module's own, for tests that change the seed accounts (passwords)."""
    server = SandboxProcess(tmp_path_factory.mktemp("reliability-sandbox-own"))
    yield server
    server.stop()
