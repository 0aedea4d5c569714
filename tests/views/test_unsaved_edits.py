"""Unsaved edits are never left behind without asking, on the real sandbox.

Leaving the page, signing out, adding an account, closing the window and quitting each ask
first (My Profile is the page that holds edits): Save saves and goes on, and a failed save
stays with the edit and its error; Discard puts the page back as saved; Cancel stays.
Switching workspace and going back are covered beside the profile's own tests. A form
dialog the user has typed in asks before Esc, Cancel or its close button throws it away.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QWidget
from shiboken6 import isValid

from callaro_desktop.views.dialogs.add_number import AddNumberDialog
from callaro_desktop.views.dialogs.api_key_create import ApiKeyCreateDialog
from callaro_desktop.views.dialogs.api_key_edit import ApiKeyEditDialog
from callaro_desktop.views.dialogs.confirm import ConfirmDialog
from callaro_desktop.views.dialogs.invite_user import InviteUserDialog
from callaro_desktop.views.dialogs.recharge import RechargeDialog

from .conftest import ADMIN, MULTI, sign_in, wait_for
from .test_profile import _profile, new_member, open_page

Button = QMessageBox.StandardButton


async def question(window: Any) -> QMessageBox:
    box: QMessageBox = await wait_for(
        lambda: next((b for b in window.findChildren(QMessageBox) if b.isVisible()), None),
        what="unsaved-changes question",
    )
    return box


async def answer(window: Any, button: QMessageBox.StandardButton) -> None:
    box = await question(window)
    assert "My Profile" in box.text()
    box.button(button).click()
    await wait_for(lambda: not box.isVisible(), what="question closed")


async def test_discarded_edits_are_gone_when_the_page_is_opened_again(make_app, sandbox) -> None:
    controller = await make_app()
    page = await _profile(controller, sandbox, MULTI)
    window = controller.window
    saved = page.display_name.text()
    page.display_name.setText("Left behind")
    window.navigate("dashboard")
    box = await question(window)
    # Every answer has its own Alt letter (Enter is Save, Esc Cancel); Alt+D is Discard.
    letters = [b.text().split("&", 1)[1][:1].lower() for b in box.buttons()]
    assert len(set(letters)) == len(letters) == 3, [b.text() for b in box.buttons()]
    assert box.button(Button.Discard).text().replace("&", "") == "Discard"
    box.activateWindow()
    await wait_for(lambda: QApplication.activeWindow() is box, what="question active")
    QTest.keyClick(box, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    await wait_for(lambda: window.router.current == "dashboard", what="left after discard")
    # Discarded means discarded: back on the page, the saved name, nothing unsaved (the
    # edit used to come back, still marked unsaved, after the user had said to drop it).
    again = await open_page(controller, "profile")
    assert again is page
    assert page.display_name.text() == saved and not page.has_unsaved_changes()
    assert not page.save_button.isEnabled()


async def test_save_in_the_question_saves_then_goes_on_enter_being_save(make_app, sandbox) -> None:
    who = await new_member(sandbox)
    controller = await make_app()
    page = await _profile(controller, sandbox, who)
    window, session = controller.window, controller.session
    page.display_name.setText("Saved on the way out")
    window.navigate("dashboard")
    box = await question(window)
    assert box.defaultButton() is box.button(Button.Save)
    QTest.keyClick(box, Qt.Key.Key_Return)  # from the keyboard, as most answer it
    await wait_for(lambda: window.router.current == "dashboard", what="left after saving")
    assert (await session.client.me.get()).display_name == "Saved on the way out"
    assert not page.has_unsaved_changes()


async def test_a_failed_save_in_the_question_stays_with_the_edit(make_app, sandbox, faults) -> None:
    controller = await make_app()
    page = await _profile(controller, sandbox, MULTI)
    window, session = controller.window, controller.session
    original = session.me.display_name
    faults([{"route": "/api/v1/me", "method": "PATCH", "status": 500}])
    page.display_name.setText("Not saved yet")
    window.navigate("dashboard")
    await answer(window, Button.Save)
    bar = window.message_bar
    await wait_for(lambda: bar.isVisible() and "not saved" in bar.text.text(), what="error")
    assert window.router.current == "profile"
    assert page.display_name.text() == "Not saved yet" and page.has_unsaved_changes()
    assert (await session.client.me.get()).display_name == original


async def test_closing_the_window_asks_and_cancel_keeps_it_open(make_app, sandbox) -> None:
    controller = await make_app()
    page = await _profile(controller, sandbox, MULTI)
    window = controller.window
    page.display_name.setText("Still typing")
    window.close()
    await answer(window, Button.Cancel)
    assert window.isVisible() and window in controller.windows
    assert page.display_name.text() == "Still typing" and page.has_unsaved_changes()
    window.close()
    await answer(window, Button.Discard)
    await wait_for(lambda: not window.isVisible(), what="window closed after discard")
    await wait_for(lambda: window not in controller.windows, what="window let go")


async def test_quit_asks_the_window_with_edits_and_closes_every_window(make_app, sandbox) -> None:
    who = await new_member(sandbox)
    controller = await make_app()
    first = controller.window
    page = await _profile(controller, sandbox, who)
    second = controller.new_window(first.session.current_account, first.session.tenant_id)
    await wait_for(lambda: second.isVisible(), what="second window")
    page.display_name.setText("Saved at quit")
    # Quit from the other window: the question is asked where the edits are.
    second.quit_action.trigger()
    await answer(first, Button.Cancel)
    assert first.isVisible() and second.isVisible()
    assert page.display_name.text() == "Saved at quit"
    second.quit_action.trigger()
    await answer(first, Button.Save)
    await wait_for(
        lambda: not first.isVisible() and not second.isVisible(), what="both windows closed"
    )
    await wait_for(lambda: not controller.windows, what="windows let go")
    assert (await first.session.client.me.get()).display_name == "Saved at quit"


async def test_sign_out_and_add_account_ask_first(make_app, sandbox) -> None:
    controller = await make_app()
    page = await _profile(controller, sandbox, MULTI)
    window, session = controller.window, controller.session
    account = session.current_account
    page.display_name.setText("Before signing out")
    window.add_account_action.trigger()
    await answer(window, Button.Cancel)
    assert controller.sign_in_dialog is None  # not asked to sign in: the user stayed
    window.sign_out_action.trigger()
    await answer(window, Button.Cancel)
    assert session.current_account is account and page.has_unsaved_changes()
    window.sign_out_action.trigger()
    await answer(window, Button.Discard)
    await wait_for(lambda: session.current_account is None, what="signed out after discard")


async def test_closing_one_window_leaves_another_windows_save_running(
    make_app, sandbox, faults
) -> None:
    who = await new_member(sandbox)
    controller = await make_app()
    first = controller.window
    await _profile(controller, sandbox, who)
    second = controller.new_window(first.session.current_account, first.session.tenant_id)
    second.navigate("profile")
    page = second.pages["profile"]
    await wait_for(lambda: page.states.state == "ready", what="second window's profile")
    faults([{"route": "/api/v1/me", "method": "PATCH", "latency_ms": 600}])
    page.display_name.setText("Saved from the second window")
    QTest.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    await wait_for(lambda: page._saving, what="saving")
    # Closing a window ended every window's fire-and-forget work: this save was cancelled
    # in flight and its page left saying "Saving…" with the name read-only for good.
    first.close()
    await wait_for(lambda: first not in controller.windows, what="first window let go")
    await wait_for(lambda: not page.has_unsaved_changes(), timeout=10, what="saved")
    assert not page.display_name.isReadOnly()
    assert (await second.session.client.me.get()).display_name == "Saved from the second window"


async def shown(root: QWidget, cls: type[Any]) -> Any:
    return await wait_for(
        lambda: next((d for d in root.findChildren(cls) if d.isVisible()), None),
        what=cls.__name__,
    )


def gone(widget: QWidget) -> bool:
    return not isValid(widget) or not widget.isVisible()


async def invite(controller: Any, typed: str = "") -> InviteUserDialog:
    """Users' Invite User, opened, with `typed` typed into its email."""
    page = await open_page(controller, "users")
    page.invite_button.click()
    dialog: InviteUserDialog = await shown(controller.window, InviteUserDialog)
    QTest.keyClicks(dialog.email, typed)
    return dialog


