"""Light and dark appearance.

The console follows the OS colour scheme by default and can be pinned to Light or
Dark in Preferences. We paint with Fusion and our own two palettes rather than the
platform's, because the platform palette is not dark on every Linux desktop (xcb
and offscreen report no scheme at all) and a half-dark window is worse than either.
Custom widgets take their colours from the palette, never from literals, so every
page reads in both schemes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPainter, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QProxyStyle,
    QStyle,
    QStyleFactory,
    QStyleOption,
    QStyleOptionComplex,
    QStyleOptionSlider,
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
        QPalette.ColorRole.HighlightedText: "#ffffff",
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


def _stylesheet(t: Tokens) -> str:
    # Object names and dynamic properties scope each rule to our own widgets so the
    # native look of ordinary controls is left alone. The main toolbar is flat: Fusion fills
    # it with a gradient, 0.5 ms of every full repaint of the window for a look this matches.
    return f"""
    #Sidebar {{ background: {t.sidebar_bg}; border: none; border-right: 1px solid {t.border}; }}
    #Sidebar::item {{ padding: 6px 10px; border-radius: 6px; margin: 1px 6px; }}
    #Sidebar::item:selected {{ background: {t.accent}; color: white; }}
    QLabel#PageTitle {{ font-size: 20pt; font-weight: 600; }}
    QLabel#PageSubtitle {{ color: {t.muted_text}; }}
    QLabel[muted="true"] {{ color: {t.muted_text}; }}
    QLabel#StateTitle {{ font-size: 14pt; font-weight: 600; }}
    QLabel#RequestId {{ color: {t.muted_text}; font-family: monospace; }}
    QFrame#Card {{ background: {t.card_bg}; border: 1px solid {t.border}; border-radius: 10px; }}
    QLabel#DemoBadge {{ background: {t.demo_badge}; color: white; border-radius: 8px;
                        padding: 2px 8px; font-weight: 600; }}
    QFrame#MessageBar {{ border-radius: 8px; padding: 4px; }}
    QFrame#MessageBar[level="info"] {{ background: {t.accent}; }}
    QFrame#MessageBar[level="warning"] {{ background: {t.warning}; }}
    QFrame#MessageBar[level="error"] {{ background: {t.danger}; }}
    QFrame#MessageBar QLabel {{ color: white; }}
    QToolBar#MainToolbar {{ background: palette(window); border: none;
                           border-bottom: 1px solid {t.border}; padding: 4px 3px 3px 3px; }}
    QToolButton#TenantSwitcher {{ padding: 4px 10px; border: 1px solid {t.border};
                                  border-radius: 8px; }}
    QLabel[state="ok"] {{ color: {t.success}; }}
    QLabel[state="bad"] {{ color: {t.danger}; }}
    QLabel[fieldError="true"] {{ color: {t.danger}; }}
    QPushButton[primary="true"] {{ background: {t.accent}; color: white; font-weight: 600;
                                   border: 1px solid {t.accent}; border-radius: 4px;
                                   padding: 4px 12px; }}
    QPushButton[primary="true"]:hover {{ background: {QColor(t.accent).darker(112).name()}; }}
    QPushButton[primary="true"]:pressed {{ background: {QColor(t.accent).darker(125).name()}; }}
    QPushButton[primary="true"]:disabled {{ background: {t.border}; border-color: {t.border};
                                            color: {t.muted_text}; }}
    QPushButton[destructive="true"]:enabled {{ color: {t.danger}; }}
    """


_SCROLL_BAR = QStyle.ComplexControl.CC_ScrollBar
_GROOVE = QStyle.SubControl.SC_ScrollBarGroove


class _Style(QProxyStyle):
    """Fusion, with a scroll bar groove that costs a fill instead of a gradient.

    Fusion paints the groove as a gradient, span by span: 1.0-1.5 ms for a table-high scroll
    bar, on every repaint of it (each scroll step, each workspace switch), which is half of
    what the rows cost. The same colours, flat, with its edge line, take microseconds; the
    handle and the arrows are still Fusion's own. Only complex controls (scroll bars, combo
    boxes, tool buttons) pass through this Python method.
    """

    def __init__(self) -> None:
        super().__init__(QStyleFactory.create("Fusion"))

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
        rest.subControls = option.subControls & ~_GROOVE
        super().drawComplexControl(control, rest, painter, widget)


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
        self._styled = False
        self.style: QProxyStyle | None = None  # (the app's style() is the style sheet's wrapper)
        self.tokens = LIGHT
        app.styleHints().colorSchemeChanged.connect(self._on_os_scheme_changed)

    @property
    def appearance(self) -> Appearance:
        return self._appearance

    def apply(self, appearance: Appearance) -> None:
        self._appearance = appearance
        tokens = DARK if self._wants_dark() else LIGHT
        if tokens.dark != self.tokens.dark or not self._styled:
            self._styled = True
            self.style = _DarkStyle() if tokens.dark else _Style()
            self._app.setStyle(self.style)
        self.tokens = tokens
        self._app.setPalette(_palette(self.tokens))
        self._app.setStyleSheet(_stylesheet(self.tokens))
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
