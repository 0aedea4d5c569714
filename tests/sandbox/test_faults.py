"""Fault injection: latency, error statuses, broken bodies, forced 429, dropped connections."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest

from callaro_sandbox.app import create_app
from callaro_sandbox.config import SandboxConfig
from callaro_sandbox.faults import RECENT_IDS, FaultRule, Faults
from callaro_sandbox.server import run_in_thread

pytestmark = pytest.mark.anyio


def _client(db, rules: list[dict], **config) -> httpx.AsyncClient:
    faults = Faults.from_json(rules, seed=7)
    app = create_app(db, config=SandboxConfig(rate_limit=None, faults=faults, **config))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://s")


async def test_latency(db) -> None:
    async with _client(db, [{"route": "/sandbox/health", "latency_ms": 120}]) as c:
        started = time.perf_counter()
        res = await c.get("/sandbox/health")
        assert res.status_code == 200
        assert time.perf_counter() - started >= 0.12


async def test_error_status_uses_the_envelope(db) -> None:
    async with _client(db, [{"route": "/api/v1/me", "status": 503}]) as c:
        res = await c.get("/api/v1/me")
        assert res.status_code == 503
        assert res.headers["X-Sandbox-Fault"] == "1"
        body = res.json()
        assert body["error_code"] == "SERVICE_UNAVAILABLE"
        assert body["request_id"] == res.headers["X-Request-Id"]


async def test_html_502_and_malformed_json(db) -> None:
    rules = [
        {"route": "/api/v1/me", "body": "html502"},
        {"route": "/api/v1/tenants", "body": "malformed_json"},
    ]
    async with _client(db, rules) as c:
        res = await c.get("/api/v1/me")
        assert res.status_code == 502
        assert res.headers["content-type"].startswith("text/html")
        assert b"Bad Gateway" in res.content
        res = await c.get("/api/v1/tenants")
        assert res.status_code == 200
        assert res.headers["content-type"] == "application/json"
        with pytest.raises(json.JSONDecodeError):
            json.loads(res.content)


async def test_forced_rate_limit(db) -> None:
    async with _client(db, [{"route": "/api/v1/*", "rate_limit": True, "count": 1}]) as c:
        res = await c.get("/api/v1/me")
        assert (res.status_code, res.headers["Retry-After"]) == (429, "1")
        assert res.json()["error_code"] == "RATE_LIMITED"
        # count=1: the retry goes through to the real route (401 without a token).
        assert (await c.get("/api/v1/me")).status_code == 401


async def test_matching_by_method_glob_prefix_and_probability(db) -> None:
    rules = [
        {"route": "/api/v1/auth/", "method": "POST", "status": 500},
        {"route": "/api/v1/users/*/x", "status": 418},
        {"route": "/api/v1/tenants", "status": 503, "probability": 0.0},
    ]
    async with _client(db, rules) as c:
        assert (await c.post("/api/v1/auth/login", json={})).status_code == 500
        assert (await c.get("/api/v1/auth/login")).status_code == 405  # GET: no match
        assert (await c.get("/api/v1/users/12/x")).status_code == 418
        assert (await c.get("/api/v1/users/12")).status_code == 401
        assert (await c.get("/api/v1/tenants")).status_code == 401


def test_rule_model_and_counters() -> None:
    faults = Faults.from_json({"rules": [{"route": "/a", "status": 500, "count": 2}]})
    assert [faults.decide("GET", "/a/b").rule is not None for _ in range(3)] == [True, True, False]
    assert faults.to_json()[0]["fired"] == 2
    # Latency adds up across matching rules; the first failing rule decides.
    faults.replace(
        [
            FaultRule(route="/x", latency_ms=10),
            FaultRule(route="/x", latency_ms=5, status=502),
            FaultRule(route="/x", status=503),
        ]
    )
    decision = faults.decide("GET", "/x")
    assert decision.latency_ms == 15 and decision.rule is not None and decision.rule.status == 502
    half = Faults.from_json([{"route": "/p", "status": 500, "probability": 0.5}], seed=1)
    hits = sum(half.decide("GET", "/p").rule is not None for _ in range(400))
    assert 150 < hits < 250
    with pytest.raises(ValueError):
        Faults.from_json([{"route": "/x", "body": "teapot"}])


def test_each_rule_keeps_the_ids_of_its_latest_requests() -> None:
    faults = Faults.from_json([{"route": "/a", "status": 500}, {"route": "/b", "latency_ms": 5}])
    for i in range(RECENT_IDS + 10):
        faults.decide("GET", "/a", f"req_a{i}")
    faults.decide("GET", "/b", "req_b")
    faults.decide("GET", "/c", "req_c")  # No rule matches: no rule keeps it.
    listed = faults.to_json()
    assert listed[0]["request_ids"] == [f"req_a{i}" for i in range(10, RECENT_IDS + 10)]
    assert listed[1]["request_ids"] == ["req_b"]
    faults.clear()
    faults.replace(Faults.from_json([{"route": "/a", "status": 500}]).rules)
    assert faults.to_json()[0]["request_ids"] == []


def test_load_from_file(tmp_path: Path) -> None:
    path = tmp_path / "faults.json"
    path.write_text(json.dumps([{"route": "/api/v1/users", "latency_ms": 800}]))
    faults = Faults.load(path)
    assert faults.rules[0].latency_ms == 800


async def test_fault_control_only_when_allowed(db) -> None:
    async with _client(db, []) as c:
        assert (await c.get("/sandbox/faults")).status_code == 404
        assert (await c.put("/sandbox/faults", json={"rules": []})).status_code == 404
    async with _client(db, [], allow_fault_control=True) as c:
        assert (await c.get("/sandbox/faults")).json()["data"] == []
        res = await c.put(
            "/sandbox/faults", json={"rules": [{"route": "/api/v1/me", "status": 500}]}
        )
        assert res.status_code == 200
        assert (await c.get("/api/v1/me")).status_code == 500
        listed = (await c.get("/sandbox/faults")).json()["data"]
        assert listed[0]["fired"] == 1
        # The ids of the requests it fired on: a client left without an answer can be matched.
        sent = "req_" + "ab" * 12
        assert (await c.get("/api/v1/me", headers={"X-Request-Id": sent})).status_code == 500
        listed = (await c.get("/sandbox/faults")).json()["data"]
        assert listed[0]["fired"] == 2 and listed[0]["request_ids"][-1] == sent
        assert len(listed[0]["request_ids"]) == 2
        # A rule matching everything does not lock the controller out.
        await c.put("/sandbox/faults", json={"rules": [{"route": "/", "status": 500}]})
        assert (await c.delete("/sandbox/faults")).status_code == 200
        assert (await c.get("/api/v1/me")).status_code == 401
        res = await c.put("/sandbox/faults", json={"rules": [{"route": "/x", "status": 99}]})
        assert res.status_code == 422


def test_dropped_connection_over_real_http(db) -> None:
    faults = Faults.from_json([{"route": "/api/v1/me", "body": "drop"}])
    server = run_in_thread(db.path, config=SandboxConfig(rate_limit=None, faults=faults))
    try:
        with httpx.Client(base_url=server.base_url, timeout=5) as c:
            with pytest.raises(httpx.RemoteProtocolError):
                c.get("/api/v1/me")
            assert c.get("/sandbox/health").status_code == 200
    finally:
        server.stop()


def test_truncated_body_over_real_http(db) -> None:
    faults = Faults.from_json([{"route": "/sandbox/health", "body": "truncate", "count": 1}])
    server = run_in_thread(db.path, config=SandboxConfig(rate_limit=None, faults=faults))
    try:
        with httpx.Client(base_url=server.base_url, timeout=5) as c:
            received = bytearray()
            with (
                pytest.raises(httpx.RemoteProtocolError),
                c.stream("GET", "/sandbox/health") as res,
            ):
                assert res.status_code == 200
                assert res.headers["content-type"] == "application/json"
                for chunk in res.iter_bytes():
                    received += chunk
            assert 0 < len(received) < int(res.headers["content-length"])
            assert c.get("/sandbox/health").status_code == 200
    finally:
        server.stop()
