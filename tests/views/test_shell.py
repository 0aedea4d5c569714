"""The shell against the real sandbox: sign-in, tenants, roles, stale responses, sessions."""

from __future__ import annotations

import asyncio
import random
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from callaro_desktop.services.tasks import background
from callaro_desktop.settings import Settings
from callaro_desktop.views.dialogs.sign_in import SignInDialog
from callaro_desktop.views.pages.phone_numbers import PhoneNumbersPage

from .conftest import ADMIN, MULTI, SUPPORT, VIEWER, sign_in, wait_for


def _visible_pages(controller: Any) -> set[str]:
    return set(controller.window.sidebar.visible_pages())


async def _sign_in_dialog(controller: Any, server: str) -> SignInDialog:
    background(controller.show_sign_in(server))
    dialog: SignInDialog = await wait_for(lambda: controller.sign_in_dialog, what="sign-in")
    return dialog


async def test_sign_in_with_the_dialog_opens_the_remembered_workspace(make_app, sandbox) -> None:
    controller = await make_app()
    dialog = await _sign_in_dialog(controller, sandbox.base_url)
    # The first page is built while the user types, not with the sign-in's answer (in one
    # callback they held the window 80-130 ms).
    await wait_for(lambda: "dashboard" in controller.window.pages, what="Dashboard built ahead")
    prepared = controller.window.pages["dashboard"]
    assert controller.session.current_account is None and dialog.isVisible()
    dialog.email.setText(ADMIN[0])
    dialog.password.setText(ADMIN[1])
    QTest.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    await wait_for(lambda: controller.session.tenant is not None, what="signed in")
    window = controller.window
    assert window.windowTitle() == "Acme Health — Callaro"
    assert "Acme Health" in window.switcher.text() and "Tenant Admin" in window.switcher.text()
    page = await wait_for(window.current_page)
    assert page is prepared
    await wait_for(lambda: page.states.state == "ready", what="first page ready")
    # The dialog closes itself once the sign-in has succeeded (a moment after).
    await wait_for(lambda: controller.sign_in_dialog is None, what="dialog closed")


async def test_wrong_password_is_said_at_the_password_and_keeps_the_input(
    make_app, sandbox
) -> None:
    controller = await make_app()
    dialog = await _sign_in_dialog(controller, sandbox.base_url)
    dialog.email.setText(ADMIN[0])
    dialog.password.setText("not-the-password")
    dialog.start_submit()
    await wait_for(lambda: dialog.password_error.isVisible(), what="password error")
    assert "not correct" in dialog.password_error.text()
    assert not dialog.server_error.isVisible()
    assert dialog.email.text() == ADMIN[0]
    assert dialog.password.text() == "not-the-password"
    assert controller.session.client is None


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_unreachable_server_is_said_at_the_server_field(make_app) -> None:
    controller = await make_app()
    dialog = await _sign_in_dialog(controller, f"http://127.0.0.1:{_closed_port()}")
    dialog.email.setText(ADMIN[0])
    dialog.password.setText(ADMIN[1])
    dialog.start_submit()
    await wait_for(lambda: dialog.server_error.isVisible(), timeout=30, what="server error")
    assert "Could not reach" in dialog.server_error.text()
    assert not dialog.password_error.isVisible()


class _NotCallaro(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = b"<html><body>Welcome to nginx!</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


async def test_a_server_that_is_not_callaro_is_named_as_such(make_app) -> None:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _NotCallaro)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        controller = await make_app()
        dialog = await _sign_in_dialog(controller, f"http://127.0.0.1:{httpd.server_port}")
        dialog.email.setText(ADMIN[0])
        dialog.password.setText(ADMIN[1])
        dialog.start_submit()
        await wait_for(lambda: dialog.server_error.isVisible(), what="server error")
        assert "not a Callaro server" in dialog.server_error.text()
    finally:
        httpd.shutdown()


async def test_viewer_never_sees_admin_pages(make_app, sandbox) -> None:
    controller = await make_app()
    await sign_in(controller, sandbox, VIEWER)
    pages = _visible_pages(controller)
    assert {"users", "billing", "usage", "invoices", "api_keys", "telephony"}.isdisjoint(pages)
    assert {"profile", "getting_started", "phone_numbers"} <= pages
    # Even the keyboard path (View menu) offers nothing hidden.
    assert not controller.window.page_actions["users"].isVisible()
    controller.window.navigate("users")
    assert controller.window.router.current != "users"


