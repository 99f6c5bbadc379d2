"""When the contact centre is open: configured days and times, closed on England and Wales bank holidays.

A hand-off in office hours joins the staff queue and a person replies in the conversation; outside them the
assistant offers a call back at `next_opening`. Times are the council's local time (`Settings.timezone`).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from townhall.bins.bank_holidays import england_and_wales_bank_holidays
from townhall.config import Settings

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# A configuration with no open day at all would loop for ever looking for the next opening.
SEARCH_DAYS = 370


def is_open_day(day: date, settings: Settings) -> bool:
    """Whether the office opens at all on `day`: a configured weekday that is not a bank holiday."""
    return day.isoweekday() in settings.assistant_office_days and day not in england_and_wales_bank_holidays(
        (day.year,)
    )


def is_open(moment: datetime, settings: Settings) -> bool:
    local = moment.astimezone(ZoneInfo(settings.timezone))
    opens, closes = settings.assistant_office_opens, settings.assistant_office_closes
    return is_open_day(local.date(), settings) and opens <= local.time() < closes


def next_opening(moment: datetime, settings: Settings) -> datetime:
    """The next time the office opens strictly after `moment` (today's opening if it is still to come)."""
    zone = ZoneInfo(settings.timezone)
    local = moment.astimezone(zone)
    day = local.date()
    for _ in range(SEARCH_DAYS):
        opening = datetime.combine(day, settings.assistant_office_opens, tzinfo=zone)
        if opening > local and is_open_day(day, settings):
            return opening
        day += timedelta(days=1)
    raise ValueError("The assistant's office hours have no open day: check TOWNHALL_ASSISTANT_OFFICE_DAYS")


def clock_time(value: time) -> str:
    """9am, 5:30pm: how GOV.UK writes times."""
    hour = value.hour % 12 or 12
    minutes = f":{value.minute:02d}" if value.minute else ""
    return f"{hour}{minutes}{'am' if value.hour < 12 else 'pm'}"


def describe(settings: Settings) -> str:
    """The office hours in words: "Monday to Friday, 9am to 5pm"."""
    days = sorted(set(settings.assistant_office_days))
    consecutive = days == list(range(days[0], days[-1] + 1)) if days else False
    if consecutive and len(days) > 2:
        named = f"{DAY_NAMES[days[0] - 1]} to {DAY_NAMES[days[-1] - 1]}"
    else:
        named = ", ".join(DAY_NAMES[d - 1] for d in days)
    opens, closes = clock_time(settings.assistant_office_opens), clock_time(settings.assistant_office_closes)
    return f"{named}, {opens} to {closes}"


def when(moment: datetime) -> str:
    """ "9am on Monday 30 November": when the council will call or reply."""
    return f"{clock_time(moment.time())} on {moment:%A} {moment.day} {moment:%B}"
