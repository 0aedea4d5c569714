"""Widgets only: pages, dialogs, the shell and reusable pieces. They ask services for data.

Importing this package also takes away a cost PySide6 puts on every later import (below).
"""

from __future__ import annotations

import builtins

import PySide6.QtCore  # noqa: F401  (installs the import hook taken away below)


def without_feature_import() -> None:
    """Put back the import PySide6 wraps for `from __feature__ import snake_case`.

    The wrapper runs Python on every import statement anywhere in the process (a frame lookup
    and a dict probe, even for a module long imported) and, for each module new to it, reads
    the module's whole source to see whether it mentions "PySide6". The console uses no
    `__feature__` (and nothing it imports does), so that was pure start-up cost: every module
    of the HTTP stack, the models, the keychain and the pages paid it. Only PySide's outer
    wrapper goes; the import it wraps (PySide's own lazy loading of Qt types) stays. Private
    PySide API: when it is not there, nothing changes. Once it is gone, `from __feature__
    import ...` has no effect in this process.
    """
    hook = builtins.__import__
    wrapped = getattr(builtins, "__orig_import__", None)
    if getattr(hook, "__name__", "") == "__feature_import__" and callable(wrapped):
        builtins.__import__ = wrapped


without_feature_import()
