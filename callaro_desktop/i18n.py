"""Translation entry point for code that is not a QObject.

QObject subclasses use `self.tr()`; everything else calls `tr()` here so every
user-visible string still goes through Qt's translator.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication


def tr(text: str, context: str = "CallaroDesktop") -> str:
    return QCoreApplication.translate(context, text)
