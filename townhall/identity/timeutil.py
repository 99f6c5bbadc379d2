"""UTC times for identity's tables (SQLite stores datetimes without a zone, so everything is stored as UTC)."""

from __future__ import annotations

from datetime import UTC, datetime

from townhall.platform import clock


def utc_now() -> datetime:
    return clock.now().astimezone(UTC)


def as_utc(moment: datetime) -> datetime:
    """A stored time as an aware UTC datetime, whichever database it came from."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
