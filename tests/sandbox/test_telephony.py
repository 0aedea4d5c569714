"""Telephony connections: settings validation, write-only secrets, the test probe, delete rules."""

from __future__ import annotations

import json

import pytest

from callaro_sandbox.telephony import normalize_acl, probe_connection, validate_sip_uri

pytestmark = pytest.mark.anyio

ADMIN = "admin@demo.callaro.test"
OPERATOR = "operator@demo.callaro.test"
VIEWER = "viewer@demo.callaro.test"

BASE = "/api/v1/telephony_connections"
SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "tok-" + "5" * 28  # distinctive so a leak is easy to spot
SIP_PASSWORD = "sip-pass-9f8e7d6c5b"
API_TOKEN = "exo-tok-a1b2c3d4e5"
SECRETS = (AUTH_TOKEN, SIP_PASSWORD, API_TOKEN)


def assert_no_secret(res) -> None:
    for secret in SECRETS:
        assert secret not in res.text, f"secret leaked by {res.request.method} {res.request.url}"
    for field in ("auth_token", "password", "api_token"):
        assert f'"{field}"' not in res.text


async def test_list_counts_numbers_and_hides_secrets(client, login, db, tenants):
    s = await login(OPERATOR)  # operators may look, not change
    res = await client.get(BASE, headers=s.headers())
    assert res.status_code == 200, res.text
    rows = {c["provider"]: c for c in res.json()["data"]}
    assert set(rows) == {"twilio", "sip", "exotel"}
    for connection in rows.values():
        expected = db.scalar(
            "SELECT COUNT(*) FROM phone_numbers WHERE telephony_connection_id = ?",
            (connection["id"],),
        )
        assert connection["numbers_count"] == expected > 0
    twilio, sip = rows["twilio"], rows["sip"]
    assert twilio["account_sid"].startswith("AC") and twilio["has_auth_token"] is True
    assert sip["termination_uri"].startswith("sip:") and sip["has_password"] is True
    assert set(sip["codecs"]) <= {"PCMU", "PCMA", "G722", "OPUS"} and sip["ip_acl"]
    assert rows["exotel"]["active"] is False and rows["exotel"]["has_api_token"] is True
    for row in db.query(
        "SELECT secrets FROM telephony_connections WHERE tenant_id = ?", (tenants["Acme Health"],)
    ):
        for value in json.loads(row["secrets"]).values():
            assert value not in res.text

    assert (
        await client.post(BASE, json={"name": "x", "provider": "mcube"}, headers=s.headers())
    ).status_code == 403
    viewer = await login(VIEWER)
    assert (await client.get(BASE, headers=viewer.headers())).status_code == 403


async def test_secrets_are_write_only_everywhere(client, login):
    s = await login(ADMIN)
    headers = {**s.headers(), "Idempotency-Key": "new-twilio"}
    body = {
        "name": "Twilio staging",
        "provider": "twilio",
        "account_sid": SID,
        "auth_token": AUTH_TOKEN,
    }
    created = await client.post(BASE, json=body, headers=headers)
    assert created.status_code == 201, created.text
    assert_no_secret(created)
    data = created.json()["data"]
    assert data["has_auth_token"] is True and data["numbers_count"] == 0
    assert data["account_sid"] == SID
    cid = data["id"]

    replay = await client.post(BASE, json=body, headers=headers)
    assert replay.status_code == 201 and replay.json()["data"]["id"] == cid
    assert_no_secret(replay)
    for res in (
        await client.get(BASE, headers=s.headers()),
        await client.get(f"{BASE}/{cid}", headers=s.headers()),
        await client.patch(f"{BASE}/{cid}", json={"name": "Twilio stage"}, headers=s.headers()),
        await client.post(f"{BASE}/{cid}/test", headers=s.headers()),
        await client.patch(f"{BASE}/{cid}", json={"account_sid": "bad sid"}, headers=s.headers()),
    ):
        assert_no_secret(res)

    kept = (await client.get(f"{BASE}/{cid}", headers=s.headers())).json()["data"]
    assert kept["has_auth_token"] is True  # absent from PATCH: kept
    cleared = await client.patch(f"{BASE}/{cid}", json={"auth_token": None}, headers=s.headers())
    assert cleared.json()["data"]["has_auth_token"] is False
    probe = (await client.post(f"{BASE}/{cid}/test", headers=s.headers())).json()["data"]
    assert probe["ok"] is False and "auth token" in probe["detail"]


