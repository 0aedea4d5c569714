"""The Windows VERSIONINFO resource of callaro-desktop.exe (Explorer's Properties → Details).

The spec calls ``write_version_file`` on Windows; the file is PyInstaller's version-file format
(a ``VSVersionInfo`` expression). tests/packaging parses it with PyInstaller's own reader, so the
format is checked on every platform, not only on the Windows build machine.
"""

from __future__ import annotations

from pathlib import Path

COMPANY = "Callaro"
PRODUCT = "Callaro Desktop"
DESCRIPTION = "Callaro Desktop"
EXE_NAME = "callaro-desktop.exe"


def version_tuple(version: str) -> tuple[int, int, int, int]:
    """ "0.1.0" -> (0, 1, 0, 0); a pre-release suffix ("1.2.0rc1") keeps only its numbers."""
    numbers: list[int] = []
    for part in version.split(".")[:4]:
        digits = ""
        for ch in part:
            if not ch.isdigit():
                break
            digits += ch
        numbers.append(int(digits or 0))
    while len(numbers) < 4:
        numbers.append(0)
    return numbers[0], numbers[1], numbers[2], numbers[3]


def version_file_text(version: str) -> str:
    v = version_tuple(version)
    strings = {
        "CompanyName": COMPANY,
        "FileDescription": DESCRIPTION,
        "FileVersion": version,
        "InternalName": "callaro-desktop",
        "LegalCopyright": "© Callaro",
        "OriginalFilename": EXE_NAME,
        "ProductName": PRODUCT,
        "ProductVersion": version,
    }
    string_structs = ",\n".join(
        f"          StringStruct({key!r}, {value!r})" for key, value in strings.items()
    )
    return f"""# UTF-8
VSVersionInfo(
  ffi=FixedFileInfo(
    filevers={v!r},
    prodvers={v!r},
    mask=0x3f,
    flags=0x0,
    OS=0x40004,
    fileType=0x1,
    subtype=0x0,
    date=(0, 0)
  ),
  kids=[
    StringFileInfo(
      [
        StringTable(
          '040904B0',
          [
{string_structs}
          ]
        )
      ]
    ),
    VarFileInfo([VarStruct('Translation', [1033, 1200])])
  ]
)
"""


def write_version_file(path: Path, version: str) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(version_file_text(version), encoding="utf-8")
    return str(path)
