"""The one version number (``callaro_desktop.__version__``), read without importing the app.

Packaging scripts run where the app's dependencies may not be installed (a spec file on a
build machine, the Info.plist generator in CI), so they parse the assignment instead.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INIT = ROOT / "callaro_desktop" / "__init__.py"


def app_version() -> str:
    match = re.search(r'^__version__\s*=\s*"([^"]+)"', INIT.read_text(encoding="utf-8"), re.M)
    if match is None:
        raise RuntimeError(f"no __version__ in {INIT}")
    return match.group(1)


if __name__ == "__main__":
    print(app_version())
