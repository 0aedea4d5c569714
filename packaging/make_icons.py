#!/usr/bin/env python3
"""Render the app icon's PNG, ICO and ICNS files from its SVG with Qt's QSvgRenderer.

    .venv/bin/python packaging/make_icons.py           # write every file
    .venv/bin/python packaging/make_icons.py --check   # exit 1 if a committed picture differs

The SVG (resources/icons/app/callaro-desktop.svg) is the only drawing; everything else is
derived from it and committed, so a build needs no image tools:

- resources/icons/app/callaro-desktop-<N>.png for N in 16..512: the window icon and the
  Linux hicolor theme icons;
- packaging/windows/callaro-desktop.ico: the .exe and the installer (16-64 px as 32-bit BMP
  entries, which every Windows tool accepts, plus 256 px as PNG, as Windows Vista and later do);
- packaging/macos/callaro-desktop.icns: the .app bundle (PNG entries, 16 px to 512@2x).

ICO and ICNS are written here with the standard library: both are a small header, a table
of entries and the images, and neither Qt nor PyInstaller can be trusted to produce them on
every platform.
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QImageWriter, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parents[1]
SVG = ROOT / "resources" / "icons" / "app" / "callaro-desktop.svg"
PNG_DIR = SVG.parent
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO = ROOT / "packaging" / "windows" / "callaro-desktop.ico"
ICO_BMP_SIZES = (16, 24, 32, 48, 64)
ICO_PNG_SIZES = (256,)
ICNS = ROOT / "packaging" / "macos" / "callaro-desktop.icns"
# (OSType, pixel size): the PNG-capable ICNS entries, including the @2x ("retina") ones.
ICNS_ENTRIES = (
    (b"icp4", 16),
    (b"icp5", 32),
    (b"icp6", 64),
    (b"ic07", 128),
    (b"ic08", 256),
    (b"ic09", 512),
    (b"ic10", 1024),
    (b"ic11", 32),
    (b"ic12", 64),
    (b"ic13", 256),
    (b"ic14", 512),
)


def png_path(size: int) -> Path:
    return PNG_DIR / f"callaro-desktop-{size}.png"


def render(renderer: QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QImageWriter(buffer, QByteArray(b"png"))
    if not writer.write(image):
        raise RuntimeError(f"Qt could not encode a PNG: {writer.errorString()}")
    buffer.close()
    return bytes(data.data())


def bmp_icon_entry(image: QImage) -> bytes:
    """An ICO image entry as a DIB: BITMAPINFOHEADER, bottom-up BGRA rows, then the AND mask."""
    image = image.convertToFormat(QImage.Format.Format_ARGB32)
    width, height = image.width(), image.height()
    header = struct.pack(
        "<IiiHHIIiiII", 40, width, height * 2, 1, 32, 0, width * height * 4, 0, 0, 0, 0
    )
    pixels = bytes(image.constBits())
    stride = image.bytesPerLine()
    rows = []
    for y in range(height - 1, -1, -1):
        # Format_ARGB32 is 0xAARRGGBB per pixel in native order: BGRA bytes on little-endian.
        line = pixels[y * stride : y * stride + width * 4]
        if sys.byteorder != "little":  # pragma: no cover - every supported build host is LE
            line = b"".join(line[i : i + 4][::-1] for i in range(0, len(line), 4))
        rows.append(line)
    # The AND mask is ignored for 32-bit images (alpha decides), but must be present: all zero.
    mask_row = ((width + 31) // 32) * 4
    return header + b"".join(rows) + bytes(mask_row * height)


def ico_bytes(images: dict[int, bytes]) -> bytes:
    count = len(images)
    out = [struct.pack("<HHH", 0, 1, count)]
    offset = 6 + 16 * count
    blobs = []
    for size, blob in sorted(images.items()):
        dim = 0 if size >= 256 else size  # 0 means 256 in an ICONDIRENTRY
        out.append(struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(blob), offset))
        offset += len(blob)
        blobs.append(blob)
    return b"".join(out + blobs)


def icns_bytes(entries: list[tuple[bytes, bytes]]) -> bytes:
    body = b"".join(kind + struct.pack(">I", len(data) + 8) + data for kind, data in entries)
    return b"icns" + struct.pack(">I", len(body) + 8) + body


class Renderer:
    """Renders the SVG at any size, each size once."""

    def __init__(self) -> None:
        self.svg = QSvgRenderer(str(SVG))
        if not self.svg.isValid():
            raise SystemExit(f"Qt could not read {SVG}")
        self.cache: dict[int, QImage] = {}

    def image(self, size: int) -> QImage:
        if size not in self.cache:
            self.cache[size] = render(self.svg, size)
        return self.cache[size]

    def files(self) -> dict[Path, bytes]:
        files = {png_path(size): png_bytes(self.image(size)) for size in PNG_SIZES}
        ico_images = {size: bmp_icon_entry(self.image(size)) for size in ICO_BMP_SIZES}
        ico_images.update({size: png_bytes(self.image(size)) for size in ICO_PNG_SIZES})
        files[ICO] = ico_bytes(ico_images)
        entries = [(kind, png_bytes(self.image(size))) for kind, size in ICNS_ENTRIES]
        files[ICNS] = icns_bytes(entries)
        return files

    def expected(self, path: Path) -> list[tuple[int, QImage]]:
        if path == ICO:
            sizes = sorted(ICO_BMP_SIZES + ICO_PNG_SIZES)
        elif path == ICNS:
            sizes = [size for _kind, size in ICNS_ENTRIES]
        else:
            sizes = [int(path.stem.rsplit("-", 1)[1])]
        return [(size, self.image(size)) for size in sizes]


# --- --check: compare pixels, not bytes ----------------------------------------------------------
# Another Qt (or zlib) version encodes the same picture into different PNG bytes and may
# antialias an edge one step differently; what must not happen is a different picture.

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
TOLERANCE = 1.0  # mean absolute difference per channel, out of 255


def decode_png(data: bytes) -> QImage:
    image = QImage()
    image.loadFromData(data)
    return image


def decode_dib(data: bytes, size: int) -> QImage:
    stride = size * 4
    rows = [data[40 + y * stride : 40 + (y + 1) * stride] for y in range(size)]
    top_down = b"".join(reversed(rows))
    return QImage(top_down, size, size, stride, QImage.Format.Format_ARGB32).copy()


def decoded(path: Path) -> list[tuple[int, QImage]]:
    data = path.read_bytes()
    if path.suffix == ".png":
        image = decode_png(data)
        return [(image.width(), image)]
    found = []
    if path.suffix == ".ico":
        (count,) = struct.unpack("<H", data[4:6])
        for i in range(count):
            width, *_rest, length, offset = struct.unpack(
                "<BBBBHHII", data[6 + 16 * i : 22 + 16 * i]
            )
            blob, size = data[offset : offset + length], width or 256
            found.append(
                (size, decode_png(blob) if blob[:8] == PNG_MAGIC else decode_dib(blob, size))
            )
    elif path.suffix == ".icns":
        sizes = dict(ICNS_ENTRIES)
        offset = 8
        while offset < len(data):
            kind, (length,) = (
                data[offset : offset + 4],
                struct.unpack(">I", data[offset + 4 : offset + 8]),
            )
            found.append((sizes.get(kind, -1), decode_png(data[offset + 8 : offset + length])))
            offset += length
    return found


def mean_difference(a: QImage, b: QImage) -> float:
    if a.size() != b.size():
        return 255.0
    x = bytes(a.convertToFormat(QImage.Format.Format_ARGB32).constBits())
    y = bytes(b.convertToFormat(QImage.Format.Format_ARGB32).constBits())
    return sum(abs(p - q) for p, q in zip(x, y, strict=True)) / max(len(x), 1)


def is_stale(path: Path, renderer: Renderer) -> bool:
    if not path.exists():
        return True
    try:
        found = decoded(path)
    except (struct.error, ValueError):
        return True
    wanted = renderer.expected(path)
    if [size for size, _ in found] != [size for size, _ in wanted]:
        return True
    return any(
        image.isNull() or mean_difference(image, want) > TOLERANCE
        for (_s, image), (_w, want) in zip(found, wanted, strict=True)
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check", action="store_true", help="only report files whose pictures differ"
    )
    args = parser.parse_args(argv)
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = Renderer()
    files = renderer.files()
    if args.check:
        stale = [path for path in files if is_stale(path, renderer)]
        for path in stale:
            print(f"stale: {path.relative_to(ROOT)} (run packaging/make_icons.py)")
        return 1 if stale else 0
    for path, data in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        same = path.exists() and path.read_bytes() == data
        path.write_bytes(data)
        print(f"{'same ' if same else 'wrote'} {path.relative_to(ROOT)} ({len(data):,} B)")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
