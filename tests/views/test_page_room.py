"""A wide page takes room from the sidebar only while it is shown.

A stacked widget asks for the room of its widest page, shown or not: once Usage (the widest:
its filters and totals run in one row) had been opened, the sidebar stayed narrowed on every
page after, and the window could not be made narrower than Usage needs. Against the sandbox,
with the real window.
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
        lambda: getattr(window.current_page(), "page_id", None) == page_id
        and window.pages[page_id].states.state in ("ready", "empty"),
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
    window.resize(1000, 640)
    await _open(window, "dashboard")
    narrowest = window.minimumSizeHint().width()
    assert window.sidebar.width() == SIDEBAR_WIDTH

    await _open(window, "usage")
    usage = window.pages["usage"]
    # Usage needs more than this window leaves it beside a full sidebar: it takes some.
    assert usage.minimumSizeHint().width() > 1000 - SIDEBAR_WIDTH - 30
    assert window.sidebar.width() < SIDEBAR_WIDTH

    await _open(window, "dashboard")
    assert window.sidebar.width() == SIDEBAR_WIDTH
    assert window.minimumSizeHint().width() == narrowest  # as before Usage was opened

    # The width the user drags the sidebar to is the one it returns to.
    window.splitter.moveSplitter(260, 1)
    assert window.sidebar.width() == 260
    await _open(window, "usage")
    assert window.sidebar.width() < 260
    await _open(window, "phone_numbers")
    assert window.sidebar.width() == 260


async def test_a_window_made_narrow_then_wide_gives_the_sidebar_back(
    make_app: Any, sandbox: RunningServer
) -> None:
    controller = await make_app()
    await sign_in(controller, sandbox, ADMIN)
    window = controller.window
    window.resize(1200, 700)
    await _open(window, "usage")
    window.resize(900, 700)  # narrower than Usage and the sidebar together
    await asyncio.sleep(0.05)
    assert window.sidebar.width() < SIDEBAR_WIDTH
    window.resize(1200, 700)
    await asyncio.sleep(0.05)
    assert window.sidebar.width() == SIDEBAR_WIDTH
