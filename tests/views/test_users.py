"""Users and invitations against the real sandbox (the `demo` seed).

Tests that change people create their own (invite + accept through the sandbox), so
nothing here depends on, or disturbs, the seed members other tests look at.
"""

from __future__ import annotations

import asyncio
import csv
import uuid
from pathlib import Path
from typing import Any, TypeVar

import httpx
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLabel,
    QMenu,
    QStyleOptionViewItem,
    QWidget,
)

from callaro_desktop.services.formatting import format_date
from callaro_desktop.services.messages import Level, Message
from callaro_desktop.views.dialogs.bulk_invite import BulkInviteDialog, RowState
from callaro_desktop.views.dialogs.confirm import ConfirmDialog
from callaro_desktop.views.dialogs.invite_user import TYPING_PAUSE_MS, InviteUserDialog
from callaro_desktop.views.dialogs.user_actions import ChangeRoleDialog
from callaro_desktop.views.pages.users import UsersPage
from callaro_desktop.views.widgets.badges import PILL_ROLE, BadgeDelegate, Tone

from .conftest import ADMIN, sign_in, wait_for
from .table_cells import hovered_tip, shown_text

W = TypeVar("W", bound=QWidget)
CORVID_OWNER = ("owner@corvid.demo.callaro.test", "demo-password-6")


# -- talking to the sandbox directly, to set up and to check -------------------------------


class Api:
    def __init__(self, sandbox: Any, who: tuple[str, str], tenant_id: int) -> None:
        self.base = sandbox.base_url
        r = httpx.post(f"{self.base}/api/v1/auth/login", json={"email": who[0], "password": who[1]})
        r.raise_for_status()
        token = r.json()["data"]["access_token"]
        self.headers = {"Authorization": f"Bearer {token}", "X-Tenant-Id": str(tenant_id)}

    def get(self, path: str, **params: Any) -> httpx.Response:
        return httpx.get(f"{self.base}/api/v1{path}", params=params, headers=self.headers)

    def invitations(self, search: str, status: str | None = "pending") -> list[dict[str, Any]]:
        params: dict[str, Any] = {"search": search, "per_page": 200}
        if status:
            params["status"] = status
        return list(self.get("/invitations", **params).json()["data"])

    def invite(self, email: str, role: str = "tenant_operator") -> dict[str, Any]:
        r = httpx.post(
            f"{self.base}/api/v1/invitations",
            json={"email": email, "role": role},
            headers=self.headers,
        )
        r.raise_for_status()
        return dict(r.json()["data"])

    def new_member(self, name: str, role: str = "tenant_operator") -> tuple[int, str]:
        """A fresh person in the tenant: invited, then accepted through the sandbox."""
        email = f"{name.lower().replace(' ', '.')}.{uuid.uuid4().hex[:8]}@example.com"
        self.invite(email, role)
        mail = httpx.get(f"{self.base}/sandbox/outbox", params={"to": email}).json()["data"][0]
        r = httpx.post(
            mail["accept_url"], json={"password": "a-long-password-1", "display_name": name}
        )
        r.raise_for_status()
        users = self.get("/users", search=email).json()["data"]
        return int(users[0]["id"]), email


# -- driving the page ------------------------------------------------------------------------


async def _app(make_app: Any, sandbox: Any, who: tuple[str, str] = ADMIN) -> tuple[Any, Api]:
    controller = await make_app()
    await sign_in(controller, sandbox, who)
    return controller, Api(sandbox, who, controller.session.tenant_id)


async def _users_page(controller: Any) -> UsersPage:
    controller.window.navigate("users")
    page: UsersPage = controller.window.pages["users"]
    await wait_for(
        lambda: page.states.state == "ready" and page.invitations.count_label.text(),
        what="users page ready",
    )
    return page


async def _dialog(controller: Any, cls: type[W], what: str = "") -> W:
    def visible() -> W | None:
        shown = [d for d in controller.window.findChildren(cls) if d.isVisible()]
        return shown[-1] if shown else None

    found: W = await wait_for(visible, what=what or cls.__name__)
    return found


async def _settled(page: UsersPage) -> None:
    await wait_for(
        lambda: (
            not page.session.tasks.running()
            and not page.model.is_loading
            and not page.invitations.model.is_loading
        ),
        what="page settled",
    )


