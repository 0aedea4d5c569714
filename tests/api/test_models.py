"""Money formatting, enum tolerance, UTC datetimes, secrets that stay hidden."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callaro_desktop.api.models import (
    ApiKeyCreated,
    Invitation,
    Me,
    Money,
    PhoneNumber,
    Pricing,
    Provider,
    Role,
    TokenPair,
    UsageSummary,
    User,
    group_indian,
)


@pytest.mark.parametrize(
    ("minor", "currency", "text"),
    [
        (0, "INR", "₹0.00"),
        (5, "INR", "₹0.05"),
        (99, "INR", "₹0.99"),
        (100, "INR", "₹1.00"),
        (99999, "INR", "₹999.99"),
        (100000, "INR", "₹1,000.00"),
        (12345678, "INR", "₹1,23,456.78"),
        (10000000, "INR", "₹1,00,000.00"),
        (1000000000, "INR", "₹1,00,00,000.00"),
        (123456789_00, "INR", "₹12,34,56,789.00"),
        (-12345, "INR", "-₹123.45"),
        (-12345678, "INR", "-₹1,23,456.78"),
        (-1, "INR", "-₹0.01"),
        (150050, "USD", "USD 1,500.50"),
    ],
)
def test_money_format(minor: int, currency: str, text: str) -> None:
    assert Money(amount_minor=minor, currency=currency).format() == text


def test_money_defaults_to_inr() -> None:
    assert Money.model_validate({"amount_minor": 250}).format() == "₹2.50"


INDIAN = re.compile(r"-?₹(?:\d{1,3}|\d{1,2}(?:,\d{2})*,\d{3})\.\d{2}")


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_money_format_round_trips_and_groups_indian_style(minor: int) -> None:
    text = Money(amount_minor=minor).format()
    assert INDIAN.fullmatch(text), text
    digits = text.replace("₹", "").replace(",", "").replace(".", "")
    assert int(digits) == minor
    assert text.startswith("-") == (minor < 0)


@given(st.integers(min_value=0, max_value=10**20))
def test_group_indian_keeps_digits_and_pairs(value: int) -> None:
    grouped = group_indian(str(value))
    assert grouped.replace(",", "") == str(value)
    groups = grouped.split(",")
    assert len(groups[-1]) == min(3, len(str(value)))
    assert all(len(g) == 2 for g in groups[1:-1])
    assert 1 <= len(groups[0]) <= (3 if len(groups) == 1 else 2)


def test_role_labels_are_the_documented_ones() -> None:
    assert [r.label for r in (Role.TENANT_ADMIN, Role.TENANT_OPERATOR, Role.TENANT_VIEWER)] == [
        "Tenant Admin",
        "Tenant Operator",
        "Tenant Viewer",
    ]


def test_unknown_fields_and_enum_values_are_tolerated() -> None:
    me = Me.model_validate(
        {
            "id": 1,
            "email": "a@b.in",
            "display_name": None,
            "timezone": "Asia/Kolkata",
            "roles": ["tenant_admin", "tenant_superhero"],
            "memberships": [
                {"tenant_id": 44, "tenant_name": "Acme", "role": "tenant_viewer", "x": 1}
            ],
            "platform_role": None,
            "avatar": "new field",
        }
    )
    assert me.roles == [Role.TENANT_ADMIN, Role.UNKNOWN]
    assert me.memberships[0].role is Role.TENANT_VIEWER
    connection = {"id": 3, "name": "Legacy", "provider": "plivo"}
    number = PhoneNumber.model_validate(
        {
            "id": 101,
            "e164": "+918000000000",
            "status": "active",
            "telephony_connection": connection,
        }
    )
    assert number.telephony_connection is not None
    assert number.telephony_connection.provider is Provider.UNKNOWN
    assert number.inbound_agent is None


def test_a_non_string_enum_value_is_still_an_error() -> None:
    with pytest.raises(ValueError):
        User.model_validate({"id": 1, "email": "a", "role": 3, "status": "active"})


def test_datetimes_become_aware_utc() -> None:
    user = User.model_validate(
        {
            "id": 1,
            "email": "a@b.in",
            "role": "tenant_admin",
            "status": "active",
            "created_at": "2026-04-28T20:34:11Z",
            "last_active_at": "2026-04-29T02:04:11+05:30",
        }
    )
    assert user.created_at == datetime(2026, 4, 28, 20, 34, 11, tzinfo=UTC)
    assert user.last_active_at is not None and user.last_active_at.utcoffset() == timedelta(0)
    assert user.last_active_at == user.created_at
    naive = User.model_validate({**user.model_dump(), "created_at": "2026-04-28T20:34:11"})
    assert naive.created_at is not None and naive.created_at.tzinfo is not None
    assert naive.created_at == datetime(2026, 4, 28, 20, 34, 11, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "label"),
    [(7, "#7"), ("admin@acme.in", "admin@acme.in"), ({"id": 7, "display_name": "Asha"}, "Asha")],
)
def test_invited_by_accepts_id_email_or_object(raw: object, label: str) -> None:
    invitation = Invitation.model_validate(
        {
            "id": 1,
            "email": "new@acme.in",
            "role": "tenant_operator",
            "status": "pending",
            "invited_by": raw,
        }
    )
    assert invitation.invited_by is not None and invitation.invited_by.label == label


def test_secrets_never_show_in_repr_or_json() -> None:
    created = ApiKeyCreated.model_validate(
        {
            "id": 9,
            "name": "CI",
            "prefix": "sk_live_ab12",
            "secret": "sk_live_ab12_TOPSECRET",
            "scopes": ["contacts:read"],
        }
    )
    for shown in (repr(created), str(created), created.model_dump_json()):
        assert "TOPSECRET" not in shown
    assert created.secret.get_secret_value() == "sk_live_ab12_TOPSECRET"

    pair = TokenPair.model_validate({"access_token": "AAA-tok", "refresh_token": "RRR-tok"})
    assert "AAA-tok" not in repr(pair) and "RRR-tok" not in f"{pair}"


def test_pricing_keeps_unknown_price_fields_readable() -> None:
    pricing = Pricing.model_validate(
        {
            "country": "IN",
            "monthly_price": {"amount_minor": 50000},
            "sms_price": {"amount_minor": 20},
        }
    )
    assert pricing.monthly_price == Money(amount_minor=50000)
    assert pricing.model_extra == {"sms_price": {"amount_minor": 20}}


def test_usage_totals_are_typed_but_any_shape_parses() -> None:
    inr = {"amount_minor": 500}
    summary = UsageSummary.model_validate(
        {
            "series": [],
            "totals": {
                "charged_cost": inr,
                "events": 2,
                "by_category": {"call": {"charged_cost": inr}},
            },
        }
    )
    assert summary.totals.by_category["call"].charged_cost == Money(amount_minor=500)
    other = UsageSummary.model_validate({"series": [], "totals": {"call": inr}})
    assert other.totals.charged_cost is None and other.totals.by_category == {}
