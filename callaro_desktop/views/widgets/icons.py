"""Small icons painted from the palette, so they read in light and dark alike.

The style's standard arrows are solid black triangles on some platforms, which
vanish on a dark toolbar; these are drawn in the current text colour instead.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap


def chevron_icon(direction: str, colour: QColor, size: int = 18) -> QIcon:
    """A chevron pointing "left" or "right"; disabled state drawn at reduced opacity."""
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
        painter.drawPath(path)
        painter.end()
        icon.addPixmap(pm, mode)
    return icon
