"""The privacy filter behind presentation mode and the help-centre media (no Qt)."""

from __future__ import annotations

import re
from collections import namedtuple
from dataclasses import dataclass
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr

from callaro_desktop.api.models import (
    ApiKey,
    ApiKeyCreated,
    BillingEntity,
    Invitation,
    Me,
    Money,
    PhoneNumber,
    TelephonyConnection,
    UsageEvent,
    User,
)
from callaro_desktop.api.pages import Page
from callaro_desktop.services.privacy import (
    FAKE_FIRST,
    FAKE_LAST,
    Privacy,
    country_code,
    scan,
)
from callaro_sandbox import seed

PRIYA = {"id": 7, "email": "priya.sharma@acme-health.test", "display_name": "Priya Sharma"}


def user(**extra: object) -> User:
    return User.model_validate({**PRIYA, "role": "tenant_admin", "status": "active", **extra})


def test_the_same_real_value_gets_the_same_fake_and_different_ones_differ() -> None:
    p = Privacy(seed=3)
    a = p.filter(user())
    b = p.filter(user(id=8))
    other = p.filter(user(email="rahul@acme-health.test", display_name="Rahul Rao"))
    assert a.email == b.email != PRIYA["email"]
    assert a.display_name == b.display_name != PRIYA["display_name"]
    assert other.email != a.email and other.display_name != a.display_name
    assert a.id == 7 and a.role == user().role  # only people data changes


def test_a_persons_fake_email_matches_their_fake_name_on_a_documentation_domain() -> None:
    fake = Privacy(seed=1).filter(user())
    first, last = fake.display_name.split(" ", 1)
    assert fake.email == f"{first.lower()}.{last.lower()}@example.com"


def test_the_inviter_and_the_key_creator_are_the_same_fake_person_as_in_the_users_list() -> None:
    p = Privacy(seed=2)
    listed = p.filter(user())
    invitation = p.filter(
        Invitation.model_validate(
            {"id": 1, "email": "new.hire@acme-health.test", "role": "tenant_viewer"}
            | {"status": "pending", "invited_by": PRIYA}
        )
    )
    key = p.filter(
        ApiKey.model_validate(
            {"id": 1, "name": "CRM", "prefix": "sk_live_ab12"} | {"created_by": PRIYA}
        )
    )
    assert invitation.invited_by.display_name == listed.display_name
    assert invitation.invited_by.email == listed.email
    assert key.created_by.label == listed.display_name
    assert invitation.email not in (listed.email, "new.hire@acme-health.test")


def test_phone_numbers_keep_country_code_length_and_separators() -> None:
    p = Privacy(seed=4)
    number = PhoneNumber.model_validate({"id": 1, "e164": "+919812345678", "status": "active"})
    fake = p.filter(number).e164
    assert fake != number.e164
    assert fake.startswith("+919") and len(fake) == len(number.e164)
    assert p.phone("+919812345678") == fake  # consistent
    spaced = p.text("Inbound call +91 98123 45678 (1m 02s)")
    assert re.fullmatch(r"Inbound call \+91 9\d{4} \d{5} \(1m 02s\)", spaced)
    assert "98123 45678" not in spaced
    # Written with spaces, it is still the same number: the same fake digits.
    assert re.sub(r"\D", "", spaced.split("(")[0]) == re.sub(r"\D", "", fake)
    us = p.text("call +1 (415) 555-0100.")
    assert re.fullmatch(r"call \+1 \(4\d\d\) \d{3}-\d{4}\.", us) and "555-0100" not in us


def test_country_codes_of_one_two_and_three_digits() -> None:
    assert country_code("14155550100") == "1"
    assert country_code("919812345678") == "91"
    assert country_code("4420794600") == "44"
    assert country_code("971501234567") == "971"


