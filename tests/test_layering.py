"""Layering rules from design.md, checked on the source rather than trusted.

- callaro_desktop/api and callaro_sandbox import no Qt (PySide6, shiboken6, qasync).
- callaro_sandbox never imports callaro_desktop, and the client never imports the sandbox.
- views never import httpx (they ask services, which ask the client).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
QT_MODULES = {"PySide6", "PyQt6", "PyQt5", "PySide2", "shiboken6", "qasync", "pytestqt"}


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def _sources(folder: str) -> list[Path]:
    files = sorted((ROOT / folder).rglob("*.py"))
    assert files, f"no Python sources under {folder}"
    return files


@pytest.mark.parametrize("folder", ["callaro_desktop/api", "callaro_sandbox"])
def test_no_qt_in_core_layers(folder: str) -> None:
    offenders = {
        str(p.relative_to(ROOT)): sorted(_imported_roots(p) & QT_MODULES) for p in _sources(folder)
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_sandbox_and_client_do_not_import_each_other() -> None:
    sandbox = [p for p in _sources("callaro_sandbox") if "callaro_desktop" in _imported_roots(p)]
    client = [p for p in _sources("callaro_desktop/api") if "callaro_sandbox" in _imported_roots(p)]
    assert sandbox == [] and client == []


def test_views_never_speak_http() -> None:
    offenders = [p for p in _sources("callaro_desktop/views") if "httpx" in _imported_roots(p)]
    assert offenders == []


def test_checker_sees_a_qt_import(tmp_path: Path) -> None:
    # Guard against a checker that can never fail.
    bad = tmp_path / "bad.py"
    bad.write_text("from PySide6.QtCore import QObject\nimport qasync\n")
    assert _imported_roots(bad) & QT_MODULES == {"PySide6", "qasync"}


def test_no_loop_executor_threads_in_the_app() -> None:
    # Under qasync, asyncio.to_thread / run_in_executor use QThreads; one still running at
    # interpreter exit aborts the process. Blocking work goes through tasks.in_thread.
    offenders = [
        str(p.relative_to(ROOT))
        for p in _sources("callaro_desktop")
        if "asyncio.to_thread(" in p.read_text(encoding="utf-8")
        or "run_in_executor(" in p.read_text(encoding="utf-8")
    ]
    assert offenders == []
