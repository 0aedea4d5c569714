"""Widgets only: pages, dialogs, the shell and reusable pieces. They ask services for data.

Importing this package also trims a start-up cost PySide6 puts on every later import (below).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import ModuleType

import PySide6.QtCore  # noqa: F401  (installs the import hook trimmed below)


def _quicker_feature_check() -> None:
    """PySide6 asks of every module imported after it whether its source mentions "PySide6"
    (to support `from __feature__ import snake_case`), and finds out with
    `inspect.getsource`: linecache, tokenize and a decode of the whole file. Over the console's
    modules that came to ~30 ms of start-up and more on every first page open. Same question,
    same answer, from the file's raw bytes; anything unusual goes to PySide's own check. Private
    PySide API: when it is not there, nothing changes.
    """
    feature = sys.modules.get("shibokensupport.feature")
    original: Callable[[ModuleType], bool] | None = getattr(feature, "_mod_uses_pyside", None)
    if feature is None or original is None or getattr(original, "callaro", False):
        return

    def uses_pyside(module: ModuleType) -> bool:
        path = getattr(module, "__file__", None)
        if not isinstance(path, str) or not path.endswith(".py"):
            return original(module)
        try:
            with open(path, "rb") as source:
                return b"PySide6" in source.read()
        except OSError:
            return original(module)

    uses_pyside.callaro = True  # type: ignore[attr-defined]
    setattr(feature, "_mod_uses_pyside", uses_pyside)  # noqa: B010  (a private name, looked up by PySide)


_quicker_feature_check()
