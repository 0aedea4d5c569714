"""View → Presentation mode against the real sandbox: fakes on screen, real values on the server."""

from __future__ import annotations

from typing import Any

import shiboken6
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from callaro_desktop.api.models import ApiKeyCreated
from callaro_desktop.media import page_ready, widget_strings
from callaro_desktop.views.dialogs.billing_entity import BillingEntityDialog
from callaro_desktop.views.shell.presentation import SHORTCUT, InAppPrivacy

from .conftest import ADMIN, sign_in, wait_for


def _action(window: Any) -> QAction:
    action = window.findChild(QAction, "PresentationModeAction")
    assert isinstance(action, QAction)
    return action


def _real_people(sandbox: Any) -> set[str]:
    rows = sandbox.db.query(
        "SELECT u.email, u.display_name FROM users u JOIN memberships m ON m.user_id = u.id"
        " JOIN tenants t ON t.id = m.tenant_id WHERE t.name = 'Acme Health'"
    )
    return {v for r in rows for v in (r["email"], r["display_name"]) if v}


async def _open(window: Any, page_id: str) -> Any:
    window.navigate(page_id)
    page = await wait_for(
        lambda: (
            window.current_page()
            if getattr(window.current_page(), "page_id", "") == page_id
            else None
        ),
        what=page_id,
    )
    await wait_for(lambda: page_ready(page), timeout=60, what=f"{page_id} loaded")
    return page


def _leaks(window: Any, real: set[str]) -> list[str]:
    texts = widget_strings([window])
    return sorted({value for value in real for text in texts if value in text})


async def test_presentation_mode_sits_in_the_view_menu_with_its_shortcut(make_app) -> None:
    controller = await make_app()
    window = controller.window
    action = _action(window)
    assert action.isCheckable() and not action.isChecked()
    assert action.shortcut() == QKeySequence(SHORTCUT)
    view = next(
        a.menu()
        for a in window.menuBar().actions()
        if isinstance(a.menu(), QMenu) and a.menu().title().replace("&", "") == "View"
    )
    assert action in view.actions()
    assert "made-up" in action.statusTip()


async def test_turning_it_on_swaps_people_on_every_page_and_off_brings_them_back(
    make_app, sandbox
) -> None:
    controller = await make_app()
    await sign_in(controller, sandbox, ADMIN)
    window = controller.window
    session = controller.session
    real = _real_people(sandbox)
    assert "Asha Admin" in real

    users = await _open(window, "users")
    await wait_for(lambda: users.model.rowCount() > 0, what="user rows")
    assert _leaks(window, real), "the real team should be on screen before"
    profile = await _open(window, "profile")
    assert profile.email.text() == ADMIN[0]

    _action(window).trigger()
    assert session.result_filter is not None
    await wait_for(lambda: page_ready(profile) and profile.email.text() != ADMIN[0], what="fake")
    assert "Asha Admin" not in window.account_button.text()
    assert ADMIN[0] not in window.account_button.toolTip()
    assert window.findChild(object, "PresentationNote").isVisible()
    # A page loaded before the switch loads again before it is shown.
    users = await _open(window, "users")
    await wait_for(lambda: users.model.rowCount() > 0, what="user rows")
    await wait_for(lambda: not _leaks(window, real), timeout=30, what="no real people")
    # Searching for what is shown finds the person behind it.
    fake = users.model.row_at(1)
    users.search.setText(fake.email)
    await wait_for(
        lambda: page_ready(users) and users.model.rowCount() == 1, timeout=30, what="search hit"
    )
    assert users.model.row_at(0).email == fake.email
    users.search.clear()
    await wait_for(lambda: page_ready(users) and users.model.rowCount() > 1, what="all again")
    await _open(window, "dashboard")
    await wait_for(lambda: not _leaks(window, real), timeout=30, what="dashboard without people")

    _action(window).trigger()
    assert session.result_filter is None
    profile = await _open(window, "profile")
    await wait_for(lambda: profile.email.text() == ADMIN[0], what="real email back")
    await wait_for(lambda: "Asha Admin" in window.account_button.text(), what="real name back")


async def test_a_form_filled_with_fakes_saves_the_real_values(make_app, sandbox) -> None:
    controller = await make_app()
    await sign_in(controller, sandbox, ADMIN)
    window = controller.window
    tenant_id = controller.session.tenant_id
    before = sandbox.db.one("SELECT * FROM billing_accounts WHERE tenant_id = ?", (tenant_id,))
    assert before["email"]
    _action(window).trigger()
    billing = await _open(window, "billing")
    billing.edit_entity()
    dialog = await wait_for(
        lambda: next(iter(billing.findChildren(BillingEntityDialog)), None), what="dialog"
    )
    assert dialog.email.text() and dialog.email.text() != before["email"]
    dialog.start_submit()  # as shown: the made-up invoice email
    await wait_for(
        lambda: not shiboken6.isValid(dialog) or not dialog.isVisible(), timeout=30, what="saved"
    )
    after = sandbox.db.one("SELECT * FROM billing_accounts WHERE tenant_id = ?", (tenant_id,))
    assert after["email"] == before["email"]
    assert after["legal_name"] == before["legal_name"]
    # And the page still shows the fake after saving.
    await wait_for(lambda: before["email"] not in " ".join(widget_strings([billing])), what="fake")


async def test_two_windows_in_presentation_mode_save_the_real_values(make_app, sandbox) -> None:
    # Each window had a filter of its own, and a request was revealed by every one of them:
    # two filters can make up the same fake for two different real values (the same names
    # and domains), and the billing form then saved a person's email instead of the real
    # invoice email (seen in CI, with a window of an earlier test still alive). One filter
    # for the console: a fake stands for one real value, whichever window shows it.
    controller = await make_app()
    await sign_in(controller, sandbox, ADMIN)
    first = controller.window
    second = controller.new_window(controller.session.current_account)
    await wait_for(lambda: second.session.tenant_id is not None, what="the second window's")
    assert first.presentation.privacy is second.presentation.privacy
    tenant_id = second.session.tenant_id
    before = sandbox.db.one("SELECT * FROM billing_accounts WHERE tenant_id = ?", (tenant_id,))
    _action(first).trigger()
    users = await _open(first, "users")  # many people made up in the first window
    assert users.model.rowCount() > 1
    _action(second).trigger()
    billing = await _open(second, "billing")
    billing.edit_entity()
    dialog = await wait_for(
        lambda: next(iter(billing.findChildren(BillingEntityDialog)), None), what="dialog"
    )
    shown = dialog.email.text()
    assert shown and shown != before["email"]
    # The fake in the form is the made-up value of the invoice email, and of nothing else.
    assert second.presentation.privacy.reveal(shown) == before["email"]
    dialog.start_submit()
    await wait_for(
        lambda: not shiboken6.isValid(dialog) or not dialog.isVisible(), timeout=30, what="saved"
    )
    after = sandbox.db.one("SELECT * FROM billing_accounts WHERE tenant_id = ?", (tenant_id,))
    assert after["email"] == before["email"]
    second.close()


def test_a_new_api_keys_one_time_secret_stays_real_in_presentation_mode() -> None:
    created = ApiKeyCreated.model_validate(
        {
            "id": 1,
            "name": "CRM",
            "prefix": "sk_live_ab12",
            "secret": "sk_live_ab12" + "cd" * 20,
            "created_by": {"id": 1, "email": "priya@acme-health.test", "display_name": "Priya"},
        }
    )
    shown = InAppPrivacy().filter(created)
    assert shown.secret.get_secret_value() == created.secret.get_secret_value()
    assert shown.created_by.email != "priya@acme-health.test"
