"""My Profile on the real sandbox: display name, timezone everywhere, unsaved edits, password.

Every test that changes an account works on a member invited for it, so the demo accounts
other tests sign in with keep their names, zones and passwords.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QMessageBox
from shiboken6 import isValid

from callaro_desktop.api.errors import ApiError
from callaro_desktop.services.formatting import format_datetime
from callaro_desktop.views.dialogs.change_password import ChangePasswordDialog
from callaro_desktop.views.pages.getting_started import GettingStartedPage
from callaro_desktop.views.pages.profile import ProfilePage

from .conftest import ADMIN, MULTI, sign_in, wait_for
from .table_cells import tab_leaves

# -- helpers the other test files of this feature share ---------------------------------------


@asynccontextmanager
async def api(
    server: Any, who: tuple[str, str], tenant: str | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    """A raw client signed in as `who` (and scoped to `tenant`): "someone elsewhere"."""
    async with httpx.AsyncClient(base_url=server.base_url, timeout=20) as http:
        r = await http.post("/api/v1/auth/login", json={"email": who[0], "password": who[1]})
        r.raise_for_status()
        http.headers["Authorization"] = f"Bearer {r.json()['data']['access_token']}"
        if tenant is not None:
            found = await http.get("/api/v1/tenants", params={"search": tenant, "per_page": 200})
            found.raise_for_status()
            tid = next(t["id"] for t in found.json()["data"] if t["name"] == tenant)
            http.headers["X-Tenant-Id"] = str(tid)
        yield http


async def new_member(
    server: Any,
    role: str = "tenant_viewer",
    tenant: str = "Acme Health",
    inviter: tuple[str, str] = ADMIN,
) -> tuple[str, str]:
    """Invite a fresh account into `tenant` and accept as the invitee would from the email."""
    email = f"profile-{uuid.uuid4().hex[:10]}@example.test"
    password = f"member-pw-{uuid.uuid4().hex[:10]}"
    async with api(server, inviter, tenant) as http:
        (
            await http.post("/api/v1/invitations", json={"email": email, "role": role})
        ).raise_for_status()
        mail = (await http.get("/sandbox/outbox", params={"to": email})).json()["data"][0]
        accepted = await http.post(
            f"/sandbox/invitations/{mail['token']}/accept", json={"password": password}
        )
        accepted.raise_for_status()
    return email, password


async def open_page(controller: Any, page_id: str) -> Any:
    window = controller.window
    window.navigate(page_id)
    await wait_for(lambda: window.router.current == page_id, what=f"on {page_id}")
    page = window.pages[page_id]
    await wait_for(
        lambda: page.states.state in ("ready", "empty"),
        timeout=20,
        what=f"{page_id} ready",
        extra=lambda: page.states.state,
    )
    return page


def pick_zone(page: ProfilePage, query: str, zone: str) -> None:
    """Type in the search and choose with the keyboard, as a user would."""
    page.picker.search.clear()
    QTest.keyClicks(page.picker.search, query)
    while page.picker.zone() != zone:
        QTest.keyClick(page.picker.search, Qt.Key.Key_Down)


def closed(dialog: Any) -> bool:
    # Dialogs are deleted once they close.
    return not isValid(dialog) or not dialog.isVisible()


async def _profile(controller: Any, server: Any, who: tuple[str, str]) -> ProfilePage:
    await sign_in(controller, server, who)
    page = await open_page(controller, "profile")
    assert isinstance(page, ProfilePage)
    await wait_for(page.picker.is_loaded, what="the timezone list")
    return page


# -- tests -------------------------------------------------------------------------------------


async def test_profile_shows_email_name_roles_workspaces_and_no_secrets(make_app, sandbox) -> None:
    controller = await make_app()
    page = await _profile(controller, sandbox, MULTI)
    me = controller.session.me
    assert page.title_label.text() == "My Profile"
    assert page.subtitle_label.text() == "Manage your account settings and password."
    assert page.email.text() == MULTI[0]
    assert page.display_name.text() == (me.display_name or "")
    tenant = controller.session.tenant
    assert page.roles.text() == f"{tenant.role_label} in {tenant.name}"
    names = {page.memberships.item(r, 0).text() for r in range(page.memberships.rowCount())}
    others = {"Acme Health", "Brightline Logistics"} - {tenant.name}
    assert names == others | {f"{tenant.name}  (current)"}
    assert await tab_leaves(page.memberships)  # Tab goes on, not from cell to cell
    assert page.picker.zone() == me.timezone
    assert not page.has_unsaved_changes()
    assert not page.save_button.isEnabled()
    # Nothing on the page carries a token or a password.
    tokens = controller.session.client.auth.tokens
    secrets = {tokens.access_token.get_secret_value(), tokens.refresh_token.get_secret_value()}
    texts = [w.text() for w in page.findChildren(QLabel)] + [
        w.text() for w in page.findChildren(QLineEdit)
    ]
    assert not [t for t in texts if any(s in t for s in secrets) or MULTI[1] in t]
    # Switching workspace moves the "(current)" mark and the role.
    other = next(t for t in controller.session.tenants if t.id != tenant.id)
    controller.window.request_tenant_switch(other.id)
    await wait_for(lambda: other.name in page.roles.text(), what="roles follow the tenant")
    assert f"{other.name}  (current)" in {
        page.memberships.item(r, 0).text() for r in range(page.memberships.rowCount())
    }


async def test_name_and_timezone_persist_and_every_date_follows_the_zone(make_app, sandbox) -> None:
    who = await new_member(sandbox)
    controller = await make_app()
    await sign_in(controller, sandbox, who)
    window, session = controller.window, controller.session
    assert session.timezone == "UTC"  # what an invitee starts with

    # Dates already on screen on two other pages.
    numbers = await open_page(controller, "phone_numbers")
    created_col = next(
        c for c in range(numbers.model.columnCount()) if numbers.model.column(c).title == "Created"
    )
    first = numbers.model.row_at(0)
    cell = numbers.model.index(0, created_col)
    assert cell.data() == format_datetime(first.created_at, "UTC")
    checklist = await open_page(controller, "getting_started")
    assert isinstance(checklist, GettingStartedPage)
    step = next(s for s in checklist._data.steps if s.completed_at is not None)
    status = checklist._rows[step.key].status
    assert format_datetime(step.completed_at, "UTC") in status.text()

    page = await open_page(controller, "profile")
    assert isinstance(page, ProfilePage)
    page.display_name.setText("  Priya Profile  ")
    pick_zone(page, "kolk", "Asia/Kolkata")
    assert page.has_unsaved_changes() and page.save_button.isEnabled()
    assert "(not saved yet)" in page.timezone_summary.text()
    window.activateWindow()
    page.display_name.setFocus()
    await wait_for(page.display_name.hasFocus, what="focus in the name field")
    QTest.keySequence(page.display_name, "Ctrl+S")
    await wait_for(lambda: session.timezone == "Asia/Kolkata", what="saved")
    await wait_for(lambda: not page.has_unsaved_changes(), what="clean after save")
    assert page.display_name.text() == "Priya Profile"
    assert "Priya Profile" in window.account_button.text()
    # Redrawn in place, without reloading either page.
    assert numbers.model.index(0, created_col).data() == format_datetime(
        first.created_at, "Asia/Kolkata"
    )
    assert format_datetime(step.completed_at, "Asia/Kolkata") in status.text()

    # A restart (new window, new sign-in) shows what the server kept.
    controller2 = await make_app()
    page2 = await _profile(controller2, sandbox, who)
    assert page2.display_name.text() == "Priya Profile"
    assert page2.picker.zone() == "Asia/Kolkata"
    # Blank clears the name; only the name is sent, the zone stays.
    page2.display_name.clear()
    page2.save_button.click()
    await wait_for(lambda: not page2.has_unsaved_changes(), what="cleared")
    assert controller2.session.me.display_name is None
    assert controller2.session.me.timezone == "Asia/Kolkata"
    assert who[0] in controller2.window.account_button.text()


async def test_the_picker_searches_by_city_and_offset_and_offers_this_computers_zone(
    make_app, sandbox
) -> None:
    controller = await make_app()
    page = await _profile(controller, sandbox, MULTI)
    picker = page.picker
    total = picker.model.rowCount()
    assert total > 400 and "localtime" not in {z.name for z in picker.model.zones}
    QTest.keyClicks(picker.search, "new york")
    assert [picker.proxy.index(r, 0).data() for r in range(picker.proxy.rowCount())] == [
        "America/New York"
    ]
    picker.search.clear()
    QTest.keyClicks(picker.search, "+05:45")
    found = {picker.proxy.index(r, 0).data() for r in range(picker.proxy.rowCount())}
    assert "Asia/Kathmandu" in found and f"of {total}" in picker.count.text()
    picker.search.clear()
    saved = controller.session.me.timezone
    if picker.local_zone is None:
        assert not picker.use_local.isEnabled()
    else:
        picker.use_local.click()
        assert picker.zone() == picker.local_zone
        assert page.has_unsaved_changes() == (picker.local_zone != saved)
    page.discard_changes()
    assert picker.zone() == saved and not page.has_unsaved_changes()


async def test_leaving_or_switching_workspace_with_unsaved_edits_asks_first(
    make_app, sandbox
) -> None:
    controller = await make_app()
    page = await _profile(controller, sandbox, MULTI)
    window, session = controller.window, controller.session
    original = session.me.display_name
    page.display_name.setText("Not saved")

    async def answer(button: QMessageBox.StandardButton) -> None:
        box = await wait_for(
            lambda: next((b for b in window.findChildren(QMessageBox) if b.isVisible()), None),
            what="unsaved-changes question",
        )
        assert "My Profile" in box.text()
        box.button(button).click()
        await wait_for(lambda: not box.isVisible(), what="question closed")

    tenant = session.tenant_id
    other = next(t for t in session.tenants if t.id != tenant)
    window.request_tenant_switch(other.id)
    await answer(QMessageBox.StandardButton.Cancel)
    assert session.tenant_id == tenant and page.display_name.text() == "Not saved"

    window.navigate("dashboard")
    await answer(QMessageBox.StandardButton.Cancel)
    assert window.router.current == "profile" and page.has_unsaved_changes()

    window.navigate("dashboard")
    await answer(QMessageBox.StandardButton.Discard)
    await wait_for(lambda: window.router.current == "dashboard", what="left after discard")
    assert (await session.client.me.get()).display_name == original


async def test_change_password_rules_server_errors_success_and_the_new_sign_in(
    make_app, sandbox
) -> None:
    who = await new_member(sandbox)
    controller = await make_app()
    page = await _profile(controller, sandbox, who)
    session = controller.session

    async def open_dialog() -> ChangePasswordDialog:
        QTest.mouseClick(page.change_password_button, Qt.MouseButton.LeftButton)
        return await wait_for(
            lambda: next(
                (d for d in page.findChildren(ChangePasswordDialog) if d.isVisible()), None
            ),
            what="password dialog",
        )

    # Cancel changes nothing.
    dialog = await open_dialog()
    dialog.current.setText(who[1])
    dialog.new.setText("something-long-enough")
    dialog.reject()
    await wait_for(lambda: closed(dialog), what="cancelled")

    dialog = await open_dialog()
    assert QApplication.activeModalWidget() in (dialog, None)
    error = {name: f[1] for name, f in dialog.fields.items()}
    # The rule is shown as the user types.
    QTest.keyClicks(dialog.new, "short")
    assert dialog.length_rule.met is False and "7 more" in dialog.length_rule.text()
    QTest.keyClicks(dialog.new, "-but-now-long")
    assert dialog.length_rule.met is True
    QTest.keyClicks(dialog.confirm, "short-but")
    assert dialog.match_rule.met is False
    # A weak password is refused at its field before anything is sent.
    dialog.new.setText("tooshort")
    dialog.confirm.setText("tooshort")
    dialog.current.setText(who[1])
    dialog.start_submit()
    assert error["new_password"].isVisible() and "12" in error["new_password"].text()
    assert dialog.isVisible()

    # A wrong current password is the server's verdict, shown at that field; input stays.
    new_password = f"new-password-{uuid.uuid4().hex[:8]}"
    dialog.current.setText("not-my-password")
    dialog.new.setText(new_password)
    dialog.confirm.setText(new_password)
    dialog.start_submit()
    await wait_for(lambda: error["current_password"].isVisible(), what="current password error")
    assert "incorrect" in error["current_password"].text().lower()
    assert not error["new_password"].isVisible()
    assert dialog.new.text() == new_password and dialog.current.text() == "not-my-password"

    messages: list[Any] = []
    session.messages.posted.connect(messages.append)
    dialog.current.setText(who[1])
    dialog.start_submit()
    await wait_for(lambda: closed(dialog), what="dialog closes on success")
    # The page says so once the dialog's future has resumed it (a loop turn later).
    await wait_for(
        lambda: any("password was changed" in m.text for m in messages), what="success message"
    )
    # The session carries on.
    assert session.client is not None and (await session.client.me.get()).email == who[0]

    await controller.session.sign_out()
    try:
        await sign_in(controller, sandbox, who)
    except ApiError as exc:
        assert exc.status == 401
    else:
        raise AssertionError("the old password still works")
    await sign_in(controller, sandbox, (who[0], new_password))
    assert controller.session.tenant is not None


async def test_a_failed_save_keeps_the_edit_and_says_the_request_id_once(
    make_app, sandbox, faults
) -> None:
    controller = await make_app()
    page = await _profile(controller, sandbox, ADMIN)
    bar = controller.window.message_bar
    faults([{"route": "/api/v1/me", "method": "PATCH", "status": 500}])
    page.display_name.setText("Asha Unsaved")
    QTest.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    await wait_for(lambda: bar.isVisible() and "not saved" in bar.text.text(), what="error")
    shown = bar.text.text()
    assert shown.count("req_") == 1 and shown.count("request id") == 1, shown
    assert shown.endswith(")."), shown  # inside the sentence, not after its full stop
    assert page.display_name.text() == "Asha Unsaved" and page.has_unsaved_changes()
