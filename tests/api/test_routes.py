"""The route table against the contract (callaro-api.md), path by path."""

from __future__ import annotations

from callaro_desktop.api.routes import Route, Routes, all_routes, method_paths

# Transcribed from callaro-api.md sections 2-8; a route added there must be added here too.
CONTRACT = {
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/refresh"),
    ("POST", "/api/v1/auth/logout"),
    ("GET", "/api/v1/me"),
    ("PATCH", "/api/v1/me"),
    ("POST", "/api/v1/me/password"),
    ("GET", "/api/v1/tenants"),
    ("GET", "/api/v1/onboarding/checklist"),
    ("POST", "/api/v1/onboarding/checklist/dismiss"),
    ("GET", "/api/v1/users"),
    ("PATCH", "/api/v1/users/{id}"),
    ("DELETE", "/api/v1/users/{id}"),
    ("GET", "/api/v1/invitations"),
    ("POST", "/api/v1/invitations"),
    ("POST", "/api/v1/invitations/{id}/resend"),
    ("DELETE", "/api/v1/invitations/{id}"),
    ("GET", "/api/v1/billing/overview"),
    ("POST", "/api/v1/billing/recharges"),
    ("GET", "/api/v1/billing/recharges/{id}"),
    ("GET", "/api/v1/billing/entity"),
    ("PATCH", "/api/v1/billing/entity"),
    ("GET", "/api/v1/usage/events"),
    ("GET", "/api/v1/usage/summary"),
    ("GET", "/api/v1/invoices"),
    ("GET", "/api/v1/invoices/{id}"),
    ("GET", "/api/v1/invoices/{id}/pdf"),
    ("POST", "/api/v1/api_keys"),
    ("GET", "/api/v1/api_keys"),
    ("PATCH", "/api/v1/api_keys/{id}"),
    ("DELETE", "/api/v1/api_keys/{id}"),
    ("GET", "/api/v1/api_keys/scopes"),
    ("GET", "/api/v1/phone_numbers"),
    ("GET", "/api/v1/phone_numbers/available"),
    ("GET", "/api/v1/phone_numbers/pricing"),
    ("POST", "/api/v1/phone_numbers/purchase"),
    ("POST", "/api/v1/phone_numbers/import_owned"),
    ("GET", "/api/v1/phone_numbers/{id}"),
    ("PATCH", "/api/v1/phone_numbers/{id}"),
    ("POST", "/api/v1/phone_numbers/{id}/activate"),
    ("POST", "/api/v1/phone_numbers/sync"),
    ("POST", "/api/v1/phone_numbers/{id}/resync"),
    ("DELETE", "/api/v1/phone_numbers/{id}"),
    ("GET", "/api/v1/agents"),
    ("GET", "/api/v1/telephony_connections"),
    ("POST", "/api/v1/telephony_connections"),
    ("GET", "/api/v1/telephony_connections/{id}"),
    ("PATCH", "/api/v1/telephony_connections/{id}"),
    ("DELETE", "/api/v1/telephony_connections/{id}"),
    ("POST", "/api/v1/telephony_connections/{id}/test"),
}


def test_table_matches_the_contract_exactly() -> None:
    assert method_paths() == CONTRACT
    assert len(all_routes()) == len(CONTRACT)  # No route listed twice under two names.


def test_account_routes_carry_no_tenant_and_auth_routes_no_bearer() -> None:
    account = {name for name, r in all_routes().items() if not r.tenant_scoped}
    assert account == {
        "AUTH_LOGIN",
        "AUTH_REFRESH",
        "AUTH_LOGOUT",
        "ME_GET",
        "ME_UPDATE",
        "ME_PASSWORD",
        "TENANTS_LIST",
    }
    assert {name for name, r in all_routes().items() if not r.auth} == {
        "AUTH_LOGIN",
        "AUTH_REFRESH",
        "AUTH_LOGOUT",
    }


def test_only_creating_posts_take_idempotency_keys() -> None:
    creates = {r.path for r in all_routes().values() if r.creates}
    assert creates == {
        "/api/v1/invitations",
        "/api/v1/billing/recharges",
        "/api/v1/api_keys",
        "/api/v1/phone_numbers/purchase",
        "/api/v1/phone_numbers/import_owned",
        "/api/v1/telephony_connections",
    }
    assert all(r.method == "POST" for r in all_routes().values() if r.creates)
    assert [r for r in all_routes().values() if r.raw] == [Routes.INVOICES_PDF]


def test_url_fills_and_escapes_the_id() -> None:
    assert Routes.INVOICES_PDF.url(id=7) == "/api/v1/invoices/7/pdf"
    assert Routes.USERS_UPDATE.url(id="a/b?c") == "/api/v1/users/a%2Fb%3Fc"
    assert Route("GET", "/api/v1/x").url() == "/api/v1/x"
