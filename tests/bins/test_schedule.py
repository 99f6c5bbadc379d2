from datetime import date

import pytest

from tests.bins.factories import STREAMS, make_round, make_weekday_rounds
from townhall.bins.bank_holidays import england_and_wales_bank_holidays
from townhall.bins.schedule import (
    ChangeReason,
    Collection,
    Round,
    ScheduleChange,
    StreamCode,
    collections_between,
    collections_for_many,
    scheduled_dates,
    shifted_for_bank_holidays,
)

HOLIDAYS = england_and_wales_bank_holidays([2025, 2026, 2027, 2028])


def moves(collections: list[Collection]) -> dict[date, date | None]:
    return {c.original_date: c.date for c in collections}


def test_christmas_2026_to_new_year_2027_never_collects_on_a_bank_holiday() -> None:
    found = collections_between(
        make_weekday_rounds(), date(2026, 12, 14), date(2027, 1, 15), changes=[], bank_holidays=HOLIDAYS
    )
    days = {c.date for c in found}
    assert not days & {date(2026, 12, 25), date(2026, 12, 28), date(2027, 1, 1)}
    assert len(found) == 25  # five weeks of five rounds: nothing lost, nothing doubled


def test_christmas_2026_week_moves_friday_to_saturday_and_new_year_week_by_one_or_two_days() -> None:
    found = collections_between(
        make_weekday_rounds(), date(2026, 12, 21), date(2027, 1, 3), changes=[], bank_holidays=HOLIDAYS
    )
    assert moves(found) == {
        date(2026, 12, 21): date(2026, 12, 21),
        date(2026, 12, 22): date(2026, 12, 22),
        date(2026, 12, 23): date(2026, 12, 23),
        date(2026, 12, 24): date(2026, 12, 24),
        date(2026, 12, 25): date(2026, 12, 26),
        date(2026, 12, 28): date(2026, 12, 29),
        date(2026, 12, 29): date(2026, 12, 30),
        date(2026, 12, 30): date(2026, 12, 31),
        # Thursday moves one day onto New Year's Day, a bank holiday, so on again to Saturday.
        date(2026, 12, 31): date(2027, 1, 2),
        # Friday has two bank holidays on or before it that week.
        date(2027, 1, 1): date(2027, 1, 3),
    }


def test_good_friday_week_moves_only_friday() -> None:
    found = collections_between(
        make_weekday_rounds(), date(2026, 3, 30), date(2026, 4, 5), changes=[], bank_holidays=HOLIDAYS
    )
    assert [c.date for c in found] == [date(2026, 3, d) for d in (30, 31)] + [date(2026, 4, d) for d in (1, 2, 4)]
    assert found[-1].reason is ChangeReason.BANK_HOLIDAY
    assert all(c.reason is None for c in found[:-1])


def test_may_bank_holiday_moves_monday_to_tuesday_and_friday_to_saturday() -> None:
    found = collections_between(
        make_weekday_rounds(), date(2026, 5, 4), date(2026, 5, 10), changes=[], bank_holidays=HOLIDAYS
    )
    assert moves(found) == {date(2026, 5, d): date(2026, 5, d + 1) for d in range(4, 9)}
    assert all(c.reason is ChangeReason.BANK_HOLIDAY for c in found)


def test_collections_are_ordered_by_date_then_stream() -> None:
    rounds = [make_round(stream=code) for code in StreamCode]
    found = collections_between(rounds, date(2026, 6, 1), date(2026, 6, 14), changes=[], bank_holidays=HOLIDAYS)
    assert [(c.date, c.stream.code.value) for c in found] == sorted((c.date, c.stream.code.value) for c in found)
    assert [c.stream.code.value for c in found[:4]] == ["food", "garden", "recycling", "refuse"]


def test_fortnightly_round_keeps_the_phase_of_its_reference_date() -> None:
    round_ = make_round(weekday=2, frequency_weeks=2, reference_date=date(2026, 1, 7))
    days = scheduled_dates(round_, date(2026, 6, 1), date(2026, 6, 30))
    # 7 January + 11 fortnights = 10 June
    assert days == [date(2026, 6, 10), date(2026, 6, 24)]


def test_phase_holds_before_the_reference_date_too() -> None:
    round_ = make_round(weekday=2, frequency_weeks=2, reference_date=date(2026, 1, 7))
    assert scheduled_dates(round_, date(2025, 12, 22), date(2026, 1, 7)) == [
        date(2025, 12, 24),
        date(2026, 1, 7),
    ]


def test_four_weekly_round() -> None:
    round_ = make_round(weekday=0, frequency_weeks=4, reference_date=date(2026, 1, 5))
    assert scheduled_dates(round_, date(2026, 1, 1), date(2026, 3, 31)) == [
        date(2026, 1, 5),
        date(2026, 2, 2),
        date(2026, 3, 2),
        date(2026, 3, 30),
    ]


def test_explicit_move_wins_over_the_bank_holiday_rule_and_keeps_the_original_date() -> None:
    friday = make_round(weekday=4)
    change = ScheduleChange(friday.id, date(2026, 12, 25), date(2026, 12, 24), ChangeReason.CHRISTMAS_AND_NEW_YEAR)
    found = collections_between(
        [friday], date(2026, 12, 21), date(2026, 12, 27), changes=[change], bank_holidays=HOLIDAYS
    )
    assert found == [Collection(STREAMS[StreamCode.REFUSE], date(2026, 12, 24), date(2026, 12, 25), change.reason)]


