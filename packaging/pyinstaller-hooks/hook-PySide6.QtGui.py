"""PyInstaller's own QtGui hook, minus the Qt plugins Callaro Desktop never loads.

Plugins are dropped here, in the hook, rather than from the finished Analysis: PyInstaller
scans collected binaries for the shared libraries they link, so a plugin removed afterwards
would leave its libraries behind (the GTK 3 platform theme alone drags in GTK, GDK, ATK,
Cairo and Pango, ~25 MB, and mixing the build machine's GTK with the user's is a known
source of crashes).

Kept: the platforms a desktop session uses (xcb, wayland, windows, cocoa) plus offscreen for
--self-test; the XDG desktop portal theme (native file dialogs and the light/dark preference
on Linux); input methods (compose, ibus); SVG and ICO image formats and the SVG icon engine;
accessibility; the Wayland client shell (xdg-shell), decorations and EGL integration.
"""

from __future__ import annotations

import os

from PyInstaller.utils.hooks.qt import add_qt6_dependencies

# Plugin types to keep, each with the plugin names kept (None: every plugin of that type).
# A name is the file name without "lib" and extension, with or without its leading "q".
KEEP: dict[str, set[str] | None] = {
    "accessiblebridge": None,
    "iconengines": {"svgicon"},
    "imageformats": {"svg", "ico"},
    "platforms": {"xcb", "wayland", "offscreen", "windows", "cocoa"},
    "platforms/darwin": None,
    "platforminputcontexts": None,
    "platformthemes": {"xdgdesktopportal"},
    "xcbglintegrations": None,
    "wayland-decoration-client": {"bradient", "adwaita"},
    "wayland-graphics-integration-client": {"qt-plugin-wayland-egl"},
    "wayland-shell-integration": {"xdg-shell"},
    # Not kept: egldeviceintegrations (EGLFS on bare hardware), generic (evdev/tuio input for
    # EGLFS and linuxfb), the eglfs/linuxfb/vnc/minimal/vkkhrdisplay platforms, the GTK 3 theme,
    # and the raster image formats (gif, jpeg, tiff, webp, tga, wbmp, icns) no screen shows.
}


def plugin_names(path: str) -> set[str]:
    stem = os.path.basename(path).split(".")[0].removeprefix("lib")
    return {stem, stem[1:]} if stem.startswith("q") else {stem}


def plugin_type(dest: str) -> str:
    parts = dest.replace("\\", "/").split("/")
    index = parts.index("plugins")
    return "/".join(parts[index + 1 :])


def keep(src: str, dest: str) -> bool:
    if "plugins" not in dest.replace("\\", "/").split("/"):
        return True
    names = KEEP.get(plugin_type(dest), set())
    if names is None:
        return True
    return bool(plugin_names(src) & names)


hiddenimports, binaries, datas = add_qt6_dependencies(__file__)
binaries = [(src, dest) for src, dest in binaries if keep(src, dest)]
