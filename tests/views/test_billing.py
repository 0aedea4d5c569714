"""Billing against the real sandbox: the wallet and its GST Breakdown, recharges paid through
the sandbox checkout page, failed and pending ones, and the billing details with GSTIN checks.

The sandbox is shared by the whole session and these tests move money, so every
expectation is read from the API before and after, never assumed from the seed.
"""

from __future__ import annotations

from typing import Any, TypeVar

import httpx
import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QWidget

from callaro_desktop.api.models import BillingOverview, RechargeStatus
from callaro_desktop.services import downloads
from callaro_desktop.settings import Settings
from callaro_desktop.views.dialogs import recharge as recharge_module
from callaro_desktop.views.dialogs.billing_entity import BillingEntityDialog
from callaro_desktop.views.dialogs.confirm import ConfirmDialog
from callaro_desktop.views.dialogs.recharge import RechargeDialog, RechargeWaitDialog
from callaro_desktop.views.pages.billing import BillingPage

from .conftest import ADMIN, sign_in, wait_for

W = TypeVar("W", bound=QWidget)


def _closed(widget: QWidget) -> bool:
    return not shiboken6.isValid(widget) or not widget.isVisible()


def _visible(window: QWidget, cls: type[W]) -> W | None:
    shown = [w for w in window.findChildren(cls) if w.isVisible()]
    return shown[-1] if shown else None


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the console would have opened in the system browser or viewer."""
    opened: list[str] = []

    def fake_open(url: Any) -> bool:
        opened.append(url if isinstance(url, str) else url.toString())
        return True

    monkeypatch.setattr(downloads, "open_url", fake_open)
    monkeypatch.setattr(recharge_module, "POLL_INTERVAL_S", 0.1)
    return opened


async def _as_admin(make_app: Any, sandbox: Any) -> tuple[Any, BillingPage]:
    controller = await make_app()
    await sign_in(controller, sandbox, ADMIN)
    return controller, await _open(controller)


async def _open(controller: Any) -> BillingPage:
    controller.window.navigate("billing")
    page = controller.window.pages["billing"]
    assert isinstance(page, BillingPage)
    await wait_for(lambda: page.states.state == "ready", what="billing ready")
    return page


async def _overview(controller: Any) -> BillingOverview:
    return await controller.session.scope().billing.overview()


async def _checkout(url: str, outcome: str) -> None:
    """Press Pay or Fail on the sandbox's checkout page, as the user would in the browser."""
    async with httpx.AsyncClient(timeout=10) as client:
        page = await client.get(url)
        assert page.status_code == 200 and f"/{outcome}'" in page.text
        answer = await client.post(f"{url}/{outcome}")
        assert answer.status_code == 303


async def _start_recharge(controller: Any, page: BillingPage, amount: str) -> RechargeDialog:
    QTest.mouseClick(page.recharge_button, Qt.MouseButton.LeftButton)
    dialog: RechargeDialog = await wait_for(
        lambda: _visible(controller.window, RechargeDialog), what="recharge dialog"
    )
    dialog.amount.clear()
    QTest.keyClicks(dialog.amount, amount)
    return dialog


async def _confirm(controller: Any, dialog: RechargeDialog, browser: list[str]) -> Any:
    """Confirm the recharge; the checkout opens and the waiting dialog takes over."""
    opened_before = len(browser)
    QTest.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    waiting: RechargeWaitDialog = await wait_for(
        lambda: _visible(controller.window, RechargeWaitDialog), what="waiting dialog"
    )
    await wait_for(lambda: len(browser) > opened_before, what="checkout opened")
    assert "/sandbox/checkout/" in browser[-1]
    return waiting


async def _pay_flow(controller: Any, page: BillingPage, browser: list[str], amount: str) -> Any:
    return await _confirm(controller, await _start_recharge(controller, page, amount), browser)