def test_change_for_one_round_leaves_other_rounds_alone() -> None:
    monday, tuesday = make_round(weekday=0), make_round(weekday=1)
    change = ScheduleChange(monday.id, date(2026, 2, 2), date(2026, 2, 4), ChangeReason.BAD_WEATHER)
    found = collections_between(
        [monday, tuesday], date(2026, 2, 2), date(2026, 2, 8), changes=[change], bank_holidays=HOLIDAYS
    )
    assert moves(found) == {date(2026, 2, 2): date(2026, 2, 4), date(2026, 2, 3): date(2026, 2, 3)}


def test_change_for_all_rounds_applies_to_every_round_but_a_round_change_wins() -> None:
    refuse, recycling = make_round(weekday=0), make_round(weekday=0, stream=StreamCode.RECYCLING)
    changes = [
        ScheduleChange(None, date(2026, 2, 2), None, ChangeReason.STRIKE),
        ScheduleChange(recycling.id, date(2026, 2, 2), date(2026, 2, 7), ChangeReason.STRIKE),
    ]
    found = collections_between(
        [refuse, recycling], date(2026, 2, 1), date(2026, 2, 8), changes=changes, bank_holidays=HOLIDAYS
    )
    by_stream = {c.stream.code: c for c in found}
    assert by_stream[StreamCode.REFUSE].is_cancelled
    assert by_stream[StreamCode.RECYCLING].date == date(2026, 2, 7)


def test_cancelled_collection_is_returned_on_its_original_day_with_its_reason() -> None:
    change = ScheduleChange(None, date(2026, 12, 24), None, ChangeReason.CHRISTMAS_AND_NEW_YEAR)
    found = collections_between(
        [make_round(weekday=3, stream=StreamCode.GARDEN)],
        date(2026, 12, 21),
        date(2026, 12, 27),
        changes=[change],
        bank_holidays=HOLIDAYS,
    )
    assert len(found) == 1
    assert found[0].is_cancelled and found[0].date is None
    assert found[0].sort_date == date(2026, 12, 24)
    assert found[0].reason is ChangeReason.CHRISTMAS_AND_NEW_YEAR


def test_a_collection_moved_into_the_range_from_outside_is_included_and_one_moved_out_is_not() -> None:
    monday = make_round(weekday=0)
    changes = [
        ScheduleChange(monday.id, date(2026, 2, 16), date(2026, 2, 10), ChangeReason.BAD_WEATHER),
        ScheduleChange(monday.id, date(2026, 2, 9), date(2026, 2, 20), ChangeReason.BAD_WEATHER),
    ]
    found = collections_between([monday], date(2026, 2, 9), date(2026, 2, 15), changes=changes, bank_holidays=HOLIDAYS)
    assert moves(found) == {date(2026, 2, 16): date(2026, 2, 10)}


def test_friday_moved_by_a_bank_holiday_past_the_range_end_is_not_in_the_range() -> None:
    found = collections_between(
        [make_round(weekday=4)], date(2026, 12, 21), date(2026, 12, 25), changes=[], bank_holidays=HOLIDAYS
    )
    assert found == []


def test_shift_never_lands_on_a_bank_holiday() -> None:
    holidays = frozenset({date(2026, 6, 1), date(2026, 6, 2)})  # an invented pair of holidays
    assert shifted_for_bank_holidays(date(2026, 6, 1), holidays) == date(2026, 6, 3)
    assert shifted_for_bank_holidays(date(2026, 6, 5), holidays) == date(2026, 6, 7)


def test_round_rejects_a_reference_date_off_its_weekday() -> None:
    with pytest.raises(ValueError, match="not on its weekday"):
        Round("r", STREAMS[StreamCode.FOOD], 0, 1, date(2026, 1, 6))


@pytest.mark.parametrize("weeks", [0, 3, 5])
def test_round_rejects_other_frequencies(weeks: int) -> None:
    with pytest.raises(ValueError, match="frequency"):
        make_round(frequency_weeks=weeks)


def test_many_properties_get_the_same_schedule_as_one_at_a_time() -> None:
    rounds = [
        make_round(weekday=d, stream=s, frequency_weeks=f)
        for d in range(5)
        for s, f in ((StreamCode.REFUSE, 2), (StreamCode.RECYCLING, 2), (StreamCode.FOOD, 1))
    ]
    by_id = {r.id: r for r in rounds}
    properties = {uprn: [rounds[uprn % 15].id, rounds[(uprn * 7) % 15].id] for uprn in range(1, 200)}
    changes = [ScheduleChange(None, date(2026, 12, 24), None, ChangeReason.CHRISTMAS_AND_NEW_YEAR)]
    start, end = date(2026, 12, 1), date(2027, 1, 31)
    schedules = collections_for_many(properties, rounds, start, end, changes=changes, bank_holidays=HOLIDAYS)
    assert set(schedules) == set(properties)
    for uprn, ids in properties.items():
        one = collections_between([by_id[i] for i in set(ids)], start, end, changes=changes, bank_holidays=HOLIDAYS)
        assert list(schedules[uprn]) == one


def test_many_properties_reject_an_unknown_round() -> None:
    with pytest.raises(KeyError):
        collections_for_many(
            {1: ["nope"]},
            [make_round()],
            date(2026, 1, 1),
            date(2026, 1, 31),
            changes=[],
            bank_holidays=HOLIDAYS,
        )
