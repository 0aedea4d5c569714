"""Small icons painted from the palette, so they read in light and dark alike.

The style's standard arrows are solid black triangles on some platforms, which
vanish on a dark toolbar; these are drawn in the current text colour instead.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap


def _stroked_icon(path: QPainterPath, colour: QColor, size: int) -> QIcon:
    """`path` (in a size×size box) stroked 2 px wide with round ends; the disabled state is
    drawn at reduced opacity. Drawn at 2× so it stays sharp on high-DPI screens."""
    icon = QIcon()
    for mode, alpha in ((QIcon.Mode.Normal, 255), (QIcon.Mode.Disabled, 90)):
        pm = QPixmap(size * 2, size * 2)
        pm.setDevicePixelRatio(2.0)
        pm.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pm)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        c = QColor(colour)
        c.setAlpha(alpha)
        pen = QPen(c, 2.0)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        painter.drawPath(path)
        painter.end()
        icon.addPixmap(pm, mode)
    return icon


def chevron_icon(direction: str, colour: QColor, size: int = 18) -> QIcon:
    """A chevron pointing "left" or "right"."""
    path = QPainterPath()
    third = size / 3
    if direction == "left":
        path.moveTo(QPointF(2 * third, third))
        path.lineTo(QPointF(third, size / 2))
        path.lineTo(QPointF(2 * third, 2 * third))
    else:
        path.moveTo(QPointF(third, third))
        path.lineTo(QPointF(2 * third, size / 2))
        path.lineTo(QPointF(third, 2 * third))
    return _stroked_icon(path, colour, size)


def menu_icon(colour: QColor, size: int = 18) -> QIcon:
    """Three short lines, one above the other: the usual sign for "the pages" where a
    sidebar has folded away."""
    path = QPainterPath()
    left, right = size * 0.22, size * 0.78
    for y in (size * 0.3, size * 0.5, size * 0.7):
        path.moveTo(QPointF(left, y))
        path.lineTo(QPointF(right, y))
    return _stroked_icon(path, colour, size)
