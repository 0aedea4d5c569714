"""Every sidebar page under every kind of server failure, and creates that never happen twice.

For each fault class the admin (who sees every page) opens every page while the sandbox fails
every API call that way. Each page must show its error state, with a request id (for a failure
with no answer, the id the console sent the request with, which the sandbox must have seen),
and a Retry that works once the server is well again; faults the transport
retries on its own (429, 502, a dropped or cut-off answer) must heal without the user seeing
an error when they pass. Throughout, nothing may go unhandled and the GUI thread may never
stall for more than 100 ms (see conftest.Guards).

The creates (invitation, API key, recharge, phone number purchase) are pushed through a 503
the user sees, an answer that never arrives in time while the server does act, and a
connection reset followed by an answer cut off after the server acted; the sandbox database
must then hold exactly one new row.
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QPushButton, QStackedWidget, QWidget

from callaro_desktop.app import AppController
from callaro_desktop.services import downloads
from callaro_desktop.views.dialogs import recharge as recharge_module
from callaro_desktop.views.dialogs.add_number import AddNumberDialog
from callaro_desktop.views.dialogs.api_key_create import ApiKeyCreateDialog
from callaro_desktop.views.dialogs.api_key_secret import ApiKeySecretDialog
from callaro_desktop.views.dialogs.confirm import ConfirmDialog
from callaro_desktop.views.dialogs.form import FormDialog
from callaro_desktop.views.dialogs.invite_user import InviteUserDialog
from callaro_desktop.views.dialogs.number_detail import NumberDetailDialog
from callaro_desktop.views.dialogs.recharge import RechargeDialog, RechargeWaitDialog
from callaro_desktop.views.pages.base import Page
from callaro_desktop.views.pages.dashboard import DashboardPage
from callaro_desktop.views.shell.nav import NAV
from tests.reliability.conftest import (
    FaultControl,
    Guards,
    SandboxProcess,
    fast_settings,
    sign_in,
)
from tests.views.conftest import ADMIN, wait_for

W = TypeVar("W", bound=QWidget)

# The console gives up on an answer after this long here; the "timeout" fault sleeps longer.
READ_TIMEOUT_S = 1.5
REQUEST_ID = re.compile(r"req_[0-9a-f]{24}")

# Every API family a page reads, one pattern each, so "fail once" rules hit every page.
PAGE_ROUTES = (
    "/api/v1/onboarding*",
    "/api/v1/billing*",
    "/api/v1/phone_numbers*",
    "/api/v1/agents*",
    "/api/v1/users*",
    "/api/v1/invitations*",
    "/api/v1/telephony_connections*",
    "/api/v1/api_keys*",
    "/api/v1/usage/events*",
    "/api/v1/usage/summary*",
    "/api/v1/invoices*",
    "/api/v1/me",
)


@dataclass(frozen=True)
class FaultClass:
    name: str
    rule: dict[str, Any]
    transient: bool  # the transport retries it by itself


FAULTS = (
    FaultClass("status_500", {"status": 500}, False),
    FaultClass("html_502", {"body": "html502"}, True),
    FaultClass("rate_limit_429", {"rate_limit": True}, True),
    FaultClass("read_timeout", {"latency_ms": int(READ_TIMEOUT_S * 1000) + 1500}, False),
    FaultClass("connection_reset", {"body": "drop"}, True),
    FaultClass("malformed_json", {"body": "malformed_json"}, False),
    FaultClass("truncated_body", {"body": "truncate"}, True),
)


# -- reading a page's state --------------------------------------------------------------------


@dataclass
class ErrorShown:
    text: str
    request_id: str
    retry: QPushButton


def _errors(page: Page) -> list[ErrorShown]:
    """Every error state the page shows: its own, or (Dashboard) each failed card's."""
    if isinstance(page, DashboardPage):
        return [
            ErrorShown(c.error_text.text(), c.request_id.text(), c.retry_button)
            for c in page.visible_cards()
            if c.state == "error"
        ]
    if page.states.state != "error":
        return []
    s = page.states
    rid = s.request_id_label.text() if not s.request_id_label.isHidden() else ""
    return [ErrorShown(s.error_text.text(), rid, s.retry_button)]


