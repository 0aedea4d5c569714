"""Where sign-in tokens live.

Only the REFRESH token is kept, one per (server, account): the access token lives minutes and is
cheaper to mint than to protect. The OS keychain (through keyring) is the home; when there is
none, tokens stay in memory for the session, and a plaintext file is used only if the user has
explicitly opted in (``Settings.allow_plaintext_token_file``).

Keychains misbehave in ways the GUI must survive: a locked or absent one can block for tens of
seconds or raise anything. So detection (``probe_keychain``) and every read/write can run on a
worker thread with a timeout (the ``*_async`` methods), and every failure turns into a sentence
the user can read rather than an exception the UI has to decode.

Token values are never logged; log lines say whether a token exists and how long it is.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import inspect
import json
import logging
import os
import sys
import tempfile
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from callaro_desktop import paths
from callaro_desktop import settings as settings_module
from callaro_desktop.logs import remember_secret
from callaro_desktop.settings import SavedAccount, Settings, normalize_email, normalize_server_url

if TYPE_CHECKING:
    from types import ModuleType

    from keyring.backend import KeyringBackend

# keyring is imported where it is used, not here: a program importing this module for its
# file of sign-ins or its names need not pay for it. The app imports it as it starts
# (start_keychain_probe), before Qt; the detection, which waits on the keychain, runs on a
# thread of its own.

__all__ = [
    "DEFAULT_OPERATION_TIMEOUT_S",
    "DEFAULT_PROBE_TIMEOUT_S",
    "SERVICE_PREFIX",
    "WINDOWS_CREDENTIAL_LIMIT_BYTES",
    "KeychainStatus",
    "KeychainTimeout",
    "KeyringStore",
    "MemoryStore",
    "PlaintextFileStore",
    "SaveResult",
    "TokenBackend",
    "TokenNotSaved",
    "TokenStore",
    "TokenStoreError",
    "describe_backend",
    "probe_keychain",
    "probe_keychain_async",
    "service_name",
]

log = logging.getLogger(__name__)

SERVICE_PREFIX = "CallaroDesktop:"
DEFAULT_PROBE_TIMEOUT_S = 3.0
# Long enough for a person to answer an "unlock keychain" prompt, short enough that a dead
# keychain does not leave the sign-in screen spinning for ever.
DEFAULT_OPERATION_TIMEOUT_S = 20.0
# CRED_MAX_CREDENTIAL_BLOB_SIZE. keyring's WinVault backend writes the blob as UTF-16, so the
# budget is counted in UTF-16 bytes: about 1,280 ASCII characters.
WINDOWS_CREDENTIAL_LIMIT_BYTES = 2560

SECRET_SERVICE_NAME = "Secret Service (GNOME Keyring or compatible)"
KWALLET_NAME = "KWallet"
MACOS_NAME = "macOS Keychain"
WINDOWS_NAME = "Windows Credential Manager"
NO_KEYCHAIN_NAME = "No keychain"

_MEMORY_ONLY = "sign-ins are kept in memory for this session only"
NO_KEYCHAIN_REASON = f"No keychain was found, so {_MEMORY_ONLY}."

_T = TypeVar("_T")


class TokenStoreError(Exception):
    """A token could not be read, written or deleted. ``str(exc)`` is fit to show the user."""


class TokenNotSaved(TokenStoreError):
    """The backend refused the token (too large, locked, denied...)."""


class KeychainTimeout(TokenStoreError):
    """The keychain did not answer within the timeout."""


def service_name(server: str) -> str:
    """The keychain service for a server: one entry per (server, account)."""
    return f"{SERVICE_PREFIX}{normalize_server_url(server)}"


def describe_backend(backend: KeyringBackend) -> str:
    """A name a user recognises, rather than keyring's module path."""
    from keyring.backends import fail, null

    if isinstance(backend, fail.Keyring | null.Keyring):
        return NO_KEYCHAIN_NAME
    kind = type(backend)
    ident = f"{kind.__module__}.{kind.__qualname__}".lower()
    if "secretservice" in ident or "libsecret" in ident:
        return SECRET_SERVICE_NAME
    if "kwallet" in ident:
        return KWALLET_NAME
    if "macos" in ident:
        return MACOS_NAME
    # Not any "Windows" module: keyrings.alt has Windows backends that are not the
    # Credential Manager and have no 2,560-byte limit.
    if kind.__module__ == "keyring.backends.Windows" or "winvault" in ident:
        return WINDOWS_NAME
    return str(backend.name)


