"""A whole session with secrets in it, then every file the console wrote is searched for them.

Signed in through the dialog (with "Keep me signed in" where offered; the vault is in memory),
the admin changes the password (once wrongly, which the server refuses), creates an API key
and copies its secret, saves a SIP trunk with a password, meets a failing page, and hits a
crash whose exception carries secrets in the shapes they travel in (a header, a JSON body,
model reprs). Logging is at DEBUG into the app's own file. Then every file under
CALLARO_DESKTOP_HOME, the QSettings file, and every log record as it was logged (before the
file handler's redactor) are searched for each password, token and key. Zero hits.
"""

from __future__ import annotations

import logging
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget

from callaro_desktop import paths
from callaro_desktop.app import AppController
from callaro_desktop.logs import setup_logging, shutdown_logging
from callaro_desktop.services.tasks import background
from callaro_desktop.views.dialogs.api_key_create import ApiKeyCreateDialog
from callaro_desktop.views.dialogs.api_key_secret import ApiKeySecretDialog
from callaro_desktop.views.dialogs.change_password import ChangePasswordDialog
from callaro_desktop.views.dialogs.crash import CrashDialog
from callaro_desktop.views.dialogs.telephony_connection import ConnectionDialog
from tests.reliability.conftest import FaultControl, Guards, SandboxProcess
from tests.views.conftest import ADMIN, wait_for

NEW_PASSWORD = "Correct-horse-" + uuid.uuid4().hex[:12]
WRONG_PASSWORD = "not-my-password-" + uuid.uuid4().hex[:8]
SIP_PASSWORD = "Sip-Trunk-" + uuid.uuid4().hex[:10] + "!"


