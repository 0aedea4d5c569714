"""The role matrix, generated from the app's own route table (contract section 9).

Every /api/v1 route the app serves is called as Admin, Operator, Viewer, support staff, an
admin pointing at a foreign tenant, and with no token. What each should get follows from the
route's capability in ``permissions.ROUTE_CAPABILITIES``; a served route missing from that
table fails here, so no route can escape the matrix.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.routing import APIRoute

from callaro_sandbox.app import api_routes, create_app
from callaro_sandbox.config import SandboxConfig
from callaro_sandbox.context import CallerDependency, TenantDependency
from callaro_sandbox.db import Database
from callaro_sandbox.permissions import (
    CALLER,
    PUBLIC,
    ROUTE_CAPABILITIES,
    normalize_path,
    role_allows,
    route_capability,
)

# (actor, login, role it acts with, which tenant header to send)
ACTORS = [
    ("admin", "admin@demo.callaro.test", "tenant_admin", None),
    ("operator", "operator@demo.callaro.test", "tenant_operator", None),
    ("viewer", "viewer@demo.callaro.test", "tenant_viewer", None),
    ("support", "support@demo.callaro.test", "tenant_viewer", "Acme Health"),
    ("foreign", "admin@demo.callaro.test", None, "Corvid Studio"),
]
ALLOWED = {200, 201, 204, 404, 409, 422}


def _served_routes() -> list[tuple[str, str, APIRoute]]:
    db = Database.open(":memory:")
    try:
        app = create_app(db, config=SandboxConfig(rate_limit=None))
        return sorted(
            (method, route.path, route)
            for route in api_routes(app)
            if route.path.startswith("/api/v1/")
            for method in route.methods
            if method != "HEAD"
        )
    finally:
        db.close()


ROUTES = _served_routes()


def _dependency_markers(route: APIRoute) -> set[str]:
    found: set[str] = set()
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        if isinstance(dep.call, TenantDependency):
            found.add(dep.call.capability)
        elif isinstance(dep.call, CallerDependency):
            found.add(CALLER)
        stack.extend(dep.dependencies)
    return found


def test_every_served_route_is_in_the_table() -> None:
    missing = [f"{m} {p}" for m, p, _ in ROUTES if route_capability(m, p) is None]
    assert missing == [], "add these to permissions.ROUTE_CAPABILITIES: " + ", ".join(missing)


def test_every_table_entry_is_served() -> None:
    served = {(m, normalize_path(p)) for m, p, _ in ROUTES}
    stale = sorted(f"{m} {p}" for m, p in ROUTE_CAPABILITIES if (m, p) not in served)
    assert stale == []


@pytest.mark.parametrize(
    ("method", "path", "route"), ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES]
)
def test_route_declares_the_tables_capability(method: str, path: str, route: APIRoute) -> None:
    expected = route_capability(method, path)
    declared = _dependency_markers(route)
    if expected == PUBLIC:
        assert declared == set()
    else:
        assert declared == {expected}, f"{method} {path} declares {declared}, table {expected}"


def _expected(capability: str, actor_role: str | None, foreign: bool) -> str:
    if capability == PUBLIC:
        return "any"
    if capability == CALLER:
        return "allowed"
    if foreign:
        return "forbidden"
    assert actor_role is not None
    return "allowed" if role_allows(actor_role, capability) else "forbidden"


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "999999", path)


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("method", "path"), [(m, p) for m, p, _ in ROUTES], ids=[f"{m} {p}" for m, p, _ in ROUTES]
)
async def test_matrix(client, tenants, demo_tokens, method: str, path: str) -> None:
    capability = route_capability(method, path)
    assert capability is not None, f"{method} {path} is missing from ROUTE_CAPABILITIES"
    url = _concrete(path)
    kwargs: dict[str, Any] = {"json": {}} if method in {"POST", "PATCH", "PUT"} else {}
    failures: list[str] = []

    res = await client.request(method, url, **kwargs)
    if capability == PUBLIC:
        if res.status_code == 401 or res.status_code >= 500:
            failures.append(f"no token: {res.status_code}")
    elif res.status_code != 401:
        failures.append(f"no token: {res.status_code}, expected 401")

    for actor, email, role, tenant in ACTORS:
        if capability == PUBLIC:
            continue
        headers = {"Authorization": f"Bearer {demo_tokens[email]}"}
        if tenant is not None:
            headers["X-Tenant-Id"] = str(tenants[tenant])
        res = await client.request(method, url, headers=headers, **kwargs)
        want = _expected(capability, role, foreign=actor == "foreign")
        if want == "forbidden" and res.status_code != 403:
            failures.append(f"{actor}: {res.status_code}, expected 403")
        elif want == "allowed" and res.status_code not in ALLOWED:
            failures.append(f"{actor}: {res.status_code}, expected one of {sorted(ALLOWED)}")
        if res.status_code == 403 and want == "forbidden":
            assert res.json()["error_code"] == "FORBIDDEN"
    assert failures == [], f"{method} {path} ({capability})"
