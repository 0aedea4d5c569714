"""The files under packaging/ and resources/ that only other platforms or installers read.

Windows and macOS builds cannot run here, so their inputs are checked as data: the version in
every one of them is callaro_desktop.__version__, names agree with what the build produces,
plists load with plistlib, and the Linux files pass the freedesktop validators when installed.
"""

from __future__ import annotations

import ast
import configparser
import importlib
import importlib.util
import plistlib
import re
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path
from types import ModuleType

import pytest

from callaro_desktop import __version__, resources

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
APP_ID = "ai.callaro.Desktop"
EXE = "callaro-desktop"


def _load(path: Path) -> ModuleType:
    """A packaging script as a module (packaging/ is deliberately not a package)."""
    sys.path.insert(0, str(PACKAGING))
    try:
        spec = importlib.util.spec_from_file_location(f"callaro_pkg_{path.stem}", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(PACKAGING))


# --- packaging/ is data and scripts, not a package --------------------------------------------


def test_packaging_folder_does_not_shadow_the_packaging_library() -> None:
    assert not (PACKAGING / "__init__.py").exists()


def test_one_version_everywhere_starts_from_the_package() -> None:
    version = _load(PACKAGING / "version.py")
    assert version.app_version() == __version__


# --- icons ------------------------------------------------------------------------------------


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", path
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_app_icon_pngs_exist_in_every_size() -> None:
    files = resources.app_icon_files()
    assert [_png_size(f) for f in files] == [(s, s) for s in resources.APP_ICON_SIZES]
    assert resources.APP_ICON_SIZES == (16, 24, 32, 48, 64, 128, 256, 512)


def test_app_icon_svg_is_square_and_well_formed() -> None:
    svg = ET.parse(resources.resource_path(resources.APP_ICON_SVG)).getroot()
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    assert svg.get("viewBox") == "0 0 512 512"


