"""A page's loading, empty and error states: their wrapped words are never cut off."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from callaro_desktop.views.widgets.states import StateStack

from .conftest import wrapped_lines

LONG = (
    "Could not reach the Callaro server. Check the network and the server address; if it "
    "is right, the server may be down for maintenance, so try again in a few minutes."
)


def _stack(qtbot: QtBot, width: int) -> StateStack:
    stack = StateStack(QWidget())
    qtbot.addWidget(stack)
    stack.resize(width, 500)
    stack.show()
    qtbot.waitExposed(stack)
    return stack


def _whole(qtbot: QtBot, stack: StateStack, label: QLabel) -> None:
    qtbot.waitUntil(lambda: label.isVisible() and label.width() > 0)
    count, squeezed = wrapped_lines(stack)
    assert count >= 1 and not squeezed, squeezed
    lines = label.height() // label.fontMetrics().lineSpacing()
    assert lines >= 2, "the message should wrap at this width"
    # Centred under the title, whatever its width.
    middle = label.mapTo(stack, label.rect().center()).x()
    assert abs(middle - stack.width() // 2) <= 2


def test_a_long_error_is_shown_whole_and_centred(qtbot: QtBot) -> None:
    for width in (440, 900):
        stack = _stack(qtbot, width)
        stack.show_error(LONG, "req_0123456789abcdef")
        _whole(qtbot, stack, stack.error_text)
        assert stack.error_text.width() <= stack.error_text.maximumWidth()
        assert stack.request_id_label.text() == "Request id: req_0123456789abcdef"


def test_a_long_empty_text_is_shown_whole_and_centred(qtbot: QtBot) -> None:
    stack = _stack(qtbot, 440)
    stack.show_empty("No numbers yet", LONG, "Add number")
    label = next(w for w in stack.findChildren(QLabel) if w.text() == LONG and w.isVisibleTo(stack))
    _whole(qtbot, stack, label)
