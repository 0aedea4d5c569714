#!/bin/bash
# Sign "Callaro Desktop.app" with a Developer ID, notarise it with Apple and staple the ticket,
# then wrap it in a signed, notarised .dmg. Runs on macOS with Xcode's command-line tools.
#
#   packaging/macos/sign-and-notarize.sh ["dist/Callaro Desktop.app"]
#
# Needs, in the environment:
#   CODESIGN_IDENTITY  "Developer ID Application: Callaro (TEAMID1234)" (in the login keychain)
#   TEAM_ID            TEAMID1234, the team of that certificate
#   NOTARY_PROFILE     a notarytool keychain profile, made once with
#                      xcrun notarytool store-credentials callaro-notary \
#                          --apple-id ... --team-id TEAMID1234 --password <app-specific password>
#   SKIP_NOTARIZE=1    sign and verify only (no upload), e.g. to try the entitlements
#
# Stable identity: sign every release with the same team's Developer ID and keep the bundle id
# ai.callaro.Desktop. The designated requirement is then the same from version to version, and
# the keychain keeps handing saved sign-ins to updates without asking. An ad-hoc signature
# ("-") would tie them to one build's hash, so this script refuses it.
#
# Order matters: codesign seals what is inside a bundle, so nested code is signed first (inside
# out: libraries and loose executables, then .framework bundles, then the app); --deep is not
# used for signing because it applies one set of options to everything.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
APP=${1:-"$ROOT/dist/Callaro Desktop.app"}
ENTITLEMENTS="$HERE/entitlements.plist"
BUNDLE_ID=ai.callaro.Desktop
EXE_NAME=callaro-desktop

die() {
    echo "sign-and-notarize: $*" >&2
    exit 1
}

[ "$(uname -s)" = Darwin ] || die "runs on macOS only"
[ -n "${CODESIGN_IDENTITY:-}" ] || die "set CODESIGN_IDENTITY to your 'Developer ID Application: ...' identity"
[ "$CODESIGN_IDENTITY" != "-" ] || die "ad-hoc signing changes the app's identity every build; use a Developer ID"
[ -n "${TEAM_ID:-}" ] || die "set TEAM_ID to the team of the signing certificate"
[ -d "$APP/Contents/MacOS" ] || die "no app bundle at $APP (build it with packaging/build.py)"

plist_value() { plutil -extract "$1" raw -o - "$APP/Contents/Info.plist"; }
[ "$(plist_value CFBundleIdentifier)" = "$BUNDLE_ID" ] || die "CFBundleIdentifier is not $BUNDLE_ID"
VERSION=$(plist_value CFBundleShortVersionString)
ARCH=$(uname -m)

sign_code() { # nested code: hardened runtime and a secure timestamp, no entitlements
    codesign --force --timestamp --options runtime --sign "$CODESIGN_IDENTITY" "$1"
}

is_macho() { file -b "$1" | grep -q "Mach-O"; }

depth_first() { # paths on stdin, deepest first, so contents are signed before containers
    awk -F/ '{ print NF "\t" $0 }' | sort -rn -k1,1 | cut -f2-
}

echo "== signing nested code in $APP"
find "$APP/Contents" -type f ! -path "$APP/Contents/MacOS/$EXE_NAME" |
    depth_first | while IFS= read -r file; do
    if is_macho "$file"; then sign_code "$file"; fi
done
find "$APP/Contents" -type d -name "*.framework" | depth_first | while IFS= read -r framework; do
    sign_code "$framework"
done

echo "== signing the app (entitlements: $(basename "$ENTITLEMENTS"))"
codesign --force --timestamp --options runtime --entitlements "$ENTITLEMENTS" \
    --sign "$CODESIGN_IDENTITY" "$APP"

echo "== verifying"
codesign --verify --deep --strict --verbose=2 "$APP"
requirement=$(codesign --display --requirements - "$APP" 2>&1)
echo "$requirement" | grep -q "identifier \"$BUNDLE_ID\"" ||
    die "designated requirement does not name $BUNDLE_ID: $requirement"
echo "$requirement" | grep -q "$TEAM_ID" ||
    die "designated requirement does not name team $TEAM_ID: $requirement"
# The signed program under the hardened runtime: Qt, keyring (ctypes), TLS, the sandbox.
"$APP/Contents/MacOS/$EXE_NAME" --self-test

if [ "${SKIP_NOTARIZE:-}" = 1 ]; then
    echo "== signed; notarisation skipped (SKIP_NOTARIZE=1)"
    exit 0
fi
[ -n "${NOTARY_PROFILE:-}" ] || die "set NOTARY_PROFILE (xcrun notarytool store-credentials)"

notarize() { # upload, wait for Apple's verdict, print its log on failure
    local output id
    output=$(xcrun notarytool submit "$1" --keychain-profile "$NOTARY_PROFILE" --wait 2>&1) || true
    echo "$output"
    if ! echo "$output" | grep -q "status: Accepted"; then
        id=$(echo "$output" | awk '/^ *id:/ { print $2; exit }')
        if [ -n "$id" ]; then
            xcrun notarytool log "$id" --keychain-profile "$NOTARY_PROFILE" || true
        fi
        die "notarisation of $(basename "$1") was not accepted"
    fi
}

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

echo "== notarising the app"
ditto -c -k --keepParent "$APP" "$WORK/app.zip"
notarize "$WORK/app.zip"
xcrun stapler staple "$APP"
xcrun stapler validate "$APP"
spctl --assess --type execute --verbose=2 "$APP"

echo "== disk image"
DMG="$(dirname "$APP")/callaro-desktop-$VERSION-macos-$ARCH.dmg"
rm -f "$DMG"
mkdir "$WORK/dmg"
cp -R "$APP" "$WORK/dmg/" # the stapled app, beside a link to drag it onto
ln -s /Applications "$WORK/dmg/Applications"
hdiutil create -volname "Callaro Desktop $VERSION" -srcfolder "$WORK/dmg" -ov -format UDZO "$DMG"
codesign --force --timestamp --sign "$CODESIGN_IDENTITY" "$DMG"
notarize "$DMG"
xcrun stapler staple "$DMG"
spctl --assess --type open --context context:primary-signature --verbose=2 "$DMG"
echo "== done: $DMG"