def _network_cards(page: DashboardPage) -> list[Any]:
    return [c for c in page.visible_cards() if c.key != "account"]  # /me is already known


def _failed(page: Page) -> bool:
    if isinstance(page, DashboardPage):
        cards = _network_cards(page)
        return bool(cards) and all(c.state == "error" for c in cards)
    return page.states.state == "error"


def _ready(page: Page) -> bool:
    if isinstance(page, DashboardPage):
        return page.states.state == "ready" and all(
            c.state == "ready" for c in page.visible_cards()
        )
    return page.states.state in ("ready", "empty")


def _describe(controller: AppController) -> str:
    return ", ".join(
        f"{pid}={'+'.join(sorted({e.text[:40] for e in _errors(p)})) or p.states.state}"
        for pid, p in controller.window.pages.items()
    )


def _track_errors(page: Page, seen: list[str]) -> None:
    """Record every time the page (or a card) turns to its error layer."""
    stacks: list[QStackedWidget] = [page.states]
    if isinstance(page, DashboardPage):
        stacks += [c.stack for c in page.cards.values()]

    def changed(_index: int) -> None:
        if _errors(page):
            seen.append(page.page_id)

    for stack in stacks:
        stack.currentChanged.connect(changed)


async def _admin(
    make_app: Any, sandbox: SandboxProcess, guards: Guards, timeout_s: float
) -> AppController:
    controller: AppController = await guards.console(make_app, settings=fast_settings(timeout_s))
    await sign_in(controller, sandbox, ADMIN)
    window = controller.window
    first = window.current_page()
    await wait_for(lambda: _ready(first), timeout=20, what="landing page ready")
    return controller


# -- every page under every fault --------------------------------------------------------------


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
async def test_every_page_shows_its_error_and_recovers(
    make_app: Any,
    sandbox: SandboxProcess,
    fault_control: FaultControl,
    guards: Guards,
    fault: FaultClass,
) -> None:
    guards.start()
    guards.phase("sign in")
    controller = await _admin(make_app, sandbox, guards, READ_TIMEOUT_S)
    window = controller.window
    visible = window.sidebar.visible_pages()
    assert set(visible) == {item.page_id for item in NAV}, "the admin must see every page"

    # 1. Every API call fails this way; open every page (the one showing is reloaded, F5).
    #    Pages load side by side: leaving a page does not stop its load.
    guards.phase(f"{fault.name}: opening every page")
    await fault_control.set([{"route": "/api/v1/*", **fault.rule}])
    window.reload_current()
    for page_id in visible:
        window.navigate(page_id)
        await asyncio.sleep(0)
    pages = {page_id: window.pages[page_id] for page_id in visible}

    # 2. Each shows its error state, a request id and Retry. The id is one the server saw,
    #    also when its answer never came: support can find that request.
    guards.phase(f"{fault.name}: error states")
    await wait_for(
        lambda: all(_failed(p) for p in pages.values()),
        timeout=30,
        what="every page's error state",
        extra=lambda: _describe(controller),
    )
    seen_by_server = await fault_control.request_ids()
    for page_id, page in pages.items():
        for shown in _errors(page):
            assert shown.text.strip(), page_id
            # Visible as soon as the page is (only the last one opened is on screen).
            assert shown.retry.isVisibleTo(page) and shown.retry.isEnabled(), page_id
            found = REQUEST_ID.search(shown.request_id)
            assert found, (page_id, fault.name, shown.request_id)
            assert found.group() in seen_by_server, (page_id, fault.name, found.group())

    # 3. The server is well again: Retry on each page brings its data; on the page on screen
    #    it is a real click.
    guards.phase(f"{fault.name}: retry")
    await fault_control.clear()
    current = window.current_page()
    for page in pages.values():
        for shown in _errors(page):
            if page is current:
                assert shown.retry.isVisible()
                QTest.mouseClick(shown.retry, Qt.MouseButton.LeftButton)
            else:
                shown.retry.click()
    await wait_for(
        lambda: all(_ready(p) for p in pages.values()),
        timeout=30,
        what="every page ready after Retry",
        extra=lambda: _describe(controller),
    )
    guards.phase(f"{fault.name}: pages on screen")
    for page_id, page in pages.items():
        window.navigate(page_id)
        # One page per turn of the loop, as a user's clicks come: wait_for returns without
        # yielding when the page is ready at once, and ten pages shown in one callback would
        # be the test's freeze, not the console's.
        await asyncio.sleep(0)
        await wait_for(lambda p=page: p.isVisible() and _ready(p), what=f"{page_id} shown")  # type: ignore[misc]

    # 4. A fault the transport retries, failing once per API family, never reaches the user.
    if fault.transient:
        guards.phase(f"{fault.name}: healing by itself")
        seen: list[str] = []
        for page in window.pages.values():
            _track_errors(page, seen)
        await fault_control.set([{"route": r, "count": 1, **fault.rule} for r in PAGE_ROUTES])
        for page in window.pages.values():
            page.reload()
        await wait_for(
            lambda: (
                all(_ready(p) for p in window.pages.values())
                and not controller.session.tasks.running()
            ),
            timeout=30,
            what="every page ready again",
            extra=lambda: _describe(controller),
        )
        assert seen == [], f"errors shown although the transport should have retried: {seen}"
        assert sum(await fault_control.fired()) >= 5, "the faults did not fire"

    guards.check()


