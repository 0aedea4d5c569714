#!/usr/bin/env python3
"""The macOS bundle's Info.plist, generated with plistlib from the one version number.

    python3 packaging/macos/info_plist.py           # rewrite packaging/macos/Info.plist
    python3 packaging/macos/info_plist.py --check   # exit 1 if the committed file is stale

The PyInstaller spec passes ``info_plist()`` to ``BUNDLE`` (it merges these keys into the plist
it writes), and the committed ``Info.plist`` is the same dictionary written out, for review and
for tests/packaging, which load it with plistlib.

Stable identity: macOS keychain items remember which app may read them through its code
signature's *designated requirement*, ``identifier "ai.callaro.Desktop" and anchor apple
generic and certificate leaf[subject.OU] = "<Team ID>"``. As long as every release keeps
``CFBundleIdentifier`` below and is signed by a Developer ID certificate of the same team
(sign-and-notarize.sh), an update reads the sign-ins the previous version saved without
asking. Changing the identifier, the team, or shipping an ad-hoc signed build breaks that.
"""

from __future__ import annotations

import argparse
import plistlib
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from version import app_version  # noqa: E402  packaging/version.py, not a package

BUNDLE_ID = "ai.callaro.Desktop"
EXECUTABLE = "callaro-desktop"
ICON_FILE = "callaro-desktop.icns"
# The oldest macOS the bundled Qt supports. build.py passes the value read from the PySide6
# wheel actually bundled (its platform tag); this default matches PySide6 6.10+ wheels.
DEFAULT_MINIMUM_MACOS = "13.0"
PLIST = HERE / "Info.plist"


def info_plist(
    version: str | None = None, minimum_macos: str = DEFAULT_MINIMUM_MACOS
) -> dict[str, Any]:
    version = version or app_version()
    return {
        "CFBundleIdentifier": BUNDLE_ID,
        "CFBundleName": "Callaro Desktop",
        "CFBundleDisplayName": "Callaro Desktop",
        "CFBundleExecutable": EXECUTABLE,
        "CFBundleIconFile": ICON_FILE,
        "CFBundlePackageType": "APPL",
        "CFBundleInfoDictionaryVersion": "6.0",
        "CFBundleDevelopmentRegion": "en",
        # Both from __version__: the marketing version, and the build number updates compare.
        "CFBundleShortVersionString": version,
        "CFBundleVersion": version,
        "NSHumanReadableCopyright": "© Callaro. Qt for Python (PySide6) is used under the LGPL v3.",
        "LSApplicationCategoryType": "public.app-category.business",
        "LSMinimumSystemVersion": minimum_macos,
        "NSPrincipalClass": "NSApplication",
        "NSHighResolutionCapable": True,
        # Follow the system's light/dark appearance (the app's "System" theme).
        "NSRequiresAquaSystemAppearance": False,
        "NSSupportsAutomaticGraphicsSwitching": True,
        # Signing in to a Callaro server on the local network (not loopback, which the demo
        # sandbox uses) needs the user's permission from macOS 15 on; this is the question.
        "NSLocalNetworkUsageDescription": (
            "Callaro Desktop connects to the Callaro server you sign in to, which may be on "
            "your local network."
        ),
    }


def minimum_macos_from_wheel_tags(tags: list[str], default: str = DEFAULT_MINIMUM_MACOS) -> str:
    """The highest ``macosx_X_Y`` in a wheel's tags (``Tag:`` lines of its WHEEL file)."""
    versions: list[tuple[int, int]] = []
    for tag in tags:
        platform = tag.rsplit("-", 1)[-1]
        if platform.startswith("macosx_"):
            fields = platform.split("_")
            versions.append((int(fields[1]), int(fields[2])))
    if not versions:
        return default
    newest = max(versions)
    return f"{newest[0]}.{newest[1]}"


def render(data: dict[str, Any]) -> bytes:
    return plistlib.dumps(data, fmt=plistlib.FMT_XML, sort_keys=True)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report a stale Info.plist")
    args = parser.parse_args(argv)
    wanted = render(info_plist())
    if args.check:
        if not PLIST.exists() or PLIST.read_bytes() != wanted:
            print(f"stale: {PLIST} (run {Path(__file__).name})")
            return 1
        return 0
    PLIST.write_bytes(wanted)
    print(f"wrote {PLIST}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
