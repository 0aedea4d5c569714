"""secrets: refresh tokens in the real Secret Service, and every way a keychain can let us down.

The ``keychain``-marked tests talk to a private gnome-keyring (see keychain_fixture.py); the
rest use small keyring backends defined here to play Windows, a refusing keychain, a hanging
one, or none at all.
"""

from __future__ import annotations

import asyncio
import logging
import os
import stat
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import keyring
import keyring.core
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null
from keyring.compat import properties
from keyring.errors import PasswordDeleteError, PasswordSetError

from callaro_desktop import paths
from callaro_desktop import secrets as secrets_module
from callaro_desktop import settings as settings_module
from callaro_desktop.secrets import (
    NO_KEYCHAIN_REASON,
    SECRET_SERVICE_NAME,
    WINDOWS_CREDENTIAL_LIMIT_BYTES,
    WINDOWS_NAME,
    KeychainStatus,
    KeychainTimeout,
    KeyringStore,
    MemoryStore,
    PlaintextFileStore,
    TokenStore,
    TokenStoreError,
    describe_backend,
    probe_keychain,
    probe_keychain_async,
    service_name,
    start_keychain_probe,
)
from callaro_desktop.settings import SavedAccount, Settings

SERVER = "https://api.callaro.ai"
SMALL_TOKEN = "rt_" + "a1b2c3d4" * 8  # 67 characters, like an opaque refresh token
BIG_TOKEN = "eyJhbGciOiJIUzI1NiJ9." + "x" * 3000 + ".sig"  # ~3 KB, e.g. a fat JWT


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(paths.HOME_ENV, str(tmp_path / "home"))
    return tmp_path / "home"


def _email() -> str:
    # The private keychain lives for the whole session: every test signs in as someone new.
    return f"Admin.{uuid.uuid4().hex[:8]}@Acme.in"


# --- test doubles -------------------------------------------------------------------------------


class _TestKeyring(KeyringBackend):
    """Base of the doubles. keyring registers every backend subclass for its own detection, so
    a double is not viable unless a test switches it on: nothing else can stumble on one."""

    switched_on: ClassVar[bool] = False

    @properties.classproperty
    def priority(cls) -> float:
        if not cls.switched_on:
            raise RuntimeError("test double, switched off")
        return 1.0


class DictKeyring(_TestKeyring):
    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}
        self.set_calls = 0

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.set_calls += 1
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.items.pop((service, username), None) is None:
            raise PasswordDeleteError("not found")


class FakeWinVaultKeyring(DictKeyring):
    """Behaves like keyring's WinVault: the blob is UTF-16 and capped at 2,560 bytes."""

    def set_password(self, service: str, username: str, password: str) -> None:
        self.set_calls += 1
        if len(password.encode("utf-16-le")) > 2560:
            raise PasswordSetError("(1783, 'CredWrite', 'The stub received bad data.')")
        self.items[(service, username)] = password


class RefusingKeyring(DictKeyring):
    """A keychain that is there but says no (locked, denied, quota...)."""

    def set_password(self, service: str, username: str, password: str) -> None:
        self.set_calls += 1
        raise PasswordSetError(f"Prompt dismissed while storing {password}")


_hang_release = threading.Event()


class HangingKeyring(DictKeyring):
    """Every call, detection included, blocks for 10 s, like a keychain waiting on a dead
    daemon or an unanswered unlock prompt."""

    @properties.classproperty
    def priority(cls) -> float:
        if not cls.switched_on:
            raise RuntimeError("test double, switched off")
        _hang_release.wait(10)
        return 1.0

    def get_password(self, service: str, username: str) -> str | None:
        _hang_release.wait(10)
        return super().get_password(service, username)

    def set_password(self, service: str, username: str, password: str) -> None:
        _hang_release.wait(10)
        super().set_password(service, username, password)


