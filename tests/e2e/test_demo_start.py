"""`callaro-desktop --demo` as a user starts it: a real process, offscreen.

It must start the sandbox (a process of its own), sign in, and quit cleanly on SIGTERM
(client closed, sandbox stopped), leaving a log with no secret in it.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from callaro_desktop.logs import contains_secret


def _wait_for_line(log: Path, text: str, proc: subprocess.Popen[bytes], timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        content = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
        if text in content:
            return content
        if proc.poll() is not None:
            out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
            pytest.fail(f"console exited with {proc.returncode} before '{text}':\n{out}")
        time.sleep(0.1)
    pytest.fail(f"'{text}' not logged within {timeout} s")


def _alive(pid: int) -> bool:
    if not Path("/proc/self").exists():  # macOS: no /proc (the console reaps its child)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    # A zombie, exited but not yet reaped, serves nothing.
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rpartition(")")[2].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.slow
def test_demo_mode_starts_signed_in_and_quits_cleanly(tmp_path: Path) -> None:
    env = dict(
        os.environ,
        CALLARO_DESKTOP_HOME=str(tmp_path),
        QT_QPA_PLATFORM="offscreen",
        QT_API="pyside6",
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "callaro_desktop", "--demo"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    log = tmp_path / "logs" / "callaro-desktop.log"
    try:
        started = time.monotonic()
        content = _wait_for_line(log, "signed in to http://127.0.0.1:", proc, timeout=90)
        took = time.monotonic() - started
        # The sandbox runs in a process of its own, beside the console's.
        found = re.search(r"demo sandbox at http://127\.0\.0\.1:\d+ \(process (\d+)\)", content)
        assert found, content
        sandbox = int(found.group(1))
        assert sandbox != proc.pid and _alive(sandbox)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
        # ...and is stopped by the console's quit, not left behind.
        assert not _alive(sandbox)
    finally:
        if proc.poll() is None:
            proc.kill()
    content = log.read_text(encoding="utf-8")
    assert "Callaro Desktop stopped" in content
    assert not contains_secret(content)
    assert (tmp_path / "data" / "demo-sandbox.db").exists()
    print(f"demo start to signed in: {took:.1f} s")
