"""A silent sign-in sends the Dashboard's requests with the profile, not a round trip after it.

The saved sign-in is refreshed; then the profile and the workspace list are asked for, and
(when the account last left its workspace on the Dashboard) the cards' requests for that
workspace go out at the same time. The cards take those answers when the window opens on the
workspace; nothing is sent twice, and nothing asked for a workspace the window does not open
on is ever shown.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from callaro_desktop.secrets import MemoryStore, TokenStore
from callaro_desktop.services import permissions
from callaro_desktop.services.formatting import format_money
from callaro_desktop.settings import SavedAccount, Settings, account_key, tenant_key
from callaro_desktop.views.pages.dashboard import DashboardPage

from .conftest import ADMIN, sign_in, wait_for

ME_LATENCY_MS = 1500


class Traffic:
    """What the console's HTTP clients send and when each answer is back, in order."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str, str | None, float]] = []

    def sent(self, path: str, tenant: str | None = None) -> list[float]:
        return [t for e, p, x, t in self.events if e == "sent" and p == path and x == tenant]

    def answered(self, path: str) -> list[float]:
        return [t for e, p, _x, t in self.events if e == "answered" and p == path]

    def tenant_paths(self, tenant: str) -> list[str]:
        return [p for e, p, x, _t in self.events if e == "sent" and x == tenant]


@pytest.fixture
def traffic(monkeypatch: pytest.MonkeyPatch) -> Iterator[Traffic]:
    seen = Traffic()
    real_send = httpx.AsyncClient.send

    async def send(client: httpx.AsyncClient, request: httpx.Request, **kw: Any) -> Any:
        path, tenant = request.url.path, request.headers.get("X-Tenant-Id")
        seen.events.append(("sent", path, tenant, time.monotonic()))
        response = await real_send(client, request, **kw)
        seen.events.append(("answered", path, tenant, time.monotonic()))
        return response

    monkeypatch.setattr(httpx.AsyncClient, "send", send)
    yield seen


async def _signed_in_once(make_app: Any, sandbox: Any) -> tuple[Any, int]:
    """A first console signed in: a refresh token to save, and Acme Health's id."""
    first = await make_app()
    await sign_in(first, sandbox, ADMIN)
    return first, next(t.id for t in first.session.tenants if t.name == "Acme Health")


async def _second_start(
    make_app: Any,
    sandbox: Any,
    first: Any,
    *,
    workspace: int,
    page: str | None = None,
    role: str = permissions.ADMIN,
) -> Any:
    """A second console that starts from `first`'s saved sign-in, `workspace` remembered with
    `role` (and `page` as the page last used there)."""
    tokens = first.session.client.auth.tokens
    settings = Settings(
        server_url=sandbox.base_url,
        saved_accounts=[SavedAccount(server=sandbox.base_url, email=ADMIN[0])],
    )
    key = account_key(sandbox.base_url, ADMIN[0])
    settings.last_tenant_by_account = {key: workspace}
    settings.last_role_by_account = {key: role}
    if page is not None:
        settings.last_page_by_tenant = {tenant_key(key, workspace): page}
    vault = TokenStore(MemoryStore(), settings)
    await vault.save_async(sandbox.base_url, ADMIN[0], tokens.refresh_token.get_secret_value())
    return await make_app(vault=vault, settings=settings)


async def _dashboard_ready(controller: Any) -> DashboardPage:
    window = controller.window
    await wait_for(lambda: window.router.current == "dashboard", what="on the Dashboard")
    page = window.pages["dashboard"]
    assert isinstance(page, DashboardPage)
    await wait_for(
        lambda: all(c.state == "ready" for c in page.visible_cards()),
        timeout=20,
        what="every card loaded",
        extra=lambda: {c.key: c.state for c in page.visible_cards()},
    )
    return page


async def test_the_cards_are_asked_for_with_the_profile_and_only_once(
    make_app, sandbox, faults, traffic
) -> None:
    first, acme = await _signed_in_once(make_app, sandbox)
    second = await _second_start(make_app, sandbox, first, workspace=acme)
    traffic.events.clear()
    faults([{"route": "/api/v1/me", "latency_ms": ME_LATENCY_MS}])

    await second.sign_in_flow()
    page = await _dashboard_ready(second)

    assert second.session.tenant is not None and second.session.tenant.id == acme
    me_back = traffic.answered("/api/v1/me")
    assert len(me_back) == 1
    checklist = traffic.sent("/api/v1/onboarding/checklist", str(acme))
    billing = traffic.sent("/api/v1/billing/overview", str(acme))
    # Sent before the (slow) profile came back, and not again after it: one round trip saved.
    assert len(checklist) == 1 and checklist[0] < me_back[0]
    # The wallet card and the month's spend read the same overview: one request serves both.
    assert len(billing) == 1 and billing[0] < me_back[0]
    paths = traffic.tenant_paths(str(acme))
    repeated = {p for p in paths if paths.count(p) > 1}
    assert repeated == set(), paths
    # Every early answer was taken by its card: none left over, none waiting.
    assert second.session._prefetched == {}
    wallet = await first.session.scope(acme).billing.overview()
    assert page.cards["wallet"].value.text() == format_money(wallet.balance)


