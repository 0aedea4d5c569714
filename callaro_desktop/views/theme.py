"""Light and dark appearance.

The console follows the OS colour scheme by default and can be pinned to Light or
Dark in Preferences. We paint with Fusion and our own two palettes rather than the
platform's, because the platform palette is not dark on every Linux desktop (xcb
and offscreen report no scheme at all) and a half-dark window is worse than either.
Custom widgets take their colours from the palette, never from literals, so every
page reads in both schemes. The few looks a palette has no role for (titles, muted text,
cards, a field's error) the style gives widgets by name or mark when it polishes them (below),
without an application-wide style sheet.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Literal

from PySide6.QtCore import (
    QEvent,
    QMargins,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QGuiApplication,
    QIcon,
    QPainter,
    QPalette,
    QPixmap,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialogButtonBox,
    QFrame,
    QLabel,
    QProxyStyle,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleFactory,
    QStyleOption,
    QStyleOptionButton,
    QStyleOptionComplex,
    QStyleOptionSlider,
    QStyleOptionToolButton,
    QStyleOptionViewItem,
    QWidget,
)

Appearance = Literal["system", "light", "dark"]


@dataclass(frozen=True)
class Tokens:
    """The few colours the palette has no role for."""

    dark: bool
    accent: str
    sidebar_bg: str
    card_bg: str
    border: str
    muted_text: str
    success: str
    warning: str
    danger: str
    demo_badge: str
    #: Text and marks on any filled colour above (accent, success, warning, danger, the demo
    #: badge): white on the light theme's deep fills, near-black on the dark theme's bright
    #: ones, where white read at 1.9-3:1 (WCAG asks 4.5:1 of normal text).
    on_fill: str


LIGHT = Tokens(
    dark=False,
    accent="#4f46e5",
    sidebar_bg="#f4f5f8",
    card_bg="#ffffff",
    border="#dfe2e8",
    muted_text="#5d6472",
    success="#1a7f4b",
    warning="#9a6700",
    danger="#c62828",
    demo_badge="#b45309",
    on_fill="#ffffff",
)
DARK = Tokens(
    dark=True,
    accent="#8b87ff",
    sidebar_bg="#1b1d22",
    card_bg="#24262d",
    border="#363943",
    muted_text="#a3a9b6",
    success="#4cc38a",
    warning="#e3b341",
    danger="#ff6b6b",
    demo_badge="#f59e0b",
    on_fill="#16181d",
)


def _palette(t: Tokens) -> QPalette:
    p = QPalette()
    if t.dark:
        window, base, alt, text, button = "#16181d", "#1e2026", "#23262d", "#e8eaf0", "#2a2d35"
        disabled = "#6b7080"
    else:
        window, base, alt, text, button = "#fbfbfd", "#ffffff", "#f6f7fa", "#1d2330", "#f1f2f6"
        disabled = "#9aa0ab"
    roles = {
        QPalette.ColorRole.Window: window,
        QPalette.ColorRole.WindowText: text,
        QPalette.ColorRole.Base: base,
        QPalette.ColorRole.AlternateBase: alt,
        QPalette.ColorRole.ToolTipBase: t.card_bg,
        QPalette.ColorRole.ToolTipText: text,
        QPalette.ColorRole.PlaceholderText: t.muted_text,
        QPalette.ColorRole.Text: text,
        QPalette.ColorRole.Button: button,
        QPalette.ColorRole.ButtonText: text,
        QPalette.ColorRole.BrightText: "#ffffff",
        QPalette.ColorRole.Highlight: t.accent,
        QPalette.ColorRole.HighlightedText: t.on_fill,
        QPalette.ColorRole.Link: t.accent,
        QPalette.ColorRole.LinkVisited: t.accent,
        QPalette.ColorRole.Mid: t.border,
        QPalette.ColorRole.Midlight: t.border,
        QPalette.ColorRole.Dark: "#0e0f12" if t.dark else "#a0a6b2",
        QPalette.ColorRole.Shadow: "#000000",
        QPalette.ColorRole.Light: "#3a3d47" if t.dark else "#ffffff",
    }
    for role, colour in roles.items():
        p.setColor(role, QColor(colour))
    for role in (
        QPalette.ColorRole.Text,
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.ButtonText,
    ):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor(disabled))
    return p


# -- the looks the palette has no role for ------------------------------------------------
#
# Widgets say what they are with an object name or a dynamic property (PageTitle, Card,
# muted=True, state="ok", primary=True, ...) and the style dresses them when it polishes them,
# again whenever the code repolishes one after changing a property, and all of them when the
# appearance changes. An application-wide style sheet did this before, at a price: every
# widget of every page went through QStyleSheetStyle, which made building and showing a page
# three times slower (the Dashboard: 10 ms without it, 30 ms with) and start-up ~45 ms longer.
# No style sheet is left in the shell or on the pages' common widgets either, so none of them
# paints through QStyleSheetStyle and one mechanism dresses everything: the sidebar's rounded
# selection is a delegate, pills and panels an event filter, and the toolbar, the workspace
# chip and primary buttons wear a small style of their own (_Chrome), which also gives the chip
# and primary buttons the keyboard-focus ring their sheets did not draw.

# The palette's muted text (set from the tokens): a label painted in this role follows the
# appearance by itself, with no palette of its own.
_MUTED = QPalette.ColorRole.PlaceholderText
_DRESSED = "_callaro_dressed"  # a widget whose palette the style set (and so may reset)


_PANELS = {"Card", "MessageBar", "DemoBadge", "AccountBadge"}
_PILLS = {"DemoBadge", "AccountBadge"}
_PANEL_MARGINS = {
    "Card": (1, 1),
    "MessageBar": (4, 4),
    "DemoBadge": (12, 2),
    "AccountBadge": (12, 2),
}
# A pill's colour: the demo badge's is the theme's; an account badge says its own (the colour the
# user gave the account) in this property.
PILL_COLOUR = "pillColour"


def _font(
    widget: QWidget,
    *,
    points: float | None = None,
    mono: bool = False,
    weight: QFont.Weight | None = None,
) -> None:
    base = QApplication.font(widget)  # the class's default, so dressing twice is harmless
    font = QFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont) if mono else base)
    font.setPointSizeF(points if points is not None else base.pointSizeF())
    if points is not None:
        weight = QFont.Weight.DemiBold
    if weight is not None:
        font.setWeight(weight)
    widget.setFont(font)


def readable_on(fill: QColor) -> QColor:
    """White or near-black, whichever reads better on `fill` (WCAG contrast): for fills the
    tokens do not know, such as an account badge's chosen colour."""

    def luminance(c: QColor) -> float:
        def linear(v: float) -> float:
            return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

        r, g, b = linear(c.redF()), linear(c.greenF()), linear(c.blueF())
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    dark = QColor(DARK.on_fill)
    lum = luminance(fill)
    on_white = 1.05 / (lum + 0.05)
    on_dark = (lum + 0.05) / (luminance(dark) + 0.05)
    return QColor("#ffffff") if on_white >= on_dark else dark


