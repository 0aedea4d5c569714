"""Agents: the list the console offers for inbound assignment."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.anyio

VIEWER = "viewer@demo.callaro.test"
CORVID = "owner@corvid.demo.callaro.test"


async def test_agents_list_is_tenant_scoped_and_filterable(client, login, db, tenants):
    s = await login(VIEWER)  # anyone who may see numbers may see agents
    res = await client.get("/api/v1/agents", headers=s.headers())
    assert res.status_code == 200, res.text
    agents = res.json()["data"]
    expected = db.query(
        "SELECT id, name, active FROM agents WHERE tenant_id = ? ORDER BY name",
        (tenants["Acme Health"],),
    )
    assert [(a["id"], a["name"], a["active"]) for a in agents] == [
        (r["id"], r["name"], bool(r["active"])) for r in expected
    ]
    assert any(not a["active"] for a in agents)  # the seed keeps one retired agent

    active = (await client.get("/api/v1/agents?active=true", headers=s.headers())).json()["data"]
    assert active and all(a["active"] for a in active)
    name = agents[0]["name"]
    found = (
        await client.get("/api/v1/agents", params={"search": name[:4]}, headers=s.headers())
    ).json()
    assert name in [a["name"] for a in found["data"]]
    desc = (await client.get("/api/v1/agents?sort=-name", headers=s.headers())).json()["data"]
    assert [a["name"] for a in desc] == sorted((a["name"] for a in agents), reverse=True)

    corvid = await login(CORVID)
    theirs = (await client.get("/api/v1/agents", headers=corvid.headers())).json()["data"]
    assert theirs and not {a["id"] for a in theirs} & {a["id"] for a in agents}


async def test_agents_need_authentication(client):
    res = await client.get("/api/v1/agents")
    assert (res.status_code, res.json()["error_code"]) == (401, "UNAUTHORIZED")
