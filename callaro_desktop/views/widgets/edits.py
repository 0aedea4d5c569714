"""Marks a button whose click changes what a form holds ("Clear all", a preset amount).

A form dialog asks before it is closed with the user's edits in it (dialogs/form.py), and
only the user's own edits count: typing, picking, ticking. A click on such a button is one
of them too, although the fields it changes send no signal of the user's own.
"""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractButton

EDITS_FORM = "callaroEditsForm"


def edits_form(*buttons: QAbstractButton) -> None:
    for button in buttons:
        button.setProperty(EDITS_FORM, True)
