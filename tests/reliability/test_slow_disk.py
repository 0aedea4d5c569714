"""A disk slow to sync never holds up the GUI thread, and nothing saved is lost.

The console saves its settings on every workspace switch and every change of a list's view.
The write ends in an fsync, which takes a few ms on a quiet SSD and far longer on a busy
laptop disk, a network home folder or under an antivirus scanner: each save used to stall
the GUI for as long. Here every fsync takes 300 ms while support staff switch workspaces and
search; the heartbeat fails the test on any stall over 100 ms (a GUI thread caught waiting in
the console's code counts, though it works at nothing meanwhile).
"""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any

import pytest

from callaro_desktop import settings as settings_module
from callaro_desktop.app import AppController
from callaro_desktop.services.tasks import in_thread
from callaro_desktop.settings import tenant_key
from callaro_desktop.views.pages.phone_numbers import PhoneNumbersPage
from tests.reliability.conftest import Guards, SandboxProcess, sign_in
from tests.views.conftest import SUPPORT, wait_for

SYNC_S = 0.5


async def test_a_disk_slow_to_sync_does_not_hold_up_the_gui(
    make_app: Any, sandbox: SandboxProcess, guards: Guards, monkeypatch: pytest.MonkeyPatch
) -> None:
    guards.start()
    controller: AppController = await guards.console(make_app)
    guards.phase("signing in")
    await sign_in(controller, sandbox, SUPPORT)
    session, window = controller.session, controller.window
    synced: list[float] = []
    real_fsync = os.fsync

    def slow_fsync(fd: int) -> None:
        time.sleep(SYNC_S)
        real_fsync(fd)
        synced.append(time.monotonic())

    monkeypatch.setattr(settings_module.os, "fsync", slow_fsync)
    guards.phase("Phone numbers opened")
    window.navigate("phone_numbers")
    page = window.pages["phone_numbers"]
    assert isinstance(page, PhoneNumbersPage)

    def settled() -> bool:
        return page.states.state in ("ready", "empty") and not page.model.is_loading

    # The page is shown before the first switch, as a user sees it before switching: building
    # it and switching in one callback was the test's own 100 ms, not the console's.
    await wait_for(settled, what="Phone numbers shown")
    tenants = session.tenants[:6]
    for n, tenant in enumerate(tenants):
        guards.phase(f"switch to {tenant.name}")
        window.request_tenant_switch(tenant.id)
        await wait_for(lambda t=tenant: session.tenant_id == t.id and settled(), what="switched")
        guards.phase(f"search in {tenant.name}")
        page.search.setText(f"+91{n}")  # a change of the list's view: saved at once
        await wait_for(settled, what="searched")
        await asyncio.sleep(0.05)
    guards.phase("the saves drain")
    await asyncio.sleep(1.2)  # the switch's own save comes a second after it settles
    assert await in_thread(lambda: settings_module.flush_saves(10))
    assert synced, "no settings were saved: the test proves nothing"

    saved = settings_module.load()
    last = tenants[-1]
    assert saved.last_tenant_by_account[session.account] == last.id
    key = f"{tenant_key(session.account, last.id)}#phone_numbers"
    assert saved.view_state[key]["search"] == f"+91{len(tenants) - 1}"
    guards.check()
