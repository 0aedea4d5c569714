"""Test-wide set-up shared by every suite.

Qt runs offscreen unless a display is asked for, and every file the app writes goes
to a per-session temporary home so tests never touch the developer's real config,
logs or keychain entries.
"""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("QT_API", "pyside6")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault(
    "CALLARO_DESKTOP_HOME", tempfile.mkdtemp(prefix="callaro-desktop-test-home-")
)
