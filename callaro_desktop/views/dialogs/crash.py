"""The crash dialog: what went wrong, in a report a user can copy to support.

The report carries versions, the platform, recent request ids and the traceback,
all passed through the log redactor first, so no token or key can ride along.
"""

from __future__ import annotations

import platform
import sys
import traceback
from collections.abc import Sequence
from types import TracebackType

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QUrl, qVersion
from PySide6.QtGui import QDesktopServices, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from callaro_desktop import __version__, paths
from callaro_desktop.i18n import tr
from callaro_desktop.logs import redact


def build_report(
    exc_type: type[BaseException],
    exc: BaseException,
    tb: TracebackType | None,
    request_ids: Sequence[str] = (),
) -> str:
    lines = [
        f"Callaro Desktop {__version__}",
        f"Python {platform.python_version()} ({sys.platform}), Qt {qVersion()}, "
        f"PySide6 {pyside_version}",
        f"OS: {platform.platform()}",
        f"Recent request ids: {', '.join(request_ids) if request_ids else 'none'}",
        "",
        "".join(traceback.format_exception(exc_type, exc, tb)),
    ]
    return redact("\n".join(lines))


class CrashDialog(QDialog):
    def __init__(self, report: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Callaro Desktop ran into a problem"))
        self.setAccessibleName(tr("Error report"))
        self.resize(640, 420)
        intro = QLabel(
            tr(
                "Something went wrong inside the console. Your work on other pages is "
                "unaffected. If it happens again, copy this report and send it to support; "
                "it contains no passwords, tokens or keys. The log folder has more detail."
            )
        )
        intro.setWordWrap(True)
        self.report = QPlainTextEdit(report)
        self.report.setReadOnly(True)
        self.report.setAccessibleName(tr("Error report text"))
        self.report.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = QPushButton(tr("&Copy report"))
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(report))
        logs = QPushButton(tr("Open &log folder"))
        logs.clicked.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(paths.log_dir())))
        )
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(logs, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addWidget(self.report, 1)
        lay.addWidget(QLabel(tr("Log folder: {0}").format(paths.log_dir())))
        lay.addWidget(buttons)
