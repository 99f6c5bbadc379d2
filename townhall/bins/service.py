"""Bin collection use cases over the database: a property's schedule, its next collections and coming
changes, its iCal feed, whether a missed collection can be reported, and schedules for many properties.

The rules live in the pure core (`schedule`, `missed`, `ical`); this module loads what they need. What every
property shares (streams, rounds, the council's changes) is a `BinNetwork`, loaded once and reusable across
requests (see `load_network`); what is particular to a property (its rounds and garden subscriptions) is read
per call.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from townhall.bins import missed
from townhall.bins.bank_holidays import england_and_wales_bank_holidays
from townhall.bins.ical import calendar_for
from townhall.bins.models import BinRound, BinScheduleChange, BinStream, GardenSubscription, PropertyBinRound
from townhall.bins.schedule import (
    ChangeBook,
    ChangeReason,
    Collection,
    Round,
    ScheduleChange,
    StreamCode,
    WasteStream,
    collection_order,
    round_collections,
)
from townhall.places.models import Property
from townhall.platform.clock import LONDON
from townhall.platform.errors import InvalidInput, NotFound

MAX_DAYS = 366
# The dates a schedule is worked out for. Near year 1 or 9999 the margins around a range (bank holidays, a week's
# changes) leave the calendar, an OverflowError; and no council has rounds for 1066 or 3026.
EARLIEST_DAY, LATEST_DAY = date(2000, 1, 1), date(2099, 12, 31)
FEED_DAYS = 365
_MARGIN = timedelta(days=14)


@dataclass(frozen=True)
class BinNetwork:
    """What every property's schedule is computed from: the streams, the rounds and the council's changes."""

    streams: Mapping[StreamCode, WasteStream]
    rounds: Mapping[str, Round]
    changes: tuple[ScheduleChange, ...]
    book: ChangeBook = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "book", ChangeBook(self.changes))


@dataclass(frozen=True, slots=True)
class Subscription:
    starts: date
    ends: date | None

    def covers(self, day: date) -> bool:
        return self.starts <= day and (self.ends is None or day <= self.ends)


@dataclass(frozen=True, slots=True)
class PropertyRounds:
    """The rounds serving one property and its garden waste subscriptions."""

    uprn: int
    address: str
    round_ids: tuple[str, ...]
    subscriptions: tuple[Subscription, ...]


@dataclass(frozen=True, slots=True)
class PropertySchedule:
    uprn: int
    address: str
    collections: tuple[Collection, ...]


def load_network(session: Session) -> BinNetwork:
    """Every stream, round and recorded change, for computing any property's schedule."""
    streams = {
        StreamCode(row.code): WasteStream(StreamCode(row.code), row.name, row.colour, row.accepts)
        for row in session.scalars(select(BinStream))
    }
    rounds = {
        row.id: Round(
            row.id, streams[StreamCode(row.stream_code)], row.weekday, row.frequency_weeks, row.reference_date
        )
        for row in session.scalars(select(BinRound))
    }
    changes = tuple(
        ScheduleChange(row.round_id, row.original_date, row.new_date, ChangeReason(row.reason))
        for row in session.scalars(select(BinScheduleChange).order_by(BinScheduleChange.id))
    )
    return BinNetwork(streams, rounds, changes)


# One round trip for a property's address, rounds and subscriptions (this runs on every bin-day lookup); built
# once so SQLAlchemy reuses the compiled statement.
_PROPERTY_ROUNDS = (
    select(Property.address, PropertyBinRound.round_id, GardenSubscription.starts, GardenSubscription.ends)
    .outerjoin(PropertyBinRound, PropertyBinRound.uprn == Property.uprn)
    .outerjoin(GardenSubscription, GardenSubscription.uprn == Property.uprn)
    .where(Property.uprn == bindparam("uprn"))
)


def property_rounds(session: Session, *, uprn: int) -> PropertyRounds:
    """The rounds and garden subscriptions of one property; NotFound if the UPRN is not in the gazetteer."""
    rows = session.execute(_PROPERTY_ROUNDS, {"uprn": uprn}).all()
    if not rows:
        raise NotFound(f"There is no property with UPRN {uprn} in the gazetteer")
    round_ids = sorted({row.round_id for row in rows if row.round_id is not None})
    subscriptions = sorted({(row.starts, row.ends) for row in rows if row.starts is not None}, key=lambda s: s[0])
    return PropertyRounds(uprn, rows[0].address, tuple(round_ids), tuple(Subscription(*s) for s in subscriptions))


