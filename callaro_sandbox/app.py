"""Assemble the sandbox: routers, error handlers, the ASGI middleware, app state.

Each module in ``ROUTER_MODULES`` exposes ``router: APIRouter`` with full paths
(``/api/v1/...``). A module that does not exist yet is skipped with a log line, so the server
runs while parts of the contract are still being written.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from callaro_sandbox.config import SandboxConfig
from callaro_sandbox.db import Database, import_optional
from callaro_sandbox.envelope import install_error_handlers
from callaro_sandbox.middleware import SandboxMiddleware
from callaro_sandbox.schemas import ERROR_RESPONSES
from callaro_sandbox.security import jwt_secret_for

log = logging.getLogger(__name__)

ROUTER_MODULES: list[str] = [
    "callaro_sandbox.session_routes",
    "callaro_sandbox.me_routes",
    "callaro_sandbox.onboarding",
    "callaro_sandbox.users",
    "callaro_sandbox.invitations",
    "callaro_sandbox.api_keys",
    "callaro_sandbox.billing",
    "callaro_sandbox.usage",
    "callaro_sandbox.invoices",
    "callaro_sandbox.phone_numbers",
    "callaro_sandbox.telephony",
    "callaro_sandbox.agents",
    "callaro_sandbox.sandbox_routes",
]

# Served only when the server was started with --allow-fault-control; otherwise 404.
FAULT_CONTROL_MODULE = "callaro_sandbox.fault_routes"


def _router_of(name: str) -> APIRouter | None:
    module = import_optional(name)
    if module is None:
        log.warning("router module %s not found; its routes are not served", name)
        return None
    router = getattr(module, "router", None)
    if not isinstance(router, APIRouter):
        log.warning("module %s has no `router: APIRouter`; skipped", name)
        return None
    return router


def create_app(db: Database, *, config: SandboxConfig | None = None) -> FastAPI:
    config = config or SandboxConfig()
    app = FastAPI(
        title="Callaro sandbox",
        version="1.0.0",
        description="A Callaro-compatible API over SQLite for demo mode, tests and benchmarks.",
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.db = db
    app.state.config = config
    app.state.jwt_secret = config.jwt_secret or jwt_secret_for(db)
    install_error_handlers(app)

    modules = list(ROUTER_MODULES)
    if config.allow_fault_control:
        modules.append(FAULT_CONTROL_MODULE)
    for name in modules:
        router = _router_of(name)
        if router is not None:
            app.include_router(router, responses=ERROR_RESPONSES)
    # Modules imported just now may have registered tables the database does not have yet.
    db.apply_schemas()

    app.add_middleware(SandboxMiddleware, config=config)
    return app


def api_routes(app: FastAPI) -> list[APIRoute]:
    """Every APIRoute the app serves, including those of included routers.

    Recent FastAPI versions keep included routers as wrapper routes instead of copying their
    routes into ``app.routes``; the wrapper keeps the original router, whose routes carry full
    paths here because routers are included without a prefix.
    """
    return list(_walk(app.router.routes))


def _walk(routes: Sequence[BaseRoute]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
            continue
        inner = getattr(route, "original_router", None)
        if isinstance(inner, APIRouter):
            yield from _walk(inner.routes)
