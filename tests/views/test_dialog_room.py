"""Dialogs give every wrapped line the height it needs: when they open, and when the user
makes them as small as they go.

A word-wrapped label asks its layout for a height that depends on its width; a dialog that
sized itself from the labels' one-line heights drew the lines of its hints and notes into
each other. Against the sandbox, with the real dialogs the pages open.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QDialog

from callaro_desktop.services.tasks import background
from callaro_desktop.views.shell.main_window import MainWindow
from callaro_sandbox.server import RunningServer

from .conftest import ADMIN, sign_in, wait_for, wrapped_lines

# (page, how the user opens its dialog there)
DIALOGS = [
    ("users", "primary"),
    ("api_keys", "primary"),
    ("phone_numbers", "primary"),
    ("telephony", "primary"),
    ("billing", "primary"),
    ("profile", "password"),
]


def _dialogs() -> set[QDialog]:
    return {w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog) and w.isVisible()}


@pytest.mark.parametrize(("page_id", "how"), DIALOGS)
async def test_a_dialog_gives_its_wrapped_lines_their_height(
    make_app: Any, sandbox: RunningServer, page_id: str, how: str
) -> None:
    controller = await make_app()
    await sign_in(controller, sandbox, ADMIN)
    window: MainWindow = controller.window
    window.navigate(page_id)
    page = await wait_for(
        lambda: (
            window.pages.get(page_id)
            if window.router.current == page_id
            and window.pages[page_id].states.state in ("ready", "empty")
            else None
        ),
        what=page_id,
    )
    before = _dialogs()
    if how == "password":
        background(page.open_change_password())
    else:
        page.open_primary_action()
    dialog = await wait_for(lambda: next(iter(_dialogs() - before), None), what="dialog")
    await asyncio.sleep(0.3)  # (its lists load; layouts settle on posted events)
    looked_at, squeezed = wrapped_lines(dialog)
    assert looked_at and not squeezed, "as opened"  # (it has wrapped lines to look at)
    dialog.resize(dialog.minimumSize())
    await asyncio.sleep(0.1)
    assert not wrapped_lines(dialog)[1], "at its smallest"
    dialog.done(QDialog.DialogCode.Rejected)