# -- creates never happen twice ----------------------------------------------------------------


def _visible(window: QWidget, cls: type[W]) -> W | None:
    shown = [w for w in window.findChildren(cls) if w.isVisible()]
    return shown[-1] if shown else None


def _gone(widget: QWidget) -> bool:
    return not shiboken6.isValid(widget) or not widget.isVisible()


async def _failed_submit(dialog: FormDialog, submit: Callable[[], None], what: str) -> str:
    """Submit and wait for the error line; the dialog keeps its input and its key."""
    submit()
    await wait_for(
        lambda: dialog.general_error.isVisible() and dialog.submit_button.isEnabled(),
        timeout=30,
        what=what,
    )
    return dialog.general_error.text()


async def _gauntlet(
    dialog: FormDialog,
    route: str,
    faults: FaultControl,
    submit: Callable[[], None],
) -> None:
    """503s the user sees; an answer that comes too late although the server acted; a reset,
    then an answer cut off after the server acted, which the transport retries. One key."""
    post = {"route": route, "method": "POST"}
    await faults.set([{**post, "status": 503}])
    text = await _failed_submit(dialog, submit, "503 shown")
    assert "request id" in text
    key = dialog.idempotency_key
    assert key

    late = int(READ_TIMEOUT_S * 1000) + 1200
    await faults.set([{**post, "latency_ms": late, "count": 1}])
    started = time.monotonic()
    text = await _failed_submit(dialog, submit, "timeout shown")
    assert "too long" in text and "request id" in text, text
    assert dialog.idempotency_key == key

    await faults.set(
        [{**post, "body": "drop", "count": 1}, {**post, "body": "truncate", "count": 1}]
    )
    submit()
    # The late request is still asleep in the server; let it act before counting rows.
    await asyncio.sleep(max(0.0, late / 1000 + 0.3 - (time.monotonic() - started)))
    assert dialog.idempotency_key == key


def _click(button: QPushButton) -> Callable[[], None]:
    return lambda: QTest.mouseClick(button, Qt.MouseButton.LeftButton)


