"""Data shown as it is on a button, a menu entry or a tab.

Those widgets read "&x" as a keyboard shortcut: a workspace called "Smith & Sons" would show
as "Smith  Sons" with the S underlined, and Alt+S would press it. Labels are not affected
unless they have a buddy; the console's labels with buddies hold its own words only.
"""

from __future__ import annotations


def literal(text: str) -> str:
    """`text` to be shown as written where "&" marks a shortcut."""
    return text.replace("&", "&&")
