"""dev.py, the README's two commands: the virtual environment it runs is the Python asked for."""

from __future__ import annotations

import importlib.util
import sys
import venv
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def _dev() -> ModuleType:
    spec = importlib.util.spec_from_file_location("callaro_dev_script", ROOT / "dev.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_venv_reads_as_the_python_that_made_it(tmp_path: Path) -> None:
    dev = _dev()
    made = tmp_path / "made"
    venv.EnvBuilder(with_pip=False).create(made)
    assert dev.venv_version(made) == sys.version_info[:2]
    assert dev.made_by(made, sys.version_info[:2])
    other = (sys.version_info.major, sys.version_info.minor + 1)
    assert not dev.made_by(made, other)  # so `dev.py` makes it again for that one


def test_another_pythons_venv_and_a_broken_one_are_told_apart(tmp_path: Path) -> None:
    """`python3.13 dev.py test` in a clone whose .venv Python 3.11 made ran 3.11's, silently:
    the venv's own record of its Python is what tells them apart."""
    dev = _dev()
    (tmp_path / "pyvenv.cfg").write_text(
        "home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.11.7\n",
        encoding="utf-8",
    )
    assert dev.venv_version(tmp_path) == (3, 11)
    (tmp_path / "pyvenv.cfg").write_text("version_info = 3.13.0.final.0\n", encoding="utf-8")
    assert dev.venv_version(tmp_path) == (3, 13)
    (tmp_path / "pyvenv.cfg").write_text("home = /usr/bin\n", encoding="utf-8")
    assert dev.venv_version(tmp_path) is None
    assert dev.venv_version(tmp_path / "nothing here") is None