async def test_wallet_and_gst_breakdown_match_the_sandbox(make_app, sandbox) -> None:
    controller, page = await _as_admin(make_app, sandbox)
    o = await _overview(controller)
    assert page.balance.value.text() == o.balance.format()
    assert page.usable.value.text() == o.usable_credit.format()
    assert page.gst_balance.text() == o.balance.format()
    assert page.gst_component.text() == o.gst_component.format()
    assert page.gst_usable.text() == o.usable_credit.format()
    assert page.gst_rate.text() == "18%"
    # The sandbox's wallet: GST-inclusive balance, usable = balance / 1.18, parts add up.
    balance = o.balance.amount_minor
    assert o.usable_credit.amount_minor + o.gst_component.amount_minor == balance
    assert abs(o.usable_credit.amount_minor - balance / 1.18) <= 1
    assert "÷ 1.18" in page.gst_note.text()
    assert page.split.share == pytest.approx(o.usable_credit.amount_minor / balance)
    month = o.month
    assert page.voice.text() == month.voice.format()  # type: ignore[union-attr]
    total = sum(m.amount_minor for m in (month.voice, month.knowledge_base, month.analysis) if m)
    assert page.month_total.text() == page.month_spent.value.text()
    assert page.month_total.text().replace(",", "") == f"₹{total / 100:.2f}"
    assert page.pulses.text() == f"{o.pulses:,}"
    assert page.plan.value.text() == (o.plan.name if o.plan else "—")
    assert "," in page.balance.value.text() and page.balance.value.text().startswith("₹")
    entity = await controller.session.scope().billing.entity()
    assert page.entity_name.text() == entity.legal_name
    assert entity.gstin is not None and page.entity_gstin.text().startswith(entity.gstin)


async def test_recharge_shows_gst_before_paying_and_the_balance_rises(
    make_app, sandbox, browser
) -> None:
    controller, page = await _as_admin(make_app, sandbox)
    before = await _overview(controller)

    dialog = await _start_recharge(controller, page, "2,500")
    assert dialog.summary.subtotal.text() == "₹2,500.00"
    assert dialog.summary.gst.text() == "₹450.00"
    assert dialog.summary.total.text() == "₹2,950.00"
    assert "₹2,950.00" in dialog.submit_button.text()
    assert browser == []  # nothing is created or opened before the user confirms

    waiting = await _confirm(controller, dialog, browser)
    assert waiting.recharge.total.amount_minor == 2_950_00
    assert page.pending_ids(controller.session.tenant_id) == [waiting.recharge.id]
    await _checkout(browser[-1], "pay")
    await wait_for(lambda: waiting.heading.text() == "Payment received", what="paid")
    assert "₹2,500.00" in waiting.text.text()

    after_balance = before.balance.amount_minor + 2_950_00
    expected = before.balance.model_copy(update={"amount_minor": after_balance}).format()
    await wait_for(lambda: page.balance.value.text() == expected, what="balance refreshed")
    after = await _overview(controller)
    assert after.balance.amount_minor == after_balance
    rise = after.usable_credit.amount_minor - before.usable_credit.amount_minor
    assert abs(rise - 2_500_00) <= 1  # the credits bought, to the paisa of rounding
    assert page.pending_ids(controller.session.tenant_id) == []
    assert not page.pending_banner.isVisible()
    QTest.mouseClick(waiting.close_button, Qt.MouseButton.LeftButton)
    await wait_for(lambda: _closed(waiting), what="dialog closed")


async def test_a_failed_payment_adds_nothing_and_offers_a_retry(make_app, sandbox, browser) -> None:
    controller, page = await _as_admin(make_app, sandbox)
    before = await _overview(controller)
    waiting = await _pay_flow(controller, page, browser, "1000")
    await _checkout(browser[-1], "fail")
    await wait_for(lambda: waiting.try_again_button.isVisible(), what="failure shown")
    assert waiting.recharge.status is RechargeStatus.FAILED
    assert "did not go through" in waiting.heading.text()
    assert page.pending_ids(controller.session.tenant_id) == []
    assert (await _overview(controller)).balance == before.balance

    # Try again opens a new recharge dialog with the same amount.
    QTest.mouseClick(waiting.try_again_button, Qt.MouseButton.LeftButton)
    again: RechargeDialog = await wait_for(
        lambda: _visible(controller.window, RechargeDialog), what="recharge again"
    )
    assert again.credits_minor() == 1_000_00
    again.reject()


async def test_a_pending_recharge_is_picked_up_on_the_next_visit(
    make_app, sandbox, browser
) -> None:
    settings = Settings()
    controller = await make_app(settings=settings)
    await sign_in(controller, sandbox, ADMIN)
    page = await _open(controller)
    before = await _overview(controller)
    waiting = await _pay_flow(controller, page, browser, "1,200.50")
    recharge_id = waiting.recharge.id
    QTest.mouseClick(waiting.close_button, Qt.MouseButton.LeftButton)  # "Stop waiting"
    await wait_for(lambda: page.pending_banner.isVisible(), what="pending banner")
    assert f"#{recharge_id}" in page.pending_text.text()

    # Quit, pay in the browser meanwhile, come back: the payment is not lost.
    await controller.shutdown()
    controller.window.close()
    key = f"{ADMIN[0]}|{sandbox.base_url}#"
    assert any(
        k.startswith(key) and v == [recharge_id] for k, v in settings.pending_recharges.items()
    )
    await _checkout(browser[-1], "pay")

    again = await make_app(settings=settings)
    await sign_in(again, sandbox, ADMIN)
    page = await _open(again)
    expected = before.balance.amount_minor + waiting.recharge.total.amount_minor
    await wait_for(
        lambda: page.data is not None and page.data.overview.balance.amount_minor == expected,
        what="balance includes the recharge paid while away",
    )
    await wait_for(lambda: page.pending_ids(again.session.tenant_id) == [], what="forgotten")
    assert not page.pending_banner.isVisible()
    assert settings.pending_recharges == {}


