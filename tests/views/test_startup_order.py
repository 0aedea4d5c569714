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

from callaro_desktop.app import AppController
from callaro_desktop.secrets import KeychainStatus, PlaintextFileStore, probe_keychain
from callaro_desktop.settings import Settings

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
