"""Where a popup of our own opens: where asked, but wholly on the screen it opens on.

Qt keeps its menus and dialogs on screen; a frame we place ourselves (the workspace list,
the command palette) goes where it is moved, and from a window snapped to a screen's edge
that was partly off it.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractButton, QMenu, QWidget


def move_on_screen(popup: QWidget, wanted: QPoint) -> None:
    """Move `popup` to `wanted` (global), shifted as little as it takes to stay on screen."""
    screen = QGuiApplication.screenAt(wanted) or popup.screen()
    area = screen.availableGeometry()
    size = popup.frameGeometry().size() if popup.isVisible() else popup.size()
    x = max(area.left(), min(wanted.x(), area.right() + 1 - size.width()))
    y = max(area.top(), min(wanted.y(), area.bottom() + 1 - size.height()))
    popup.move(x, y)
    # Where the window system put it may differ by its frame: correct by what is still off
    # (the top left edge kept on screen when it is larger than the screen).
    frame = popup.frameGeometry()
    fx = max(area.left(), min(frame.left(), area.right() + 1 - frame.width()))
    fy = max(area.top(), min(frame.top(), area.bottom() + 1 - frame.height()))
    if (fx, fy) != (frame.left(), frame.top()):
        popup.move(popup.x() + fx - frame.left(), popup.y() + fy - frame.top())


def show_on_screen(window: QWidget, wanted: QPoint) -> None:
    """Show `window` at `wanted` (global), wholly on screen: placed before it is shown (no
    frame of it appears elsewhere), and again once shown, by the frame it then has."""
    move_on_screen(window, wanted)
    window.show()
    move_on_screen(window, wanted)


def menu_on_click(button: QAbstractButton, menu: QMenu) -> None:
    """Open `menu` under `button` when it is clicked (mouse, Space, Enter).

    Rather than the button's own menu: a tool button with one draws the style's little menu
    arrow beside what it shows, and these already show theirs ("Asha Admin ▾", ☰).
    """
    button.clicked.connect(lambda: menu.popup(button.mapToGlobal(button.rect().bottomLeft())))
