"""Telephony connections on the real sandbox: forms, write-only secrets, test, delete, roles."""

from __future__ import annotations

import logging
import os
import random
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QLineEdit, QPlainTextEdit

from callaro_desktop.api.client import OwnedNumber
from callaro_desktop.api.errors import Forbidden
from callaro_desktop.api.models import Provider, TelephonyConnection
from callaro_desktop.logs import setup_logging, shutdown_logging
from callaro_desktop.views.dialogs.confirm import ConfirmDialog
from callaro_desktop.views.dialogs.telephony_connection import (
    ConnectionDialog,
    acl_problems,
    password_problem,
    sip_uri_problem,
)
from callaro_desktop.views.pages.telephony import TelephonyPage, number_in_words

from .conftest import ADMIN, OPERATOR, sign_in, wait_for
from .test_phone_numbers import _visible

STRONG = "Tr0mbone-Quasar-Lantern"


def _unique(name: str) -> str:
    return f"{name} {uuid.uuid4().hex[:6]}"


async def _open_page(controller: Any) -> TelephonyPage:
    window = controller.window
    window.navigate("telephony")
    page = window.pages["telephony"]
    assert isinstance(page, TelephonyPage)
    await wait_for(lambda: page.states.state == "ready", what="connections listed")
    return page


async def _new_dialog(controller: Any, page: TelephonyPage) -> ConnectionDialog:
    page.open_primary_action()
    dialog: ConnectionDialog = await wait_for(
        lambda: _visible(controller.window, ConnectionDialog), what="connection dialog"
    )
    return dialog


async def _sip(controller: Any, name: str, host: str = "trunk.example.com") -> TelephonyConnection:
    api = controller.session.scope().telephony_connections
    return await api.create(name, "sip", termination_uri=f"sip:{host}:5060", password=STRONG)


def test_sip_checks_are_specific() -> None:
    assert sip_uri_problem("sip:trunk.example.com:5060;transport=tls") is None
    assert sip_uri_problem("sips:[2001:db8::1]:5061") is None
    assert "sip: or sips:" in (sip_uri_problem("https://trunk.example.com") or "")
    assert "port" in (sip_uri_problem("sip:trunk.example.com:70000") or "")
    assert "IPv6" in (sip_uri_problem("sip:[2001:db8::1::2]") or "")
    found = acl_problems("203.0.113.7\n\n10.0.0.1/24\n2001:db8::/48\nnope\n::1/129")
    assert [line for line, _ in found] == [3, 5, 6]
    assert "did you mean 10.0.0.0/24" in found[0][1]
    assert password_problem(STRONG, "callaro") is None
    assert "12" in (password_problem("Short1!") or "")
    assert "three" in (password_problem("alllowercaseletters") or "")
    assert "username" in (password_problem("Callaro-Trunk-2024", "callaro") or "")
    assert number_in_words(1) == "one" and number_in_words(48) == "forty-eight"
    assert number_in_words(120) == "120"


async def test_sip_form_refuses_bad_uri_cidr_and_weak_password_before_sending(
    make_app, sandbox
) -> None:
    controller = await make_app()
    await sign_in(controller, sandbox, ADMIN)
    page = await _open_page(controller)
    before = len(await controller.session.scope().telephony_connections.list())
    dialog = await _new_dialog(controller, page)
    dialog.provider_combo.setCurrentIndex(dialog.provider_combo.findData("sip"))
    assert dialog.sip_uri.isVisible() and not dialog.twilio_sid.isVisible()
    name = _unique("Bad trunk")
    QTest.keyClicks(dialog.name_edit, name)
    QTest.keyClicks(dialog.sip_uri, "http://pbx.example.com")
    uri_error = dialog.fields["termination_uri"][1]
    assert uri_error.isVisible() and "sip: or sips:" in uri_error.text()  # as typed
    QTest.keyClicks(dialog.sip_password.edit, "passwordpassword1")
    assert "three" in dialog.fields["password"][1].text()
    dialog.ip_acl.setPlainText("203.0.113.7/32\n10.0.0.1/24\nnot-an-ip")
    acl_error = dialog.fields["ip_acl"][1].text()
    assert "Line 2" in acl_error and "Line 3" in acl_error and "Line 1" not in acl_error

    QTest.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.idempotency_key is None  # nothing was sent
    assert dialog.sip_uri.text() == "http://pbx.example.com"  # what was typed stays

    # Fixed, it saves; the codec order is the one chosen.
    dialog.sip_uri.setText("sips:pbx.example.com:5061")
    dialog.sip_password.edit.setText(STRONG)
    dialog.ip_acl.setPlainText("203.0.113.7/32\n\n2001:db8::/48")
    dialog.codecs.list.setCurrentRow(2)  # G722
    dialog.codecs.list.currentItem().setCheckState(Qt.CheckState.Checked)
    dialog.codecs.move_current(-1)
    dialog.codecs.move_current(-1)
    assert dialog.codecs.codecs() == ["G722", "PCMU", "PCMA"]
    dialog.start_submit()
    await wait_for(lambda: _visible(controller.window, ConnectionDialog) is None, what="saved")
    connections = await controller.session.scope().telephony_connections.list()
    assert len(connections) == before + 1
    saved = next(c for c in connections if c.name == name)
    assert saved.codecs == ["G722", "PCMU", "PCMA"]
    assert saved.ip_acl == ["203.0.113.7/32", "2001:db8::/48"]


