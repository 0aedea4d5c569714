"""The account badge dialog: a short label and a colour for an account.

Support staff keep production and staging (or two customers) signed in side by side;
the badge ("PROD" in red) is shown in the toolbar and the window title of every window
on that account, so nobody acts on the wrong deployment.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from callaro_desktop.i18n import tr
from callaro_desktop.services.accounts import BADGE_COLOURS, Account

COLOUR_NAMES = ("Red", "Pink", "Purple", "Indigo", "Teal", "Green", "Orange")


def _swatch(colour: str) -> QIcon:
    pm = QPixmap(16, 16)
    pm.fill(QColor(colour))
    return QIcon(pm)


class AccountBadgeDialog(QDialog):
    def __init__(self, account: Account, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Account label"))
        self.setAccessibleName(tr("Account label"))
        self.setMinimumWidth(420)
        intro = QLabel(
            tr(
                "Give {0} on {1} a short label, such as PROD or STAGING. It is shown in the "
                "toolbar and the window title of every window on this account. Leave it "
                "empty to remove the label."
            ).format(account.email, account.server)
        )
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.PlainText)
        badge = account.badge
        self.label = QLineEdit(badge.label if badge else "")
        self.label.setMaxLength(24)
        self.label.setPlaceholderText(tr("e.g. PROD"))
        self.label.setAccessibleName(tr("Label"))
        self.colour = QComboBox()
        self.colour.setAccessibleName(tr("Colour"))
        for value, name in zip(BADGE_COLOURS, COLOUR_NAMES, strict=True):
            self.colour.addItem(_swatch(value), tr(name), value)
        if badge is not None and badge.colour in BADGE_COLOURS:
            self.colour.setCurrentIndex(BADGE_COLOURS.index(badge.colour))
        form = QFormLayout()
        form.addRow(tr("&Label"), self.label)
        form.addRow(tr("&Colour"), self.colour)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addLayout(form)
        lay.addWidget(buttons)
        self.label.setFocus()

    def value(self) -> tuple[str, str]:
        return self.label.text().strip().upper(), str(self.colour.currentData())
