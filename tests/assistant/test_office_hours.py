from __future__ import annotations

from datetime import datetime, time

import pytest

from townhall.assistant.office_hours import describe, is_open, next_opening, when
from townhall.config import Settings
from townhall.platform.clock import LONDON

SETTINGS = Settings()


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(2026, 12, 1, 10), True),  # a Tuesday morning
        (at(2026, 12, 1, 8, 59), False),
        (at(2026, 12, 1, 17), False),  # closing time is closed
        (at(2026, 11, 28, 12), False),  # Saturday
        (at(2026, 12, 25, 10), False),  # Christmas Day, a Friday
        (at(2026, 12, 28, 10), False),  # Monday: the substitute for Boxing Day on a Saturday
        (at(2026, 12, 29, 10), True),
    ],
)
def test_office_hours_follow_weekdays_times_and_bank_holidays(moment: datetime, expected: bool) -> None:
    assert is_open(moment, SETTINGS) is expected


def test_next_opening_skips_weekends_and_bank_holidays() -> None:
    assert next_opening(at(2026, 11, 28, 22), SETTINGS) == at(2026, 11, 30, 9)
    assert next_opening(at(2026, 12, 1, 7), SETTINGS) == at(2026, 12, 1, 9)  # later the same day
    assert next_opening(at(2026, 12, 1, 10), SETTINGS) == at(2026, 12, 2, 9)
    assert next_opening(at(2026, 12, 24, 18), SETTINGS) == at(2026, 12, 29, 9)  # past Christmas and the 28th
    assert when(next_opening(at(2026, 12, 24, 18), SETTINGS)) == "9am on Tuesday 29 December"


def test_office_hours_are_configurable() -> None:
    saturdays = Settings(assistant_office_days=[1, 2, 3, 4, 5, 6], assistant_office_opens=time(8, 30))
    assert is_open(at(2026, 11, 28, 8, 45), saturdays)
    assert next_opening(at(2026, 11, 27, 18), saturdays) == at(2026, 11, 28, 8, 30)
    assert describe(saturdays) == "Monday to Saturday, 8:30am to 5pm"
    assert describe(SETTINGS) == "Monday to Friday, 9am to 5pm"


def test_utc_moments_are_read_in_uk_time() -> None:
    summer_utc = datetime.fromisoformat("2026-07-01T08:30:00+00:00")  # 09:30 in London (BST)
    assert is_open(summer_utc, SETTINGS)


def test_no_open_day_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="no open day"):
        next_opening(at(2026, 12, 1, 10), Settings(assistant_office_days=[]))
