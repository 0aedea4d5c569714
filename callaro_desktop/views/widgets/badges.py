"""Status pills and small badges painted inside table cells.

A model says what to draw through two roles and knows nothing of colours:
- `PILL_ROLE` -> a Tone: the cell's text is drawn as a rounded pill of that tone;
- `BADGES_ROLE` -> [(text, Tone), ...]: the cell's text is drawn as usual, followed by
  small badges (e.g. "Twilio" after a platform-managed number).
Colours come from the palette and the theme's tokens at paint time, so a switch between
light and dark repaints correctly with no per-row state.
"""

from __future__ import annotations

from collections import OrderedDict
from enum import StrEnum

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QPalette, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QSizePolicy,
    QStyle,
    QStyleOptionViewItem,
    QWidget,
)

from callaro_desktop.views import theme
from callaro_desktop.views.widgets.cells import CellDelegate

PILL_ROLE = int(Qt.ItemDataRole.UserRole) + 40
BADGES_ROLE = int(Qt.ItemDataRole.UserRole) + 41

_PAD_X = 8
_GAP = 6
_RADIUS = 8
_CACHE_SIZE = 256


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
    font = pill_font(base)
    size = base.pointSizeF()
    if size > 0:
        font.setPointSizeF(size * 0.85)
    return font


def pill_font(base: QFont) -> QFont:
    """The font a list's status pill is drawn in, from the table's."""
    font = QFont(base)
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
        # On the selection colour a tinted pill would vanish; a veil of the selection's text
        # colour stays readable.
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


class BadgeDelegate(CellDelegate):
    """Paints one column: each cell a pill (`pill=True`), or its text followed by badges.

    Install it for the columns that have badges (`setItemDelegateForColumn`); the others
    keep Qt's own painting. It asks the model for the display text and its one role only,
    and never calls the base class's paint or initStyleOption: each call from Python into
    Qt costs something during painting (with PySide6 6.12 on Python 3.11, every call that
    returns nothing also drops a reference to None), so a cell is a background, at most one
    line of text and a few cached pixmaps.
    """

    def __init__(
        self, parent: QWidget | None = None, *, pill: bool = False, font: QFont | None = None
    ) -> None:
        super().__init__(parent)
        self._pill = pill
        self._font = font
        self._cache: OrderedDict[tuple[object, ...], QPixmap] = OrderedDict()

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        widget = option.widget
        style = widget.style() if widget is not None else QApplication.style()
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            # The selection, as the style draws it for any cell. Unselected, the panel has
            # nothing to draw here (no background brush: initStyleOption is never called),
            # and skipping the call saves a trip into Qt per cell.
            style.drawPrimitive(
                QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, widget
            )
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        margin = self.text_margin(option)
        rect = option.rect.adjusted(margin, 0, -margin, 0)
        if self._pill:
            tone = index.data(PILL_ROLE)
            font = self._pill_font(option)
            self._draw_pill(painter, option, rect, text, Tone(tone or Tone.NEUTRAL), font, selected)
            return
        font = self._font or option.font
        fm = QFontMetrics(font)
        shown = fm.elidedText(text, Qt.TextElideMode.ElideRight, rect.width())
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.setPen(option.palette.color(role))
        painter.setFont(font)
        align = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(rect, int(align), shown)
        x = rect.left() + fm.horizontalAdvance(shown)
        small = small_font(option.font)
        for label, tone in index.data(BADGES_ROLE) or []:
            area = QRect(x + _GAP, rect.top(), rect.right() - x - _GAP, rect.height())
            if area.width() <= 2 * _PAD_X:
                break
            x = self._draw_pill(
                painter, option, area, str(label), Tone(tone), small, selected, small=True
            )

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        width = self._drawn_width(option, index) + 2 * _PAD_X
        if self._pill:
            return QSize(width, QFontMetrics(self._pill_font(option)).height() + 16)
        return QSize(width, QFontMetrics(self._font or option.font).height() + 12)

    def whole_text(self, index: QModelIndex | QPersistentModelIndex) -> str:
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        labels = [str(label) for label, _tone in index.data(BADGES_ROLE) or []]
        return " · ".join([text, *labels])

    def cut(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> bool:
        return self._drawn_width(option, index) > self.text_room(option)

    def _pill_font(self, option: QStyleOptionViewItem) -> QFont:
        return pill_font(self._font or option.font)

    def _drawn_width(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> int:
        """The width paint() lays the cell's content out in: its pill, or its text and
        badges. Given less, paint() cuts the text short or leaves badges out."""
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        if self._pill:
            return pill_size(text, self._pill_font(option)).width()
        width = QFontMetrics(self._font or option.font).horizontalAdvance(text)
        small = small_font(option.font)
        for label, _tone in index.data(BADGES_ROLE) or []:
            width += _GAP + pill_size(str(label), small, small=True).width()
        return width

    def _draw_pill(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        area: QRect,
        text: str,
        tone: Tone,
        font: QFont,
        selected: bool,
        *,
        small: bool = False,
    ) -> int:
        size = pill_size(text, font, small=small)
        width = min(size.width(), area.width())
        ratio = painter.device().devicePixelRatioF() if painter.device() is not None else 1.0
        key = (
            text,
            tone,
            selected,
            small,
            width,
            font.key(),
            ratio,
            theme.tokens().dark,
            option.palette.color(QPalette.ColorRole.HighlightedText).rgba(),
        )
        pixmap = self._cache.get(key)
        if pixmap is None:
            pixmap = QPixmap(QSize(width + 1, size.height() + 2) * ratio)
            pixmap.setDevicePixelRatio(ratio)
            pixmap.fill(Qt.GlobalColor.transparent)
            p = QPainter(pixmap)
            paint_pill(
                p,
                QRect(0, 0, width, size.height() + 2),
                text,
                tone,
                option.palette,
                font,
                selected=selected,
                small=small,
            )
            p.end()
            self._cache[key] = pixmap
            if len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        top = area.center().y() - (size.height() + 2) // 2 + 1
        painter.drawPixmap(area.left(), top, pixmap)
        return area.left() + width


class Pill(QWidget):
    """A standalone pill (a status beside a title); its text is its accessible name."""

    def __init__(
        self, text: str = "", tone: Tone = Tone.NEUTRAL, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._text = text
        self._tone = tone
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setAccessibleName(text)
        # Hidden until it has a text (set()). Never shown here: a widget made visible before
        # it has a parent is a window of its own, and a pill built with its text was one.
        if not text:
            self.hide()

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
    "pill_font",
    "tone_color",
]
