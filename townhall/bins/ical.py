"""A property's bin collections as an iCalendar (RFC 5545) feed that calendar apps can subscribe to.

Each collection is one all-day event. Its UID is made from the UPRN, the stream and the ORIGINAL date, so
when the council moves or cancels a collection, a subscribed calendar updates that event in place instead of
showing it twice. A cancelled collection stays in the feed on its original day with STATUS:CANCELLED.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from townhall.bins.schedule import ChangeReason, Collection
from townhall.bins.wording import day_and_date

PRODUCT_ID = "-//Townhall//Bin collections//EN"
UID_DOMAIN = "bins.townhall"
REFRESH_EVERY = timedelta(days=1)


def collection_uid(uprn: int, collection: Collection) -> str:
    """Stable across downloads and across moves: UPRN + stream + original date."""
    return f"{uprn}-{collection.stream.code.value}-{_basic(collection.original_date)}@{UID_DOMAIN}"


def _basic(day: date) -> str:
    """ "20261225": RFC 5545's DATE form (built by hand: strftime is slow in a loop of thousands)."""
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def calendar_for(uprn: int, address: str, collections: Iterable[Collection], *, generated_at: datetime) -> bytes:
    """The iCalendar feed for one property, as bytes ready to serve as text/calendar.

    Promises: VERSION 2.0, METHOD PUBLISH, a daily refresh hint, one all-day VEVENT per collection (stream and
    date), UIDs that depend only on UPRN, stream and original date, and DTSTAMP set to `generated_at` (which
    must be timezone-aware) in UTC. Lines end in CRLF and are folded at 75 octets; text values are escaped.
    """
    if generated_at.tzinfo is None:
        raise ValueError("generated_at must be timezone-aware")
    stamp = fold_line(f"DTSTAMP:{generated_at.astimezone(UTC):%Y%m%dT%H%M%SZ}")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODUCT_ID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(f'Bin collections: {address}')}",
        f"REFRESH-INTERVAL;VALUE=DURATION:{_REFRESH}",
        f"X-PUBLISHED-TTL:{_REFRESH}",
    ]
    head = b"".join(fold_line(line) for line in lines)
    events = b"".join(_event(uprn, collection, stamp) for collection in collections)
    return head + events + b"END:VCALENDAR\r\n"


# Written directly rather than through icalendar's object model: the feed is served to every calendar app's
# refresh, and building it as text is over ten times faster. Both parsers in the tests read it back.
_REFRESH = f"P{REFRESH_EVERY.days}D"  # REFRESH_EVERY as an RFC 5545 duration

_FOLD_AT = 75  # octets, RFC 5545 section 3.1


def escape_text(value: str) -> str:
    """A TEXT value escaped as RFC 5545 section 3.3.11 requires."""
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold_line(line: str) -> bytes:
    """One content line as CRLF-terminated octets, folded so no line is longer than 75 octets (never inside
    a UTF-8 character)."""
    encoded = line.encode()
    if len(encoded) <= _FOLD_AT:
        return encoded + b"\r\n"
    pieces: list[bytes] = []
    limit = _FOLD_AT
    while encoded:
        cut = min(limit, len(encoded))
        while cut < len(encoded) and (encoded[cut] & 0xC0) == 0x80:  # a continuation byte: cut earlier
            cut -= 1
        pieces.append(encoded[:cut])
        encoded = encoded[cut:]
        limit = _FOLD_AT - 1  # continuation lines start with a space
    return b"\r\n ".join(pieces) + b"\r\n"


def _event(uprn: int, collection: Collection, stamp: bytes) -> bytes:
    uid = fold_line(f"UID:{collection_uid(uprn, collection)}")
    return b"BEGIN:VEVENT\r\n" + uid + stamp + _event_body(collection) + b"END:VEVENT\r\n"


@lru_cache(maxsize=65_536)
def _event_body(collection: Collection) -> bytes:
    """The lines of an event that depend only on the collection: the same for every property on a round, so
    they are built once and shared."""
    day = collection.sort_date
    lines = [
        f"SUMMARY:{escape_text(event_summary(collection))}",
        f"DTSTART;VALUE=DATE:{_basic(day)}",
        f"DTEND;VALUE=DATE:{_basic(day + timedelta(days=1))}",
        f"DESCRIPTION:{escape_text(event_description(collection))}",
        "TRANSP:TRANSPARENT",
    ]
    if collection.is_cancelled:
        lines.append("STATUS:CANCELLED")
    return b"".join(fold_line(line) for line in lines)


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
