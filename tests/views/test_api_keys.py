"""API keys on the real sandbox: create, the secret once, edit, rotate, revoke, roles, leaks."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import shiboken6
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QMessageBox, QPushButton, QWidget

from callaro_desktop import paths
from callaro_desktop.api.errors import Forbidden
from callaro_desktop.api.models import OPT_IN_SCOPES
from callaro_desktop.logs import setup_logging, shutdown_logging
from callaro_desktop.services.clipboard import CLEAR_AFTER_S, SecretClipboard
from callaro_desktop.services.messages import Message
from callaro_desktop.settings import load as load_settings
from callaro_desktop.views.dialogs.api_key_create import ApiKeyCreateDialog
from callaro_desktop.views.dialogs.api_key_edit import ApiKeyEditDialog
from callaro_desktop.views.dialogs.api_key_secret import ApiKeySecretDialog
from callaro_desktop.views.dialogs.confirm import ConfirmDialog
from callaro_desktop.views.pages.api_keys import PREFIX_COLUMN, STATUS_COLUMN, ApiKeysPage
from callaro_desktop.views.widgets.badges import PILL_ROLE, Tone

from ..services.test_clipboard import FakeClock
from .conftest import ADMIN, OPERATOR, VIEWER, sign_in, wait_for
from .table_cells import hovered_tip, is_cut

W = TypeVar("W", bound=QWidget)


def _unique(name: str) -> str:
    return f"{name} {uuid.uuid4().hex[:6]}"


async def _open(make_app: Any, sandbox: Any) -> tuple[Any, ApiKeysPage, FakeClock]:
    controller = await make_app()
    await sign_in(controller, sandbox, ADMIN)
    controller.window.navigate("api_keys")
    page = controller.window.pages["api_keys"]
    assert isinstance(page, ApiKeysPage)
    await wait_for(lambda: page.states.state in ("ready", "empty"), timeout=20, what="keys")
    clock = FakeClock()
    page.clipboard = SecretClipboard(schedule=clock.schedule)
    return controller, page, clock


async def _dialog(root: QWidget, cls: type[W], what: str = "") -> W:
    def find() -> W | None:
        return next((d for d in root.findChildren(cls) if d.isVisible()), None)

    found: W = await wait_for(find, timeout=15, what=what or cls.__name__)
    return found


def _closed(widget: QWidget) -> bool:
    return not shiboken6.isValid(widget) or not widget.isVisible()


def _on_close(dialog: ApiKeySecretDialog) -> dict[str, Any]:
    """What the secret dialog holds at the moment it closes (it is deleted soon after)."""
    seen: dict[str, Any] = {}

    def record(_result: int) -> None:
        seen.update(text=dialog.secret_label.text(), holds=dialog.holds_secret)

    dialog.finished.connect(record)
    return seen


def _status_cell(page: ApiKeysPage, row: int) -> tuple[str, Tone, str | None]:
    """The Status cell of `row`: its text, its pill's tone, its tooltip."""
    index = page.model.index(row, STATUS_COLUMN)
    tip = index.data(Qt.ItemDataRole.ToolTipRole) or None
    return index.data(), index.data(PILL_ROLE), tip


def _click(button: QPushButton | None) -> None:
    assert button is not None
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


async def _server_keys(page: ApiKeysPage) -> list[Any]:
    keys: list[Any] = await page.session.scope().api_keys.list()
    return keys


async def _create_in_dialog(
    page: ApiKeysPage, name: str, scopes: list[str] | None = None
) -> ApiKeySecretDialog:
    page.open_primary_action()
    dialog = await _dialog(page, ApiKeyCreateDialog)
    QTest.keyClicks(dialog.name, name)
    if scopes is not None:
        dialog.picker.set_selected(scopes)
    _click(dialog.submit_button)
    return await _dialog(page, ApiKeySecretDialog)


def _raw(sandbox: Any, tenant_id: int) -> httpx.Client:
    """A plain HTTP client signed in as the admin, to see exactly what the server sends."""
    client = httpx.Client(base_url=sandbox.base_url, timeout=10)
    token = client.post("/api/v1/auth/login", json={"email": ADMIN[0], "password": ADMIN[1]})
    client.headers["Authorization"] = f"Bearer {token.json()['data']['access_token']}"
    client.headers["X-Tenant-Id"] = str(tenant_id)
    return client