def popup_edge(window: QColor) -> QColor:
    """The line around a popup of our own (the command palette) whose background is `window`:
    most Linux desktops give a popup no frame or shadow, and without one it ran into the page
    under it. As Fusion draws a panel's edge on the light theme; on the dark one, the border
    lightened (darker than the window would not show)."""
    t = tokens()
    return QColor(t.border).lighter(125) if t.dark else window.darker(140)


def _text_colour(widget: QWidget, t: Tokens) -> QColor | None:
    """The colour a label's state asks for; None for the palette's own."""
    parent = widget.parentWidget()
    if widget.objectName() in _PILLS:
        colour = widget.property(PILL_COLOUR)
        return readable_on(QColor(colour if isinstance(colour, str) else t.demo_badge))
    if parent is not None and parent.objectName() == "MessageBar":
        return QColor(t.on_fill)
    state = widget.property("state")
    if state == "ok":
        return QColor(t.success)
    if state == "bad" or widget.property("fieldError") is True:
        return QColor(t.danger)
    return None


def _set_colour(widget: QWidget, role: QPalette.ColorRole, colour: QColor | None) -> None:
    if colour is not None:
        palette = QPalette(widget.palette())
        for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
            palette.setColor(group, role, colour)
        widget.setPalette(palette)
        widget.setProperty(_DRESSED, True)
    elif widget.property(_DRESSED):
        widget.setPalette(QPalette())  # back to inheriting the application's
        widget.setProperty(_DRESSED, None)


