"""Page-style lists: ``page``/``per_page`` (default 50, max 200) and ``sort=field|-field``."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from fastapi import Query

from callaro_sandbox.db import Database, Params
from callaro_sandbox.envelope import ApiFail

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200


@dataclass(frozen=True)
class PageParams:
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def page_params(
    page: int = Query(1, ge=1, le=10_000_000),
    per_page: int = Query(DEFAULT_PER_PAGE, ge=1, le=MAX_PER_PAGE),
) -> PageParams:
    return PageParams(page=page, per_page=per_page)


def order_by(
    sort: str | None,
    allowed: dict[str, str],
    default: str,
    *,
    tiebreak: str | None = None,
) -> str:
    """Turn ``field``/``-field`` into an ORDER BY clause from a whitelist (``allowed``).

    ``allowed`` maps public field names to SQL expressions. ``default`` is used when ``sort`` is
    empty; it may itself be a ``field``/``-field`` spec of ``allowed`` or a literal SQL
    expression. ``tiebreak`` (e.g. ``"u.id"``) is appended so pages stay stable when the sort
    key has duplicates.
    """
    spec = (sort or "").strip()
    clause: str
    if spec:
        clause = _clause(spec, allowed)
    else:
        try:
            clause = _clause(default, allowed)
        except ApiFail:
            clause = default
    if tiebreak and tiebreak not in clause:
        clause = f"{clause}, {tiebreak}"
    return clause


def _clause(spec: str, allowed: dict[str, str]) -> str:
    parts: list[str] = []
    for item in spec.split(","):
        item = item.strip()
        desc = item.startswith("-")
        name = item[1:] if desc or item.startswith("+") else item
        if name not in allowed:
            choices = ", ".join(sorted(allowed))
            msg = f"Unknown sort field '{name}'; use one of: {choices} (prefix - for descending)"
            raise ApiFail(422, "VALIDATION_ERROR", msg, errors={"sort": [msg]})
        parts.append(f"{allowed[name]} {'DESC' if desc else 'ASC'}")
    return ", ".join(parts)


def fetch_page(
    db: Database,
    select_sql: str,
    count_sql: str,
    params: Params,
    page: PageParams,
    order: str,
) -> tuple[list[sqlite3.Row], int]:
    """Run ``count_sql`` and one page of ``select_sql``; both take ``params``.

    ``select_sql`` must not carry ORDER BY/LIMIT: they are appended here. A page past the end
    is simply empty (the caller still reports the true total in ``meta``).
    """
    total = int(db.scalar(count_sql, params) or 0)
    if page.offset >= total:
        return [], total
    args: Any
    if isinstance(params, dict):
        args = {**params, "_limit": page.per_page, "_offset": page.offset}
        tail = " LIMIT :_limit OFFSET :_offset"
    else:
        args = (*params, page.per_page, page.offset)
        tail = " LIMIT ? OFFSET ?"
    rows = db.query(f"{select_sql} ORDER BY {order}{tail}", args)
    return rows, total


def like_pattern(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere; use with ``ESCAPE '\\'``."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