async def test_switching_tenant_updates_the_sidebar_and_falls_back(make_app, sandbox) -> None:
    controller = await make_app()
    await sign_in(controller, sandbox, MULTI)
    session, window = controller.session, controller.window
    tenants = {t.name: t for t in session.tenants}
    assert set(tenants) == {"Acme Health", "Brightline Logistics"}
    session.switch_tenant(tenants["Brightline Logistics"].id)  # Admin there
    window.navigate("users")
    await wait_for(lambda: window.router.current == "users")
    await wait_for(lambda: "users" in _visible_pages(controller), what="sidebar")
    window.request_tenant_switch(tenants["Acme Health"].id)  # Operator there
    # The page falls back at once; the sidebar, menus and title follow once the new page's
    # requests have left, before anything is painted (test_switch_paint.py).
    assert session.tenant_id == tenants["Acme Health"].id
    assert window.router.current == "profile"
    window.navigate("users")
    assert window.router.current == "profile"  # (not even in the moment before the sidebar)
    await wait_for(lambda: "users" not in _visible_pages(controller), what="sidebar")
    assert not window.page_actions["users"].isVisible()
    assert window.windowTitle() == "Acme Health — Callaro"


def _phone_numbers_of(sandbox: Any, token: str, tenant_id: int) -> set[str]:
    r = httpx.get(
        f"{sandbox.base_url}/api/v1/phone_numbers",
        params={"per_page": 200},
        headers={"Authorization": f"Bearer {token}", "X-Tenant-Id": str(tenant_id)},
    )
    r.raise_for_status()
    return {n["e164"] for n in r.json()["data"]}


def _record_presents(page: Any, session: Any) -> list[tuple[int, int | None]]:
    """Wrap a list page's present(): (tenant the data is for, tenant current then)."""
    drawn: list[tuple[int, int | None]] = []
    original = page.present

    def spy(data: Any) -> None:
        drawn.append((data[2], session.tenant_id))
        original(data)

    page.present = spy
    return drawn


async def test_stale_tenant_response_is_never_drawn(make_app, sandbox, faults) -> None:
    controller = await make_app()
    await sign_in(controller, sandbox, SUPPORT)
    session, window = controller.session, controller.window
    acme = next(t for t in session.tenants if t.name == "Acme Health")
    bright = next(t for t in session.tenants if t.name == "Brightline Logistics")
    session.switch_tenant(acme.id)
    window.navigate("phone_numbers")
    page = window.pages["phone_numbers"]
    assert isinstance(page, PhoneNumbersPage)
    await wait_for(lambda: page.states.state == "ready")

    drawn = _record_presents(page, session)
    # Acme's answer takes 1.5 s; the user switches to Brightline after 0.2 s.
    faults([{"route": "/api/v1/phone_numbers", "latency_ms": 1500, "count": 1}])
    session.switch_tenant(bright.id)
    session.switch_tenant(acme.id)
    page.reload()
    await asyncio.sleep(0.2)
    faults([])
    window.request_tenant_switch(bright.id)
    await wait_for(lambda: drawn and page.states.state == "ready", timeout=10)
    await asyncio.sleep(1.8)  # the slow Acme answer has now arrived, and must be dropped
    token = session.client.auth.tokens.access_token.get_secret_value()
    shown = {row.e164 for row in page.model.rows}
    assert shown and shown <= _phone_numbers_of(sandbox, token, bright.id)
    assert shown.isdisjoint(_phone_numbers_of(sandbox, token, acme.id))
    assert all(data_tenant == current for data_tenant, current in drawn)


async def test_two_hundred_random_switches_show_only_the_current_tenant(make_app, sandbox) -> None:
    controller = await make_app()
    await sign_in(controller, sandbox, SUPPORT)
    session, window = controller.session, controller.window
    names = {"Acme Health", "Brightline Logistics", "Corvid Studio"}
    ids = [t.id for t in session.tenants if t.name in names]
    assert len(ids) == 3
    window.navigate("phone_numbers")
    page = window.pages["phone_numbers"]
    drawn = _record_presents(page, session)
    rng = random.Random(7)

    async def churn() -> None:
        for _ in range(200):
            window.request_tenant_switch(rng.choice(ids))
            await asyncio.sleep(rng.choice([0, 0, 0.001, 0.005, 0.02]))

    await churn()
    await wait_for(
        lambda: page.states.state in ("ready", "empty") and not session.tasks.running(),
        what="settled",
        extra=lambda: (page.states.state, session.tasks.running(), session.tenant),
    )
    token = session.client.auth.tokens.access_token.get_secret_value()
    expected = _phone_numbers_of(sandbox, token, session.tenant_id)
    shown = {row.e164 for row in page.model.rows}
    assert shown <= expected and (shown or not expected)
    assert drawn and all(data_tenant == current for data_tenant, current in drawn)


