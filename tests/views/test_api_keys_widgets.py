"""The API key widgets on their own: what a screenshot of the secret shows, the scope grid."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import shiboken6
from pydantic import SecretStr
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from callaro_desktop.api.models import ApiKeyCreated, Scope
from callaro_desktop.services.clipboard import SecretClipboard
from callaro_desktop.views.dialogs.api_key_create import scope_options
from callaro_desktop.views.dialogs.api_key_secret import ApiKeySecretDialog
from callaro_desktop.views.pages.api_keys import scopes_summary
from callaro_desktop.views.widgets.scope_picker import ScopePicker

PREFIX = "sk_live_ab12"
CATALOGUE = [
    Scope(name="contacts:read", description="Read contacts", default=True),
    Scope(name="contacts:write", description="Change contacts", default=True),
    Scope(name="voice_sessions:read", description="Read voice sessions", default=True),
    Scope(name="billing:partner:read", description="Read partner billing", default=True),
    # A server that wrongly offers an opt-in scope as a default must still not get it ticked.
    Scope(name="billing:partner:allocate", description="Allocate credit", default=True),
    Scope(name="call_traces:admin_read", description="Read call traces", default=False),
]


def _created(secret: str) -> ApiKeyCreated:
    return ApiKeyCreated(
        id=7,
        name="CRM sync",
        prefix=PREFIX,
        scopes=["contacts:read", "contacts:write"],
        secret=SecretStr(secret),
    )


@pytest.fixture
def clipboard(qapp: QApplication) -> Iterator[SecretClipboard]:
    guard = SecretClipboard(schedule=lambda _s, _cb: _NoTimer())
    yield guard
    guard.clear_now()


class _NoTimer:
    def cancel(self) -> None:
        pass


def _shot(qtbot: QtBot, secret: str, clipboard: SecretClipboard) -> tuple[QImage, QWidget]:
    dialog = ApiKeySecretDialog(_created(secret), tenant_name="Acme Health", clipboard=clipboard)
    qtbot.addWidget(dialog)
    dialog.resize(640, 320)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog.grab().toImage(), dialog


def _all_text(root: QWidget) -> str:
    parts = []
    for widget in [root, *root.findChildren(QWidget)]:
        parts += [widget.accessibleName(), widget.accessibleDescription(), widget.toolTip()]
        if isinstance(widget, QLabel):
            parts.append(widget.text())
    parts.append(root.windowTitle())
    return "\n".join(parts)


def test_a_screenshot_shows_the_prefix_and_nothing_of_the_secret(
    qtbot: QtBot, clipboard: SecretClipboard
) -> None:
    one = PREFIX + "1111111111111111111111111111111111aa"
    two = PREFIX + "9999999999999999999999999999999999zz"
    image_one, dialog_one = _shot(qtbot, one, clipboard)
    image_two, _dialog_two = _shot(qtbot, two, clipboard)
    # Same pixels for two different secrets: the masked dialog draws nothing of either.
    assert image_one == image_two
    for text in (one[len(PREFIX) :], two[len(PREFIX) :]):
        assert text not in _all_text(dialog_one) + _all_text(_dialog_two)

    dialog_one.reveal_button.click()  # type: ignore[attr-defined]
    assert dialog_one.grab().toImage() != image_one  # the comparison would have seen it
    assert one in dialog_one.secret_label.text()  # type: ignore[attr-defined]
    dialog_one.reveal_button.click()  # type: ignore[attr-defined]
    assert one not in dialog_one.secret_label.text()  # type: ignore[attr-defined]


def test_the_secret_cannot_be_selected_past_the_clipboard_guard(
    qtbot: QtBot, clipboard: SecretClipboard
) -> None:
    _image, dialog = _shot(qtbot, PREFIX + "x" * 36, clipboard)
    assert isinstance(dialog, ApiKeySecretDialog)
    dialog.reveal_button.click()
    flags = dialog.secret_label.textInteractionFlags()
    assert flags == flags.NoTextInteraction


def test_the_scope_grid_groups_by_resource_with_read_and_write_columns(qtbot: QtBot) -> None:
    picker = ScopePicker(scope_options(CATALOGUE))
    qtbot.addWidget(picker)
    grid = picker.layout().itemAt(0).layout()
    assert grid is not None

    def cell(name: str) -> tuple[int, int]:
        index = grid.indexOf(picker.boxes[name])
        if index >= 0:
            row, column, _rs, _cs = grid.getItemPosition(index)
            return row, column
        for i in range(grid.count()):  # boxes of the "Other" column sit in a row layout
            item = grid.itemAt(i)
            inner = item.layout() if item is not None else None
            if inner is not None and inner.indexOf(picker.boxes[name]) >= 0:
                row, column, _rs, _cs = grid.getItemPosition(i)
                return row, column
        raise AssertionError(name)

    assert cell("contacts:read")[0] == cell("contacts:write")[0]
    assert (cell("contacts:read")[1], cell("contacts:write")[1]) == (1, 2)
    assert cell("billing:partner:read")[0] == cell("billing:partner:allocate")[0]
    assert cell("billing:partner:allocate")[1] == 3
    assert cell("call_traces:admin_read")[1] == 3

    # Defaults ticked, opt-in never, whatever the catalogue says.
    assert picker.selected() == [
        "contacts:read",
        "contacts:write",
        "voice_sessions:read",
        "billing:partner:read",
    ]
    assert not picker.opt_in_note.isVisibleTo(picker)
    picker.boxes["call_traces:admin_read"].click()
    assert picker.opt_in_note.isVisibleTo(picker)
    assert "call_traces:admin_read" in picker.opt_in_note.text()
    picker.reset_to_defaults()
    assert "call_traces:admin_read" not in picker.selected()
    badges = [w for w in picker.findChildren(QLabel) if w.objectName() == "OptInBadge"]
    assert len(badges) == 2


def test_a_key_scope_missing_from_the_catalogue_is_kept(qtbot: QtBot) -> None:
    picker = ScopePicker(scope_options(CATALOGUE, ["future:read"]), ["future:read"])
    qtbot.addWidget(picker)
    assert picker.selected() == ["future:read"]


def test_the_scopes_column_is_short() -> None:
    defaults = ["a:read", "a:write", "b:read"]
    assert scopes_summary(defaults, defaults) == "Default set (3)"
    assert scopes_summary([*defaults, "call_traces:admin_read"], defaults) == (
        "Default set + call_traces:admin_read"
    )
    assert scopes_summary(["a:read"], defaults) == "a:read"
    assert scopes_summary(["a:read", "b:read", "c:read", "d:read"], defaults) == (
        "a:read, b:read and 2 more"
    )


def test_a_dialog_torn_down_without_closing_still_lets_go_of_the_secret(
    qapp: QApplication, clipboard: SecretClipboard
) -> None:
    dialog = ApiKeySecretDialog(
        _created(PREFIX + "y" * 36), tenant_name="Acme Health", clipboard=clipboard
    )
    held = dialog._held  # what a flow still awaiting the dialog would keep alive
    assert held
    shiboken6.delete(dialog)  # e.g. the page deleted under it at sign-out: no done(), no close
    assert held == []