async def test_sip_and_exotel_secrets_are_write_only(client, login):
    s = await login(ADMIN)
    sip = await client.post(
        BASE,
        json={
            "name": "New trunk",
            "provider": "sip",
            "termination_uri": "sips:edge.example.com:5061;transport=tls",
            "username": "acme",
            "password": SIP_PASSWORD,
            "ip_acl": ["203.0.113.7", "2001:DB8::/32"],
            "codecs": ["opus", "PCMU", "OPUS"],
        },
        headers=s.headers(),
    )
    assert sip.status_code == 201, sip.text
    assert_no_secret(sip)
    data = sip.json()["data"]
    assert data["ip_acl"] == ["203.0.113.7/32", "2001:db8::/32"]
    assert data["codecs"] == ["OPUS", "PCMU"]
    assert data["has_password"] is True
    exotel = await client.post(
        BASE,
        json={
            "name": "Exotel 2",
            "provider": "exotel",
            "account_sid": "acme1",
            "api_key": "k1",
            "api_token": API_TOKEN,
        },
        headers=s.headers(),
    )
    assert exotel.status_code == 201, exotel.text
    assert_no_secret(exotel)
    assert exotel.json()["data"]["has_api_token"] is True
    assert_no_secret(await client.get(f"{BASE}?per_page=200", headers=s.headers()))


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        (
            {
                "provider": "sip",
                "termination_uri": "http://pbx.example.com",
                "ip_acl": ["10.0.0.0/8", "10.0.0.1/24", "not-an-ip", "2001:db8::/129"],
                "codecs": ["PCMU", "GSM"],
            },
            {"termination_uri", "ip_acl.1", "ip_acl.2", "ip_acl.3", "codecs.1"},
        ),
        ({"provider": "sip"}, {"termination_uri"}),
        ({"provider": "twilio"}, {"account_sid"}),
        (
            {"provider": "twilio", "account_sid": SID, "termination_uri": "sip:x.example.com"},
            {"termination_uri"},
        ),
        ({"provider": "exotel", "account_sid": "a"}, {"api_key"}),
        ({"provider": "sip", "termination_uri": "sip:[zz::1]:5060"}, {"termination_uri"}),
        ({"provider": "sip", "termination_uri": "sip:pbx.example.com:70000"}, {"termination_uri"}),
        ({"provider": "carrier-pigeon"}, {"provider"}),
        ({"provider": "mcube", "color": "blue"}, {"color"}),
    ],
)
async def test_create_validation(client, login, body, fields):
    s = await login(ADMIN)
    res = await client.post(BASE, json={"name": "Broken", **body}, headers=s.headers())
    assert res.status_code == 422, res.text
    assert res.json()["error_code"] == "VALIDATION_ERROR"
    assert set(res.json()["errors"]) == fields


async def test_names_are_unique_and_provider_is_fixed(client, login, db, tenants):
    s = await login(ADMIN)
    dup = await client.post(
        BASE, json={"name": "office pbx", "provider": "mcube"}, headers=s.headers()
    )
    assert (dup.status_code, dup.json()["error_code"]) == (409, "CONFLICT")
    sip = db.scalar(
        "SELECT id FROM telephony_connections WHERE tenant_id = ? AND provider = 'sip'",
        (tenants["Acme Health"],),
    )
    res = await client.patch(f"{BASE}/{sip}", json={"provider": "twilio"}, headers=s.headers())
    assert res.status_code == 422 and "provider" in res.json()["errors"]
    same = await client.patch(
        f"{BASE}/{sip}", json={"provider": "sip", "active": False}, headers=s.headers()
    )
    assert same.status_code == 200 and same.json()["data"]["active"] is False
    clash = await client.patch(
        f"{BASE}/{sip}", json={"name": "Twilio production"}, headers=s.headers()
    )
    assert clash.status_code == 409
    renamed = await client.patch(f"{BASE}/{sip}", json={"name": "OFFICE PBX"}, headers=s.headers())
    assert renamed.status_code == 200  # changing only the case of its own name is fine