async def test_expired_access_token_refreshes_without_a_visible_change(
    make_app, short_token_sandbox
) -> None:
    controller = await make_app()
    await sign_in(controller, short_token_sandbox, ADMIN)
    window, session = controller.window, controller.session
    asked: list[str] = []
    session.current_account.reauth_requested.connect(asked.append)
    window.navigate("users")
    page = window.pages["users"]
    await wait_for(lambda: page.states.state == "ready")
    await asyncio.sleep(2.5)
    page.reload()
    await wait_for(lambda: page.states.state == "ready" and not session.tasks.running())
    assert asked == []
    assert page.model.rowCount() > 0


async def test_revoked_session_asks_for_the_password_and_keeps_what_was_typed(
    make_app, short_token_sandbox
) -> None:
    controller = await make_app()
    await sign_in(controller, short_token_sandbox, ADMIN)
    window, session = controller.window, controller.session
    window.navigate("users")
    page = window.pages["users"]
    await wait_for(lambda: page.states.state == "ready")
    QTest.keyClicks(page.search, "asha")
    # Someone signs this session out elsewhere: the refresh token family is revoked.
    refresh = session.client.auth.tokens.refresh_token.get_secret_value()
    httpx.post(
        f"{short_token_sandbox.base_url}/api/v1/auth/logout", json={"refresh_token": refresh}
    ).raise_for_status()
    await asyncio.sleep(2.5)  # the access token expires too
    page.reload()
    dialog = await wait_for(lambda: controller.reauth_dialog, what="re-auth dialog")
    assert page.search.text() == "asha"
    dialog.password.setText(ADMIN[1])
    dialog.start_submit()
    await wait_for(lambda: controller.reauth_dialog is None, what="dialog closed")
    await wait_for(
        lambda: page.states.state == "ready" and not session.tasks.running(),
        what="page reloaded",
        extra=lambda: (page.states.state, page.states.error_text.text()),
    )
    assert page.search.text() == "asha"
    assert any("asha" in (u.display_name or "").lower() for u in page.model.rows)
    assert session.client is not None


async def test_every_sidebar_page_opens_for_an_admin(make_app, sandbox) -> None:
    controller = await make_app()
    await sign_in(controller, sandbox, ADMIN)
    window = controller.window
    for page_id in window.sidebar.visible_pages():
        window.navigate(page_id)
        page = window.pages[page_id]
        await wait_for(lambda p=page: p.states.state in ("ready", "empty"), what=page_id)
        assert page.states.state != "error", page_id


async def test_back_and_forward_walk_the_history(make_app, sandbox) -> None:
    controller = await make_app()
    await sign_in(controller, sandbox, ADMIN)
    window = controller.window
    start = window.router.current
    for page_id in ("users", "billing", "invoices"):
        window.navigate(page_id)
        await wait_for(lambda p=page_id: window.router.current == p)
    window.go_back()
    await wait_for(lambda: window.router.current == "billing")
    window.go_back()
    await wait_for(lambda: window.router.current == "users")
    window.go_forward()
    await wait_for(lambda: window.router.current == "billing")
    assert window.back_action.isEnabled() and window.forward_action.isEnabled()
    assert start is not None


async def test_arrow_keys_move_through_the_sidebar_skipping_headers(make_app, sandbox) -> None:
    controller = await make_app()
    await sign_in(controller, sandbox, ADMIN)
    window = controller.window
    window.navigate("getting_started")
    await wait_for(lambda: window.router.current == "getting_started")
    window.sidebar.setFocus()
    QTest.keyClick(window.sidebar, Qt.Key.Key_Down)
    await wait_for(lambda: window.router.current == "profile", what="profile via arrow")
    QTest.keyClick(window.sidebar, Qt.Key.Key_Down)
    await wait_for(lambda: window.router.current == "users")
    QTest.keyClick(window.sidebar, Qt.Key.Key_Up)
    QTest.keyClick(window.sidebar, Qt.Key.Key_Up)
    await wait_for(lambda: window.router.current == "getting_started")


