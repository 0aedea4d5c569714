"""views/__init__.py takes PySide's `__feature__` import hook away: later imports run no Python
of PySide's, Qt's own lazy loading still works, and nothing else of the interpreter changes."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(code: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_modules_imported_after_the_views_are_not_inspected_by_pyside() -> None:
    # PySide records its verdict on every module imported while its hook is in place; with the
    # hook gone, a module imported afterwards never reaches that record.
    result = _run(
        """
        import builtins, sys
        import PySide6.QtCore
        feature = sys.modules["shibokensupport.feature"]
        assert builtins.__import__.__name__ == "__feature_import__", builtins.__import__
        import fractions  # imported under PySide's hook: it is inspected
        assert "fractions" in feature.pyside_feature_dict
        import callaro_desktop.views
        assert builtins.__import__.__name__ != "__feature_import__", builtins.__import__
        assert "colorsys" not in sys.modules and "json.tool" not in sys.modules
        import colorsys, json.tool  # first imported afterwards: not inspected
        assert "colorsys" not in feature.pyside_feature_dict, "colorsys was inspected"
        assert "json.tool" not in feature.pyside_feature_dict, "json.tool was inspected"
        print("OK")
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "OK"


def test_qt_still_loads_and_imports_still_work_without_the_hook() -> None:
    result = _run(
        """
        import callaro_desktop.views
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QApplication, QLabel
        from PySide6 import QtSvg  # a Qt module first imported after the hook went
        app = QApplication([])
        label = QLabel("ready")
        label.setAlignment(Qt.AlignmentFlag.AlignRight)
        assert label.text() == "ready"
        assert label.alignment() == Qt.AlignmentFlag.AlignRight
        assert QtSvg.QSvgRenderer().isValid() is False
        import callaro_desktop.views.pages.users  # a page, imported the ordinary way
        print("OK")
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "OK"


def test_taking_the_hook_away_twice_changes_nothing() -> None:
    import builtins

    import callaro_desktop.views as views

    before = builtins.__import__
    views.without_feature_import()
    assert builtins.__import__ is before
    assert getattr(before, "__name__", "") != "__feature_import__"
