"""What the command palette offers, built fresh each time it opens.

Workspaces of every signed-in account (this account's recent ones first, pinned ones
marked), the pages the current role may open, and actions with their shortcuts. A
workspace of another account switches this window to that account first.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from callaro_desktop.i18n import tr
from callaro_desktop.services.accounts import Account
from callaro_desktop.views.shell.command_palette import PaletteEntry
from callaro_desktop.views.shell.nav import NAV

if TYPE_CHECKING:
    from callaro_desktop.views.shell.main_window import MainWindow

# Recent workspaces lead an empty query; pages and actions follow.
RECENT_BOOST = 400
PINNED_BOOST = 250
ACTION_BOOST = 100


def _shortcut(window: MainWindow, attr: str) -> str:
    action = getattr(window, attr, None)
    return action.shortcut().toString() if action is not None else ""


def palette_entries(window: MainWindow) -> list[PaletteEntry]:
    session = window.session
    entries: list[PaletteEntry] = []
    manager = session.manager
    several = len(manager.accounts) > 1
    for account in manager.accounts:
        key = account.key
        recent = session.settings.recent_tenants.get(key, [])
        pinned = session.settings.favourite_tenants.get(key, [])
        for tenant in account.tenants:
            boost = 0
            if tenant.id in recent:
                boost = RECENT_BOOST - recent.index(tenant.id) * 10
            if tenant.id in pinned:
                boost = max(boost, PINNED_BOOST)
            detail = tenant.role_label
            if several:
                badge = account.badge
                detail = f"{detail} · {badge.label if badge else session.shown(account.email)}"
            if tenant.id in pinned:
                detail = f"★ {detail}"

            def go(a: Account = account, tid: int = tenant.id) -> None:
                if a is session.current_account:
                    window.request_tenant_switch(tid)
                else:
                    window.switch_account(a)
                    window.request_tenant_switch(tid)

            ahead = (
                functools.partial(window.anticipate_switch, tenant.id)
                if account is session.current_account
                else None  # (another account's: its pages are not this window's yet)
            )
            entries.append(
                PaletteEntry("tenant", tenant.name, go, detail=detail, boost=boost, ahead=ahead)
            )

    for item in NAV:
        if window.is_allowed(item.page_id):
            entries.append(
                PaletteEntry(
                    "page",
                    item.title,
                    functools.partial(window.navigate, item.page_id),
                    detail=tr("Go to page"),
                    boost=ACTION_BOOST // 2,
                )
            )

    def primary(page_id: str) -> None:
        window.navigate(page_id)
        if window.router.current == page_id:
            window.page(page_id).open_primary_action()

    for page_id, title in (
        ("users", tr("Invite user")),
        ("api_keys", tr("Create API key")),
        ("phone_numbers", tr("Add number")),
    ):
        if window.is_allowed(page_id):
            entries.append(
                PaletteEntry(
                    "action", title, functools.partial(primary, page_id), boost=ACTION_BOOST
                )
            )
    general = [
        (tr("Find across workspaces"), window.open_find, "find_action"),
        (tr("Switch workspace"), window.switcher.open_popup, "switch_action"),
        (tr("Open in new window"), window.new_window_action.trigger, "new_window_action"),
        (tr("Add account"), window.add_account_action.trigger, "add_account_action"),
        (tr("Account label"), window.label_account_action.trigger, "label_account_action"),
        (tr("Reload page"), window.reload_current, "reload_action"),
        (tr("Show or hide the sidebar"), window.sidebar_action.trigger, "sidebar_action"),
        (tr("Preferences"), window.preferences_action.trigger, "preferences_action"),
        (tr("Sign out"), window.sign_out_action.trigger, "sign_out_action"),
    ]
    if window.reset_columns_action.isEnabled():  # a list whose columns the user changed
        general.append(
            (tr("Reset column widths"), window.reset_current_columns, "reset_columns_action")
        )
    for title, run, attr in general:
        entries.append(
            PaletteEntry("action", title, run, shortcut=_shortcut(window, attr), boost=ACTION_BOOST)
        )
    current = session.tenant
    if current is not None:
        is_pinned = current.id in session.settings.favourite_tenants.get(session.account, [])
        entries.append(
            PaletteEntry(
                "action",
                tr("Unpin this workspace") if is_pinned else tr("Pin this workspace"),
                functools.partial(window.toggle_pin, current.id),
                detail=current.name,
                boost=ACTION_BOOST,
            )
        )
    return entries
