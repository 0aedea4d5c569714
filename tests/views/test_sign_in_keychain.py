"""Sign-ins kept in a real keychain: silent sign-in, sign-out forgets, demo keeps nothing."""

from __future__ import annotations

from typing import Any

import pytest

from callaro_desktop.secrets import TokenStore, probe_keychain
from callaro_desktop.services.tasks import background
from callaro_desktop.settings import Settings

from .conftest import ADMIN, wait_for

pytestmark = pytest.mark.keychain


def _keychain_store(secret_service: Any, settings: Settings) -> TokenStore:
    status = probe_keychain(backend=secret_service.backend)
    assert status.available, status.reason
    return TokenStore.for_status(status, settings, persist_settings=lambda _s: None)


async def test_keep_me_signed_in_then_silent_sign_in_then_sign_out_forgets(
    make_app, sandbox, secret_service
) -> None:
    settings = Settings()
    first = await make_app(vault=_keychain_store(secret_service, settings), settings=settings)
    await first.session.sign_in(sandbox.base_url, ADMIN[0], ADMIN[1], keep=True)
    vault = first.session.vault
    saved = await wait_for(
        lambda: settings.saved_accounts, what="account indexed as saved in the keychain"
    )
    server, email = saved[0].server, saved[0].email
    stored = await vault.get_async(server, email)
    assert stored and stored == first.session.client.auth.tokens.refresh_token.get_secret_value()

    # A second start of the console: no password, the keychain token signs in.
    second = await make_app(vault=_keychain_store(secret_service, settings), settings=settings)
    await second.sign_in_flow()
    assert second.sign_in_dialog is None
    assert second.session.me is not None and second.session.me.email == ADMIN[0]
    assert second.session.tenant is not None
    # Refresh tokens rotate: the keychain now holds the new one, not the spent one.
    rotated = await wait_for(lambda: second.session.client.auth.tokens, what="tokens")
    latest = await vault.get_async(server, email)
    assert latest == rotated.refresh_token.get_secret_value() and latest != stored

    # Sign out ends with the sign-in dialog, which waits for the user: run it aside.
    background(second.sign_out())
    dialog = await wait_for(lambda: second.sign_in_dialog, what="sign-in dialog after sign out")
    assert await second.session.vault.get_async(server, email) is None
    assert settings.saved_accounts == []
    assert dialog.email.text() == ADMIN[0]  # remembered, the password is not


async def test_a_dead_keychain_token_falls_back_to_the_sign_in_dialog(
    make_app, sandbox, secret_service
) -> None:
    settings = Settings()
    vault = _keychain_store(secret_service, settings)
    first = await make_app(vault=vault, settings=settings)
    await first.session.sign_in(sandbox.base_url, ADMIN[0], ADMIN[1], keep=True)
    await wait_for(lambda: settings.saved_accounts, what="saved")
    # Revoked elsewhere (sign out on another machine): the stored token is dead.
    await first.session.client.auth.logout()

    second = await make_app(vault=_keychain_store(secret_service, settings), settings=settings)
    background(second.sign_in_flow())
    dialog = await wait_for(lambda: second.sign_in_dialog, what="sign-in dialog")
    assert dialog.isVisible()
    assert second.session.client is None
    account = settings.saved_accounts[0] if settings.saved_accounts else None
    if account is not None:
        assert await second.session.vault.get_async(account.server, account.email) is None


async def test_a_server_error_at_silent_sign_in_is_said_once_with_its_request_id(
    make_app, sandbox, secret_service, faults
) -> None:
    settings = Settings()
    first = await make_app(vault=_keychain_store(secret_service, settings), settings=settings)
    await first.session.sign_in(sandbox.base_url, ADMIN[0], ADMIN[1], keep=True)
    await wait_for(lambda: settings.saved_accounts, what="saved")

    faults([{"route": "/api/v1/auth/refresh", "status": 500}])
    second = await make_app(vault=_keychain_store(secret_service, settings), settings=settings)
    posted: list[Any] = []
    second.session.messages.posted.connect(posted.append)
    background(second.sign_in_flow())
    await wait_for(lambda: second.sign_in_dialog, what="sign-in dialog")
    warning = next(m for m in posted if "Could not sign in automatically" in m.text)
    assert warning.request_id and "request id" not in warning.text
    bar = second.window.message_bar.text.text()
    assert bar.count(warning.request_id) == 1 and bar.endswith(")."), bar