@pytest.fixture
def doubles(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for cls in (DictKeyring, FakeWinVaultKeyring, RefusingKeyring, HangingKeyring):
        monkeypatch.setattr(cls, "switched_on", True)
    _hang_release.clear()
    yield
    _hang_release.set()  # let the stuck worker threads finish


def _store(backend: KeyringBackend, settings: Settings | None = None) -> TokenStore:
    status = probe_keychain(backend=backend)
    assert status.available, status
    return TokenStore.for_status(status, settings or Settings())


# --- the real Secret Service --------------------------------------------------------------------


@pytest.mark.keychain
def test_fixture_is_private(secret_service: Any) -> None:
    assert os.environ["DBUS_SESSION_BUS_ADDRESS"] == secret_service.bus_address
    assert "/callaro-kc-" in secret_service.bus_address  # our bus, not the developer's
    assert keyring.get_keyring() is secret_service.backend


@pytest.mark.keychain
def test_probe_finds_the_secret_service(secret_service: Any) -> None:
    status = probe_keychain()
    assert status == KeychainStatus(
        available=True,
        backend_name=SECRET_SERVICE_NAME,
        reason=f"Sign-ins are saved in {SECRET_SERVICE_NAME}.",
    )
    assert status.backend is secret_service.backend


@pytest.mark.keychain
def test_round_trip_overwrite_delete(secret_service: Any) -> None:
    email = _email()
    settings = Settings()
    store = TokenStore.for_status(probe_keychain(), settings)
    assert isinstance(store.backend, KeyringStore)

    result = store.save("API.callaro.ai/", email, SMALL_TOKEN)
    assert result.persisted
    assert result.message == f"Sign-ins are saved in {SECRET_SERVICE_NAME}."
    # Stored where the contract says: service per normalized server, username = lowercased email.
    raw = secret_service.backend.get_password(
        "CallaroDesktop:https://api.callaro.ai", email.lower()
    )
    assert raw == SMALL_TOKEN
    assert store.get(SERVER, email) == SMALL_TOKEN
    assert settings.saved_accounts == [SavedAccount(server=SERVER, email=email)]
    # The index reached the settings file, so the next launch can still find the entry.
    assert settings_module.load().saved_accounts == settings.saved_accounts

    # A new app instance (fresh store, settings from disk) finds the same sign-in.
    again = TokenStore.for_status(probe_keychain(), settings_module.load())
    assert again.get(SERVER, email.upper()) == SMALL_TOKEN

    assert store.save(SERVER, email, "rt_rotated_" + "z" * 40).persisted
    assert store.get(SERVER, email) == "rt_rotated_" + "z" * 40
    assert len(settings.saved_accounts) == 1

    store.delete(SERVER, email)
    assert store.get(SERVER, email) is None
    assert secret_service.backend.get_password(service_name(SERVER), email.lower()) is None
    assert settings.saved_accounts == []
    store.delete(SERVER, email)  # deleting what is gone is not an error


@pytest.mark.keychain
def test_forget_all(secret_service: Any) -> None:
    settings = Settings()
    store = TokenStore.for_status(probe_keychain(), settings)
    accounts = [(SERVER, _email()), ("http://localhost:8765", _email()), (SERVER, _email())]
    for server, email in accounts:
        assert store.save(server, email, SMALL_TOKEN + email).persisted
    assert len(settings.saved_accounts) == 3

    assert store.forget_all() == 3

    assert settings.saved_accounts == []
    assert settings_module.load().saved_accounts == []
    for server, email in accounts:
        assert secret_service.backend.get_password(service_name(server), email.lower()) is None
        assert store.get(server, email) is None


@pytest.mark.keychain
def test_three_kilobyte_token_fits_the_secret_service(secret_service: Any) -> None:
    email = _email()
    store = TokenStore.for_status(probe_keychain(), Settings())
    result = store.save(SERVER, email, BIG_TOKEN)
    assert result.persisted, result.message
    assert secret_service.backend.get_password(service_name(SERVER), email.lower()) == BIG_TOKEN
    store.delete(SERVER, email)


@pytest.mark.keychain
def test_async_api_against_the_secret_service(secret_service: Any) -> None:
    email = _email()

    async def scenario() -> tuple[bool, str | None, str | None, int]:
        status = await probe_keychain_async()
        store = TokenStore.for_status(status, Settings())
        saved = await store.save_async(SERVER, email, SMALL_TOKEN, timeout_s=10)
        got = await store.get_async(SERVER, email, timeout_s=10)
        await store.delete_async(SERVER, email, timeout_s=10)
        gone = await store.get_async(SERVER, email, timeout_s=10)
        await store.save_async(SERVER, email, SMALL_TOKEN, timeout_s=10)
        forgotten = await store.forget_all_async(timeout_s=10)
        return saved.persisted, got, gone, forgotten

    assert asyncio.run(scenario()) == (True, SMALL_TOKEN, None, 1)
    assert secret_service.backend.get_password(service_name(SERVER), email.lower()) is None


# --- Windows' size limit and refusing keychains -------------------------------------------------


@pytest.mark.usefixtures("doubles")
def test_windows_backend_is_recognised() -> None:
    status = probe_keychain(backend=FakeWinVaultKeyring())
    assert status.available
    assert status.backend_name == WINDOWS_NAME == "Windows Credential Manager"
    assert KeyringStore(FakeWinVaultKeyring()).max_token_bytes == WINDOWS_CREDENTIAL_LIMIT_BYTES


@pytest.mark.usefixtures("doubles")
def test_oversized_token_on_windows_stays_in_memory_with_a_sentence() -> None:
    backend = FakeWinVaultKeyring()
    settings = Settings()
    store = _store(backend, settings)

    result = store.save(SERVER, "a@acme.in", BIG_TOKEN)

    assert not result.persisted
    assert result.message == (
        "This sign-in is too large for Windows Credential Manager, so it is kept in memory "
        "for this session only. You will need to sign in again after you quit."
    )
    assert backend.set_calls == 0  # refused before the call, by size
    assert store.get(SERVER, "a@acme.in") == BIG_TOKEN  # the session still works
    assert settings.saved_accounts == []
    # Next launch: nothing saved, so the user signs in again; no stale entry pretends otherwise.
    assert _store(backend).get(SERVER, "a@acme.in") is None


@pytest.mark.usefixtures("doubles")
def test_windows_limit_is_counted_in_utf16_bytes() -> None:
    backend = FakeWinVaultKeyring()
    store = _store(backend)
    assert store.save(SERVER, "a@acme.in", "t" * 1280).persisted  # 2,560 bytes: fits
    assert not store.save(SERVER, "b@acme.in", "t" * 1281).persisted
    assert backend.set_calls == 1


@pytest.mark.usefixtures("doubles")
def test_set_password_error_falls_back_to_memory(caplog: pytest.LogCaptureFixture) -> None:
    backend = FakeWinVaultKeyring()
    store = KeyringStore(backend, name="Some Keychain")  # no size check: the call itself fails
    store.max_token_bytes = None
    token_store = TokenStore(store, Settings())
    with caplog.at_level(logging.DEBUG):
        result = token_store.save(SERVER, "a@acme.in", BIG_TOKEN)
    assert not result.persisted
    assert "Some Keychain could not save this sign-in" in result.message
    assert "memory for this session only" in result.message
    assert backend.set_calls == 1
    assert token_store.get(SERVER, "a@acme.in") == BIG_TOKEN
    assert BIG_TOKEN not in caplog.text


@pytest.mark.usefixtures("doubles")
def test_refusing_keychain_falls_back_and_removes_the_stale_token(
    caplog: pytest.LogCaptureFixture,
) -> None:
    backend = RefusingKeyring()
    backend.items[(service_name(SERVER), "a@acme.in")] = "rt_spent_by_rotation_0001"
    settings = Settings()
    settings.add_saved_account(SERVER, "a@acme.in")
    store = _store(backend, settings)

    with caplog.at_level(logging.DEBUG):
        result = store.save(SERVER, "A@acme.in", SMALL_TOKEN)

    assert not result.persisted and "kept in memory" in result.message
    assert store.get(SERVER, "a@acme.in") == SMALL_TOKEN
    assert backend.items == {}  # the old, now spent, token is not left for the next launch
    assert settings.saved_accounts == []
    # The backend's own error text echoed the token; it must not have been logged.
    assert SMALL_TOKEN not in caplog.text


@pytest.mark.usefixtures("doubles")
def test_keep_signed_in_off_keeps_the_token_in_memory() -> None:
    backend = DictKeyring()
    settings = Settings()
    store = _store(backend, settings)
    assert store.save(SERVER, "a@acme.in", SMALL_TOKEN).persisted

    settings.keep_signed_in = False
    result = store.save(SERVER, "a@acme.in", SMALL_TOKEN + "2")

    assert not result.persisted
    assert "not to stay signed in" in result.message
    assert store.get(SERVER, "a@acme.in") == SMALL_TOKEN + "2"
    assert backend.items == {}
    assert settings.saved_accounts == []


@pytest.mark.usefixtures("doubles")
def test_read_errors_become_a_sentence() -> None:
    class Broken(DictKeyring):
        def get_password(self, service: str, username: str) -> str | None:
            raise RuntimeError("D-Bus went away")

    store = _store(Broken())
    with pytest.raises(TokenStoreError, match="could not be read"):
        store.get(SERVER, "a@acme.in")


# --- no keychain --------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", [fail.Keyring(), null.Keyring()], ids=["fail", "null"])
def test_fail_and_null_backends_mean_no_keychain(backend: KeyringBackend) -> None:
    status = probe_keychain(backend=backend)
    assert status == KeychainStatus(False, "No keychain", NO_KEYCHAIN_REASON)
    assert NO_KEYCHAIN_REASON == (
        "No keychain was found, so sign-ins are kept in memory for this session only."
    )


def test_chainer_with_nothing_to_chain_means_no_keychain(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [])
    assert not probe_keychain(backend=chainer.ChainerBackend()).available


@pytest.mark.usefixtures("doubles")
def test_chainer_uses_the_first_real_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    inner = FakeWinVaultKeyring()
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [null.Keyring(), inner])
    status = probe_keychain(backend=chainer.ChainerBackend())
    assert status.available and status.backend is inner
    assert status.backend_name == WINDOWS_NAME  # so the size limit applies through a chainer