def test_windows_icon_holds_the_sizes_windows_asks_for() -> None:
    data = (PACKAGING / "windows" / "callaro-desktop.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind) == (0, 1)
    sizes = []
    for i in range(count):
        width, _h, _c, _r, _planes, bits, length, offset = struct.unpack(
            "<BBBBHHII", data[6 + 16 * i : 22 + 16 * i]
        )
        assert bits == 32 and offset + length <= len(data)
        sizes.append(width or 256)
    assert sizes == [16, 24, 32, 48, 64, 256]


def test_macos_icon_holds_retina_sizes() -> None:
    data = (PACKAGING / "macos" / "callaro-desktop.icns").read_bytes()
    assert data[:4] == b"icns" and struct.unpack(">I", data[4:8])[0] == len(data)
    kinds, offset = [], 8
    while offset < len(data):
        kind, length = (
            data[offset : offset + 4],
            struct.unpack(">I", data[offset + 4 : offset + 8])[0],
        )
        assert data[offset + 8 : offset + 16] == b"\x89PNG\r\n\x1a\n"
        kinds.append(kind.decode())
        offset += length
    assert offset == len(data)
    assert {"icp4", "ic07", "ic08", "ic09", "ic10", "ic14"} <= set(kinds)


def test_derived_icons_match_their_svg() -> None:
    done = subprocess.run(
        [sys.executable, str(PACKAGING / "make_icons.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stdout + done.stderr


# --- resources are found wherever the app runs from -------------------------------------------


def test_resources_are_found_in_the_source_tree() -> None:
    assert resources.resources_dir() == ROOT / "resources"
    assert resources.resource_path("icons/app/callaro-desktop-16.png").is_file()


def test_a_missing_resource_names_what_and_where() -> None:
    with pytest.raises(FileNotFoundError, match=r"no-such\.png"):
        resources.resource_path("icons/no-such.png")


def test_the_wheel_carries_resources_where_the_helper_looks() -> None:
    text = (ROOT / "pyproject.toml").read_text()
    assert re.search(r'^"resources" = "callaro_desktop/_resources"$', text, re.M)
    assert resources.PACKAGED_NAME == "_resources"


# --- Linux ------------------------------------------------------------------------------------


def _desktop_entry() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(PACKAGING / "linux" / f"{APP_ID}.desktop", encoding="utf-8")
    return parser


def test_desktop_file_has_the_required_keys() -> None:
    entry = _desktop_entry()["Desktop Entry"]
    assert entry["Type"] == "Application"
    assert entry["Name"] == "Callaro Desktop"
    assert entry["Exec"] == EXE and entry["TryExec"] == EXE
    assert entry["Icon"] == APP_ID  # the hicolor name install.sh gives the icons
    assert entry["Terminal"] == "false"
    assert entry["Categories"].endswith(";")
    # X11 matches windows to this entry by WM_CLASS; Qt names the instance after the program.
    assert entry["StartupWMClass"] == EXE
    assert _desktop_entry()["Desktop Action demo"]["Exec"] == f"{EXE} --demo"


def test_desktop_file_id_is_the_one_the_app_announces() -> None:
    # Wayland compositors match the window to the menu entry by this id.
    assert (
        f'app.setDesktopFileName("{APP_ID}")' in (ROOT / "callaro_desktop" / "app.py").read_text()
    )


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None, reason="no desktop-file-utils")
def test_desktop_file_passes_desktop_file_validate() -> None:
    done = subprocess.run(
        ["desktop-file-validate", str(PACKAGING / "linux" / f"{APP_ID}.desktop")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr


def test_metainfo_describes_this_version() -> None:
    root = ET.parse(PACKAGING / "linux" / f"{APP_ID}.metainfo.xml").getroot()
    assert root.tag == "component" and root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.findtext("name") == "Callaro Desktop"
    assert root.findtext("metadata_license") == "CC0-1.0"
    assert (root.findtext("summary") or "").strip()
    assert root.findall("description/p") and root.findall("description/ul/li")
    launchable = root.find("launchable")
    assert launchable is not None and launchable.get("type") == "desktop-id"
    assert launchable.text == f"{APP_ID}.desktop"
    assert (PACKAGING / "linux" / str(launchable.text)).is_file()
    assert root.findtext("provides/binary") == EXE
    releases = root.findall("releases/release")
    assert releases, "no <release>"
    newest = releases[0]
    assert newest.get("version") == __version__
    date.fromisoformat(str(newest.get("date")))


@pytest.mark.skipif(shutil.which("appstreamcli") is None, reason="appstream is not installed")
def test_metainfo_passes_appstreamcli_validate() -> None:
    done = subprocess.run(
        [
            "appstreamcli",
            "validate",
            "--no-net",
            str(PACKAGING / "linux" / f"{APP_ID}.metainfo.xml"),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _fake_bundle(tmp_path: Path) -> Path:
    """A bundle as build.py lays it out, with a stand-in program."""
    build = _load(PACKAGING / "build.py")
    bundle = tmp_path / "callaro-desktop-x"
    bundle.mkdir()
    program = bundle / EXE
    program.write_text('#!/bin/sh\necho fake callaro-desktop "$@"\n')
    program.chmod(0o755)
    build.add_linux_desktop_files(bundle)
    return bundle


def test_install_script_puts_the_app_in_the_users_menu(tmp_path: Path) -> None:
    bundle = _fake_bundle(tmp_path)
    home = tmp_path / "home"
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin"}

    subprocess.run(["sh", str(bundle / "install.sh")], env=env, check=True, capture_output=True)

    data = home / ".local" / "share"
    target = data / APP_ID
    assert (target / EXE).is_file()
    assert (home / ".local" / "bin" / EXE).resolve() == (target / EXE).resolve()
    desktop = (data / "applications" / f"{APP_ID}.desktop").read_text()
    assert f'Exec="{target}/{EXE}"\n' in desktop
    assert f'Exec="{target}/{EXE}" --demo\n' in desktop
    assert f"TryExec={target}/{EXE}\n" in desktop
    assert (data / "metainfo" / f"{APP_ID}.metainfo.xml").is_file()
    for size in resources.APP_ICON_SIZES:
        icon = data / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        assert _png_size(icon) == (size, size)
    assert (data / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").is_file()

    subprocess.run(
        ["sh", str(target / "install.sh"), "--uninstall"], env=env, check=True, capture_output=True
    )
    assert not target.exists()
    assert not (home / ".local" / "bin" / EXE).exists()
    assert not (data / "applications" / f"{APP_ID}.desktop").exists()
    assert not list((data / "icons").rglob(f"{APP_ID}.*"))


def test_install_script_honours_xdg_data_home(tmp_path: Path) -> None:
    bundle = _fake_bundle(tmp_path)
    env = {
        "HOME": str(tmp_path / "home"),
        "XDG_DATA_HOME": str(tmp_path / "xdg"),
        "PATH": "/usr/bin:/bin",
    }
    subprocess.run(["sh", str(bundle / "install.sh")], env=env, check=True, capture_output=True)
    assert (tmp_path / "xdg" / APP_ID / EXE).is_file()
    assert (tmp_path / "xdg" / "applications" / f"{APP_ID}.desktop").is_file()


# --- Windows ----------------------------------------------------------------------------------

ISS = PACKAGING / "windows" / "callaro-desktop.iss"


def _iss() -> tuple[dict[str, str], dict[str, dict[str, str]], dict[str, list[dict[str, str]]]]:
    """The #defines, the [Setup] keys, and every other section's entries (Name: "x"; ...)."""
    defines: dict[str, str] = {}
    setup: dict[str, str] = {}
    entries: dict[str, list[dict[str, str]]] = {}
    section = ""
    for raw in ISS.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(";"):
            continue
        if match := re.match(r'#\s*define\s+(\w+)\s+"([^"]*)"', line):
            defines.setdefault(match.group(1), match.group(2))
        elif line.startswith("#"):
            continue
        elif match := re.fullmatch(r"\[(\w+)\]", line):
            section = match.group(1)
        elif section == "Setup":
            key, _, value = line.partition("=")
            setup[key.strip()] = value.strip()
        else:
            fields = dict(
                (k.strip(), v.strip().strip('"'))
                for k, v in (part.split(":", 1) for part in re.split(r";\s+(?=\w+:)", line))
            )
            entries.setdefault(section, []).append(fields)
    return defines, {"Setup": setup}, entries


def _expand(value: str, defines: dict[str, str]) -> str:
    return re.sub(r"\{#(\w+)\}", lambda m: defines[m.group(1)], value)


def test_inno_setup_script_carries_the_version() -> None:
    defines, _, _ = _iss()
    assert defines["AppVersion"] == __version__


def test_inno_setup_installs_per_user_with_menu_entry_and_uninstaller() -> None:
    defines, sections, entries = _iss()
    setup = {k: _expand(v, defines) for k, v in sections["Setup"].items()}
    assert setup["PrivilegesRequired"] == "lowest"  # no administrator, HKCU uninstaller
    assert "PrivilegesRequiredOverridesAllowed" not in setup
    assert re.fullmatch(r"\{\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}", setup["AppId"])
    assert setup["DefaultDirName"] == "{autopf}\\Callaro Desktop"
    assert setup["UninstallDisplayIcon"] == "{app}\\callaro-desktop.exe"
    assert setup["AppVersion"] == __version__
    assert (ISS.parent / setup["SetupIconFile"]).is_file()
    # build.py looks for the installer under this name.
    build = _load(PACKAGING / "build.py")
    assert (ISS.parent / setup["OutputDir"].replace("\\", "/")).resolve() == ROOT / "dist"
    assert (
        f"{setup['OutputBaseFilename']}.exe" == f"{build.NAME}-{__version__}-windows-x64-setup.exe"
    )
    # It packs exactly the folder the spec builds, and the program the spec names.
    (files,) = entries["Files"]
    assert (ISS.parent / files["Source"].replace("\\", "/")).parent.resolve() == ROOT / "dist" / EXE
    assert "recursesubdirs" in files["Flags"]
    assert defines["AppExe"] == f"{EXE}.exe"
    menu = [_expand(e["Name"], defines) for e in entries["Icons"]]
    assert "{autoprograms}\\Callaro Desktop" in menu
    assert all(
        _expand(e["Filename"], defines) == "{app}\\callaro-desktop.exe" for e in entries["Icons"]
    )
    assert any(_expand(e["Name"], defines) == "{app}\\_internal" for e in entries["InstallDelete"])


def test_windows_version_resource_names_this_version(tmp_path: Path) -> None:
    version_info = _load(PACKAGING / "windows" / "version_info.py")
    assert version_info.version_tuple("0.1.0") == (0, 1, 0, 0)
    assert version_info.version_tuple("1.2.3rc1") == (1, 2, 3, 0)
    text = Path(version_info.write_version_file(tmp_path / "v.txt", __version__)).read_text()
    tree = ast.parse(text)  # PyInstaller evaluates this expression with its versioninfo classes
    calls = {
        n.func.id
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
    }
    assert {
        "VSVersionInfo",
        "FixedFileInfo",
        "StringFileInfo",
        "StringTable",
        "StringStruct",
    } <= calls
    assert f"StringStruct('ProductVersion', '{__version__}')" in text
    assert f"filevers={version_info.version_tuple(__version__)!r}" in text
    if importlib.util.find_spec("pefile") is not None:  # present where Windows builds run
        versioninfo = importlib.import_module("PyInstaller.utils.win32.versioninfo")
        assert versioninfo.load_version_info_from_text_file(str(tmp_path / "v.txt")).toRaw()


# --- macOS ------------------------------------------------------------------------------------


def test_info_plist_carries_the_version_and_a_stable_identity() -> None:
    with (PACKAGING / "macos" / "Info.plist").open("rb") as f:
        plist = plistlib.load(f)
    assert plist["CFBundleIdentifier"] == APP_ID
    assert plist["CFBundleShortVersionString"] == __version__
    assert plist["CFBundleVersion"] == __version__
    assert plist["CFBundleExecutable"] == EXE
    assert plist["CFBundlePackageType"] == "APPL"
    assert (PACKAGING / "macos" / plist["CFBundleIconFile"]).is_file()
    assert plist["NSHighResolutionCapable"] is True
    assert plist["NSRequiresAquaSystemAppearance"] is False
    assert re.fullmatch(r"\d+\.\d+", plist["LSMinimumSystemVersion"])


def test_info_plist_is_what_the_generator_writes() -> None:
    info_plist = _load(PACKAGING / "macos" / "info_plist.py")
    generated = plistlib.loads(info_plist.render(info_plist.info_plist()))
    with (PACKAGING / "macos" / "Info.plist").open("rb") as f:
        assert plistlib.load(f) == generated
    assert info_plist.BUNDLE_ID == APP_ID


def test_minimum_macos_comes_from_the_qt_wheel_tags() -> None:
    info_plist = _load(PACKAGING / "macos" / "info_plist.py")
    tags = ["cp39-abi3-macosx_13_0_universal2", "cp39-abi3-macosx_14_0_arm64"]
    assert info_plist.minimum_macos_from_wheel_tags(tags) == "14.0"
    assert info_plist.minimum_macos_from_wheel_tags(["cp39-abi3-manylinux_2_28_x86_64"]) == "13.0"
    assert info_plist.info_plist("9.9.9", "12.0")["LSMinimumSystemVersion"] == "12.0"


def test_entitlements_grant_only_what_the_frozen_python_needs() -> None:
    with (PACKAGING / "macos" / "entitlements.plist").open("rb") as f:
        entitlements = plistlib.load(f)
    assert entitlements == {"com.apple.security.cs.allow-unsigned-executable-memory": True}


# A stand-in for macOS's tools: each logs its arguments; `file` calls files starting with
# "MACHO" Mach-O; codesign prints a designated requirement; notarytool accepts.
_STUB = r"""#!/bin/sh
name=$(basename "$0")
echo "$name $*" >>"$STUB_LOG"
case "$name" in
uname) echo Darwin ;;
file)
    if head -c 5 "$2" | grep -q MACHO; then echo "Mach-O 64-bit"; else echo data; fi ;;
plutil)
    python3 -c 'import plistlib, sys
print(plistlib.load(open(sys.argv[2], "rb"))[sys.argv[1]], end="")' "$2" "$6" ;;
codesign)
    case "$*" in *--requirements*)
        printf 'designated => identifier "%s" and anchor apple generic and ' "$STUB_ID" >&2
        echo 'certificate leaf[subject.OU] = "TEAM123456"' >&2 ;;
    esac ;;
xcrun)
    case "$*" in *"notarytool submit"*) printf '  id: 1234\n  status: Accepted\n' ;; esac ;;
esac
exit 0
"""


def _fake_app(tmp_path: Path, bundle_id: str = APP_ID) -> tuple[Path, dict[str, str]]:
    app = tmp_path / "dist" / "Callaro Desktop.app"
    contents = app / "Contents"
    (contents / "MacOS").mkdir(parents=True)
    program = contents / "MacOS" / EXE
    program.write_text(f'#!/bin/sh\necho "self-test $*" >>"{tmp_path}/log"\n')
    program.chmod(0o755)
    framework = contents / "Frameworks" / "PySide6" / "Qt" / "lib" / "QtCore.framework"
    (framework / "Versions" / "A").mkdir(parents=True)
    (framework / "Versions" / "A" / "QtCore").write_text("MACHO core")
    (contents / "Frameworks" / "libpython3.11.dylib").write_text("MACHO python")
    (contents / "Resources").mkdir()
    (contents / "Resources" / "cacert.pem").write_text("not code")
    with (contents / "Info.plist").open("wb") as f:
        plistlib.dump(
            {"CFBundleIdentifier": bundle_id, "CFBundleShortVersionString": __version__}, f
        )
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    for tool in ("uname", "file", "plutil", "codesign", "xcrun", "ditto", "spctl", "hdiutil"):
        (stubs / tool).write_text(_STUB)
        (stubs / tool).chmod(0o755)
    env = {
        "PATH": f"{stubs}:/usr/bin:/bin",
        "STUB_LOG": str(tmp_path / "log"),
        "STUB_ID": APP_ID,
        "CODESIGN_IDENTITY": "Developer ID Application: Callaro (TEAM123456)",
        "TEAM_ID": "TEAM123456",
        "NOTARY_PROFILE": "callaro-notary",
    }
    return app, env


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_sign_script_signs_inside_out_then_notarises_and_staples(tmp_path: Path) -> None:
    app, env = _fake_app(tmp_path)
    script = PACKAGING / "macos" / "sign-and-notarize.sh"
    done = subprocess.run(["bash", str(script), str(app)], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr

    log = (tmp_path / "log").read_text().splitlines()
    signs = [line for line in log if line.startswith("codesign --force")]

    def index(fragment: str) -> int:
        return next(i for i, line in enumerate(signs) if line.endswith(fragment))

    assert index("QtCore.framework/Versions/A/QtCore") < index("QtCore.framework") < index(".app")
    assert index("libpython3.11.dylib") < index(".app")
    assert not any(line.endswith("cacert.pem") for line in signs)  # not code: sealed, not signed
    assert all(
        "--options runtime" in line and "--timestamp" in line
        for line in signs[:-1]
        if ".dmg" not in line
    )
    app_sign = next(line for line in signs if line.endswith(".app"))
    assert "--entitlements" in app_sign and "entitlements.plist" in app_sign
    order = [line.split()[0] + " " + line.split()[1] for line in log]
    assert order.index("self-test --self-test") < order.index("ditto -c")
    assert order.index("xcrun notarytool") < order.index("xcrun stapler")
    assert any(line.startswith("hdiutil create") for line in log)
    assert any(line.startswith("codesign --force") and line.endswith(".dmg") for line in log)


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"CODESIGN_IDENTITY": "-"}, "ad-hoc signing"),
        ({"TEAM_ID": ""}, "set TEAM_ID"),
        ({"STUB_ID": "com.example.other"}, "does not name ai.callaro.Desktop"),
    ],
)
def test_sign_script_refuses_an_unstable_identity(
    tmp_path: Path, change: dict[str, str], message: str
) -> None:
    app, env = _fake_app(tmp_path)
    env.update(change)
    done = subprocess.run(
        ["bash", str(PACKAGING / "macos" / "sign-and-notarize.sh"), str(app)],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert message in done.stderr


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_sign_script_refuses_a_bundle_with_another_identifier(tmp_path: Path) -> None:
    app, env = _fake_app(tmp_path, bundle_id="com.example.other")
    done = subprocess.run(
        ["bash", str(PACKAGING / "macos" / "sign-and-notarize.sh"), str(app)],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1 and "CFBundleIdentifier is not ai.callaro.Desktop" in done.stderr
