"""Test-wide set-up shared by every suite.

Qt runs offscreen unless a display is asked for, and every file the app writes goes
to a per-session temporary home so tests never touch the developer's real config,
logs or keychain entries.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import shutil
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_API", "pyside6")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
if not os.environ.get("CALLARO_DESKTOP_HOME"):
    _HOME = tempfile.mkdtemp(prefix="callaro-desktop-test-home-")
    os.environ["CALLARO_DESKTOP_HOME"] = _HOME
    # Gone when the session ends: every run used to leave its home in the temp folder (a
    # developer's machine held hundreds). Registered first, so it runs after the settings
    # writer's own wait at exit.
    atexit.register(shutil.rmtree, _HOME, ignore_errors=True)

_TESTS = Path(__file__).resolve().parent

# `.venv/bin/pytest` (unlike `python -m pytest`) does not put the checkout on sys.path, and
# --import-mode=importlib does not add it either: without this the packages under test are
# importable only once installed into the venv.
if str(_TESTS.parent) not in sys.path:
    sys.path.insert(0, str(_TESTS.parent))

# Nothing in the test process may reach the developer's real keychain through keyring's own
# detection: by default there is "no keychain". Tests that need one use the private Secret
# Service of the `secret_service` fixture, which selects its backend explicitly.
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"


def _load_keychain_fixture() -> object:
    # tests/ is not a package and is not on sys.path, so load the module by its file.
    spec = importlib.util.spec_from_file_location(
        "callaro_tests_keychain_fixture", _TESTS / "keychain_fixture.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


# A private Secret Service (dbus-daemon + gnome-keyring-daemon), see keychain_fixture.py.
secret_service = _load_keychain_fixture().secret_service  # type: ignore[attr-defined]