def _dress(widget: QWidget, t: Tokens, panels: QObject) -> None:
    name = widget.objectName()
    if name == "Sidebar":
        _dress_sidebar(widget, t, panels)
        return
    if name in _CHROME:
        chrome = _chrome()
        if widget.style() is not chrome:
            widget.setStyle(chrome)
        return
    if name in _PANELS:
        widget.installEventFilter(panels)  # (installing again only moves it to the front)
        # The room a card's border, the bar's and a pill's padding take.
        across, down = _PANEL_MARGINS[name]
        widget.setContentsMargins(across, down, across, down)
        if name not in _PILLS:
            return
    if isinstance(widget, QLabel):
        if name == "PageTitle":
            _font(widget, points=20)
        elif name == "StateTitle":
            _font(widget, points=14)
        elif name == "RequestId":
            _font(widget, mono=True)
        elif name in _PILLS:
            _font(widget, weight=QFont.Weight.DemiBold)
            # (In a toolbar a label's text role is ButtonText, a palette the pill does not set.)
            widget.setForegroundRole(QPalette.ColorRole.WindowText)
        if name in ("PageSubtitle", "RequestId") or widget.property("muted") is True:
            widget.setForegroundRole(_MUTED)
        elif widget.foregroundRole() == _MUTED:  # muted before, not any more
            widget.setForegroundRole(QPalette.ColorRole.WindowText)
        _set_colour(widget, QPalette.ColorRole.WindowText, _text_colour(widget, t))
    elif isinstance(widget, QPushButton):
        if widget.property("primary") is True:
            _font(widget, weight=QFont.Weight.DemiBold)
            if widget.style() is not (chrome := _chrome()):
                widget.setStyle(chrome)
        elif widget.property("destructive") is True:
            _set_colour(widget, QPalette.ColorRole.ButtonText, QColor(t.danger))
        if isinstance(widget.parentWidget(), QDialogButtonBox) and not widget.icon().isNull():
            # Some desktops (KDE, a bare X server) give a dialog's standard buttons icons (OK,
            # Cancel) but never its own (Invite User, Create key): a row with an X on Cancel
            # alone. Windows, macOS and GNOME show none, and neither does the console.
            widget.setIcon(QIcon())


def _dress_sidebar(widget: QWidget, t: Tokens, panels: QObject) -> None:
    if not isinstance(widget, QAbstractItemView):
        return
    if not isinstance(widget.itemDelegate(), _SidebarDelegate):
        widget.setItemDelegate(_SidebarDelegate(widget))
    widget.setFrameShape(QFrame.Shape.NoFrame)
    # The edge line is painted into the viewport's last column (a tree view resets viewport
    # margins, and a frame has no right-only border).
    widget.viewport().installEventFilter(panels)
    _set_colour(widget, QPalette.ColorRole.Base, QColor(t.sidebar_bg))