def bank_holidays_around(start: date, end: date) -> frozenset[date]:
    """England and Wales bank holidays from two weeks before `start` to two weeks after `end`."""
    return england_and_wales_bank_holidays(range((start - _MARGIN).year, (end + _MARGIN).year + 1))


def schedule_for_rounds(
    network: BinNetwork, served: PropertyRounds, start: date, end: date, *, bank_holidays: frozenset[date]
) -> tuple[Collection, ...]:
    """The collections of one property from `start` to `end`, garden ones only while it subscribes."""
    found: list[Collection] = []
    for round_id in served.round_ids:
        round_ = network.rounds[round_id]
        collections = round_collections(round_, start, end, changes=network.book, bank_holidays=bank_holidays)
        if round_.stream.code is StreamCode.GARDEN:
            collections = [c for c in collections if _subscribed(served.subscriptions, c.original_date)]
        found.extend(collections)
    found.sort(key=collection_order)
    return tuple(found)


def _subscribed(subscriptions: Sequence[Subscription], day: date) -> bool:
    return any(subscription.covers(day) for subscription in subscriptions)


def check_range(start: date, days: int) -> date:
    """The last day of a range of `days` days from `start`; InvalidInput when it is not 1 to 366 days."""
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput(f"days: ask for between 1 and {MAX_DAYS} days, not {days}")
    if not EARLIEST_DAY <= start <= LATEST_DAY:
        raise InvalidInput(f"from: ask for a day from {EARLIEST_DAY} to {LATEST_DAY}, not {start}")
    return start + timedelta(days=days - 1)


def collections_for_property(
    session: Session, *, uprn: int, start: date, days: int, network: BinNetwork | None = None
) -> PropertySchedule:
    """A property's collections for `days` days from `start`, ordered by date then stream.

    NotFound for an unknown UPRN, InvalidInput for a range that is not 1 to 366 days. Pass `network` to reuse
    one loaded earlier (the web layer caches it briefly).
    """
    end = check_range(start, days)
    served = property_rounds(session, uprn=uprn)
    if network is None or not all(round_id in network.rounds for round_id in served.round_ids):
        # A cached network older than an import of rounds does not know the property's new rounds
        network = load_network(session)
    holidays = bank_holidays_around(start, end)
    return PropertySchedule(
        uprn, served.address, schedule_for_rounds(network, served, start, end, bank_holidays=holidays)
    )


@dataclass(frozen=True, slots=True)
class StreamOutlook:
    """The next collection of one stream at a property, or None when the property has none coming."""

    stream: WasteStream
    next_collection: Collection | None


@dataclass(frozen=True, slots=True)
class BinDayOutlook:
    uprn: int
    address: str
    today: date
    streams: tuple[StreamOutlook, ...]  # every stream the council collects, in the council's order
    changes: tuple[Collection, ...]  # moved or cancelled collections coming up


OUTLOOK_WEEKS = 10


def bin_day_outlook(session: Session, *, uprn: int, today: date, network: BinNetwork | None = None) -> BinDayOutlook:
    """For the bin-day page: the next collection of each stream and the changes in the next ten weeks."""
    network = network or load_network(session)
    schedule = collections_for_property(session, uprn=uprn, start=today, days=OUTLOOK_WEEKS * 7, network=network)
    outlooks = []
    for code in StreamCode:
        if code not in network.streams:
            continue
        upcoming = (c for c in schedule.collections if c.stream.code is code and not c.is_cancelled)
        outlooks.append(StreamOutlook(network.streams[code], next(upcoming, None)))
    changes = tuple(c for c in schedule.collections if c.is_cancelled or c.is_moved)
    return BinDayOutlook(uprn, schedule.address, today, tuple(outlooks), changes)


@dataclass(frozen=True, slots=True)
class CalendarFeed:
    body: bytes
    etag: str
    last_modified: datetime


def calendar_feed(session: Session, *, uprn: int, today: date, network: BinNetwork | None = None) -> CalendarFeed:
    """The coming year's collections as an iCalendar feed, with an ETag that changes only with its content.

    The feed is stamped with the start of `today` (UK time), so it is the same all day unless the schedule
    changes, and calendar apps' conditional refreshes can be answered with 304 Not Modified.
    """
    network = network or load_network(session)
    schedule = collections_for_property(session, uprn=uprn, start=today, days=FEED_DAYS, network=network)
    generated_at = datetime.combine(today, time.min, tzinfo=LONDON)
    return _feed(schedule.uprn, schedule.address, schedule.collections, generated_at)


