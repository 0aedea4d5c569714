"""Starting the console again brings the running one to the front (instance.py).

Two real processes on one home with a saved sign-in: the second used to start a console of
its own, refresh the same saved sign-in, and so have the server revoke it for both (refresh
tokens rotate; a spent one used again reads as theft) once the first refreshed its own.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.reliability.conftest import SandboxProcess
from tests.reliability.test_shutdown import _saved_sign_in, _wait_for_log


def _start(home: Path, server: str) -> subprocess.Popen[bytes]:
    env = dict(os.environ, CALLARO_DESKTOP_HOME=str(home), QT_QPA_PLATFORM="offscreen")
    return subprocess.Popen(
        [sys.executable, "-m", "callaro_desktop", "--server", server],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _stop(proc: subprocess.Popen[bytes]) -> int:
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_a_second_start_hands_over_to_the_running_console(
    sandbox: SandboxProcess, tmp_path: Path
) -> None:
    _saved_sign_in(tmp_path, sandbox.base_url)
    log = tmp_path / "logs" / "callaro-desktop.log"
    signed_in = f"signed in to {sandbox.base_url}"
    first = _start(tmp_path, sandbox.base_url)
    try:
        _wait_for_log(log, signed_in, first, timeout=60)
        # (Before it listens, LISTEN_AFTER_S into its start: this start waits for it.)
        asked = time.monotonic()
        second = _start(tmp_path, sandbox.base_url)
        try:
            code = second.wait(timeout=30)
        except subprocess.TimeoutExpired:
            _stop(second)
            pytest.fail("the second start ran a console of its own")
        took = time.monotonic() - asked
        content = log.read_text(encoding="utf-8")
        assert code == 0
        assert "another console is running here" in content
        assert "the console was started again: this one comes to the front" in content
        # The saved sign-in was used once: the second start never refreshed it.
        assert content.count(signed_in) == 1, content
        assert first.poll() is None, "the running console went away"
        # Quit, and started again at once, while the console is still quitting: the start
        # waits for it to be gone and is the console then (it must not hand over to a
        # console on its way out, and so leave nothing running).
        first.send_signal(signal.SIGTERM)
        third = _start(tmp_path, sandbox.base_url)
    finally:
        assert _stop(first) == 0
    print(f"a second start handed over and exited in {took:.2f} s")
    try:
        deadline = time.monotonic() + 60
        while log.read_text(encoding="utf-8").count(signed_in) < 2:
            assert third.poll() is None, "the start after a quit did not run"
            assert time.monotonic() < deadline, "the start after a quit did not sign in"
            time.sleep(0.05)
    finally:
        assert _stop(third) == 0
