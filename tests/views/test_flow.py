"""The flow layout: one row while it fits, more rows when it does not, nothing cut off."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from callaro_desktop.views.widgets.flow import flow_widget


def _parts(*widths: int) -> list[QLabel]:
    parts = []
    for width in widths:
        label = QLabel("x")
        label.setFixedSize(width, 20)
        parts.append(label)
    return parts


def _rows(parts: list[QLabel]) -> list[list[int]]:
    """Each row's item x positions, rows ordered by y."""
    by_y: dict[int, list[int]] = {}
    for part in parts:
        if part.isVisible():
            by_y.setdefault(part.y(), []).append(part.x())
    return [sorted(xs) for _y, xs in sorted(by_y.items())]


def test_items_share_a_row_while_it_fits_and_wrap_when_it_does_not(qtbot: QtBot) -> None:
    parts = _parts(100, 120, 80)
    holder = flow_widget(*parts, spacing=10, row_gap=6)
    window = QWidget()
    QVBoxLayout(window).addWidget(holder)
    qtbot.addWidget(window)
    window.show()

    holder.resize(400, holder.heightForWidth(400))
    assert _rows(parts) == [[0, 110, 240]]
    assert holder.heightForWidth(400) == 20
    assert holder.sizeHint().width() == 100 + 120 + 80 + 2 * 10  # everything on one row

    holder.resize(250, holder.heightForWidth(250))
    assert _rows(parts) == [[0, 110], [0]]
    assert holder.heightForWidth(250) == 20 + 6 + 20

    holder.resize(120, holder.heightForWidth(120))
    assert _rows(parts) == [[0], [0], [0]]
    assert all(p.x() + p.width() <= 120 for p in parts)  # nothing cut off
    assert holder.minimumSizeHint().width() == 120  # the widest item
    # Its rows are part of its minimum height, which box layouts and splitters go by.
    assert holder.minimumHeight() == 3 * 20 + 2 * 6
    holder.resize(400, holder.heightForWidth(400))
    assert holder.minimumHeight() == 20


def test_a_hidden_item_takes_no_room(qtbot: QtBot) -> None:
    parts = _parts(100, 120, 80)
    holder = flow_widget(*parts, spacing=10)
    qtbot.addWidget(holder)
    holder.show()
    parts[1].hide()
    holder.resize(300, holder.heightForWidth(300))
    assert _rows(parts) == [[0, 110]]
    assert holder.sizeHint().width() == 100 + 80 + 10
