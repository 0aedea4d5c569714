"""No coroutine calls processEvents().

Under qasync the running loop is Qt's: processEvents() inside a coroutine re-enters it, and the
timer that was to wake a waiting task can be lost, so the task (a test, or the console's own
load) waits forever with the loop idle. It happened in a UI test of this project; awaiting
asyncio.sleep() lets Qt run its events instead.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _offenders(paths: Iterable[Path]) -> list[str]:
    found = []
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "processEvents"
                ):
                    found.append(f"{path.name}:{node.lineno} in {function.name}")
    return found


def test_no_coroutine_processes_qt_events_itself() -> None:
    sources = [
        *ROOT.joinpath("callaro_desktop").rglob("*.py"),
        *ROOT.joinpath("tests").rglob("*.py"),
    ]
    assert len(sources) > 100
    assert _offenders(sources) == []


def test_the_check_finds_one(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "def fine(app):\n    app.processEvents()\n\n"
        "async def stuck(app):\n    await x()\n    QApplication.processEvents()\n"
    )
    assert _offenders([bad]) == ["bad.py:6 in stuck"]
