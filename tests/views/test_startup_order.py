"""Start-up does not wait for the keychain to build and show the window.

The keychain probe starts on its own thread before Qt (importing keyring and asking D-Bus
take tens of ms); the window needs no keychain, only signing in does. So the window is built
and shown while the probe is still out, and sign-ins use the keychain the probe found.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from typing import Any

import pytest
from keyring.backends import fail
from PySide6.QtWidgets import QLabel

from callaro_desktop.app import AppController
from callaro_desktop.secrets import KeychainStatus, PlaintextFileStore, probe_keychain
from callaro_desktop.settings import SavedAccount, Settings

from .conftest import _OPEN_APPS, ADMIN, sign_in, wait_for


async def test_the_window_is_shown_before_the_keychain_answers(qapp: Any, sandbox: Any) -> None:
    settings = Settings(allow_plaintext_token_file=True)
    probe: concurrent.futures.Future[KeychainStatus] = concurrent.futures.Future()
    controller = AppController(qapp, settings, server=None, demo=False, keychain_probe=probe)
    setup = asyncio.ensure_future(controller.setup(show=True))
    try:
        await wait_for(
            lambda: controller.window is not None and controller.window.isVisible(),
            what="the window shown",
        )
        _OPEN_APPS.append(controller)
        await asyncio.sleep(0.05)
        assert not setup.done()  # still waiting for the keychain's answer
        assert controller.manager.accounts == []

        # No keychain here, and the user allowed the plaintext file: that is where sign-ins go.
        probe.set_result(probe_keychain(backend=fail.Keyring()))
        await asyncio.wait_for(setup, 10)
        assert isinstance(controller.manager.vault.backend, PlaintextFileStore)
        assert controller.session.vault is controller.manager.vault

        # Once an account exists it keeps the vault it began with: no swapping after that.
        await sign_in(controller, sandbox, ADMIN)
        with pytest.raises(RuntimeError):
            controller.manager.use_vault(controller.manager.vault)
    finally:
        if not setup.done():
            setup.cancel()


def _texts(widget: Any) -> list[str]:
    return [label.text() for label in widget.findChildren(QLabel) if label.isVisibleTo(widget)]


async def test_a_returning_user_sees_signing_in_rather_than_signed_out(
    qapp: Any, sandbox: Any
) -> None:
    settings = Settings(
        server_url=sandbox.base_url,
        saved_accounts=[SavedAccount(server=sandbox.base_url, email=ADMIN[0])],
    )
    probe: concurrent.futures.Future[KeychainStatus] = concurrent.futures.Future()
    controller = AppController(qapp, settings, server=None, demo=False, keychain_probe=probe)
    setup = asyncio.ensure_future(controller.setup(show=True))
    await wait_for(
        lambda: controller.window is not None and controller.window.isVisible(),
        what="the window shown",
    )
    _OPEN_APPS.append(controller)
    panel = controller.window.signed_out_panel
    assert panel.state == "loading"
    assert any(f"Signing in as {ADMIN[0]}" in t for t in _texts(panel)), _texts(panel)
    # Nothing is connected yet: the status bar does not claim otherwise.
    assert controller.window.connection_label.text() == ""

    # No keychain, so no saved token after all: the window says so and asks.
    probe.set_result(probe_keychain(backend=fail.Keyring()))
    await asyncio.wait_for(setup, 10)
    flow = asyncio.ensure_future(controller.sign_in_flow())
    try:
        await wait_for(lambda: controller.sign_in_dialog is not None, what="the sign-in dialog")
        assert panel.state == "empty"
        assert "You are signed out" in _texts(panel)
        assert controller.window.connection_label.text() == ""
    finally:
        if controller.sign_in_dialog is not None:
            controller.sign_in_dialog.reject()
        await asyncio.wait_for(flow, 10)
