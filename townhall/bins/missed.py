"""When a resident may report a missed bin collection.

The rule: a missed collection can be reported for a stream that was due at the property on that day (after
any bank-holiday move or council change), from the end of that day until the end of the second working day
after it.
A working day is Monday to Friday and not a bank holiday. Times are in UK local time (Europe/London).
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from townhall.bins.schedule import Collection, StreamCode
from townhall.bins.wording import day_and_date

UK_TIME = ZoneInfo("Europe/London")
WORKING_DAYS_TO_REPORT = 2
_SATURDAY = 5


@dataclass(frozen=True, slots=True)
class MissedCollectionWindow:
    """Whether a missed collection may be reported now, why (in plain English), and the window when known.

    `opens` and `closes` are timezone-aware: a report is accepted when opens <= now < closes.
    """

    allowed: bool
    explanation: str
    opens: datetime | None
    closes: datetime | None


def is_working_day(day: date, bank_holidays: AbstractSet[date]) -> bool:
    return day.weekday() < _SATURDAY and day not in bank_holidays


def working_days_after(day: date, count: int, bank_holidays: AbstractSet[date]) -> date:
    """The `count`th working day after `day` (not counting `day` itself)."""
    current = day
    remaining = count
    while remaining:
        current += timedelta(days=1)
        if is_working_day(current, bank_holidays):
            remaining -= 1
    return current


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UK_TIME)


def report_window(collection_day: date, bank_holidays: AbstractSet[date]) -> tuple[datetime, datetime]:
    """From the end of the collection day to the end of the second working day after it."""
    last_day = working_days_after(collection_day, WORKING_DAYS_TO_REPORT, bank_holidays)
    return _start_of(collection_day + timedelta(days=1)), _start_of(last_day + timedelta(days=1))


def missed_collection_window(
    collections: Iterable[Collection],
    stream: StreamCode,
    on: date,
    *,
    now: datetime,
    bank_holidays: AbstractSet[date],
) -> MissedCollectionWindow:
    """Whether a missed `stream` collection on day `on` may be reported at `now`, given the schedule.

    `now` must be timezone-aware. The explanation is a sentence for the resident in every case.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    relevant = [c for c in collections if c.stream.code == stream and on in (c.date, c.original_date)]
    due = next((c for c in relevant if c.date == on), None)
    if due is None:
        return MissedCollectionWindow(False, _not_due_explanation(stream, on, relevant), None, None)
    opens, closes = report_window(on, bank_holidays)
    name = due.stream.name.lower()
    if now < opens:
        text = f"You can report a missed {name} collection from midnight at the end of {day_and_date(on)}."
        return MissedCollectionWindow(False, text, opens, closes)
    if now >= closes:
        last = closes - timedelta(days=1)
        text = f"It is too late to report this {name} collection as missed: reports closed at the end of "
        return MissedCollectionWindow(False, text + f"{day_and_date(last.date())}.", opens, closes)
    last = closes - timedelta(days=1)
    text = f"You can report your {name} collection on {day_and_date(on)} as missed until the end of "
    return MissedCollectionWindow(True, text + f"{day_and_date(last.date())}.", opens, closes)


def _not_due_explanation(stream: StreamCode, on: date, relevant: list[Collection]) -> str:
    name = relevant[0].stream.name.lower() if relevant else stream.value
    when = day_and_date(on)
    for collection in relevant:
        if collection.date is None:
            return f"Your {name} collection on {when} was cancelled ({collection.reason}), so it was not missed."
        if collection.original_date == on:
            new_day = day_and_date(collection.date)
            return f"Your {name} collection on {when} was moved to {new_day} ({collection.reason})."
    return f"There was no {name} collection due at this address on {when}."
