"""The sandbox in a process of its own, as the console's demo mode starts it (`run_in_child`).

It runs beside the console rather than in one of its threads: the server's imports and its
Python per request no longer share the console's interpreter lock. These tests hold it to what
that promises: a free port, the URL known once it answers, nothing secret said, a stop that
is quick and clean, never left serving when the console is gone, and a failed start that says
why instead of hanging.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
import pytest

from callaro_sandbox.child import READY, run_in_child
from callaro_sandbox.db import Database

COMMAND = [sys.executable, "-m", "callaro_sandbox"]


def _copy(template: Path, folder: Path) -> Path:
    target = folder / "demo.db"
    source = Database.open(template)
    try:
        source.backup_to(target)
    finally:
        source.close()
    return target


def _gone(pid: int) -> bool:
    # Exited (a zombie not yet reaped by whoever adopted it counts: it serves nothing).
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rpartition(")")[2].split()[0] == "Z"
    except FileNotFoundError:
        return True


def test_it_serves_on_a_free_port_and_stops_cleanly(seeded_template: Path, tmp_path: Path) -> None:
    child = run_in_child(COMMAND, _copy(seeded_template, tmp_path))
    try:
        assert child.base_url.startswith("http://127.0.0.1:")
        assert child.process.poll() is None
        # Answering as soon as the URL is known: no polling needed by the caller.
        health = httpx.get(f"{child.base_url}/sandbox/health", timeout=10)
        assert health.status_code == 200
        login = httpx.post(
            f"{child.base_url}/api/v1/auth/login",
            json={"email": "admin@demo.callaro.test", "password": "demo-password-1"},
            timeout=30,
        )
        assert login.status_code == 200, login.text
    finally:
        started = time.monotonic()
        child.stop()
        took = time.monotonic() - started
    assert child.process.returncode == 0
    assert took < 4, f"the stop took {took:.1f} s"
    # Quiet: its one line is the URL. (Seeding would print the demo passwords and API key.)
    assert list(child.output) == [f"{READY}{child.base_url}"]


def test_a_new_database_is_seeded_without_saying_its_secrets(tmp_path: Path) -> None:
    child = run_in_child(COMMAND, tmp_path / "new.db")
    try:
        said = "\n".join(child.output)
        assert "demo-password" not in said and "sk_live_" not in said
        login = httpx.post(
            f"{child.base_url}/api/v1/auth/login",
            json={"email": "admin@demo.callaro.test", "password": "demo-password-1"},
            timeout=30,
        )
        assert login.status_code == 200  # the demo data was made
    finally:
        child.stop()


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="reads /proc (Linux)")
def test_it_goes_when_the_process_that_started_it_dies(
    seeded_template: Path, tmp_path: Path
) -> None:
    # The console crashing, or killed, must not leave a server behind on the user's machine:
    # the child stops when its standard input (the console's end of the pipe) closes.
    parent = textwrap.dedent(
        f"""
        import sys, time
        from callaro_sandbox.child import run_in_child
        child = run_in_child({COMMAND!r}, {str(_copy(seeded_template, tmp_path))!r})
        print(child.process.pid, flush=True)
        time.sleep(120)
        """
    )
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    proc = subprocess.Popen(
        [sys.executable, "-c", parent], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        assert proc.stdout is not None
        pid = int(proc.stdout.readline())
        assert not _gone(pid)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        deadline = time.monotonic() + 10
        while not _gone(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _gone(pid), "the sandbox outlived the process that started it"
    finally:
        if proc.poll() is None:
            proc.kill()


def test_a_start_that_fails_says_why_and_does_not_hang(tmp_path: Path) -> None:
    folder = tmp_path / "a-folder.db"
    folder.mkdir()  # SQLite cannot open a folder
    started = time.monotonic()
    with pytest.raises(RuntimeError, match="did not start") as failed:
        run_in_child(COMMAND, folder, startup_timeout=60)
    assert time.monotonic() - started < 30
    assert "unable to open database" in str(failed.value).lower()
