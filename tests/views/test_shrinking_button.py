"""A toolbar button whose name is cut short (…) rather than pushed into the » overflow."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMainWindow, QSizePolicy, QToolBar, QToolButton, QWidget
from pytestqt.qtbot import QtBot

from callaro_desktop.views.widgets.shrinking_button import ShrinkingToolButton

NAME = "Brightline Logistics International Private Limited & Sons"


def _window(qtbot: QtBot) -> tuple[QMainWindow, ShrinkingToolButton, QLabel, QToolButton]:
    window = QMainWindow()
    qtbot.addWidget(window)
    bar = QToolBar()
    window.addToolBar(bar)
    button = ShrinkingToolButton()
    bar.addWidget(button)
    spacer = QWidget()
    spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    bar.addWidget(spacer)
    after = QLabel("Account name")  # what the overflow used to take with the button
    bar.addWidget(after)
    window.setCentralWidget(QWidget())
    overflow = bar.findChild(QToolButton, "qt_toolbar_ext_button")
    assert overflow is not None
    return window, button, after, overflow


def test_the_name_is_cut_to_the_room_given_and_whole_again_with_room(qtbot: QtBot) -> None:
    window, button, after, overflow = _window(qtbot)
    # Named while hidden, as a new window's toolbar is: the size the toolbar gives before the
    # first show is the size it is shown at.
    button.set_name(NAME, "  ·  Tenant Admin", tip="Switch workspace (Ctrl+T)")
    window.resize(420, 200)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: button.is_name_cut())
    assert button.text().startswith("Brightline") and button.text().endswith(
        "…  ·  Tenant Admin  ▾"
    )
    assert after.isVisible() and not overflow.isVisible()
    assert button.toolTip() == f"{NAME}  ·  Tenant Admin\nSwitch workspace (Ctrl+T)"
    assert button.width() >= button.minimumSizeHint().width()

    window.resize(1200, 200)
    qtbot.waitUntil(lambda: not button.is_name_cut())
    assert (
        button.text()
        == "Brightline Logistics International Private Limited && Sons  ·  Tenant Admin  ▾"
    )
    assert button.toolTip() == "Switch workspace (Ctrl+T)"


def test_an_ampersand_in_a_name_is_shown_not_made_a_shortcut(qtbot: QtBot) -> None:
    window, button, _after, _overflow = _window(qtbot)
    button.set_name("R&D", arrow=False)
    window.resize(600, 200)
    window.show()
    qtbot.waitExposed(window)
    assert button.text() == "R&&D" and not button.is_name_cut()


def test_a_larger_font_is_measured_again_not_taken_from_the_kept_widths(qtbot: QtBot) -> None:
    # The widths of texts are kept between size hints; a font change must not reuse them
    # (an accessibility font size, or the system font changed while the console runs).
    window, button, _after, _overflow = _window(qtbot)
    button.set_name(NAME, "  ·  Tenant Admin")
    window.resize(420, 200)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: button.is_name_cut())
    font = button.font()
    font.setPointSizeF(font.pointSizeF() * 1.6)
    button.setFont(font)
    button.resize(button.width() + 1, button.height())  # the toolbar fits it again

    def width(text: str) -> int:
        return button.fontMetrics().size(Qt.TextFlag.TextShowMnemonic, text).width()

    whole = NAME.replace("&", "&&") + "  ·  Tenant Admin  ▾"
    qtbot.waitUntil(lambda: width(button.text()) < button.width())
    assert button.sizeHint().width() > width(whole)
    assert button.is_name_cut() and button.text().endswith("…  ·  Tenant Admin  ▾")
