"""The contract joins client and sandbox, which never import each other.

1. Every route in the client's one route table exists in the sandbox's OpenAPI (path
   parameters compared by position, since the two name them differently).
2. The sandbox's answers for every route family parse into the client's models,
   through the real CallaroClient over loopback — the same path the console takes.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from callaro_desktop.api import models
from callaro_desktop.api.client import CallaroClient, OwnedNumber
from callaro_desktop.api.routes import all_routes, method_paths
from callaro_sandbox.app import create_app
from callaro_sandbox.config import SandboxConfig
from callaro_sandbox.server import RunningServer, open_database, run_in_thread

_PARAM = re.compile(r"\{[^}]+\}")


def _shape(path: str) -> str:
    return _PARAM.sub("{}", path)


@pytest.fixture(scope="module")
def openapi(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    db, _ = open_database(tmp_path_factory.mktemp("contract") / "db.sqlite", seed_profile=None)
    try:
        spec: dict[str, Any] = create_app(db, config=SandboxConfig()).openapi()
    finally:
        db.close()
    return spec


def test_every_client_route_is_served_by_the_sandbox(openapi: dict[str, Any]) -> None:
    served = {
        (method.upper(), _shape(path))
        for path, operations in openapi["paths"].items()
        for method in operations
    }
    missing = sorted(
        f"{method} {path}"
        for method, path in method_paths()
        if (method, _shape(path)) not in served
    )
    assert missing == []
    # The table is the whole contract: 49 routes at the time of writing, never fewer.
    assert len(all_routes()) >= 49


def test_shape_comparison_can_fail(openapi: dict[str, Any]) -> None:
    # Guard against a comparison that matches everything.
    served = {_shape(p) for p in openapi["paths"]}
    assert _shape("/api/v1/users/{id}") in served
    assert _shape("/api/v1/users/{id}/nonexistent") not in served


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    running = run_in_thread(
        Path(tmp_path_factory.mktemp("contract-server")) / "db.sqlite",
        config=SandboxConfig(rate_limit=None),
    )
    yield running
    running.stop()


async def _exercise(base_url: str) -> dict[str, Any]:
    """Call every client method once; return what came back, by route family."""
    seen: dict[str, Any] = {}
    async with CallaroClient(base_url) as client:
        seen["login"] = await client.auth.login("admin@demo.callaro.test", "demo-password-1")
        me = seen["me"] = await client.me.get()
        seen["me.update"] = await client.me.update(display_name="Asha Admin")
        seen["tenants"] = [t async for t in client.tenants.list(per_page=200)]
        acme = next(m.tenant_id for m in me.memberships if m.tenant_name == "Acme Health")
        t = client.tenant(acme)

        seen["checklist"] = await t.onboarding.checklist()
        seen["users"] = (await t.users.list(sort="-created_at").fetch_page(1)).items
        invitation = seen["invitation"] = await t.invitations.create(
            "contract.test@acme-health.test", models.Role.TENANT_VIEWER
        )
        await t.invitations.resend(invitation.id)
        seen["invitations"] = (await t.invitations.list(status="pending").fetch_page(1)).items
        await t.invitations.revoke(invitation.id)

        seen["overview"] = await t.billing.overview()
        recharge = seen["recharge"] = await t.billing.create_recharge(
            models.Money(amount_minor=50_000)
        )
        seen["recharge.get"] = await t.billing.recharge(recharge.id)
        seen["entity"] = await t.billing.entity()
        seen["entity.update"] = await t.billing.update_entity(address="12 MG Road, Bengaluru")
        today = date.today()
        seen["usage.events"] = (
            await t.usage.events(date_from=today - timedelta(days=30), date_to=today).fetch_page(1)
        ).items
        seen["usage.summary"] = await t.usage.summary(
            date_from=today - timedelta(days=30), date_to=today
        )
        invoices = seen["invoices"] = (await t.invoices.list().fetch_page(1)).items
        seen["invoice"] = await t.invoices.get(invoices[0].id)
        seen["invoice.pdf"] = await t.invoices.pdf(invoices[0].id)

        seen["scopes"] = await t.api_keys.scopes()
        key = seen["api_key.create"] = await t.api_keys.create("Contract test key")
        seen["api_key.update"] = await t.api_keys.update(key.id, name="Contract test key 2")
        seen["api_keys"] = await t.api_keys.list()
        await t.api_keys.revoke(key.id)

        seen["agents"] = await t.agents.list()
        connections = seen["connections"] = await t.telephony_connections.list()
        twilio = next(c for c in connections if c.provider == models.Provider.TWILIO and c.active)
        sip = seen["connection.create"] = await t.telephony_connections.create(
            "Contract SIP",
            "sip",
            termination_uri="sip:trunk.example.com",
            username="contract",
            password="Str0ng-enough-passw0rd",
            ip_acl=["203.0.113.0/24"],
            codecs=["PCMU", "OPUS"],
        )
        seen["connection.get"] = await t.telephony_connections.get(sip.id)
        seen["connection.update"] = await t.telephony_connections.update(
            sip.id, name="Contract SIP 2"
        )
        seen["connection.test"] = await t.telephony_connections.test(sip.id)

        seen["numbers"] = (await t.phone_numbers.list(search="+").fetch_page(1)).items
        seen["available"] = await t.phone_numbers.available("US")
        seen["pricing"] = await t.phone_numbers.pricing("US")
        bought = seen["purchase"] = await t.phone_numbers.purchase("US", 1, twilio.id)
        imported = seen["import"] = await t.phone_numbers.import_owned(
            [OwnedNumber(e164="+919812345001", label="Contract")], sip.id
        )
        number = imported[0]
        seen["number.get"] = await t.phone_numbers.get(number.id)
        agent = next(a for a in seen["agents"] if a.active)
        seen["number.update"] = await t.phone_numbers.update(number.id, inbound_agent_id=agent.id)
        await t.phone_numbers.activate(number.id)
        await t.phone_numbers.resync(number.id)
        await t.phone_numbers.sync()
        await t.phone_numbers.release(number.id)
        await t.phone_numbers.release(bought[0].id)
        await t.telephony_connections.delete(sip.id)

        seen["refresh"] = await client.auth.refresh()
        await client.auth.logout()
    return seen


def test_sandbox_answers_parse_into_client_models(server: RunningServer) -> None:
    seen = asyncio.run(_exercise(server.base_url))
    expected: dict[str, type] = {
        "login": models.TokenPair,
        "me": models.Me,
        "me.update": models.Me,
        "checklist": models.Checklist,
        "invitation": models.Invitation,
        "overview": models.BillingOverview,
        "recharge": models.Recharge,
        "recharge.get": models.Recharge,
        "entity": models.BillingEntity,
        "entity.update": models.BillingEntity,
        "usage.summary": models.UsageSummary,
        "invoice": models.InvoiceDetail,
        "api_key.create": models.ApiKeyCreated,
        "api_key.update": models.ApiKey,
        "connection.create": models.TelephonyConnection,
        "connection.get": models.TelephonyConnection,
        "connection.update": models.TelephonyConnection,
        "connection.test": models.ConnectionTestResult,
        "pricing": models.Pricing,
        "number.get": models.PhoneNumber,
        "number.update": models.PhoneNumber,
        "refresh": models.TokenPair,
    }
    for name, cls in expected.items():
        assert isinstance(seen[name], cls), name
    lists: dict[str, type] = {
        "tenants": models.Tenant,
        "users": models.User,
        "invitations": models.Invitation,
        "usage.events": models.UsageEvent,
        "invoices": models.Invoice,
        "scopes": models.Scope,
        "api_keys": models.ApiKey,
        "agents": models.Agent,
        "connections": models.TelephonyConnection,
        "numbers": models.PhoneNumber,
        "available": models.AvailableNumber,
        "purchase": models.PhoneNumber,
        "import": models.PhoneNumber,
    }
    for name, cls in lists.items():
        assert seen[name], f"{name} came back empty"
        assert all(isinstance(item, cls) for item in seen[name]), name
    # The values carry meaning, not just types.
    assert seen["me"].email == "admin@demo.callaro.test"
    assert seen["api_key.create"].secret.get_secret_value().startswith("sk_")
    assert seen["invoice.pdf"].startswith(b"%PDF")
    assert seen["invoice"].tax_lines and seen["invoice"].lines
    assert seen["connection.get"].has_password is True
    assert seen["number.update"].inbound_agent is not None
    assert seen["overview"].balance.currency == "INR"