def test_keyrings_own_detection_honours_the_no_keychain_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # conftest sets PYTHON_KEYRING_BACKEND to the fail backend for the whole test run.
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    assert not probe_keychain().available


@pytest.fixture
def nothing_chosen(monkeypatch: pytest.MonkeyPatch) -> None:
    """No backend set, named in the environment or in keyringrc.cfg: a user's usual state."""
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND")
    monkeypatch.setattr(keyring.core, "load_config", lambda: None)


@pytest.mark.usefixtures("doubles", "nothing_chosen")
def test_with_nothing_chosen_only_the_os_keychains_are_considered() -> None:
    # A keyring plug-in (keyrings.alt and the like) registers backends that keyring's own
    # detection would pick when no keychain answers: a plaintext file the user never chose.
    class PluginKeyring(DictKeyring):
        priority = 100.0  # type: ignore[assignment]

    assert PluginKeyring in KeyringBackend._classes  # keyring's own detection would weigh it
    candidates = secrets_module._keyring_choice()
    assert isinstance(candidates, list) and candidates
    modules = {type(c).__module__ for c in candidates}
    assert modules <= {
        "keyring.backends.SecretService",
        "keyring.backends.libsecret",
        "keyring.backends.kwallet",
        "keyring.backends.macOS",
        "keyring.backends.Windows",
    }, modules
    assert not any(isinstance(c, PluginKeyring) for c in candidates)
    # The probe answers from those alone: whatever it finds, never the plug-in.
    assert not isinstance(probe_keychain().backend, PluginKeyring)


