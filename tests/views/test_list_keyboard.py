"""Every list lets the keyboard out: Tab leaves the table rather than walking its cells."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from callaro_desktop.views.pages.list_page import ListPage

from .conftest import ADMIN, sign_in, wait_for

LISTS = ("users", "api_keys", "invoices", "usage", "phone_numbers", "telephony")


async def test_tab_leaves_every_list_for_the_pages_next_control(make_app, sandbox) -> None:
    controller = await make_app()
    await sign_in(controller, sandbox, ADMIN)
    window = controller.window
    for page_id in LISTS:
        window.navigate(page_id)
        page = window.pages[page_id]
        assert isinstance(page, ListPage)
        await wait_for(
            lambda page=page: page.states.state == "ready" and page.model.rowCount() > 1,
            what=f"{page_id} listed",
        )
        table = page.table
        window.activateWindow()
        table.setFocus()
        await wait_for(table.hasFocus, what=f"{page_id} table focused")
        table.setCurrentIndex(page.model.index(0, 0))
        QTest.keyClick(table, Qt.Key.Key_Tab)
        after = QApplication.focusWidget()
        assert after is not table and after is not None, page_id
        assert table.currentIndex().column() == 0, page_id  # no cell walked to
        # And back again, where the keyboard comes from.
        window.activateWindow()
        table.setFocus()
        await wait_for(table.hasFocus, what=f"{page_id} table focused again")
        QTest.keyClick(table, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
        assert QApplication.focusWidget() is not table, page_id