async def test_a_form_typed_in_asks_before_esc_or_cancel_throws_it_away(make_app, sandbox) -> None:
    controller = await make_app()
    await sign_in(controller, sandbox, ADMIN)
    # Nothing typed: Esc closes at once.
    dialog = await invite(controller)
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    await wait_for(lambda: gone(dialog), what="untouched dialog closed by Esc")
    assert not [d for d in controller.window.findChildren(ConfirmDialog) if d.isVisible()]

    dialog = await invite(controller, "half.typed@example.com")
    QTest.keyClick(dialog.email, Qt.Key.Key_Escape)
    ask = await shown(dialog, ConfirmDialog)
    assert ask.windowTitle() == "Discard changes?"
    asked = "Close Invite User and discard what you entered?"
    assert any(label.text() == asked for label in ask.findChildren(QLabel))
    # Enter keeps editing: the safe answer is the default.
    QTest.keyClick(ask, Qt.Key.Key_Return)
    await wait_for(lambda: gone(ask), what="question answered")
    assert dialog.isVisible() and dialog.email.text() == "half.typed@example.com"

    dialog.cancel_button.click()
    ask = await shown(dialog, ConfirmDialog)
    ask.action_button.click()  # Discard
    await wait_for(lambda: gone(dialog), what="dialog closed after discarding")