# --- running keychain calls off the calling thread -------------------------------------------


def _start_in_thread(fn: Callable[[], _T], what: str) -> concurrent.futures.Future[_T]:
    # A daemon thread rather than an executor (asyncio.to_thread included): a call stuck in a
    # dead keychain must not hold up interpreter exit, and executors join their threads at exit.
    future: concurrent.futures.Future[_T] = concurrent.futures.Future()

    def run() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            result = fn()
        except Exception as exc:
            future.set_exception(exc)
        else:
            future.set_result(result)

    threading.Thread(target=run, name=f"keychain-{what}", daemon=True).start()
    return future


def _call_with_timeout(fn: Callable[[], _T], timeout_s: float, what: str) -> _T:
    return _start_in_thread(fn, what).result(timeout=timeout_s)


async def _await_with_timeout(fn: Callable[[], _T], timeout_s: float, what: str) -> _T:
    return await asyncio.wait_for(asyncio.wrap_future(_start_in_thread(fn, what)), timeout_s)


# --- detection -------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeychainStatus:
    """What ``probe_keychain`` found. ``reason`` is a sentence for the UI."""

    available: bool
    backend_name: str
    reason: str
    # The keyring backend to write to, when available. Not part of equality or repr: the
    # status is compared and logged, the backend is only handed to KeyringStore.
    backend: KeyringBackend | None = field(default=None, compare=False, repr=False)


def _no_keychain(reason: str = NO_KEYCHAIN_REASON) -> KeychainStatus:
    return KeychainStatus(available=False, backend_name=NO_KEYCHAIN_NAME, reason=reason)


def _candidates(chosen: KeyringBackend) -> list[KeyringBackend]:
    from keyring.backends import chainer

    if isinstance(chosen, chainer.ChainerBackend):
        return list(chosen.backends)
    return [chosen]


def _os_keychain_modules() -> list[ModuleType]:
    """keyring, and its modules for this platform's own keychains, imported (each only asks
    its keychain when a backend's `priority` is read)."""
    import keyring.core  # noqa: F401  (the choice's; a user's PYTHON_KEYRING_BACKEND aside)
    from keyring.backends import chainer, fail, null  # noqa: F401

    if sys.platform == "darwin":
        from keyring.backends import macOS

        return [macOS]
    if sys.platform == "win32":
        from keyring.backends import Windows

        return [Windows]
    from keyring.backends import SecretService, kwallet, libsecret

    return [SecretService, kwallet, libsecret]


def _os_keychains() -> list[KeyringBackend]:
    """The backends keyring itself ships for this platform's own keychains.

    Not keyring's automatic choice: that imports every backend any installed package
    registers (on Linux, the macOS one alone spawns three subprocesses looking for its
    libraries) and takes the highest priority among them, so a plug-in such as keyrings.alt
    would silently win with a plaintext or homemade-encryption file whenever no keychain
    answers. Tokens go to the OS keychain, or to a plain file only when the user opts in;
    a user who wants another keyring backend names it as keyring documents
    (PYTHON_KEYRING_BACKEND or keyringrc.cfg), and that choice is honoured. Every backend
    class of these modules is offered (a newer keyring's too); _detect takes the one that
    ranks itself highest, as keyring would (KWallet above the Secret Service on KDE)."""
    from keyring.backend import KeyringBackend

    return [
        kind()
        for module in _os_keychain_modules()
        for kind in vars(module).values()
        if isinstance(kind, type)
        and issubclass(kind, KeyringBackend)
        and kind.__module__ == module.__name__
        and not inspect.isabstract(kind)
    ]