def _count(sandbox: SandboxProcess, sql: str, *params: Any) -> int:
    return int(sandbox.db.scalar(sql, params))


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The checkout page the console would open in the system browser."""
    opened: list[str] = []

    def fake_open(url: Any) -> bool:
        opened.append(url if isinstance(url, str) else url.toString())
        return True

    monkeypatch.setattr(downloads, "open_url", fake_open)
    monkeypatch.setattr(recharge_module, "POLL_INTERVAL_S", 0.2)
    return opened


CREATES = ("invitation", "api_key", "recharge", "purchase")


@pytest.mark.parametrize("kind", CREATES)
async def test_a_create_retried_through_every_failure_happens_once(
    make_app: Any,
    sandbox: SandboxProcess,
    fault_control: FaultControl,
    guards: Guards,
    browser: list[str],
    kind: str,
) -> None:
    guards.start()
    controller = await _admin(make_app, sandbox, guards, READ_TIMEOUT_S)
    window, session = controller.window, controller.session
    tenant = session.tenant_id
    guards.phase(f"{kind}: gauntlet")

    if kind == "invitation":
        window.navigate("users")
        page = window.pages["users"]
        await wait_for(lambda: _ready(page), what="users ready")
        page.open_primary_action()
        invite = await wait_for(lambda: _visible(window, InviteUserDialog), what="invite")
        email = f"once.{uuid.uuid4().hex[:8]}@example.com"
        invite.email.setText(email)
        await _gauntlet(invite, "/api/v1/invitations", fault_control, _click(invite.submit_button))
        await wait_for(lambda: _gone(invite), timeout=30, what="invitation sent")
        rows = _count(sandbox, "SELECT COUNT(*) FROM invitations WHERE email = ?", email)

    elif kind == "api_key":
        window.navigate("api_keys")
        page = window.pages["api_keys"]
        await wait_for(lambda: _ready(page), what="api keys ready")
        page.open_primary_action()
        create = await wait_for(lambda: _visible(window, ApiKeyCreateDialog), what="create key")
        name = f"Once {uuid.uuid4().hex[:8]}"
        QTest.keyClicks(create.name, name)
        await _gauntlet(create, "/api/v1/api_keys", fault_control, _click(create.submit_button))
        secret = await wait_for(lambda: _visible(window, ApiKeySecretDialog), timeout=30)
        QTest.mouseClick(secret.copy_button, Qt.MouseButton.LeftButton)
        QTest.mouseClick(secret.done_button, Qt.MouseButton.LeftButton)
        rows = _count(
            sandbox, "SELECT COUNT(*) FROM api_keys WHERE tenant_id = ? AND name = ?", tenant, name
        )

    elif kind == "recharge":
        window.navigate("billing")
        page = window.pages["billing"]
        await wait_for(lambda: _ready(page), what="billing ready")
        before = _count(sandbox, "SELECT COALESCE(MAX(id), 0) FROM billing_recharges")
        page.open_primary_action()
        dialog = await wait_for(lambda: _visible(window, RechargeDialog), what="recharge")
        dialog.amount.clear()
        QTest.keyClicks(dialog.amount, "1234")
        await _gauntlet(
            dialog, "/api/v1/billing/recharges", fault_control, _click(dialog.submit_button)
        )
        waiting = await wait_for(lambda: _visible(window, RechargeWaitDialog), timeout=30)
        await wait_for(lambda: browser, what="checkout opened")
        waiting.reject()
        rows = _count(
            sandbox,
            "SELECT COUNT(*) FROM billing_recharges WHERE tenant_id = ? AND id > ?",
            tenant,
            before,
        )

    else:
        window.navigate("phone_numbers")
        page = window.pages["phone_numbers"]
        await wait_for(lambda: _ready(page), what="numbers ready")
        before = _count(sandbox, "SELECT COALESCE(MAX(id), 0) FROM phone_numbers")
        page.open_primary_action()
        add = await wait_for(lambda: _visible(window, AddNumberDialog), what="add number")
        await wait_for(lambda: add.pricing is not None and add.available, what="prices")
        assert add.purchase_radio.isChecked()
        add.quantity.setValue(1)

        def submit() -> None:
            QTest.mouseClick(add.submit_button, Qt.MouseButton.LeftButton)

        # The first submit asks once (the price); retries of the same purchase do not.
        async def agree() -> None:
            question = await wait_for(lambda: _visible(window, ConfirmDialog), what="confirm")
            question.accept()

        agreeing = asyncio.ensure_future(agree())
        await _gauntlet(add, "/api/v1/phone_numbers/purchase", fault_control, submit)
        await agreeing
        detail = await wait_for(lambda: _visible(window, NumberDetailDialog), timeout=30)
        detail.reject()
        rows = _count(
            sandbox,
            "SELECT COUNT(*) FROM phone_numbers WHERE tenant_id = ? AND id > ?",
            tenant,
            before,
        )

    assert rows == 1, f"{kind}: {rows} rows created"
    guards.check()