async def discard_asked(dialog: Any) -> None:
    """Esc on `dialog` asks before throwing its edits away; Keep editing keeps it open."""
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    assert not gone(dialog), "closed at once, the edit thrown away without asking"
    ask = await shown(dialog, ConfirmDialog)
    assert ask.windowTitle() == "Discard changes?"
    QTest.keyClick(ask, Qt.Key.Key_Return)  # Keep editing
    await wait_for(lambda: gone(ask), what="question answered")
    assert dialog.isVisible()


async def test_stepping_a_spin_box_and_field_changing_buttons_count_as_edits(
    make_app, sandbox
) -> None:
    controller = await make_app()
    await sign_in(controller, sandbox, ADMIN)
    window = controller.window

    # A spin box stepped with a key: no signal of the user's own, and it used to close at once.
    page = await open_page(controller, "phone_numbers")
    page.open_primary_action()
    add: AddNumberDialog = await shown(window, AddNumberDialog)
    await wait_for(lambda: add.pricing is not None, what="prices")
    add.quantity.setFocus()
    QTest.keyClick(add.quantity, Qt.Key.Key_Down)  # already at its least: nothing changes
    await wait_for(lambda: add.quantity.value() == 1, what="step handled")
    QTest.keyClick(add, Qt.Key.Key_Escape)
    await wait_for(lambda: gone(add), what="unchanged dialog closed by Esc")
    page.open_primary_action()
    add = await shown(window, AddNumberDialog)
    await wait_for(lambda: add.pricing is not None, what="prices")
    add.quantity.setFocus()
    QTest.keyClick(add.quantity, Qt.Key.Key_Up)
    await wait_for(lambda: add.quantity.value() == 2, what="stepped")
    await discard_asked(add)
    assert add.quantity.value() == 2
    add.reject()

    # Buttons that change the form: Create API key's "Clear all" scopes, Recharge's presets.
    page = await open_page(controller, "api_keys")
    page.open_primary_action()
    create: ApiKeyCreateDialog = await shown(window, ApiKeyCreateDialog)
    create.picker.clear_button.click()
    assert not create.picker.selected()
    await discard_asked(create)
    create.reject()

    page = await open_page(controller, "billing")
    page.recharge_button.click()
    recharge: RechargeDialog = await shown(window, RechargeDialog)
    recharge.preset_buttons[0].click()
    assert recharge.amount.text()
    await discard_asked(recharge)
    recharge.reject()


async def test_a_form_the_console_filled_closes_without_asking(make_app, sandbox) -> None:
    controller = await make_app()
    await sign_in(controller, sandbox, ADMIN)
    page = await open_page(controller, "api_keys")
    page.table.setFocus()
    page.table.selectRow(0)
    QTest.keyClick(page.table, Qt.Key.Key_Return)
    dialog = await shown(controller.window, ApiKeyEditDialog)
    assert dialog.name.text()  # (the key's own name, put there by the dialog)
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    await wait_for(lambda: gone(dialog), what="closed at once")


