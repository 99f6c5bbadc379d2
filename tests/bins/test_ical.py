"""The bin calendar feed, read back with two independent parsers: `icalendar` and `ics`."""

from datetime import UTC, date, datetime, timedelta

import icalendar
import ics
import pytest

from tests.bins.factories import make_round
from townhall.bins.bank_holidays import england_and_wales_bank_holidays
from townhall.bins.ical import calendar_for
from townhall.bins.schedule import ChangeReason, Collection, ScheduleChange, StreamCode, collections_between

HOLIDAYS = england_and_wales_bank_holidays([2026, 2027])
UPRN = 100090012345
ADDRESS = "Flat 2, 14 High Street, Anytown"


def december_schedule(changes: list[ScheduleChange] | None = None) -> list[Collection]:
    rounds = [make_round(weekday=4), make_round(weekday=4, stream=StreamCode.RECYCLING, frequency_weeks=2)]
    return collections_between(
        rounds, date(2026, 12, 1), date(2027, 1, 10), changes=changes or [], bank_holidays=HOLIDAYS
    )


def feed(collections: list[Collection], *, at: datetime | None = None) -> bytes:
    return calendar_for(UPRN, ADDRESS, collections, generated_at=at or datetime(2026, 11, 28, 9, tzinfo=UTC))


def events_by_icalendar(data: bytes) -> list[icalendar.Event]:
    return list(icalendar.Calendar.from_ical(data).walk("VEVENT"))


def test_calendar_properties() -> None:
    calendar = icalendar.Calendar.from_ical(feed(december_schedule()))
    assert calendar["VERSION"] == "2.0"
    assert calendar["METHOD"] == "PUBLISH"
    assert calendar["CALSCALE"] == "GREGORIAN"
    assert str(calendar["PRODID"]).startswith("-//Townhall")
    # An X- property is TEXT by default (RFC 5545 3.8.8.2): icalendar keeps it escaped, so unescape it here.
    name = calendar["X-WR-CALNAME"].to_ical().decode()
    assert name.replace("\\,", ",") == f"Bin collections: {ADDRESS}"
    raw = feed(december_schedule()).decode()
    assert "REFRESH-INTERVAL;VALUE=DURATION:P1D\r\n" in raw
    assert "X-PUBLISHED-TTL:P1D\r\n" in raw


def test_one_all_day_event_per_stream_and_date() -> None:
    collections = december_schedule()
    events = events_by_icalendar(feed(collections))
    assert len(events) == len(collections) > 0
    for event, collection in zip(events, collections, strict=True):
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert type(start) is date and type(end) is date
        assert start == collection.sort_date and end == start + timedelta(days=1)
        assert event["TRANSP"] == "TRANSPARENT"
    raw = feed(collections).decode()
    assert raw.count("DTSTART;VALUE=DATE:") == len(collections)


def test_summary_and_description_for_a_moved_collection() -> None:
    events = events_by_icalendar(feed(december_schedule()))
    christmas = next(e for e in events if e.decoded("DTSTART") == date(2026, 12, 26))
    assert christmas["SUMMARY"] in {"Rubbish collection (black bin)", "Recycling collection (blue bin)"}
    description = str(christmas["DESCRIPTION"])
    assert "What goes in it:" in description
    assert "Moved from Friday 25 December because of the bank holiday." in description


def test_uids_stay_the_same_from_one_download_to_the_next() -> None:
    first = feed(december_schedule(), at=datetime(2026, 11, 28, 9, tzinfo=UTC))
    second = feed(december_schedule(), at=datetime(2026, 11, 29, 9, tzinfo=UTC))
    assert first != second  # DTSTAMP changed
    uids = [str(e["UID"]) for e in events_by_icalendar(first)]
    assert uids == [str(e["UID"]) for e in events_by_icalendar(second)]
    assert len(set(uids)) == len(uids)


def test_a_moved_collection_keeps_its_uid_so_it_updates_in_place() -> None:
    before = {str(e["UID"]): e.decoded("DTSTART") for e in events_by_icalendar(feed(december_schedule()))}
    change = ScheduleChange(None, date(2026, 12, 11), date(2026, 12, 12), ChangeReason.BAD_WEATHER)
    after = {str(e["UID"]): e.decoded("DTSTART") for e in events_by_icalendar(feed(december_schedule([change])))}
    assert before.keys() == after.keys()
    changed = {uid for uid in before if before[uid] != after[uid]}
    assert changed and all(after[uid] == date(2026, 12, 12) for uid in changed)


def test_cancelled_collection_is_published_as_cancelled_on_its_original_day() -> None:
    change = ScheduleChange(None, date(2026, 12, 18), None, ChangeReason.STRIKE)
    events = events_by_icalendar(feed(december_schedule([change])))
    cancelled = [e for e in events if e.get("STATUS") == "CANCELLED"]
    assert cancelled and all(e.decoded("DTSTART") == date(2026, 12, 18) for e in cancelled)
    assert all(str(e["SUMMARY"]).startswith("Cancelled: ") for e in cancelled)


def test_dtstamp_is_the_generation_time_in_utc() -> None:
    events = events_by_icalendar(feed(december_schedule(), at=datetime(2026, 7, 1, 10, tzinfo=UTC)))
    assert {e.decoded("DTSTAMP") for e in events} == {datetime(2026, 7, 1, 10, tzinfo=UTC)}


def test_lines_are_folded_and_commas_escaped() -> None:
    raw = feed(december_schedule())
    lines = raw.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # the long descriptions were folded
    assert b"X-WR-CALNAME:Bin collections: Flat 2\\, 14 High Street\\, Anytown" in raw.replace(b"\r\n ", b"")


def test_second_parser_reads_the_same_events() -> None:
    collections = december_schedule([ScheduleChange(None, date(2026, 12, 18), None, ChangeReason.STRIKE)])
    data = feed(collections)
    parsed = ics.Calendar(data.decode())
    events = sorted(parsed.events, key=lambda e: (e.begin, e.name))
    assert len(events) == len(collections)
    expected = {str(e["UID"]): e for e in events_by_icalendar(data)}
    for event in events:
        assert event.all_day
        original = expected[event.uid]
        assert event.begin.date() == original.decoded("DTSTART")
        assert event.name == str(original["SUMMARY"])
        assert event.description == str(original["DESCRIPTION"])
    recycling = [e for e in events if e.name.startswith("Recycling")]
    assert recycling and all("paper, card, tins" in e.description for e in recycling)  # commas unescaped
    assert sum(1 for e in events if e.status == "CANCELLED") == sum(1 for c in collections if c.is_cancelled)


def test_naive_generation_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar_for(UPRN, ADDRESS, [], generated_at=datetime(2026, 1, 1))


@pytest.mark.parametrize(
    ("reason", "words"),
    [
        (ChangeReason.STRIKE, "because of a strike."),
        (ChangeReason.BAD_WEATHER, "because of bad weather."),
        (ChangeReason.CHRISTMAS_AND_NEW_YEAR, "because of the Christmas and New Year arrangements."),
    ],
)
def test_description_says_why_a_collection_moved(reason: ChangeReason, words: str) -> None:
    change = ScheduleChange(None, date(2026, 12, 11), date(2026, 12, 12), reason)
    events = events_by_icalendar(feed(december_schedule([change])))
    moved = [str(e["DESCRIPTION"]) for e in events if e.decoded("DTSTART") == date(2026, 12, 12)]
    assert moved and all(f"Moved from Friday 11 December {words}" in text for text in moved)