def _keyring_choice() -> list[KeyringBackend]:
    """The backend the user (or the program embedding us) chose, else the OS keychains."""
    import keyring.core

    # Set by keyring.set_keyring() or an earlier keyring.get_keyring(): keyring has no
    # public way to ask whether a backend is chosen without running its detection.
    chosen: KeyringBackend | None = getattr(keyring.core, "_keyring_backend", None)
    if chosen is None:
        chosen = keyring.core.load_env() or keyring.core.load_config()
    return _candidates(chosen) if chosen is not None else _os_keychains()


def _detect(backend: KeyringBackend | None) -> KeychainStatus:
    # The choice itself can hang (a backend's import or its D-Bus check): it runs on the
    # probe's thread, like the availability checks below.
    from keyring.backends import chainer, fail, null

    candidates = _candidates(backend) if backend is not None else _keyring_choice()
    best: tuple[float, KeyringBackend] | None = None
    for candidate in candidates:
        if isinstance(candidate, fail.Keyring | null.Keyring | chainer.ChainerBackend):
            continue
        try:
            # A backend's priority is its own availability check (SecretService asks D-Bus
            # whether the daemon is there); it raises when the backend cannot work here.
            priority = float(candidate.priority)
        except Exception as exc:
            log.info("Keychain %s is not usable: %s", describe_backend(candidate), exc)
            continue
        if priority > 0 and (best is None or priority > best[0]):
            best = (priority, candidate)
    if best is None:
        return _no_keychain()
    name = describe_backend(best[1])
    return KeychainStatus(True, name, f"Sign-ins are saved in {name}.", best[1])


def _status_after_failure(exc: BaseException, timeout_s: float) -> KeychainStatus:
    if isinstance(exc, TimeoutError):
        log.warning("Keychain detection gave no answer within %.1f s", timeout_s)
        return _no_keychain(
            f"The keychain did not answer within {timeout_s:g} seconds, so {_MEMORY_ONLY}."
        )
    log.warning("Keychain detection failed: %s: %s", type(exc).__name__, exc)
    return _no_keychain(f"The keychain could not be opened, so {_MEMORY_ONLY}.")


def probe_keychain(
    timeout_s: float = DEFAULT_PROBE_TIMEOUT_S, *, backend: KeyringBackend | None = None
) -> KeychainStatus:
    """Find out whether a usable keychain exists, never blocking for more than ``timeout_s``.

    ``backend`` checks a given keyring backend instead of keyring's own choice. The fail and
    null backends, and a chainer with nothing to chain, all mean "no keychain".
    """
    try:
        status = _call_with_timeout(lambda: _detect(backend), timeout_s, "probe")
    except Exception as exc:
        return _status_after_failure(exc, timeout_s)
    log.info("Keychain: %s (available: %s)", status.backend_name, status.available)
    return status


def start_keychain_probe() -> concurrent.futures.Future[KeychainStatus]:
    """Begin detection now, on a thread, for ``probe_keychain_async(started=...)`` to await:
    the app starts it before Qt is up and builds the window meanwhile. keyring and the
    platform's keychain client are imported here; the thread asks the keychain (D-Bus, the
    OS API)."""
    # keyring's imports here, on the calling thread before Qt is up (~40 ms): on the probe's
    # thread they cost the start 67-78 ms (benchmarks/RESULTS.md, 2026-11-29). Two threads
    # running Python at once pass the GIL back and forth, and each of the GUI thread's many
    # Qt calls that lets go of it can then wait out a switch interval (5 ms) to have it
    # back. What is left for the thread is waiting: D-Bus, or the OS.
    _os_keychain_modules()
    return _start_in_thread(lambda: _detect(None), "probe")