async def test_continue_payment_from_the_banner(make_app, sandbox, browser) -> None:
    controller, page = await _as_admin(make_app, sandbox)
    waiting = await _pay_flow(controller, page, browser, "500")
    QTest.mouseClick(waiting.close_button, Qt.MouseButton.LeftButton)
    await wait_for(lambda: page.pending_banner.isVisible(), what="pending banner")
    opened = len(browser)
    QTest.mouseClick(page.pending_continue, Qt.MouseButton.LeftButton)
    resumed: RechargeWaitDialog = await wait_for(
        lambda: _visible(controller.window, RechargeWaitDialog), what="waiting again"
    )
    assert len(browser) == opened + 1 and browser[-1] == browser[-2]
    await _checkout(browser[-1], "pay")
    await wait_for(lambda: resumed.heading.text() == "Payment received", what="paid")
    await wait_for(lambda: not page.pending_banner.isVisible(), what="banner gone")
    resumed.reject()


async def test_a_lost_answer_creates_one_recharge(make_app, sandbox, browser, faults) -> None:
    controller, page = await _as_admin(make_app, sandbox)
    # The server creates the recharge, then the answer breaks off; the console retries
    # with the same Idempotency-Key and gets the first recharge back.
    faults(
        [{"route": "/api/v1/billing/recharges", "method": "POST", "body": "truncate", "count": 1}]
    )
    waiting = await _pay_flow(controller, page, browser, "777")
    first = waiting.recharge.id
    waiting.reject()
    faults([])
    probe = await controller.session.scope().billing.create_recharge(waiting.recharge.subtotal)
    assert probe.id == first + 1  # nothing was created in between


async def test_recharge_amount_is_checked_before_sending(make_app, sandbox, browser) -> None:
    controller, page = await _as_admin(make_app, sandbox)
    dialog = await _start_recharge(controller, page, "50")
    assert dialog.summary.total.text() == "—"
    dialog.start_submit()
    error = dialog.fields["credits"][1]
    assert error.isVisible() and "₹100.00" in error.text()
    dialog.amount.setText("abc")
    dialog.start_submit()
    assert "rupees" in error.text()
    assert browser == [] and not _visible(controller.window, RechargeWaitDialog)
    dialog.reject()


async def _edit_entity(controller: Any, page: BillingPage) -> BillingEntityDialog:
    QTest.mouseClick(page.edit_entity_button, Qt.MouseButton.LeftButton)
    dialog: BillingEntityDialog = await wait_for(
        lambda: _visible(controller.window, BillingEntityDialog), what="entity dialog"
    )
    return dialog


async def test_gstin_is_checked_as_typed_and_server_errors_land_at_the_field(
    make_app, sandbox, monkeypatch
) -> None:
    controller, page = await _as_admin(make_app, sandbox)
    dialog = await _edit_entity(controller, page)
    error = dialog.gstin_error

    dialog.gstin.clear()
    QTest.keyClicks(dialog.gstin, "27aap1")
    assert dialog.gstin.text() == "27AAP1"  # upper-cased as typed
    assert error.isVisible() and "Character 6 should be a letter" in error.text()
    dialog.gstin.clear()
    QTest.keyClicks(dialog.gstin, "27AAPFU0939F1Z")
    assert not error.isVisible()
    assert "Maharashtra" in dialog.gstin_hint.text()
    QTest.keyClicks(dialog.gstin, "W")
    assert "does not match" in error.text()
    dialog.start_submit()  # refused locally: nothing sent, what was typed stays
    assert dialog.isVisible() and dialog.gstin.text() == "27AAPFU0939F1ZW"

    # Past a local check that agrees with the server's, the server's own error still lands
    # under the field it names.
    monkeypatch.setattr(BillingEntityDialog, "validate", lambda self: {})
    dialog.start_submit()
    await wait_for(lambda: error.isVisible() and "check digit" in error.text(), what="server")
    assert dialog.isVisible() and dialog.gstin.text() == "27AAPFU0939F1ZW"
    monkeypatch.undo()

    dialog.gstin.clear()
    QTest.keyClicks(dialog.gstin, "27AAPFU0939F1ZV")
    assert "Valid GSTIN" in dialog.gstin_hint.text()
    dialog.legal_name.setText("Acme Health Private Limited")
    dialog.start_submit()
    await wait_for(lambda: _closed(dialog), what="dialog closed")
    # The page shows the dialog's result once it reaches it: a turn of the loop later.
    await wait_for(
        lambda: page.entity_gstin.text() == "27AAPFU0939F1ZV · Maharashtra", what="saved"
    )
    saved = await controller.session.scope().billing.entity()
    assert saved.gstin == "27AAPFU0939F1ZV"

    # Put the seed's Karnataka GSTIN back for whoever reads the entity next.
    dialog = await _edit_entity(controller, page)
    dialog.gstin.setText("29KPBCA5466F1ZI")
    dialog.start_submit()
    await wait_for(lambda: _closed(dialog), what="restored")