async def test_a_workspace_the_window_does_not_open_on_shows_nothing_it_was_asked_for(
    make_app, sandbox, traffic
) -> None:
    # Remembered: a workspace id this admin is no member of (left it since, say). The early
    # requests are refused; the window opens on a workspace of the account's and asks anew.
    first, _acme = await _signed_in_once(make_app, sandbox)
    second = await _second_start(make_app, sandbox, first, workspace=987_654)
    traffic.events.clear()

    await second.sign_in_flow()
    page = await _dashboard_ready(second)

    opened = second.session.tenant
    assert opened is not None and opened.id != 987_654
    assert traffic.sent("/api/v1/billing/overview", "987654")  # the warm start did go out
    assert second.session._prefetched == {}
    wallet = await first.session.scope(opened.id).billing.overview()
    assert page.cards["wallet"].value.text() == format_money(wallet.balance)


async def test_a_workspace_left_on_another_page_is_not_warmed(
    make_app, sandbox, faults, traffic
) -> None:
    first, acme = await _signed_in_once(make_app, sandbox)
    second = await _second_start(make_app, sandbox, first, workspace=acme, page="users")
    traffic.events.clear()
    faults([{"route": "/api/v1/me", "latency_ms": ME_LATENCY_MS}])

    await second.sign_in_flow()
    await wait_for(lambda: second.window.router.current == "users", what="on Users")

    sent = await wait_for(
        lambda: [t for e, _p, x, t in traffic.events if e == "sent" and x == str(acme)],
        what="the Users page asking for its rows",
    )
    assert min(sent) > traffic.answered("/api/v1/me")[0]  # nothing before the profile
    assert second.session._prefetched == {}


async def test_only_what_the_remembered_role_may_see_is_asked_for_early(
    make_app, sandbox, faults, traffic
) -> None:
    # Remembered as a Viewer there (the admin's role has since been raised): the warm start
    # leaves out the cards a Viewer does not see; they load, once, after the profile.
    first, acme = await _signed_in_once(make_app, sandbox)
    second = await _second_start(make_app, sandbox, first, workspace=acme, role=permissions.VIEWER)
    traffic.events.clear()
    faults([{"route": "/api/v1/me", "latency_ms": ME_LATENCY_MS}])

    await second.sign_in_flow()
    await _dashboard_ready(second)

    me_back = traffic.answered("/api/v1/me")[0]
    checklist = traffic.sent("/api/v1/onboarding/checklist", str(acme))
    billing = traffic.sent("/api/v1/billing/overview", str(acme))
    assert len(checklist) == 1 and checklist[0] < me_back  # a Viewer sees the checklist
    assert len(billing) == 1 and billing[0] > me_back  # a Viewer does not see billing
    assert second.session._prefetched == {}


async def test_the_page_is_built_while_the_profile_is_on_its_way_and_kept(
    make_app, sandbox, faults, traffic, monkeypatch
) -> None:
    # The window would otherwise build the page after the profile and workspaces are back:
    # ~20 ms of widgets between the answers and their paint.
    built: list[tuple[DashboardPage, float]] = []
    real_init = DashboardPage.__init__

    def init(page: DashboardPage, *args: Any, **kwargs: Any) -> None:
        real_init(page, *args, **kwargs)
        built.append((page, time.monotonic()))

    monkeypatch.setattr(DashboardPage, "__init__", init)
    first, acme = await _signed_in_once(make_app, sandbox)
    second = await _second_start(make_app, sandbox, first, workspace=acme)
    built.clear()
    traffic.events.clear()
    faults([{"route": "/api/v1/me", "latency_ms": ME_LATENCY_MS}])

    await second.sign_in_flow()
    page = await _dashboard_ready(second)

    me_sent, me_back = traffic.sent("/api/v1/me")[0], traffic.answered("/api/v1/me")[0]
    assert [p for p, _t in built] == [page]  # built once, ahead, and that one is shown
    assert me_sent < built[0][1] < me_back
    assert second.window.current_page() is page


async def test_a_page_built_ahead_is_kept_by_the_first_account_only(make_app, sandbox) -> None:
    controller = await make_app()
    window = controller.window
    window.prepare_page("users")
    ahead = window.pages["users"]
    await sign_in(controller, sandbox, ADMIN)
    await wait_for(lambda: window.current_page() is not None, what="a page open")
    assert window.pages["users"] is ahead  # it held nothing: the account keeps it
    window.prepare_page("api_keys")  # an account is shown: pages are built when opened
    assert "api_keys" not in window.pages
    window.navigate("users")
    await wait_for(lambda: window.current_page() is ahead, what="Users open")
    await controller.session.sign_out()
    assert "users" not in window.pages  # it held this account's rows: gone
