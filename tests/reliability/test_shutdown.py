"""Quitting while requests are still on their way: out within 2 s, and nothing left dangling.

Two ways a person quits, each with the server holding every page request for seconds:
- the real program (`python -m callaro_desktop --server URL`, offscreen, signed in silently
  from a saved sign-in) gets SIGTERM, as from a session manager or Ctrl+C;
- in this process, the main window is closed (what Ctrl+Q and the close button do), and
  AppController.run() must return.
Neither may print "Event loop is closed", an unclosed client or transport, a task destroyed
while pending, or any traceback; warnings are turned on so a ResourceWarning would show.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import httpx
import pytest

from callaro_desktop.app import AppController
from callaro_desktop.secrets import service_name
from callaro_desktop.settings import Settings
from tests.reliability.conftest import FaultControl, Guards, SandboxProcess
from tests.views.conftest import ADMIN, wait_for

QUIT_LIMIT_S = 2.0
HOLD_MS = 6000  # how long the server sits on each page request
# Everything but signing in and the workspace list is slow, so the first page's requests are
# in flight when the quit comes.
SLOW = [
    {"route": route, "latency_ms": HOLD_MS}
    for route in (
        "/api/v1/onboarding*",
        "/api/v1/billing*",
        "/api/v1/phone_numbers*",
        "/api/v1/users*",
        "/api/v1/invitations*",
        "/api/v1/telephony_connections*",
    )
]
BAD_SIGNS = (
    "Event loop is closed",
    "Unclosed",
    "unclosed",
    "ResourceWarning",
    "Task was destroyed but it is pending",
    "Traceback",
    "Exception ignored",
    "RuntimeWarning",
)


def _saved_sign_in(home: Path, server: str) -> None:
    """A person who signed in before with "Keep me signed in" and chose the plain file
    (no keychain in CI): the console starts signed in, with no dialog."""
    r = httpx.post(
        f"{server}/api/v1/auth/login", json={"email": ADMIN[0], "password": ADMIN[1]}, timeout=10
    )
    r.raise_for_status()
    refresh = r.json()["data"]["refresh_token"]
    (home / "config").mkdir(parents=True)
    (home / "data").mkdir(parents=True)
    settings = {
        "server_url": server,
        "last_email": ADMIN[0],
        "keep_signed_in": True,
        "allow_plaintext_token_file": True,
        "saved_accounts": [{"server": server, "email": ADMIN[0]}],
    }
    (home / "config" / "settings.json").write_text(json.dumps(settings), encoding="utf-8")
    tokens = {service_name(server): {ADMIN[0]: refresh}}
    (home / "data" / "sign-ins-UNENCRYPTED.json").write_text(json.dumps(tokens), encoding="utf-8")


def _wait_for_log(log: Path, text: str, proc: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log.exists() and text in log.read_text(encoding="utf-8", errors="replace"):
            return
        if proc.poll() is not None:
            pytest.fail(f"the console exited ({proc.returncode}) before logging {text!r}")
        time.sleep(0.05)
    pytest.fail(f"{text!r} not logged within {timeout} s")


def _sigterm_once_logged(home: Path, server: str, logged: str, settle_s: float) -> float:
    """Start the real program on `home` against `server`; once it has logged `logged` and
    `settle_s` more have passed, send SIGTERM. Checks that it exits cleanly (code 0, "stopped"
    logged, nothing of BAD_SIGNS said) and returns how long the exit took."""
    env = dict(
        os.environ,
        CALLARO_DESKTOP_HOME=str(home),
        QT_QPA_PLATFORM="offscreen",
        QT_API="pyside6",
        PYTHONWARNINGS="always",
    )
    stderr_path = home / "stderr.txt"
    log = home / "logs" / "callaro-desktop.log"
    with stderr_path.open("wb") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "callaro_desktop", "--server", server],
            env=env,
            stdout=stderr,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_for_log(log, logged, proc, timeout=60)
            time.sleep(settle_s)
            asked = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            try:
                code = proc.wait(timeout=QUIT_LIMIT_S * 5)
            except subprocess.TimeoutExpired:
                pytest.fail(f"still running {QUIT_LIMIT_S * 5:g} s after SIGTERM")
            took = time.monotonic() - asked
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    output = stderr_path.read_text(encoding="utf-8", errors="replace")
    content = log.read_text(encoding="utf-8", errors="replace")
    assert code == 0, output
    assert "Callaro Desktop stopped" in content
    for sign in BAD_SIGNS:
        assert sign not in output, f"{sign!r} on the console's output:\n{output}"
        assert sign not in content, f"{sign!r} in the log:\n{content}"
    return took


def test_sigterm_with_requests_in_flight_exits_cleanly_and_fast(
    sandbox: SandboxProcess, tmp_path: Path
) -> None:
    httpx.put(f"{sandbox.base_url}/sandbox/faults", json={"rules": SLOW}, timeout=10)
    _saved_sign_in(tmp_path, sandbox.base_url)
    try:
        # (0.8 s on: the first page's requests are then held by the server.)
        signed_in = f"signed in to {sandbox.base_url}"
        took = _sigterm_once_logged(tmp_path, sandbox.base_url, signed_in, 0.8)
    finally:
        httpx.delete(f"{sandbox.base_url}/sandbox/faults", timeout=10)
    assert took < QUIT_LIMIT_S, f"quit took {took:.2f} s"
    print(f"SIGTERM to exit with requests in flight: {took:.2f} s")


def test_sigterm_while_the_sign_in_dialog_waits_exits_cleanly_and_fast(
    sandbox: SandboxProcess, tmp_path: Path
) -> None:
    """No saved sign-in: the console opens on its sign-in dialog. A signal used to be heard
    only once the start was over, so the console waited on the dialog until it was killed
    (a session ending, Ctrl+C in the terminal)."""
    took = _sigterm_once_logged(tmp_path, sandbox.base_url, "asking to sign in", 0.3)
    assert took < QUIT_LIMIT_S, f"quit took {took:.2f} s"
    print(f"SIGTERM to exit with the sign-in dialog open: {took:.2f} s")


async def test_closing_the_window_with_requests_in_flight_returns_from_run(
    qapp: Any,
    sandbox: SandboxProcess,
    fault_control: FaultControl,
    guards: Guards,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    guards.start()
    clients: list[httpx.AsyncClient] = []
    real_init = httpx.AsyncClient.__init__

    def tracked_init(self: httpx.AsyncClient, *args: Any, **kwargs: Any) -> None:
        real_init(self, *args, **kwargs)
        clients.append(self)

    monkeypatch.setattr(httpx.AsyncClient, "__init__", tracked_init)
    settings = Settings()
    # No keychain here (tests/conftest.py): run() keeps the sign-in in memory, as it would.
    controller = AppController(qapp, settings, server=sandbox.base_url, demo=False)
    loop = asyncio.get_running_loop()
    seen: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        # The start, up to the window built, is bench_startup.py's to measure, as in
        # guards.console (the first window of a process makes Qt's enum types: ~100 ms).
        with guards.paused():
            running = asyncio.ensure_future(controller.run())
            await wait_for(lambda: controller.window is not None, what="window built")
        try:
            dialog = await wait_for(lambda: controller.sign_in_dialog, what="sign-in dialog")
            dialog.email.setText(ADMIN[0])
            dialog.password.setText(ADMIN[1])
            await fault_control.set(SLOW)
            dialog.start_submit()
            window = await wait_for(
                lambda: controller.window if controller.session.tenant is not None else None,
                timeout=20,
                what="signed in",
            )
            await asyncio.sleep(0.5)
            in_flight = controller.session.tasks.running()
            assert in_flight, "nothing was loading: the quit would prove nothing"
            guards.phase("quit")
            asked = loop.time()
            window.close()  # the last window: Qt's lastWindowClosed asks the controller to quit
            await asyncio.wait_for(asyncio.shield(running), timeout=10)
            took = loop.time() - asked
        finally:
            if not running.done():
                controller.request_quit()
                await asyncio.wait_for(running, timeout=10)
            await fault_control.clear()
        assert running.result() == 0
        assert clients, "no HTTP client was made?"
        assert all(c.is_closed for c in clients), "an HTTP client was left open"
        await asyncio.sleep(0.2)  # let any straggler report itself
        seen = [str(w.message) for w in caught]
    assert took < QUIT_LIMIT_S, f"run() returned {took:.2f} s after the window closed"
    assert not [s for s in seen if any(b in s for b in BAD_SIGNS)], seen
    print(f"window close to run() returning, {len(in_flight)} loads in flight: {took:.2f} s")
    guards.check()