async def _search(page: UsersPage, text: str) -> None:
    page.search.setText(text)
    await wait_for(
        lambda: page.model.rows and all(text in u.email for u in page.model.rows),
        what=f"search {text}",
    )
    await _settled(page)


def _messages(controller: Any) -> list[Message]:
    posted: list[Message] = []
    controller.session.messages.posted.connect(posted.append)
    return posted


def _gone(widget: QWidget) -> bool:
    """Closed: hidden, or already deleted (the page deletes a dialog once it is done)."""
    return not shiboken6.isValid(widget) or not widget.isVisible()


async def _focus(widget: QWidget) -> None:
    """Keyboard shortcuts need the widget focused in the active window."""
    widget.window().activateWindow()
    widget.setFocus()
    await wait_for(widget.hasFocus, what="focus")


def _click(widget: QWidget) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


# -- Invite User -----------------------------------------------------------------------------


async def test_invite_user_is_worded_as_the_web_app_and_lands_in_pending(make_app, sandbox) -> None:
    controller = await make_app()
    await sign_in(controller, sandbox, ADMIN)
    page = await _users_page(controller)
    posted = _messages(controller)
    assert page.invite_button.text().replace("&", "") == "Invite User"

    await _focus(page.table)
    QTest.keyClick(page.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = await _dialog(controller, InviteUserDialog)
    assert dialog.windowTitle() == "Invite User"
    assert dialog.intro.text() == "Send an invitation email to add a new user to this tenant."
    assert dialog.submit_button.text() == "Invite User"
    roles = [dialog.role.itemText(i) for i in range(dialog.role.count())]
    assert roles == ["Tenant Admin", "Tenant Operator", "Tenant Viewer"]
    assert dialog.role.currentText() == "Tenant Operator"
    assert dialog.email.hasFocus() or dialog.focusWidget() is dialog.email

    email = f"invitee.{uuid.uuid4().hex[:8]}@example.com"
    QTest.keyClicks(dialog.email, email)
    dialog.role.setCurrentIndex(2)
    _click(dialog.submit_button)
    await wait_for(lambda: _gone(dialog), what="dialog closed")
    # The page says so once the dialog's result reaches it: a turn of the loop later.
    await wait_for(
        lambda: any(m.level is Level.INFO and email in m.text for m in posted),
        what="invitation sent message",
    )
    await wait_for(
        lambda: any(i.email == email for i in page.invitations.model.rows),
        what="invitation listed",
    )
    shown = next(i for i in page.invitations.model.rows if i.email == email)
    assert shown.role.value == "tenant_viewer"
    assert "Pending invitations (" in page.tabs.tabText(1)
    api = Api(sandbox, ADMIN, controller.session.tenant_id)
    assert [i["role"] for i in api.invitations(email)] == ["tenant_viewer"]


async def test_a_bad_address_is_said_as_typed_and_nothing_is_sent(make_app, sandbox) -> None:
    controller = await make_app()
    await sign_in(controller, sandbox, ADMIN)
    page = await _users_page(controller)
    page.invite_button.click()
    dialog = await _dialog(controller, InviteUserDialog)
    QTest.keyClicks(dialog.email, "someone@nowhere")
    await wait_for(lambda: dialog.email_error.isVisible(), what="error while typing")
    assert "valid email" in dialog.email_error.text()
    _click(dialog.submit_button)
    await asyncio.sleep(0.2)
    assert dialog.isVisible() and dialog.idempotency_key is None  # never sent
    assert dialog.email.text() == "someone@nowhere"
    QTest.keyClicks(dialog.email, ".in")
    assert not dialog.email_error.isVisible()  # a fix clears at once
    dialog.reject()


async def test_server_conflicts_appear_at_the_email_and_keep_the_input(make_app, sandbox) -> None:
    controller, api = await _app(make_app, sandbox)
    pending = f"pending.{uuid.uuid4().hex[:8]}@example.com"
    api.invite(pending)
    page = await _users_page(controller)
    page.open_primary_action()
    dialog = await _dialog(controller, InviteUserDialog)
    for email, words in ((ADMIN[0], "already a member"), (pending, "pending invitation")):
        dialog.email.clear()
        QTest.keyClicks(dialog.email, email)
        dialog.start_submit()  # (Enter, before the pause in typing that checks the address)
        await wait_for(lambda w=words: w in dialog.email_error.text(), what=words)
        assert dialog.isVisible() and dialog.email.text() == email
        assert dialog.submit_button.isEnabled()
        # The server's answer stands until the address changes: the check after a pause in
        # typing, and leaving the field, used to wipe it a moment after it was shown.
        await asyncio.sleep(TYPING_PAUSE_MS / 1000 + 0.3)
        dialog.email.editingFinished.emit()
        assert words in dialog.email_error.text() and dialog.email_error.isVisible()
    QTest.keyClicks(dialog.email, "x")
    assert not dialog.email_error.isVisible()  # an edit clears it at once
    assert len(api.invitations(pending)) == 1
    dialog.reject()


async def test_a_retry_after_a_503_invites_exactly_once(make_app, sandbox, faults) -> None:
    controller = await make_app()
    await sign_in(controller, sandbox, ADMIN)
    page = await _users_page(controller)
    api = Api(sandbox, ADMIN, controller.session.tenant_id)
    page.open_primary_action()
    dialog = await _dialog(controller, InviteUserDialog)
    email = f"retry.{uuid.uuid4().hex[:8]}@example.com"
    dialog.email.setText(email)
    dialog.role.setCurrentIndex(0)
    # More failures than the transport's own retries: the user sees it and retries.
    faults([{"route": "/api/v1/invitations", "method": "POST", "status": 503, "count": 3}])
    dialog.start_submit()
    await wait_for(lambda: dialog.general_error.isVisible(), timeout=20, what="503 shown")
    assert "request id" in dialog.general_error.text()
    assert "one invitation" in dialog.general_error.text()
    assert dialog.isVisible() and dialog.email.text() == email
    key = dialog.idempotency_key
    faults([])
    _click(dialog.submit_button)
    await wait_for(lambda: _gone(dialog), timeout=20, what="sent on retry")
    assert dialog.idempotency_key == key
    invitations = api.invitations(email)
    assert len(invitations) == 1 and invitations[0]["role"] == "tenant_admin"


# -- Pending invitations ---------------------------------------------------------------------


async def test_resend_and_revoke_a_pending_invitation(make_app, sandbox) -> None:
    controller, api = await _app(make_app, sandbox)
    email = f"resend.{uuid.uuid4().hex[:8]}@example.com"
    api.invite(email)
    page = await _users_page(controller)
    posted = _messages(controller)
    page.tabs.setCurrentWidget(page.invitations)
    page.invitations.search.setText(email)
    panel = page.invitations
    await wait_for(lambda: [i.email for i in panel.model.rows] == [email], what="filtered")
    panel.table.selectRow(0)
    assert panel.resend_button.isEnabled() and panel.revoke_button.isEnabled()

    _click(panel.resend_button)
    await wait_for(lambda: any(email in m.text for m in posted), what="resent")
    mails = httpx.get(f"{sandbox.base_url}/sandbox/outbox", params={"to": email}).json()["data"]
    assert len(mails) == 2

    await _settled(page)
    panel.table.selectRow(0)
    await _focus(panel.table)
    QTest.keyClick(panel.table, Qt.Key.Key_Delete)
    confirm = await _dialog(controller, ConfirmDialog, "revoke confirmation")
    text = confirm.findChildren(type(page.count_label))[0].text()
    assert email in text and "Acme Health" in text
    _click(confirm.action_button)
    await wait_for(lambda: not panel.model.rows, what="revoked row gone")
    assert api.invitations(email) == []
    assert [i["status"] for i in api.invitations(email, status=None)] == ["revoked"]


# -- row actions -----------------------------------------------------------------------------


async def test_change_role_deactivate_reactivate_and_remove(make_app, sandbox) -> None:
    controller, api = await _app(make_app, sandbox)
    user_id, email = api.new_member("Rowan Row")
    page = await _users_page(controller)
    await _search(page, email)
    page.table.selectRow(0)
    await _focus(page.table)

    QTest.keyClick(page.table, Qt.Key.Key_F2)
    dialog = await _dialog(controller, ChangeRoleDialog)
    assert email in dialog.intro.text() and "Acme Health" in dialog.intro.text()
    assert not dialog.submit_button.isEnabled()  # same role: nothing to send
    dialog.role.setCurrentIndex(2)
    _click(dialog.submit_button)
    await wait_for(lambda: _gone(dialog), what="dialog closed")
    # The row takes the dialog's result once it reaches the page: a turn of the loop later.
    await wait_for(lambda: page.model.rows[0].role.value == "tenant_viewer", what="role changed")
    assert api.get(f"/users/{user_id}").json()["data"]["role"] == "tenant_viewer"
    assert page.selected() is not None and page.selected().id == user_id  # type: ignore[union-attr]

    _click(page.toggle_button)
    confirm = await _dialog(controller, ConfirmDialog, "deactivate confirmation")
    text = confirm.findChildren(type(page.count_label))[0].text()
    assert "Rowan Row" in text and email in text and "Acme Health" in text
    _click(confirm.action_button)
    await wait_for(lambda: page.model.rows[0].status.value == "deactivated", what="deactivated")
    assert page.toggle_button.text().replace("&", "") == "Reactivate"
    _click(page.toggle_button)  # bringing someone back needs no confirmation
    await wait_for(lambda: page.model.rows[0].status.value == "active", what="reactivated")
    assert api.get(f"/users/{user_id}").json()["data"]["status"] == "active"

    await _focus(page.table)
    QTest.keyClick(page.table, Qt.Key.Key_Delete)
    confirm = await _dialog(controller, ConfirmDialog, "remove confirmation")
    text = confirm.findChildren(type(page.count_label))[0].text()
    assert "Rowan Row" in text and "Acme Health" in text
    _click(confirm.action_button)
    await wait_for(lambda: not page.model.rows, what="row removed")
    assert api.get(f"/users/{user_id}").status_code == 404


async def test_the_last_admin_refusal_is_explained(make_app, sandbox) -> None:
    controller = await make_app()
    await sign_in(controller, sandbox, CORVID_OWNER)
    page = await _users_page(controller)
    posted = _messages(controller)
    await _search(page, "owner@corvid")
    page.table.selectRow(0)

    page.change_role_action.trigger()
    dialog = await _dialog(controller, ChangeRoleDialog)
    assert dialog.self_warning.isHidden()
    dialog.role.setCurrentIndex(1)
    assert dialog.self_warning.isVisibleTo(dialog)
    _click(dialog.submit_button)
    role_error = dialog.fields["role"][1]
    await wait_for(lambda: role_error.isVisible(), what="refusal at the role")
    assert "only active Tenant Admin of Corvid Studio" in role_error.text()
    assert "Make someone else a Tenant Admin first" in role_error.text()
    # The request id inside the last sentence, once.
    assert role_error.text().count("request id") == 1 and role_error.text().endswith(").")
    assert dialog.isVisible() and dialog.role.currentIndex() == 1
    dialog.reject()

    page.remove_action.trigger()
    confirm = await _dialog(controller, ConfirmDialog, "remove confirmation")
    assert "This is you" in confirm.findChildren(type(page.count_label))[0].text()
    _click(confirm.action_button)
    await wait_for(lambda: any(m.level is Level.ERROR for m in posted), what="refusal")
    error = next(m for m in posted if m.level is Level.ERROR)
    assert "only active Tenant Admin of Corvid Studio" in error.text and error.request_id
    assert "request id" not in error.text  # the message bar adds it, once
    api = Api(sandbox, CORVID_OWNER, controller.session.tenant_id)
    me = api.get("/users", search="owner@corvid").json()["data"][0]
    assert (me["role"], me["status"]) == ("tenant_admin", "active")
    assert page.model.rows[0].email == CORVID_OWNER[0]


async def test_selection_and_place_survive_a_refresh(make_app, sandbox) -> None:
    controller = await make_app()
    await sign_in(controller, sandbox, ADMIN)
    page = await _users_page(controller)
    page.table.selectRow(5)
    chosen = page.selected()
    assert chosen is not None
    controller.window.reload_action.trigger()
    await wait_for(lambda: page.session.tasks.running(), timeout=2, what="reload started")
    await _settled(page)
    after = page.selected()
    assert after is not None and after.id == chosen.id
    assert page.change_role_button.isEnabled()


# -- bulk invite -------------------------------------------------------------------------------


def _write_csv(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


async def _bulk(controller: Any, page: UsersPage, path: Path) -> BulkInviteDialog:
    page.bulk_button.click()
    dialog = await _dialog(controller, BulkInviteDialog)
    await dialog.load_file(path)
    await wait_for(lambda: dialog.phase == "ready", timeout=30, what="preview checked")
    return dialog


async def test_bulk_invite_previews_sends_and_exports_mixed_rows(
    make_app, sandbox, tmp_path
) -> None:
    controller, api = await _app(make_app, sandbox)
    tag = uuid.uuid4().hex[:8]
    pending = f"already.{tag}@example.com"
    api.invite(pending)
    path = _write_csv(
        tmp_path / "people.csv",
        [
            "Email,Role",
            f"ana.{tag}@example.com,Tenant Admin",
            "not-an-address,viewer",
            f"bo.{tag}@example.com,Manager",
            f"cy.{tag}@example.com,tenant_viewer",
            f"ANA.{tag}@example.com,operator",
            f"{ADMIN[0]},admin",
            f"{pending},",
            f"dee.{tag}@example.com,",
        ],
    )
    page = await _users_page(controller)
    dialog = await _bulk(controller, page, path)
    states = {r.line: (r.state, r.reason) for r in dialog.rows}
    assert states[2][0] is RowState.READY and states[9][0] is RowState.READY
    assert states[3] == (RowState.INVALID, "not a valid email address")
    assert states[4][0] is RowState.INVALID and "Manager" in states[4][1]
    assert states[6] == (RowState.DUPLICATE, "same address as line 2")
    assert states[7][0] is RowState.MEMBER and "Acme Health" in states[7][1]
    assert states[8][0] is RowState.INVITED
    assert dialog.send_button.text().replace("&", "") == "Send 3 invitations"

    _click(dialog.send_button)
    await wait_for(lambda: dialog.phase == "done", timeout=30, what="sent")
    assert dialog.counts() == {"sent": 3, "skipped": 5, "failed": 0, "not_sent": 0}
    assert "3 sent · 5 skipped · 0 failed" in dialog.summary.text()
    for email, role in (
        (f"ana.{tag}@example.com", "tenant_admin"),
        (f"cy.{tag}@example.com", "tenant_viewer"),
        (f"dee.{tag}@example.com", "tenant_operator"),
    ):
        assert [i["role"] for i in api.invitations(email)] == [role]
    await wait_for(
        lambda: any(i.email == f"ana.{tag}@example.com" for i in page.invitations.model.rows),
        what="pending list refreshed",
    )

    out = tmp_path / "results.csv"
    await dialog.export_results(out)
    with out.open(encoding="utf-8-sig", newline="") as handle:
        exported = list(csv.DictReader(handle))
    assert [r["Line"] for r in exported] == [str(n) for n in range(2, 10)]
    assert [r["Result"] for r in exported].count("Sent") == 3
    assert exported[1]["Reason"] == "not a valid email address"
    dialog.reject()
    await wait_for(lambda: _gone(dialog))


async def test_bulk_invite_rides_out_429s(make_app, sandbox, faults, tmp_path) -> None:
    controller, api = await _app(make_app, sandbox)
    tag = uuid.uuid4().hex[:8]
    emails = [f"p{n}.{tag}@example.com" for n in range(8)]
    page = await _users_page(controller)
    dialog = await _bulk(controller, page, _write_csv(tmp_path / "rl.csv", emails))
    # More 429s than the transport retries on its own: the runner must pause and go on.
    faults([{"route": "/api/v1/invitations", "method": "POST", "rate_limit": True, "count": 12}])
    dialog.send()
    await wait_for(lambda: dialog.phase == "done", timeout=40, what="sent despite 429s")
    assert dialog.counts()["sent"] == 8
    assert dialog._runner is not None and dialog._runner.rate_limited >= 1
    assert len(api.invitations(tag)) == 8


async def test_a_thousand_row_file_sends_and_stop_is_clean(make_app, sandbox, tmp_path) -> None:
    controller, api = await _app(make_app, sandbox)
    tag = uuid.uuid4().hex[:8]
    rows = ["email,role"] + [f"m{n:04d}.{tag}@example.com,viewer" for n in range(1000)]
    page = await _users_page(controller)
    dialog = await _bulk(controller, page, _write_csv(tmp_path / "big.csv", rows))
    assert len(dialog.to_send()) == 1000
    dialog.send()
    await wait_for(lambda: dialog.counts()["sent"] >= 40, timeout=30, what="some sent")
    _click(dialog.stop_button)
    await wait_for(lambda: dialog.phase == "done", timeout=30, what="stopped")
    counts = dialog.counts()
    assert counts["failed"] == 0 and counts["sent"] + counts["not_sent"] == 1000
    assert 40 <= counts["sent"] < 1000
    total = api.get("/invitations", search=tag, status="pending", per_page=1).json()["meta"]
    assert total["count"] == counts["sent"]
    not_sent = [r for r in dialog.rows if r.state is RowState.NOT_SENT]
    assert all(r.reason == "stopped before it was sent" for r in not_sent)
    assert dialog.send_button.isEnabled()
    assert dialog.send_button.text().replace("&", "") == f"Send {len(not_sent):,} invitations"
    dialog.done(QDialog.DialogCode.Rejected)


def _said(ask: ConfirmDialog) -> str:
    return " ".join(label.text() for label in ask.findChildren(QLabel) if label.isVisible())


async def test_bulk_invite_asks_before_a_checked_file_is_thrown_away(
    make_app, sandbox, tmp_path
) -> None:
    # Picked and checked, nothing sent: Esc, Close or the title bar's close asks first, as a
    # form typed in does; Keep open keeps every row.
    controller, api = await _app(make_app, sandbox)
    tag = uuid.uuid4().hex[:8]
    emails = ["email,role"] + [f"k{n}.{tag}@example.com,viewer" for n in range(3)]
    page = await _users_page(controller)
    dialog = await _bulk(controller, page, _write_csv(tmp_path / "team.csv", emails))
    assert dialog.holds_work()

    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    ask = await _dialog(controller, ConfirmDialog)
    assert "3 invitations from team.csv have not been sent" in _said(ask)
    ask.reject()  # Keep open
    await wait_for(lambda: _gone(ask), what="question answered")
    assert dialog.isVisible() and len(dialog.to_send()) == 3

    dialog.close_button.click()
    ask = await _dialog(controller, ConfirmDialog)
    ask.action_button.click()  # Discard
    await wait_for(lambda: _gone(dialog), what="closed")
    assert api.invitations(tag) == []


async def test_quitting_from_another_window_during_a_bulk_send_asks_and_stops_it(
    make_app, sandbox, tmp_path
) -> None:
    # Support staff keep several windows: Quit in another one used to close every window
    # with no word while the invitations were going out, and the count of those sent went
    # with them.
    controller, api = await _app(make_app, sandbox)
    tag = uuid.uuid4().hex[:8]
    rows = ["email,role"] + [f"s{n:04d}.{tag}@example.com,viewer" for n in range(1000)]
    page = await _users_page(controller)
    dialog = await _bulk(controller, page, _write_csv(tmp_path / "many.csv", rows))
    first = controller.window
    second = controller.new_window(first.session.current_account, first.session.tenant_id)
    await wait_for(lambda: second.isVisible(), what="second window")
    dialog.send()
    await wait_for(lambda: dialog.counts()["sent"] >= 20, timeout=30, what="some sent")

    second.quit_action.trigger()
    ask = await _dialog(controller, ConfirmDialog)
    assert "still being sent" in _said(ask)
    ask.reject()  # Keep sending
    await wait_for(lambda: _gone(ask), what="question answered")
    assert first.isVisible() and second.isVisible() and dialog.phase == "sending"

    second.quit_action.trigger()
    ask = await _dialog(controller, ConfirmDialog)
    ask.action_button.click()  # Stop and close
    await wait_for(lambda: not controller.windows, timeout=30, what="every window closed")
    counts = dialog.counts()
    assert dialog.phase == "done" and counts["failed"] == 0
    assert counts["sent"] + counts["not_sent"] == 1000
    # What the dialog said was sent is what the server has: none cut off mid-way unsaid.
    total = api.get("/invitations", search=tag, status="pending", per_page=1).json()["meta"]
    assert total["count"] == counts["sent"]


async def test_a_bulk_send_finished_closes_without_asking(make_app, sandbox, tmp_path) -> None:
    controller, _api = await _app(make_app, sandbox)
    tag = uuid.uuid4().hex[:8]
    page = await _users_page(controller)
    dialog = await _bulk(
        controller,
        page,
        _write_csv(tmp_path / "two.csv", [f"t{n}.{tag}@example.com" for n in range(2)]),
    )
    dialog.send()
    await wait_for(lambda: dialog.phase == "done", timeout=30, what="sent")
    assert not dialog.holds_work() and not controller.window.holds_typing()
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    await wait_for(lambda: _gone(dialog), what="closed at once")


async def test_keyboard_reaches_filters_table_actions_and_sorting(make_app, sandbox) -> None:
    controller, _api = await _app(make_app, sandbox)
    page = await _users_page(controller)
    page.table.selectRow(0)
    await _focus(page.search)
    order = []
    for _ in range(4):
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        order.append(QApplication.focusWidget())
    assert order == [page.role_filter, page.status_filter, page.table, page.change_role_button]

    await _focus(page.table)
    QTest.keyClick(page.table, Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier)
    menu = await wait_for(lambda: QApplication.activePopupWidget(), what="row menu")
    assert isinstance(menu, QMenu) and menu.accessibleName() == "User actions"
    texts = [a.text() for a in menu.actions()]
    assert "Change &role…" in texts and "Re&move from tenant…" in texts
    sort_menu = next(a.menu() for a in menu.actions() if a.text() == "&Sort by")
    name_desc = next(a for a in sort_menu.actions() if a.text() == "Name, descending")
    menu.close()
    name_desc.trigger()
    await wait_for(lambda: page.sort == "-display_name", what="sorted from the menu")
    await _settled(page)
    names = [u.display_name or "" for u in page.model.rows if u.display_name]
    assert names[:5] == sorted(names, key=str.lower, reverse=True)[:5]
    assert page.table.horizontalHeader().sortIndicatorSection() == 0


async def test_a_remembered_view_brings_back_its_sort_and_filters(make_app, sandbox) -> None:
    controller, _api = await _app(make_app, sandbox)
    page = await _users_page(controller)
    header = page.table.horizontalHeader()
    header.setSortIndicator(4, Qt.SortOrder.DescendingOrder)
    page.status_filter.setCurrentIndex(page.status_filter.findText("Active"))
    await wait_for(lambda: page.sort == "-last_active_at")
    state = page.view_state()
    header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
    page.status_filter.setCurrentIndex(0)
    await wait_for(lambda: page.sort == "display_name")
    await _settled(page)

    page.restore_view_state(state)  # what coming back to this workspace does
    assert page.sort == "-last_active_at" and page.status_filter.currentText() == "Active"
    page.reload()
    await wait_for(lambda: page.query()[-1] == "-last_active_at" and page.model.rows)
    await _settled(page)
    stamps = [u.last_active_at for u in page.model.rows if u.last_active_at is not None]
    assert stamps == sorted(stamps, reverse=True)
    assert all(u.status.value == "active" for u in page.model.rows)


async def test_reveal_shows_the_person_even_behind_a_filter(make_app, sandbox) -> None:
    controller, api = await _app(make_app, sandbox)
    user_id, email = api.new_member("Vera Reveal", role="tenant_viewer")
    page = await _users_page(controller)
    page.role_filter.setCurrentIndex(page.role_filter.findText("Tenant Admin"))
    page.tabs.setCurrentWidget(page.invitations)
    await _settled(page)
    page.reveal(user_id, email)
    await wait_for(
        lambda: page.selected() is not None and page.selected().id == user_id,  # type: ignore[union-attr]
        what="revealed",
    )
    assert page.tabs.currentIndex() == 0 and page.role_filter.currentIndex() == 0


async def test_statuses_are_pills_as_on_the_other_lists(make_app, sandbox) -> None:
    controller, _api = await _app(make_app, sandbox)
    page = await _users_page(controller)
    await _settled(page)
    tones: dict[str, set[Tone]] = {}
    for table, model in (
        (page.table, page.model),
        (page.invitations.table, page.invitations.model),
    ):
        status = next(c for c in range(model.columnCount()) if model.column(c).title == "Status")
        assert isinstance(table.itemDelegateForColumn(status), BadgeDelegate)
        for row in range(model.rowCount()):
            cell = model.index(row, status)
            tones.setdefault(cell.data(), set()).add(Tone(cell.data(PILL_ROLE)))
        # Each pill is whole in its column ("Deactivated" was cut to "Deactivat…").
        option = QStyleOptionViewItem()
        option.font = table.font()
        delegate = table.itemDelegateForColumn(status)
        widest = max(
            delegate.sizeHint(option, model.index(r, status)).width()
            for r in range(model.rowCount())
        )
        assert table.columnWidth(status) >= widest
    assert tones["Active"] == {Tone.SUCCESS}
    assert tones["Deactivated"] == {Tone.NEUTRAL}
    assert tones["Pending"] == {Tone.WARNING}


async def test_reset_column_widths_puts_back_both_lists(make_app, sandbox) -> None:
    controller, _api = await _app(make_app, sandbox)
    page = await _users_page(controller)
    panel = page.invitations
    assert panel.reset_columns_action in panel.table.horizontalHeader().actions()
    tables = (page.table, panel.table)

    def widths() -> list[list[int]]:
        return [
            [t.horizontalHeader().sectionSize(c) for c in range(t.horizontalHeader().count())]
            for t in tables
        ]

    laid_out = widths()
    reset = controller.window.reset_columns_action
    assert not reset.isEnabled() and not panel.reset_columns_action.isEnabled()
    # A column of the pending invitations' alone changed is something to reset.
    panel.table.horizontalHeader().resizeSection(0, 333)
    assert reset.isEnabled() and panel.reset_columns_action.isEnabled()
    assert not page.reset_columns_action.isEnabled()  # (the members' are still the page's)
    page.table.horizontalHeader().resizeSection(0, 333)
    assert widths() != laid_out
    reset.trigger()
    assert widths() == laid_out
    assert not reset.isEnabled() and not panel.reset_columns_action.isEnabled()


async def test_a_narrow_window_shortens_roles_and_dates_and_hover_says_them_whole(
    make_app, sandbox
) -> None:
    """Sharing a narrow window, Role and the dates were cut mid-word ("Tenant Ope…",
    "28 Nov 2026, …"). A column too narrow for its cells shows them all short ("Operator",
    "28 Nov 2026"), and any cell shown shorter than it is says itself whole on hover."""
    controller, _api = await _app(make_app, sandbox)
    page = await _users_page(controller)
    await _settled(page)
    table, model = page.table, page.model
    role, created = 2, 5
    assert [model.column(c).title for c in (role, created)] == ["Role", "Created"]
    rows = range(min(8, model.rowCount()))
    controller.window.resize(1700, 900)
    await wait_for(lambda: table.viewport().width() > 1300, what="a wide window")
    whole = {r: shown_text(table, r, role) for r in rows}
    assert set(whole.values()) >= {"Tenant Admin", "Tenant Operator"}
    assert all(", " in shown_text(table, r, created) for r in rows)  # date and time
    assert hovered_tip(table, 0, role) == ""

    controller.window.resize(1000, 680)
    metrics = table.fontMetrics()
    await wait_for(
        lambda: table.columnWidth(role) < metrics.horizontalAdvance("Tenant Operator") + 6,
        what="the columns shared out",
    )
    short = {"Tenant Admin": "Admin", "Tenant Operator": "Operator", "Tenant Viewer": "Viewer"}
    assert {r: shown_text(table, r, role) for r in rows} == {r: short[whole[r]] for r in rows}
    assert hovered_tip(table, 0, role) == whole[0]
    user = model.rows[0]
    assert shown_text(table, 0, created) == format_date(user.created_at, page.session.timezone)
    assert hovered_tip(table, 0, created) == model.index(0, created).data()
    email = next(
        r
        for r in range(model.rowCount())
        if metrics.horizontalAdvance(model.rows[r].email) > table.columnWidth(1) - 6
    )
    assert hovered_tip(table, email, 1) == model.rows[email].email
    # What is copied is the whole, as it is what is read out.
    table.setCurrentIndex(model.index(1, role))
    table.setFocus()
    QTest.keySequence(table, QKeySequence.StandardKey.Copy)
    assert QApplication.clipboard().text() == whole[1]
