"""Demo start: `--demo`'s sandbox started and signed in to, until the first page is ready, and
the longest the window went without a turn of its event loop meanwhile, against the same start
with the sandbox in a thread of the console, as it was before 2026-11-29.

Each start is a new process (what is imported matters: the thread had the console import the
server, FastAPI and uvicorn, on its GUI thread). The console is built in that process as the
UI tests build it (offscreen, 1280×800), its window shown before the clock starts; a 5 ms
timer on the GUI thread measures the gaps. "First start": no demo database yet, so the sandbox
makes the demo data; "again": the database is there.

Then the real program, `python -m callaro_desktop --demo`, from its launch to "signed in" in
its log (the sandbox is started before the window is built, so its start runs beside the
console's); with `--before DIR` (a checkout, e.g. `git worktree add /tmp/before <commit>`),
that checkout's launch too, interleaved, as the baseline.

    python benchmarks/bench_demo_start.py [--runs 5] [--before DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import ROOT, median, record, spread

PROBE = """
import asyncio, json, sys, time
import qasync
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

sys.path.insert(0, sys.argv[2])
from benchmarks.common import open_console, until

app = QApplication(sys.argv[:1])
app.setQuitOnLastWindowClosed(False)


async def in_a_thread(controller):
    # The start as it was: the server imported on the GUI thread, run in a thread.
    from callaro_desktop import paths
    from callaro_desktop.app import DEMO_EMAIL, DEMO_PASSWORD
    from callaro_desktop.services.tasks import in_thread
    from callaro_sandbox.server import run_in_thread

    db = paths.data_dir() / "demo-sandbox.db"
    controller.sandbox = await in_thread(lambda: run_in_thread(db))
    await controller.session.sign_in(
        controller.sandbox.base_url, DEMO_EMAIL, DEMO_PASSWORD, keep=False
    )


async def main():
    controller = await open_console()
    window = controller.window
    await asyncio.sleep(0.3)  # the window's first paint and settling, before the clock
    gaps = []
    last = [time.perf_counter()]

    def tick():
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(5)
    timer.timeout.connect(tick)
    timer.start()
    started = time.perf_counter()
    last[0] = started
    if sys.argv[1] == "thread":
        await in_a_thread(controller)
    else:
        await controller.start_demo()
    signed_in = time.perf_counter() - started

    def ready():
        page = window.current_page()
        return page is not None and page.states.state in ("ready", "empty")

    await until(ready, timeout=60)
    took = time.perf_counter() - started
    timer.stop()
    await controller.shutdown()
    return {"signed_in": signed_in, "ready": took, "worst_gap": max(gaps, default=0.0)}


with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
    print(json.dumps(runner.run(main())))
"""


def launch_once(root: Path, home: Path) -> float:
    """`python -m callaro_desktop --demo` from `root`, launch to "signed in" logged (s)."""
    log = home / "logs" / "callaro-desktop.log"
    log.unlink(missing_ok=True)
    env = dict(
        os.environ,
        CALLARO_DESKTOP_HOME=str(home),
        QT_QPA_PLATFORM="offscreen",
        QT_API="pyside6",
        PYTHONPATH=str(root),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "callaro_desktop", "--demo"],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while "signed in to http" not in (log.read_text(errors="replace") if log.exists() else ""):
            if proc.poll() is not None or time.perf_counter() - started > 120:
                raise RuntimeError(f"the demo launch from {root} did not sign in")
            time.sleep(0.005)
        return time.perf_counter() - started
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)


MODES = {"process": "sandbox in a process of its own (now)", "thread": "sandbox in a thread"}


def start_once(mode: str, home: Path, fresh: bool) -> dict[str, float]:
    database = home / "data" / "demo-sandbox.db"
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
    env = dict(
        os.environ,
        CALLARO_DESKTOP_HOME=str(home),
        QT_QPA_PLATFORM="offscreen",
        QT_API="pyside6",
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    out = subprocess.run(
        [sys.executable, "-c", PROBE, mode, str(ROOT)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=180,
    )
    if out.returncode != 0:
        raise RuntimeError(f"{mode} start failed:\n{out.stderr[-3000:]}")
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--before", type=Path, help="a checkout to launch as the baseline")
    parsed = parser.parse_args()
    runs: int = parsed.runs
    roots = {"this checkout": ROOT, **({"before": parsed.before} if parsed.before else {})}
    launches: dict[str, list[float]] = {}
    results: dict[tuple[str, bool], list[dict[str, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="callaro-bench-demo-home-") as folder:
        home = Path(folder)
        for counted in [False] + [True] * runs:  # one round not counted: disk caches, bytecode
            for fresh in (True, False):
                for mode in MODES:
                    took = start_once(mode, home, fresh)
                    if counted:
                        results.setdefault((mode, fresh), []).append(took)
            for name, root in roots.items():  # (a second start: the data is there)
                launched = launch_once(root, home / name.replace(" ", "-"))
                if counted:
                    launches.setdefault(name, []).append(launched)
    table = [("start", "to the first page ready ms", "min–max", "worst GUI gap ms", "min–max")]
    notes = []
    for fresh in (True, False):
        label = "first start (the demo data made)" if fresh else "again (the data there)"
        for mode, what in MODES.items():
            got = results[(mode, fresh)]
            ready = [r["ready"] * 1000 for r in got]
            gap = [r["worst_gap"] * 1000 for r in got]
            table.append(
                (
                    f"{label}, {what}",
                    f"{median(ready):.0f}",
                    spread(ready),
                    f"{median(gap):.0f}",
                    spread(gap),
                )
            )
        now, before = results[("process", fresh)], results[("thread", fresh)]
        gap_now = median([r["worst_gap"] for r in now])
        gap_before = median([r["worst_gap"] for r in before])
        ready_now = median([r["ready"] for r in now])
        ready_before = median([r["ready"] for r in before])
        notes.append(
            f"{label}: worst GUI gap {gap_now / gap_before:.2f}× the thread's"
            f" ({gap_now * 1000:.0f} against {gap_before * 1000:.0f} ms); to the first page"
            f" ready {ready_now / ready_before:.2f}× ({ready_now:.2f} against"
            f" {ready_before:.2f} s)"
        )
    for name, took in launches.items():
        table.append(
            (
                f"launch → signed in ({name}, the data there)",
                f"{median(took) * 1000:.0f}",
                spread([t * 1000 for t in took]),
                "",
                "",
            )
        )
    if "before" in launches:
        now, before = median(launches["this checkout"]), median(launches["before"])
        notes.append(
            f"launch → signed in: {now / before:.2f}× the baseline checkout's"
            f" ({now:.2f} against {before:.2f} s; before: {parsed.before})"
        )
    notes.append(
        f"medians of {runs} starts each (after one round not counted), each a new process;"
        " the modes interleaved; offscreen, 1280×800, the demo admin; the window shown and"
        " settled before the clock starts; gaps measured by a 5 ms timer on the GUI thread;"
        " the first page (the Dashboard) is ready when the sign-in returns: its data comes"
        " with the sign-in"
    )
    record("Demo start", table, notes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
