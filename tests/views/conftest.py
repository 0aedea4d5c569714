"""Fixtures for UI tests: the real sandbox on a random loopback port, a qasync loop.

A UI test is an `async def`: the hook below runs its whole body inside the qasync
event loop, so the app's tasks, httpx and Qt's events all turn in the one running
loop, exactly as in the product (a Qt event processed outside it would run asyncio
callbacks with no running loop). `wait_for(predicate)` polls while that loop keeps
running; nothing here mocks the server.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import qasync
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from callaro_desktop import paths
from callaro_desktop.app import AppController
from callaro_desktop.secrets import MemoryStore, TokenStore
from callaro_desktop.settings import Settings, flush_saves
from callaro_sandbox.config import SandboxConfig
from callaro_sandbox.server import RunningServer, run_in_thread

from .stray_windows import stray_windows

T = TypeVar("T")

ADMIN = ("admin@demo.callaro.test", "demo-password-1")
OPERATOR = ("operator@demo.callaro.test", "demo-password-2")
VIEWER = ("viewer@demo.callaro.test", "demo-password-3")
MULTI = ("multi@demo.callaro.test", "demo-password-4")
SUPPORT = ("support@demo.callaro.test", "demo-password-5")


def _start(tmp: Path, **config: Any) -> RunningServer:
    cfg = SandboxConfig(allow_fault_control=True, rate_limit=None, **config)
    return run_in_thread(tmp / "sandbox.db", config=cfg)


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    server = _start(tmp_path_factory.mktemp("sandbox"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def short_token_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """Access tokens live two seconds, so expiry happens inside a test."""
    server = _start(tmp_path_factory.mktemp("sandbox-short"), access_token_ttl=2)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def large_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """The `large` seed: Megacorp Telecom with 100,000 users; sign in as ADMIN."""
    cfg = SandboxConfig(allow_fault_control=True, rate_limit=None)
    db = tmp_path_factory.mktemp("sandbox-large") / "sandbox.db"
    server = run_in_thread(db, config=cfg, seed_profile="large")
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def no_stray_windows(qapp: QApplication) -> Iterator[None]:
    """Every UI test fails if the console made a widget visible before giving it a parent
    (stray_windows.py)."""
    with stray_windows(qapp) as found:
        yield
    assert not found, "made visible while it had no parent (a window of its own): " + "; ".join(
        sorted(set(found))
    )


def set_faults(server: RunningServer, rules: list[dict[str, Any]]) -> None:
    r = httpx.put(f"{server.base_url}/sandbox/faults", json={"rules": rules}, timeout=10)
    r.raise_for_status()


@pytest.fixture
def faults(sandbox: RunningServer) -> Iterator[Callable[[list[dict[str, Any]]], None]]:
    yield lambda rules: set_faults(sandbox, rules)
    set_faults(sandbox, [])


# One loop per process: other suites (tests/reliability) import these fixtures into their own
# conftest, which registers the session fixture again; a second QEventLoop on the same
# QApplication would be left to die at exit with its signals already gone.
_LOOP: list[asyncio.AbstractEventLoop] = []


@pytest.fixture(scope="session")
def loop(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    if not _LOOP:
        qapp.setOrganizationName("CallaroDesktopTests")
        qapp.setApplicationName("Callaro Desktop Tests")
        # Closing a test's window must not quit Qt: that would stop the shared loop.
        qapp.setQuitOnLastWindowClosed(False)
        _LOOP.append(qasync.QEventLoop(qapp))
    event_loop = _LOOP[0]
    asyncio.set_event_loop(event_loop)
    yield event_loop
    # Closing a qasync loop tears down its executor; leave that to interpreter exit so
    # a later QApplication user in the same process is not affected.


Runner = Callable[[Coroutine[Any, Any, T]], T]


@pytest.fixture
def run(loop: asyncio.AbstractEventLoop) -> Runner[Any]:
    def runner(coro: Coroutine[Any, Any, T], timeout: float = 60.0) -> T:
        return loop.run_until_complete(asyncio.wait_for(coro, timeout))

    return runner


async def wait_for(
    predicate: Callable[[], Any],
    timeout: float = 10.0,
    what: str = "",
    extra: Callable[[], Any] = lambda: "",
) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate} ({extra()})")
        await asyncio.sleep(0.02)


async def laid_out(widget: QWidget, turns: int = 3, timeout: float = 5.0) -> None:
    """Wait until the widgets in `widget` have kept their places for a few turns of the loop.

    A test click goes where the target is at that moment; a layout still pending (a wrapped
    label settling its height) can move the target before the click is delivered, and the
    click then lands beside it. A user clicks what was painted, which is after the layout."""

    def places() -> tuple[tuple[int, int, int, int], ...]:
        window = widget.window()
        return tuple(
            (*child.mapTo(window, child.rect().topLeft()).toTuple(), child.width(), child.height())
            for child in widget.findChildren(QWidget)
            if child.isVisible()
        )

    deadline = asyncio.get_running_loop().time() + timeout
    last, same = places(), 0
    while same < turns:
        await asyncio.sleep(0.02)
        now = places()
        same = same + 1 if now == last else 0
        last = now
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{widget!r} kept moving for {timeout} s")


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    loop: asyncio.AbstractEventLoop = pyfuncitem._request.getfixturevalue("loop")
    names = pyfuncitem._fixtureinfo.argnames
    kwargs = {name: pyfuncitem.funcargs[name] for name in names}
    timeout = float(getattr(pyfuncitem.get_closest_marker("ui_timeout"), "args", [120])[0])

    async def body() -> None:
        try:
            await asyncio.wait_for(pyfuncitem.obj(**kwargs), timeout)
        finally:
            await _settle()

    loop.run_until_complete(body())
    return True


_OPEN_APPS: list[AppController] = []


async def _settle() -> None:
    """Close what the test opened while the loop still runs.

    pytest-qt processes Qt events between test phases; an asyncio callback firing then
    would run with no running loop. So every app is shut down and every task finished
    before the test leaves the loop.
    """
    while _OPEN_APPS:
        controller = _OPEN_APPS.pop()
        for dialog in (controller.sign_in_dialog, controller.reauth_dialog):
            if dialog is not None:
                dialog.reject()
        await controller.shutdown()
        controller.window.close()
        controller.window.deleteLater()
    current = asyncio.current_task()
    pending = [t for t in asyncio.all_tasks() if t is not current]
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.gather(*pending, return_exceptions=True)


@pytest.fixture
def make_app(
    qapp: QApplication, run: Runner[Any], loop: asyncio.AbstractEventLoop
) -> Iterator[Callable[..., Awaitable[AppController]]]:
    """Build an AppController with an in-memory vault and fresh settings; closed after."""

    async def factory(
        *,
        vault: Any = None,
        settings: Settings | None = None,
        keep_window_state: bool = False,
        demo: bool = False,
    ) -> AppController:
        s = settings or Settings()
        # What the last console queued for the disk is there before this one starts, as a
        # new process finds it (the last one waited for its writes before it exited); and a
        # write still queued cannot land after the unlink below, in another test's window.
        assert flush_saves(), "the settings writer did not finish"
        # Each test's window starts as a first run's: no place, size or sidebar state left by
        # another test (they share the session's home); a test of that state keeps it.
        if not keep_window_state:
            paths.window_state_file().unlink(missing_ok=True)
        controller = AppController(qapp, s, server=None, demo=demo)
        await controller.setup(vault=vault or TokenStore(MemoryStore(), s))
        controller.window.resize(1200, 760)
        controller.window.show()
        _OPEN_APPS.append(controller)
        return controller

    yield factory
    if _OPEN_APPS:  # a test that was not a coroutine: settle here instead
        run(_settle())


async def sign_in(controller: AppController, server: RunningServer, who: tuple[str, str]) -> None:
    await controller.session.sign_in(server.base_url, who[0], who[1], keep=False)


def wrapped_lines(widget: QWidget) -> tuple[int, dict[str, tuple[int, int]]]:
    """The word-wrapped labels shown in `widget`: how many, and those given less height than
    their lines need (drawn into each other) as {text: (height, height needed)}."""
    shown = [
        label
        for label in widget.findChildren(QLabel)
        if label.isVisibleTo(widget) and label.wordWrap() and label.width() > 0
    ]
    squeezed = {
        label.text()[:40]: (label.height(), label.heightForWidth(label.width()))
        for label in shown
        if label.height() < label.heightForWidth(label.width())
    }
    return len(shown), squeezed
