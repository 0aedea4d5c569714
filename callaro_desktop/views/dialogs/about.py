"""About Callaro Desktop: version, the libraries it stands on and their licences."""

from __future__ import annotations

import platform

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from callaro_desktop import __version__
from callaro_desktop.i18n import tr


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("About Callaro Desktop"))
        self.setAccessibleName(tr("About Callaro Desktop"))
        title = QLabel(tr("Callaro Desktop {0}").format(__version__))
        title.setObjectName("StateTitle")
        body = QLabel(
            tr(
                "A desktop admin console for Callaro workspaces.<br><br>"
                "Python {0} · Qt {1} · PySide6 {2}<br><br>"
                "Qt for Python (PySide6) is used under the GNU LGPL v3; Qt is loaded as "
                "shared libraries, which you may replace. HTTPX, pydantic, qasync, keyring, "
                "platformdirs, FastAPI, uvicorn, PyJWT, argon2-cffi and fpdf2 are used under "
                "their own open-source licences (BSD, MIT, Apache-2.0, LGPL)."
            ).format(platform.python_version(), qVersion(), pyside_version)
        )
        body.setWordWrap(True)
        body.setTextFormat(Qt.TextFormat.RichText)
        body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(title)
        lay.addWidget(body)
        lay.addWidget(buttons)
        self.setMinimumWidth(460)