def test_secrets_keep_their_kind_and_shape_but_none_of_their_characters() -> None:
    p = Privacy(seed=5)
    real_secret = "sk_live_ab12" + "0123456789abcdef" * 2 + "01234567"
    created = ApiKeyCreated.model_validate(
        {"id": 1, "name": "CRM", "prefix": "sk_live_ab12", "secret": real_secret}
    )
    fake = p.filter(created)
    fake_secret = fake.secret.get_secret_value()
    assert fake.prefix.startswith("sk_live_") and fake.prefix != "sk_live_ab12"
    assert fake_secret.startswith(fake.prefix) and len(fake_secret) == len(real_secret)
    assert fake_secret != real_secret and re.fullmatch(r"sk_live_[0-9a-f]+", fake_secret)
    connection = TelephonyConnection.model_validate(
        {
            "id": 1,
            "name": "Twilio production",
            "provider": "sip",
            "account_sid": "AC" + "1a2b" * 8,
            "username": "callaro123",
            "termination_uri": "sip:callaro123@pbx.example.in:5060",
        }
    )
    faked = p.filter(connection)
    assert faked.account_sid.startswith("AC") and len(faked.account_sid) == 34
    assert faked.account_sid != connection.account_sid
    assert faked.username != "callaro123" and len(faked.username) == len("callaro123")
    assert faked.termination_uri == f"sip:{faked.username}@pbx.example.in:5060"
    assert faked.name == "Twilio production"
    assert p.filter(SecretStr("hunter2-hunter2")).get_secret_value() != "hunter2-hunter2"


def test_free_text_loses_emails_phone_numbers_and_known_names() -> None:
    p = Privacy(seed=6)
    fake = p.filter(user())
    label = p.filter(
        PhoneNumber.model_validate(
            {"id": 1, "e164": "+14155550100", "status": "active", "label": "Priya Sharma's desk"}
        )
    ).label
    assert label == f"{fake.display_name}'s desk"
    entity = p.filter(BillingEntity(legal_name="Acme Health Pvt Ltd", email="accounts@acme.in"))
    assert entity.legal_name == "Acme Health Pvt Ltd"
    assert entity.email != "accounts@acme.in"
    assert entity.email.split("@")[1] in ("example.com", "example.org", "example.net")
    assert p.text("nothing to hide here, 42 items") == "nothing to hide here, 42 items"


@dataclass(frozen=True, slots=True)
class Loaded:
    users: list[User]
    when: datetime


Row = namedtuple("Row", "user count")


def test_walks_what_pages_fetch_tuples_dataclasses_named_tuples_and_dicts() -> None:
    p = Privacy(seed=7)
    when = datetime(2026, 1, 1, tzinfo=UTC)
    event = UsageEvent.model_validate(
        {
            "id": 1,
            "occurred_at": "2026-01-01T10:00:00Z",
            "category": "call",
            "description": "Outbound call +91 98123 45678 (2m 01s)",
            "charged_cost": {"amount_minor": 100},
        }
    )
    pager = object()
    data = (pager, Page(items=[user(), event], total=2), 44)
    out = p.filter(data)
    assert out[0] is pager and out[2] == 44  # what is not data passes through
    assert out[1].items[0].email != PRIYA["email"]
    assert "98123" not in out[1].items[1].description
    assert out[1].items[1].charged_cost == Money(amount_minor=100)
    assert out[1].items[1].occurred_at == when.replace(hour=10)
    assert p.filter(Loaded([user()], when)).users[0].display_name != PRIYA["display_name"]
    assert p.filter(Row(user(), 3)).user.email != PRIYA["email"]
    assert p.filter({"email": PRIYA["email"], "n": 1})["email"] != PRIYA["email"]
    error = RuntimeError("boom")
    assert p.filter(error) is error


def test_nothing_to_replace_returns_the_same_object() -> None:
    p = Privacy()
    me = Me(id=1, email="", display_name=None, timezone="Asia/Kolkata")
    assert p.filter(me) is me
    money = Money(amount_minor=5)
    assert p.filter([money]) == [money]


