"""Every client method: which route it calls, what it sends, what it parses the answer into."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from callaro_desktop.api import UNSET, CallaroClient, OwnedNumber
from callaro_desktop.api import errors as E
from callaro_desktop.api import models as m
from callaro_desktop.api.pages import Page
from callaro_desktop.api.routes import Route, Routes, all_routes

pytestmark = pytest.mark.anyio

# Compact on purpose: one sample answer per model, one row per route.
# fmt: off
T = "2026-04-28T20:34:11Z"
INR = {"amount_minor": 118000, "currency": "INR"}
USER = {"id": 7, "email": "asha@acme.in", "display_name": None, "role": "tenant_admin",
        "status": "active", "last_active_at": None, "created_at": T}
ME = {"id": 1, "email": "ops@acme.in", "display_name": "Ops", "timezone": "Asia/Kolkata",
      "roles": ["tenant_admin"], "platform_role": None,
      "memberships": [{"tenant_id": 44, "tenant_name": "Acme",
                       "role": "tenant_admin"}]}
TENANT = {"id": 44, "name": "Acme", "role": "tenant_admin", "status": "active"}
CHECKLIST = {"steps": [{"key": "invite", "title": "Invite a teammate", "description": "d",
             "required": True, "completed": True, "completed_at": T}],
             "completed_count": 1, "total_count": 4, "dismissible": False,
             "dismissed": False}
INVITATION = {"id": 7, "email": "new@acme.in", "role": "tenant_operator", "status": "pending",
              "invited_by": 1, "created_at": T, "expires_at": T}
OVERVIEW = {"balance": INR, "gst_rate": 0.18, "usable_credit": INR, "gst_component": INR,
            "month": {"voice": INR, "knowledge_base": INR, "analysis": INR}, "pulses": 12,
            "plan": {"name": "Pro"}}
RECHARGE = {"id": 7, "subtotal": INR, "gst": INR, "total": INR, "status": "pending",
            "checkout_url": "https://pay.example/7"}
ENTITY = {"legal_name": "Acme Pvt Ltd", "address": "Pune", "email": "b@acme.in",
          "gstin": "27AAPFU0939F1ZV"}
EVENT = {"id": 7, "occurred_at": T, "category": "call", "description": "Call",
         "quantity": 2, "unit": "pulse", "charged_cost": INR}
SUMMARY = {"series": [{"date": "2026-04-28", "category": "kb_import", "charged_cost": INR,
           "quantity": 3}],
           "totals": {"charged_cost": INR, "events": 3,
                      "by_category": {"kb_import": {"charged_cost": INR, "quantity": 3,
                                                    "unit": "doc", "events": 3}}}}
INVOICE = {"id": 7, "number": "INV-7", "issued_at": T, "period_start": "2026-04-01",
           "period_end": "2026-04-30", "subtotal": INR, "tax": INR, "total": INR,
           "status": "paid"}
INVOICE_DETAIL = {**INVOICE,
    "lines": [{"description": "Voice", "quantity": 1, "unit_price": INR, "tax_rate": 0.18,
               "tax_amount": INR, "amount": INR}],
    "tax_lines": [{"label": "CGST", "rate": 0.09, "amount": INR}],
    "bill_to": ENTITY | {"name": "Acme"}, "seller": {"name": "Callaro", "gstin": "29X"},
    "reverse_charge": False}
API_KEY = {"id": 7, "name": "CI", "prefix": "sk_live_ab12", "scopes": ["contacts:read"],
           "active": True, "created_at": T, "last_used_at": None, "created_by": 1}
SCOPE = {"name": "contacts:read", "description": "Read contacts", "default": True}
NUMBER = {"id": 7, "e164": "+918000000007", "label": "Support", "status": "active",
          "inbound_agent": {"id": 2, "name": "Riya"},
          "telephony_connection": {"id": 3, "name": "Twilio", "provider": "twilio"},
          "platform_managed": True, "created_at": T}
AVAILABLE = {"e164": "+918000000099", "country": "IN", "monthly_price": INR}
PRICING = {"country": "IN", "monthly_price": INR}
AGENT = {"id": 2, "name": "Riya", "active": True}
CONNECTION = {"id": 7, "name": "SIP", "provider": "sip", "active": True, "created_at": T,
              "termination_uri": "sip:pbx.acme.in", "username": "acme", "ip_acl": ["10.0.0.0/8"],
              "codecs": ["PCMU", "OPUS"], "has_password": True}
PAGE_META = {"count": 1, "page": 1, "per_page": 50, "pages": 1}


@dataclass
class Case:
    route: Route
    call: Callable[[CallaroClient], Awaitable[Any]]
    data: Any
    check: Callable[[Any], bool]
    query: dict[str, str] = field(default_factory=dict)
    body: Any = None
    meta: dict[str, Any] = field(default_factory=dict)


def t(c: CallaroClient) -> Any:
    return c.tenant(44)


def is_(cls: type) -> Callable[[Any], bool]:
    return lambda result: isinstance(result, cls)


def page_of(cls: type) -> Callable[[Any], bool]:
    return lambda r: isinstance(r, Page) and len(r.items) == 1 and isinstance(r.items[0], cls)


def list_of(cls: type) -> Callable[[Any], bool]:
    return lambda r: isinstance(r, list) and len(r) == 1 and isinstance(r[0], cls)


def none(result: Any) -> bool:
    return result is None


PAGED = {"page": "1", "per_page": "50"}

CASES = [
    Case(Routes.ME_GET, lambda c: c.me.get(), ME, is_(m.Me)),
    Case(Routes.ME_UPDATE, lambda c: c.me.update(display_name=None), ME, is_(m.Me),
         body={"display_name": None}),
    Case(Routes.ME_PASSWORD, lambda c: c.me.change_password("old-password", SecretStr("n" * 12)),
         None, none, body={"current_password": "old-password", "new_password": "n" * 12}),
    Case(Routes.TENANTS_LIST, lambda c: c.tenants.list(search="ac").fetch_page(1), [TENANT],
         page_of(m.Tenant), query={"search": "ac", **PAGED}, meta=PAGE_META),
    Case(Routes.ONBOARDING_CHECKLIST, lambda c: t(c).onboarding.checklist(), CHECKLIST,
         is_(m.Checklist)),
    Case(Routes.ONBOARDING_DISMISS, lambda c: t(c).onboarding.dismiss(), None, none),
    Case(Routes.USERS_LIST,
         lambda c: t(c).users.list(search="a", role=m.Role.TENANT_ADMIN, sort="-email")
         .fetch_page(1), [USER], page_of(m.User),
         query={"search": "a", "role": "tenant_admin", "sort": "-email", **PAGED}, meta=PAGE_META),
    Case(Routes.USERS_UPDATE, lambda c: t(c).users.update(7, role=m.Role.TENANT_VIEWER), USER,
         is_(m.User), body={"role": "tenant_viewer"}),
    Case(Routes.USERS_REMOVE, lambda c: t(c).users.remove(7), None, none),
    Case(Routes.INVITATIONS_LIST, lambda c: t(c).invitations.list(status="pending").fetch_page(1),
         [INVITATION], page_of(m.Invitation), query={"status": "pending", **PAGED}),
    Case(Routes.INVITATIONS_CREATE, lambda c: t(c).invitations.create("new@acme.in"), INVITATION,
         is_(m.Invitation), body={"email": "new@acme.in", "role": "tenant_operator"}),
    Case(Routes.INVITATIONS_RESEND, lambda c: t(c).invitations.resend(7), None, none),
    Case(Routes.INVITATIONS_REVOKE, lambda c: t(c).invitations.revoke(7), None, none),
    Case(Routes.BILLING_OVERVIEW, lambda c: t(c).billing.overview(), OVERVIEW,
         is_(m.BillingOverview)),
    Case(Routes.RECHARGES_CREATE,
         lambda c: t(c).billing.create_recharge(m.Money(amount_minor=100000)), RECHARGE,
         is_(m.Recharge), body={"credits": {"amount_minor": 100000, "currency": "INR"}}),
    Case(Routes.RECHARGES_GET, lambda c: t(c).billing.recharge(7), RECHARGE, is_(m.Recharge)),
    Case(Routes.BILLING_ENTITY_GET, lambda c: t(c).billing.entity(), ENTITY,
         is_(m.BillingEntity)),
    Case(Routes.BILLING_ENTITY_UPDATE,
         lambda c: t(c).billing.update_entity(gstin="27AAPFU0939F1ZV"), ENTITY,
         is_(m.BillingEntity), body={"gstin": "27AAPFU0939F1ZV"}),
    Case(Routes.USAGE_EVENTS,
         lambda c: t(c).usage.events(date_from=date(2026, 4, 1), category="call").fetch_page(1),
         [EVENT], page_of(m.UsageEvent), query={"from": "2026-04-01", "category": "call", **PAGED}),
    Case(Routes.USAGE_SUMMARY, lambda c: t(c).usage.summary(date_to=date(2026, 4, 30)), SUMMARY,
         is_(m.UsageSummary), query={"to": "2026-04-30", "group_by": "day"}),
    Case(Routes.INVOICES_LIST, lambda c: t(c).invoices.list().fetch_page(1), [INVOICE],
         page_of(m.Invoice), query=PAGED),
    Case(Routes.INVOICES_GET, lambda c: t(c).invoices.get(7), INVOICE_DETAIL,
         is_(m.InvoiceDetail)),
    Case(Routes.API_KEYS_CREATE, lambda c: t(c).api_keys.create("CI", ["contacts:read"]),
         {**API_KEY, "secret": "sk_live_ab12_xyz"}, is_(m.ApiKeyCreated),
         body={"name": "CI", "scopes": ["contacts:read"]}),
    Case(Routes.API_KEYS_LIST, lambda c: t(c).api_keys.list(), [API_KEY], list_of(m.ApiKey),
         query={"page": "1", "per_page": "200"}),
    Case(Routes.API_KEYS_UPDATE, lambda c: t(c).api_keys.update(7, active=False), API_KEY,
         is_(m.ApiKey), body={"active": False}),
    Case(Routes.API_KEYS_REVOKE, lambda c: t(c).api_keys.revoke(7), None, none),
    Case(Routes.API_KEYS_SCOPES, lambda c: t(c).api_keys.scopes(), [SCOPE], list_of(m.Scope)),
    Case(Routes.PHONE_NUMBERS_LIST, lambda c: t(c).phone_numbers.list(search="+91").fetch_page(1),
         [NUMBER], page_of(m.PhoneNumber), query={"search": "+91", **PAGED}),
    Case(Routes.PHONE_NUMBERS_AVAILABLE, lambda c: t(c).phone_numbers.available("IN"),
         [AVAILABLE], list_of(m.AvailableNumber), query={"country": "IN"}),
    Case(Routes.PHONE_NUMBERS_PRICING, lambda c: t(c).phone_numbers.pricing("IN"), PRICING,
         is_(m.Pricing), query={"country": "IN"}),
    Case(Routes.PHONE_NUMBERS_PURCHASE, lambda c: t(c).phone_numbers.purchase("IN", 1, 3),
         {"numbers": [NUMBER]}, list_of(m.PhoneNumber),
         body={"country": "IN", "quantity": 1, "telephony_connection_id": 3}),
    Case(Routes.PHONE_NUMBERS_IMPORT,
         lambda c: t(c).phone_numbers.import_owned([OwnedNumber(e164="+918000000007")], 3),
         NUMBER, list_of(m.PhoneNumber),
         body={"numbers": [{"e164": "+918000000007", "label": None}],
               "telephony_connection_id": 3}),
    Case(Routes.PHONE_NUMBERS_GET, lambda c: t(c).phone_numbers.get(7), NUMBER,
         is_(m.PhoneNumber)),
    Case(Routes.PHONE_NUMBERS_UPDATE,
         lambda c: t(c).phone_numbers.update(7, inbound_agent_id=None), NUMBER,
         is_(m.PhoneNumber), body={"inbound_agent_id": None}),
    Case(Routes.PHONE_NUMBERS_ACTIVATE, lambda c: t(c).phone_numbers.activate(7), NUMBER, none),
    Case(Routes.PHONE_NUMBERS_SYNC, lambda c: t(c).phone_numbers.sync(), {"synced": 3}, none),
    Case(Routes.PHONE_NUMBERS_RESYNC, lambda c: t(c).phone_numbers.resync(7), NUMBER, none),
    Case(Routes.PHONE_NUMBERS_RELEASE, lambda c: t(c).phone_numbers.release(7), None, none),
    Case(Routes.AGENTS_LIST, lambda c: t(c).agents.list(), [AGENT], list_of(m.Agent),
         query={"page": "1", "per_page": "200"}),
    Case(Routes.CONNECTIONS_LIST, lambda c: t(c).telephony_connections.list(), [CONNECTION],
         list_of(m.TelephonyConnection), query={"page": "1", "per_page": "200"}),
    Case(Routes.CONNECTIONS_CREATE,
         lambda c: t(c).telephony_connections.create(
             "SIP", "sip", termination_uri="sip:pbx.acme.in", username="acme",
             password=SecretStr("sip-pass"), codecs=["PCMU"]),
         CONNECTION, is_(m.TelephonyConnection),
         body={"name": "SIP", "provider": "sip", "termination_uri": "sip:pbx.acme.in",
               "username": "acme", "password": "sip-pass", "codecs": ["PCMU"]}),
    Case(Routes.CONNECTIONS_GET, lambda c: t(c).telephony_connections.get(7), CONNECTION,
         is_(m.TelephonyConnection)),
    Case(Routes.CONNECTIONS_UPDATE,
         lambda c: t(c).telephony_connections.update(7, auth_token="tw-token", active=UNSET),
         CONNECTION, is_(m.TelephonyConnection), body={"auth_token": "tw-token"}),
    Case(Routes.CONNECTIONS_DELETE, lambda c: t(c).telephony_connections.delete(7), None, none),
    Case(Routes.CONNECTIONS_TEST, lambda c: t(c).telephony_connections.test(7),
         {"ok": True, "latency_ms": 42.5, "detail": "200 OK"}, is_(m.ConnectionTestResult)),
]
# fmt: on


@pytest.mark.parametrize("case", CASES, ids=[c.route.method + " " + c.route.path for c in CASES])
async def test_client_method(api: Any, case: Case) -> None:
    api.reply(api.ok(case.data, meta=case.meta))
    result = await case.call(api.client())
    request = api.requests[0]
    assert request.method == case.route.method
    assert request.url.path == case.route.path.replace("{id}", "7")
    assert dict(request.url.params) == case.query
    assert (json.loads(request.content) if request.content else None) == case.body
    assert request.headers.get("X-Tenant-Id") == ("44" if case.route.tenant_scoped else None)
    assert ("Idempotency-Key" in request.headers) == case.route.creates
    assert case.check(result), result


def test_every_route_has_a_client_method() -> None:
    covered = {case.route for case in CASES} | {
        Routes.INVOICES_PDF,
        Routes.AUTH_LOGIN,
        Routes.AUTH_REFRESH,
        Routes.AUTH_LOGOUT,
    }
    assert covered == set(all_routes().values())


async def test_auth_namespace(api: Any) -> None:
    saved: list[Any] = []
    client = api.client(on_tokens_changed=saved.append)
    api.reply(api.grant(1), api.grant(2), api.grant(3), api.ok())
    await client.auth.login("a@b.in", "pw")
    assert client.auth.has_session and client.auth.tokens == saved[-1]
    await client.auth.refresh()
    resumed = await client.auth.resume("stored")
    assert resumed.refresh_token.get_secret_value() == "refresh-3"
    assert api.body(2) == {"refresh_token": "stored"}
    await client.auth.logout()
    assert api.paths() == [
        "/api/v1/auth/login",
        "/api/v1/auth/refresh",
        "/api/v1/auth/refresh",
        "/api/v1/auth/logout",
    ]
    assert client.auth.tokens is None and saved[-1] is None


async def test_invoice_pdf_is_raw_bytes(api: Any) -> None:
    pdf = b"%PDF-1.7\n..."
    api.reply(httpx.Response(200, content=pdf, headers={"Content-Type": "application/pdf"}))
    assert await api.client().tenant(44).invoices.pdf(7) == pdf
    request = api.requests[0]
    assert request.url.path == "/api/v1/invoices/7/pdf"
    assert request.headers["Accept"] == "application/pdf"
    assert request.headers["X-Tenant-Id"] == "44"


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(200, text="<html>login</html>", headers={"Content-Type": "text/html"}),
        httpx.Response(404, json={"error": "No invoice", "error_code": "INVOICE_NOT_FOUND"}),
    ],
)
async def test_invoice_pdf_failures_are_api_errors(api: Any, response: httpx.Response) -> None:
    api.reply(response)
    with pytest.raises((E.BadResponse, E.NotFound)):
        await api.client().tenant(44).invoices.pdf(7)


async def test_create_reuses_a_given_idempotency_key(api: Any) -> None:
    api.reply(httpx.Response(503), api.ok(INVITATION))
    client = api.client()
    await client.tenant(44).invitations.create("n@acme.in", idempotency_key="intent-1")
    assert [r.headers["Idempotency-Key"] for r in api.requests] == ["intent-1", "intent-1"]


async def test_key_scopes_omitted_means_server_default(api: Any) -> None:
    api.reply(api.ok({**API_KEY, "secret": "sk_live_x"}))
    await api.client().tenant(44).api_keys.create("CI")
    assert api.body() == {"name": "CI"}


async def test_schema_mismatch_is_bad_response_without_the_secret(api: Any) -> None:
    api.reply(api.ok({"id": 7, "secret": "sk_live_LEAKME", "prefix": 5}, **{"X-Request-Id": "r"}))
    with pytest.raises(E.BadResponse) as caught:
        await api.client().tenant(44).api_keys.create("CI")
    err = caught.value
    assert err.request_id == "r" and "name" in err.details["fields"]
    assert "LEAKME" not in f"{err!r} {err.details} {err.__cause__}"


@pytest.mark.parametrize(
    "data",
    [{"numbers": [NUMBER]}, NUMBER, [NUMBER], {"items": [NUMBER]}],
    ids=["numbers", "one", "list", "items"],
)
async def test_purchase_accepts_one_or_many(api: Any, data: Any) -> None:
    api.reply(api.ok(data))
    numbers = await api.client().tenant(44).phone_numbers.purchase("IN", 1, 3)
    assert [n.e164 for n in numbers] == ["+918000000007"]


async def test_tenant_clients_share_one_transport(api: Any) -> None:
    api.handler = lambda request: api.ok(ME if request.url.path == "/api/v1/me" else [AGENT])
    client = api.client()
    await client.tenant(1).agents.list()
    await client.tenant(2).agents.list()
    await client.me.get()
    assert [r.headers.get("X-Tenant-Id") for r in api.requests] == ["1", "2", None]
    assert client.tenant(1).agents._transport is client.transport
    await client.aclose()
    assert client.transport._client is None


async def test_client_builds_its_own_transport_from_options() -> None:
    client = CallaroClient("https://example.test/", max_retries=5, read_timeout=3.0)
    assert client.transport.base_url == "https://example.test"
    assert client.transport.max_retries == 5
    async with client:
        pass
