"""What the program sets in its own environment at start-up, and what it leaves to the user."""

from __future__ import annotations

from callaro_desktop.app import without_pydantic_plugins


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
