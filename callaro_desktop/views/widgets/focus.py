"""Containers that pass the keyboard focus on to the field inside them."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget


def focus_through(container: QWidget, field: QWidget) -> None:
    """Whoever gives `container` the focus gives it to `field`; Tab skips the container.

    A form label's Alt key reaches the field through it: a label gives the focus only to a
    buddy that takes it, so the container takes the field's focus policy, and the proxy
    hands the focus on. (With the container's NoFocus, Alt did nothing: Add phone number's
    Connection, the API key forms' Scopes, the connection dialog's secrets and Codecs.)
    A container may point its proxy elsewhere later (setFocusProxy) as what it shows
    changes."""
    container.setFocusPolicy(field.focusPolicy())
    container.setFocusProxy(field)