async def test_tenant_switcher_searches_hundreds_of_workspaces(make_app, sandbox) -> None:
    controller = await make_app()
    await sign_in(controller, sandbox, SUPPORT)
    window = controller.window
    assert len(controller.session.tenants) >= 250
    window.switcher.open_popup()
    popup = window.switcher.popup
    QTest.keyClicks(popup.search, "Brightline")
    assert "1 of" in popup.count_label.text()
    QTest.keyClick(popup.search, Qt.Key.Key_Down)
    QTest.keyClick(popup.list, Qt.Key.Key_Return)
    await wait_for(lambda: controller.session.tenant.name == "Brightline Logistics")
    assert not popup.isVisible()


async def test_offline_shows_in_the_status_bar_and_retry_recovers(
    make_app, sandbox, faults
) -> None:
    controller = await make_app()
    await sign_in(controller, sandbox, ADMIN)
    window = controller.window
    window.navigate("invoices")
    page = window.pages["invoices"]
    await wait_for(lambda: page.states.state == "ready")
    faults([{"route": "/api/v1/invoices", "body": "drop"}])
    page.reload()
    await wait_for(lambda: page.states.state == "error", timeout=30)
    assert page.states.retry_button.isVisible()
    faults([])
    page.states.retry_button.click()
    await wait_for(lambda: page.states.state == "ready", timeout=30)


@pytest.mark.parametrize("status", [500, 503])
async def test_server_error_shows_request_id_and_retry(make_app, sandbox, faults, status) -> None:
    controller = await make_app()
    await sign_in(controller, sandbox, ADMIN)
    window = controller.window
    window.navigate("billing")
    page = window.pages["billing"]
    await wait_for(lambda: page.states.state == "ready")
    faults([{"route": "/api/v1/billing/overview", "status": status}])
    page.reload()
    await wait_for(lambda: page.states.state == "error", timeout=30)
    assert page.states.request_id_label.text().startswith("Request id: req_")
    faults([])
    page.states.retry_button.click()
    await wait_for(lambda: page.states.state == "ready", timeout=30)


def _self_signed(tmp: Any) -> tuple[str, str]:
    """A certificate no trust store knows, for a server the console must refuse."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp / "cert.pem", tmp / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(cert_path), str(key_path)


async def test_an_untrusted_certificate_is_said_at_the_server_field(make_app, tmp_path) -> None:
    import ssl

    cert, key = _self_signed(tmp_path)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _NotCallaro)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        controller = await make_app()
        dialog = await _sign_in_dialog(controller, f"https://127.0.0.1:{httpd.server_port}")
        dialog.email.setText(ADMIN[0])
        dialog.password.setText(ADMIN[1])
        dialog.start_submit()
        await wait_for(lambda: dialog.server_error.isVisible(), timeout=30, what="server error")
        assert "certificate" in dialog.server_error.text()
        assert dialog.password.text() == ADMIN[1]
        assert controller.session.client is None
    finally:
        httpd.shutdown()


async def test_the_status_bar_tells_a_slow_server_from_an_unreachable_one(
    make_app, sandbox, faults
) -> None:
    # A read timeout means the server was reached and answered too late: "cannot be reached"
    # would send the user to check a network that works.
    settings = Settings()
    settings.__dict__["request_timeout_s"] = 1.0  # shorter than Preferences allow, on purpose
    controller = await make_app(settings=settings)
    await sign_in(controller, sandbox, ADMIN)
    window = controller.window
    status, retry = window.connection_label, window.retry_connection
    await wait_for(lambda: "Connected to" in status.text(), what="connected")
    server = controller.session.server

    faults([{"route": "/api/v1/phone_numbers*", "latency_ms": 2500}])
    window.navigate("phone_numbers")
    page = window.pages["phone_numbers"]
    await wait_for(lambda: page.states.state == "error", timeout=20, what="timed out")
    assert status.text() == f"● Not answering: {server} is taking too long"
    assert retry.isVisible()

    faults([{"route": "/api/v1/phone_numbers*", "body": "drop"}])  # hangs up, every retry
    page.reload()
    await wait_for(lambda: "Offline" in status.text(), timeout=20, what="unreachable")
    assert status.text() == f"● Offline: {server} cannot be reached"

    faults([])
    QTest.mouseClick(retry, Qt.MouseButton.LeftButton)
    await wait_for(lambda: "Connected to" in status.text(), timeout=20, what="connected again")
    await wait_for(lambda: page.states.state in ("ready", "empty"), what="page back")
    assert not retry.isVisible()
