"""England and Wales bank holidays, from the maintained `holidays` library rather than a hand-written list."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import lru_cache

import holidays

_SATURDAY = 5


def england_and_wales_bank_holidays(years: Iterable[int]) -> frozenset[date]:
    """The days that are bank holidays in England and Wales in the given years: days off work.

    Promise: every day returned is a Monday to Friday. When a holiday falls on a weekend, the day returned is
    its substitute ("observed") weekday, as on the published list: Boxing Day 2026 is a Saturday, so Monday
    28 December 2026 is returned and Saturday 26 December is not. The result is cached per set of years.
    """
    return _bank_holidays_for(frozenset(years))


@lru_cache(maxsize=64)
def _bank_holidays_for(years: frozenset[int]) -> frozenset[date]:
    if not years:
        return frozenset()
    calendar = holidays.country_holidays("GB", subdiv="ENG", years=sorted(years))
    # The library lists a weekend holiday on its calendar day as well as on its substitute weekday; only the
    # substitute is a day off, so weekend days are dropped.
    return frozenset(day for day in calendar if day.weekday() < _SATURDAY)


def bank_holiday_names(years: Iterable[int]) -> dict[date, str]:
    """The name of each day `england_and_wales_bank_holidays` returns, for messages to residents."""
    wanted = england_and_wales_bank_holidays(years)
    calendar = holidays.country_holidays("GB", subdiv="ENG", years=sorted(set(years)))
    return {day: str(calendar.get(day)) for day in sorted(wanted)}
