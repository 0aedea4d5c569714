"""Run-time fault control (``/sandbox/faults``); mounted only with ``--allow-fault-control``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from callaro_sandbox.config import SandboxConfig
from callaro_sandbox.envelope import ok
from callaro_sandbox.faults import FaultSet
from callaro_sandbox.schemas import Envelope

router = APIRouter(tags=["sandbox"])


def _config(request: Request) -> SandboxConfig:
    config: SandboxConfig = request.app.state.config
    return config


@router.get("/sandbox/faults", response_model=Envelope[list[dict[str, Any]]])
async def get_faults(request: Request) -> JSONResponse:
    return ok(_config(request).faults.to_json())


@router.put("/sandbox/faults", response_model=Envelope[list[dict[str, Any]]])
async def put_faults(body: FaultSet, request: Request) -> JSONResponse:
    faults = _config(request).faults
    faults.replace(body.rules)
    return ok(faults.to_json(), message=f"{len(body.rules)} fault rule(s) active")


@router.delete("/sandbox/faults", response_model=Envelope[list[dict[str, Any]]])
async def delete_faults(request: Request) -> JSONResponse:
    faults = _config(request).faults
    faults.clear()
    return ok([], message="Faults cleared")