async def test_legal_name_and_email_are_required_shapes(make_app, sandbox) -> None:
    controller, page = await _as_admin(make_app, sandbox)
    dialog = await _edit_entity(controller, page)
    dialog.legal_name.setText("   ")
    dialog.email.setText("accounts@")
    dialog.start_submit()
    assert dialog.fields["legal_name"][1].isVisible()
    assert dialog.fields["email"][1].isVisible()
    assert dialog.email.text() == "accounts@"
    dialog.reject()


async def test_a_failed_load_shows_the_request_id_and_retries(make_app, sandbox, faults) -> None:
    controller = await make_app()
    await sign_in(controller, sandbox, ADMIN)
    # Unlimited: the Dashboard's own cards may ask for the overview too.
    faults([{"route": "/api/v1/billing/overview", "status": 500}])
    controller.window.navigate("billing")
    page = controller.window.pages["billing"]
    assert isinstance(page, BillingPage)
    await wait_for(lambda: page.states.state == "error", what="error state")
    assert page.states.request_id_label.text().startswith("Request id: req_")
    # Said once, on its own line (beside its Copy button), not in the message as well.
    assert "req_" not in page.states.error_text.text()
    assert not page.recharge_button.isEnabled()
    faults([])
    QTest.mouseClick(page.states.retry_button, Qt.MouseButton.LeftButton)
    await wait_for(lambda: page.states.state == "ready", what="ready after retry")
    assert page.recharge_button.isEnabled()


async def test_discarding_a_pending_recharge_asks_first(make_app, sandbox, browser) -> None:
    controller, page = await _as_admin(make_app, sandbox)
    waiting = await _pay_flow(controller, page, browser, "300")
    recharge_id = waiting.recharge.id
    QTest.mouseClick(waiting.close_button, Qt.MouseButton.LeftButton)
    await wait_for(lambda: page.pending_banner.isVisible(), what="pending banner")
    QTest.mouseClick(page.pending_discard, Qt.MouseButton.LeftButton)
    ask: ConfirmDialog = await wait_for(
        lambda: _visible(controller.window, ConfirmDialog), what="confirm"
    )
    assert f"#{recharge_id}" in ask.windowTitle() and "Acme Health" in ask.findChild(QLabel).text()
    ask.reject()
    await wait_for(lambda: _closed(ask), what="kept")
    assert page.pending_ids(controller.session.tenant_id) == [recharge_id]
    QTest.mouseClick(page.pending_discard, Qt.MouseButton.LeftButton)
    ask = await wait_for(lambda: _visible(controller.window, ConfirmDialog), what="confirm")
    ask.accept()
    await wait_for(lambda: not page.pending_banner.isVisible(), what="banner gone")
    assert page.pending_ids(controller.session.tenant_id) == []


async def test_a_failed_payment_check_says_why_and_the_request_id_once(
    make_app, sandbox, browser, faults
) -> None:
    controller, page = await _as_admin(make_app, sandbox)
    waiting = await _pay_flow(controller, page, browser, "300")
    faults([{"route": "/api/v1/billing/recharges/*", "method": "GET", "status": 500}])
    QTest.mouseClick(waiting.check_button, Qt.MouseButton.LeftButton)
    await wait_for(lambda: "Could not check" in waiting.status.text(), what="check failed")
    text = waiting.status.text()
    assert text.count("req_") == 1 and text.count("request id") == 1, text
    assert ".." not in text and "). Trying again in" in text, text
    faults([])
    waiting.reject()
