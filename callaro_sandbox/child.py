"""The sandbox in a process of its own, started and stopped by a caller (the console's demo).

Standard library only: the console imports this on its GUI thread, and the server's own
imports (FastAPI, uvicorn: ~0.5 s) happen in the child, on another core.
"""

from __future__ import annotations

import collections
import contextlib
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

# The line `serve` writes once it listens, with its URL: a caller that asked for port 0 (a
# free one) learns it there, and knows that requests are answered from then on.
READY = "callaro-sandbox: listening on "


@dataclass
class ChildServer:
    """The sandbox in a process of its own (`run_in_child`)."""

    base_url: str
    process: subprocess.Popen[bytes]
    output: collections.deque[str] = field(default_factory=lambda: collections.deque(maxlen=40))

    def stop(self, timeout: float = 5.0) -> None:
        """Close its standard input (it stops and closes its database) and wait for it."""
        if self.process.stdin is not None and not self.process.stdin.closed:
            with contextlib.suppress(OSError):
                self.process.stdin.close()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout)


class StartingChild:
    """A sandbox process started (`spawn`) and not yet waited for: the caller gets on with its
    own start meanwhile (the console builds its window while the sandbox imports its server)."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.child = ChildServer("", process)
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, name="sandbox-output", daemon=True).start()

    def _read(self) -> None:
        # Reads to the end, long after the ready line: a full pipe would stall the child.
        stdout = self.child.process.stdout
        assert stdout is not None
        for raw in stdout:
            line = raw.decode("utf-8", "replace").rstrip()
            self.child.output.append(line)
            self._lines.put(line)
        self._lines.put(None)

    def wait(self, timeout: float = 60.0) -> ChildServer:
        """The server once it listens; RuntimeError (it stopped, with what it said) if it
        does not within `timeout` s. Blocks: not on a GUI thread."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                line = None
            if line is not None and line.startswith(READY):
                self.child.base_url = line.removeprefix(READY).strip()
                return self.child
            if line is None:
                self.child.stop(timeout=5)
                said = "\n".join(self.child.output) or "(nothing)"
                raise RuntimeError(f"sandbox server did not start; it said:\n{said}")

    def stop(self) -> None:
        self.child.stop()


def spawn(
    command: Sequence[str],
    db_path: str | Path,
    *,
    seed_profile: str = "demo",
    options: Sequence[str] = (),
) -> StartingChild:
    """Start `command` (what runs this package's CLI: `python -m callaro_sandbox`, or a frozen
    console's own executable with its flag) serving ``db_path`` on a free loopback port; its
    `wait()` gives the running server. It stops when `stop()` is called or the caller's
    process ends (its standard input closes).

    A process of its own, not a thread of the caller's: in the console's process, importing
    the server held the GUI thread ~0.3 s at every demo start, and the server's Python
    (seeding, routing, validation, SQLite) shared the interpreter lock with the window
    (benchmarks/bench_demo_start.py)."""
    args = [*command, "serve", "--db", str(db_path), "--port", "0"]
    args += ["--seed-profile", seed_profile, "--exit-with-stdin", "--quiet", *options]
    # No console window for it on Windows (the caller may be a windowed program).
    flags = getattr(subprocess, "CREATE_NO_WINDOW", 0)
    process = subprocess.Popen(
        args,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        creationflags=flags,
        env=_child_env(),
    )
    return StartingChild(process)


def run_in_child(
    command: Sequence[str],
    db_path: str | Path,
    *,
    seed_profile: str = "demo",
    options: Sequence[str] = (),
    startup_timeout: float = 60.0,
) -> ChildServer:
    """`spawn(...)`, then wait until it listens."""
    return spawn(command, db_path, seed_profile=seed_profile, options=options).wait(startup_timeout)


def _child_env() -> dict[str, str]:
    # `python -m callaro_sandbox` finds this package wherever the caller did (a checkout run
    # from another folder, not installed).
    env = dict(os.environ)
    if not getattr(sys, "frozen", False):  # (a frozen build runs its own executable)
        here = str(Path(__file__).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (here, env.get("PYTHONPATH", "")) if p)
    return env
