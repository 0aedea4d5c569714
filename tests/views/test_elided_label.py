"""A label of the users' data cut short (…) rather than widening its page."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QToolTip, QWidget
from pytestqt.qtbot import QtBot

from callaro_desktop.views.widgets.elided_label import ElidedLabel

EMAIL = "support.engineering.escalations@brightline-logistics-international.example"


def test_a_long_email_takes_the_room_it_gets_and_keeps_its_whole_text(qtbot: QtBot) -> None:
    holder = QWidget()
    qtbot.addWidget(holder)
    row = QHBoxLayout(holder)
    label = ElidedLabel(EMAIL)
    label.setToolTip("Your sign-in")
    row.addWidget(QLabel("Email"))
    row.addWidget(label, 1)
    plain = QLabel(EMAIL)
    assert label.minimumSizeHint().width() < plain.minimumSizeHint().width() // 4
    assert label.sizeHint().width() == plain.sizeHint().width()  # asks for all of it

    holder.resize(260, 40)
    holder.show()
    qtbot.waitExposed(holder)
    assert holder.minimumSizeHint().width() <= 260
    assert label.is_cut() and label.text() == EMAIL  # drawn cut, still the whole text
    # On hover: the whole text, then its own tooltip.
    tip = QHelpEvent(QEvent.Type.ToolTip, QPoint(5, 5), label.mapToGlobal(QPoint(5, 5)))
    QApplication.sendEvent(label, tip)
    qtbot.waitUntil(QToolTip.isVisible)
    assert QToolTip.text() == f"{EMAIL}\nYour sign-in"
    QToolTip.hideText()

    holder.resize(1200, 40)
    qtbot.waitUntil(lambda: not label.is_cut())
