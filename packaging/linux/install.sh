#!/bin/sh
# Install Callaro Desktop for the current user, into the application menu. No root needed.
#
#   ./install.sh              copy this bundle and add it to the menu
#   ./install.sh --uninstall  remove it again (settings, logs and sign-ins are kept)
#
# Run from the unpacked bundle (callaro-desktop-<version>/, which holds this script, the
# callaro-desktop program and share/). Follows the XDG base directories:
#   program      $XDG_DATA_HOME/ai.callaro.Desktop/          (default ~/.local/share/...)
#   command      ~/.local/bin/callaro-desktop                (a symbolic link)
#   menu entry   $XDG_DATA_HOME/applications/ai.callaro.Desktop.desktop
#   icons        $XDG_DATA_HOME/icons/hicolor/<size>/apps/ai.callaro.Desktop.{png,svg}
#   AppStream    $XDG_DATA_HOME/metainfo/ai.callaro.Desktop.metainfo.xml
set -eu

APP_ID=ai.callaro.Desktop
HERE=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
DATA_HOME=${XDG_DATA_HOME:-"$HOME/.local/share"}
BIN_HOME="$HOME/.local/bin"
TARGET="$DATA_HOME/$APP_ID"
ICONS="$DATA_HOME/icons/hicolor"

refresh_caches() {
    # Both are optional: desktops notice new files by themselves, these only make it quicker.
    if command -v update-desktop-database >/dev/null 2>&1; then
        update-desktop-database -q "$DATA_HOME/applications" 2>/dev/null || true
    fi
    if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -f "$ICONS/index.theme" ]; then
        gtk-update-icon-cache -q -t "$ICONS" 2>/dev/null || true
    fi
}

uninstall() {
    rm -f "$DATA_HOME/applications/$APP_ID.desktop" "$DATA_HOME/metainfo/$APP_ID.metainfo.xml"
    for icon in "$ICONS"/*/apps/"$APP_ID".png "$ICONS"/scalable/apps/"$APP_ID".svg; do
        rm -f "$icon"
    done
    if [ -L "$BIN_HOME/callaro-desktop" ]; then
        rm -f "$BIN_HOME/callaro-desktop"
    fi
    rm -rf "$TARGET"
    refresh_caches
    echo "Callaro Desktop removed. Settings, logs and saved sign-ins were left in place."
}

install_app() {
    if [ ! -x "$HERE/callaro-desktop" ] || [ ! -d "$HERE/share" ]; then
        echo "install.sh: run me from the unpacked Callaro Desktop bundle" >&2
        exit 1
    fi
    # Copy into a fresh folder, then swap it in, so a failed copy leaves the old version.
    mkdir -p "$DATA_HOME"
    rm -rf "$TARGET.new"
    cp -a "$HERE/." "$TARGET.new"
    rm -rf "$TARGET"
    mv "$TARGET.new" "$TARGET"

    mkdir -p "$BIN_HOME" "$DATA_HOME/applications" "$DATA_HOME/metainfo"
    ln -sfn "$TARGET/callaro-desktop" "$BIN_HOME/callaro-desktop"

    # The menu entry runs the program by its full path: ~/.local/bin is not on every PATH.
    sed -e "s|^Exec=callaro-desktop|Exec=\"$TARGET/callaro-desktop\"|" \
        -e "s|^TryExec=callaro-desktop|TryExec=$TARGET/callaro-desktop|" \
        "$HERE/share/applications/$APP_ID.desktop" >"$DATA_HOME/applications/$APP_ID.desktop"
    cp "$HERE/share/metainfo/$APP_ID.metainfo.xml" "$DATA_HOME/metainfo/"
    for dir in "$HERE"/share/icons/hicolor/*/apps; do
        size=$(basename "$(dirname "$dir")")
        mkdir -p "$ICONS/$size/apps"
        cp "$dir"/* "$ICONS/$size/apps/"
    done
    refresh_caches
    echo "Callaro Desktop installed in $TARGET and added to the application menu."
    case ":$PATH:" in
    *":$BIN_HOME:"*) echo "Start it from the menu or with: callaro-desktop" ;;
    *) echo "Start it from the menu or with: $BIN_HOME/callaro-desktop" ;;
    esac
}

case "${1:-}" in
"") install_app ;;
--uninstall) uninstall ;;
-h | --help) sed -n '2,13s/^# \{0,1\}//p' "$0" ;;
*)
    echo "usage: $0 [--uninstall]" >&2
    exit 2
    ;;
esac
