"""Every control of every page is on the Tab chain: a keyboard reaches all of them, in a
cycle, and gets stuck in none."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QPushButton,
    QTabBar,
    QTabWidget,
    QWidget,
)

from callaro_desktop.views.shell.nav import NAV

from .conftest import ADMIN, sign_in, wait_for

INTERACTIVE = (QAbstractButton, QAbstractItemView, QAbstractSpinBox, QComboBox, QLineEdit)
#: A list's controls as they are read: the header's buttons, the search and filters, the list
#: (buttons for a selected row are disabled here, and so not on the chain). They came in the
#: order they were made, the list before a page's own buttons and filters.
READING_ORDER = {
    "api_keys": ["Create API key", "Search keys by name or prefix", "Show keys", "API keys table"],
    "invoices": ["Status", "Invoices table"],
    "phone_numbers": [
        "Sync all numbers with their providers",
        "Add number",
        "Search numbers",
        "Status filter",
        "Phone numbers table",
    ],
    "telephony": ["New connection", "Telephony table"],
}
#: Presses on one widget before it counts as a trap (a date edit walks day, month, year).
STUCK_AFTER = 6


def _tab_stop(widget: QWidget) -> QWidget:
    # A widget that hands its focus to another (a date edit to its line edit) is reached
    # through it; the chain is walked from the one that has focus.
    while widget.focusProxy() is not None:
        widget = widget.focusProxy()
    return widget


def _wants_tab(widget: QWidget, top: QWidget) -> bool:
    return (
        isinstance(widget, INTERACTIVE)
        and widget.isVisibleTo(top)
        and widget.isEnabled()
        and bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus)
        and not isinstance(widget.parentWidget(), QAbstractSpinBox | QComboBox)  # (their own)
    )


def _reached_through(widget: QWidget) -> list[QWidget]:
    """The widgets whose focus counts as reaching `widget`: itself, or, for a button of an
    exclusive group (Chart / Table), any of the group's: Tab enters the group at its checked
    button and the arrows move within it, as in every Qt program."""
    group = widget.group() if isinstance(widget, QAbstractButton) else None
    if group is not None and group.exclusive():
        return list(group.buttons())
    return [widget]


async def _walk(start: QWidget) -> tuple[list[QWidget], QWidget | None]:
    """Tab from `start` until focus comes back to it: the widgets passed, and the one that
    kept the focus if Tab stopped moving it."""
    start.window().activateWindow()
    start.setFocus(Qt.FocusReason.TabFocusReason)
    await wait_for(start.hasFocus, what="the walk's start focused")
    seen: list[QWidget] = [start]
    same = 0
    for _ in range(400):
        before = QApplication.focusWidget()
        assert before is not None
        QTest.keyClick(before, Qt.Key.Key_Tab)
        now = QApplication.focusWidget()
        if now is before:
            same += 1
            if same >= STUCK_AFTER:
                return seen, now
            continue
        same = 0
        if now is start:
            return seen, None
        if now is not None:
            seen.append(now)
    return seen, QApplication.focusWidget()


async def _cycle(start: QWidget, controls: list[QWidget], where: str) -> list[QWidget]:
    """Tab from `start` round to it again, through every one of `controls`; the way taken."""
    seen, stuck = await _walk(start)
    assert stuck is None, f"{where}: Tab stays in {stuck!r}, or goes round without it"
    reached = {id(w) for w in seen}
    missed = [
        f"{type(w).__name__} {w.accessibleName() or w.objectName()!r}"
        for w in controls
        if not any(id(_tab_stop(x)) in reached for x in _reached_through(w))
    ]
    assert not missed, f"{where}: Tab never reaches {missed}"
    # And each says what it is to a screen reader (a button by its text).
    # So does every other stop: a scroll area was one, unnamed and unframed (Tab seemed to
    # go nowhere); a tab bar says its tabs.
    unnamed = [
        f"{type(w).__name__} {w.objectName()!r}"
        for w in [*controls, *seen]
        if not (
            w.accessibleName()
            or (isinstance(w, QAbstractButton) and w.text())
            or isinstance(w, QTabBar)
        )
    ]
    assert not unnamed, f"{where}: no accessible name for {unnamed}"
    return seen


async def test_tab_reaches_every_control_of_every_page_and_comes_back(make_app, sandbox) -> None:
    controller = await make_app()
    await sign_in(controller, sandbox, ADMIN)
    window = controller.window
    window.resize(1400, 900)
    for item in NAV:
        window.navigate(item.page_id)
        page = window.pages[item.page_id]
        await wait_for(lambda page=page: page.states.state in ("ready", "empty"), what=item.page_id)
        await wait_for(lambda: not controller.session.tasks.running(), what="settled")
        controls = [w for w in page.findChildren(QWidget) if _wants_tab(w, window)]
        assert controls, item.page_id
        seen = await _cycle(window.sidebar, controls, item.page_id)
        if item.page_id in READING_ORDER:
            names = [w.accessibleName() for w in seen if page.isAncestorOf(w)]
            assert names == READING_ORDER[item.page_id], item.page_id


def _fills_in(widget: QWidget) -> bool:
    """A field of a form: text, a choice from a list, a number, a check or a radio button."""
    if isinstance(widget, QAbstractButton):
        return widget.isCheckable()
    return isinstance(widget, QLineEdit | QComboBox | QAbstractSpinBox)


def _open_dialog(window: QWidget) -> QDialog | None:
    shown = [d for d in QApplication.topLevelWidgets() if isinstance(d, QDialog) and d.isVisible()]
    return shown[-1] if shown else None


def _select_first(page: Any) -> None:
    page.table.setFocus()
    page.table.selectRow(0)


#: (page, how its dialog is opened, what it has loaded once ready): the dialogs of each
#: page's main action, and the others a row or a button opens.
DIALOGS: list[tuple[str, Callable[[Any], object], Callable[[Any], bool]]] = [
    ("users", lambda p: p.open_primary_action(), lambda d: True),
    ("users", lambda p: p.bulk_button.click(), lambda d: True),
    ("api_keys", lambda p: p.open_primary_action(), lambda d: True),
    ("phone_numbers", lambda p: p.open_primary_action(), lambda d: d.pricing is not None),
    (
        "phone_numbers",
        lambda p: (_select_first(p), QTest.keyClick(p.table, Qt.Key.Key_Return)),
        lambda d: True,
    ),
    ("telephony", lambda p: p.open_primary_action(), lambda d: True),
    ("telephony", lambda p: (_select_first(p), p.open_button.click()), lambda d: True),
    ("billing", lambda p: p.open_primary_action(), lambda d: True),
    ("billing", lambda p: p.edit_entity_button.click(), lambda d: True),
    ("profile", lambda p: p.change_password_button.click(), lambda d: True),
    ("dashboard", lambda p: p.window().preferences_action.trigger(), lambda d: True),
    ("dashboard", lambda p: p.window().add_account_action.trigger(), lambda d: True),
    ("users", lambda p: (_select_first(p), p.change_role_button.click()), lambda d: True),
    ("users", lambda p: (_select_first(p), p.remove_button.click()), lambda d: True),
    ("api_keys", lambda p: (_select_first(p), p.edit_button.click()), lambda d: True),
    ("api_keys", lambda p: (_select_first(p), p.revoke_button.click()), lambda d: True),
    ("invoices", lambda p: (_select_first(p), p.details_button.click()), lambda d: True),
    ("telephony", lambda p: (_select_first(p), p.delete_button.click()), lambda d: True),
]


async def _each_dialog(controller: Any) -> AsyncIterator[QDialog]:
    """Open each of DIALOGS in turn, loaded, for the caller to look at; then close it."""
    window = controller.window
    for page_id, open_it, loaded in DIALOGS:
        window.navigate(page_id)
        page = window.pages[page_id]
        await wait_for(lambda page=page: page.states.state == "ready", what=page_id)
        open_it(page)
        dialog = await wait_for(lambda: _open_dialog(window), what=f"{page_id}'s dialog")
        name = type(dialog).__name__
        await wait_for(lambda: not controller.session.tasks.running(), what=f"{name} loads")
        await wait_for(lambda dialog=dialog, loaded=loaded: loaded(dialog), what=f"{name} ready")
        yield dialog
        dialog.reject()
        await wait_for(lambda dialog=dialog: not dialog.isVisible(), what=f"{name} closed")
        # (A page runs one flow at a time: the next dialog waits for this one's to end.)
        flow = getattr(page, "_flow", None)
        await wait_for(lambda flow=flow: flow is None or flow.done(), what=f"{name}'s flow")


async def test_tab_reaches_every_control_of_each_dialog_and_comes_back(make_app, sandbox) -> None:
    """Eighteen dialogs: each page's main action, a row's (a number, a connection, a key, an
    invoice, a person's role), the confirmations (remove, revoke, delete), Billing details,
    Change password, Preferences, Add account. Each opens where the keyboard should start,
    and Tab goes round all of its controls."""
    controller = await make_app()
    await sign_in(controller, sandbox, ADMIN)
    async for dialog in _each_dialog(controller):
        name = type(dialog).__name__
        await wait_for(lambda dialog=dialog: dialog.focusWidget() is not None, what="focus")
        controls = [w for w in dialog.findChildren(QWidget) if _wants_tab(w, dialog)]
        assert controls, name
        start = dialog.focusWidget()
        # Opened, a form has the keyboard at the first thing to fill in or choose: on the
        # dialog's own buttons, Enter would send it as it is, or (on Cancel) close it. A
        # question or a view with nothing to fill in opens on a button, never on the one
        # that does the deed.
        assert start is not None, name
        box = start.parentWidget()
        if any(_fills_in(w) for w in controls):
            assert not isinstance(box, QDialogButtonBox), (name, start.text())
        elif isinstance(box, QDialogButtonBox):
            role = box.buttonRole(start)
            assert role != QDialogButtonBox.ButtonRole.AcceptRole, (name, start.text())
        await _cycle(start, controls, name)


async def test_a_page_scrolls_to_the_control_the_keyboard_reaches(make_app, sandbox) -> None:
    """Shift+Tab from the toolbar into a long page lands on its last control: the page scrolls
    to it (Qt's scroll area does so only for Tab pressed inside it)."""
    controller = await make_app()
    await sign_in(controller, sandbox, ADMIN)
    window = controller.window
    window.resize(900, 420)  # the Dashboard's cards need more height than that
    window.navigate("dashboard")
    page = window.pages["dashboard"]
    await wait_for(lambda: page.states.state == "ready", what="dashboard")
    await wait_for(lambda: not controller.session.tasks.running(), what="settled")
    buttons = [b for b in page.findChildren(QPushButton) if b.isVisibleTo(window)]
    last = max(buttons, key=lambda b: b.mapTo(page, b.rect().bottomLeft()).y())
    viewport = last.parentWidget()
    while viewport is not None and viewport.objectName() != "qt_scrollarea_viewport":
        viewport = viewport.parentWidget()
    assert viewport is not None

    def shown(widget: QWidget) -> bool:
        box = widget.rect().translated(widget.mapTo(viewport, widget.rect().topLeft()))
        return viewport.rect().contains(box)

    assert not shown(last)  # below the fold
    window.activateWindow()
    window.switcher.setFocus()
    await wait_for(window.switcher.hasFocus, what="the workspace switcher focused")
    for _ in range(10):
        back = Qt.KeyboardModifier.ShiftModifier
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Backtab, back)
        if QApplication.focusWidget() is last:
            break
    assert QApplication.focusWidget() is last
    await wait_for(lambda: shown(last), what="scrolled to it")


def _mnemonic_clashes(top: QWidget) -> dict[str, list[str]]:
    """The Alt+letter keys that two controls shown in `top` share (the menu bar's too):
    Alt+letter then only moves between them and does neither."""
    found: dict[str, list[str]] = {}

    def add(text: str, what: str) -> None:
        match = re.search(r"&([^&])", text.replace("&&", ""))
        if match:
            found.setdefault(match.group(1).lower(), []).append(what)

    if isinstance(top, QMainWindow):
        for action in top.menuBar().actions():
            add(action.text(), f"menu {action.text()}")
    for widget in top.findChildren(QWidget):
        if not widget.isVisibleTo(top) or not widget.isEnabled():
            continue
        if isinstance(widget, QAbstractButton):
            add(widget.text(), widget.text())
        elif isinstance(widget, QLabel) and widget.buddy() is not None:
            add(widget.text(), f"label {widget.text()}")
    for tabs in top.findChildren(QTabWidget):
        if tabs.isVisibleTo(top):
            for i in range(tabs.count()):
                add(tabs.tabText(i), f"tab {tabs.tabText(i)}")
    return {key: whats for key, whats in found.items() if len(whats) > 1}


def _dead_alt_keys(top: QWidget) -> list[str]:
    """The labels in `top` whose Alt+letter moves the focus nowhere: a label gives it only to
    a buddy that takes the focus (Add phone number's Connection sat in a row of its own), and
    the buddy hands it to its focus proxy, which must be there to take it."""

    def dead(buddy: QWidget) -> bool:
        target = buddy
        while (proxy := target.focusProxy()) is not None:
            target = proxy
        if not target.isEnabled():
            return False  # (a field that is off, as while its choices load, takes no key)
        nowhere = any(w.focusPolicy() == Qt.FocusPolicy.NoFocus for w in (buddy, target))
        return nowhere or not target.isVisibleTo(top)

    return [
        label.text()
        for label in top.findChildren(QLabel)
        if label.isVisibleTo(top)
        and re.search(r"&[^&]", label.text().replace("&&", ""))
        and (buddy := label.buddy()) is not None
        and buddy.isEnabled()
        and dead(buddy)
    ]


def _menu_clashes(menu: QMenu) -> dict[str, list[str]]:
    """The letters two items of `menu` share (visible ones): in an open menu the letter then
    only moves between them, and Enter is needed to run either."""
    found: dict[str, list[str]] = {}
    for action in menu.actions():
        match = re.search(r"&([^&])", action.text().replace("&&", ""))
        if action.isVisible() and match:
            found.setdefault(match.group(1).lower(), []).append(action.text())
    return {key: texts for key, texts in found.items() if len(texts) > 1}


async def test_no_two_items_of_a_menu_share_a_letter(make_app, sandbox) -> None:
    """File had "&Command palette…" and "&Close window" both on C."""
    controller = await make_app()
    await sign_in(controller, sandbox, ADMIN)
    window = controller.window
    window.account_menu.aboutToShow.emit()  # (built as it opens: the accounts it lists)
    menus = [a.menu() for a in window.menuBar().actions() if a.menu() is not None]
    menus.append(window.account_menu)
    assert len(menus) >= 4
    for menu in menus:
        assert not _menu_clashes(menu), menu.title() or "account menu"


async def test_no_two_controls_share_an_alt_key(make_app, sandbox) -> None:
    """On every page (with the menu bar) and in every dialog, each Alt+letter names one
    control, and a label's moves the focus to its field: "Rele&ase…" and "Inbound &agent"
    shared Alt+A on a number, the connection dialog's Save and Account SID Alt+S; Add phone
    number's Alt+O went nowhere."""
    controller = await make_app()
    await sign_in(controller, sandbox, ADMIN)
    window = controller.window
    for item in NAV:
        window.navigate(item.page_id)
        page = window.pages[item.page_id]
        await wait_for(lambda page=page: page.states.state in ("ready", "empty"), what=item.page_id)
        assert not _mnemonic_clashes(window), item.page_id
        assert not _dead_alt_keys(window), item.page_id
    async for dialog in _each_dialog(controller):
        providers = getattr(dialog, "provider_combo", None)
        for index in range(providers.count() if providers is not None else 1):
            if providers is not None and providers.isEnabled():
                providers.setCurrentIndex(index)  # each provider's own fields
            assert not _mnemonic_clashes(dialog), (type(dialog).__name__, index)
            assert not _dead_alt_keys(dialog), (type(dialog).__name__, index)