async def test_secrets_are_write_only_never_returned_and_never_logged(make_app, sandbox) -> None:
    home = Path(os.environ["CALLARO_DESKTOP_HOME"])
    root = logging.getLogger()
    level = root.level
    setup_logging("DEBUG", to_stderr=False)
    try:
        controller = await make_app()
        await sign_in(controller, sandbox, ADMIN)
        session = controller.session
        page = await _open_page(controller)
        secret = f"Zq{random.randrange(10**9)}-Velvet-Harbour!"
        name = _unique("Logged trunk")

        dialog = await _new_dialog(controller, page)
        dialog.provider_combo.setCurrentIndex(dialog.provider_combo.findData("sip"))
        dialog.name_edit.setText(name)
        dialog.sip_uri.setText("sip:trunk.example.com")
        dialog.sip_username.setText("acme-trunk")
        QTest.keyClicks(dialog.sip_password.edit, secret)
        dialog.start_submit()
        await wait_for(lambda: _visible(controller.window, ConnectionDialog) is None)
        await wait_for(lambda: any(c.name == name for c in page.model.rows), what="listed")
        saved = next(c for c in page.model.rows if c.name == name)
        assert saved.has_password

        # The server never sends it back, on the list or the item.
        token = session.client.auth.tokens.access_token.get_secret_value()
        headers = {"Authorization": f"Bearer {token}", "X-Tenant-Id": str(session.tenant_id)}
        base = f"{sandbox.base_url}/api/v1/telephony_connections"
        for url in (base, f"{base}/{saved.id}"):
            response = httpx.get(url, headers=headers)
            assert response.status_code == 200 and secret not in response.text
            assert '"has_password":true' in response.text.replace(" ", "")

        # The form shows "stored" with Replace, never the value; leaving it keeps it.
        row = next(i for i, c in enumerate(page.model.rows) if c.id == saved.id)
        page.table.selectRow(row)
        page.open_button.click()
        dialog = await wait_for(lambda: _visible(controller.window, ConnectionDialog))
        secret_input = dialog.sip_password
        assert secret_input.stored_label.isVisible()
        assert "stored" in secret_input.stored_label.text()
        assert secret_input.replace_button.isVisible() and not secret_input.edit.isVisible()
        texts = [w.text() for w in dialog.findChildren(QLineEdit) + dialog.findChildren(QLabel)]
        texts += [w.toPlainText() for w in dialog.findChildren(QPlainTextEdit)]
        assert all(secret not in text for text in texts)
        dialog.sip_username.setText("acme-trunk-2")
        dialog.start_submit()
        await wait_for(lambda: _visible(controller.window, ConnectionDialog) is None)
        again = await session.scope().telephony_connections.get(saved.id)
        assert again.has_password and again.username == "acme-trunk-2"

        # Replace sends the new one (and only then).
        page.table.selectRow(row)
        page.open_button.click()
        dialog = await wait_for(lambda: _visible(controller.window, ConnectionDialog))
        dialog.sip_password.replace_button.click()
        assert dialog.sip_password.edit.isVisible() and dialog.sip_password.edit.text() == ""
        dialog.sip_password.edit.setText(secret + "2")
        dialog.start_submit()
        await wait_for(lambda: _visible(controller.window, ConnectionDialog) is None)
    finally:
        for handler in root.handlers:
            handler.flush()
        shutdown_logging()
        root.setLevel(level)
    files = [p for p in home.rglob("*") if p.is_file()]
    assert any(p.suffix == ".log" or ".log" in p.name for p in files), files
    for path in files:
        data = path.read_bytes()
        assert secret.encode() not in data, path


