"""Every user preference, its default and its limits, in one pydantic model stored as JSON.

A preferences file is user-editable and survives upgrades and downgrades, so loading forgives:
a missing file, a corrupt one, unknown keys and bad values all end in a usable ``Settings``
with a warning in the log, never in a start-up crash. Window geometry is not here: it is Qt's
business (QSettings) and this module must stay importable without Qt.

Nothing secret belongs in this file. A validator refuses token-looking values so that a future
mistake (say, a refresh token stored as "last_email") fails loudly instead of writing a
credential to disk in plain text.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import json
import logging
import os
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from callaro_desktop import paths
from callaro_desktop.logs import contains_secret

__all__ = [
    "DEFAULT_SERVER_URL",
    "MAX_RECENT_SERVERS",
    "MAX_RECENT_TENANTS",
    "MAX_REMEMBERED_VIEWS",
    "MAX_REMEMBERED_WORKSPACES",
    "AccountBadge",
    "SavedAccount",
    "Settings",
    "account_key",
    "flush_saves",
    "load",
    "normalize_email",
    "normalize_server_url",
    "save",
    "save_soon",
]

log = logging.getLogger(__name__)

DEFAULT_SERVER_URL = "https://api.callaro.ai"
MAX_RECENT_SERVERS = 10
MAX_RECENT_TENANTS = 20
# Per-workspace memories (the last page, the lists' views) are kept for this many workspaces,
# the most recently used: a support engineer's would otherwise grow all year, and with them
# the file, its loading at start-up and every save.
MAX_REMEMBERED_WORKSPACES = 300
# Lists' views (a workspace has up to six lists; support staff mostly use one or two in each):
# each is checked for secrets when the file is loaded at start-up: 16 ms for 300 pages and
# 600 views (2026-11-28, 2-core EPYC), and it would grow with the file.
MAX_REMEMBERED_VIEWS = 2 * MAX_REMEMBERED_WORKSPACES

Appearance = Literal["system", "light", "dark"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]

_DEFAULT_PORTS = {"http": 80, "https": 443}

_T = TypeVar("_T")


def normalize_server_url(url: str) -> str:
    """One spelling per server, so the keychain entry, recent list and account keys agree.

    "API.callaro.ai/" and "https://api.callaro.ai:443" are the same server; a path prefix is
    kept because self-hosted deployments may live under one. Raises ValueError with a message
    fit to show under the server field.
    """
    text = url.strip()
    if not text:
        raise ValueError("Enter the server address.")
    if "://" not in text:
        text = f"https://{text}"
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise ValueError("The server address must start with https:// or http://.")
    if parts.username is not None or parts.password is not None:
        raise ValueError("Leave the user name and password out of the server address.")
    host = parts.hostname
    if not host:
        raise ValueError("The server address has no host name.")
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError("The server address has an invalid port.") from exc
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{port}"
    return urlunsplit((scheme, netloc, parts.path.rstrip("/"), "", ""))


def normalize_email(email: str) -> str:
    return email.strip().lower()


def account_key(server: str, email: str) -> str:
    """Key for per-account preferences (last tenant, recents, favourites).

    Email first: "https://host:port|user@..." would read as URL credentials to the
    secret detector that guards this file.
    """
    return f"{normalize_email(email)}|{normalize_server_url(server)}"


def tenant_key(account: str, tenant_id: int | None) -> str:
    """Key for per-workspace preferences of an account (last page, pending recharges, ...);
    ``account`` is an ``account_key``."""
    return f"{account}#{tenant_id}"


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, BaseModel):
        for item in value.__dict__.values():
            yield from _strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list | tuple | set):
        for item in value:
            yield from _strings(item)


# Strings the secret check has passed: settings are reassigned whole on every change
# (validation runs on assignment), and a support engineer's hold an entry per workspace they
# have visited, so a tenant switch re-checked hundreds of known keys and page names, 5 ms and
# more of the GUI thread, growing all day. Only clean strings are kept: a secret that was
# refused is not held on to. Bounded; emptied when full.
_CHECKED_CLEAN: set[str] = set()
_CHECKED_CLEAN_MAX = 50_000


def _holds_secret(value: Any) -> bool:
    for text in _strings(value):
        if text in _CHECKED_CLEAN:
            continue
        if contains_secret(text):
            return True
        if len(_CHECKED_CLEAN) >= _CHECKED_CLEAN_MAX:
            _CHECKED_CLEAN.clear()
        _CHECKED_CLEAN.add(text)
    return False


_K = TypeVar("_K")
_V = TypeVar("_V")


def _with_newest(entries: dict[_K, _V], key: _K, value: _V) -> dict[_K, _V]:
    """``entries`` with ``key`` set to ``value`` and moved last (a dict's order is its age)."""
    updated = {k: v for k, v in entries.items() if k != key}
    updated[key] = value
    return updated


def _newest_entries(entries: dict[_K, _V], limit: int) -> dict[_K, _V]:
    """The last ``limit`` entries: the most recently written."""
    if len(entries) <= limit:
        return entries
    return dict(list(entries.items())[-limit:])


def _newest_first_unique(items: Iterable[_T], limit: int) -> list[_T]:
    return list(dict.fromkeys(items))[:limit]


class SavedAccount(BaseModel):
    """A (server, email) pair whose refresh token is in a token store.

    Not secret — it is the index "Forget saved sign-ins" walks, since keyring cannot list
    what it holds.
    """

    model_config = ConfigDict(frozen=True, extra="ignore", hide_input_in_errors=True)

    server: str
    email: str

    @field_validator("server")
    @classmethod
    def _server(cls, value: str) -> str:
        return normalize_server_url(value)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        value = normalize_email(value)
        if not value:
            raise ValueError("An account needs an email address.")
        return value


class AccountBadge(BaseModel):
    """The label and colour a user gives an account ("PROD" in red), shown in the
    toolbar and the window title so nobody acts on the wrong deployment."""

    model_config = ConfigDict(frozen=True, extra="ignore", hide_input_in_errors=True)

    label: str = Field(max_length=24)
    colour: str = Field(pattern=r"^#[0-9a-fA-F]{6}$")


class Settings(BaseModel):
    """Every preference with its default. Assignments are validated too."""

    # hide_input_in_errors: a refused value may be the very token the validator caught, and
    # validation errors get logged and shown.
    model_config = ConfigDict(extra="ignore", validate_assignment=True, hide_input_in_errors=True)

    server_url: str = DEFAULT_SERVER_URL
    recent_servers: list[str] = Field(default_factory=list)
    last_email: str = ""
    appearance: Appearance = "system"
    request_timeout_s: float = Field(default=30.0, ge=5, le=300)
    connect_timeout_s: float = Field(default=5.0, ge=1, le=60)
    keep_signed_in: bool = True
    # Off unless the user explicitly accepts an unencrypted file; see secrets.PlaintextFileStore.
    allow_plaintext_token_file: bool = False
    last_tenant_by_account: dict[str, int] = Field(default_factory=dict)
    # The role the account had there: a warm start asks only for what that role may see.
    last_role_by_account: dict[str, str] = Field(default_factory=dict)
    last_page_by_tenant: dict[str, str] = Field(default_factory=dict)
    favourite_tenants: dict[str, list[int]] = Field(default_factory=dict)
    recent_tenants: dict[str, list[int]] = Field(default_factory=dict)
    log_level: LogLevel = "INFO"
    saved_accounts: list[SavedAccount] = Field(default_factory=list)
    # Recharge ids sent to checkout and not yet seen paid or failed, by "account#tenant id":
    # Billing checks them again on the next visit, so closing a dialog never loses a payment.
    pending_recharges: dict[str, list[int]] = Field(default_factory=dict)
    # API key ids rotated but kept "until revoked", by "account#tenant id": their rows stay
    # labelled "replaced" across restarts. Ids only; a key's secret is never stored anywhere.
    replaced_api_keys: dict[str, list[int]] = Field(default_factory=dict)
    # Per account key: the badge shown for it. Per account#tenant#page: a page's view
    # (search, filters, sort, column layout), restored when the user comes back.
    account_badges: dict[str, AccountBadge] = Field(default_factory=dict)
    view_state: dict[str, dict[str, str]] = Field(default_factory=dict)
    # Per "account key#page": edits a page held unsaved when the console quit with no user to
    # ask (a signal, the session ending); the page shows them again, still unsaved, next time.
    unsaved_edits: dict[str, dict[str, str]] = Field(default_factory=dict)

    @field_validator("*", mode="after")
    @classmethod
    def _no_secrets(cls, value: Any) -> Any:
        # The message names no value: it may end up in a log, and the value may be a token.
        if _holds_secret(value):
            raise ValueError(
                "looks like a secret (token, key or password); secrets are not settings"
            )
        return value

    @field_validator("server_url")
    @classmethod
    def _server_url(cls, value: str) -> str:
        return normalize_server_url(value)

    @field_validator("recent_servers")
    @classmethod
    def _recent_servers(cls, value: list[str]) -> list[str]:
        # A hand-edited entry that no longer parses is dropped rather than failing the list.
        good: list[str] = []
        for url in value:
            with contextlib.suppress(ValueError):
                good.append(normalize_server_url(url))
        return _newest_first_unique(good, MAX_RECENT_SERVERS)

    @field_validator("last_email")
    @classmethod
    def _last_email(cls, value: str) -> str:
        return value.strip()

    @field_validator("log_level", mode="before")
    @classmethod
    def _log_level(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("recent_tenants")
    @classmethod
    def _recent_tenants(cls, value: dict[str, list[int]]) -> dict[str, list[int]]:
        return {k: _newest_first_unique(v, MAX_RECENT_TENANTS) for k, v in value.items()}

    @field_validator("favourite_tenants")
    @classmethod
    def _favourite_tenants(cls, value: dict[str, list[int]]) -> dict[str, list[int]]:
        return {k: _newest_first_unique(v, len(v)) for k, v in value.items() if v}

    @field_validator("last_page_by_tenant")
    @classmethod
    def _last_pages(cls, value: dict[str, str]) -> dict[str, str]:
        return _newest_entries(value, MAX_REMEMBERED_WORKSPACES)

    @field_validator("view_state")
    @classmethod
    def _view_states(cls, value: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        return _newest_entries(value, MAX_REMEMBERED_VIEWS)

    @field_validator("saved_accounts")
    @classmethod
    def _saved_accounts(cls, value: list[SavedAccount]) -> list[SavedAccount]:
        return _newest_first_unique(value, len(value))

    # The helpers below build new containers and assign them, so validation (limits, de-dup,
    # the secret check) runs; mutating a list in place would skip it.

    def remember_server(self, url: str) -> None:
        """Make ``url`` the current server and the newest of the recent ones."""
        self.server_url = url
        self.recent_servers = [self.server_url, *self.recent_servers]

    def remember_tenant(self, account: str, tenant_id: int, role: str | None = None) -> None:
        """Record ``tenant_id`` (and the account's ``role`` there) as the account's current and
        most recent tenant."""
        self.last_tenant_by_account = {**self.last_tenant_by_account, account: tenant_id}
        roles = {k: v for k, v in self.last_role_by_account.items() if k != account}
        self.last_role_by_account = {**roles, account: role} if role else roles
        recent = [tenant_id, *self.recent_tenants.get(account, [])]
        self.recent_tenants = {**self.recent_tenants, account: recent}

    def remember_page(self, key: str, page_id: str) -> None:
        """The page last shown in a workspace (``key``: ``tenant_key``), now its newest."""
        self.last_page_by_tenant = _with_newest(self.last_page_by_tenant, key, page_id)

    def remember_view(self, key: str, state: dict[str, str]) -> None:
        """A list's view in a workspace (``key``: its ``tenant_key`` and page), now newest."""
        self.view_state = _with_newest(self.view_state, key, state)

    def remember_unsaved(self, key: str, edits: dict[str, str] | None) -> None:
        """A page's unsaved edits (``key``: account key and page), or None: none kept."""
        rest = {k: v for k, v in self.unsaved_edits.items() if k != key}
        self.unsaved_edits = {**rest, key: edits} if edits else rest

    def set_favourite_tenant(self, account: str, tenant_id: int, favourite: bool) -> None:
        current = [t for t in self.favourite_tenants.get(account, []) if t != tenant_id]
        updated = [*current, tenant_id] if favourite else current
        self.favourite_tenants = {**self.favourite_tenants, account: updated}

    def add_saved_account(self, server: str, email: str) -> None:
        entry = SavedAccount(server=server, email=email)
        self.saved_accounts = [entry, *self.saved_accounts]

    def remove_saved_account(self, server: str, email: str) -> None:
        entry = SavedAccount(server=server, email=email)
        self.saved_accounts = [a for a in self.saved_accounts if a != entry]


def _set_aside_corrupt(path: Path, why: str) -> None:
    corrupt = path.with_name(f"{path.name}.corrupt")
    try:
        os.replace(path, corrupt)
    except OSError as exc:
        log.warning(
            "Settings file %s is unreadable (%s) and could not be moved: %s", path, why, exc
        )
        return
    log.warning(
        "Settings file %s is unreadable (%s); it was kept as %s and defaults are used.",
        path,
        why,
        corrupt,
    )


def _validate_forgivingly(data: dict[str, Any], path: Path) -> Settings:
    known = {key: value for key, value in data.items() if key in Settings.model_fields}
    ignored = sorted(set(data) - set(known))
    if ignored:
        log.info("Ignoring unknown settings in %s: %s", path, ", ".join(ignored))
    while True:
        try:
            return Settings.model_validate(known)
        except ValidationError as exc:
            bad: dict[str, str] = {}
            for error in exc.errors(include_input=False, include_url=False):
                loc = error["loc"]
                if loc and loc[0] in known:
                    bad.setdefault(str(loc[0]), error["msg"])
            if not bad:  # pragma: no cover - every field error has a location
                log.warning("Settings in %s are not valid; defaults are used.", path)
                return Settings()
            for key, message in bad.items():
                # The message, never the value: the value may be exactly what must not be logged.
                log.warning(
                    "Setting %r in %s is not valid (%s); its default is used.", key, path, message
                )
                del known[key]


def load(path: Path | None = None) -> Settings:
    """Read the settings, forgiving anything a user or a crash can do to the file."""
    path = path or paths.settings_file()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Settings()
    except OSError as exc:
        log.warning("Settings file %s cannot be read (%s); defaults are used.", path, exc)
        return Settings()
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        _set_aside_corrupt(path, f"not valid JSON: {exc.__class__.__name__}")
        return Settings()
    if not isinstance(data, dict):
        _set_aside_corrupt(path, "not a JSON object")
        return Settings()
    return _validate_forgivingly(data, path)


def save(settings: Settings, path: Path | None = None) -> None:
    """Write now and atomically: a crash mid-write leaves the old file, never half of a new
    one. For what must be on disk before the caller goes on; otherwise ``save_soon``."""
    path = path or paths.settings_file()
    _write_if_newest(path, next(_SAVES), _text(settings))


def save_soon(settings: Settings, path: Path | None = None) -> None:
    """Save a snapshot of ``settings`` on the settings writer's thread, not the caller's.

    The GUI thread saves on every workspace switch and every change of a list's view: the
    write's fsync takes a few ms on a quiet SSD and far longer on a busy disk, a network home
    folder or under an antivirus scanner, and nothing on the GUI thread may wait on a disk.
    Saves queued faster than the disk takes them fold into the newest one. Failures are
    logged. ``flush_saves`` waits for the queue (the app calls it before it exits).
    """
    # (Named, not made: the write makes the folder, on the writer's thread.)
    path = path or paths.settings_file(create=False)
    number, text = next(_SAVES), _text(settings)
    _WRITER.submit(path, lambda: _write_if_newest(path, number, text))


def write_soon(path: Path, write: Callable[[], None]) -> None:
    """Run ``write`` (which writes ``path``, whole) on the settings writer's thread, as
    ``save_soon`` does: for the console's other files, whose writes end in a disk's sync too.
    A newer write for the same path replaces one not yet run; ``flush_saves`` waits for it."""
    _WRITER.submit(path, write)


def flush_saves(timeout_s: float = 5.0) -> bool:
    """Wait until every ``save_soon`` so far is on disk (or failed); False on timeout."""
    return _WRITER.flush(timeout_s)


def _text(settings: Settings) -> str:
    # pydantic-core writes the same indented JSON as json.dumps(indent=2, ensure_ascii=False),
    # byte for byte (a test holds it to that). json.dumps with an indent runs in pure Python:
    # on the writer's thread it took the interpreter lock from the GUI thread on every save,
    # for longer than this whole encoding takes here.
    return settings.model_dump_json(indent=2) + "\n"


# Every save gets a number when it is taken; a file is only ever replaced by a newer one
# (a queued save must not land after a newer one written straight away by ``save``).
_SAVES = itertools.count()
_WRITE_LOCK = threading.Lock()
_written: dict[Path, int] = {}


def _write_if_newest(path: Path, number: int, text: str) -> None:
    with _WRITE_LOCK:
        if _written.get(path, -1) > number:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp_name, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
            raise
        _written[path] = number


class _Writer:
    """One daemon thread writing queued saves, the newest per file."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._queued: dict[Path, Callable[[], None]] = {}
        self._busy = False
        self._thread: threading.Thread | None = None

    def submit(self, path: Path, write: Callable[[], None]) -> None:
        with self._lock:
            self._queued[path] = write
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="settings-writer", daemon=True
                )
                self._thread.start()
                atexit.register(self.flush, 0.5)  # (after the app's own wait, if any)
            self._lock.notify_all()

    def flush(self, timeout_s: float) -> bool:
        with self._lock:
            return self._lock.wait_for(lambda: not self._queued and not self._busy, timeout_s)

    def _run(self) -> None:
        while True:
            with self._lock:
                self._busy = False
                self._lock.notify_all()
                self._lock.wait_for(lambda: bool(self._queued))
                path, write = self._queued.popitem()
                self._busy = True
            try:
                write()
            except Exception as exc:  # a full disk, a folder gone: logged, the app goes on
                log.warning("could not save settings to %s: %s", path, exc)


_WRITER = _Writer()
