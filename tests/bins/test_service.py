"""Bins over the database: the synthetic council's rounds, schedules, Christmas changes and missed reports."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from townhall.bins import service
from townhall.bins.models import BinScheduleChange, GardenSubscription, PropertyBinRound
from townhall.bins.schedule import ChangeReason, StreamCode
from townhall.places.models import Property
from townhall.platform.errors import InvalidInput, NotFound


def a_house_with_garden(session: Session) -> int:
    return int(
        session.execute(
            text(
                "SELECT g.uprn FROM garden_subscriptions g WHERE g.ends IS NULL AND g.starts < '2026-01-01' "
                "ORDER BY g.uprn LIMIT 1"
            )
        ).scalar_one()
    )


def a_home_without_garden(session: Session) -> int:
    subscribed = select(GardenSubscription.uprn)
    return int(session.scalar(select(func.min(Property.uprn)).where(Property.uprn.not_in(subscribed))) or 0)


def test_every_property_has_refuse_recycling_and_food(session: Session) -> None:
    rounds = service.assignments(session)
    assert len(rounds) == session.scalar(select(func.count()).select_from(Property))
    network = service.load_network(session)
    for served in rounds.values():
        streams = Counter(network.rounds[r].stream.code for r in served.round_ids)
        assert streams[StreamCode.REFUSE] == streams[StreamCode.RECYCLING] == streams[StreamCode.FOOD] == 1


def test_rounds_are_balanced_by_weekday_in_every_ward(session: Session) -> None:
    rows = session.execute(
        text(
            "SELECT p.ward_code, r.weekday, count(*) FROM property_bin_rounds a JOIN bin_rounds r ON r.id = a.round_id "
            "JOIN properties p ON p.uprn = a.uprn WHERE r.stream_code = 'refuse' GROUP BY p.ward_code, r.weekday"
        )
    ).all()
    by_ward: dict[str, list[int]] = {}
    for ward, _weekday, count in rows:
        by_ward.setdefault(ward, []).append(count)
    for counts in by_ward.values():
        assert len(counts) == 5 and max(counts) - min(counts) <= 2


def test_refuse_and_recycling_alternate_weeks(session: Session, sample_property: dict[str, object]) -> None:
    schedule = service.collections_for_property(
        session, uprn=int(str(sample_property["uprn"])), start=date(2026, 9, 7), days=28
    )
    refuse = [c.date for c in schedule.collections if c.stream.code is StreamCode.REFUSE]
    recycling = [c.date for c in schedule.collections if c.stream.code is StreamCode.RECYCLING]
    food = [c.date for c in schedule.collections if c.stream.code is StreamCode.FOOD]
    assert len(refuse) == len(recycling) == 2 and len(food) == 4
    assert not set(refuse) & set(recycling)


def test_garden_share_of_houses_and_flats(session: Session) -> None:
    rows = session.execute(
        text(
            "SELECT p.property_type = 'flat', count(*), count(g.uprn) FROM properties p LEFT JOIN "
            "(SELECT DISTINCT uprn FROM garden_subscriptions WHERE ends IS NULL) g ON g.uprn = p.uprn GROUP BY 1"
        )
    ).all()
    shares = {bool(flat): subscribed / total for flat, total, subscribed in rows}
    assert 0.30 <= shares[False] <= 0.45
    assert shares[True] < 0.10


def test_christmas_2026_to_new_year_2027_never_on_a_bank_holiday_from_the_database(session: Session) -> None:
    network = service.load_network(session)
    schedules = service.schedules_for_many(network, service.assignments(session), date(2026, 12, 14), date(2027, 1, 15))
    days = {c.date for schedule in schedules.values() for c in schedule}
    assert days and not days & {date(2026, 12, 25), date(2026, 12, 28), date(2027, 1, 1)}
    assert not any(day is not None and day.weekday() == 6 for day in days)  # the council's arrangements: no Sundays


def test_garden_waste_is_suspended_over_christmas_and_named_as_such(session: Session) -> None:
    uprn = a_house_with_garden(session)
    schedule = service.collections_for_property(session, uprn=uprn, start=date(2026, 12, 21), days=14)
    garden = [c for c in schedule.collections if c.stream.code is StreamCode.GARDEN]
    assert garden and all(c.is_cancelled and c.reason is ChangeReason.CHRISTMAS_AND_NEW_YEAR for c in garden)


def test_garden_collections_only_while_subscribed(session: Session) -> None:
    uprn = a_house_with_garden(session)
    schedule = service.collections_for_property(session, uprn=uprn, start=date(2026, 9, 1), days=28)
    assert any(c.stream.code is StreamCode.GARDEN for c in schedule.collections)
    session.execute(text("UPDATE garden_subscriptions SET ends = '2026-09-14' WHERE uprn = :u"), {"u": uprn})
    after = service.collections_for_property(session, uprn=uprn, start=date(2026, 9, 1), days=28)
    garden = [c for c in after.collections if c.stream.code is StreamCode.GARDEN]
    assert garden and all(c.original_date <= date(2026, 9, 14) for c in garden)


def test_a_home_without_garden_waste_has_no_garden_collection_in_its_outlook(session: Session) -> None:
    outlook = service.bin_day_outlook(session, uprn=a_home_without_garden(session), today=date(2026, 11, 28))
    by_stream = {item.stream.code: item.next_collection for item in outlook.streams}
    assert by_stream[StreamCode.GARDEN] is None
    assert by_stream[StreamCode.REFUSE] is not None and by_stream[StreamCode.REFUSE].date is not None


def test_a_recorded_strike_cancels_a_round(session: Session, sample_property: dict[str, object]) -> None:
    uprn = int(str(sample_property["uprn"]))
    before = service.collections_for_property(session, uprn=uprn, start=date(2026, 9, 7), days=7)
    food = next(c for c in before.collections if c.stream.code is StreamCode.FOOD)
    food_round = session.scalar(
        select(PropertyBinRound.round_id).where(
            PropertyBinRound.uprn == uprn, PropertyBinRound.round_id.like("%-food-%")
        )
    )
    session.add(
        BinScheduleChange(round_id=food_round, original_date=food.original_date, new_date=None, reason="strike")
    )
    session.flush()
    after = service.collections_for_property(session, uprn=uprn, start=date(2026, 9, 7), days=7)
    cancelled = next(c for c in after.collections if c.stream.code is StreamCode.FOOD)
    assert cancelled.is_cancelled and cancelled.reason is ChangeReason.STRIKE


def test_unknown_uprn_and_bad_ranges(session: Session) -> None:
    with pytest.raises(NotFound):
        service.collections_for_property(session, uprn=123, start=date(2026, 1, 1), days=7)
    with pytest.raises(InvalidInput, match="366"):
        service.collections_for_property(session, uprn=123, start=date(2026, 1, 1), days=367)


def test_missed_collection_window_for_the_service_requests_module(
    session: Session, sample_property: dict[str, object]
) -> None:
    uprn = int(str(sample_property["uprn"]))
    schedule = service.collections_for_property(session, uprn=uprn, start=date(2026, 9, 7), days=14)
    refuse = next(c for c in schedule.collections if c.stream.code is StreamCode.REFUSE)
    assert refuse.date is not None
    after = datetime.combine(refuse.date, datetime.min.time(), tzinfo=UTC).replace(hour=23)
    window = service.missed_collection_window(session, uprn=uprn, stream="refuse", on=refuse.date, now=after)
    assert window.allowed, window.explanation
    early = service.missed_collection_window(
        session, uprn=uprn, stream="refuse", on=refuse.date, now=after.replace(hour=8)
    )
    assert not early.allowed
    with pytest.raises(InvalidInput, match="not a waste stream"):
        service.missed_collection_window(session, uprn=uprn, stream="glass", on=refuse.date, now=after)


def test_batch_schedules_agree_with_one_property_at_a_time(session: Session) -> None:
    network = service.load_network(session)
    served = service.assignments(session)
    start, end = date(2026, 11, 30), date(2027, 1, 24)
    batch = service.schedules_for_many(network, served, start, end)
    holidays = service.bank_holidays_around(start, end)
    for uprn in sorted(served)[::97]:
        one = service.schedule_for_rounds(network, served[uprn], start, end, bank_holidays=holidays)
        assert batch[uprn] == one