async def probe_keychain_async(
    timeout_s: float = DEFAULT_PROBE_TIMEOUT_S,
    *,
    backend: KeyringBackend | None = None,
    started: concurrent.futures.Future[KeychainStatus] | None = None,
) -> KeychainStatus:
    """``probe_keychain`` for a coroutine: the event loop keeps running while it waits.

    ``started`` is a probe begun earlier with ``start_keychain_probe``; the timeout then
    counts from this call.
    """
    try:
        if started is not None:
            status = await asyncio.wait_for(asyncio.wrap_future(started), timeout_s)
        else:
            status = await _await_with_timeout(lambda: _detect(backend), timeout_s, "probe")
    except Exception as exc:
        return _status_after_failure(exc, timeout_s)
    log.info("Keychain: %s (available: %s)", status.backend_name, status.available)
    return status


# --- backends ---------------------------------------------------------------------------------


class TokenBackend(ABC):
    """One place tokens can live, addressed by (service, username). Calls may block."""

    #: Whether a token written here survives quitting the app.
    persistent: ClassVar[bool]

    @property
    @abstractmethod
    def display_name(self) -> str: ...

    @property
    @abstractmethod
    def description(self) -> str:
        """One honest sentence for Preferences: where sign-ins are kept and what that means."""

    @abstractmethod
    def get(self, service: str, username: str) -> str | None: ...

    @abstractmethod
    def set(self, service: str, username: str, token: str) -> None:
        """Store ``token``; raises TokenNotSaved with a user-facing sentence if it cannot."""

    @abstractmethod
    def delete(self, service: str, username: str) -> None:
        """Remove the entry; nothing to remove is not an error."""


class MemoryStore(TokenBackend):
    """Tokens for this session only: gone when the app quits."""

    persistent = False

    def __init__(self) -> None:
        self._tokens: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()

    @property
    def display_name(self) -> str:
        return "memory"

    @property
    def description(self) -> str:
        return "Sign-ins are kept in memory for this session only."

    def get(self, service: str, username: str) -> str | None:
        with self._lock:
            return self._tokens.get((service, username))

    def set(self, service: str, username: str, token: str) -> None:
        with self._lock:
            self._tokens[(service, username)] = token

    def delete(self, service: str, username: str) -> None:
        with self._lock:
            self._tokens.pop((service, username), None)

    def clear(self) -> None:
        with self._lock:
            self._tokens.clear()


class KeyringStore(TokenBackend):
    """The OS keychain, through a keyring backend."""

    persistent = True

    def __init__(self, backend: KeyringBackend, name: str | None = None) -> None:
        self._backend = backend
        self._name = name or describe_backend(backend)
        # Only Windows has a documented size limit worth checking before the call; everything
        # else is caught as an exception from set_password.
        self.max_token_bytes: int | None = (
            WINDOWS_CREDENTIAL_LIMIT_BYTES if describe_backend(backend) == WINDOWS_NAME else None
        )

    @property
    def display_name(self) -> str:
        return self._name

    @property
    def description(self) -> str:
        return f"Sign-ins are saved in {self._name}."

    def _token_size(self, token: str) -> int:
        return len(token.encode("utf-16-le"))

    def get(self, service: str, username: str) -> str | None:
        try:
            return self._backend.get_password(service, username)
        except Exception as exc:
            log.warning("Reading from %s failed: %s", self._name, type(exc).__name__)
            raise TokenStoreError(
                f"Your saved sign-in could not be read from {self._name}. Sign in again."
            ) from exc

    def set(self, service: str, username: str, token: str) -> None:
        if self.max_token_bytes is not None and self._token_size(token) > self.max_token_bytes:
            log.warning(
                "Token of %d characters exceeds %s's %d-byte limit; not written",
                len(token),
                self._name,
                self.max_token_bytes,
            )
            raise TokenNotSaved(
                f"This sign-in is too large for {self._name}, so it is kept in memory for this "
                "session only. You will need to sign in again after you quit."
            )
        try:
            self._backend.set_password(service, username, token)
        except Exception as exc:
            # The exception text is not logged: a backend is free to echo what it was given.
            log.warning(
                "%s refused a token of %d characters: %s",
                self._name,
                len(token),
                type(exc).__name__,
            )
            raise TokenNotSaved(
                f"{self._name} could not save this sign-in, so it is kept in memory for this "
                "session only. You will need to sign in again after you quit."
            ) from exc

    def delete(self, service: str, username: str) -> None:
        from keyring.errors import PasswordDeleteError

        try:
            self._backend.delete_password(service, username)
        except PasswordDeleteError:
            pass  # keyring's way of saying there was nothing to delete
        except Exception as exc:
            log.warning("Deleting from %s failed: %s", self._name, type(exc).__name__)
            raise TokenStoreError(
                f"The saved sign-in could not be removed from {self._name}."
            ) from exc


