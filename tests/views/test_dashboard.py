"""The Dashboard on the real sandbox: the landing page, cards per role, cards that fail alone."""

from __future__ import annotations

from typing import Any

import httpx
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from callaro_desktop.api.models import BillingOverview, Money
from callaro_desktop.views.pages.dashboard import DashboardPage

from .conftest import ADMIN, OPERATOR, VIEWER, sign_in, wait_for
from .test_profile import api

ADMIN_CARDS = {"checklist", "wallet", "spend", "numbers", "team", "telephony", "account"}


async def _dashboard(make_app: Any, server: Any, who: tuple[str, str]) -> tuple[Any, DashboardPage]:
    controller = await make_app()
    await sign_in(controller, server, who)
    window = controller.window
    # Fresh settings remember no page: a workspace opens on the Dashboard.
    await wait_for(lambda: window.router.current == "dashboard", what="landing on the Dashboard")
    page = window.pages["dashboard"]
    assert isinstance(page, DashboardPage)
    assert window.sidebar.visible_pages()[0] == "dashboard"
    return controller, page


def _shown(page: DashboardPage) -> set[str]:
    return {key for key, card in page.cards.items() if card.isVisible()}


async def _all_ready(page: DashboardPage) -> None:
    await wait_for(
        lambda: all(page.cards[k].state == "ready" for k in _shown(page)),
        timeout=20,
        what="every card loaded",
        extra=lambda: {k: page.cards[k].state for k in _shown(page)},
    )


async def test_admin_sees_every_card_with_the_servers_numbers(make_app, sandbox) -> None:
    controller, page = await _dashboard(make_app, sandbox, ADMIN)
    await wait_for(lambda: _shown(page) == ADMIN_CARDS, what="admin cards")
    await _all_ready(page)
    async with api(sandbox, ADMIN, "Acme Health") as http:
        overview = BillingOverview.model_validate(
            (await http.get("/api/v1/billing/overview")).json()["data"]
        )
        numbers = (await http.get("/api/v1/phone_numbers", params={"per_page": 1})).json()
        checklist = (await http.get("/api/v1/onboarding/checklist")).json()["data"]
    assert page.cards["wallet"].value.text() == overview.balance.format()
    month = overview.month
    spent = sum(m.amount_minor for m in (month.voice, month.knowledge_base, month.analysis) if m)
    assert page.cards["spend"].value.text() == Money(amount_minor=spent).format()
    assert page.cards["numbers"].value.text() == f"{numbers['meta']['count']:,}"
    card = page.cards["checklist"]
    expected = f"{checklist['completed_count']} of {checklist['total_count']} steps"
    if not checklist["dismissed"]:
        assert card.value.text() == expected
    assert "Asha Admin" in page.cards["account"].value.text()
    assert page.subtitle_label.text() == "Acme Health at a glance."

    # The links open their pages; "View usage" goes to Usage.
    window = controller.window
    window.activateWindow()
    QTest.mouseClick(page.cards["spend"].view_usage, Qt.MouseButton.LeftButton)
    await wait_for(lambda: window.router.current == "usage", what="View usage")
    window.navigate("dashboard")
    await wait_for(lambda: window.router.current == "dashboard")
    QTest.mouseClick(card.view_checklist, Qt.MouseButton.LeftButton)
    await wait_for(lambda: window.router.current == "getting_started", what="View checklist")


async def test_viewer_and_operator_see_no_admin_cards(make_app, sandbox) -> None:
    _, page = await _dashboard(make_app, sandbox, VIEWER)
    await _all_ready(page)
    assert _shown(page) == {"checklist", "numbers", "account"}
    _, page = await _dashboard(make_app, sandbox, OPERATOR)
    await _all_ready(page)
    assert _shown(page) == {"checklist", "numbers", "telephony", "account"}
    # A hidden card is never a stray window of its own.
    assert all(card.parent() is not None for card in page.cards.values())


async def test_a_failing_card_fails_alone_and_retries(make_app, sandbox, faults) -> None:
    faults([{"route": "/api/v1/billing/overview", "status": 500}])
    _, page = await _dashboard(make_app, sandbox, ADMIN)
    wallet = page.cards["wallet"]
    await wait_for(lambda: wallet.state == "error", timeout=20, what="wallet error")
    for key in ("numbers", "team", "account"):
        await wait_for(lambda k=key: page.cards[k].state == "ready", timeout=20, what=key)
    assert page.states.state == "ready"
    assert wallet.request_id.isVisible() and wallet.request_id.text().startswith("Request id")
    assert wallet.retry_button.isVisible()
    faults([])
    wallet.retry_button.click()
    await wait_for(lambda: wallet.state == "ready", timeout=20, what="wallet after Retry")
    assert wallet.value.text().startswith("₹")


async def test_a_card_grows_to_show_a_later_error_whole(make_app, sandbox, faults) -> None:
    """A card kept the height it had when the cards were first laid out: a Dashboard opened
    again with a card's request failing cut off the error's last lines (its request id), as
    the grid went on asking a layout item it no longer held. The card grows to what it
    shows."""
    controller, page = await _dashboard(make_app, sandbox, ADMIN)
    window = controller.window
    window.resize(1280, 800)
    await wait_for(lambda: window.width() == 1280, what="the window's width")
    await _all_ready(page)
    faults([{"route": "/api/v1/phone_numbers*", "body": "html502"}])
    window.navigate("phone_numbers")
    await wait_for(lambda: window.current_page() is not page, what="away")
    window.navigate("dashboard")
    card = page.cards["numbers"]
    await wait_for(lambda: card.state == "error", timeout=20, what="the card's error")
    assert card.request_id.text().startswith("Request id: req_")

    def cut() -> list[str]:
        return [
            label.text()
            for label in (card.error_text, card.request_id)
            if label.height() < label.heightForWidth(label.width())
        ]

    await wait_for(lambda: not cut(), what="the error whole", extra=cut)
    assert card.height() >= card.heightForWidth(card.width())
    assert card.retry_button.geometry().top() >= card.request_id.geometry().bottom()
    faults([])


def _overview_requests(server: Any) -> int:
    rules = httpx.get(f"{server.base_url}/sandbox/faults", timeout=10).json()["data"]
    return int(rules[0]["fired"])


async def test_wallet_and_spend_share_one_billing_overview_request(
    make_app, sandbox, faults
) -> None:
    # A rule that changes nothing and counts, on the server, every overview asked for.
    faults([{"route": "/api/v1/billing/overview", "method": "GET", "latency_ms": 30}])
    controller, page = await _dashboard(make_app, sandbox, ADMIN)
    await wait_for(lambda: _shown(page) == ADMIN_CARDS, what="admin cards")
    await _all_ready(page)
    assert page.cards["wallet"].value.text().startswith("₹")
    assert page.cards["spend"].value.text().startswith("₹")
    assert _overview_requests(sandbox) == 1

    # Each later load of the page asks once more, not twice.
    window = controller.window
    window.navigate("users")
    await wait_for(lambda: window.router.current == "users", what="Users")
    window.navigate("dashboard")
    await wait_for(lambda: _overview_requests(sandbox) >= 2, what="the Dashboard asking again")
    session = controller.session
    await wait_for(lambda: not session.tasks.running(), timeout=20, what="every card reloaded")
    await _all_ready(page)
    assert _overview_requests(sandbox) == 2
