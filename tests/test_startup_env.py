"""What the program sets in its own environment at start-up, and what it leaves to the user."""

from __future__ import annotations

import os

import pytest

from callaro_desktop.app import main, without_pydantic_plugins


def test_pydantic_plugins_are_off_unless_the_user_says_otherwise() -> None:
    environ: dict[str, str] = {}
    without_pydantic_plugins(environ)
    assert environ["PYDANTIC_DISABLE_PLUGINS"] == "__all__"
    allowed = {"PYDANTIC_DISABLE_PLUGINS": ""}  # the user's explicit "run them"
    without_pydantic_plugins(allowed)
    assert allowed == {"PYDANTIC_DISABLE_PLUGINS": ""}
    some = {"PYDANTIC_DISABLE_PLUGINS": "logfire"}
    without_pydantic_plugins(some)
    assert some == {"PYDANTIC_DISABLE_PLUGINS": "logfire"}


def test_the_program_switches_them_off_before_anything_else(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PYDANTIC_DISABLE_PLUGINS", "restored after the test")
    monkeypatch.delenv("PYDANTIC_DISABLE_PLUGINS")
    with pytest.raises(SystemExit):  # --version prints and exits, after main's first line
        main(["--version"])
    assert os.environ["PYDANTIC_DISABLE_PLUGINS"] == "__all__"
