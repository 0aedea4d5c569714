"""A thousand tenant switches under random latency, and never another tenant's row on screen.

Support staff (Viewer in every workspace) switch at random among six workspaces: two with
more numbers than one page (so later pages are fetched while switching) and four with a few.
The sandbox delays answers at random. Every row the Phone numbers table ever receives is
checked the moment it arrives against the sandbox database (the number's tenant_id must be
the tenant on screen then), and at sampled settle points the whole screen is compared with
the database: the table's rows, its total, the Dashboard's count, the window title.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from typing import Any

import httpx
from PySide6.QtCore import QModelIndex, QObject
from PySide6.QtWidgets import QApplication

from callaro_desktop.app import AppController
from callaro_desktop.views.pages.dashboard import DashboardPage, NumbersCard
from callaro_desktop.views.pages.phone_numbers import PhoneNumbersPage
from tests.reliability.conftest import FaultControl, Guards, SandboxProcess, sign_in
from tests.views.conftest import ADMIN, MULTI, SUPPORT, wait_for

SWITCHES = 1000
CHECK_EVERY = 50
# Once every page of the race is built (after this many switches), what the window holds must
# not grow with more: a support engineer switches all day.
BUILT_AFTER = 100
PAUSES = (0.0, 0.0, 0.0, 0.001, 0.003, 0.01, 0.03)
# Added up when several fire: answers take anything from 0 to 350 ms.
LATENCY_RULES = [
    {"route": "/api/v1/phone_numbers*", "latency_ms": 20, "probability": 0.5},
    {"route": "/api/v1/phone_numbers*", "latency_ms": 80, "probability": 0.3},
    {"route": "/api/v1/phone_numbers*", "latency_ms": 250, "probability": 0.1},
    {"route": "/api/v1/*", "latency_ms": 40, "probability": 0.2},
]


def _held(window: Any) -> tuple[int, int]:
    """The Qt objects under the window, and the app's top-level widgets (menus, dialogs)."""
    return len(window.findChildren(QObject)), len(QApplication.topLevelWidgets())


def _import_numbers(
    sandbox: SandboxProcess, who: tuple[str, str], tenant_name: str, n: int
) -> None:
    """Give a workspace more numbers than one page holds (the demo seed has at most 48)."""
    with httpx.Client(base_url=f"{sandbox.base_url}/api/v1", timeout=30) as client:
        login = client.post("/auth/login", json={"email": who[0], "password": who[1]})
        client.headers["Authorization"] = f"Bearer {login.json()['data']['access_token']}"
        tenants = client.get("/tenants", params={"per_page": 200}).json()["data"]
        tenant = next(t for t in tenants if t["name"] == tenant_name)
        client.headers["X-Tenant-Id"] = str(tenant["id"])
        connections = client.get("/telephony_connections").json()["data"]
        connection = next(c["id"] for c in connections if c["active"])
        base = random.Random(uuid.uuid4().int).randrange(10**6) * 10
        numbers = [{"e164": f"+918069{base + i:07d}", "label": f"Race {i}"} for i in range(n)]
        for start in range(0, n, 100):
            r = client.post(
                "/phone_numbers/import_owned",
                json={
                    "numbers": numbers[start : start + 100],
                    "telephony_connection_id": connection,
                },
            )
            r.raise_for_status()


class Owners:
    """phone number id -> tenant id, from the sandbox database."""

    def __init__(self, sandbox: SandboxProcess) -> None:
        self.db = sandbox.db
        self.by_id: dict[int, int] = {}
        self.refresh()

    def refresh(self) -> None:
        rows = self.db.query("SELECT id, tenant_id FROM phone_numbers")
        self.by_id = {int(r["id"]): int(r["tenant_id"]) for r in rows}

    def of(self, number_id: int) -> int | None:
        if number_id not in self.by_id:
            self.refresh()
        return self.by_id.get(number_id)

    def count(self, tenant_id: int) -> int:
        return int(
            self.db.scalar("SELECT COUNT(*) FROM phone_numbers WHERE tenant_id = ?", (tenant_id,))
        )


