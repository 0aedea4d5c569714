"""settings: one model, forgiving load, atomic save, and no secrets ever."""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
from pathlib import Path

import pytest
from pydantic import ValidationError

from callaro_desktop import paths, settings
from callaro_desktop.settings import SavedAccount, Settings

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0MiJ9.c2lnbmF0dXJlLWJ5dGVz"
TENANT_KEY = "sk_live_4f8a9b2c7d1e6f3a"


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(paths.HOME_ENV, str(tmp_path / "home"))
    return tmp_path / "home"


def _write(raw: str | bytes) -> Path:
    path = paths.settings_file()
    if isinstance(raw, bytes):
        path.write_bytes(raw)
    else:
        path.write_text(raw, encoding="utf-8")
    return path


def test_defaults() -> None:
    s = Settings()
    assert s.server_url == "https://api.callaro.ai"
    assert s.recent_servers == []
    assert s.last_email == ""
    assert s.appearance == "system"
    assert s.request_timeout_s == 30
    assert s.connect_timeout_s == 5
    assert s.keep_signed_in is True
    assert s.allow_plaintext_token_file is False
    assert s.last_tenant_by_account == {}
    assert s.last_page_by_tenant == {}
    assert s.favourite_tenants == {}
    assert s.recent_tenants == {}
    assert s.log_level == "INFO"
    assert s.saved_accounts == []


def test_missing_file_gives_defaults_and_writes_nothing() -> None:
    assert settings.load() == Settings()
    assert not paths.settings_file().exists()


def test_round_trip_keeps_every_field(home: Path) -> None:
    s = Settings(
        last_email="admin@acme.in",
        appearance="dark",
        request_timeout_s=45,
        connect_timeout_s=7,
        keep_signed_in=False,
        allow_plaintext_token_file=True,
        last_page_by_tenant={"44": "phone_numbers"},
        log_level="DEBUG",
    )
    s.remember_server("https://staging.callaro.ai")
    s.remember_tenant("acct", 44)
    s.set_favourite_tenant("acct", 7, True)
    s.add_saved_account("https://api.callaro.ai", "Admin@Acme.in")

    settings.save(s)

    assert paths.settings_file() == home.resolve() / "config" / "settings.json"
    on_disk = json.loads(paths.settings_file().read_text(encoding="utf-8"))
    assert on_disk["server_url"] == "https://staging.callaro.ai"
    assert settings.load() == s