@pytest.mark.usefixtures("doubles", "nothing_chosen")
def test_the_os_keychain_that_ranks_itself_highest_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    # As keyring ranks them: KWallet says 5.1 on KDE and the Secret Service 5, say.
    class Second(DictKeyring):
        priority = 3.0  # type: ignore[assignment]

    low, high = DictKeyring(), Second()
    monkeypatch.setattr(secrets_module, "_os_keychains", lambda: [low, high])
    assert probe_keychain().backend is high


@pytest.mark.usefixtures("doubles")
def test_a_backend_the_user_names_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", f"{__name__}.DictKeyring")
    status = probe_keychain()
    assert status.available and isinstance(status.backend, DictKeyring)


def test_importing_secrets_leaves_keyring_to_the_probe() -> None:
    # Importing the module alone (its file of sign-ins, its names) does not import keyring.
    probe = (
        "import sys\n"
        "import callaro_desktop.secrets\n"
        "print(sorted(m for m in sys.modules if m == 'keyring' or m.startswith('keyring.')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "[]", out.stdout


def test_the_probe_thread_only_waits_on_the_keychain() -> None:
    # keyring's imports are done before the probe's thread starts. Done on that thread, they
    # ran beside the GUI thread building the window, and the two passing the GIL back and
    # forth cost the start 67-78 ms (benchmarks/ab_startup.py): more than the imports.
    probe = (
        "import sys, threading\n"
        "from importlib.abc import MetaPathFinder\n"
        "imported = []\n"
        "class Seen(MetaPathFinder):\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        imported.append((threading.current_thread().name, name))\n"
        "sys.meta_path.insert(0, Seen())\n"
        "from callaro_desktop import secrets\n"
        "detected_on = []\n"
        "detect = secrets._detect\n"
        "def watched(backend):\n"
        "    detected_on.append(threading.current_thread().name)\n"
        "    return detect(backend)\n"
        "secrets._detect = watched\n"
        "status = secrets.start_keychain_probe().result(timeout=30)\n"
        "assert detected_on == ['keychain-probe'], detected_on  # the thread looked at\n"
        "on_probe = sorted({n for t, n in imported if t == 'keychain-probe'})\n"
        "on_caller = sorted({n for t, n in imported if t != 'keychain-probe'})\n"
        "print(on_probe)\n"
        "print('keyring.backend' in on_caller, status.backend_name)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHON_KEYRING_BACKEND"}
    out = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env=env,
    )
    on_probe, on_caller = out.stdout.strip().splitlines()
    assert on_probe == "[]", f"imported on the probe's thread: {on_probe}"
    assert on_caller.startswith("True"), out.stdout  # (the finder saw keyring imported)


