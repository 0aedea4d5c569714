"""A wide page takes room from the sidebar only while it is shown, and Usage is not wide.

A stacked widget asks for the room of its widest page, shown or not: once a wide page had been
opened, the sidebar stayed narrowed on every page after, and the window could not be made
narrower than that page needs. Usage was the widest (its filters and totals ran in one row, 802
px): they wrap now. Against the sandbox, with the real window.
"""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtWidgets import QApplication

from callaro_desktop.views.shell.main_window import SIDEBAR_WIDTH, MainWindow
from callaro_sandbox.server import RunningServer

from .conftest import ADMIN, sign_in, wait_for


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
    QApplication.processEvents()


async def test_the_sidebar_gets_its_width_back_after_a_wide_page(
    make_app: Any, sandbox: RunningServer
) -> None:
    controller = await make_app()
    await sign_in(controller, sandbox, ADMIN)
    window = controller.window
    window.resize(900, 640)
    await _open(window, "dashboard")
    narrowest = window.minimumSizeHint().width()
    assert window.sidebar.width() == SIDEBAR_WIDTH

    await _open(window, "users")  # its table's tools need more than 900 px leave it
    assert window.pages["users"].minimumSizeHint().width() > 900 - SIDEBAR_WIDTH - 20
    assert window.sidebar.width() < SIDEBAR_WIDTH

    await _open(window, "dashboard")
    assert window.sidebar.width() == SIDEBAR_WIDTH
    assert window.minimumSizeHint().width() == narrowest  # as before Users was opened

    # The width the user drags the sidebar to is the one it returns to.
    window.resize(960, 640)
    window.splitter.moveSplitter(260, 1)
    assert window.sidebar.width() == 260
    await _open(window, "users")
    assert window.sidebar.width() < 260
    await _open(window, "phone_numbers")
    assert window.sidebar.width() == 260


async def test_usage_wraps_its_filters_and_totals_instead_of_widening_the_window(
    make_app: Any, sandbox: RunningServer
) -> None:
    controller = await make_app()
    await sign_in(controller, sandbox, ADMIN)
    window = controller.window
    window.resize(1400, 800)
    await _open(window, "usage")
    page = window.pages["usage"]

    def rows() -> tuple[int, int]:
        top = {w.mapTo(page, w.rect().topLeft()).y() for w in (page.range, page.category)}
        chips = {c.mapTo(page, c.rect().topLeft()).y() for c in page.chips.values()}
        return len(top), len(chips)

    assert rows() == (1, 1)  # room enough: one row each, as before
    window.resize(900, 700)
    await asyncio.sleep(0.05)
    QApplication.processEvents()
    assert window.sidebar.width() == SIDEBAR_WIDTH
    assert page.minimumSizeHint().width() < 600
    assert rows()[0] == 2  # the range and the category on rows of their own
    for widget in (page.range, page.date_to, page.category, *page.chips.values()):
        right = widget.mapTo(page, widget.rect().topRight()).x()
        assert right < page.width(), widget.objectName()  # nothing cut off


async def test_a_window_made_narrow_then_wide_gives_the_sidebar_back(
    make_app: Any, sandbox: RunningServer
) -> None:
    controller = await make_app()
    await sign_in(controller, sandbox, ADMIN)
    window = controller.window
    window.resize(1200, 700)
    await _open(window, "users")
    window.resize(860, 700)  # narrower than Users and the sidebar together
    await asyncio.sleep(0.05)
    assert window.sidebar.width() < SIDEBAR_WIDTH
    window.resize(1200, 700)
    await asyncio.sleep(0.05)
    assert window.sidebar.width() == SIDEBAR_WIDTH