def test_the_file_is_indented_json_as_a_person_would_write_it(tmp_path: Path) -> None:
    """Encoded by pydantic-core, not json.dumps; the file reads the same as json.dumps with an
    indent of two wrote it: names and addresses in their own letters, quotes escaped."""
    s = Settings(
        last_email="zoë.ñandú@acme.in",
        request_timeout_s=45,
        last_page_by_tenant={'a "quoted" \\ key': "phone_numbers", "अनुज": "users"},
        favourite_tenants={"acct": [3, 1, 2]},
    )
    s.remember_server("https://staging.callaro.ai/path?x=1&y=2")
    target = tmp_path / "settings.json"
    settings.save(s, target)
    text = target.read_text(encoding="utf-8")
    assert text == json.dumps(s.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
    assert "zoë.ñandú" in text and "अनुज" in text


def test_the_writer_thread_runs_no_json_encoder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Python's indenting encoder on the writer's thread took the interpreter lock from the
    GUI thread on every save: the text is made by pydantic-core before it is queued."""

    def no_python_encoding(*_args: object, **_kwargs: object) -> str:
        raise AssertionError("json.dumps ran for a save")

    s = Settings(last_email="queued@example.com")
    monkeypatch.setattr(settings.json, "dumps", no_python_encoding)
    queued = tmp_path / "queued.json"
    settings.save_soon(s, queued)
    assert settings.flush_saves()
    assert json.loads(queued.read_text(encoding="utf-8"))["last_email"] == "queued@example.com"


def test_explicit_path_round_trip(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere" / "prefs.json"
    s = Settings(appearance="light")
    settings.save(s, target)
    assert settings.load(target) == s


@pytest.mark.parametrize(
    "raw",
    [b"{not json", b"\xff\xfe\x00garbage", b'["a", "list"]', b'"just a string"', b""],
    ids=["broken-json", "not-utf8", "list", "string", "empty"],
)
def test_corrupt_file_is_set_aside_and_defaults_used(
    raw: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    path = _write(raw)
    with caplog.at_level(logging.WARNING, logger="callaro_desktop.settings"):
        loaded = settings.load()

    assert loaded == Settings()
    corrupt = path.with_name("settings.json.corrupt")
    assert corrupt.read_bytes() == raw
    assert not path.exists()
    assert any("settings.json.corrupt" in r.getMessage() for r in caplog.records)
    # The next save starts a fresh, valid file.
    settings.save(loaded)
    assert settings.load() == Settings()


def test_unknown_keys_are_ignored() -> None:
    _write(json.dumps({"appearance": "dark", "window_magic": 3, "future": {"a": 1}}))
    loaded = settings.load()
    assert loaded.appearance == "dark"
    assert not hasattr(loaded, "window_magic")


def test_out_of_range_value_falls_back_for_that_key_only(
    caplog: pytest.LogCaptureFixture,
) -> None:
    _write(
        json.dumps(
            {
                "request_timeout_s": 1000,
                "connect_timeout_s": 0,
                "appearance": "purple",
                "keep_signed_in": False,
                "last_email": "ops@acme.in",
                "server_url": "ftp://nope",
                "last_tenant_by_account": {"a": "not a number"},
            }
        )
    )
    with caplog.at_level(logging.WARNING, logger="callaro_desktop.settings"):
        loaded = settings.load()

    assert loaded.request_timeout_s == 30
    assert loaded.connect_timeout_s == 5
    assert loaded.appearance == "system"
    assert loaded.server_url == "https://api.callaro.ai"
    assert loaded.last_tenant_by_account == {}
    # The good keys survive.
    assert loaded.keep_signed_in is False
    assert loaded.last_email == "ops@acme.in"
    warned = " ".join(r.getMessage() for r in caplog.records)
    for key in ("request_timeout_s", "connect_timeout_s", "appearance", "server_url"):
        assert key in warned


def test_limits_are_enforced_on_assignment_too() -> None:
    s = Settings()
    with pytest.raises(ValidationError):
        s.request_timeout_s = 4
    with pytest.raises(ValidationError):
        s.request_timeout_s = 301
    s.request_timeout_s = 300
    with pytest.raises(ValidationError):
        s.appearance = "neon"  # type: ignore[assignment]


def test_save_is_atomic(monkeypatch: pytest.MonkeyPatch) -> None:
    path = paths.settings_file()
    settings.save(Settings(last_email="first@acme.in"))
    before = path.read_bytes()

    def crash(src: str, dst: str) -> None:
        raise OSError("disk full")

    # os.replace is the commit point: when it fails the old file must be untouched and the
    # temporary file gone.
    monkeypatch.setattr(settings.os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        settings.save(Settings(last_email="second@acme.in"))
    monkeypatch.undo()

    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["settings.json"]


def test_save_writes_through_a_temp_file_in_the_same_folder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    replaced: list[tuple[Path, Path]] = []
    real_replace = os.replace

    def spy(src: str, dst: str) -> None:
        replaced.append((Path(src), Path(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(settings.os, "replace", spy)
    settings.save(Settings())
    [(src, dst)] = replaced
    assert dst == paths.settings_file()
    assert src.parent == dst.parent and src != dst  # same filesystem, so the rename is atomic
    assert not src.exists()


@pytest.mark.parametrize(
    "value",
    [
        JWT,
        f"Bearer {JWT}",
        TENANT_KEY,
        "sk_test_9a8b7c6d5e4f",
        "sk_Zx81Jd02kLm3",
        "pk_live_0a1b2c3d4e5f6a7b",
        'password="hunter22"',
        "https://bob:hunter22@api.callaro.ai",
    ],
)
def test_secret_looking_values_are_refused(value: str) -> None:
    with pytest.raises(ValidationError, match="looks like a secret") as excinfo:
        Settings(last_email=value)
    # The refusal must not itself echo the secret into a log or traceback text.
    assert value not in str(excinfo.value)

    s = Settings()
    for assign in (
        lambda: setattr(s, "last_email", value),
        lambda: setattr(s, "last_page_by_tenant", {"44": value}),
        lambda: setattr(s, "last_tenant_by_account", {value: 1}),
        lambda: setattr(s, "recent_servers", [value]),
    ):
        with pytest.raises(ValidationError):
            assign()
    assert s == Settings()


def test_the_secret_check_does_not_rescan_what_it_passed_and_keeps_no_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A support engineer's settings hold an entry per workspace visited, reassigned whole on
    # every switch: each switch re-checked every key (5 ms and growing with 253 entries).
    scanned: list[str] = []
    real = settings.contains_secret

    def counting(text: str) -> bool:
        scanned.append(text)
        return real(text)

    monkeypatch.setattr(settings, "contains_secret", counting)
    monkeypatch.setattr(settings, "_CHECKED_CLEAN", set())  # (as in a fresh process)
    s = Settings()
    pages = {f"support@callaro.test|https://callaro.ai#{n}": "phone_numbers" for n in range(253)}
    s.last_page_by_tenant = pages
    first = len(scanned)
    assert first >= 253  # every key checked once (the value once: it repeats)
    s.last_page_by_tenant = {**pages, "support@callaro.test|https://callaro.ai#7": "users"}
    assert len(scanned) - first == 1  # only the new string
    # A secret among known strings is still refused, and is not remembered as clean.
    with pytest.raises(ValidationError, match="looks like a secret"):
        s.last_page_by_tenant = {**pages, "support@callaro.test|https://callaro.ai#8": JWT}
    assert JWT not in settings._CHECKED_CLEAN
    with pytest.raises(ValidationError, match="looks like a secret"):
        s.last_page_by_tenant = {**pages, "support@callaro.test|https://callaro.ai#8": JWT}
    assert s.last_page_by_tenant["support@callaro.test|https://callaro.ai#7"] == "users"


def test_ordinary_values_are_not_mistaken_for_secrets() -> None:
    s = Settings(
        last_email="sk_team@acme.in",
        last_page_by_tenant={"44": "api_keys", "45": "sk_live_ab12"},  # a key prefix, not a key
    )
    assert s.last_page_by_tenant["45"] == "sk_live_ab12"


def test_secret_in_the_file_falls_back_and_is_not_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    _write(json.dumps({"last_email": JWT, "appearance": "dark"}))
    with caplog.at_level(logging.DEBUG):
        loaded = settings.load()
    assert loaded.last_email == ""
    assert loaded.appearance == "dark"
    assert "last_email" in caplog.text
    assert JWT not in caplog.text


def test_recent_servers_are_normalized_unique_newest_first_and_capped() -> None:
    s = Settings()
    for n in range(12):
        s.remember_server(f"https://tenant{n}.example.com/")
    s.remember_server("TENANT5.example.com:443")

    assert s.server_url == "https://tenant5.example.com"
    assert s.recent_servers[0] == "https://tenant5.example.com"
    assert len(s.recent_servers) == settings.MAX_RECENT_SERVERS
    assert len(set(s.recent_servers)) == len(s.recent_servers)
    assert s.recent_servers[1] == "https://tenant11.example.com"
    assert "https://tenant1.example.com" not in s.recent_servers  # oldest dropped


def test_recent_servers_from_file_drop_bad_entries() -> None:
    _write(json.dumps({"recent_servers": ["ftp://x", "api.callaro.ai", "https://api.callaro.ai/"]}))
    assert settings.load().recent_servers == ["https://api.callaro.ai"]


def test_recent_tenants_capped_at_twenty_per_account() -> None:
    s = Settings()
    for tenant in range(25):
        s.remember_tenant("acct", tenant)
    s.remember_tenant("acct", 3)
    assert s.last_tenant_by_account == {"acct": 3}
    assert s.recent_tenants["acct"][:2] == [3, 24]
    assert len(s.recent_tenants["acct"]) == settings.MAX_RECENT_TENANTS


def test_favourites_toggle() -> None:
    s = Settings()
    s.set_favourite_tenant("acct", 1, True)
    s.set_favourite_tenant("acct", 2, True)
    s.set_favourite_tenant("acct", 1, True)
    assert s.favourite_tenants == {"acct": [2, 1]}
    s.set_favourite_tenant("acct", 2, False)
    s.set_favourite_tenant("acct", 1, False)
    assert s.favourite_tenants == {}


def test_saved_accounts_are_normalized_and_unique() -> None:
    s = Settings()
    s.add_saved_account("api.callaro.ai", "Admin@Acme.in ")
    s.add_saved_account("https://API.callaro.ai/", "admin@acme.in")
    assert s.saved_accounts == [
        SavedAccount(server="https://api.callaro.ai", email="admin@acme.in")
    ]
    s.remove_saved_account("https://api.callaro.ai", "ADMIN@acme.in")
    assert s.saved_accounts == []


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("api.callaro.ai", "https://api.callaro.ai"),
        ("  HTTPS://Api.Callaro.AI/  ", "https://api.callaro.ai"),
        ("https://api.callaro.ai:443/", "https://api.callaro.ai"),
        ("http://localhost:8765/", "http://localhost:8765"),
        ("http://127.0.0.1:80", "http://127.0.0.1"),
        ("https://example.com/callaro/?x=1#frag", "https://example.com/callaro"),
        ("https://[::1]:8443", "https://[::1]:8443"),
    ],
)
def test_normalize_server_url(given: str, expected: str) -> None:
    assert settings.normalize_server_url(given) == expected


@pytest.mark.parametrize(
    "bad", ["", "   ", "ftp://x.org", "https://", "https://u:p@host", "https://host:99999"]
)
def test_normalize_server_url_rejects(bad: str) -> None:
    with pytest.raises(ValueError):
        settings.normalize_server_url(bad)


def test_account_key_is_one_spelling_per_account() -> None:
    assert settings.account_key("api.callaro.ai/", " Admin@Acme.in") == settings.account_key(
        "https://api.callaro.ai", "admin@acme.in"
    )


def test_account_key_with_a_port_is_not_mistaken_for_a_secret() -> None:
    # A loopback sandbox has a port; the key must still be storable.
    key = settings.account_key("http://127.0.0.1:40123", "admin@demo.callaro.test")
    s = settings.Settings()
    s.remember_tenant(key, 7)
    assert s.last_tenant_by_account[key] == 7


def test_the_last_workspace_s_role_is_remembered_with_it_and_survives_a_reload(
    home: Path,
) -> None:
    s = settings.Settings()
    s.remember_tenant("a|s", 7, "tenant_viewer")
    s.remember_tenant("b|s", 9, "tenant_admin")
    s.remember_tenant("a|s", 8, "tenant_operator")
    assert s.last_tenant_by_account == {"a|s": 8, "b|s": 9}
    assert s.last_role_by_account == {"a|s": "tenant_operator", "b|s": "tenant_admin"}
    s.remember_tenant("b|s", 10)  # no role known: none is kept for that account
    assert s.last_role_by_account == {"a|s": "tenant_operator"}
    settings.save(s)
    assert settings.load().last_role_by_account == {"a|s": "tenant_operator"}


def test_save_soon_leaves_the_caller_while_the_disk_syncs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The GUI thread saves on every switch and every change of a list's view: a disk slow to
    # sync (a busy laptop disk, a network home folder) must not hold it up.
    path = tmp_path / "settings.json"
    syncing = threading.Event()
    release = threading.Event()
    real_fsync = os.fsync

    def slow_fsync(fd: int) -> None:
        syncing.set()
        assert release.wait(10)
        real_fsync(fd)

    monkeypatch.setattr(settings.os, "fsync", slow_fsync)
    first = Settings(last_email="first@example.com")
    settings.save_soon(first, path)  # returns at once, though the disk is stuck
    assert syncing.wait(5)
    assert not settings.flush_saves(0.05)
    # Saves queued meanwhile fold into the newest; an immediate save() of an even newer one
    # is not overwritten by them.
    for n in range(5):
        settings.save_soon(Settings(last_email=f"queued-{n}@example.com"), path)
    release.set()
    assert settings.flush_saves(5)
    assert json.loads(path.read_text(encoding="utf-8"))["last_email"] == "queued-4@example.com"

    settings.save_soon(Settings(last_email="older@example.com"), path)
    settings.save(Settings(last_email="newest@example.com"), path)
    assert settings.flush_saves(5)
    assert json.loads(path.read_text(encoding="utf-8"))["last_email"] == "newest@example.com"


class _MkdirWatch:
    """The folders each thread makes while watching (an audit hook cannot be removed once
    added: one hook, added on first use, serves every run)."""

    made: list[tuple[str, str]] | None = None
    hooked = False

    @classmethod
    def hook(cls, event: str, args: tuple[object, ...]) -> None:
        if event == "os.mkdir" and cls.made is not None:
            cls.made.append((threading.current_thread().name, str(args[0])))

    @classmethod
    def start(cls) -> list[tuple[str, str]]:
        if not cls.hooked:
            sys.addaudithook(cls.hook)
            cls.hooked = True
        cls.made = []
        return cls.made

    @classmethod
    def stop(cls) -> None:
        cls.made = None


def test_save_soon_makes_the_settings_folder_on_the_writer_s_thread(home: Path) -> None:
    # A first save (or one after the folder was removed) makes the folder: on the writer's
    # thread, with the write, not on the GUI thread that queued it (a network home folder
    # answers a mkdir as slowly as a write).
    made = _MkdirWatch.start()
    try:
        settings.save_soon(Settings(last_email="first@example.com"))
        assert settings.flush_saves(5)
    finally:
        _MkdirWatch.stop()
    caller = threading.current_thread().name
    assert [folder for thread, folder in made if thread == caller] == []
    assert str(home / "config") in [folder for thread, folder in made if thread != caller]
    saved = json.loads((home / "config" / "settings.json").read_text(encoding="utf-8"))
    assert saved["last_email"] == "first@example.com"


def test_save_soon_logs_a_failed_write_and_the_next_save_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "settings.json"

    def full_disk(*_args: object, **_kwargs: object) -> tuple[int, str]:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(settings.tempfile, "mkstemp", full_disk)
    with caplog.at_level(logging.WARNING, logger="callaro_desktop.settings"):
        settings.save_soon(Settings(last_email="a@example.com"), path)
        assert settings.flush_saves(5)
    assert "could not save settings" in caplog.text and "No space left" in caplog.text
    assert not path.exists()
    monkeypatch.undo()
    settings.save_soon(Settings(last_email="b@example.com"), path)
    assert settings.flush_saves(5)
    assert json.loads(path.read_text(encoding="utf-8"))["last_email"] == "b@example.com"


def test_per_workspace_memories_keep_the_most_recently_used_workspaces() -> None:
    # A support engineer's settings would otherwise grow by an entry per workspace all year,
    # and with them the file, its loading at start-up and every save.
    s = Settings()
    limit = settings.MAX_REMEMBERED_WORKSPACES
    account = "support@callaro.test|https://callaro.ai"
    for n in range(limit + 50):
        s.remember_page(settings.tenant_key(account, n), "dashboard")
    assert len(s.last_page_by_tenant) == limit
    assert settings.tenant_key(account, 0) not in s.last_page_by_tenant  # the oldest went
    # Going back to a workspace makes it the newest: it outlives ones used since.
    kept = settings.tenant_key(account, 50)
    s.remember_page(kept, "users")
    for n in range(limit + 50, limit + 50 + limit - 1):
        s.remember_page(settings.tenant_key(account, n), "dashboard")
    assert s.last_page_by_tenant[kept] == "users"
    assert settings.tenant_key(account, 51) not in s.last_page_by_tenant

    for n in range(settings.MAX_REMEMBERED_VIEWS + 10):
        s.remember_view(f"{settings.tenant_key(account, n)}#users", {"search": str(n)})
    assert len(s.view_state) == settings.MAX_REMEMBERED_VIEWS
    newest = f"{settings.tenant_key(account, settings.MAX_REMEMBERED_VIEWS + 9)}#users"
    assert s.view_state[newest] == {"search": str(settings.MAX_REMEMBERED_VIEWS + 9)}
    # A file written by an older version, longer than that, loads trimmed to the newest.
    loaded = Settings.model_validate(
        {"last_page_by_tenant": {f"{account}#{n}": "users" for n in range(limit + 7)}}
    )
    assert list(loaded.last_page_by_tenant) == [f"{account}#{n}" for n in range(7, limit + 7)]
