"""The two appearances: an unticked checkbox must show its outline in both.

Fusion draws an indicator's outline from the window colour darkened, which all but
vanishes on a dark window; the dark theme installs a proxy style that fixes it, and the
light theme goes without (every primitive would otherwise pass through Python).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QCheckBox, QStyle, QStyleOptionButton

from callaro_desktop.views import theme


@pytest.fixture
def themed(qapp: QApplication) -> Iterator[QApplication]:
    style, palette, sheet = qapp.style().name(), qapp.palette(), qapp.styleSheet()
    yield qapp
    # Other tests render with the session's own look: put it back.
    qapp.setStyle(style)
    qapp.setPalette(palette)
    qapp.setStyleSheet(sheet)
    theme._current = None


def _outline_contrast(app: QApplication) -> float:
    """Largest lightness difference between the indicator's pixels and the window."""
    box = QCheckBox("Send a copy")
    box.resize(box.sizeHint())
    box.ensurePolished()
    option = QStyleOptionButton()
    box.initStyleOption(option)
    rect = box.style().subElementRect(QStyle.SubElement.SE_CheckBoxIndicator, option, box)
    image = box.grab().toImage()
    window = app.palette().color(QPalette.ColorRole.Window).lightnessF()
    ratio = image.width() / box.width()
    return max(
        abs(QColor(image.pixel(int(x * ratio), int(y * ratio))).lightnessF() - window)
        for x in range(rect.left(), rect.right() + 1)
        for y in range(rect.top(), rect.bottom() + 1)
    )


def test_an_unticked_checkbox_shows_in_both_appearances(themed: QApplication) -> None:
    seen = {}
    for appearance in ("dark", "light", "dark"):
        installed = theme.install(themed, appearance)
        assert installed.tokens.dark is (appearance == "dark")
        seen[appearance] = _outline_contrast(themed)
        # A visible outline: at least a fifth of the lightness scale away from the window.
        assert seen[appearance] >= 0.2, (appearance, seen)


def test_switching_appearance_changes_the_window_colour(themed: QApplication) -> None:
    theme.install(themed, "dark")
    dark = themed.palette().color(QPalette.ColorRole.Window).lightnessF()
    theme.install(themed, "light")
    light = themed.palette().color(QPalette.ColorRole.Window).lightnessF()
    assert dark < 0.3 < 0.7 < light
