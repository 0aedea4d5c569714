"""How dates, money and counts are shown: one place, so every page agrees.

Dates are shown in the timezone chosen on My Profile (the server's `me.timezone`),
not the computer's; money is INR with Indian digit grouping.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from callaro_desktop.api.models import Money
from callaro_desktop.i18n import tr


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def format_datetime(value: datetime | None, tz: str | None, *, never: str | None = None) -> str:
    if value is None:
        return never if never is not None else "—"
    return value.astimezone(zone(tz)).strftime("%d %b %Y, %H:%M")


def format_date(value: datetime | None, tz: str | None) -> str:
    if value is None:
        return "—"
    return value.astimezone(zone(tz)).strftime("%d %b %Y")


def format_money(value: Money | None) -> str:
    return value.format() if value is not None else "—"


def never() -> str:
    return tr("never")
