"""Guard against a Qt binding that corrupts Python's reference counts.

PySide6 6.12.0 drops a reference to None on every call that returns nothing; on
Python 3.11, where None is a normal object, a long session eventually aborts with
"none_dealloc". pyproject excludes that release; this test fails if such a binding
is ever installed again.
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QLabel


def test_void_qt_calls_leave_none_alone(qapp: QApplication) -> None:
    label = QLabel()
    before = sys.getrefcount(None)
    for _ in range(2000):
        label.setText("x")
        label.setEnabled(True)
    after = sys.getrefcount(None)
    # Other threads may hold or drop a few references meanwhile; a leak is thousands.
    assert abs(after - before) < 200, (before, after)
