from datetime import date

from townhall.bins.bank_holidays import bank_holiday_names, england_and_wales_bank_holidays


def test_boxing_day_2026_on_a_saturday_counts_on_the_substitute_monday() -> None:
    days = england_and_wales_bank_holidays([2026])
    assert date(2026, 12, 25) in days
    assert date(2026, 12, 28) in days
    assert date(2026, 12, 26) not in days


def test_christmas_2027_on_a_saturday_moves_both_holidays_to_monday_and_tuesday() -> None:
    days = england_and_wales_bank_holidays([2027])
    december = sorted(day for day in days if day.month == 12)
    assert december == [date(2027, 12, 27), date(2027, 12, 28)]


def test_england_has_eight_bank_holidays_in_an_ordinary_year() -> None:
    days = england_and_wales_bank_holidays([2026])
    assert len(days) == 8
    assert all(day.weekday() < 5 for day in days)


def test_good_friday_and_easter_monday_2026() -> None:
    days = england_and_wales_bank_holidays([2026])
    assert {date(2026, 4, 3), date(2026, 4, 6)} <= days


def test_results_cover_every_year_asked_for() -> None:
    days = england_and_wales_bank_holidays(range(2026, 2028))
    assert date(2026, 1, 1) in days and date(2027, 1, 1) in days


def test_names_are_given_for_messages() -> None:
    names = bank_holiday_names([2026])
    assert names[date(2026, 12, 28)] == "Boxing Day (observed)"
    assert set(names) == set(england_and_wales_bank_holidays([2026]))
