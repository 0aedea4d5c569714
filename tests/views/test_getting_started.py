"""Getting started on a sandbox of its own: steps that complete by themselves, Go, dismiss.

Dismissing is permanent on the server, and the fresh tenant's checklist is what these
tests change, so they run on a private sandbox instead of the shared one.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog, QLineEdit
from shiboken6 import isValid

from callaro_desktop.views.dialogs.confirm import ConfirmDialog
from callaro_desktop.views.dialogs.form import FormDialog
from callaro_desktop.views.pages.dashboard import DashboardPage
from callaro_desktop.views.pages.getting_started import GettingStartedPage
from callaro_desktop.views.pages.profile import ProfilePage
from callaro_sandbox.server import RunningServer

from .conftest import ADMIN, MULTI, OPERATOR, _start, laid_out, set_faults, sign_in, wait_for
from .test_profile import api, new_member, open_page

CORVID = ("owner@corvid.demo.callaro.test", "demo-password-6")  # a fresh tenant's admin


@pytest.fixture(scope="module")
def own_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    server = _start(tmp_path_factory.mktemp("sandbox-onboarding"))
    yield server
    server.stop()


async def _checklist(make_app: Any, server: Any, who: tuple[str, str]) -> Any:
    controller = await make_app()
    await sign_in(controller, server, who)
    page = await open_page(controller, "getting_started")
    assert isinstance(page, GettingStartedPage)
    # A test mouse click is delivered through the window: wait until the X server has shown
    # and focused it, and until the page's layout has settled. The first test's "Go" click
    # did nothing in half the runs on a slow machine: the row was still 32 px above where
    # the pending layout put it when the click arrived.
    window = controller.window
    window.activateWindow()
    await wait_for(window.isActiveWindow, what="window active")
    await laid_out(page)
    return controller, page


def _visible_dialog(window: Any, title: str) -> QDialog | None:
    return next(
        (d for d in window.findChildren(QDialog) if d.isVisible() and title in d.windowTitle()),
        None,
    )


async def test_steps_complete_by_themselves_when_shown_again_and_while_open(
    make_app, own_sandbox
) -> None:
    controller, page = await _checklist(make_app, own_sandbox, CORVID)
    window = controller.window
    assert page.progress_text.text() == "0 of 4 steps"
    assert page.progress.value() == 0 and page.progress.maximum() == 4
    invite = page._rows["invite_teammate"]
    assert invite.title.text() == "Invite a teammate" and "Required" in invite.status.text()
    assert "Optional" in page._rows["set_timezone"].status.text()
    assert not page.dismiss_button.isEnabled()
    assert "Finish the required steps" in page.dismiss_button.toolTip()
    assert page.refresh_timer.isActive()

    # "Go" opens Users and its invite dialog; inviting there completes the step.
    QTest.mouseClick(invite.go_button, Qt.MouseButton.LeftButton)
    await wait_for(lambda: window.router.current == "users", what="on Users")
    dialog = await wait_for(lambda: _visible_dialog(window, "Invite"), what="invite dialog")
    assert isinstance(dialog, FormDialog)
    assert not page.refresh_timer.isActive()  # hidden pages do not poll
    email = next(e for e in dialog.findChildren(QLineEdit) if e.accessibleName() == "Email")
    email.setText(f"new-{uuid.uuid4().hex[:8]}@corvid.test")
    dialog.start_submit()
    await wait_for(lambda: not isValid(dialog) or not dialog.isVisible(), what="invited")
    window.navigate("getting_started")
    await wait_for(lambda: page.progress_text.text() == "1 of 4 steps", what="1 of 4")
    assert invite.mark.done and "Done on" in invite.status.text()
    assert page.refresh_timer.isActive()

    # Someone creates a key elsewhere; while the page stays open it looks again by itself
    # (every minute; sooner here).
    page.refresh_timer.setInterval(200)
    async with api(own_sandbox, CORVID, "Corvid Studio") as http:
        (await http.post("/api/v1/api_keys", json={"name": "From elsewhere"})).raise_for_status()
    await wait_for(lambda: page.progress_text.text() == "2 of 4 steps", what="2 of 4")
    assert page._rows["create_api_key"].mark.done
    assert page.summary.text() == "1 required step left: Add a phone number."


async def test_go_buttons_follow_the_role_and_set_your_timezone_opens_my_profile(
    make_app, own_sandbox
) -> None:
    controller, page = await _checklist(make_app, own_sandbox, OPERATOR)
    rows = page._rows
    # An Operator may add numbers but not invite or create keys.
    assert rows["add_phone_number"].go_button.isEnabled()
    assert not rows["invite_teammate"].go_button.isEnabled()
    assert "ask a Tenant Admin" in rows["invite_teammate"].go_button.toolTip()
    assert not rows["create_api_key"].go_button.isEnabled()
    assert not page.dismiss_button.isEnabled()
    assert "Only a Tenant Admin" in page.dismiss_button.toolTip()

    QTest.mouseClick(rows["set_timezone"].go_button, Qt.MouseButton.LeftButton)
    profile = await wait_for(
        lambda: (
            controller.window.current_page()
            if controller.window.router.current == "profile"
            else None
        ),
        what="My Profile",
    )
    assert isinstance(profile, ProfilePage)
    # The offscreen platform drops window activation when the page stack changes (a real
    # display keeps it); activating again restores the focus the page asked for.
    controller.window.activateWindow()
    await wait_for(profile.picker.search.hasFocus, what="timezone search focused")


async def test_dismiss_only_when_required_steps_are_done_and_the_dashboard_follows(
    make_app, own_sandbox
) -> None:
    controller, page = await _checklist(make_app, own_sandbox, ADMIN)
    window = controller.window
    assert page._data.dismissible and not page._data.dismissed
    await wait_for(page.dismiss_button.isEnabled, what="dismiss enabled")
    dashboard = await open_page(controller, "dashboard")
    assert isinstance(dashboard, DashboardPage)
    card = dashboard.cards["checklist"]
    await wait_for(lambda: card.state == "ready" and card.isVisible(), what="checklist card")

    window.navigate("getting_started")
    await wait_for(lambda: window.router.current == "getting_started")
    page.dismiss_button.click()
    confirm = await wait_for(
        lambda: next((d for d in page.findChildren(ConfirmDialog) if d.isVisible()), None),
        what="confirm",
    )
    assert "Acme Health" in confirm.findChildren(type(page.summary))[0].text()
    confirm.action_button.click()
    await wait_for(lambda: page._data.dismissed, what="dismissed")
    assert not page.dismiss_button.isEnabled()
    assert "no longer shows on the Dashboard" in page.summary.text()
    # The page keeps the checklist; the Dashboard drops its card.
    assert page.states.state == "ready" and len(page._rows) == 4
    window.navigate("dashboard")
    await wait_for(lambda: not card.isVisible(), what="card gone from the Dashboard")
    assert dashboard.cards["numbers"].isVisible()


async def test_the_servers_refusal_is_shown_when_dismiss_comes_anyway(
    make_app, own_sandbox
) -> None:
    # An admin of Brightline opens the page; meanwhile another admin makes them an Operator.
    who = await new_member(own_sandbox, "tenant_admin", "Brightline Logistics", inviter=MULTI)
    controller, page = await _checklist(make_app, own_sandbox, who)
    await wait_for(page.dismiss_button.isEnabled, what="dismiss enabled")
    async with api(own_sandbox, MULTI, "Brightline Logistics") as http:
        users = (await http.get("/api/v1/users", params={"search": who[0]})).json()["data"]
        r = await http.patch(f"/api/v1/users/{users[0]['id']}", json={"role": "tenant_operator"})
        r.raise_for_status()
    page.dismiss_button.click()
    confirm = await wait_for(
        lambda: next((d for d in page.findChildren(ConfirmDialog) if d.isVisible()), None),
        what="confirm",
    )
    messages: list[Any] = []
    controller.session.messages.posted.connect(messages.append)
    confirm.action_button.click()
    await wait_for(page.dismiss_error.isVisible, what="refusal shown")
    assert "not dismissed" in page.dismiss_error.text()
    assert messages and messages[-1].request_id
    assert not page._data.dismissed


async def test_switching_workspace_never_leaves_the_other_checklist_on_screen(
    make_app, own_sandbox
) -> None:
    controller, page = await _checklist(make_app, own_sandbox, MULTI)
    session = controller.session
    first = session.tenant
    other = next(t for t in session.tenants if t.id != first.id)
    set_faults(own_sandbox, [{"route": "/api/v1/onboarding/checklist", "latency_ms": 1500}])
    try:
        controller.window.request_tenant_switch(other.id)
        await wait_for(lambda: session.tenant_id == other.id, what="switched")
        assert page.states.state == "loading"
        await wait_for(lambda: page.states.state == "ready", timeout=20, what="other checklist")
    finally:
        set_faults(own_sandbox, [])
    async with api(own_sandbox, MULTI, other.name) as http:
        expected = (await http.get("/api/v1/onboarding/checklist")).json()["data"]
    assert page.progress_text.text() == (
        f"{expected['completed_count']} of {expected['total_count']} steps"
    )
    # Admin in one workspace, Operator in the other: the Dismiss rule follows the role.
    assert page.dismiss_button.isEnabled() == (
        other.role == "tenant_admin" and expected["dismissible"] and not expected["dismissed"]
    )