async def test_connection_test_probe(client, login):
    s = await login(ADMIN)

    async def make(body):
        res = await client.post(BASE, json=body, headers=s.headers())
        assert res.status_code == 201, res.text
        return (
            await client.post(f"{BASE}/{res.json()['data']['id']}/test", headers=s.headers())
        ).json()["data"]

    good = await make(
        {"name": "T1", "provider": "twilio", "account_sid": SID, "auth_token": AUTH_TOKEN}
    )
    assert good["ok"] is True and isinstance(good["latency_ms"], int) and good["latency_ms"] > 0
    bad_sid = await make(
        {"name": "T2", "provider": "twilio", "account_sid": "AC123", "auth_token": AUTH_TOKEN}
    )
    assert bad_sid == {"ok": False, "latency_ms": None, "detail": bad_sid["detail"]}
    assert "Account SID" in bad_sid["detail"]
    sip_ok = await make({"name": "S1", "provider": "sip", "termination_uri": "sip:pbx.example.com"})
    assert sip_ok["ok"] is True
    no_codecs = await make(
        {"name": "S2", "provider": "sip", "termination_uri": "sip:pbx.example.com", "codecs": []}
    )
    assert no_codecs["ok"] is False and "codec" in no_codecs["detail"]
    dead_host = await make(
        {"name": "S3", "provider": "sip", "termination_uri": "sip:pbx.acme.invalid"}
    )
    assert dead_host["ok"] is False and "DNS" in dead_host["detail"]
    mcube = await make({"name": "M1", "provider": "mcube"})
    assert mcube["ok"] is False

    operator = await login(OPERATOR)
    res = await client.post(f"{BASE}/1/test", headers=operator.headers())
    assert res.status_code == 403


async def test_delete_connection_in_use_is_a_conflict(client, login, db, tenants):
    s = await login(ADMIN)
    acme = tenants["Acme Health"]
    used = db.scalar(
        "SELECT id FROM telephony_connections WHERE tenant_id = ? AND provider = 'sip'", (acme,)
    )
    in_use = db.scalar(
        "SELECT COUNT(*) FROM phone_numbers WHERE telephony_connection_id = ?", (used,)
    )
    res = await client.delete(f"{BASE}/{used}", headers=s.headers())
    assert (res.status_code, res.json()["error_code"]) == (409, "CONFLICT")
    assert res.json()["details"] == {"numbers_count": in_use}
    assert (await client.get(f"{BASE}/{used}", headers=s.headers())).status_code == 200

    fresh = await client.post(
        BASE, json={"name": "Spare", "provider": "mcube"}, headers=s.headers()
    )
    cid = fresh.json()["data"]["id"]
    deleted = await client.delete(f"{BASE}/{cid}", headers=s.headers())
    assert deleted.status_code == 200 and deleted.json()["data"] == {"id": cid, "deleted": True}
    gone = await client.get(f"{BASE}/{cid}", headers=s.headers())
    assert (gone.status_code, gone.json()["error_code"]) == (404, "TELEPHONY_CONNECTION_NOT_FOUND")
    foreign = db.scalar(
        "SELECT id FROM telephony_connections WHERE tenant_id = ?",
        (tenants["Brightline Logistics"],),
    )
    assert (await client.delete(f"{BASE}/{foreign}", headers=s.headers())).status_code == 404


def test_pure_validators():
    assert validate_sip_uri("sip:trunk.example.com") is None
    assert validate_sip_uri("sips:user@[2001:db8::1]:5061;transport=tls") is None
    assert validate_sip_uri("sip:203.0.113.5:5060") is None
    assert validate_sip_uri("tel:+14155550100") is not None
    assert validate_sip_uri("sip:") is not None
    errors: dict[str, list[str]] = {}
    assert normalize_acl(["192.0.2.0/24", "192.0.2.0/24", "::1"], errors) == [
        "192.0.2.0/24",
        "::1/128",
    ]
    assert errors == {}
    normalize_acl(["192.0.2.1/24"], errors)
    assert "host bits" in errors["ip_acl.0"][0]
    ok, latency, _ = probe_connection(1, "x", "twilio", {"account_sid": SID}, {"auth_token": "t"})
    assert (
        ok
        and latency
        == probe_connection(1, "x", "twilio", {"account_sid": SID}, {"auth_token": "t"})[1]
    )
    assert not probe_connection(
        1, "x", "twilio", {"account_sid": SID.upper()}, {"auth_token": "t"}
    )[0]
