"""The start-up benchmark's count of Qt's enum types (benchmarks/bench_startup.py) counts them,
and only them: if PySide6 or Python ever made them another way, the benchmark would only say
"not counted", and this fails instead."""

from __future__ import annotations

import enum
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import Qt

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import enum, sys
sys.path.insert(0, sys.argv[1])
import benchmarks.bench_startup as bench
bench._count_enum_creation()
from PySide6.QtCore import Qt
Qt.AlignmentFlag  # Qt's namespace, with all its enum types
for i in range(100):  # not Qt's: not counted
    enum.IntEnum(f"Mine{i}", ["A", "B"])
bench._report_enums()
"""


def _marks(count: bool) -> dict[str, float]:
    env = dict(os.environ)
    if count:
        env["CALLARO_BENCH_COUNT_ENUMS"] = "1"
    else:
        env.pop("CALLARO_BENCH_COUNT_ENUMS", None)
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(ROOT)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    marks: dict[str, float] = {}
    for line in done.stdout.splitlines():
        name, _, value = line.partition(" ")
        marks[name] = float(value)
    return marks


def test_qt_enum_types_are_counted_and_timed_and_no_others() -> None:
    qt_kinds = [v for v in vars(Qt).values() if isinstance(v, type) and issubclass(v, enum.Enum)]
    marks = _marks(count=True)
    assert marks["ENUMS"] >= len(qt_kinds) > 50
    assert marks["ENUM_SECONDS"] > 0
    # Importing QtCore makes a few dozen types of its own (QLocale's, …) besides Qt's
    # namespace; the child's hundred types of its own are not among those counted.
    assert marks["ENUMS"] < len(qt_kinds) + 60


def test_nothing_is_reported_unless_asked() -> None:
    assert _marks(count=False) == {}