def test_backend_raising_on_detection_means_no_keychain() -> None:
    # Switched off, a double's priority raises, as SecretService's does with no daemon.
    status = probe_keychain(backend=DictKeyring())
    assert not status.available
    assert status.reason == NO_KEYCHAIN_REASON


def test_without_keychain_tokens_live_in_memory_for_the_session(
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = Settings()
    store = TokenStore.for_status(probe_keychain(backend=fail.Keyring()), settings)
    assert isinstance(store.backend, MemoryStore)
    assert not store.persistent
    assert store.description == NO_KEYCHAIN_REASON

    with caplog.at_level(logging.DEBUG):
        result = store.save(SERVER, "a@acme.in", SMALL_TOKEN)
        got = store.get(SERVER, "a@acme.in")

    assert (result.persisted, result.message) == (False, NO_KEYCHAIN_REASON)
    assert got == SMALL_TOKEN
    assert settings.saved_accounts == []  # nothing outlives the session, so nothing to index
    assert not paths.plaintext_token_file().exists()
    assert SMALL_TOKEN not in caplog.text
    store.delete(SERVER, "a@acme.in")
    assert store.get(SERVER, "a@acme.in") is None


def test_without_keychain_the_index_of_saved_sign_ins_is_left_alone() -> None:
    # Saved while a keychain was there; this session has none (locked out, daemon gone).
    settings = Settings()
    settings.add_saved_account(SERVER, "a@acme.in")
    store = TokenStore.for_status(probe_keychain(backend=null.Keyring()), settings)

    store.save(SERVER, "a@acme.in", SMALL_TOKEN)
    store.delete(SERVER, "a@acme.in")
    assert store.forget_all() == 0  # nothing it could honestly claim to have removed

    assert settings.saved_accounts == [SavedAccount(server=SERVER, email="a@acme.in")]


# --- the opt-in plaintext file ------------------------------------------------------------------


def test_plaintext_file_only_when_opted_in(caplog: pytest.LogCaptureFixture) -> None:
    status = probe_keychain(backend=fail.Keyring())
    settings = Settings(allow_plaintext_token_file=True)
    with caplog.at_level(logging.WARNING):
        store = TokenStore.for_status(status, settings)
    assert isinstance(store.backend, PlaintextFileStore)
    assert "UNENCRYPTED" in store.description and "UNENCRYPTED" in caplog.text

    result = store.save(SERVER, "a@acme.in", SMALL_TOKEN)
    path = paths.plaintext_token_file()
    assert result.persisted and "UNENCRYPTED" in result.message
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no temp left over
    # A later launch reads it back.
    assert TokenStore.for_status(status, settings_module.load()).get(SERVER, "a@acme.in") == (
        SMALL_TOKEN
    )

    store.save("http://localhost:8765", "b@acme.in", SMALL_TOKEN)
    assert store.forget_all() == 2
    assert not path.exists()


def test_keychain_wins_over_the_plaintext_opt_in(doubles: None) -> None:
    store = _store(DictKeyring(), Settings(allow_plaintext_token_file=True))
    assert isinstance(store.backend, KeyringStore)


# --- hanging keychains --------------------------------------------------------------------------


@pytest.mark.usefixtures("doubles")
def test_blocking_probe_gives_up_within_the_timeout() -> None:
    started = time.monotonic()
    status = probe_keychain(timeout_s=0.5, backend=HangingKeyring())
    elapsed = time.monotonic() - started

    assert elapsed < 2.0  # not the 10 s the keychain would take
    assert not status.available
    assert status.reason == (
        "The keychain did not answer within 0.5 seconds, so sign-ins are kept in memory for "
        "this session only."
    )


@pytest.mark.usefixtures("doubles")
def test_blocking_probe_does_not_block_the_event_loop() -> None:
    async def scenario() -> tuple[KeychainStatus, int, float]:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.02)
                ticks += 1

        task = asyncio.create_task(ticker())
        started = time.monotonic()
        status = await probe_keychain_async(timeout_s=0.5, backend=HangingKeyring())
        elapsed = time.monotonic() - started
        task.cancel()
        return status, ticks, elapsed

    status, ticks, elapsed = asyncio.run(scenario())
    assert not status.available
    assert elapsed < 2.0
    assert ticks >= 10  # the loop kept turning while the keychain hung


