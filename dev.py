#!/usr/bin/env python3
"""One-command set-up for developers: `python3 dev.py demo` or `python3 dev.py test`.

Creates `.venv` beside this file on first use (and again whenever pyproject.toml
changes), installs the project with its test extra, then runs the console on the
demo sandbox or the whole test suite. Standard library only, so it runs on a fresh
machine with nothing but Python 3.11-3.13.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".dev-stamp"


def _venv_python() -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def venv_version(venv_dir: Path) -> tuple[int, int] | None:
    """The Python (major, minor) a virtual environment was made with, from its pyvenv.cfg."""
    try:
        text = (venv_dir / "pyvenv.cfg").read_text(encoding="utf-8")
    except OSError:
        return None
    for line in text.splitlines():
        key, _, value = line.partition("=")
        if key.strip() in {"version", "version_info"}:
            major, _, rest = value.strip().partition(".")
            minor = rest.partition(".")[0]
            if major.isdigit() and minor.isdigit():
                return int(major), int(minor)
    return None


def made_by(venv_dir: Path, python: tuple[int, int]) -> bool:
    """Whether `venv_dir` runs `python`. One another Python made (`python3.13 dev.py test`
    after `python3 dev.py test`) would run instead of the one asked for: it is made again."""
    return venv_version(venv_dir) == python


def _ensure_venv() -> Path:
    if sys.version_info < (3, 11) or sys.version_info >= (3, 14):
        sys.exit("Callaro Desktop needs Python 3.11, 3.12 or 3.13.")
    py = _venv_python()
    if not py.exists() or not made_by(VENV, sys.version_info[:2]):
        print("Creating .venv for Python {}.{} ...".format(*sys.version_info[:2]), flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text() != wanted:
        print("Installing Callaro Desktop and its test tools into .venv ...", flush=True)
        subprocess.check_call([str(py), "-m", "pip", "install", "-q", "-U", "pip"])
        subprocess.check_call([str(py), "-m", "pip", "install", "-q", "-e", f"{ROOT}[test]"])
        STAMP.write_text(wanted)
    return py


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"demo", "test", "run", "setup"}:
        print(__doc__)
        print("usage: python3 dev.py demo|test|run|setup [args...]")
        return 2
    command, rest = argv[0], argv[1:]
    py = _ensure_venv()
    env = dict(os.environ, QT_API="pyside6")
    if command == "setup":
        return 0
    if command == "demo":
        return _hand_over([str(py), "-m", "callaro_desktop", "--demo", *rest], env)
    if command == "run":
        return _hand_over([str(py), "-m", "callaro_desktop", *rest], env)
    os.chdir(ROOT)
    return _hand_over([str(py), "-m", "pytest", *rest], env)


def _hand_over(cmd: list[str], env: dict[str, str]) -> int:
    """Become the command on POSIX, so Ctrl+C, SIGTERM and the exit code are its own."""
    if os.name == "posix":
        os.execve(cmd[0], cmd, env)
    return subprocess.call(cmd, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
