"""Status pills and small badges painted inside table cells.

A model says what to draw through two roles and knows nothing of colours:
- `PILL_ROLE` -> a Tone: the cell's text is drawn as a rounded pill of that tone;
- `BADGES_ROLE` -> [(text, Tone), ...]: the cell's text is drawn as usual, followed by
  small badges (e.g. "Twilio" after a platform-managed number).
Colours come from the palette and the theme's tokens at paint time, so a switch between
light and dark repaints correctly with no per-row state.
"""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from callaro_desktop.views import theme

PILL_ROLE = int(Qt.ItemDataRole.UserRole) + 40
BADGES_ROLE = int(Qt.ItemDataRole.UserRole) + 41

_PAD_X = 8
_GAP = 6
_RADIUS = 8


class Tone(StrEnum):
    SUCCESS = "success"
    WARNING = "warning"
    DANGER = "danger"
    NEUTRAL = "neutral"
    ACCENT = "accent"


def tone_color(tone: Tone, palette: QPalette) -> QColor:
    tokens = theme.tokens()
    name = {
        Tone.SUCCESS: tokens.success,
        Tone.WARNING: tokens.warning,
        Tone.DANGER: tokens.danger,
        Tone.ACCENT: tokens.accent,
        Tone.NEUTRAL: tokens.muted_text,
    }[tone]
    return QColor(name) if name else palette.color(QPalette.ColorRole.Text)


def small_font(base: QFont) -> QFont:
    font = QFont(base)
    size = base.pointSizeF()
    if size > 0:
        font.setPointSizeF(size * 0.85)
    font.setBold(True)
    return font


def pill_size(text: str, font: QFont, *, small: bool = False) -> QSize:
    fm = QFontMetrics(font)
    return QSize(fm.horizontalAdvance(text) + 2 * _PAD_X, fm.height() + (4 if small else 6))


def paint_pill(
    painter: QPainter,
    area: QRect,
    text: str,
    tone: Tone,
    palette: QPalette,
    font: QFont,
    *,
    selected: bool = False,
    small: bool = False,
) -> int:
    """Draw a rounded pill at the left of `area`, centred vertically; return its right edge."""
    fm = QFontMetrics(font)
    size = pill_size(text, font, small=small)
    width = min(size.width(), max(area.width(), 0))
    box = QRectF(area.left(), area.center().y() - size.height() / 2 + 1, width, size.height())
    colour = tone_color(tone, palette)
    if selected:
        # On the selection colour a tinted pill would vanish; a light veil stays readable.
        fill = QColor(palette.color(QPalette.ColorRole.HighlightedText))
        fill.setAlphaF(0.22)
        pen = palette.color(QPalette.ColorRole.HighlightedText)
    else:
        fill = QColor(colour)
        fill.setAlphaF(0.28 if theme.tokens().dark else 0.14)
        pen = colour
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(fill)
    painter.drawRoundedRect(box, _RADIUS, _RADIUS)
    painter.setPen(pen)
    painter.setFont(font)
    inner = box.adjusted(_PAD_X, 0, -_PAD_X + 1, 0)
    shown = fm.elidedText(text, Qt.TextElideMode.ElideRight, int(inner.width()) + 1)
    painter.drawText(inner, int(Qt.AlignmentFlag.AlignCenter), shown)
    painter.restore()
    return int(box.right())


class BadgeDelegate(QStyledItemDelegate):
    """Draws PILL_ROLE and BADGES_ROLE; any other cell is drawn by the base class."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        pill = index.data(PILL_ROLE)
        badges = index.data(BADGES_ROLE)
        # A column that can carry badges is drawn here even without any, so that its text
        # sits at the same place in every row.
        if pill is None and badges is None:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text = opt.text
        opt.text = ""
        style = opt.widget.style() if opt.widget is not None else QApplication.style()
        # Background, selection and focus as the style draws them, then our content on top.
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        # The margin the style itself leaves before an item's text.
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, opt.widget) + 1
        rect = opt.rect.adjusted(margin, 0, -margin, 0)
        if pill is not None:
            bold = QFont(opt.font)
            bold.setBold(True)
            paint_pill(painter, rect, text, Tone(pill), opt.palette, bold, selected=selected)
            return
        x = self._text(painter, opt, rect, text, selected)
        badge_font = small_font(opt.font)
        for label, tone in badges or []:
            if x + _GAP >= rect.right():
                break
            area = QRect(x + _GAP, rect.top(), rect.right() - x - _GAP, rect.height())
            x = paint_pill(
                painter,
                area,
                label,
                Tone(tone),
                opt.palette,
                badge_font,
                selected=selected,
                small=True,
            )

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        size = super().sizeHint(option, index)
        badges = index.data(BADGES_ROLE) or []
        font = small_font(option.font)
        extra = sum(pill_size(str(label), font, small=True).width() + _GAP for label, _ in badges)
        if index.data(PILL_ROLE) is not None:
            extra += 2 * _PAD_X
        return QSize(size.width() + extra, max(size.height(), QFontMetrics(font).height() + 10))

    @staticmethod
    def _text(
        painter: QPainter, opt: QStyleOptionViewItem, rect: QRect, text: str, selected: bool
    ) -> int:
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.save()
        painter.setPen(opt.palette.color(role))
        painter.setFont(opt.font)
        fm = QFontMetrics(opt.font)
        shown = fm.elidedText(text, Qt.TextElideMode.ElideRight, rect.width())
        align = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(rect, int(align), shown)
        painter.restore()
        return rect.left() + fm.horizontalAdvance(shown)


class Pill(QWidget):
    """A standalone pill (a status beside a title); its text is its accessible name."""

    def __init__(
        self, text: str = "", tone: Tone = Tone.NEUTRAL, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._text = text
        self._tone = tone
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.set(text, tone)

    def text(self) -> str:
        return self._text

    def tone(self) -> Tone:
        return self._tone

    def set(self, text: str, tone: Tone) -> None:
        self._text, self._tone = text, tone
        self.setAccessibleName(text)
        self.setVisible(bool(text))
        self.updateGeometry()
        self.update()

    def _font(self) -> QFont:
        return small_font(self.font())

    def sizeHint(self) -> QSize:
        return pill_size(self._text, self._font()) + QSize(2, 2)

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        paint_pill(painter, self.rect(), self._text, self._tone, self.palette(), self._font())
        painter.end()


__all__ = [
    "BADGES_ROLE",
    "PILL_ROLE",
    "BadgeDelegate",
    "Pill",
    "Tone",
    "paint_pill",
    "tone_color",
]
