#!/usr/bin/env python3
"""Build the Callaro Desktop bundle for this platform with PyInstaller.

    .venv/bin/pip install pyinstaller
    .venv/bin/python packaging/build.py              # dist/callaro-desktop/ (+ archive/installer)
    .venv/bin/python packaging/build.py --self-test  # ...then run the bundle's --self-test

Run it with the Python of the environment the app is installed in (the bundle is made from
that environment's packages). Before building, the derived files (icons, Info.plist) must match
their sources. What it produces:

- every platform: ``dist/callaro-desktop/`` (one folder: the program and its libraries);
- Linux: ``share/`` and ``install.sh`` added to that folder, and
  ``dist/callaro-desktop-<version>-linux-<arch>.tar.gz`` holding it as
  ``callaro-desktop-<version>/``;
- Windows: ``dist/callaro-desktop-<version>-windows-x64-setup.exe`` when Inno Setup's
  ``iscc`` is on PATH (packaging/windows/callaro-desktop.iss);
- macOS: ``dist/Callaro Desktop.app``; sign and notarise it with
  packaging/macos/sign-and-notarize.sh.

It ends with the time taken, the sizes and the largest files, to keep an eye on what ships.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

PACKAGING = Path(__file__).resolve().parent
ROOT = PACKAGING.parent
sys.path.insert(0, str(PACKAGING))

from version import app_version  # noqa: E402  packaging/version.py, not a package

NAME = "callaro-desktop"
APP_ID = "ai.callaro.Desktop"
SPEC = PACKAGING / "callaro-desktop.spec"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def run(cmd: list[str], cwd: Path | None = None) -> None:
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, cwd=cwd)


def check_sources() -> None:
    """Derived files must match their sources before they are shipped."""
    run([sys.executable, str(PACKAGING / "make_icons.py"), "--check"])
    run([sys.executable, str(PACKAGING / "macos" / "info_plist.py"), "--check"])


def pyinstaller(dist: Path, work: Path) -> None:
    if importlib.util.find_spec("PyInstaller") is None:
        sys.exit(f"PyInstaller is not installed: {sys.executable} -m pip install pyinstaller")
    shutil.rmtree(dist / NAME, ignore_errors=True)
    run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            str(SPEC),
            "--noconfirm",
            "--log-level=WARN",
            f"--distpath={dist}",
            f"--workpath={work}",
        ],
        cwd=ROOT,
    )


def add_linux_desktop_files(bundle: Path) -> None:
    """The menu entry, AppStream data, icons and install.sh travel inside the bundle."""
    share = bundle / "share"
    shutil.rmtree(share, ignore_errors=True)
    (share / "applications").mkdir(parents=True)
    (share / "metainfo").mkdir()
    linux = PACKAGING / "linux"
    shutil.copy2(linux / f"{APP_ID}.desktop", share / "applications")
    shutil.copy2(linux / f"{APP_ID}.metainfo.xml", share / "metainfo")
    icons = ROOT / "resources" / "icons" / "app"
    for size in ICON_SIZES:
        target = share / "icons" / "hicolor" / f"{size}x{size}" / "apps"
        target.mkdir(parents=True)
        shutil.copy2(icons / f"{NAME}-{size}.png", target / f"{APP_ID}.png")
    scalable = share / "icons" / "hicolor" / "scalable" / "apps"
    scalable.mkdir(parents=True)
    shutil.copy2(icons / f"{NAME}.svg", scalable / f"{APP_ID}.svg")
    shutil.copy2(linux / "install.sh", bundle / "install.sh")
    (bundle / "install.sh").chmod(0o755)


def linux_archive(dist: Path, bundle: Path, version: str) -> Path:
    top = f"{NAME}-{version}"
    archive = dist / f"{top}-linux-{platform.machine()}.tar.gz"
    with tarfile.open(archive, "w:gz", compresslevel=6) as tar:
        # Symbolic links (PyInstaller links libQt6*.so.6 to PySide6/Qt/lib) stay links.
        tar.add(bundle, arcname=top, recursive=True)
    return archive


def windows_installer(version: str) -> Path | None:
    iscc = shutil.which("iscc") or shutil.which("ISCC")
    script = PACKAGING / "windows" / "callaro-desktop.iss"
    if iscc is None:
        print(f"Inno Setup's iscc is not on PATH: no installer. Then run: iscc {script}")
        return None
    run([iscc, f"/DAppVersion={version}", str(script)])
    return ROOT / "dist" / f"{NAME}-{version}-windows-x64-setup.exe"


def tree_size(path: Path) -> int:
    """Bytes on disk of the files under path, symbolic links counted once (as links)."""
    total = 0
    for folder, _dirs, files in os.walk(path):
        for name in files:
            total += os.lstat(os.path.join(folder, name)).st_size
    return total


def largest_files(path: Path, count: int) -> list[tuple[int, Path]]:
    sizes = []
    for folder, _dirs, files in os.walk(path):
        for name in files:
            file = Path(folder, name)
            if not file.is_symlink():
                sizes.append((file.stat().st_size, file.relative_to(path)))
    return sorted(sizes, reverse=True)[:count]


def megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder")
    parser.add_argument(
        "--work", type=Path, default=ROOT / "build" / "pyinstaller", help="PyInstaller's cache"
    )
    parser.add_argument("--no-archive", action="store_true", help="skip the .tar.gz/installer")
    parser.add_argument("--self-test", action="store_true", help="run the bundle's --self-test")
    parser.add_argument("--largest", type=int, default=15, help="list this many largest files")
    args = parser.parse_args(argv)
    dist: Path = args.dist.resolve()
    version = app_version()

    started = time.monotonic()
    check_sources()
    pyinstaller(dist, args.work.resolve())
    bundle = dist / NAME
    outputs: list[Path] = []
    if sys.platform.startswith("linux"):
        add_linux_desktop_files(bundle)
        if not args.no_archive:
            outputs.append(linux_archive(dist, bundle, version))
    elif sys.platform == "win32" and not args.no_archive:
        installer = windows_installer(version)
        if installer is not None:
            outputs.append(installer)
    elif sys.platform == "darwin":
        outputs.append(dist / "Callaro Desktop.app")
        print("Next: packaging/macos/sign-and-notarize.sh (needs a Developer ID certificate)")
    elapsed = time.monotonic() - started

    print(f"\nCallaro Desktop {version} built in {elapsed:.0f} s")
    print(f"  {bundle}: {megabytes(tree_size(bundle))}")
    for output in outputs:
        size = tree_size(output) if output.is_dir() else output.stat().st_size
        print(f"  {output}: {megabytes(size)}")
    if args.largest:
        print(f"  largest files in {bundle.name}/:")
        for size, rel in largest_files(bundle, args.largest):
            print(f"    {megabytes(size):>9}  {rel}")

    if args.self_test:
        exe = bundle / (f"{NAME}.exe" if sys.platform == "win32" else NAME)
        print(f"\n+ {exe} --self-test", flush=True)
        return subprocess.call([str(exe), "--self-test"])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
