"""Preferences: appearance, where sign-ins are stored, request timeout, logs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from callaro_desktop import paths
from callaro_desktop.i18n import tr
from callaro_desktop.services.tasks import background
from callaro_desktop.settings import Settings

APPEARANCES = (("system", "System"), ("light", "Light"), ("dark", "Dark"))


class PreferencesDialog(QDialog):
    def __init__(
        self,
        settings: Settings,
        *,
        storage_text: str,
        forget: Callable[[], Awaitable[int]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Preferences"))
        self.setAccessibleName(tr("Preferences"))
        self.setMinimumWidth(480)
        self._settings = settings
        self._forget = forget

        self.appearance = QComboBox()
        self.appearance.setAccessibleName(tr("Appearance"))
        for value, label in APPEARANCES:
            self.appearance.addItem(tr(label), value)
        self.appearance.setCurrentIndex(
            max(0, [v for v, _ in APPEARANCES].index(settings.appearance))
        )
        look = QGroupBox(tr("Appearance"))
        look_form = QFormLayout(look)
        look_form.addRow(tr("&Theme"), self.appearance)

        self.storage = QLabel(storage_text)
        self.storage.setWordWrap(True)
        self.storage.setAccessibleName(tr("Where sign-ins are stored"))
        self.forget_button = QPushButton(tr("&Forget saved sign-ins"))
        self.forget_button.setAccessibleName(tr("Forget saved sign-ins"))
        self.forget_button.clicked.connect(self._on_forget)
        self.forget_result = QLabel()
        self.forget_result.setProperty("muted", True)
        signins = QGroupBox(tr("Sign-ins"))
        sign_lay = QVBoxLayout(signins)
        sign_lay.addWidget(self.storage)
        sign_lay.addWidget(self.forget_button)
        sign_lay.addWidget(self.forget_result)

        self.timeout = QSpinBox()
        self.timeout.setRange(5, 300)
        self.timeout.setSuffix(tr(" s"))
        self.timeout.setValue(int(settings.request_timeout_s))
        self.timeout.setAccessibleName(tr("Request timeout in seconds"))
        network = QGroupBox(tr("Network"))
        net_form = QFormLayout(network)
        net_form.addRow(tr("&Request timeout"), self.timeout)

        logs_button = QPushButton(tr("Open &log folder"))
        logs_button.setAccessibleName(tr("Open log folder"))
        logs_button.clicked.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(paths.log_dir())))
        )
        logs_label = QLabel(str(paths.log_dir()))
        logs_label.setProperty("muted", True)
        logs = QGroupBox(tr("Logs"))
        logs_lay = QVBoxLayout(logs)
        logs_lay.addWidget(logs_label)
        logs_lay.addWidget(logs_button)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        for box in (look, signins, network, logs):
            lay.addWidget(box)
        lay.addWidget(buttons)

    def apply_to(self, settings: Settings) -> None:
        settings.appearance = self.appearance.currentData()
        settings.request_timeout_s = self.timeout.value()

    def _on_forget(self) -> None:
        async def run() -> None:
            self.forget_button.setEnabled(False)
            count = await self._forget()
            self.forget_result.setText(tr("Forgot {0} saved sign-in(s).").format(count))
            self.forget_button.setEnabled(True)

        background(run())
