"""How dates, money and counts are shown: one place, so every page agrees.

Dates are shown in the timezone chosen on My Profile (the server's `me.timezone`),
not the computer's; money is INR with Indian digit grouping.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from callaro_desktop.api.models import Money
from callaro_desktop.i18n import tr


def offset_label(offset: timedelta | None) -> str:
    """'UTC+05:30', 'UTC-03:00', 'UTC+00:00'."""
    minutes = int((offset or timedelta()).total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{mins:02d}"


@cache
def cached_zone(name: str) -> ZoneInfo:
    # ZoneInfo keeps only a few zones alive; the timezone picker reads all ~600, so without
    # this every new picker (each window's My Profile) parsed the tz database again.
    return ZoneInfo(name)


def zone(name: str | None) -> ZoneInfo:
    """`name`'s zone, or UTC's when there is none or it is unknown."""
    try:
        return cached_zone(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return cached_zone("UTC")


def zone_offset(name: str, at: datetime | None = None) -> str:
    """`name`'s UTC offset at `at` (now), as `offset_label` writes it; UTC's for an unknown
    name. Here rather than in the picker: the Dashboard shows it without loading the picker."""
    try:
        tz = cached_zone(name)
    except (ZoneInfoNotFoundError, ValueError):
        return offset_label(None)
    return offset_label((at or datetime.now(UTC)).astimezone(tz).utcoffset())


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