class PlaintextFileStore(TokenBackend):
    """UNENCRYPTED tokens in a JSON file readable only by the user (mode 0600).

    Exists for machines without a keychain whose users would rather not sign in every
    launch, and only when they have opted in: anyone who can read the file, or a backup of
    it, can act as them until the token expires or is revoked.
    """

    persistent = True

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or paths.plaintext_token_file()
        log.warning("Sign-ins are being kept UNENCRYPTED in %s, as the user chose", self.path)

    @property
    def display_name(self) -> str:
        return f"an unencrypted file ({self.path})"

    @property
    def description(self) -> str:
        return (
            f"Sign-ins are saved UNENCRYPTED in {self.path}. Anyone who can read that file can "
            "use your accounts. Turn this off in Preferences to keep sign-ins in memory only."
        )

    def _read(self) -> dict[str, dict[str, str]]:
        try:
            data: Any = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("Unencrypted sign-in file %s unreadable: %s", self.path, type(exc).__name__)
            return {}
        if not isinstance(data, dict):
            return {}
        return {
            str(service): {str(u): str(t) for u, t in users.items()}
            for service, users in data.items()
            if isinstance(users, dict)
        }

    def _write(self, data: dict[str, dict[str, str]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # mkstemp creates the file 0600 from the start: no window where the tokens are readable
        # by others, as there would be with write-then-chmod.
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".sign-ins.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=2)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def get(self, service: str, username: str) -> str | None:
        return self._read().get(service, {}).get(username)

    def set(self, service: str, username: str, token: str) -> None:
        data = self._read()
        data.setdefault(service, {})[username] = token
        try:
            self._write(data)
        except OSError as exc:
            raise TokenNotSaved(
                f"The sign-in could not be written to {self.path}, so it is kept in memory "
                "for this session only."
            ) from exc

    def delete(self, service: str, username: str) -> None:
        data = self._read()
        users = data.get(service, {})
        if users.pop(username, None) is None:
            return
        if not users:
            del data[service]
        self._write(data)


# --- the store the app uses ------------------------------------------------------------------


@dataclass(frozen=True)
class SaveResult:
    """Outcome of saving a sign-in. ``message`` is a sentence for the UI."""

    persisted: bool
    message: str


def _key(server: str, email: str) -> tuple[str, str]:
    return service_name(server), normalize_email(email)


class TokenStore:
    """Refresh tokens per (server, account) in one backend, with a session-memory fallback.

    A token the backend refuses (too large, keychain locked or gone) is kept in memory so the
    session still works, and the caller gets a sentence saying so. The (server, email) pairs
    that reached the backend are listed in ``Settings.saved_accounts`` — not secret, and the
    only way to find them again, since keyring cannot list its entries.

    The plain methods block on the backend; the GUI uses the ``*_async`` ones, which run the
    backend call on a worker thread with a timeout. Settings are only touched on the calling
    thread.
    """

    def __init__(
        self,
        backend: TokenBackend,
        settings: Settings,
        *,
        persist_settings: Callable[[Settings], None] = settings_module.save,
        timeout_s: float = DEFAULT_OPERATION_TIMEOUT_S,
        unavailable_reason: str = NO_KEYCHAIN_REASON,
    ) -> None:
        self.backend = backend
        self.settings = settings
        self.timeout_s = timeout_s
        self._persist_settings = persist_settings
        self._unavailable_reason = unavailable_reason
        self._session = MemoryStore()

    @classmethod
    def for_status(
        cls,
        status: KeychainStatus,
        settings: Settings,
        *,
        persist_settings: Callable[[Settings], None] = settings_module.save,
        timeout_s: float = DEFAULT_OPERATION_TIMEOUT_S,
    ) -> TokenStore:
        """The keychain if there is one; else the plaintext file if opted in; else memory."""
        backend: TokenBackend
        if status.available and status.backend is not None:
            backend = KeyringStore(status.backend, status.backend_name)
        elif settings.allow_plaintext_token_file:
            backend = PlaintextFileStore()
        else:
            backend = MemoryStore()
        return cls(
            backend,
            settings,
            persist_settings=persist_settings,
            timeout_s=timeout_s,
            unavailable_reason=status.reason,
        )

    @property
    def persistent(self) -> bool:
        return self.backend.persistent

    @property
    def description(self) -> str:
        """Where sign-ins are kept, for Preferences and the sign-in dialog."""
        if self.backend.persistent:
            return self.backend.description
        return self._unavailable_reason

    def saved_accounts(self) -> list[SavedAccount]:
        return list(self.settings.saved_accounts)

    # -- the blocking parts, shared by the sync and async methods --

    def _read(self, server: str, email: str) -> str | None:
        service, username = _key(server, email)
        token = self._session.get(service, username)
        if token is None and self.backend.persistent:
            token = self.backend.get(service, username)
        if token is not None:
            remember_secret(token)
        log.debug("Refresh token for %s on %s: %s", username, service, _presence(token))
        return token

    def _write(self, server: str, email: str, token: str) -> SaveResult:
        service, username = _key(server, email)
        remember_secret(token)
        if not self.backend.persistent:
            self._session.set(service, username, token)
            return SaveResult(False, self._unavailable_reason)
        if self.settings.keep_signed_in:
            try:
                self.backend.set(service, username, token)
            except TokenNotSaved as exc:
                message = str(exc)
            else:
                self._session.delete(service, username)
                log.info(
                    "Saved a refresh token (%d chars) for %s in %s",
                    len(token),
                    username,
                    self.backend.display_name,
                )
                return SaveResult(True, self.backend.description)
        else:
            message = "You chose not to stay signed in, so this sign-in lasts until you quit."
        self._session.set(service, username, token)
        # A token saved earlier for this account is spent (tokens rotate) or unwanted now; left
        # behind, the next launch would try it, and the index would no longer point at it.
        with contextlib.suppress(TokenStoreError):
            self.backend.delete(service, username)
        return SaveResult(False, message)

    def _erase(self, server: str, email: str) -> None:
        service, username = _key(server, email)
        self._session.delete(service, username)
        if self.backend.persistent:
            self.backend.delete(service, username)

    def _erase_all(self, accounts: list[SavedAccount]) -> list[SavedAccount]:
        self._session.clear()
        forgotten: list[SavedAccount] = []
        # Without a persistent backend this session cannot reach where those accounts were
        # saved (the keychain is away), so claiming them forgotten would be a lie.
        for account in accounts if self.backend.persistent else []:
            try:
                self._erase(account.server, account.email)
            except TokenStoreError:
                continue  # stays listed so a later "Forget" can try again
            forgotten.append(account)
        # Whatever the current backend, no unencrypted file survives "forget": it may hold
        # accounts from a time the user had opted in, which the index no longer names.
        files = {paths.plaintext_token_file()}
        if isinstance(self.backend, PlaintextFileStore):
            files.add(self.backend.path)
        for path in files:
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)
        return forgotten

    # -- settings bookkeeping, on the caller's thread --

    # The index lists the pairs that may have a token in the persistent backend. A session
    # without one leaves it alone: its entries belong to a keychain that is only away.

    def _record(self, server: str, email: str, *, may_be_stored: bool) -> None:
        if not self.backend.persistent:
            return
        if may_be_stored:
            self.settings.add_saved_account(server, email)
        else:
            self.settings.remove_saved_account(server, email)
        self._save_settings()

    def _unrecord(self, accounts: list[SavedAccount]) -> None:
        if not self.backend.persistent:
            return
        gone = set(accounts)
        self.settings.saved_accounts = [a for a in self.settings.saved_accounts if a not in gone]
        self._save_settings()

    def _save_settings(self) -> None:
        try:
            self._persist_settings(self.settings)
        except OSError as exc:
            # Losing the index only costs a later "forget" its reach; the sign-in itself worked.
            log.warning("Could not save the list of saved sign-ins: %s", exc)

    # -- sync API (blocks on the backend) --

    def get(self, server: str, email: str) -> str | None:
        """The refresh token for the account, or None. Raises TokenStoreError."""
        return self._read(server, email)

    def save(self, server: str, email: str, refresh_token: str) -> SaveResult:
        """Keep the account's refresh token (replacing any older one)."""
        result = self._write(server, email, refresh_token)
        self._record(server, email, may_be_stored=result.persisted)
        return result

    def delete(self, server: str, email: str) -> None:
        """Forget one account's token (sign-out). Raises TokenStoreError."""
        self._erase(server, email)
        self._unrecord([SavedAccount(server=server, email=email)])

    def forget_all(self) -> int:
        """Forget every saved sign-in; return how many were removed.

        Entries that could not be removed (keychain locked, or absent this session) stay in
        ``saved_accounts`` so a later attempt can reach them.
        """
        forgotten = self._erase_all(self.saved_accounts())
        self._unrecord(forgotten)
        return len(forgotten)

    # -- async API (the backend call runs on a worker thread with a timeout) --

    async def _off_thread(self, fn: Callable[[], _T], what: str, timeout_s: float | None) -> _T:
        limit = self.timeout_s if timeout_s is None else timeout_s
        try:
            return await _await_with_timeout(fn, limit, what)
        except TimeoutError as exc:
            log.warning("Keychain %s gave no answer within %.1f s", what, limit)
            raise KeychainTimeout(
                f"{self.backend.display_name} did not answer within {limit:g} seconds."
            ) from exc

    async def get_async(
        self, server: str, email: str, *, timeout_s: float | None = None
    ) -> str | None:
        return await self._off_thread(lambda: self._read(server, email), "get", timeout_s)

    async def save_async(
        self, server: str, email: str, refresh_token: str, *, timeout_s: float | None = None
    ) -> SaveResult:
        try:
            result = await self._off_thread(
                lambda: self._write(server, email, refresh_token), "set", timeout_s
            )
        except KeychainTimeout as exc:
            service, username = _key(server, email)
            self._session.set(service, username, refresh_token)
            # The stuck write may still land; keep the pair indexed so "forget" can reach it.
            self._record(server, email, may_be_stored=True)
            return SaveResult(False, f"{exc} This sign-in is kept in memory for this session only.")
        self._record(server, email, may_be_stored=result.persisted)
        return result

    async def delete_async(
        self, server: str, email: str, *, timeout_s: float | None = None
    ) -> None:
        await self._off_thread(lambda: self._erase(server, email), "delete", timeout_s)
        self._unrecord([SavedAccount(server=server, email=email)])

    async def forget_all_async(self, *, timeout_s: float | None = None) -> int:
        accounts = self.saved_accounts()
        forgotten = await self._off_thread(lambda: self._erase_all(accounts), "forget", timeout_s)
        self._unrecord(forgotten)
        return len(forgotten)


def _presence(token: str | None) -> str:
    return "absent" if token is None else f"present, {len(token)} chars"
