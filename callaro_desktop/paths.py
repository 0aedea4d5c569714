"""Where every file Callaro Desktop writes lives.

Nothing else in the app builds a path to a config, data, cache or log location: it asks here,
so that ``CALLARO_DESKTOP_HOME`` can move everything at once (tests, portable installs) and a
reviewer can see in one screen what the app leaves on a machine.

Directories are created when asked for, not at import, so importing this module (or any that
uses it) never writes to disk.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from platformdirs import PlatformDirs

APP_NAME = "CallaroDesktop"
APP_AUTHOR = "Callaro"
HOME_ENV = "CALLARO_DESKTOP_HOME"

SETTINGS_FILE_NAME = "settings.json"
WINDOW_STATE_FILE_NAME = "window.ini"
LOG_FILE_NAME = "callaro-desktop.log"
PLAINTEXT_TOKEN_FILE_NAME = "sign-ins-UNENCRYPTED.json"

# Config and logs name accounts and servers, so keep new folders private to the user; an
# existing folder's mode is the user's business and is left alone.
_DIR_MODE = 0o700


def portable_home() -> Path | None:
    """The folder named by ``CALLARO_DESKTOP_HOME``, or None when the platform dirs apply.

    Read on every call rather than once at import: tests and the launcher set it after
    this module may already have been imported.
    """
    raw = os.environ.get(HOME_ENV, "").strip()
    if not raw:
        return None
    return _resolved(raw)


@functools.cache
def _resolved(raw: str) -> Path:
    # (resolve() asks the disk about every folder on the way: once per home named, not on
    # each save the GUI thread queues)
    return Path(raw).expanduser().resolve()


def _platform_dirs() -> PlatformDirs:
    return PlatformDirs(appname=APP_NAME, appauthor=APP_AUTHOR, ensure_exists=False)


def _ensure(path: Path) -> Path:
    path.mkdir(mode=_DIR_MODE, parents=True, exist_ok=True)
    return path


def _resolve(sub: str, platform_path: str, *, create: bool = True) -> Path:
    home = portable_home()
    path = home / sub if home is not None else Path(platform_path)
    return _ensure(path) if create else path


def config_dir(*, create: bool = True) -> Path:
    """Preferences (``settings.json``); `create=False` names it without touching the disk,
    for a caller on the GUI thread whose write (on a thread of its own) makes the folder."""
    return _resolve("config", _platform_dirs().user_config_dir, create=create)


def data_dir() -> Path:
    """Data the user would miss if it vanished (e.g. the opt-in plaintext sign-in file)."""
    return _resolve("data", _platform_dirs().user_data_dir)


def cache_dir() -> Path:
    """Anything that can be thrown away and rebuilt."""
    return _resolve("cache", _platform_dirs().user_cache_dir)


def log_dir() -> Path:
    """Rotating log files, the first thing support asks for."""
    return _resolve("logs", _platform_dirs().user_log_dir)


def settings_file(*, create: bool = True) -> Path:
    return config_dir(create=create) / SETTINGS_FILE_NAME


def window_state_file() -> Path:
    """Where each window was and how its sidebar was (Qt's ini format): beside settings.json,
    so a portable home (or a test's) holds it too."""
    return config_dir() / WINDOW_STATE_FILE_NAME


def log_file() -> Path:
    return log_dir() / LOG_FILE_NAME


def plaintext_token_file() -> Path:
    return data_dir() / PLAINTEXT_TOKEN_FILE_NAME
