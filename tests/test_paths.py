"""paths: one place decides where files go, and CALLARO_DESKTOP_HOME moves all of it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from callaro_desktop import paths


def test_home_env_moves_every_dir_under_one_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "portable"
    monkeypatch.setenv(paths.HOME_ENV, str(home))

    found = {
        "config": paths.config_dir(),
        "data": paths.data_dir(),
        "cache": paths.cache_dir(),
        "logs": paths.log_dir(),
    }

    assert found == {name: home.resolve() / name for name in found}
    assert all(p.is_dir() for p in found.values())  # created on demand
    assert paths.settings_file() == home.resolve() / "config" / "settings.json"
    assert paths.log_file().parent == home.resolve() / "logs"
    assert paths.plaintext_token_file().parent == home.resolve() / "data"


def test_dirs_are_created_only_when_asked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "lazy"
    monkeypatch.setenv(paths.HOME_ENV, str(home))
    assert paths.portable_home() == home.resolve()
    assert not home.exists()  # reading the setting wrote nothing
    paths.cache_dir()
    assert sorted(p.name for p in home.iterdir()) == ["cache"]


def test_relative_and_user_paths_are_made_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(paths.HOME_ENV, "rel-home")
    assert paths.config_dir() == tmp_path.resolve() / "rel-home" / "config"

    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    monkeypatch.setenv(paths.HOME_ENV, "~/portable")
    assert paths.data_dir() == (tmp_path / "user" / "portable" / "data").resolve()


@pytest.mark.skipif(sys.platform != "linux", reason="steers platformdirs through XDG variables")
def test_without_home_env_the_platform_dirs_are_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Point the platform lookups at a temporary tree so this test writes nothing real.
    monkeypatch.delenv(paths.HOME_ENV, raising=False)
    for var, sub in [
        ("XDG_CONFIG_HOME", "xdg-config"),
        ("XDG_DATA_HOME", "xdg-data"),
        ("XDG_CACHE_HOME", "xdg-cache"),
        ("XDG_STATE_HOME", "xdg-state"),
    ]:
        monkeypatch.setenv(var, str(tmp_path / sub))

    assert paths.portable_home() is None
    for found in (paths.config_dir(), paths.data_dir(), paths.cache_dir(), paths.log_dir()):
        assert found.is_relative_to(tmp_path)
        assert paths.APP_NAME in found.parts
        assert found.is_dir()
