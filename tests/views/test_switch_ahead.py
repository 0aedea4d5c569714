"""A workspace highlighted in the switcher or the palette is asked for before Enter.

While the highlight rests on a workspace, the window sends ahead what the page on screen
asked of it last time; the switch then takes those answers instead of asking again. Against
the real sandbox: what goes on the wire, what the page shows, and what is dropped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from callaro_desktop.views.pages.dashboard import DashboardPage
from callaro_desktop.views.shell.tenant_switcher import TENANT_ROLE
from callaro_desktop.views.widgets.dwell import DWELL_MS

from .conftest import MULTI, SUPPORT, sign_in, wait_for

Sent = tuple[str, str, str | None]  # method, path, X-Tenant-Id


class Wire(list[Sent]):
    """Every request the console hands to httpx since `start()`; `setup` holds those before."""

    def __init__(self) -> None:
        super().__init__()
        self.setup: list[Sent] = []

    def start(self) -> None:
        self.setup = list(self)
        self.clear()


@pytest.fixture
def sends(monkeypatch: pytest.MonkeyPatch) -> Iterator[Wire]:
    """Every request the console hands to httpx (the server is the real sandbox)."""
    seen = Wire()
    real_send = httpx.AsyncClient.send

    async def send(client: httpx.AsyncClient, request: httpx.Request, **kw: Any) -> Any:
        seen.append((request.method, request.url.path, request.headers.get("X-Tenant-Id")))
        return await real_send(client, request, **kw)

    monkeypatch.setattr(httpx.AsyncClient, "send", send)
    yield seen


def _for(sends: list[Sent], tenant_id: int) -> list[Sent]:
    return [s for s in sends if s[2] == str(tenant_id)]


def _settled(window: Any) -> bool:
    page = window.current_page()
    session = window.session
    if page is None or session.tasks.running() or window.painting_held:
        return False
    if isinstance(page, DashboardPage):
        return all(card.state == "ready" for card in page.visible_cards())
    return page.states.state in ("ready", "empty") and not page.model.is_loading


async def _visit(window: Any, tenant_id: int) -> None:
    window.request_tenant_switch(tenant_id)
    await wait_for(
        lambda: window.session.tenant_id == tenant_id and _settled(window),
        timeout=20,
        what=f"tenant {tenant_id} shown",
    )


async def _open_switcher(window: Any) -> Any:
    window.switcher.click()
    popup = window.switcher.popup
    await wait_for(popup.isVisible, what="the switcher open")
    return popup


async def _support_on(
    make_app: Any, sandbox: Any, page_id: str, sends: Wire
) -> tuple[Any, int, int, int]:
    """Support staff on `page_id`, having seen it in Brightline and back in Acme; `sends`
    starts from there (what that asked is in its `setup`)."""
    controller = await make_app()
    await sign_in(controller, sandbox, SUPPORT)
    window = controller.window
    tenants = {t.name: t.id for t in controller.session.tenants}
    acme, bright = tenants["Acme Health"], tenants["Brightline Logistics"]
    window.navigate(page_id)
    await _visit(window, bright)
    await _visit(window, acme)
    sends.start()
    return window, acme, bright, tenants["Corvid Studio"]


async def test_the_switch_takes_the_answers_sent_while_the_workspace_was_highlighted(
    make_app, sandbox, sends
) -> None:
    window, acme, bright, _corvid = await _support_on(make_app, sandbox, "phone_numbers", sends)
    page = window.current_page()
    QTest.keyClick(window, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    popup = window.switcher.popup
    await wait_for(popup.isVisible, what="the switcher open")
    QTest.keyClicks(popup.search, "Brightline")
    ahead = await wait_for(lambda: _for(sends, bright), what="Brightline asked for ahead")
    assert ahead == [("GET", "/api/v1/phone_numbers", str(bright))]
    assert window.session.tenant_id == acme  # asked for, not shown

    QTest.keyClick(popup.search, Qt.Key.Key_Return)
    await wait_for(lambda: window.session.tenant_id == bright and _settled(window), timeout=20)
    assert _for(sends, bright) == ahead  # the switch asked nothing again
    shown = [row.id for row in page.model.rows]
    assert shown and window.session.client.transport.anticipated == []

    # What it showed is what the server has: the next load asks again and agrees.
    page.reload()
    await wait_for(lambda: len(_for(sends, bright)) == 2 and _settled(window), timeout=20)
    assert [row.id for row in page.model.rows] == shown


async def test_the_palette_sends_the_dashboard_cards_ahead(make_app, sandbox, sends) -> None:
    window, _acme, bright, _corvid = await _support_on(make_app, sandbox, "dashboard", sends)
    page = window.current_page()
    assert isinstance(page, DashboardPage)
    visited = sorted(set(_for(sends.setup, bright)))  # what its cards asked of Brightline
    window.open_palette()
    palette = window._palette
    QTest.keyClicks(palette.query, "brtln")
    assert palette.model.rows[0].title == "Brightline Logistics"
    # Every card's request on the wire, each once: what the cards asked of Brightline before.
    await wait_for(
        lambda: sorted(_for(sends, bright)) == visited,
        what="the cards asked for ahead",
        extra=lambda: _for(sends, bright),
    )
    ahead = sorted(_for(sends, bright))
    assert len(ahead) >= 2

    QTest.keyClick(palette.query, Qt.Key.Key_Return)
    await wait_for(lambda: window.session.tenant_id == bright and _settled(window), timeout=20)
    assert sorted(_for(sends, bright)) == ahead
    assert page.subtitle_label.text().startswith("Brightline Logistics")


async def test_esc_drops_what_was_sent_ahead_and_the_workspace_on_screen_asks_nothing(
    make_app, sandbox, sends
) -> None:
    window, acme, bright, _corvid = await _support_on(make_app, sandbox, "phone_numbers", sends)
    transport = window.session.client.transport
    popup = await _open_switcher(window)
    QTest.keyClicks(popup.search, "Brightline")
    # On the wire, not only registered: Esc before that would cancel it before it left.
    await wait_for(lambda: _for(sends, bright), what="Brightline asked for ahead")
    assert transport.anticipated
    QTest.keyClick(popup.search, Qt.Key.Key_Escape)
    await wait_for(lambda: not popup.isVisible())
    assert transport.anticipated == [] and window.session.tenant_id == acme

    # The workspace on screen, highlighted long enough, sends nothing: it is shown already.
    await _open_switcher(window)
    QTest.keyClicks(popup.search, "Acme Health")
    await asyncio.sleep(DWELL_MS / 1000 * 3)
    assert _for(sends, acme) == [] and len(_for(sends, bright)) == 1
    QTest.keyClick(popup.search, Qt.Key.Key_Escape)


async def _switch_by_name(window: Any, name: str, tenant_id: int, sends: list[Sent]) -> list[Sent]:
    """Ctrl+T, `name`, and once something was sent ahead for it, Enter; what was sent ahead."""
    popup = await _open_switcher(window)
    QTest.keyClicks(popup.search, name)
    ahead = await wait_for(lambda: _for(sends, tenant_id), what=f"{name} asked for ahead")
    QTest.keyClick(popup.search, Qt.Key.Key_Return)
    await wait_for(lambda: window.session.tenant_id == tenant_id and _settled(window), timeout=20)
    return list(ahead)


async def test_a_workspace_not_shown_yet_is_asked_what_another_of_the_same_role_was(
    make_app, sandbox, sends
) -> None:
    window, _acme, _bright, corvid = await _support_on(make_app, sandbox, "phone_numbers", sends)
    session = window.session
    assert session.manager.accounts[0].tenant(corvid).role == session.tenant.role
    ahead = await _switch_by_name(window, "Corvid", corvid, sends)
    assert ahead == [("GET", "/api/v1/phone_numbers", str(corvid))]
    assert _for(sends, corvid) == ahead  # the guess was what the page asks: nothing again
    page = window.current_page()
    assert page.states.state in ("ready", "empty")
    assert session.client.transport.anticipated == []


async def test_a_wrong_guess_costs_the_switch_nothing_but_the_request(
    make_app, sandbox, sends
) -> None:
    window, acme, _bright, corvid = await _support_on(make_app, sandbox, "phone_numbers", sends)
    page = window.current_page()
    # Acme's list searched: its last load asked with a search that Corvid's list (never
    # searched) will not.
    page.search.setText("+9")
    session = window.session

    def searched() -> bool:
        _role, asked = session._asked.get((session.account, "phone_numbers", acme), (None, ()))
        return any(("search", "+9") in call.params for call in asked)

    await wait_for(lambda: searched() and _settled(window), timeout=20, what="Acme searched")
    sends.clear()
    await _switch_by_name(window, "Corvid", corvid, sends)
    assert page.search.text() == ""  # Corvid's own view: no search
    # The guess (with Acme's search) and the page's own request, whose answer is shown.
    assert len(_for(sends, corvid)) == 2
    # The guess nobody took is all that is left ahead, until its 10 s pass or the next guess
    # or write drops it.
    left = window.session.client.transport.anticipated
    assert len(left) == 1 and "('search', '+9')" in left[0][2]
    own = await page.pager(session.scope(corvid), None).fetch_page(1)
    assert [row.id for row in page.model.rows] == [n.id for n in own.items]


async def test_passing_over_workspaces_with_the_arrows_sends_nothing_for_them(
    make_app, sandbox, sends
) -> None:
    window, _acme, bright, _corvid = await _support_on(make_app, sandbox, "phone_numbers", sends)
    popup = await _open_switcher(window)
    QTest.keyClick(popup.search, Qt.Key.Key_Escape)
    await wait_for(lambda: not popup.isVisible())
    # Opened and closed at once: the first workspace listed was never rested on.
    assert [s for s in sends if s[2] is not None] == []
    await _open_switcher(window)
    passed = [popup.list.currentItem().data(TENANT_ROLE)]
    for _ in range(6):  # key repeat: far quicker than a resting hand
        QTest.keyClick(popup.list, Qt.Key.Key_Down)
        passed.append(popup.list.currentItem().data(TENANT_ROLE))
    rested = passed[-1]
    assert bright in passed[:-1] and rested != bright  # (Recent lists it near the top)
    await asyncio.sleep(DWELL_MS / 1000 * 3)
    assert _for(sends, bright) == []
    assert {s[2] for s in sends if s[2] is not None} <= {str(rested)}
    QTest.keyClick(popup.search, Qt.Key.Key_Escape)


async def test_the_mouse_resting_on_a_workspace_counts_as_the_highlight(
    make_app, sandbox, sends
) -> None:
    window, acme, bright, _corvid = await _support_on(make_app, sandbox, "phone_numbers", sends)
    popup = await _open_switcher(window)
    await asyncio.sleep(DWELL_MS / 1000 * 2)  # (the first row, Acme, is rested on: on screen)
    rows = [popup.list.item(i) for i in range(popup.list.count())]
    item = next(i for i in rows if i.data(TENANT_ROLE) == bright)
    assert popup.list.currentItem() is not item
    QTest.mouseMove(popup.list.viewport(), popup.list.visualItemRect(item).center())
    ahead = await wait_for(lambda: _for(sends, bright), what="the hovered workspace asked for")
    assert ahead == [("GET", "/api/v1/phone_numbers", str(bright))]
    assert _for(sends, acme) == [] and window.session.tenant_id == acme
    QTest.mouseClick(
        popup.list.viewport(),
        Qt.MouseButton.LeftButton,
        pos=popup.list.visualItemRect(item).center(),
    )
    await wait_for(lambda: window.session.tenant_id == bright and _settled(window), timeout=20)
    assert _for(sends, bright) == ahead


async def test_no_guess_from_a_workspace_where_the_role_differs(make_app, sandbox, sends) -> None:
    controller = await make_app()
    await sign_in(controller, sandbox, MULTI)  # Admin in Brightline, Operator in Acme
    window, session = controller.window, controller.session
    tenants = {t.name: t for t in session.tenants}
    acme, bright = tenants["Acme Health"], tenants["Brightline Logistics"]
    assert acme.role != bright.role
    await _visit(window, bright.id)
    window.navigate("phone_numbers")  # (in Brightline: Acme's list never loaded)
    await wait_for(lambda: _settled(window), timeout=20, what="Brightline's numbers")
    sends.clear()
    assert session.anticipate(acme.id, "phone_numbers") == 0  # only an admin's load is known
    await asyncio.sleep(0.1)
    assert _for(sends, acme.id) == []
    await _visit(window, acme.id)
    await _visit(window, bright.id)
    sends.clear()
    assert session.anticipate(acme.id, "phone_numbers") == 1  # its own, now
    await wait_for(lambda: _for(sends, acme.id), what="Acme asked for ahead")


async def test_the_mouse_resting_on_a_workspace_in_the_palette_sends_it_ahead(
    make_app, sandbox, sends
) -> None:
    window, acme, bright, _corvid = await _support_on(make_app, sandbox, "phone_numbers", sends)
    window.open_palette()
    palette = window._palette  # (no query: the recent workspaces lead, Acme highlighted)
    row = next(i for i, e in enumerate(palette.model.rows) if e.title == "Brightline Logistics")
    assert palette.list.currentIndex().row() != row
    rect = palette.list.visualRect(palette.model.index(row, 0))
    QTest.mouseMove(palette.list.viewport(), rect.center())
    ahead = await wait_for(lambda: _for(sends, bright), what="the hovered workspace asked for")
    assert ahead == [("GET", "/api/v1/phone_numbers", str(bright))]
    assert window.session.tenant_id == acme
    QTest.keyClick(palette.query, Qt.Key.Key_Escape)
    await wait_for(lambda: not palette.isVisible())
    assert window.session.client.transport.anticipated == []


def _sidebar_row_centre(window: Any, page_id: str) -> Any:
    sidebar = window.sidebar
    return sidebar.visualItemRect(sidebar._items[page_id]).center()


async def test_a_page_the_mouse_rests_on_in_the_sidebar_is_loaded_ahead_if_it_will_load(
    make_app, sandbox, sends
) -> None:
    window, acme, _bright, _corvid = await _support_on(make_app, sandbox, "dashboard", sends)
    visited = sorted(set(_for(sends.setup, acme)))  # what Acme's Dashboard cards asked
    window.navigate("phone_numbers")  # (Acme's Dashboard and numbers both shown)
    await wait_for(lambda: _settled(window), timeout=20, what="Acme's numbers")
    sends.clear()
    viewport = window.sidebar.viewport()
    QTest.mouseMove(viewport, _sidebar_row_centre(window, "dashboard"))
    await wait_for(
        lambda: sorted(_for(sends, acme)) == visited,
        what="the Dashboard's cards asked for ahead",
        extra=lambda: _for(sends, acme),
    )
    ahead = sorted(_for(sends, acme))
    QTest.mouseClick(
        viewport, Qt.MouseButton.LeftButton, pos=_sidebar_row_centre(window, "dashboard")
    )
    await wait_for(lambda: window.router.current == "dashboard" and _settled(window), timeout=20)
    assert sorted(_for(sends, acme)) == ahead  # the cards took the answers

    # Phone numbers still shows Acme's rows: opening it loads nothing, so nothing goes ahead.
    sends.clear()
    QTest.mouseMove(viewport, _sidebar_row_centre(window, "phone_numbers"))
    await asyncio.sleep(DWELL_MS / 1000 * 3)
    assert _for(sends, acme) == []
    # Nor for the page on screen.
    QTest.mouseMove(viewport, _sidebar_row_centre(window, "dashboard"))
    await asyncio.sleep(DWELL_MS / 1000 * 3)
    assert _for(sends, acme) == []


async def test_in_presentation_mode_an_answer_sent_ahead_is_made_up_too(
    make_app, sandbox, sends
) -> None:
    window, _acme, bright, _corvid = await _support_on(make_app, sandbox, "phone_numbers", sends)
    real = {r["e164"] for r in sandbox.db.query("SELECT e164 FROM phone_numbers")}
    window.presentation.set_enabled(True)
    await wait_for(lambda: _settled(window), timeout=20, what="Acme's numbers made up")
    sends.clear()
    ahead = await _switch_by_name(window, "Brightline", bright, sends)
    assert _for(sends, bright) == ahead  # the switch took what was sent ahead
    shown = {row.e164 for row in window.current_page().model.rows}
    assert shown and not shown & real  # and it went through presentation mode's filter
    window.presentation.set_enabled(False)
