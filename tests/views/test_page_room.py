"""A wide page takes room from the sidebar only while it is shown, and Usage is not wide.

A stacked widget asks for the room of its widest page, shown or not: once a wide page had been
opened, the sidebar stayed narrowed on every page after, and the window could not be made
narrower than that page needs. Usage was the widest (its filters and totals ran in one row, 802
px): they wrap now. Against the sandbox, with the real window.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, QSize, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QPushButton,
    QScrollArea,
    QStyleOptionToolButton,
    QTableView,
    QToolButton,
    QWidget,
)

from callaro_desktop import paths
from callaro_desktop.settings import flush_saves
from callaro_desktop.views.shell import main_window
from callaro_desktop.views.shell.main_window import (
    NARROWEST_WITH_SIDEBAR,
    NARROWEST_WITHOUT_SIDEBAR,
    SIDEBAR_WIDTH,
    MainWindow,
    _window_state,
    first_size,
)
from callaro_desktop.views.shell.nav import NAV
from callaro_desktop.views.widgets.badges import PILL_ROLE, BadgeDelegate
from callaro_desktop.views.widgets.lazy_table import LazyTableModel
from callaro_desktop.views.widgets.search_field import SearchField
from callaro_sandbox.server import RunningServer

from .conftest import ADMIN, _start, sign_in, wait_for, wrapped_lines


async def _signed_in(make_app: Any, sandbox: RunningServer) -> MainWindow:
    controller = await make_app()
    await sign_in(controller, sandbox, ADMIN)
    window: MainWindow = controller.window
    return window


async def _resize(window: MainWindow, width: int, height: int) -> None:
    window.resize(width, height)
    # (Layouts settle on posted events, which the loop runs while this waits. Never
    # processEvents() in a coroutine: qasync re-entered can lose its timers, and the test
    # then waits forever.)
    await asyncio.sleep(0.05)


async def _open(window: MainWindow, page_id: str) -> None:
    window.navigate(page_id)
    await wait_for(
        lambda: (
            getattr(window.current_page(), "page_id", None) == page_id
            and window.pages[page_id].states.state in ("ready", "empty")
        ),
        what=page_id,
    )
    await asyncio.sleep(0.05)  # (layouts settle on posted events)


# A sidebar the user dragged wider than SIDEBAR_WIDTH.
WIDE = 260


async def _tight_for_api_keys(window: MainWindow) -> int:
    """Make the window a little narrower than API keys (the widest page: five buttons in a
    row) and a sidebar the user widened to WIDE need together; returns its width.

    From the width where the sidebar folds away (760 px) up, every page has its room beside
    a sidebar of the width it starts with, with these fonts and words; a sidebar dragged
    wider, larger fonts or longer translations need more."""
    window.resize(1400, 800)
    await _open(window, "api_keys")
    window.splitter.moveSplitter(WIDE, 1)
    assert window.sidebar.width() == WIDE
    need = window.pages["api_keys"].minimumSizeHint().width()
    width = WIDE + need  # (the splitter's handle and the margins are not counted)
    assert width >= NARROWEST_WITH_SIDEBAR
    await _resize(window, width, 640)
    assert window.width() == width and window.sidebar.isVisible()
    return width


async def test_the_sidebar_gets_its_width_back_after_a_wide_page(
    make_app: Any, sandbox: RunningServer
) -> None:
    window = await _signed_in(make_app, sandbox)
    await _tight_for_api_keys(window)
    assert window.sidebar.width() < WIDE  # API keys took some

    await _open(window, "dashboard")
    assert window.sidebar.width() == WIDE
    narrowest = window.minimumSizeHint().width()
    await _open(window, "api_keys")
    assert window.sidebar.width() < WIDE
    await _open(window, "dashboard")
    assert window.sidebar.width() == WIDE
    assert window.minimumSizeHint().width() == narrowest  # as before API keys was opened

    # The width the user drags the sidebar to is the one it returns to.
    window.splitter.moveSplitter(WIDE + 20, 1)
    assert window.sidebar.width() == WIDE + 20
    await _open(window, "api_keys")
    assert window.sidebar.width() < WIDE + 20
    await _open(window, "phone_numbers")
    assert window.sidebar.width() == WIDE + 20


async def test_usage_wraps_its_filters_and_totals_instead_of_widening_the_window(
    make_app: Any, sandbox: RunningServer
) -> None:
    window = await _signed_in(make_app, sandbox)
    window.resize(1400, 800)
    await _open(window, "usage")
    page = window.pages["usage"]

    def rows() -> tuple[int, int]:
        top = {w.mapTo(page, w.rect().topLeft()).y() for w in (page.range, page.category)}
        chips = {c.mapTo(page, c.rect().topLeft()).y() for c in page.chips.values()}
        return len(top), len(chips)

    assert rows() == (1, 1)  # room enough: one row each, as before
    await _resize(window, 900, 700)
    assert window.sidebar.width() == SIDEBAR_WIDTH
    assert page.minimumSizeHint().width() < 600
    assert rows()[0] == 2  # the range and the category on rows of their own

    def middle(widget: QWidget) -> int:
        return widget.mapTo(page, widget.rect().center()).y()

    # The count stays level with the first row (it sat between the two).
    assert abs(middle(page.count_label) - middle(page.range)) <= 3
    for widget in (page.range, page.date_to, page.category, *page.chips.values()):
        right = widget.mapTo(page, widget.rect().topRight()).x()
        assert right < page.width(), widget.objectName()  # nothing cut off

    # Short as well as narrow: the totals keep their rows above the chart (the card and the
    # log scroll rather than overlap).
    await _resize(window, 768, 600)
    chart_top = page.panel.mapTo(page, page.panel.rect().topLeft()).y()
    for chip in page.chips.values():
        detail = chip.detail
        assert detail.mapTo(page, detail.rect().bottomLeft()).y() < chart_top, chip.category


async def test_a_window_made_narrow_then_wide_gives_the_sidebar_back(
    make_app: Any, sandbox: RunningServer
) -> None:
    window = await _signed_in(make_app, sandbox)
    await _tight_for_api_keys(window)
    assert window.sidebar.width() < WIDE
    await _resize(window, 1200, 700)
    assert window.sidebar.width() == WIDE


async def test_header_actions_go_under_the_titles_when_there_is_no_room_beside_them(
    make_app: Any, sandbox: RunningServer
) -> None:
    window = await _signed_in(make_app, sandbox)
    window.resize(1400, 800)
    await _open(window, "api_keys")
    page = window.pages["api_keys"]
    subtitle, create = page.subtitle_label, page.create_button

    def top(widget: QWidget) -> int:
        return widget.mapTo(page, widget.rect().topLeft()).y()

    def bottom(widget: QWidget) -> int:
        return widget.mapTo(page, widget.rect().bottomLeft()).y()

    # Wide: the actions beside the titles, the subtitle on one line.
    assert top(create) < bottom(subtitle)
    assert subtitle.height() < 2 * subtitle.fontMetrics().height()
    await _resize(window, 900, 700)
    # Narrow: under them, at the right; the subtitle still on one line, the sidebar whole.
    assert top(create) > bottom(subtitle)
    assert subtitle.height() < 2 * subtitle.fontMetrics().height()
    assert create.mapTo(page, create.rect().topRight()).x() <= page.width()
    assert window.sidebar.width() == SIDEBAR_WIDTH
    assert page.header.minimumSizeHint().width() < 600


async def test_at_the_narrowest_window_every_page_fits_beside_the_sidebar(
    make_app: Any, sandbox: RunningServer
) -> None:
    # 760 px: half a 1536 px screen (1920 px at 125 %), less the window's frame. The widest
    # page (API keys) may take a few pixels from the sidebar, depending on the fonts.
    window = await _signed_in(make_app, sandbox)
    assert NARROWEST_WITH_SIDEBAR <= 768
    await _resize(window, NARROWEST_WITH_SIDEBAR, 600)
    assert window.sidebar.isVisible()
    squeezed = {}
    for item in NAV:
        if window.is_allowed(item.page_id):
            await _open(window, item.page_id)
            page = window.pages[item.page_id]
            need = page.minimumSizeHint().width()
            if window.sidebar.width() < SIDEBAR_WIDTH - 20 or page.width() < need:
                squeezed[item.page_id] = (window.sidebar.width(), page.width(), need)
            assert not wrapped_lines(page)[1], item.page_id
    assert len(window.pages) >= 9
    assert not squeezed


async def test_in_a_first_window_every_list_shows_all_its_columns(
    make_app: Any, sandbox: RunningServer
) -> None:
    # A first window is 1280x800 (first_size): there, no list scrolls sideways to show its
    # last column (API keys' columns were laid out for 1400 px, and Last used was off the
    # edge). The window may be narrower than the columns only when the user makes it so.
    window = await _signed_in(make_app, sandbox)
    await _resize(window, 1280, 800)
    wide = {}
    tables = pills = 0
    for item in NAV:
        if not window.is_allowed(item.page_id):
            continue
        await _open(window, item.page_id)
        for table in window.pages[item.page_id].findChildren(QTableView):
            if table.isVisible():
                tables += 1
                model = table.model()
                columns = model.columnCount() if isinstance(model, LazyTableModel) else 0
                for c in range(columns):  # statuses are pills on every list
                    if PILL_ROLE in model.column(c).extra_roles:
                        pills += 1
                        assert isinstance(table.itemDelegateForColumn(c), BadgeDelegate)
                header = table.horizontalHeader()
                if header.length() > table.viewport().width():
                    wide[item.page_id] = (header.length(), table.viewport().width())
    assert tables >= 5 and pills >= 4  # Users, Phone numbers, Invoices, Telephony
    assert not wide

    # Their search boxes show the whole placeholder ("Search invitations…" was cut short).
    users = window.pages["users"]
    await _open(window, "users")
    users.tabs.setCurrentWidget(users.invitations)
    await asyncio.sleep(0.05)
    cut = {}
    boxes = 0
    for page_id in ("users", "phone_numbers", "api_keys"):
        await _open(window, page_id)
        for box in window.pages[page_id].findChildren(SearchField):
            if box.isVisible():
                boxes += 1
                # The text runs from the frame (~4 px) to the clear button (kept hidden
                # while the box is empty, its room not).
                clear = box.findChild(QToolButton)
                assert clear is not None
                need = box.fontMetrics().horizontalAdvance(box.placeholderText()) + 6
                if need > clear.x():
                    cut[box.placeholderText()] = (need, clear.x())
    assert boxes >= 3
    assert not cut


async def test_each_page_that_adds_something_has_one_primary_action(
    make_app: Any, sandbox: RunningServer
) -> None:
    # The button that adds (or pays) is the page's one filled button, on every such page:
    # Telephony's "New connection" was a plain button beside its neighbours' filled ones.
    window = await _signed_in(make_app, sandbox)
    primaries = {}
    for item in NAV:
        if window.is_allowed(item.page_id):
            await _open(window, item.page_id)
            page = window.pages[item.page_id]
            primaries[item.page_id] = [
                b.accessibleName() or b.text()
                for b in page.findChildren(QPushButton)
                if b.property("primary") is True and b.isVisibleTo(page)
            ]
    assert all(len(names) <= 1 for names in primaries.values()), primaries
    adding = {"users", "api_keys", "billing", "phone_numbers", "telephony"}
    assert {page for page, names in primaries.items() if names} == adding, primaries


async def test_the_dashboard_uses_the_width_it_is_first_shown_at(
    make_app: Any, sandbox: RunningServer
) -> None:
    # The page gets its first resize before its body is laid out: a wide window used to keep
    # two columns of cards.
    controller = await make_app()
    window = controller.window
    window.resize(1920, 1080)
    await sign_in(controller, sandbox, ADMIN)
    await _open(window, "dashboard")
    page = window.pages["dashboard"]

    def columns() -> int:
        return len({card.x() for card in page.visible_cards() if card.isVisible()})

    assert columns() == 3
    await _resize(window, 1000, 700)
    assert columns() == 2


async def test_the_sidebar_hides_with_ctrl_b_and_the_window_remembers(
    make_app: Any, sandbox: RunningServer
) -> None:
    window = await _signed_in(make_app, sandbox)
    await _resize(window, 1000, 700)
    await _open(window, "users")
    action = window.sidebar_action
    assert (
        action.shortcut() == QKeySequence("Ctrl+B")
        and action in window.menuBar().actions()[1].menu().actions()
    )
    assert action.isChecked()

    assert not window.pages_button.isVisible()
    action.trigger()
    assert not window.sidebar.isVisible() and not action.isChecked()
    await asyncio.sleep(0.05)  # (layouts settle on posted events)
    assert window.pages_button.isVisible()  # the pages, where the sidebar was
    assert window.splitter.widget(1).width() == window.splitter.width()
    await _resize(window, 1200, 700)
    assert not window.sidebar.isVisible()  # (hidden by the user: widening does not bring it)

    action.trigger()
    assert window.sidebar.isVisible() and action.isChecked()
    assert window.sidebar.width() == SIDEBAR_WIDTH
    window.splitter.moveSplitter(250, 1)
    action.trigger()  # hidden, and closed like that
    window.close()

    controller = await make_app(keep_window_state=True)
    await sign_in(controller, sandbox, ADMIN)
    again = controller.window
    assert not again.sidebar.isVisible() and not again.sidebar_action.isChecked()
    again.sidebar_action.trigger()
    await asyncio.sleep(0.05)
    assert again.sidebar.width() == 250  # the width the user gave it


async def test_a_narrow_window_folds_the_sidebar_away_and_every_page_fits(
    make_app: Any, sandbox: RunningServer
) -> None:
    # Half a 1366 px screen, the commonest small laptop's, less the frame: too narrow for the
    # sidebar and a page side by side, so the sidebar folds away, and comes back with room.
    window = await _signed_in(make_app, sandbox)
    assert window.minimumSize().width() == NARROWEST_WITHOUT_SIDEBAR <= 683 - 20
    await _resize(window, 1000, 700)
    assert window.sidebar.isVisible()
    await _resize(window, 683, 640)
    assert window.width() == 683
    assert not window.sidebar.isVisible() and not window.sidebar_action.isChecked()
    assert window.sidebar_folded()
    # Where it was, a Pages button: the same pages, those the role may open, grouped.
    assert window.pages_button.isVisible() and window.pages_button.accessibleName() == "Pages"
    shown = [a for a in window.pages_menu.actions() if a.isVisible() and a.text()]
    assert [a.text() for a in shown if not a.isSeparator()][:3] == [
        "Dashboard",
        "Getting started",
        "My Profile",
    ]
    assert "Connectivity" in [a.text() for a in shown if a.isSeparator()]
    assert window.sidebar_action in shown
    assert [a.text() for a in shown if a.isChecked()] == ["Dashboard"]  # the page shown
    # A click opens it; the button draws no second, style's menu arrow beside its own sign.
    QTest.mouseClick(window.pages_button, Qt.MouseButton.LeftButton)
    await wait_for(window.pages_menu.isVisible, what="pages menu")
    window.pages_menu.hide()
    for button in (window.pages_button, window.account_button):
        option = QStyleOptionToolButton()
        button.initStyleOption(option)
        assert not option.features & QStyleOptionToolButton.ToolButtonFeature.HasMenu
    QTest.mouseClick(window.account_button, Qt.MouseButton.LeftButton)
    await wait_for(window.account_menu.isVisible, what="account menu")
    assert window.sign_out_action in window.account_menu.actions()
    window.account_menu.hide()
    window.page_actions["invoices"].trigger()
    await wait_for(lambda: window.router.current == "invoices", what="invoices")
    assert [a.text() for a in window.pages_menu.actions() if a.isChecked()] == ["Invoices"]
    window.page_actions["invoices"].trigger()  # the page shown: stays shown, and marked
    assert window.page_actions["invoices"].isChecked()
    for page_id in ("dashboard", "users", "api_keys", "usage", "phone_numbers", "telephony"):
        await _open(window, page_id)
        page = window.pages[page_id]
        assert page.width() >= page.minimumSizeHint().width(), page_id
        assert not wrapped_lines(page)[1], page_id
    assert window.splitter.widget(1).width() == window.splitter.width()

    await _resize(window, NARROWEST_WITH_SIDEBAR, 640)
    assert window.sidebar.isVisible() and window.sidebar_action.isChecked()
    assert window.sidebar.width() == SIDEBAR_WIDTH
    assert not window.pages_button.isVisible()
    await _resize(window, NARROWEST_WITHOUT_SIDEBAR, 600)
    assert not window.sidebar.isVisible()

    # Asked for while folded (Ctrl+B, the menu, the palette): the window makes room for it.
    window.sidebar_action.trigger()
    await asyncio.sleep(0.05)
    assert window.width() >= NARROWEST_WITH_SIDEBAR
    assert window.sidebar.isVisible() and window.sidebar_action.isChecked()

    # Folded is not hidden: closed narrow, the next window shows it once it has the room.
    await _resize(window, 683, 640)
    assert not window.sidebar.isVisible()
    window.close()
    controller = await make_app(keep_window_state=True)
    await sign_in(controller, sandbox, ADMIN)
    again = controller.window  # (the tests' windows open 1200 px wide)
    assert again.sidebar.isVisible() and again.sidebar.width() == SIDEBAR_WIDTH


async def test_quitting_with_the_window_open_keeps_its_place_and_sidebar(
    make_app: Any, sandbox: RunningServer
) -> None:
    """Quitting without closing the window (a signal, the computer's session ending) keeps
    what closing it would: its size and place, the sidebar. They were kept only on close."""
    controller = await make_app()
    await sign_in(controller, sandbox, ADMIN)
    window = controller.window
    window.sidebar_action.trigger()  # hidden (Ctrl+B)
    assert not window.sidebar.isVisible()
    await _resize(window, 700, 560)  # (inside the offscreen screen: 800 x 800)
    await controller.shutdown()
    assert window.isVisible()  # (quit as a signal does: no window was closed)
    kept = _window_state()
    probe = QWidget()
    assert probe.restoreGeometry(kept.value("main_window/geometry"))
    assert probe.size() == QSize(700, 560)
    assert kept.value("main_window/sidebar", type=bool) is False


async def test_the_window_state_is_written_off_the_gui_thread(
    make_app: Any, sandbox: RunningServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """QSettings ends a write with a sync to disk, twice: as slow as the disk, and on the GUI
    thread it held the closing window (or the one left open) for as long."""
    window = await _signed_in(make_app, sandbox)
    await _resize(window, 730, 590)
    opened_on: list[threading.Thread] = []

    def watched() -> QSettings:
        opened_on.append(threading.current_thread())
        return _window_state()

    monkeypatch.setattr(main_window, "_window_state", watched)
    paths.window_state_file().unlink(missing_ok=True)
    window.close()
    assert flush_saves()
    assert opened_on and threading.main_thread() not in opened_on
    kept = _window_state()
    probe = QWidget()
    assert probe.restoreGeometry(kept.value("main_window/geometry"))
    assert probe.size() == QSize(730, 590)


LONG_WORKSPACE = "Brightline Logistics International Private Limited & Sons"


@contextlib.contextmanager
def _long_data(tmp_path: Path) -> Iterator[RunningServer]:
    """A sandbox of the test's own whose Acme Health has a long name and long billing details
    (and a balance of ₹9,99,99,99,99,999.99: figures are data too)."""
    server = _start(tmp_path)
    try:
        server.db.execute(
            "UPDATE tenants SET name = ? WHERE name = ?", (LONG_WORKSPACE, "Acme Health")
        )
        server.db.execute(
            "UPDATE billing_accounts SET legal_name = ?, email = ?, address = ?,"
            " balance_minor = 99999999999999"
            " WHERE tenant_id = (SELECT id FROM tenants WHERE name = ?)",
            (
                f"{LONG_WORKSPACE} (Holdings)",
                "accounts.payable.invoices@brightline-logistics-international.example",
                "Unit 1204, Tower B, Prestige Technology Park Phase III, Outer Ring Road,"
                " Marathahalli–Sarjapur, Bengaluru, Karnataka 560103",
                LONG_WORKSPACE,
            ),
        )
        yield server
    finally:
        server.stop()


async def test_long_names_are_cut_short_not_pushed_off_the_toolbar(
    make_app: Any, tmp_path: Path
) -> None:
    # A narrow window used to move the workspace chip, the badges and the account menu into
    # the toolbar's » overflow: the user no longer saw which workspace they were acting on.
    long_name = LONG_WORKSPACE
    with _long_data(tmp_path) as server:
        long_person = "Asha Venkatanarasimharajuvaripeta & Subramanyam"
        server.db.execute(
            "UPDATE users SET display_name = ? WHERE email = ?", (long_person, ADMIN[0])
        )
        controller = await make_app()
        await sign_in(controller, server, ADMIN)
        window: MainWindow = controller.window
        chip = window.switcher
        overflow = window.findChild(QToolButton, "qt_toolbar_ext_button")
        assert overflow is not None

        await _resize(window, 1280, 700)
        account = window.account_button
        assert chip.text() == f"{long_name.replace('&', '&&')}  ·  Tenant Admin  ▾"
        assert account.text() == f"{long_person.replace('&', '&&')}  ▾"
        assert not chip.is_name_cut() and not account.is_name_cut()
        assert not overflow.isVisible()

        for width in (NARROWEST_WITH_SIDEBAR, NARROWEST_WITHOUT_SIDEBAR):
            await _resize(window, width, 640)
            assert chip.isVisible() and window.account_button.isVisible(), width
            assert not overflow.isVisible(), width
            assert long_name in window.windowTitle()
        # A long server address in the status bar does not widen the window either.
        far = "https://callaro-staging-eu-west-1.internal.example.com:8443"
        window.connection_label.setText(f"● Offline: {far} cannot be reached")
        window.retry_connection.show()
        await asyncio.sleep(0.05)
        status = window.connection_label
        assert window.minimumSizeHint().width() <= NARROWEST_WITHOUT_SIDEBAR
        assert window.width() == NARROWEST_WITHOUT_SIDEBAR and window.retry_connection.isVisible()
        assert status.width() >= status.minimumSizeHint().width()  # cut short, not clipped
        assert status.mapTo(window, status.rect().topLeft()).x() >= 0
        # At the narrowest the name is cut short; the role stays, the whole name on hover.
        assert chip.is_name_cut()
        assert chip.text().startswith("Brightline")
        assert chip.text().endswith("…  ·  Tenant Admin  ▾")
        assert long_name in chip.toolTip()
        assert account.is_name_cut() and account.text().startswith("Asha")
        assert long_person in account.toolTip() and ADMIN[0] in account.toolTip()

        await _resize(window, 1280, 700)
        assert not chip.is_name_cut()  # room again: the whole name


async def test_long_names_emails_and_figures_do_not_widen_any_page(
    make_app: Any, tmp_path: Path
) -> None:
    # Names and emails are the users' data, and some are long with nowhere to wrap: a person
    # with no display name shows as their email. No page may need more room for them than
    # the narrowest window gives it (its cards or forms were cut off at the right).
    long_email = "support.engineering.escalations@brightline-logistics-international.example"
    with _long_data(tmp_path) as server:
        server.db.execute(
            "UPDATE users SET email = ?, display_name = NULL WHERE email = ?",
            (long_email, ADMIN[0]),
        )
        controller = await make_app()
        await sign_in(controller, server, (long_email, ADMIN[1]))
        window: MainWindow = controller.window
        await _resize(window, NARROWEST_WITHOUT_SIDEBAR, 640)
        wide: dict[str, tuple[int, int]] = {}
        squeezed: dict[str, tuple[int, int]] = {}
        checked = 0
        for item in NAV:
            if window.is_allowed(item.page_id):
                await _open(window, item.page_id)
                page = window.pages[item.page_id]
                need = page.minimumSizeHint().width()
                if need > page.width():
                    wide[item.page_id] = (need, page.width())
                # Nor may a page's body need to scroll sideways (or hide what is past its edge).
                for area in page.findChildren(QScrollArea):
                    inner = area.widget()
                    if area.isVisible() and inner is not None:
                        room = area.viewport().width()
                        if inner.width() > room or area.horizontalScrollBar().isVisible():
                            wide[f"{item.page_id}: {inner.objectName()}"] = (inner.width(), room)
                looked_at, short = wrapped_lines(page)
                checked += looked_at
                squeezed.update({f"{item.page_id}: {k}": v for k, v in short.items()})
        assert len(window.pages) >= 9
        assert not wide
        assert checked > 20 and not squeezed  # (wrapped lines were there to look at)


async def test_the_command_palette_fits_a_narrow_window_and_the_screen(
    make_app: Any, sandbox: RunningServer
) -> None:
    window = await _signed_in(make_app, sandbox)
    await _resize(window, NARROWEST_WITHOUT_SIDEBAR, 600)
    window.move(0, 0)  # snapped to the left half of a small screen
    await asyncio.sleep(0.05)
    window.open_palette()
    palette = await wait_for(lambda: window._palette, what="palette")
    await wait_for(palette.isVisible, what="palette shown")
    screen = window.screen().availableGeometry()
    assert palette.width() <= window.width()
    assert screen.contains(palette.frameGeometry().topLeft())
    assert palette.frameGeometry().right() <= max(screen.right(), window.frameGeometry().right())
    palette.hide()
    await _resize(window, 1280, 700)
    window.open_palette()
    await wait_for(palette.isVisible, what="palette shown again")
    assert palette.width() == 620  # its own width, where there is room
    palette.hide()


async def test_the_workspace_list_opens_wholly_on_screen(
    make_app: Any, sandbox: RunningServer
) -> None:
    window = await _signed_in(make_app, sandbox)
    await _resize(window, NARROWEST_WITHOUT_SIDEBAR, 600)
    screen = window.screen().availableGeometry()
    # Low on the screen: below its chip the list would run off the bottom.
    window.move(screen.left(), screen.bottom() - 200)
    await asyncio.sleep(0.05)
    window.switcher.open_popup()
    popup = window.switcher.popup
    await wait_for(popup.isVisible, what="workspace list")
    assert screen.contains(popup.frameGeometry()), (screen, popup.frameGeometry())
    popup.hide()


def test_a_first_window_is_as_large_as_a_small_screen_allows() -> None:
    assert first_size(QSize(1920, 1040)) == QSize(1280, 800)
    # A 1366x768 laptop less its panel: 800 px did not fit, the status bar was off the screen.
    assert first_size(QSize(1366, 728)) == QSize(1280, 680)
    assert first_size(QSize(600, 500)) == QSize(580, 560)  # never under the window's least


async def test_a_first_window_opens_within_its_screen(
    make_app: Any, sandbox: RunningServer
) -> None:
    window = await _signed_in(make_app, sandbox)
    paths.window_state_file().unlink(missing_ok=True)  # a first run: nothing saved
    window._restore_geometry()
    await asyncio.sleep(0.05)
    area = window.screen().availableGeometry()  # (the test platform's screen is 800x800)
    assert window.width() <= area.width() and window.height() <= area.height()
    assert window.size() == first_size(area.size())
