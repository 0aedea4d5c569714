"""Where the files of ``resources/`` (icons, styles, translations) are, however the app runs.

Qt-free on purpose: the self-test, packaging scripts and tests ask here too.

The repository keeps them in ``resources/`` beside the packages (design.md). An installed
wheel carries them as ``callaro_desktop/_resources`` (pyproject's hatch ``force-include``),
and the frozen bundle puts them at the same place under its ``_internal`` folder
(packaging/callaro-desktop.spec). The folder is not called ``resources`` inside the package
because this module already has that name.
"""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["APP_ICON_SIZES", "app_icon_files", "resource_path", "resources_dir"]

PACKAGED_NAME = "_resources"
APP_ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
APP_ICON_SVG = "icons/app/callaro-desktop.svg"

_PACKAGE = Path(__file__).resolve().parent


def _candidates() -> list[Path]:
    found = [
        _PACKAGE / PACKAGED_NAME,  # installed wheel, frozen bundle
        _PACKAGE.parent / "resources",  # source checkout, editable install
    ]
    bundle = getattr(sys, "_MEIPASS", None)  # PyInstaller's unpacked folder, as a fallback
    if bundle:
        found.append(Path(bundle) / "callaro_desktop" / PACKAGED_NAME)
    return found


def resources_dir() -> Path:
    """The folder holding the resources; FileNotFoundError names every place looked in."""
    candidates = _candidates()
    for folder in candidates:
        if (folder / APP_ICON_SVG).is_file():
            return folder
    looked = ", ".join(str(c) for c in candidates)
    raise FileNotFoundError(f"Callaro Desktop's resources are missing (looked in {looked})")


def resource_path(name: str) -> Path:
    """The file ``name`` (a path relative to ``resources/``, with forward slashes)."""
    path = resources_dir().joinpath(*name.split("/"))
    if not path.exists():
        raise FileNotFoundError(f"resource {name!r} is missing ({path})")
    return path


def app_icon_files() -> list[Path]:
    """The app icon's PNGs, small to large (rendered from the SVG by packaging/make_icons.py).

    PNGs rather than the SVG, so the window icon needs no SVG plugin; a missing one is an error.
    """
    return [resource_path(f"icons/app/callaro-desktop-{size}.png") for size in APP_ICON_SIZES]