async def test_a_thousand_random_switches_never_show_another_tenants_row(
    make_app: Any, sandbox: SandboxProcess, fault_control: FaultControl, guards: Guards
) -> None:
    _import_numbers(sandbox, ADMIN, "Acme Health", 200)
    _import_numbers(sandbox, MULTI, "Brightline Logistics", 100)
    owners = Owners(sandbox)
    guards.start()
    controller: AppController = await guards.console(make_app)
    guards.phase("signing in")
    await sign_in(controller, sandbox, SUPPORT)
    session, window = controller.session, controller.window
    named = {"Acme Health", "Brightline Logistics", "Corvid Studio"}
    chosen = [t for t in session.tenants if t.name in named]
    small = [t for t in session.tenants if t.name not in named][:3]
    ids = [t.id for t in chosen + small]
    names = {t.id: t.name for t in chosen + small}
    assert len(ids) == 6
    assert owners.count(chosen[0].id) > 100 or owners.count(chosen[1].id) > 100

    guards.phase("Phone numbers opened")
    window.navigate("phone_numbers")
    numbers = window.pages["phone_numbers"]
    assert isinstance(numbers, PhoneNumbersPage)
    leaks: list[str] = []
    arrived = 0

    # Every row, the moment the table receives it, belongs to the tenant on screen.
    def on_rows(_parent: QModelIndex, first: int, last: int) -> None:
        nonlocal arrived
        current = session.tenant_id
        for row in numbers.model.rows[first : last + 1]:
            arrived += 1
            owner = owners.of(row.id)
            if owner != current:
                leaks.append(f"{row.e164} of tenant {owner} drawn while {current} was current")

    numbers.model.rowsInserted.connect(on_rows)
    rng = random.Random(11)
    checks = 0
    held_when_built: tuple[int, int] | None = None

    async def settle_and_compare() -> None:
        nonlocal checks
        page = window.current_page()
        assert page is not None
        await wait_for(
            lambda: (
                page.states.state in ("ready", "empty")
                and not session.tasks.running()
                # A switch's toolbar and title are shown when its paint is let go (a frame
                # at most): until then nothing is painted, and the title may still lag.
                and not window.painting_held
                and (not isinstance(page, PhoneNumbersPage) or not page.model.is_loading)
                and (
                    not isinstance(page, DashboardPage)
                    or all(c.state == "ready" for c in page.visible_cards())
                )
            ),
            timeout=30,
            what="settled",
            extra=lambda: (page.page_id, page.states.state, session.tasks.running()),
        )
        tenant = session.tenant_id
        assert tenant is not None
        with guards.paused():  # reading the database blocks; it is the harness, not the app
            expected = owners.count(tenant)
        assert window.windowTitle() == f"{names[tenant]} — Callaro"
        if isinstance(page, PhoneNumbersPage):
            assert {owners.of(r.id) for r in page.model.rows} <= {tenant}
            assert page.model.total == expected, (names[tenant], page.model.total, expected)
            assert page.model.rowCount() <= expected
            if expected == 0:
                assert page.states.state == "empty"
        else:
            assert isinstance(page, DashboardPage)
            card = page.cards["numbers"]
            assert isinstance(card, NumbersCard)
            assert card.value.text() == f"{expected:,}"
        checks += 1

    for i in range(1, SWITCHES + 1):
        if i % 100 == 1:
            # New random latencies every hundred switches (fresh probabilities' dice).
            await fault_control.set(LATENCY_RULES)
        guards.phase(f"switch {i}")
        window.request_tenant_switch(rng.choice(ids))
        roll = rng.random()
        if roll < 0.04:
            window.navigate(
                "dashboard" if window.router.current == "phone_numbers" else "phone_numbers"
            )
        elif roll < 0.25 and window.router.current == "phone_numbers":
            # Scroll to the end: the table asks for the next page of whichever tenant it shows.
            bar = numbers.table.verticalScrollBar()
            bar.setValue(bar.maximum())
        await asyncio.sleep(rng.choice(PAUSES))
        if i % CHECK_EVERY == 0:
            guards.phase(f"check after switch {i}")
            await settle_and_compare()
            if i == BUILT_AFTER:
                held_when_built = _held(window)
        assert not leaks, leaks[:5]

    await fault_control.clear()
    if window.router.current != "phone_numbers":
        window.navigate("phone_numbers")
    # A last look at a tenant with several pages, scrolled to the end.
    window.request_tenant_switch(chosen[0].id)
    await settle_and_compare()
    for _ in range(20):
        if numbers.model.rowCount() >= owners.count(chosen[0].id):
            break
        bar = numbers.table.verticalScrollBar()
        bar.setValue(bar.maximum())
        await wait_for(lambda: not numbers.model.is_loading, what="next page")
        # The view takes in the new rows' height (its scroll range) on a timer of its own:
        # scrolled "to the end" before that, the bar is already there and nothing is asked.
        await asyncio.sleep(0.05)
    await settle_and_compare()
    assert numbers.model.rowCount() == owners.count(chosen[0].id)

    assert not leaks, leaks[:5]
    assert held_when_built is not None
    held = _held(window)
    # (A few either way: the switcher's recent list, a message shown or gone.)
    assert held[0] <= held_when_built[0] + 20 and held[1] <= held_when_built[1], (
        f"after {BUILT_AFTER} switches the window held {held_when_built[0]} Qt objects and"
        f" the app {held_when_built[1]} windows; {SWITCHES - BUILT_AFTER} switches later"
        f" {held[0]} and {held[1]}"
    )
    assert checks == SWITCHES // CHECK_EVERY + 2
    assert arrived > 300, f"only {arrived} rows arrived: the race hardly loaded anything"
    print(
        f"{SWITCHES} switches, {checks} full checks, {arrived} rows checked as they arrived;"
        f" Qt objects held: {held_when_built[0]} after {BUILT_AFTER} switches, {held[0]} at the end"
    )
    guards.check()