@lru_cache(maxsize=2048)
def _feed(uprn: int, address: str, collections: tuple[Collection, ...], generated_at: datetime) -> CalendarFeed:
    # Pure in its arguments, so caching is safe: a new change to the schedule is a new key.
    body = calendar_for(uprn, address, collections, generated_at=generated_at)
    etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
    return CalendarFeed(body, etag, generated_at)


def stream_code(value: str) -> StreamCode:
    """A stream named by its code; InvalidInput listing the codes when it is not one."""
    try:
        return StreamCode(value)
    except ValueError:
        codes = ", ".join(code.value for code in StreamCode)
        raise InvalidInput(f"stream: '{value}' is not a waste stream; use one of {codes}") from None


def missed_collection_window(
    session: Session, *, uprn: int, stream: str, on: date, now: datetime
) -> missed.MissedCollectionWindow:
    """Whether a missed `stream` collection at `uprn` on `on` may be reported at `now` (timezone-aware).

    For the service requests module. NotFound for an unknown UPRN, InvalidInput for an unknown stream.
    """
    code = stream_code(stream)
    start, end = on - _MARGIN, on + _MARGIN
    served = property_rounds(session, uprn=uprn)
    holidays = bank_holidays_around(start, end)
    collections = schedule_for_rounds(load_network(session), served, start, end, bank_holidays=holidays)
    return missed.missed_collection_window(collections, code, on, now=now, bank_holidays=holidays)


def assignments(session: Session, *, uprns: Iterable[int] | None = None) -> dict[int, PropertyRounds]:
    """The rounds and subscriptions of every property (or of `uprns`), in a few bulk queries, for batches."""
    rounds_query = select(PropertyBinRound.uprn, PropertyBinRound.round_id)
    subscription_query = select(GardenSubscription.uprn, GardenSubscription.starts, GardenSubscription.ends)
    if uprns is not None:
        wanted = list(uprns)
        rounds_query = rounds_query.where(PropertyBinRound.uprn.in_(wanted))
        subscription_query = subscription_query.where(GardenSubscription.uprn.in_(wanted))
    round_ids: dict[int, list[str]] = {}
    for uprn, round_id in session.execute(rounds_query):
        round_ids.setdefault(uprn, []).append(round_id)
    subscriptions: dict[int, list[Subscription]] = {}
    for uprn, starts, ends in session.execute(subscription_query):
        subscriptions.setdefault(uprn, []).append(Subscription(starts, ends))
    return {
        uprn: PropertyRounds(uprn, "", tuple(sorted(ids)), tuple(subscriptions.get(uprn, ())))
        for uprn, ids in round_ids.items()
    }


def schedules_for_many(
    network: BinNetwork, served: Mapping[int, PropertyRounds], start: date, end: date
) -> dict[int, tuple[Collection, ...]]:
    """Every property's collections from `start` to `end` (the batch behind reminder e-mails).

    Each round is computed once; properties with the same rounds, and garden subscriptions that cover the
    whole range (or none of it), share one immutable schedule.
    """
    holidays = bank_holidays_around(start, end)
    by_round = {
        round_id: round_collections(round_, start, end, changes=network.book, bank_holidays=holidays)
        for round_id, round_ in network.rounds.items()
    }
    merged: dict[tuple[tuple[str, ...], tuple[Subscription, ...]], tuple[Collection, ...]] = {}
    schedules: dict[int, tuple[Collection, ...]] = {}
    for uprn, property_rounds_ in served.items():
        key = (property_rounds_.round_ids, _relevant(property_rounds_.subscriptions, start, end))
        schedule = merged.get(key)
        if schedule is None:
            schedule = merged[key] = _merge(network, by_round, key)
        schedules[uprn] = schedule
    return schedules


def _relevant(subscriptions: tuple[Subscription, ...], start: date, end: date) -> tuple[Subscription, ...]:
    """Subscriptions as they bear on the range: one covering all of it stands for every such one."""
    if any(s.covers(start) and s.covers(end) for s in subscriptions):
        return (Subscription(start, end),)
    return tuple(s for s in subscriptions if s.starts <= end and (s.ends is None or s.ends >= start))


def _merge(
    network: BinNetwork,
    by_round: Mapping[str, list[Collection]],
    key: tuple[tuple[str, ...], tuple[Subscription, ...]],
) -> tuple[Collection, ...]:
    round_ids, subscriptions = key
    combined: list[Collection] = []
    for round_id in round_ids:
        collections = by_round[round_id]
        if network.rounds[round_id].stream.code is StreamCode.GARDEN:
            collections = [c for c in collections if _subscribed(subscriptions, c.original_date)]
        combined.extend(collections)
    return tuple(sorted(combined, key=collection_order))