async def test_test_connection_shows_result_and_latency(make_app, sandbox) -> None:
    controller = await make_app()
    await sign_in(controller, sandbox, ADMIN)
    good = await _sip(controller, _unique("Good trunk"))
    bad = await _sip(controller, _unique("Broken trunk"), host="pbx.nowhere.invalid")
    page = await _open_page(controller)
    for connection, badge, words in ((good, "Passed", "works"), (bad, "Failed", "failed")):
        row = next(i for i, c in enumerate(page.model.rows) if c.id == connection.id)
        page.table.selectRow(row)
        assert page.test_button.isEnabled()
        page.test_button.click()
        await wait_for(lambda b=badge: page.notice.pill.text() == b, what=badge)
        title = page.notice.title.text()
        assert connection.name in title and words in title and " ms" in title
    assert "DNS" in page.notice.text.text()


async def test_delete_in_use_is_refused_with_the_count_in_words(make_app, sandbox) -> None:
    controller = await make_app()
    await sign_in(controller, sandbox, ADMIN)
    scope = controller.session.scope()
    connection = await _sip(controller, _unique("Busy trunk"))
    rng = random.Random()
    numbers = await scope.phone_numbers.import_owned(
        [OwnedNumber(e164=f"+918068{rng.randrange(10**7):07d}") for _ in range(3)], connection.id
    )
    page = await _open_page(controller)

    async def delete() -> None:
        row = next(i for i, c in enumerate(page.model.rows) if c.id == connection.id)
        page.table.selectRow(row)
        page.delete_button.click()
        question: ConfirmDialog = await wait_for(lambda: _visible(controller.window, ConfirmDialog))
        text = question.findChild(QLabel).text()
        assert connection.name in text and "Acme Health" in text
        question.action_button.click()

    await delete()
    await wait_for(lambda: page.notice.isVisible(), what="refusal")
    assert "Three phone numbers still use it" in page.notice.text.text()
    assert page.notice.request_id.isVisible()
    assert any(c.id == connection.id for c in page.model.rows)

    for number in numbers:
        await scope.phone_numbers.release(number.id)
    await delete()
    await wait_for(lambda: all(c.id != connection.id for c in page.model.rows), what="deleted")
    assert not page.notice.isVisible()


async def test_operator_reads_connections_without_write_controls_and_is_refused(
    make_app, sandbox
) -> None:
    controller = await make_app()
    await sign_in(controller, sandbox, OPERATOR)
    page = await _open_page(controller)
    assert not page.new_button.isVisible()
    assert not page.test_button.isVisible() and not page.delete_button.isVisible()
    assert page.open_button.text() == "&View…"
    twilio = next(i for i, c in enumerate(page.model.rows) if c.provider == Provider.TWILIO)
    page.table.selectRow(twilio)
    page.open_button.click()
    dialog: ConnectionDialog = await wait_for(lambda: _visible(controller.window, ConnectionDialog))
    assert not dialog.submit_button.isVisible()
    assert dialog.name_edit.isReadOnly() and dialog.twilio_sid.isReadOnly()
    assert "stored" in dialog.auth_token.stored_label.text()
    assert not dialog.auth_token.replace_button.isVisible()
    dialog.reject()

    api = controller.session.scope().telephony_connections
    connection = page.model.rows[twilio]
    with pytest.raises(Forbidden):
        await api.update(connection.id, name="Renamed by an operator")
    with pytest.raises(Forbidden):
        await api.create(_unique("Operator's"), "mcube", api_token=STRONG)
    with pytest.raises(Forbidden):
        await api.delete(connection.id)