def test_filtering_twice_changes_nothing_more() -> None:
    p = Privacy(seed=8)
    once = p.filter([user(), Me(id=1, email="admin@demo.callaro.test", display_name="Asha Admin")])
    assert p.filter(once) == once


def test_reveal_maps_fakes_in_a_request_back_to_the_real_values() -> None:
    p = Privacy(seed=9)
    fake = p.filter(user())
    number = p.phone("+919812345678")
    body = {"email": fake.email, "numbers": [{"e164": number, "label": "x"}], "n": 3}
    assert p.reveal(body) == {
        "email": PRIYA["email"],
        "numbers": [{"e164": "+919812345678", "label": "x"}],
        "n": 3,
    }
    assert p.reveal(f"write to {fake.email}") == f"write to {PRIYA['email']}"
    assert p.reveal("typed by the user") == "typed by the user"
    assert p.real_values() >= {PRIYA["email"], PRIYA["display_name"], "+919812345678"}


def test_fake_people_are_never_people_of_the_demo_data() -> None:
    assert not set(FAKE_FIRST) & set(seed.FIRST)
    assert not set(FAKE_LAST) & set(seed.LAST)


def test_scan_finds_real_values_inside_texts() -> None:
    hits = scan(["Signed in as priya@x.test on http://h", "fine"], {"priya@x.test", "zz"})
    assert hits == [("priya@x.test", "Signed in as priya@x.test on http://h")]


@given(st.from_regex(r"[a-z][a-z0-9.]{0,15}@[a-z][a-z0-9\-]{0,10}\.[a-z]{2,6}", fullmatch=True))
def test_any_email_becomes_a_different_address_on_a_documentation_domain(email: str) -> None:
    p = Privacy()
    fake = p.email(email)
    assert fake != email and "@" in fake
    domain = fake.split("@")[1]
    assert domain in ("example.com", "example.org", "example.net") or domain.endswith(".example")
    assert p.email(email.upper()) == fake  # case does not make another person
    assert p.text(f"mail {email} now") == f"mail {fake} now"


@given(st.from_regex(r"\+[1-9][0-9]{6,14}", fullmatch=True))
def test_any_e164_number_becomes_another_of_the_same_shape(number: str) -> None:
    fake = Privacy().phone(number)
    assert fake != number and len(fake) == len(number) and fake.startswith("+")
    cc = country_code(number[1:])
    assert fake[1:].startswith(cc)


def test_a_real_number_equal_to_an_earlier_fake_is_still_replaced() -> None:
    # Fakes are random digits of the same country and length: one can equal a real number the
    # filter has not met yet. That number, when it comes, must not pass as "already a fake".
    p = Privacy(seed=3)
    first = p.filter(
        PhoneNumber.model_validate({"id": 1, "e164": "+919812345678", "status": "active"})
    )
    # The real number that happens to be the earlier fake, arriving in a fresh answer (its own
    # string object, as parsing a response makes).
    later = "".join(list(first.e164))
    assert later == first.e164 and later is not first.e164
    shown = p.filter(PhoneNumber.model_validate({"id": 2, "e164": later, "status": "active"}))
    assert shown.e164 != later
    assert p.filter(first) == first  # its own output still passes unchanged
    assert p.reveal(shown.e164) == later and p.reveal(first.e164) == "+919812345678"
    event = UsageEvent.model_validate(
        {
            "id": 3,
            "occurred_at": "2026-09-16T07:31:00Z",
            "category": "voice",
            "description": f"Inbound call {later} (0m 32s)",
            "charged_cost": {"amount_minor": 100},
        }
    )
    assert later not in p.filter(event).description


def test_the_made_up_numbers_are_known_and_never_the_real_ones() -> None:
    privacy = Privacy(seed=7)
    real = ["+91 98123 45678", "+1 206 555 0144", "+44 20 7946 0958"]
    shown = [privacy.phone(number) for number in real]
    made_up = privacy.made_up_phone_digits()
    assert {re.sub(r"\D", "", s) for s in shown} == made_up
    assert not made_up & {re.sub(r"\D", "", r) for r in real}