@pytest.mark.usefixtures("doubles")
def test_a_probe_started_early_is_awaited_with_the_same_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The app starts detection before Qt is up (start_keychain_probe) and awaits it later.
    monkeypatch.setattr(keyring.core, "_keyring_backend", HangingKeyring())
    early = start_keychain_probe()
    # A probe started now would find this one at once: the answer must be the early one's.
    monkeypatch.setattr(keyring.core, "_keyring_backend", DictKeyring())

    async def scenario() -> tuple[KeychainStatus, float]:
        started = time.monotonic()
        status = await probe_keychain_async(timeout_s=0.5, started=early)
        return status, time.monotonic() - started

    status, elapsed = asyncio.run(scenario())
    assert elapsed < 2.0
    assert not status.available
    assert "did not answer within 0.5 seconds" in status.reason


@pytest.mark.usefixtures("doubles")
def test_a_probe_started_early_finds_a_working_keychain(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(keyring.core, "_keyring_backend", DictKeyring())
    early = start_keychain_probe()
    early.result(timeout=10)
    # Gone by the time the window asks: the answer is still the one begun early.
    monkeypatch.setattr(keyring.core, "_keyring_backend", fail.Keyring())
    status = asyncio.run(probe_keychain_async(started=early))
    assert status.available
    assert status == probe_keychain(backend=DictKeyring())


@pytest.mark.usefixtures("doubles")
def test_hanging_get_and_set_time_out_without_blocking() -> None:
    backend = HangingKeyring()
    settings = Settings()
    store = TokenStore(KeyringStore(backend), settings, timeout_s=0.3)

    async def scenario() -> None:
        started = time.monotonic()
        with pytest.raises(KeychainTimeout, match=r"did not answer within 0\.3 seconds"):
            await store.get_async(SERVER, "a@acme.in")
        result = await store.save_async(SERVER, "a@acme.in", SMALL_TOKEN)
        assert time.monotonic() - started < 3.0
        assert not result.persisted
        assert "memory for this session only" in result.message
        # The stuck write may still land, so the pair stays findable by "forget".
        assert settings.saved_accounts == [SavedAccount(server=SERVER, email="a@acme.in")]

    asyncio.run(scenario())
    _hang_release.set()
    # Kept for the session even though the keychain never answered in time.
    assert store.get(SERVER, "a@acme.in") == SMALL_TOKEN


# --- naming -------------------------------------------------------------------------------------


def test_service_name_is_one_per_normalized_server() -> None:
    assert service_name("API.callaro.ai/") == "CallaroDesktop:https://api.callaro.ai"
    assert service_name("http://localhost:8765/") == "CallaroDesktop:http://localhost:8765"


def test_backend_names_are_human() -> None:
    from keyring.backends import SecretService, Windows, kwallet, macOS

    assert describe_backend(SecretService.Keyring()) == SECRET_SERVICE_NAME
    assert describe_backend(macOS.Keyring()) == "macOS Keychain"
    assert describe_backend(Windows.WinVaultKeyring()) == "Windows Credential Manager"
    assert describe_backend(kwallet.DBusKeyring()) == "KWallet"
    assert describe_backend(fail.Keyring()) == "No keychain"