class RawRecords(logging.Handler):
    """Every record exactly as the code logged it: the redactor is a net, not permission."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except Exception:
            text = f"{record.msg!s} {record.args!r}"
        if record.exc_info and record.exc_info[1] is not None:
            text += logging.Formatter().formatException(record.exc_info)
        self.lines.append(f"{record.name}: {text}")


@pytest.fixture
def raw_records() -> Iterator[RawRecords]:
    root = logging.getLogger()
    level = root.level
    raw = RawRecords()
    root.addHandler(raw)
    setup_logging("DEBUG", to_stderr=False)  # the app's own rotating file, in the test home
    logging.getLogger("httpx").setLevel(logging.DEBUG)
    logging.getLogger("httpcore").setLevel(logging.DEBUG)
    yield raw
    shutdown_logging()
    root.removeHandler(raw)
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(logging.NOTSET)
    logging.getLogger("httpcore").setLevel(logging.NOTSET)


def _visible(window: QWidget, cls: type[Any]) -> Any:
    shown = [w for w in window.findChildren(cls) if w.isVisible()]
    return shown[-1] if shown else None


def _click(widget: QWidget) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


class Secrets:
    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def add(self, what: str, value: str | None) -> None:
        if not value:
            return
        self.values[f"{what} #{len(self.values)}"] = value
        if value.count(".") == 2 and value.startswith("eyJ"):
            # A JWT's signature alone is enough to forge nothing, but it is still the token.
            self.values[f"{what} signature #{len(self.values)}"] = value.rsplit(".", 1)[1]

    def tokens_of(self, controller: AppController) -> None:
        pair = controller.session.client.auth.tokens
        if pair is not None:
            self.add("access token", pair.access_token.get_secret_value())
            self.add("refresh token", pair.refresh_token.get_secret_value())


def _files(roots: list[Path]) -> list[Path]:
    found: list[Path] = []
    for root in roots:
        if root.is_file():
            found.append(root)
        elif root.is_dir():
            found += [p for p in root.rglob("*") if p.is_file()]
    return found


async def test_no_password_token_or_key_reaches_a_file_or_a_log(
    make_app: Any,
    own_sandbox: SandboxProcess,
    guards: Guards,
    raw_records: RawRecords,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    guards.start()
    secrets = Secrets()
    secrets.add("password", ADMIN[1])
    secrets.add("new password", NEW_PASSWORD)
    secrets.add("wrong password", WRONG_PASSWORD)
    secrets.add("SIP password", SIP_PASSWORD)
    faults = FaultControl(own_sandbox)
    controller: AppController = await guards.console(make_app)
    window = controller.window

    # Sign in through the dialog, keeping the sign-in where the vault allows.
    guards.phase("sign in")
    background(controller.show_sign_in(own_sandbox.base_url))
    dialog = await wait_for(lambda: controller.sign_in_dialog, what="sign-in dialog")
    dialog.email.setText(ADMIN[0])
    QTest.keyClicks(dialog.password, ADMIN[1])
    if dialog.keep.isVisible():
        dialog.keep.setChecked(True)
    _click(dialog.sign_in_button)
    await wait_for(lambda: controller.session.tenant is not None, timeout=20, what="signed in")
    secrets.tokens_of(controller)

    # Change the password: first with a wrong current one (refused), then properly.
    guards.phase("change password")
    window.navigate("profile")
    profile = window.pages["profile"]
    await wait_for(lambda: profile.states.state == "ready", what="profile")
    _click(profile.change_password_button)
    change = await wait_for(lambda: _visible(window, ChangePasswordDialog), what="password")
    QTest.keyClicks(change.current, WRONG_PASSWORD)
    QTest.keyClicks(change.new, NEW_PASSWORD)
    QTest.keyClicks(change.confirm, NEW_PASSWORD)
    change.start_submit()
    await wait_for(
        lambda: (
            change.fields["current_password"][1].isVisible() or change.general_error.isVisible()
        ),
        timeout=20,
        what="wrong current password refused",
    )
    change.current.clear()
    QTest.keyClicks(change.current, ADMIN[1])
    change.start_submit()
    await wait_for(lambda: _visible(window, ChangePasswordDialog) is None, timeout=20)
    secrets.tokens_of(controller)

    # Create an API key and copy its secret.
    guards.phase("API key")
    window.navigate("api_keys")
    keys = window.pages["api_keys"]
    await wait_for(lambda: keys.states.state in ("ready", "empty"), what="keys")
    keys.open_primary_action()
    create = await wait_for(lambda: _visible(window, ApiKeyCreateDialog), what="create key")
    QTest.keyClicks(create.name, f"Scan {uuid.uuid4().hex[:6]}")
    _click(create.submit_button)
    shown = await wait_for(lambda: _visible(window, ApiKeySecretDialog), timeout=20)
    _click(shown.reveal_button)
    _click(shown.copy_button)
    api_secret = QGuiApplication.clipboard().text()
    assert api_secret.startswith("sk_")
    secrets.add("API key", api_secret)
    secrets.add("API key without its public prefix", api_secret[len(shown.key.prefix) :])
    _click(shown.done_button)

    # Save a SIP trunk with a password.
    guards.phase("SIP trunk")
    window.navigate("telephony")
    telephony = window.pages["telephony"]
    await wait_for(lambda: telephony.states.state in ("ready", "empty"), what="telephony")
    telephony.open_primary_action()
    trunk = await wait_for(lambda: _visible(window, ConnectionDialog), what="new connection")
    trunk.provider_combo.setCurrentIndex(trunk.provider_combo.findData("sip"))
    QTest.keyClicks(trunk.name_edit, f"Office PBX {uuid.uuid4().hex[:6]}")
    trunk.sip_uri.setText("sips:pbx.example.com:5061")
    trunk.sip_username.setText("office-pbx")
    QTest.keyClicks(trunk.sip_password.edit, SIP_PASSWORD)
    trunk.ip_acl.setPlainText("203.0.113.7/32")
    trunk.start_submit()
    await wait_for(lambda: _visible(window, ConnectionDialog) is None, timeout=20, what="saved")

    # A page that fails to load.
    guards.phase("a failing page")
    await faults.set([{"route": "/api/v1/invoices*", "status": 500}])
    window.navigate("invoices")
    invoices = window.pages["invoices"]
    await wait_for(lambda: invoices.states.state == "error", timeout=20, what="error state")
    await faults.clear()
    secrets.tokens_of(controller)

    # A crash whose exception carries secrets the ways they travel.
    guards.phase("crash report")
    guards.allow("callaro_desktop: unhandled exception")
    tokens = controller.session.client.auth.tokens
    access = tokens.access_token.get_secret_value()
    try:
        raise RuntimeError(
            f"request failed: headers={{'Authorization': 'Bearer {access}'}} "
            f'body={{"current_password": "{ADMIN[1]}", "new_password": "{NEW_PASSWORD}"}} '
            f"key={api_secret} sip password={SIP_PASSWORD} tokens={tokens!r}"
        )
    except RuntimeError:
        controller.excepthook(*sys.exc_info())
    crash = await wait_for(lambda: _visible(window, CrashDialog), what="crash dialog")
    report = crash.report.toPlainText()
    crash.reject()

    # Quit: settings and window state are written.
    guards.phase("quit")
    await controller.shutdown()
    window.close()
    for handler in logging.getLogger().handlers:
        handler.flush()

    home = paths.portable_home()
    assert home is not None
    files = _files([home, Path(QSettings().fileName())])
    log_files = [f for f in files if f.suffix == ".log" or ".log." in f.name]
    assert log_files, "the DEBUG file log was not written"
    assert any("signed in to" in f.read_text(errors="replace") for f in log_files)

    hits: list[str] = []
    for path in files:
        data = path.read_bytes()
        hits += [f"{what} in {path}" for what, v in secrets.values.items() if v.encode() in data]
    for line in raw_records.lines:
        hits += [
            f"{what} in the log record {line[:120]!r}"
            for what, v in secrets.values.items()
            if v in line
        ]
    hits += [f"{what} in the crash report" for what, v in secrets.values.items() if v in report]
    assert not hits, "\n".join(hits)
    assert len(raw_records.lines) > 20, "hardly anything was logged: was DEBUG on?"
    print(f"{len(secrets.values)} secrets, {len(files)} files, {len(raw_records.lines)} records")
    guards.check()
