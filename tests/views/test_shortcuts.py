"""The window's keys are the README's: each key its shortcut table names is its action's key.

Qt's standard keys differ by platform: Preferences has one only on macOS, Quit none on
Windows (nor under the offscreen platform these tests run on), so the console adds the keys
it documents where the platform has none.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from PySide6.QtGui import QKeySequence

from .conftest import ADMIN, sign_in

README = Path(__file__).resolve().parents[2] / "README.md"

# The README's key (as written there, before any "(Cmd+… on macOS)") -> the window's action.
ACTIONS = {
    "Ctrl+K": lambda w: w.palette_action,
    "Ctrl+T": lambda w: w.switch_action,
    "Ctrl+Shift+F": lambda w: w.find_action,
    "Ctrl+Shift+N": lambda w: w.new_window_action,
    "Ctrl+Shift+P": lambda w: w.presentation.action,
    "Alt+Left": lambda w: w.back_action,
    "Alt+Right": lambda w: w.forward_action,
    "Ctrl+B": lambda w: w.sidebar_action,
    "F5": lambda w: w.reload_action,
    "Ctrl+R": lambda w: w.reload_action,
    "Ctrl+,": lambda w: w.preferences_action,
    "Ctrl+W": lambda w: w.close_action,
    "Ctrl+Q": lambda w: w.quit_action,
}


def _documented_keys() -> list[str]:
    """Every key of the README's shortcut table's first column."""
    table = README.read_text(encoding="utf-8").split("| Shortcut | What it does |", 1)[1]
    keys: list[str] = []
    for line in table.splitlines()[2:]:
        if not line.startswith("|"):
            break
        cell = line.split("|")[1]
        cell = re.sub(r"\(.*?\)", "", cell)  # "(Cmd+K)", "(Cmd+, on macOS)"
        keys += [k.strip() for k in re.split(r" or | / ", cell) if k.strip()]
    return keys


async def test_every_window_key_in_the_readme_is_its_actions_key(
    make_app: Any, sandbox: Any
) -> None:
    documented = _documented_keys()
    assert set(ACTIONS) <= set(documented), set(ACTIONS) - set(documented)
    controller = await make_app()
    await sign_in(controller, sandbox, ADMIN)
    window = controller.window
    for key, action_of in ACTIONS.items():
        action = action_of(window)
        held = [s.toString(QKeySequence.SequenceFormat.PortableText) for s in action.shortcuts()]
        assert key in held, (key, action.text(), held)
