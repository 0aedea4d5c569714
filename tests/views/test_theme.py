"""The two appearances: an unticked checkbox must show its outline in both, and scroll bars
keep Fusion's handle and arrows on a groove painted flat.

Fusion draws an indicator's outline from the window colour darkened, which all but
vanishes on a dark window; the dark theme's proxy style fixes it, and the light theme's
leaves primitives alone (every primitive would otherwise pass through Python). Both paint
the scroll bar groove as one fill rather than Fusion's gradient, which cost more than the
rows of a table on every scroll step.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QMargins, QPoint, QRect, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialogButtonBox,
    QFrame,
    QLabel,
    QMainWindow,
    QProxyStyle,
    QPushButton,
    QScrollBar,
    QStyle,
    QStyleFactory,
    QStyleOptionButton,
    QStyleOptionSlider,
    QToolBar,
    QWidget,
)
from pytestqt.qtbot import QtBot

from callaro_desktop.services.accounts import BADGE_COLOURS
from callaro_desktop.views import theme
from callaro_desktop.views.shell.sidebar import Sidebar
from callaro_desktop.views.shell.tenant_switcher import TenantSwitcher
from callaro_desktop.views.theme import DARK
from callaro_sandbox.server import RunningServer

from .conftest import ADMIN, sign_in, wait_for


@pytest.fixture
def themed(qapp: QApplication) -> Iterator[QApplication]:
    style, palette, sheet = qapp.style().name(), qapp.palette(), qapp.styleSheet()
    yield qapp
    # Other tests render with the session's own look: put it back.
    qapp.setStyle(style or "Fusion")  # (a proxy style has no name: the session's is Fusion)
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


def _scroll_bar_image(style: QStyle, option: QStyleOptionSlider, bar: QScrollBar) -> QImage:
    image = QImage(option.rect.size(), QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.magenta)
    painter = QPainter(image)
    style.drawComplexControl(QStyle.ComplexControl.CC_ScrollBar, option, painter, bar)
    painter.end()
    return image


@pytest.mark.parametrize("appearance", ["light", "dark"])
def test_scroll_bars_keep_fusion_s_handle_on_a_flat_groove(
    themed: QApplication, appearance: str
) -> None:
    ours = theme.install(themed, appearance).style
    fusion = QStyleFactory.create("Fusion")
    assert isinstance(ours, QProxyStyle) and ours.baseStyle().name().lower() == "fusion"
    bar = QScrollBar(Qt.Orientation.Vertical)
    bar.setRange(0, 1000)
    bar.setPageStep(250)
    bar.setValue(300)
    option = QStyleOptionSlider()
    option.initFrom(bar)
    option.rect = QRect(0, 0, 14, 400)
    option.orientation = Qt.Orientation.Vertical
    option.minimum, option.maximum = 0, 1000
    option.pageStep, option.singleStep, option.sliderPosition = 250, 10, 300
    option.subControls = QStyle.SubControl.SC_All
    mine = _scroll_bar_image(ours, option, bar)
    theirs = _scroll_bar_image(fusion, option, bar)
    cc = QStyle.ComplexControl.CC_ScrollBar
    handle = fusion.subControlRect(cc, option, QStyle.SubControl.SC_ScrollBarSlider, bar)
    assert ours.subControlRect(cc, option, QStyle.SubControl.SC_ScrollBarSlider, bar) == handle
    assert handle.height() > 40 and handle.top() > 60  # a handle a third of the way down

    def pixels(image: QImage, rect: QRect) -> list[int]:
        return [
            image.pixel(x, y)
            for x in range(rect.left(), rect.right() + 1)
            for y in range(rect.top(), rect.bottom() + 1)
        ]

    # The handle is Fusion's, pixel for pixel (inside its rounded, see-through rim).
    inside = handle.adjusted(3, 3, -3, -3)
    assert pixels(mine, inside) == pixels(theirs, inside)
    # The groove below it is one colour across its width, but for the edge line at the left.
    window = themed.palette().color(QPalette.ColorRole.Window)
    groove = QRect(QPoint(1, handle.bottom() + 20), QPoint(12, handle.bottom() + 60))
    assert set(pixels(mine, groove)) == {window.darker(104).rgba()}
    assert mine.pixel(0, handle.bottom() + 30) == window.darker(125).rgba()
    # Fusion's own groove is a gradient: more than one colour across the same rows.
    assert len(set(pixels(theirs, groove))) > 1
    # Nothing left unpainted (the test image is magenta underneath).
    assert QColor(Qt.GlobalColor.magenta).rgba() not in set(pixels(mine, option.rect))

    # Scrolled: the handle kept from the first paint, drawn where it now sits, still Fusion's.
    painted = len(ours._handles)
    assert painted >= 1  # the first paint kept its handle
    option.sliderPosition = 700
    moved = fusion.subControlRect(cc, option, QStyle.SubControl.SC_ScrollBarSlider, bar)
    assert moved.top() > handle.bottom() and moved.size() == handle.size()
    mine, theirs = (_scroll_bar_image(s, option, bar) for s in (ours, fusion))
    inside = moved.adjusted(3, 3, -3, -3)
    assert pixels(mine, inside) == pixels(theirs, inside)
    assert len(ours._handles) == painted  # no new pixmap for the same size and state


@pytest.mark.parametrize("appearance", ["light", "dark"])
def test_the_main_toolbar_is_flat_with_its_bottom_line(
    themed: QApplication, appearance: str
) -> None:
    installed = theme.install(themed, appearance)
    main = QMainWindow()  # docked, as in the console (a floating toolbar is a menu-like window)
    bar = QToolBar()
    bar.setObjectName("MainToolbar")
    main.addToolBar(bar)
    main.resize(400, 120)
    main.show()
    bar.resize(400, 40)
    image = bar.grab().toImage()
    main.close()
    ratio = image.width() / bar.width()
    window = themed.palette().color(QPalette.ColorRole.Window)
    inside = {
        image.pixel(int(x * ratio), int(y * ratio)) for x in range(20, 380, 7) for y in range(4, 34)
    }
    assert inside == {window.rgba()}  # one colour: no gradient
    bottom = QColor(image.pixel(int(200 * ratio), image.height() - 1))
    assert bottom == QColor(installed.tokens.border)


# -- the looks the style gives named and marked widgets (no application style sheet) ---------


def _shown(widget: QWidget, size: tuple[int, int] = (240, 60)) -> QImage:
    widget.resize(*size)
    widget.ensurePolished()
    return widget.grab().toImage()


def _colours(image: QImage) -> set[str]:
    return {
        QColor(image.pixel(x, y)).name()
        for x in range(0, image.width(), 2)
        for y in range(0, image.height(), 2)
    }


def test_no_application_style_sheet_slows_every_widget(themed: QApplication) -> None:
    # A style sheet on the application makes every widget of every page go through
    # QStyleSheetStyle (a page took three times as long to build and show).
    for appearance in ("light", "dark"):
        theme.install(themed, appearance)
        assert themed.styleSheet() == ""


@pytest.mark.parametrize("appearance", ["light", "dark"])
def test_labels_are_dressed_by_name_and_by_mark(themed: QApplication, appearance: str) -> None:
    t = theme.install(themed, appearance).tokens
    title = QLabel("Users")
    title.setObjectName("PageTitle")
    title.ensurePolished()
    assert title.font().pointSizeF() == 20 and title.font().weight() == QFont.Weight.DemiBold

    # Each mark, painted in its colour; taken away and the label repolished (as the code
    # does), the label is ordinary text again.
    window_text = themed.palette().color(QPalette.ColorRole.WindowText).name()
    for mark, colour in (("muted", t.muted_text), ("fieldError", t.danger)):
        label = QLabel("Enter an email address")
        label.setProperty(mark, True)
        assert QColor(colour).name() in _colours(_shown(label)), mark
        label.setProperty(mark, False)
        label.style().unpolish(label)
        label.style().polish(label)
        plain = _colours(_shown(label))
        assert QColor(colour).name() not in plain and window_text in plain, mark

    ok = QLabel("At least 12 characters")
    ok.setProperty("state", "ok")
    assert QColor(t.success).name() in _colours(_shown(ok))


def test_marked_colours_follow_the_appearance(themed: QApplication) -> None:
    theme.install(themed, "light")
    window = QWidget()  # as in the console: labels live in a window that is shown
    error = QLabel("Enter an email address", window)
    error.setProperty("fieldError", True)
    muted = QLabel("muted", window)
    muted.move(0, 30)
    muted.setProperty("muted", True)
    window.show()
    assert QColor(theme.LIGHT.danger).name() in _colours(_shown(error))
    assert QColor(theme.LIGHT.muted_text).name() in _colours(_shown(muted))
    theme.install(themed, "dark")
    themed.processEvents()  # (Qt hands the new palette down through posted events)
    assert QColor(theme.DARK.danger).name() in _colours(_shown(error))
    assert QColor(theme.DARK.muted_text).name() in _colours(_shown(muted))
    window.close()


@pytest.mark.parametrize("appearance", ["light", "dark"])
def test_cards_and_the_message_bar_get_their_panels(themed: QApplication, appearance: str) -> None:
    t = theme.install(themed, appearance).tokens
    card = QFrame()
    card.setObjectName("Card")
    image = _shown(card, (200, 100))
    ratio = image.width() / 200
    assert QColor(image.pixel(int(100 * ratio), int(50 * ratio))) == QColor(t.card_bg)
    assert QColor(image.pixel(int(100 * ratio), 0)).name() == QColor(t.border).name()

    for level, colour in (("info", t.accent), ("warning", t.warning), ("error", t.danger)):
        bar = QFrame()
        bar.setObjectName("MessageBar")
        bar.setProperty("level", level)
        text = QLabel("Could not reach the server", bar)
        image = _shown(bar, (300, 40))
        middle = QColor(image.pixel(image.width() - int(20 * ratio), image.height() // 2))
        assert middle == QColor(colour), level
        assert text.palette().color(text.foregroundRole()) == QColor(t.on_fill)


@pytest.mark.parametrize("appearance", ["light", "dark"])
def test_primary_and_destructive_buttons(themed: QApplication, appearance: str) -> None:
    t = theme.install(themed, appearance).tokens
    primary = QPushButton("Invite User")
    primary.setProperty("primary", True)
    assert QColor(t.accent).name() in _colours(_shown(primary, (140, 32)))
    destructive = QPushButton("Remove from tenant…")
    destructive.setProperty("destructive", True)
    destructive.ensurePolished()
    role = QPalette.ColorRole.ButtonText
    assert destructive.palette().color(QPalette.ColorGroup.Active, role) == QColor(t.danger)
    disabled = destructive.palette().color(QPalette.ColorGroup.Disabled, role)
    assert disabled == themed.palette().color(QPalette.ColorGroup.Disabled, role)


# -- no style sheet in the shell: the sidebar, the toolbar and its chip and pills, primary
# buttons paint themselves, and show keyboard focus ----------------------------------------


def _sheet_styled(widget: QWidget) -> bool:
    return widget.style().metaObject().className() == "QStyleSheetStyle"


async def test_the_signed_in_window_uses_no_style_sheet(
    themed: QApplication, sandbox: RunningServer, make_app: Any
) -> None:
    theme.install(themed, "light")
    controller = await make_app()
    await sign_in(controller, sandbox, ADMIN)
    window = controller.window
    await wait_for(lambda: window.current_page() is not None, what="the first page")
    account = controller.session.current_account
    assert account is not None
    account.set_badge("PROD", "#c62828")  # the account badge is a pill too
    await wait_for(window.account_badge.isVisible, what="the account badge")
    window.navigate("users")  # a page with a primary button
    await wait_for(lambda: window.current_page() is window.pages.get("users"), what="users")
    await asyncio.sleep(0.05)
    widgets = [window, *window.findChildren(QWidget)]
    assert not [w.objectName() or type(w).__name__ for w in widgets if _sheet_styled(w)]
    assert not [w.objectName() for w in widgets if w.styleSheet()]
    invite = window.pages["users"].invite_button
    assert invite.isVisible() and invite.style() is theme._chrome()


def _pixel(image: QImage, widget: QWidget, x: float, y: float) -> QColor:
    ratio = image.width() / widget.width()
    return QColor(image.pixel(int(x * ratio), int(y * ratio)))


@pytest.mark.parametrize("appearance", ["light", "dark"])
def test_the_sidebar_selection_is_an_accent_pill_and_its_edge_a_line(
    themed: QApplication, appearance: str
) -> None:
    t = theme.install(themed, appearance).tokens
    bar = Sidebar()
    bar.resize(220, 480)
    bar.show()
    bar.select_page("users")
    rect = bar.visualItemRect(bar.currentItem())
    image = bar.grab().toImage()
    viewport = bar.viewport()
    middle = rect.center()
    assert _pixel(image, bar, rect.right() - 20, middle.y()) == QColor(t.accent)
    assert _pixel(image, bar, 2, middle.y()) == QColor(t.sidebar_bg)  # the pill's margin
    assert _pixel(image, bar, rect.left() + 6, rect.top() + 1) != QColor(t.accent)  # rounded
    text = [
        _pixel(image, bar, x, y) for x in range(16, 40) for y in range(rect.top(), rect.bottom())
    ]
    # Its text, in the on-fill colour (white on the light theme's accent, near-black on the
    # dark theme's): the pixel furthest from the fill is the text's own.
    darkest = min(text, key=lambda c: abs(c.lightnessF() - QColor(t.on_fill).lightnessF()))
    assert abs(darkest.lightnessF() - QColor(t.on_fill).lightnessF()) < 0.05
    edge = viewport.width() - 1
    assert {_pixel(image, bar, edge, y).name() for y in range(0, 470, 10)} == {
        QColor(t.border).name()
    }
    # The rows keep the room they had: the pill's margin and padding around the text.
    assert rect.height() >= bar.fontMetrics().height() + 14
    bar.close()


@pytest.mark.parametrize("appearance", ["light", "dark"])
def test_pills_are_filled_with_readable_text(themed: QApplication, appearance: str) -> None:
    t = theme.install(themed, appearance).tokens
    # An account badge keeps its chosen (deep) colour in both appearances, and white text.
    for name, colour, on in (
        ("DemoBadge", None, t.on_fill),
        ("AccountBadge", "#1a7f4b", "#ffffff"),
    ):
        pill = QLabel("PROD")
        pill.setObjectName(name)
        if colour is not None:
            pill.setProperty(theme.PILL_COLOUR, colour)
        pill.ensurePolished()
        text = pill.fontMetrics().horizontalAdvance("PROD")
        assert pill.sizeHint().width() >= text + 24
        assert pill.font().weight() == QFont.Weight.DemiBold
        image = _shown(pill, (pill.sizeHint().width(), pill.sizeHint().height()))
        fill = QColor(colour or t.demo_badge)
        assert _pixel(image, pill, 4, pill.height() / 2) == fill
        assert _pixel(image, pill, 0, 0) != fill  # round ends
        assert on in _colours(image)


def _keyboard_focused(widget: QWidget, qtbot: QtBot) -> QMainWindow:
    window = QMainWindow()
    window.setCentralWidget(widget)
    window.show()
    with qtbot.waitActive(window):
        window.activateWindow()
    widget.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(widget.hasFocus)
    # (Qt sets this when the Tab key moves the focus; a test has no key to press.)
    window.setAttribute(Qt.WidgetAttribute.WA_KeyboardFocusChange, True)
    return window


@pytest.mark.parametrize("appearance", ["light", "dark"])
def test_primary_buttons_show_hover_pressed_disabled_and_focus(
    themed: QApplication, appearance: str, qtbot: QtBot
) -> None:
    t = theme.install(themed, appearance).tokens
    accent = QColor(t.accent)

    def fill(button: QPushButton) -> str:
        image = _shown(button, (140, 32))
        return _pixel(image, button, 6, 16).name()

    button = QPushButton("Invite User")
    button.setProperty("primary", True)
    assert fill(button) == accent.name()
    assert button.font().weight() == QFont.Weight.DemiBold
    button.setAttribute(Qt.WidgetAttribute.WA_UnderMouse, True)
    assert fill(button) == accent.darker(112).name()
    button.setDown(True)
    assert fill(button) == accent.darker(125).name()
    button.setDown(False)
    button.setAttribute(Qt.WidgetAttribute.WA_UnderMouse, False)
    button.setEnabled(False)
    assert fill(button) == QColor(t.border).name()
    assert QColor(t.muted_text).name() in _colours(_shown(button, (140, 32)))
    button.setEnabled(True)
    assert t.on_fill in _colours(_shown(button, (140, 32)))  # the label
    ring_row = 2  # the focus ring runs 2 px inside the edge
    before = _pixel(_shown(button, (140, 32)), button, 70, ring_row)
    window = _keyboard_focused(button, qtbot)
    button.resize(140, 32)
    after = _pixel(button.grab().toImage(), button, 70, ring_row)
    window.close()
    # A ring in the on-fill colour (slightly see-through) inside the edge.
    assert before == accent
    assert abs(after.lightnessF() - QColor(t.on_fill).lightnessF()) < 0.2
    # Its size: the label and the padding around it, as before the style sheet went.
    label = button.fontMetrics().size(Qt.TextFlag.TextShowMnemonic, "Invite User")
    assert button.sizeHint() == label.grownBy(QMargins(13, 5, 13, 5))


@pytest.mark.parametrize("appearance", ["light", "dark"])
def test_the_workspace_chip_is_outlined_and_answers_the_pointer(
    themed: QApplication, appearance: str, qtbot: QtBot
) -> None:
    t = theme.install(themed, appearance).tokens
    chip = TenantSwitcher()
    chip.setText("Acme Health  ·  Tenant Admin  ▾")
    window_colour = themed.palette().color(QPalette.ColorRole.Window)

    def look() -> tuple[QColor, QColor]:
        image = _shown(chip, (240, 37))
        return _pixel(image, chip, 120, 0), _pixel(image, chip, 6, 18)

    outline, inside = look()
    assert outline == QColor(t.border)
    chip.setAttribute(Qt.WidgetAttribute.WA_UnderMouse, True)
    assert look()[1] != inside  # a hover fill
    chip.setAttribute(Qt.WidgetAttribute.WA_UnderMouse, False)
    window = _keyboard_focused(chip, qtbot)
    chip.resize(240, 37)
    focused = _pixel(chip.grab().toImage(), chip, 120, 0)
    window.close()
    assert focused == QColor(t.accent)
    assert inside != QColor(t.accent) and window_colour.isValid()


def test_the_chrome_follows_an_appearance_change(themed: QApplication) -> None:
    # The toolbar, the chip and primary buttons keep their own style when the application's
    # changes; they read the colours when they paint.
    theme.install(themed, "light")
    button = QPushButton("Add number")
    button.setProperty("primary", True)
    light = _pixel(_shown(button, (140, 32)), button, 6, 16)
    theme.install(themed, "dark")
    dark = _pixel(_shown(button, (140, 32)), button, 6, 16)
    assert (light, dark) == (QColor(theme.LIGHT.accent), QColor(theme.DARK.accent))
    assert button.style() is theme._chrome()


@pytest.mark.parametrize("appearance", ["light", "dark"])
def test_text_on_every_filled_colour_is_readable(themed: QApplication, appearance: str) -> None:
    # WCAG's 4.5:1 for normal text: the selection, primary buttons, the sidebar's pill, the
    # message bar's three levels and the demo badge all put on_fill text on these. White on
    # the dark theme's bright fills read at 1.9-3:1.
    t = theme.install(themed, appearance).tokens
    on = QColor(t.on_fill)
    for fill in (t.accent, t.success, t.warning, t.danger, t.demo_badge):
        assert _contrast(QColor(fill), on) >= 4.5, (appearance, fill)
    palette = themed.palette()
    highlight = palette.color(QPalette.ColorRole.Highlight)
    assert _contrast(highlight, palette.color(QPalette.ColorRole.HighlightedText)) >= 4.5
    # A colour no token knows (an account badge's) gets whichever of the two reads better.
    for colour in (*BADGE_COLOURS, "#ffeb3b", "#90caf9", "#000000", "#ffffff"):
        chosen = theme.readable_on(QColor(colour))
        other = QColor("#ffffff") if chosen != QColor("#ffffff") else QColor(DARK.on_fill)
        assert _contrast(QColor(colour), chosen) >= _contrast(QColor(colour), other), colour
    for colour in BADGE_COLOURS:
        assert _contrast(QColor(colour), theme.readable_on(QColor(colour))) >= 4.5, colour


def _contrast(a: QColor, b: QColor) -> float:
    def luminance(c: QColor) -> float:
        channels = [
            v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4
            for v in (c.redF(), c.greenF(), c.blueF())
        ]
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_dialog_buttons_carry_no_icons(themed: QApplication) -> None:
    # Where the desktop gives standard buttons icons (KDE, a bare X server), Cancel wore an X
    # beside "Invite User" with none. The box gives the icon when it makes the button, before
    # the button is first laid out and dressed: as here.
    theme.install(themed, "light")
    style = themed.style()
    box = QDialogButtonBox()
    cancel = QPushButton(style.standardIcon(QStyle.StandardPixmap.SP_DialogCancelButton), "Cancel")
    assert not cancel.icon().isNull()
    box.addButton(cancel, QDialogButtonBox.ButtonRole.RejectRole)
    invite = box.addButton("Invite User", QDialogButtonBox.ButtonRole.AcceptRole)
    _shown(box, (300, 40))
    assert cancel.icon().isNull() and invite.icon().isNull()
    # A button elsewhere keeps its icon.
    other = QPushButton(style.standardIcon(QStyle.StandardPixmap.SP_DialogOkButton), "OK")
    _shown(other, (80, 30))
    assert not other.icon().isNull()


@pytest.mark.parametrize("appearance", ["light", "dark"])
def test_the_command_palette_has_an_edge(themed: QApplication, appearance: str) -> None:
    # A popup gets no frame or shadow from most Linux desktops: without an edge the palette
    # ran into the page under it.
    from callaro_desktop.views.shell.command_palette import CommandPalette

    theme.install(themed, appearance)
    palette = CommandPalette()
    image = _shown(palette, (420, 300))
    edge = theme.popup_edge(palette.palette().color(QPalette.ColorRole.Window))
    window = themed.palette().color(QPalette.ColorRole.Window)
    for x, y in ((0, 150), (210, 0), (419, 150), (210, 299)):
        assert _pixel(image, palette, x, y).name() == edge.name(), (x, y)
    assert _contrast(edge, window) >= 1.3  # it shows against the window colour
    palette.deleteLater()
