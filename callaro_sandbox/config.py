"""Run-time settings of one sandbox app."""

from __future__ import annotations

from dataclasses import dataclass, field

from callaro_sandbox.faults import Faults


@dataclass(frozen=True)
class RateLimit:
    """Token bucket per credential: ``burst`` requests at once, refilled at ``rate`` per second."""

    rate: float = 20.0
    burst: int = 100


@dataclass
class SandboxConfig:
    access_token_ttl: int = 900
    refresh_ttl: int = 30 * 24 * 3600
    # None: the secret stored in the database (random per database) is used.
    jwt_secret: str | None = None
    # None disables rate limiting.
    rate_limit: RateLimit | None = field(default_factory=RateLimit)
    faults: Faults = field(default_factory=Faults)
    allow_fault_control: bool = False
    # Where a browser reaches this server (checkout pages); serve/run_in_thread fill it in.
    public_base_url: str = "http://127.0.0.1:8765"
    invitation_ttl_days: int = 7
