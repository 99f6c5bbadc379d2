"""Service levels in working days: Monday to Friday, not England and Wales bank holidays."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache

from townhall.bins.bank_holidays import england_and_wales_bank_holidays

_SATURDAY = 5


def is_working_day(day: date) -> bool:
    return day.weekday() < _SATURDAY and day not in england_and_wales_bank_holidays((day.year,))


@lru_cache(maxsize=256)  # every create asks for today plus its service's days: a handful of answers a day
def add_working_days(day: date, count: int) -> date:
    """The `count`th working day after `day`, not counting `day` itself (Friday + 1 is the next Monday)."""
    current = day
    remaining = count
    while remaining > 0:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def expected_by(requested_at: datetime, working_days: int) -> datetime:
    """When a request made at `requested_at` is due: the same time of day, `working_days` working days later."""
    local = requested_at
    due_day = add_working_days(local.date(), working_days)
    return local.replace(year=due_day.year, month=due_day.month, day=due_day.day)
