"""A property's bin collections as an iCalendar (RFC 5545) feed that calendar apps can subscribe to.

Each collection is one all-day event. Its UID is made from the UPRN, the stream and the ORIGINAL date, so
when the council moves or cancels a collection, a subscribed calendar updates that event in place instead of
showing it twice. A cancelled collection stays in the feed on its original day with STATUS:CANCELLED.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import icalendar

from townhall.bins.schedule import ChangeReason, Collection
from townhall.bins.wording import day_and_date

PRODUCT_ID = "-//Townhall//Bin collections//EN"
UID_DOMAIN = "bins.townhall"
REFRESH_EVERY = timedelta(days=1)


def collection_uid(uprn: int, collection: Collection) -> str:
    """Stable across downloads and across moves: UPRN + stream + original date."""
    return f"{uprn}-{collection.stream.code.value}-{collection.original_date:%Y%m%d}@{UID_DOMAIN}"


def calendar_for(uprn: int, address: str, collections: Iterable[Collection], *, generated_at: datetime) -> bytes:
    """The iCalendar feed for one property, as bytes ready to serve as text/calendar.

    Promises: VERSION 2.0, METHOD PUBLISH, a daily refresh hint, one all-day VEVENT per collection (stream and
    date), UIDs that depend only on UPRN, stream and original date, and DTSTAMP set to `generated_at` (which
    must be timezone-aware) in UTC.
    """
    if generated_at.tzinfo is None:
        raise ValueError("generated_at must be timezone-aware")
    calendar = _empty_calendar(address)
    stamp = generated_at.astimezone(UTC)
    for collection in collections:
        calendar.add_component(_event_for(uprn, collection, stamp))
    return bytes(calendar.to_ical())


def _empty_calendar(address: str) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", icalendar.vText(f"Bin collections: {address}"))  # TEXT: commas escaped
    calendar.add("refresh-interval", REFRESH_EVERY, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", icalendar.vDuration(REFRESH_EVERY))
    return calendar


def _event_for(uprn: int, collection: Collection, stamp: datetime) -> icalendar.Event:
    day = collection.sort_date
    event = icalendar.Event()
    event.add("uid", collection_uid(uprn, collection))
    event.add("dtstamp", stamp)
    event.add("dtstart", day)  # a date, not a datetime: an all-day event (VALUE=DATE)
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", event_summary(collection))
    event.add("description", event_description(collection))
    event.add("transp", "TRANSPARENT")  # a bin day does not make anyone busy
    if collection.is_cancelled:
        event.add("status", "CANCELLED")
    return event


def event_summary(collection: Collection) -> str:
    """ "Recycling collection (blue bin)", prefixed with "Cancelled: " when cancelled."""
    stream = collection.stream
    summary = f"{stream.name} collection ({stream.colour})"
    return f"Cancelled: {summary}" if collection.is_cancelled else summary


def event_description(collection: Collection) -> str:
    """What goes in the bin and, when the day changed, from which day and why."""
    lines = [f"What goes in it: {collection.stream.accepts}"]
    original = day_and_date(collection.original_date)
    if collection.is_cancelled:
        lines.append(f"The collection due on {original} is cancelled: {collection.reason}.")
    elif collection.is_moved:
        lines.append(f"Moved from {original} because of {_reason_phrase(collection)}.")
    return "\n".join(lines)


_BECAUSE_OF = {
    ChangeReason.BANK_HOLIDAY: "the bank holiday",
    ChangeReason.CHRISTMAS_AND_NEW_YEAR: "the Christmas and New Year arrangements",
    ChangeReason.BAD_WEATHER: "bad weather",
    ChangeReason.STRIKE: "a strike",
}


def _reason_phrase(collection: Collection) -> str:
    """The words after "because of"."""
    return _BECAUSE_OF[collection.reason] if collection.reason else "a change to the round"
