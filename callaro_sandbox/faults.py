"""Fault injection: make chosen routes slow, fail, lie or hang up, on purpose.

A rule matches a request by ``route`` (a glob such as ``/api/v1/users*`` when it contains
``*?[``, otherwise a path prefix) and optionally ``method``. Matching rules then fire with
``probability`` (default always) and at most ``count`` times (default unlimited). The first
rule that fires decides the outcome; ``latency_ms`` of every matching rule is added up.

Rules come from ``--faults FILE`` (a JSON list, or ``{"rules": [...]}``) and, when the server
was started with ``--allow-fault-control``, from ``PUT /sandbox/faults``.
"""

from __future__ import annotations

import fnmatch
import json
import random
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

# "truncate" lets the route answer, then cuts its body in half and hangs up (a download
# that breaks mid-way); "drop" hangs up before the route runs.
# How many request ids each rule remembers.
RECENT_IDS = 50

FaultBody = Literal["html502", "malformed_json", "drop", "truncate"]


class FaultRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    route: str = Field(min_length=1, description="glob (with * ? [) or path prefix")
    method: str | None = None
    latency_ms: int | None = Field(default=None, ge=0, le=120_000)
    status: int | None = Field(default=None, ge=100, le=599)
    body: FaultBody | None = None
    rate_limit: bool = False
    probability: float | None = Field(default=None, ge=0.0, le=1.0)
    count: int | None = Field(default=None, ge=0)

    def matches(self, method: str, path: str) -> bool:
        if self.method and self.method.upper() != method.upper():
            return False
        if any(ch in self.route for ch in "*?["):
            return fnmatch.fnmatchcase(path, self.route)
        return path.startswith(self.route)

    @property
    def is_failure(self) -> bool:
        return self.status is not None or self.body is not None or self.rate_limit


class FaultSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rules: list[FaultRule] = Field(default_factory=list)


@dataclass
class Decision:
    latency_ms: int = 0
    rule: FaultRule | None = None


@dataclass
class Faults:
    """The live rule set. ``fired`` counts how often each rule (by index) has fired, and
    ``request_ids`` keeps the ids of the last requests each fired on: a client that got no
    answer can be checked to show the id of a request the server saw."""

    rules: list[FaultRule] = field(default_factory=list)
    seed: int | None = None
    fired: dict[int, int] = field(default_factory=dict)
    request_ids: dict[int, deque[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    @classmethod
    def from_json(cls, data: Any, *, seed: int | None = None) -> Faults:
        if isinstance(data, list):
            data = {"rules": data}
        return cls(rules=FaultSet.model_validate(data).rules, seed=seed)

    @classmethod
    def load(cls, path: str | Path, *, seed: int | None = None) -> Faults:
        return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8")), seed=seed)

    def replace(self, rules: list[FaultRule]) -> None:
        self.rules = list(rules)
        self.fired = {}
        self.request_ids = {}

    def clear(self) -> None:
        self.replace([])

    def to_json(self) -> list[dict[str, Any]]:
        out = []
        for i, rule in enumerate(self.rules):
            item = rule.model_dump(mode="json")
            item["fired"] = self.fired.get(i, 0)
            item["request_ids"] = list(self.request_ids.get(i, ()))
            out.append(item)
        return out

    def decide(self, method: str, path: str, request_id: str | None = None) -> Decision:
        decision = Decision()
        for i, rule in enumerate(self.rules):
            if not rule.matches(method, path):
                continue
            if rule.count is not None and self.fired.get(i, 0) >= rule.count:
                continue
            if rule.probability is not None and self._rng.random() >= rule.probability:
                continue
            if rule.is_failure and decision.rule is not None:
                continue
            self.fired[i] = self.fired.get(i, 0) + 1
            if request_id is not None:
                self.request_ids.setdefault(i, deque(maxlen=RECENT_IDS)).append(request_id)
            decision.latency_ms += rule.latency_ms or 0
            if rule.is_failure:
                decision.rule = rule
        return decision
