"""What every benchmark shares: a sandbox in its own process, timing helpers, the record.

Benchmarks are scripts, not tests: each runs its measurement several times, prints the
median beside a baseline measured in the same run, and appends both to RESULTS.md with
the command, the machine and the date, so a number is never quoted without its context.
"""

from __future__ import annotations

import asyncio
import atexit
import datetime as dt
import os
import platform
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx

T = TypeVar("T")
ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"

ADMIN = ("admin@demo.callaro.test", "demo-password-1")
SUPPORT = ("support@demo.callaro.test", "demo-password-5")

os.environ.setdefault("QT_API", "pyside6")
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Sandbox:
    """`callaro-sandbox serve` in a child process: the server is never timed as the console."""

    base_url: str
    db_path: Path
    proc: subprocess.Popen[bytes]
    # The folder start_sandbox made for it (database, log), removed when it stops: every run
    # left one behind, the large-tables benchmark's with 100,000 members in it.
    scratch: Path | None = None

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def scratch_home() -> None:
    """An in-process benchmark's console home: the one the caller set, else a folder of its
    own, removed when the process exits. (Call before the console is built.)"""
    if "CALLARO_DESKTOP_HOME" not in os.environ:
        os.environ["CALLARO_DESKTOP_HOME"] = tempfile.mkdtemp(prefix="callaro-bench-home-")
        atexit.register(shutil.rmtree, os.environ["CALLARO_DESKTOP_HOME"], True)


def start_sandbox(
    profile: str = "demo", *, rate_limit: bool = False, folder: Path | None = None
) -> Sandbox:
    scratch: Path | None = None  # (a folder of the caller's is the caller's to keep)
    if folder is None:
        folder = scratch = Path(tempfile.mkdtemp(prefix=f"callaro-bench-{profile}-"))
    db = folder / "sandbox.db"
    port = free_port()
    args = [sys.executable, "-m", "callaro_sandbox", "serve", "--db", str(db)]
    args += ["--port", str(port), "--seed-profile", profile, "--allow-fault-control"]
    if not rate_limit:
        args.append("--no-rate-limit")
    with (folder / "sandbox.log").open("wb") as log:  # (the child writes to its own copy)
        proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(f"{base}/sandbox/health", timeout=2).is_success:
                return Sandbox(base, db, proc, scratch)
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"sandbox did not start: see {folder / 'sandbox.log'}")
        time.sleep(0.1)


def login(base_url: str, who: tuple[str, str]) -> dict[str, str]:
    r = httpx.post(
        f"{base_url}/api/v1/auth/login", json={"email": who[0], "password": who[1]}, timeout=30
    )
    r.raise_for_status()
    data: dict[str, str] = r.json()["data"]
    return data


def run_in_process(
    description: str, bench: Callable[[str, int], Coroutine[Any, Any, T]], default_runs: int
) -> tuple[T, int]:
    """`bench(sandbox_url, runs)` on a qasync loop in this process, against a demo sandbox
    of its own, with `--runs` from the command line; its result and the runs asked for."""
    import argparse

    import qasync
    from PySide6.QtWidgets import QApplication

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--runs", type=int, default=default_runs)
    runs: int = parser.parse_args().runs
    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    with (
        start_sandbox("demo") as sandbox,
        asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner,
    ):
        return runner.run(bench(sandbox.base_url, runs)), runs


async def open_console() -> Any:
    """An AppController with its window shown at 1280x800, in this process, looking as the
    console does when a user starts it (the theme installed from default settings: its style
    sheet and style are part of every paint), signed in to nothing yet."""
    from PySide6.QtWidgets import QApplication

    from callaro_desktop.app import AppController
    from callaro_desktop.secrets import MemoryStore, TokenStore
    from callaro_desktop.settings import Settings
    from callaro_desktop.views import theme

    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    settings = Settings()
    theme.install(qapp, settings.appearance)
    controller = AppController(qapp, settings, server=None, demo=False)
    await controller.setup(vault=TokenStore(MemoryStore(), settings))
    controller.window.resize(1280, 800)
    controller.window.show()
    return controller


async def until(predicate: Callable[[], bool], timeout: float = 60.0) -> None:
    """Let the loop run until `predicate()` holds (polled every millisecond)."""
    deadline = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"not settled within {timeout:g} s")
        await asyncio.sleep(0.001)


# -- numbers ----------------------------------------------------------------------------------


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def spread(values: Sequence[float]) -> str:
    """min–max, to show how noisy the runs were."""
    return f"{min(values):.0f}–{max(values):.0f}"


def ms(seconds: float) -> float:
    return seconds * 1000.0


# -- the record -------------------------------------------------------------------------------


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine() -> dict[str, str]:
    from PySide6 import __version__ as pyside
    from PySide6.QtCore import qVersion

    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    try:
        uname = subprocess.run(["uname", "-a"], capture_output=True, text=True, check=True)
        system = uname.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        system = " ".join(p for p in platform.uname() if p)
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": system,
        "cpu": f"{_cpu_model()} ({os.cpu_count()} logical CPUs)",
        "python": platform.python_version(),
        "qt": f"Qt {qVersion()}, PySide6 {pyside}",
        "load": "load average {:.2f} {:.2f} {:.2f} (1/5/15 min) when the run ended".format(*load),
    }


def command_line() -> str:
    script = Path(sys.argv[0]).resolve()
    try:
        shown = str(script.relative_to(ROOT))
    except ValueError:
        shown = str(script)
    return "python " + " ".join(shlex.quote(a) for a in [shown, *sys.argv[1:]])


def record(title: str, table: Sequence[Sequence[str]], notes: Sequence[str] = ()) -> None:
    """Print the table and append it, with its context, to RESULTS.md."""
    info = machine()
    header, *rows = table
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    print()
    print(title)
    for row in table:
        print("  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))
    for note in notes:
        print(f"  - {note}")
    lines = [
        f"## {title} — {info['date']}",
        "",
        f"- command: `{command_line()}`",
        f"- machine: `{info['machine']}`",
        f"- CPU: {info['cpu']}; {info['load']}",
        f"- Python {info['python']}, {info['qt']}",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
        *["| " + " | ".join(row) + " |" for row in rows],
        "",
        *[f"- {note}" for note in notes],
        "",
    ]
    if not RESULTS.exists():
        RESULTS.write_text(
            "# Benchmark results\n\nAppended by the scripts in this folder (see README.md);"
            " newest last.\n\n",
            encoding="utf-8",
        )
    with RESULTS.open("a", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")