class _Panels(QObject):
    """Paints the panel of a card, the message bar or a pill before the widget paints itself,
    and the sidebar's edge line before its rows."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.Paint or not isinstance(watched, QWidget):
            return False
        t = tokens()
        name = watched.objectName()
        edge: QColor | None = None
        if name == "qt_scrollarea_viewport":  # the sidebar's, the only one watched
            line = QRect(watched.width() - 1, 0, 1, watched.height())
            painter = QPainter(watched)
            painter.fillRect(line, QColor(t.border))
            painter.end()
            return False
        if name == "Card":
            fill, edge, radius = QColor(t.card_bg), QColor(t.border), 10.0
        elif name in _PILLS:
            colour = watched.property(PILL_COLOUR)
            fill, radius = QColor(colour if isinstance(colour, str) else t.demo_badge), 8.0
        else:
            level = watched.property("level")
            fill = QColor({"warning": t.warning, "error": t.danger}.get(level, t.accent))
            radius = 8.0
        painter = QPainter(watched)
        _rounded(painter, watched.rect(), edge, fill, radius)
        painter.end()
        return False


class _SidebarDelegate(QStyledItemDelegate):
    """A sidebar row: padded; selected, a rounded accent pill with on-fill text."""

    MARGIN = QMargins(6, 1, 7, 1)  # around the pill (and the edge line, at the right)
    PADDING = QMargins(10, 6, 10, 6)  # inside it

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        room = self.MARGIN + self.PADDING
        return super().sizeHint(option, index).grownBy(room)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        item = QStyleOptionViewItem(option)
        self.initStyleOption(item, index)
        pill = item.rect.marginsRemoved(self.MARGIN)
        if item.state & QStyle.StateFlag.State_Selected:
            painter.save()
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(tokens().accent))
            painter.drawRoundedRect(QRectF(pill), 6.0, 6.0)
            painter.restore()
            item.state &= ~QStyle.StateFlag.State_Selected
            item.palette.setColor(QPalette.ColorRole.Text, QColor(tokens().on_fill))
        item.rect = pill.marginsRemoved(self.PADDING)
        widget = item.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, item, painter, widget)


_SCROLL_BAR = QStyle.ComplexControl.CC_ScrollBar
_GROOVE = QStyle.SubControl.SC_ScrollBarGroove
_HANDLE = QStyle.SubControl.SC_ScrollBarSlider
_HANDLES_KEPT = 32  # sizes and states of scroll bar handles painted and kept


class _Style(QProxyStyle):
    """Fusion, with scroll bars that cost a fill and a cached pixmap instead of gradients.

    Fusion paints a scroll bar's groove and handle as gradients, span by span: 1.0-1.5 ms for
    a table-high bar, on every repaint of it (each scroll step, each workspace switch), as
    much as the rows cost. The groove is filled flat in the same colours, with its edge line;
    the handle is Fusion's own, painted once per size and state and kept (it does not depend on
    where it sits), so scrolling blits it; the arrows are drawn by Fusion as before. Only
    complex controls (scroll bars, combo boxes, tool buttons) and each widget's polish (where
    it is dressed, below) pass through Python.
    """

    def __init__(self) -> None:
        super().__init__(QStyleFactory.create("Fusion"))
        self._panels = _Panels(self)
        self._handles: OrderedDict[tuple[object, ...], QPixmap] = OrderedDict()

    def polish(self, target: Any) -> Any:
        # One Python method for Qt's three polish overloads (palette, application, widget).
        result = super().polish(target)
        if isinstance(target, QWidget):
            _dress(target, tokens(), self._panels)
        return result

    def drawComplexControl(
        self,
        control: QStyle.ComplexControl,
        option: QStyleOptionComplex,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        if (
            control != _SCROLL_BAR
            or not isinstance(option, QStyleOptionSlider)
            or not option.subControls & _GROOVE
        ):
            super().drawComplexControl(control, option, painter, widget)
            return
        window = option.palette.color(QPalette.ColorRole.Window)
        area = option.rect
        painter.save()
        painter.fillRect(area, window.darker(104))
        painter.setPen(window.darker(125))
        if option.orientation == Qt.Orientation.Vertical:
            painter.drawLine(area.topLeft(), area.bottomLeft())
        else:
            painter.drawLine(area.topLeft(), area.topRight())
        painter.restore()
        rest = QStyleOptionSlider(option)
        rest.subControls = option.subControls & ~(_GROOVE | _HANDLE)
        super().drawComplexControl(control, rest, painter, widget)
        if option.subControls & _HANDLE:
            # (Qt takes no widget here too; PySide's stub says otherwise.)
            handle = self.subControlRect(control, option, _HANDLE, widget)  # type: ignore[arg-type]
            if handle.isValid():
                painter.drawPixmap(handle.topLeft(), self._handle(option, handle, painter, widget))

    def _handle(
        self, option: QStyleOptionSlider, handle: QRect, painter: QPainter, widget: QWidget | None
    ) -> QPixmap:
        device = painter.device()
        ratio = device.devicePixelRatioF() if device is not None else 1.0
        key = (
            handle.width(),
            handle.height(),
            option.orientation.value,
            option.state.value,
            option.activeSubControls.value,
            option.palette.cacheKey(),
            ratio,
        )
        pixmap = self._handles.get(key)
        if pixmap is not None:
            self._handles.move_to_end(key)
            return pixmap
        pixmap = QPixmap(handle.size() * ratio)
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        only = QStyleOptionSlider(option)
        only.subControls = _HANDLE
        drawn = QPainter(pixmap)
        drawn.translate(-handle.topLeft())  # Fusion draws it where it sits; keep it at 0,0
        super().drawComplexControl(_SCROLL_BAR, only, drawn, widget)
        drawn.end()
        self._handles[key] = pixmap
        if len(self._handles) > _HANDLES_KEPT:
            self._handles.popitem(last=False)
        return pixmap


_CHROME = {"MainToolbar", "TenantSwitcher"}  # and primary buttons
_CHIP_PADDING = QMargins(11, 5, 11, 5)  # a 1 px outline and the room inside it
# Three more pixels around the chip's label, which Qt's style sheets add to any tool button
# they style: the chip keeps the size it has always had.
_CHIP_SLACK = QSize(3, 3)
_PRIMARY_PADDING = QMargins(13, 5, 13, 5)  # a 1 px edge and the room inside it
_TOOLBAR_MARGIN = 3  # px around the toolbar's buttons, all sides (the height it always had)


class _Chrome(QProxyStyle):
    """The looks Fusion has no words for, set as the style of the few widgets that wear them:
    the main toolbar (flat, a line below), the workspace chip (a rounded outline) and primary
    buttons (filled with the accent). A widget's style is not its children's, so only these
    widgets' own drawing and sizes pass through Python. Colours are read when painting, so
    one instance serves both appearances; it lives as long as the application (widgets hold
    it)."""

    def __init__(self) -> None:
        super().__init__(QStyleFactory.create("Fusion"))

    def pixelMetric(
        self,
        metric: QStyle.PixelMetric,
        option: QStyleOption | None = None,
        widget: QWidget | None = None,
    ) -> int:
        # (A toolbar's layout keeps these two, added, around its buttons.)
        if metric == QStyle.PixelMetric.PM_ToolBarFrameWidth:
            return _TOOLBAR_MARGIN
        if metric == QStyle.PixelMetric.PM_ToolBarItemMargin:
            return 0
        return super().pixelMetric(metric, option, widget)

    def sizeFromContents(
        self,
        kind: QStyle.ContentsType,
        option: QStyleOption,
        size: QSize,
        widget: QWidget | None = None,
    ) -> QSize:
        if kind == QStyle.ContentsType.CT_ToolButton:
            return (size + _CHIP_SLACK).grownBy(_CHIP_PADDING)
        if kind == QStyle.ContentsType.CT_PushButton:
            return size.grownBy(_PRIMARY_PADDING)
        return super().sizeFromContents(kind, option, size, widget)  # type: ignore[arg-type]

    def drawControl(
        self,
        element: QStyle.ControlElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        if element == QStyle.ControlElement.CE_ToolBar:
            painter.fillRect(option.rect, option.palette.window())
            line = QRect(option.rect)
            line.setTop(line.bottom())
            painter.fillRect(line, QColor(tokens().border))
        elif element == QStyle.ControlElement.CE_PushButton and isinstance(
            option, QStyleOptionButton
        ):
            self._primary(option, painter, widget)
        else:
            super().drawControl(element, option, painter, widget)

    def drawComplexControl(
        self,
        control: QStyle.ComplexControl,
        option: QStyleOptionComplex,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        if control != QStyle.ComplexControl.CC_ToolButton or not isinstance(
            option, QStyleOptionToolButton
        ):
            super().drawComplexControl(control, option, painter, widget)
            return
        t = tokens()
        state = option.state
        focused = _keyboard_focus(state)
        fill: QColor | None = None
        if state & QStyle.StateFlag.State_Enabled:
            if state & (QStyle.StateFlag.State_Sunken | QStyle.StateFlag.State_On):
                fill = option.palette.color(QPalette.ColorRole.Button).darker(108)
            elif state & QStyle.StateFlag.State_MouseOver:
                fill = option.palette.color(QPalette.ColorRole.Button)
        _rounded(painter, option.rect, QColor(t.accent if focused else t.border), fill, 8.0)
        label = QStyleOptionToolButton(option)
        label.rect = option.rect.marginsRemoved(_CHIP_PADDING)
        super().drawControl(QStyle.ControlElement.CE_ToolButtonLabel, label, painter, widget)

    def _primary(
        self, option: QStyleOptionButton, painter: QPainter, widget: QWidget | None
    ) -> None:
        t = tokens()
        state = option.state
        accent = QColor(t.accent)
        if not state & QStyle.StateFlag.State_Enabled:
            edge = fill = QColor(t.border)
            text = QColor(t.muted_text)
        else:
            edge, text = accent, QColor(t.on_fill)
            if state & (QStyle.StateFlag.State_Sunken | QStyle.StateFlag.State_On):
                fill = accent.darker(125)
            elif state & QStyle.StateFlag.State_MouseOver:
                fill = accent.darker(112)
            else:
                fill = accent
        _rounded(painter, option.rect, edge, fill, 4.0)
        if _keyboard_focus(state):
            # A ring inside the edge: the fill is the accent, so Fusion's accent outline
            # would not show.
            ring = QColor(t.on_fill)
            ring.setAlpha(200)
            _rounded(painter, option.rect.adjusted(2, 2, -2, -2), ring, None, 2.5)
        label = QStyleOptionButton(option)
        label.rect = option.rect.marginsRemoved(_PRIMARY_PADDING)
        palette = QPalette(option.palette)
        for group in (
            QPalette.ColorGroup.Active,
            QPalette.ColorGroup.Inactive,
            QPalette.ColorGroup.Disabled,
        ):
            palette.setColor(group, QPalette.ColorRole.ButtonText, text)
        label.palette = palette
        super().drawControl(QStyle.ControlElement.CE_PushButtonLabel, label, painter, widget)


def _keyboard_focus(state: QStyle.StateFlag) -> bool:
    return bool(state & QStyle.StateFlag.State_HasFocus) and bool(
        state & QStyle.StateFlag.State_KeyboardFocusChange
    )


def _rounded(
    painter: QPainter, rect: QRect, edge: QColor | None, fill: QColor | None, radius: float
) -> None:
    """A rounded panel: with a 1 px outline on the pixel grid, or filled to its edges."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(edge if edge is not None else Qt.PenStyle.NoPen)
    painter.setBrush(fill if fill is not None else Qt.BrushStyle.NoBrush)
    shape = QRectF(rect)
    if edge is not None:
        shape.adjust(0.5, 0.5, -0.5, -0.5)
    painter.drawRoundedRect(shape, radius, radius)
    painter.restore()


