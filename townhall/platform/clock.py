"""The one place Townhall asks what time it is, so tests and demos can fix "today"."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")

_frozen: datetime | None = None


def now() -> datetime:
    """The current time, timezone-aware, in UK local time."""
    return _frozen if _frozen is not None else datetime.now(UTC).astimezone(LONDON)


def today() -> date:
    """Today's date in the UK (not UTC: a bin day is a UK day)."""
    return now().date()


def in_uk(stored: datetime) -> datetime:
    """A time read back from the database, in UK local time. PostgreSQL returns it with its zone; SQLite without
    one, as the UK wall time ``now()`` gave when it was written."""
    return stored.replace(tzinfo=LONDON) if stored.tzinfo is None else stored.astimezone(LONDON)


@contextmanager
def frozen_at(moment: datetime) -> Iterator[None]:
    """Fix the clock for a test or a demo build; `moment` must be timezone-aware."""
    global _frozen
    if moment.tzinfo is None:
        raise ValueError("frozen_at needs a timezone-aware datetime")
    previous, _frozen = _frozen, moment.astimezone(LONDON)
    try:
        yield
    finally:
        _frozen = previous