async def test_quit_from_another_window_asks_about_a_form_typed_in(make_app, sandbox) -> None:
    controller = await make_app()
    await sign_in(controller, sandbox, ADMIN)
    first = controller.window
    dialog = await invite(controller, "still.typing@example.com")
    second = controller.new_window(first.session.current_account, first.session.tenant_id)
    await wait_for(lambda: second.isVisible(), what="second window")
    second.quit_action.trigger()
    ask = await shown(dialog, ConfirmDialog)
    ask.reject()  # Keep editing
    await wait_for(lambda: gone(ask), what="question answered")
    assert first.isVisible() and second.isVisible() and dialog.isVisible()
    assert dialog.email.text() == "still.typing@example.com"
    second.quit_action.trigger()
    ask = await shown(dialog, ConfirmDialog)
    ask.action_button.click()  # Discard
    await wait_for(lambda: not controller.windows, what="every window closed")


class _SessionManager:
    """What Qt's commitDataRequest hands over (QSessionManager, which only Qt can make): the
    calls the console makes on it, recorded."""

    def __init__(self, interaction: bool) -> None:
        self.interaction = interaction
        self.calls: list[str] = []

    def allowsInteraction(self) -> bool:  # (Qt's name)
        self.calls.append("allowsInteraction")
        return self.interaction

    def cancel(self) -> None:
        self.calls.append("cancel")

    def release(self) -> None:
        self.calls.append("release")


async def test_the_session_ending_with_unsaved_edits_is_stopped_and_asked_about(
    make_app, sandbox
) -> None:
    controller = await make_app()
    page = await _profile(controller, sandbox, MULTI)
    window = controller.window
    clean = _SessionManager(interaction=True)
    controller.session_ending(clean)
    assert "cancel" not in clean.calls  # nothing unsaved: the session ends

    page.display_name.setText("Typed before logging out")
    silent = _SessionManager(interaction=False)
    controller.session_ending(silent)
    assert "cancel" not in silent.calls  # (a desktop that lets nothing stop it)

    manager = _SessionManager(interaction=True)
    controller.session_ending(manager)
    assert manager.calls == ["allowsInteraction", "cancel", "release"]
    await answer(window, Button.Cancel)
    assert page.display_name.text() == "Typed before logging out" and page.has_unsaved_changes()


async def test_edits_left_unsaved_by_a_quit_with_no_one_to_ask_are_back_next_time(
    make_app, sandbox
) -> None:
    """SIGTERM (how systemd ends a desktop session) or the session manager's quit: no one to
    ask, so the edits are kept in the settings and the page shows them again, unsaved."""
    from callaro_desktop import settings as settings_mod
    from callaro_desktop.settings import Settings

    controller = await make_app(settings=Settings())
    page = await _profile(controller, sandbox, MULTI)
    saved = page.display_name.text()
    page.display_name.setText("Typed before the session ended")
    await controller.shutdown()  # (what a signal's quit runs)
    kept = settings_mod.load()  # what reached the disk
    assert list(kept.unsaved_edits.values()) == [{"display_name": "Typed before the session ended"}]
    page.discard_changes()  # (this run is over: nothing more of it is kept)

    again = await make_app(settings=kept)
    page = await _profile(again, sandbox, MULTI)
    await wait_for(
        lambda: page.display_name.text() == "Typed before the session ended", what="edits back"
    )
    assert page.has_unsaved_changes() and page.save_button.isEnabled()
    bar = again.window.message_bar
    await wait_for(lambda: "from when the console last quit" in bar.text.text(), what="said so")
    assert not kept.unsaved_edits  # given back once, and so on disk too: a Discard now
    assert settings_mod.flush_saves()  # must not bring them back on the next start
    assert not settings_mod.load().unsaved_edits
    assert (await again.session.client.me.get()).display_name == saved  # (not saved by itself)
    page.discard_changes()


def test_alt_letters_never_clash_whatever_the_platform_calls_the_answers(qapp) -> None:
    from PySide6.QtWidgets import QPushButton

    from callaro_desktop.views.shell.main_window import with_alt_letters

    # Qt's GNOME wording for Discard starts with the C of Cancel.
    for words in (["Save", "Discard", "Cancel"], ["Save", "Close without Saving", "Cancel"]):
        buttons = [QPushButton(w) for w in words]
        with_alt_letters(buttons)
        letters = [b.text().partition("&")[2][:1].lower() for b in buttons]
        assert all(letters) and len(set(letters)) == 3, [b.text() for b in buttons]
        assert [b.text().replace("&", "") for b in buttons] == words