_chrome_style: _Chrome | None = None


def _chrome() -> _Chrome:
    global _chrome_style
    if _chrome_style is None:
        _chrome_style = _Chrome()
        _chrome_style.setParent(QApplication.instance())
    return _chrome_style


class _DarkStyle(_Style):
    """The style, with check and radio outlines that show on a dark window.

    Fusion draws an indicator's outline from the Window colour darkened; on our dark
    window that outline all but vanishes, and an unticked box is a decision the user
    must see. Giving the indicator a light "window" while it is drawn fixes every
    checkbox, radio button and checkable row at once. Installed only while the theme is
    dark: every primitive drawn passes through this Python method, and the light theme
    needs none of it.
    """

    def __init__(self) -> None:
        super().__init__()
        self._indicators = {
            QStyle.PrimitiveElement.PE_IndicatorCheckBox,
            QStyle.PrimitiveElement.PE_IndicatorRadioButton,
            QStyle.PrimitiveElement.PE_IndicatorItemViewItemCheck,
        }

    def drawPrimitive(
        self,
        element: QStyle.PrimitiveElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        if element in self._indicators and tokens().dark:
            palette = QPalette(option.palette)
            palette.setColor(QPalette.ColorRole.Window, QColor(tokens().muted_text))
            option.palette = palette
        super().drawPrimitive(element, option, painter, widget)


class Theme(QObject):
    """Applies an appearance and re-applies it when the OS scheme changes."""

    changed = Signal()

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self._app = app
        self._appearance: Appearance = "system"
        self.style: QProxyStyle | None = None  # the one installed (None until the first apply)
        self.tokens = LIGHT
        app.styleHints().colorSchemeChanged.connect(self._on_os_scheme_changed)

    @property
    def appearance(self) -> Appearance:
        return self._appearance

    def apply(self, appearance: Appearance) -> None:
        self._appearance = appearance
        tokens = DARK if self._wants_dark() else LIGHT
        restyle = self.style is None or tokens.dark != self.tokens.dark
        # Tokens and palette first: setting the style polishes (dresses) every widget again.
        self.tokens = tokens
        self._app.setPalette(_palette(tokens))
        if restyle:
            self.style = _DarkStyle() if tokens.dark else _Style()
            self._app.setStyle(self.style)
        self.changed.emit()

    def _wants_dark(self) -> bool:
        if self._appearance == "system":
            return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark
        return self._appearance == "dark"

    def _on_os_scheme_changed(self, _scheme: Qt.ColorScheme) -> None:
        if self._appearance == "system":
            self.apply("system")


_current: Theme | None = None


def install(app: QApplication, appearance: Appearance) -> Theme:
    global _current
    _current = Theme(app)
    _current.apply(appearance)
    return _current


def tokens() -> Tokens:
    return _current.tokens if _current is not None else LIGHT
