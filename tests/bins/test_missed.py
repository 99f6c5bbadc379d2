from datetime import UTC, date, datetime

import pytest

from tests.bins.factories import make_round
from townhall.bins.bank_holidays import england_and_wales_bank_holidays
from townhall.bins.missed import UK_TIME, missed_collection_window
from townhall.bins.schedule import ChangeReason, Collection, ScheduleChange, StreamCode, collections_between

HOLIDAYS = england_and_wales_bank_holidays([2026, 2027])


def schedule(*, weekday: int, start: date, end: date, changes: list[ScheduleChange] | None = None) -> list[Collection]:
    rounds = [
        make_round(weekday=weekday),
        make_round(weekday=weekday, stream=StreamCode.RECYCLING, frequency_weeks=2),
    ]
    return collections_between(rounds, start, end, changes=changes or [], bank_holidays=HOLIDAYS)


def uk(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UK_TIME)


def test_thursday_collection_window_runs_over_the_weekend_to_the_end_of_monday() -> None:
    collections = schedule(weekday=3, start=date(2026, 6, 1), end=date(2026, 6, 30))
    window = missed_collection_window(
        collections, StreamCode.REFUSE, date(2026, 6, 11), now=uk(2026, 6, 15, 23, 59), bank_holidays=HOLIDAYS
    )
    assert window.allowed
    assert window.opens == uk(2026, 6, 12, 0, 0)
    assert window.closes == uk(2026, 6, 16, 0, 0)
    assert "until the end of Monday 15 June" in window.explanation


def test_window_closes_at_midnight_after_the_second_working_day() -> None:
    collections = schedule(weekday=3, start=date(2026, 6, 1), end=date(2026, 6, 30))
    window = missed_collection_window(
        collections, StreamCode.REFUSE, date(2026, 6, 11), now=uk(2026, 6, 16, 0, 0), bank_holidays=HOLIDAYS
    )
    assert not window.allowed
    assert "too late" in window.explanation and "Monday 15 June" in window.explanation


def test_window_opens_only_at_the_end_of_the_collection_day() -> None:
    collections = schedule(weekday=3, start=date(2026, 6, 1), end=date(2026, 6, 30))
    window = missed_collection_window(
        collections, StreamCode.REFUSE, date(2026, 6, 11), now=uk(2026, 6, 11, 18), bank_holidays=HOLIDAYS
    )
    assert not window.allowed
    assert window.opens == uk(2026, 6, 12, 0, 0)
    assert "from midnight at the end of Thursday 11 June" in window.explanation


def test_a_bank_holiday_is_not_a_working_day() -> None:
    # Thursday 21 May 2026; Friday 22 is a working day, Monday 25 is the Spring bank holiday.
    collections = schedule(weekday=3, start=date(2026, 5, 1), end=date(2026, 5, 31))
    window = missed_collection_window(
        collections, StreamCode.REFUSE, date(2026, 5, 21), now=uk(2026, 5, 26, 9), bank_holidays=HOLIDAYS
    )
    assert window.allowed
    assert window.closes == uk(2026, 5, 27, 0, 0)


def test_moved_collection_is_reportable_on_its_new_day_not_its_old_one() -> None:
    collections = schedule(weekday=4, start=date(2026, 12, 1), end=date(2026, 12, 31))
    old_day = missed_collection_window(
        collections, StreamCode.REFUSE, date(2026, 12, 25), now=uk(2026, 12, 29), bank_holidays=HOLIDAYS
    )
    assert not old_day.allowed
    assert "moved to Saturday 26 December (bank holiday)" in old_day.explanation
    # Saturday 26: the two working days after it are Tuesday 29 and Wednesday 30 (Monday 28 is a holiday).
    new_day = missed_collection_window(
        collections, StreamCode.REFUSE, date(2026, 12, 26), now=uk(2026, 12, 30, 17), bank_holidays=HOLIDAYS
    )
    assert new_day.allowed and new_day.closes == uk(2026, 12, 31, 0, 0)


def test_cancelled_collection_cannot_be_reported_as_missed() -> None:
    change = ScheduleChange(None, date(2026, 6, 11), None, ChangeReason.STRIKE)
    collections = schedule(weekday=3, start=date(2026, 6, 1), end=date(2026, 6, 30), changes=[change])
    window = missed_collection_window(
        collections, StreamCode.REFUSE, date(2026, 6, 11), now=uk(2026, 6, 12), bank_holidays=HOLIDAYS
    )
    assert not window.allowed and "cancelled (strike)" in window.explanation


def test_a_stream_not_due_that_day_cannot_be_reported() -> None:
    collections = schedule(weekday=3, start=date(2026, 6, 1), end=date(2026, 6, 30))
    due_days = {c.date for c in collections if c.stream.code is StreamCode.RECYCLING}
    not_due = next(d for d in (date(2026, 6, 4), date(2026, 6, 11)) if d not in due_days)
    window = missed_collection_window(
        collections, StreamCode.RECYCLING, not_due, now=uk(2026, 6, 15), bank_holidays=HOLIDAYS
    )
    assert not window.allowed and window.opens is None
    assert window.explanation.startswith("There was no recycling collection due")


def test_now_in_utc_is_compared_as_the_same_instant() -> None:
    collections = schedule(weekday=3, start=date(2026, 6, 1), end=date(2026, 6, 30))
    # 23:30 UTC on Thursday is 00:30 BST on Friday: the window is open.
    window = missed_collection_window(
        collections,
        StreamCode.REFUSE,
        date(2026, 6, 11),
        now=datetime(2026, 6, 11, 23, 30, tzinfo=UTC),
        bank_holidays=HOLIDAYS,
    )
    assert window.allowed


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        missed_collection_window(
            [], StreamCode.REFUSE, date(2026, 6, 11), now=datetime(2026, 6, 12), bank_holidays=HOLIDAYS
        )