class _Collect(logging.Handler):
    """Every log line exactly as logged, before any redaction."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += logging.Formatter().formatException(record.exc_info)
        self.lines.append(text)


@pytest.fixture
def raw_logs() -> Iterator[_Collect]:
    root = logging.getLogger()
    level = root.level
    collect = _Collect()
    root.handlers.insert(0, collect)
    setup_logging("DEBUG", to_stderr=False)  # the app's own file log, in the test home
    yield collect
    shutdown_logging()
    root.removeHandler(collect)
    root.setLevel(level)


def _files_holding(text: str, roots: list[Path]) -> list[Path]:
    needle = text.encode()
    hits = []
    for root in roots:
        files = [root] if root.is_file() else [p for p in root.rglob("*") if p.is_file()]
        hits += [p for p in files if needle in p.read_bytes()]
    return hits


# -- create and the secret -------------------------------------------------------------------


async def test_create_with_the_default_scopes_shows_the_secret_once_and_leaks_it_nowhere(
    make_app: Any, sandbox: Any, raw_logs: _Collect
) -> None:
    controller, page, clock = await _open(make_app, sandbox)
    catalogue = await page.session.scope().api_keys.scopes()
    defaults = [s.name for s in catalogue if s.default]

    page.open_primary_action()
    dialog = await _dialog(page, ApiKeyCreateDialog)
    # The server's defaults are ticked; the opt-in scopes are marked and never ticked.
    assert dialog.picker.selected() == defaults
    for name in OPT_IN_SCOPES:
        box = dialog.picker.boxes[name]
        assert not box.isChecked()
        assert "opt-in" in box.accessibleName().lower()
    name = _unique("Warehouse sync")
    QTest.keyClicks(dialog.name, name)
    _click(dialog.submit_button)

    secret_dialog = await _dialog(page, ApiKeySecretDialog)
    assert "will not be shown again" in " ".join(
        label.text() for label in secret_dialog.findChildren(QLabel)
    )
    masked = secret_dialog.secret_label.text()
    _click(secret_dialog.copy_button)
    secret = QGuiApplication.clipboard().text()
    assert secret.startswith("sk_") and len(secret) > 20
    assert secret not in masked and masked.startswith(secret_dialog.key.prefix)
    closing = _on_close(secret_dialog)
    key = secret_dialog.key
    _click(secret_dialog.done_button)  # copied: closes without asking
    await wait_for(lambda: closing, what="secret dialog closed")
    assert closing == {"text": "", "holds": False}

    # The clipboard lets go of it after the minute (a fake clock stands in for the minute).
    assert QGuiApplication.clipboard().text() == secret
    clock.advance(CLEAR_AFTER_S)
    assert QGuiApplication.clipboard().text() == ""

    # The key is real, has the default set, and no later read shows its secret.
    key_id = key.id
    assert key.scopes == defaults
    raw = _raw(sandbox, page.session.tenant_id)
    try:
        for path in ("/api/v1/api_keys", f"/api/v1/api_keys/{key_id}"):
            res = raw.get(path)
            assert res.status_code == 200 and secret not in res.text
        as_key = httpx.get(
            f"{sandbox.base_url}/api/v1/phone_numbers", headers={"X-Api-Key": secret}
        )
        assert as_key.status_code == 200
    finally:
        raw.close()
    await wait_for(lambda: page.selected_id() == key_id, what="the new key selected")

    # The leak test: no file the app wrote (logs, settings, cache, QSettings) holds it.
    controller.window.close()  # writes QSettings
    home = paths.portable_home()
    assert home is not None
    roots = [home, Path(QSettings().fileName())]
    private = secret[len(key.prefix) :]
    assert _files_holding(private, [r for r in roots if r.exists()]) == []
    assert [line for line in raw_logs.lines if private in line] == []
    assert any(p.is_file() for p in home.rglob("*.log")), "the file log was not written"


async def test_custom_scopes_and_an_empty_set_is_refused_at_the_form(
    make_app: Any, sandbox: Any
) -> None:
    _controller, page, _clock = await _open(make_app, sandbox)
    taken = await page.session.scope().api_keys.create(_unique("Taken"))
    page.reload()
    await wait_for(lambda: page.select_key(taken.id), what="row")
    before = len(await _server_keys(page))
    page.open_primary_action()
    dialog = await _dialog(page, ApiKeyCreateDialog)
    # A name already in use is pointed out (names need not be unique, so it is a hint).
    QTest.keyClicks(dialog.name, taken.name.upper())
    assert dialog.name_taken.isVisible() and taken.name.upper() in dialog.name_taken.text()
    dialog.name.clear()
    assert not dialog.name_taken.isVisible()
    name = _unique("Traces reader")
    QTest.keyClicks(dialog.name, name)
    _click(dialog.picker.clear_button)
    _click(dialog.submit_button)
    error = dialog.fields["scopes"][1]
    await wait_for(error.isVisible, what="scope error")
    assert "at least one scope" in error.text()
    assert dialog.isVisible() and dialog.name.text() == name
    assert len(await _server_keys(page)) == before  # nothing was sent

    chosen = ["contacts:read", "call_traces:admin_read"]
    for scope_name in chosen:
        dialog.picker.boxes[scope_name].click()
    assert dialog.picker.opt_in_note.isVisible()
    _click(dialog.submit_button)
    secret_dialog = await _dialog(page, ApiKeySecretDialog)
    assert secret_dialog.key.scopes == chosen
    _click(secret_dialog.copy_button)
    _click(secret_dialog.done_button)
    stored = {k.id: k for k in await _server_keys(page)}[secret_dialog.key.id]
    assert stored.scopes == chosen and stored.name == name


async def test_a_failed_create_keeps_the_input_and_its_retry_makes_one_key(
    make_app: Any, sandbox: Any, faults: Callable[[list[dict[str, Any]]], None]
) -> None:
    _controller, page, _clock = await _open(make_app, sandbox)
    page.open_primary_action()
    dialog = await _dialog(page, ApiKeyCreateDialog)
    name = _unique("Flaky network")
    QTest.keyClicks(dialog.name, name)
    faults([{"route": "/api/v1/api_keys", "method": "POST", "status": 500, "count": 1}])
    _click(dialog.submit_button)
    await wait_for(dialog.general_error.isVisible, what="the error")
    assert "request id" in dialog.general_error.text()
    assert dialog.name.text() == name and dialog.isVisible()
    first_key = dialog.idempotency_key

    _click(dialog.submit_button)
    secret_dialog = await _dialog(page, ApiKeySecretDialog)
    assert dialog.idempotency_key == first_key
    _click(secret_dialog.copy_button)
    _click(secret_dialog.done_button)
    assert [k.name for k in await _server_keys(page)].count(name) == 1


async def test_closing_without_copying_asks_first_and_drops_the_secret(
    make_app: Any, sandbox: Any
) -> None:
    _controller, page, _clock = await _open(make_app, sandbox)
    secret_dialog = await _create_in_dialog(page, _unique("Never copied"))

    QTest.keyClick(secret_dialog, Qt.Key.Key_Escape)
    ask = await _dialog(secret_dialog, QMessageBox, "the question")
    go_back = next(b for b in ask.buttons() if "Go back" in b.text().replace("&", ""))
    _click(go_back)  # type: ignore[arg-type]
    await wait_for(lambda: not secret_dialog.asking, what="question answered")
    assert secret_dialog.isVisible() and secret_dialog.holds_secret

    secret_dialog.reveal_button.click()
    revealed = secret_dialog.secret_label.text()
    assert revealed.startswith(secret_dialog.key.prefix) and "•" not in revealed
    _click(secret_dialog.done_button)
    ask = await _dialog(secret_dialog, QMessageBox, "the question again")
    leave = next(b for b in ask.buttons() if "without copying" in b.text().replace("&", ""))
    closing = _on_close(secret_dialog)
    _click(leave)  # type: ignore[arg-type]
    await wait_for(lambda: closing, what="secret dialog closed")
    assert closing == {"text": "", "holds": False}
    assert revealed not in QGuiApplication.clipboard().text()


async def test_quitting_from_another_window_asks_before_an_uncopied_key_is_lost(
    make_app: Any, sandbox: Any
) -> None:
    # The server never shows a key's secret again: Quit in a second window used to close the
    # dialog with the rest, unasked, and the key was lost (a new one to make, the old one to
    # revoke).
    controller, page, _clock = await _open(make_app, sandbox)
    secret_dialog = await _create_in_dialog(page, _unique("Quit before copying"))
    first = controller.window
    second = controller.new_window(first.session.current_account, first.session.tenant_id)
    await wait_for(lambda: second.isVisible(), what="second window")

    second.quit_action.trigger()
    ask = await _dialog(secret_dialog, QMessageBox, "the question")
    assert "not copied this key" in ask.text()
    go_back = next(b for b in ask.buttons() if "Go back" in b.text().replace("&", ""))
    _click(go_back)  # type: ignore[arg-type]
    await wait_for(lambda: not secret_dialog.asking, what="question answered")
    assert first.isVisible() and second.isVisible() and secret_dialog.holds_secret

    _click(secret_dialog.copy_button)  # copied: nothing is lost by closing now
    assert not first.holds_typing()
    second.quit_action.trigger()
    await wait_for(lambda: not controller.windows, what="every window closed, unasked")


# -- edit, filter, revoke, rotate ------------------------------------------------------------


async def test_edit_renames_disables_and_replaces_scopes_and_the_filter_follows(
    make_app: Any, sandbox: Any
) -> None:
    _controller, page, _clock = await _open(make_app, sandbox)
    api = page.session.scope().api_keys
    created = await api.create(_unique("Editable"), ["contacts:read"])
    page.reload()
    await wait_for(lambda: page.select_key(created.id), what="row")

    QTest.keyClick(page.table, Qt.Key.Key_Return)
    dialog = await _dialog(page, ApiKeyEditDialog)
    assert dialog.picker.selected() == ["contacts:read"]
    _click(dialog.picker.clear_button)
    _click(dialog.submit_button)
    await wait_for(dialog.fields["scopes"][1].isVisible, what="empty scopes refused")

    new_name = _unique("Edited")
    dialog.name.setText(new_name)
    dialog.active.setChecked(False)
    assert dialog.disable_note.isVisible()
    dialog.picker.set_selected(["contacts:write", "voice_sessions:read"])
    _click(dialog.submit_button)
    await wait_for(lambda: _closed(dialog), what="saved")
    stored = {k.id: k for k in await api.list()}[created.id]
    assert (stored.name, stored.active) == (new_name, False)
    assert stored.scopes == ["contacts:write", "voice_sessions:read"]

    await wait_for(
        lambda: page.selected() is not None and page.selected().name == new_name,
        what="the edited row, reloaded and selected",
    )
    page.status_filter.setCurrentIndex(page.status_filter.findData("active"))
    assert created.id not in [k.id for k in page.model.rows]
    page.status_filter.setCurrentIndex(page.status_filter.findData("disabled"))
    assert created.id in [k.id for k in page.model.rows]
    assert all(not k.active for k in page.model.rows)
    assert _status_cell(page, 0) == ("Disabled", Tone.NEUTRAL, None)
    page.key_search.setText(new_name)
    assert [k.id for k in page.model.rows] == [created.id]


async def test_revoke_needs_the_typed_name(make_app: Any, sandbox: Any) -> None:
    _controller, page, _clock = await _open(make_app, sandbox)
    api = page.session.scope().api_keys
    created = await api.create(_unique("To revoke"))
    secret = created.secret.get_secret_value()
    page.reload()
    await wait_for(lambda: page.select_key(created.id), what="row")

    QTest.keyClick(page.table, Qt.Key.Key_Delete)
    confirm = await _dialog(page, ConfirmDialog)
    text = " ".join(label.text() for label in confirm.findChildren(QLabel))
    assert created.name in text and created.prefix in text
    assert page.session.tenant.name in text
    assert not confirm.action_button.isEnabled()
    QTest.keyClicks(confirm.typed, created.name[:-1])
    assert not confirm.action_button.isEnabled()
    QTest.keyClicks(confirm.typed, created.name[-1])
    assert confirm.action_button.isEnabled()
    _click(confirm.action_button)

    await wait_for(
        lambda: created.id not in [k.id for k in page.model.rows], what="row gone", timeout=15
    )
    assert created.id not in [k.id for k in await api.list()]
    refused = httpx.get(f"{sandbox.base_url}/api/v1/phone_numbers", headers={"X-Api-Key": secret})
    assert refused.status_code == 401


async def test_a_click_while_the_last_action_waits_for_the_server_says_so(
    make_app: Any, sandbox: Any, faults: Callable[[list[dict[str, Any]]], None]
) -> None:
    _controller, page, _clock = await _open(make_app, sandbox)
    api = page.session.scope().api_keys
    slow = await api.create(_unique("Slow to revoke"))
    page.reload()
    await wait_for(lambda: page.select_key(slow.id), what="row")
    faults([{"route": "/api/v1/api_keys/*", "method": "DELETE", "latency_ms": 1500}])
    posted: list[Message] = []
    page.session.messages.posted.connect(posted.append)

    _click(page.revoke_button)
    confirm = await _dialog(page, ConfirmDialog)
    QTest.keyClicks(confirm.typed, slow.name)
    _click(confirm.action_button)
    await wait_for(lambda: not confirm.isVisible(), what="confirmation closed")
    _click(page.create_button)
    assert [m.text for m in posted] == [
        "The last API key action is still waiting for the server. Try again when it is done."
    ]
    assert not any(d.isVisible() for d in page.findChildren(ApiKeyCreateDialog))

    await wait_for(lambda: slow.id not in [k.id for k in page.model.rows], what="row gone")
    _click(page.create_button)
    dialog = await _dialog(page, ApiKeyCreateDialog)
    dialog.reject()


async def test_rotate_keeps_name_and_scopes_then_keep_both_or_revoke_the_old(
    make_app: Any, sandbox: Any
) -> None:
    _controller, page, _clock = await _open(make_app, sandbox)
    api = page.session.scope().api_keys
    scopes = ["phone_numbers:read", "billing:partner:allocate"]
    old = await api.create(_unique("Rotating"), scopes)
    posted: list[Message] = []
    page.session.messages.posted.connect(posted.append)

    async def rotate(key_id: int) -> tuple[ApiKeySecretDialog, ConfirmDialog]:
        page.reload()
        await wait_for(lambda: page.select_key(key_id), what="row")
        _click(page.rotate_button)
        agree = await _dialog(page, ConfirmDialog, "rotate confirmation")
        _click(agree.action_button)
        secret_dialog = await _dialog(page, ApiKeySecretDialog)
        _click(secret_dialog.copy_button)
        _click(secret_dialog.done_button)
        ask = await _dialog(page, ConfirmDialog, "revoke the old key?")
        return secret_dialog, ask

    # Keep both: the old one stays, labelled.
    first, ask = await rotate(old.id)
    assert (first.key.name, first.key.scopes) == (old.name, scopes)
    assert first.key.id != old.id
    keep = ask.buttons.button(ask.buttons.StandardButton.Cancel)
    assert keep is not None and "Keep both" in keep.text().replace("&", "")
    _click(keep)
    # The flow's last word. Until it is said the flow is still running, and the page
    # (one flow at a time) would ignore the next Rotate.
    await wait_for(
        lambda: any(m.text.startswith("Rotated") for m in posted), what="rotation's message"
    )
    await wait_for(lambda: page.selected_id() == first.key.id, what="new key selected")
    rows = [k.id for k in page.model.rows]
    assert _status_cell(page, rows.index(old.id)) == (
        "Replaced",
        Tone.WARNING,
        "This key was rotated and still works. Revoke it once every system uses the replacement.",
    )
    assert _status_cell(page, rows.index(first.key.id)) == ("Active", Tone.SUCCESS, None)
    # Remembered in the settings file (ids only), so the label survives a restart.
    assert old.id in next(iter(load_settings().replaced_api_keys.values()))

    # Revoke now: typing the name, and the old key is gone.
    second, ask = await rotate(first.key.id)
    assert (second.key.name, second.key.scopes) == (old.name, scopes)
    QTest.keyClicks(ask.typed, old.name)
    _click(ask.action_button)
    await wait_for(lambda: first.key.id not in [k.id for k in page.model.rows], what="old key gone")
    ids = [k.id for k in await api.list()]
    assert first.key.id not in ids and second.key.id in ids and old.id in ids
    assert page.replaced_ids(page.tenant_id) == {old.id}


async def test_a_failed_rotation_says_why_with_the_request_id_and_retry_makes_one_key(
    make_app: Any, sandbox: Any, faults: Callable[[list[dict[str, Any]]], None]
) -> None:
    _controller, page, _clock = await _open(make_app, sandbox)
    api = page.session.scope().api_keys
    old = await api.create(_unique("Rotate on a bad day"), ["contacts:read"])
    page.reload()
    await wait_for(lambda: page.select_key(old.id), what="row")
    faults([{"route": "/api/v1/api_keys", "method": "POST", "status": 500, "count": 1}])
    _click(page.rotate_button)
    agree = await _dialog(page, ConfirmDialog, "rotate confirmation")
    _click(agree.action_button)

    box = await _dialog(page, QMessageBox, "the failure")
    assert "request id" in box.text()
    _click(box.button(QMessageBox.StandardButton.Retry))  # type: ignore[arg-type]
    secret_dialog = await _dialog(page, ApiKeySecretDialog)
    _click(secret_dialog.copy_button)
    _click(secret_dialog.done_button)
    ask = await _dialog(page, ConfirmDialog, "revoke the old key?")
    ask.reject()
    assert [k.name for k in await api.list()].count(old.name) == 2


# -- who may -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", [OPERATOR, VIEWER], ids=["operator", "viewer"])
async def test_operator_and_viewer_never_reach_the_page_and_the_server_refuses_them(
    make_app: Any, sandbox: Any, who: tuple[str, str]
) -> None:
    controller = await make_app()
    await sign_in(controller, sandbox, who)
    window = controller.window
    assert "api_keys" not in window.sidebar.visible_pages()
    assert not window.page_actions["api_keys"].isVisible()
    window.navigate("api_keys")
    assert window.router.current != "api_keys"
    assert "api_keys" not in window.pages
    api = controller.session.scope().api_keys
    for call in (api.list, api.scopes, lambda: api.create("sneaky")):
        with pytest.raises(Forbidden):
            await call()


async def test_a_failed_load_shows_the_request_id_and_retry_works(
    make_app: Any, sandbox: Any, faults: Callable[[list[dict[str, Any]]], None]
) -> None:
    controller = await make_app()
    await sign_in(controller, sandbox, ADMIN)
    faults([{"route": "/api/v1/api_keys", "method": "GET", "status": 500, "count": 2}])
    controller.window.navigate("api_keys")
    page = controller.window.pages["api_keys"]
    await wait_for(lambda: page.states.state == "error", what="error state")
    assert page.states.request_id_label.text()
    faults([])
    _click(page.states.retry_button)
    await wait_for(lambda: page.states.state in ("ready", "empty"), what="loaded after retry")


async def test_a_narrow_window_keeps_prefixes_and_statuses_whole(make_app, sandbox) -> None:
    """Sharing a narrow window, every column gave up room in proportion: prefixes were cut
    ("sk_live_06…", which names no key) while Status kept 200 px for "Active". Prefix and
    Status now keep their measured width; names and scopes give up the room, whole on hover."""
    controller, page, _clock = await _open(make_app, sandbox)
    api = page.session.scope().api_keys
    long_name = _unique("Nightly CRM export for the Mumbai and Pune call centres")
    created = await api.create(name=long_name)
    page.reload()
    await wait_for(lambda: page.select_key(created.id), what="the new key listed")
    table = page.table
    controller.window.resize(1000, 700)
    await wait_for(lambda: table.viewport().width() < 760, what="the narrow window")
    rows = range(page.model.rowCount())
    assert len(rows) >= 3
    assert not [r for r in rows if is_cut(table, r, PREFIX_COLUMN)]
    assert not [r for r in rows if is_cut(table, r, STATUS_COLUMN)]
    assert table.horizontalHeader().length() <= table.viewport().width()  # no sideways scroll
    row = [k.name for k in page.model.rows].index(long_name)
    assert is_cut(table, row, 0)
    assert hovered_tip(table, row, 0) == long_name
